import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2i, argon2id } from 'hash-wasm';
import { scramSha256Keys } from './scram-keys.js';
import type { ScramCredentials } from './types.js';
import { cryptSalt, parseShaCrypt, shaCrypt } from './sha-crypt.js';

/** Schemes `hashPassword` can produce. */
export type HashScheme =
  'SHA512-CRYPT' | 'SHA256-CRYPT' | 'BLF-CRYPT' | 'ARGON2ID' | 'SCRAM-SHA-256' | 'PLAIN';

/** Schemes understood when verifying (in addition to aliases CLEAR/CLEARTEXT and CRYPT). */
export const VERIFY_SCHEMES = [
  'PLAIN',
  'CLEAR',
  'CLEARTEXT',
  'CRYPT',
  'SHA512-CRYPT',
  'SHA256-CRYPT',
  'BLF-CRYPT',
  'ARGON2ID',
  'ARGON2I',
  'SCRAM-SHA-256',
] as const;

/** Equal-length constant-time comparison; unequal lengths are simply false (lengths are not secret here). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two secrets of possibly different lengths without leaking where they differ. */
function safeEqualSecret(a: Buffer, b: Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Splits "{SCHEME}rest". Returns scheme null when the value has no prefix. */
export function splitScheme(stored: string): { scheme: string | null; value: string } {
  const m = /^\{([A-Za-z0-9._-]+)\}/.exec(stored);
  if (!m) return { scheme: null, value: stored };
  return { scheme: m[1]!.toUpperCase(), value: stored.slice(m[0].length) };
}

/** Guesses the scheme of an unprefixed crypt(3)-style hash; null when unrecognised. */
export function detectCryptScheme(value: string): string | null {
  if (value.startsWith('$6$')) return 'SHA512-CRYPT';
  if (value.startsWith('$5$')) return 'SHA256-CRYPT';
  if (/^\$2[aby]\$/.test(value)) return 'BLF-CRYPT';
  if (value.startsWith('$argon2id$')) return 'ARGON2ID';
  if (value.startsWith('$argon2i$')) return 'ARGON2I';
  return null;
}

// ---- SCRAM ----

/** Parses Dovecot's SCRAM-SHA-256 value "iterations,salt_b64,storedkey_b64,serverkey_b64". */
export function parseScramSha256(value: string): ScramCredentials | null {
  const parts = value.split(',');
  if (parts.length !== 4 || !/^\d{1,9}$/.test(parts[0]!)) return null;
  const iterations = Number(parts[0]);
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (iterations < 1 || !parts.slice(1).every((p) => b64.test(p))) return null;
  const [salt, storedKey, serverKey] = parts.slice(1).map((p) => Buffer.from(p, 'base64')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (salt.length === 0 || storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations, salt, storedKey, serverKey };
}

/** Derives SCRAM-SHA-256 credentials from a password (RFC 5802 section 3). */
export function scramSha256Credentials(password: string, salt: Buffer, iterations: number): ScramCredentials {
  const { storedKey, serverKey } = scramSha256Keys(password, salt, iterations);
  return { salt, iterations, storedKey, serverKey };
}

export function formatScramSha256(c: ScramCredentials): string {
  return [
    c.iterations,
    c.salt.toString('base64'),
    c.storedKey.toString('base64'),
    c.serverKey.toString('base64'),
  ].join(',');
}

// ---- Argon2 ----

interface Argon2Parsed {
  variant: 'argon2id' | 'argon2i';
  memorySize: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

function parseArgon2(value: string): Argon2Parsed | null {
  const m =
    /^\$(argon2id|argon2i)\$v=19\$m=(\d{1,8}),t=(\d{1,6}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
      value,
    );
  if (!m) return null;
  const salt = Buffer.from(m[5]!, 'base64');
  const hash = Buffer.from(m[6]!, 'base64');
  const p = { memorySize: Number(m[2]), iterations: Number(m[3]), parallelism: Number(m[4]) };
  // Refuse parameters hash-wasm cannot take or that would exhaust memory (4 GiB) / never finish.
  if (
    p.iterations < 1 ||
    p.parallelism < 1 ||
    p.memorySize < 8 * p.parallelism ||
    p.memorySize > 4 * 1024 * 1024
  )
    return null;
  if (salt.length < 8 || hash.length < 4) return null;
  return { variant: m[1] as Argon2Parsed['variant'], ...p, salt, hash };
}

const b64nopad = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

async function argon2(
  variant: 'argon2id' | 'argon2i',
  password: string,
  p: { salt: Buffer; iterations: number; memorySize: number; parallelism: number; hashLength: number },
): Promise<Buffer> {
  const fn = variant === 'argon2id' ? argon2id : argon2i;
  const out = await fn({ password: Buffer.from(password, 'utf8'), ...p, outputType: 'binary' });
  return Buffer.from(out);
}

// ---- verification ----

/**
 * Checks `password` against a stored value `{SCHEME}hash`. An unprefixed value is read with
 * `defaultScheme` ('CRYPT' = recognise the crypt(3) prefix, as Dovecot's passwd-file does).
 * Unknown schemes and malformed hashes never match.
 */
export async function verifyPassword(
  password: string,
  stored: string,
  defaultScheme = 'CRYPT',
): Promise<boolean> {
  // Empty passwords never authenticate; hashes the libraries refuse simply do not match.
  if (password === '') return false;
  try {
    return await verifyWith(password, stored, defaultScheme);
  } catch {
    return false;
  }
}

async function verifyWith(password: string, stored: string, defaultScheme: string): Promise<boolean> {
  const split = splitScheme(stored);
  let scheme = split.scheme ?? defaultScheme.toUpperCase();
  const value = split.value;
  if (scheme === 'CRYPT') {
    const detected = detectCryptScheme(value);
    if (!detected) return false;
    scheme = detected;
  }
  switch (scheme) {
    case 'PLAIN':
    case 'CLEAR':
    case 'CLEARTEXT':
      return safeEqualSecret(Buffer.from(password, 'utf8'), Buffer.from(value, 'utf8'));
    case 'SHA512-CRYPT':
    case 'SHA256-CRYPT': {
      const s = parseShaCrypt(value);
      if (!s || (scheme === 'SHA512-CRYPT') !== (s.algo === 'sha512')) return false;
      return safeEqual(Buffer.from(shaCrypt(password, value)), Buffer.from(value));
    }
    case 'BLF-CRYPT': {
      if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(value)) return false;
      const computed = await bcrypt.hash(password, value.slice(0, 29));
      return safeEqual(Buffer.from(computed), Buffer.from(value));
    }
    case 'ARGON2ID':
    case 'ARGON2I': {
      const a = parseArgon2(value);
      if (!a || a.variant !== scheme.toLowerCase()) return false;
      const h = await argon2(a.variant, password, { ...a, hashLength: a.hash.length });
      return safeEqual(h, a.hash);
    }
    case 'SCRAM-SHA-256': {
      const c = parseScramSha256(value);
      if (!c) return false;
      return safeEqual(scramSha256Credentials(password, c.salt, c.iterations).storedKey, c.storedKey);
    }
    default:
      return false;
  }
}

export interface HashOptions {
  /** SHA-crypt rounds (default 5000), bcrypt cost (default 10), SCRAM iterations (default 4096), Argon2 t (default 3). */
  rounds?: number;
  /** Argon2 memory in KiB (default 65536). */
  memoryKiB?: number;
}

/** Produces a `{SCHEME}...` value suitable for a passwd-file. */
export async function hashPassword(
  password: string,
  scheme: HashScheme,
  opts: HashOptions = {},
): Promise<string> {
  switch (scheme) {
    case 'PLAIN':
      if (/[:\r\n\0]/.test(password))
        throw new Error('a PLAIN password cannot contain ":", NUL or line breaks');
      return `{PLAIN}${password}`;
    case 'SHA512-CRYPT':
    case 'SHA256-CRYPT': {
      const salt = cryptSalt(16, randomBytes(16));
      const id = scheme === 'SHA512-CRYPT' ? '6' : '5';
      const setting = opts.rounds !== undefined ? `$${id}$rounds=${opts.rounds}$${salt}` : `$${id}$${salt}`;
      return `{${scheme}}${shaCrypt(password, setting)}`;
    }
    case 'BLF-CRYPT': {
      const salt = await bcrypt.genSalt(opts.rounds ?? 10);
      // Dovecot writes the $2y$ identifier; it is computed the same way as $2b$.
      return `{BLF-CRYPT}${(await bcrypt.hash(password, salt)).replace(/^\$2[ab]\$/, '$2y$')}`;
    }
    case 'ARGON2ID': {
      const salt = randomBytes(16);
      const t = opts.rounds ?? 3;
      const m = opts.memoryKiB ?? 65536;
      const h = await argon2('argon2id', password, {
        salt,
        iterations: t,
        memorySize: m,
        parallelism: 1,
        hashLength: 32,
      });
      return `{ARGON2ID}$argon2id$v=19$m=${m},t=${t},p=1$${b64nopad(salt)}$${b64nopad(h)}`;
    }
    case 'SCRAM-SHA-256':
      return `{SCRAM-SHA-256}${formatScramSha256(scramSha256Credentials(password, randomBytes(16), opts.rounds ?? 4096))}`;
    default:
      throw new Error(`unsupported scheme ${String(scheme)}`);
  }
}
