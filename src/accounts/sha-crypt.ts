import crypto, { createHash } from 'node:crypto';
import { SHA_CRYPT_ROUNDS_WASM } from './wasm/sha-crypt-rounds.wasm.js';

/**
 * SHA-256/SHA-512 based crypt ("$5$" / "$6$"), following the public specification
 * "Unix crypt using SHA-256 and SHA-512" (U. Drepper).
 */

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT = 16;

type Algo = 'sha256' | 'sha512';

function digest(algo: Algo, ...parts: Buffer[]): Buffer {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** One-shot digest; `crypto.hash` (Node 20.12+) avoids creating a Hash object per call. */
const hashOnce: (algo: Algo, data: Buffer) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (algo, data) =>
        (crypto as unknown as { hash(a: string, d: Buffer, o: 'buffer'): Buffer }).hash(algo, data, 'buffer')
    : (algo, data) => createHash(algo).update(data).digest();

/** Repeats `block` to exactly `len` bytes. */
function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i));
  return out;
}

function encode24(out: string[], b2: number, b1: number, b0: number, n: number): void {
  let w = (b2 << 16) | (b1 << 8) | b0;
  for (let i = 0; i < n; i++) {
    out.push(ITOA64[w & 0x3f]!);
    w >>>= 6;
  }
}

function encodeResult(algo: Algo, r: Buffer): string {
  const out: string[] = [];
  if (algo === 'sha512') {
    for (let j = 0; j < 21; j++) {
      const t = [r[j]!, r[j + 21]!, r[j + 42]!];
      const k = j % 3;
      encode24(out, t[k]!, t[(k + 1) % 3]!, t[(k + 2) % 3]!, 4);
    }
    encode24(out, 0, 0, r[63]!, 2);
  } else {
    for (let j = 0; j < 10; j++) {
      const t = [r[j]!, r[j + 10]!, r[j + 20]!];
      const k = (3 - (j % 3)) % 3;
      encode24(out, t[k]!, t[(k + 1) % 3]!, t[(k + 2) % 3]!, 4);
    }
    encode24(out, 0, r[31]!, r[30]!, 3);
  }
  return out.join('');
}

export interface ShaCryptSettings {
  algo: Algo;
  salt: string;
  rounds: number;
  /** True when "rounds=" appeared in the setting string; it is then repeated in the output. */
  explicitRounds: boolean;
}

/** Parses "$6$[rounds=N$]salt[$hash]". Returns null when it is not a SHA-crypt string. */
export function parseShaCrypt(setting: string): ShaCryptSettings | null {
  const m = /^\$([56])\$(?:rounds=(\d{1,10})\$)?([^$]*)/.exec(setting);
  if (!m) return null;
  const algo: Algo = m[1] === '6' ? 'sha512' : 'sha256';
  let rounds = SHA_CRYPT_DEFAULT_ROUNDS;
  if (m[2] !== undefined) rounds = Math.min(MAX_ROUNDS, Math.max(MIN_ROUNDS, Number(m[2])));
  return { algo, salt: m[3]!.slice(0, MAX_SALT), rounds, explicitRounds: m[2] !== undefined };
}

/** Computes the full crypt string for `password` with the settings of `setting` (a hash or a "$6$salt" prefix). */
export function shaCrypt(password: string | Buffer, setting: string): string {
  const s = parseShaCrypt(setting);
  if (!s) throw new Error('not a SHA-crypt setting string');
  const { algo, rounds } = s;
  const P = Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8');
  const S = Buffer.from(s.salt, 'utf8');
  const hlen = algo === 'sha512' ? 64 : 32;

  const B = digest(algo, P, S, P);
  const aParts: Buffer[] = [P, S];
  for (let n = P.length; n > 0; n -= hlen) aParts.push(n > hlen ? B : B.subarray(0, n));
  for (let n = P.length; n > 0; n >>>= 1) aParts.push(n & 1 ? B : P);
  let A = digest(algo, ...aParts);

  const DP = digest(algo, ...new Array<Buffer>(P.length).fill(P));
  const pSeq = repeatTo(DP, P.length);
  const DS = digest(algo, ...new Array<Buffer>(16 + A[0]!).fill(S));
  const sSeq = repeatTo(DS, S.length);

  A =
    (forceJs ? undefined : wasmRounds(hlen, rounds, A, pSeq, sSeq)) ?? jsRounds(algo, rounds, A, pSeq, sSeq);

  const prefix = `$${algo === 'sha512' ? '6' : '5'}$` + (s.explicitRounds ? `rounds=${rounds}$` : '');
  return `${prefix}${s.salt}$${encodeResult(algo, A)}`;
}

/**
 * The rounds in JavaScript: each hashes one contiguous buffer in a single call, laid out in a
 * scratch buffer. Used where WebAssembly is unavailable (node --jitless).
 */
function jsRounds(algo: Algo, rounds: number, A: Buffer, pSeq: Buffer, sSeq: Buffer): Buffer {
  const scratch = Buffer.allocUnsafe(A.length + sSeq.length + 2 * pSeq.length);
  for (let i = 0; i < rounds; i++) {
    let n = i & 1 ? pSeq.copy(scratch, 0) : A.copy(scratch, 0);
    if (i % 3 !== 0) n += sSeq.copy(scratch, n);
    if (i % 7 !== 0) n += pSeq.copy(scratch, n);
    n += i & 1 ? A.copy(scratch, n) : pSeq.copy(scratch, n);
    A = hashOnce(algo, scratch.subarray(0, n));
  }
  return A;
}

// The compiler's library lists carry no WebAssembly types; these are the few calls used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

interface RoundsModule {
  memory: WasmMemory;
  heapBase: number;
  rounds(
    hlen: number,
    count: number,
    a: number,
    p: number,
    plen: number,
    s: number,
    slen: number,
    scratch: number,
  ): void;
}
let wasm: RoundsModule | null | undefined;
let forceJs = false;

/** For tests: run the rounds in JavaScript even where WebAssembly is available. */
export function useJsRounds(on: boolean): void {
  forceJs = on;
}

function loadWasm(): RoundsModule | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const module = new api.Module(Buffer.from(SHA_CRYPT_ROUNDS_WASM, 'base64'));
    const e = new api.Instance(module).exports as {
      memory: WasmMemory;
      __heap_base: { value: number };
      rounds: RoundsModule['rounds'];
    };
    return { memory: e.memory, heapBase: e.__heap_base.value, rounds: e.rounds };
  } catch {
    return null;
  }
}

/** The rounds in the WebAssembly module (about five times faster); undefined when it cannot load. */
function wasmRounds(hlen: number, rounds: number, A: Buffer, pSeq: Buffer, sSeq: Buffer): Buffer | undefined {
  if (wasm === undefined) wasm = loadWasm();
  if (!wasm) return undefined;
  const a = wasm.heapBase;
  const p = a + hlen;
  const s = p + pSeq.length;
  const scratch = s + sSeq.length;
  const end = scratch + hlen + sSeq.length + 2 * pSeq.length + 256;
  const have = wasm.memory.buffer.byteLength;
  if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
  const mem = new Uint8Array(wasm.memory.buffer);
  mem.set(A, a);
  mem.set(pSeq, p);
  mem.set(sSeq, s);
  wasm.rounds(hlen, rounds, a, p, pSeq.length, s, sSeq.length, scratch);
  const out = Buffer.from(mem.slice(a, a + hlen));
  // The password-derived bytes do not stay in the module's memory.
  mem.fill(0, a, end);
  return out;
}

/** Random salt in the crypt alphabet. */
export function cryptSalt(length: number, random: Buffer): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ITOA64[random[i]! & 0x3f];
  return out;
}
