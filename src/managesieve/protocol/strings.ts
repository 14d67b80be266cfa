/**
 * RFC 5804 strings (section 4) as both ends write and read them: quoted strings, `{N}` / `{N+}` literals.
 * The server (protocol/wire.ts) and the client (client/wire.ts) build their tokenizers on these.
 */
import { isUtf8 } from 'node:buffer';

export type AtomToken = { kind: 'atom'; value: string };
export type StringToken = { kind: 'string'; value: Buffer; literal: boolean };

/** Largest RFC 5804 number (2^32-1). */
export const MAX_NUMBER = 4294967295;

/** Longer strings always go out as literals. */
const MAX_QUOTED = 1024;

/** What a `{N}` / `{N+}` literal header announces. */
export interface LiteralSpec {
  size: number;
  /** `{N+}` (true) or `{N}` (false); ManageSieve has no continuation, so both are sent without waiting. */
  nonSync: boolean;
}

export interface StringEncoding {
  /** Announce literals as `{N+}`, the client's non-synchronizing form; otherwise `{N}`. */
  nonSync?: boolean;
  /** Send bytes that are not valid UTF-8 as a literal rather than quoted. */
  utf8Only?: boolean;
}

/** Always a literal, whatever the contents. */
export function encodeLiteral(data: Buffer, nonSync = false): Buffer {
  return Buffer.concat([Buffer.from(`{${data.length}${nonSync ? '+' : ''}}\r\n`, 'latin1'), data]);
}

/** A quoted string when the value can be one (short, no NUL/CR/LF), else a literal. */
export function encodeString(value: string | Buffer, opts: StringEncoding = {}): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (
    data.length > MAX_QUOTED ||
    data.includes(0x00) ||
    data.includes(0x0d) ||
    data.includes(0x0a) ||
    (opts.utf8Only === true && !isUtf8(data))
  )
    return encodeLiteral(data, opts.nonSync);
  let extra = 0;
  for (const b of data) if (b === 0x22 || b === 0x5c) extra++;
  const out = Buffer.allocUnsafe(data.length + extra + 2);
  let o = 0;
  out[o++] = 0x22;
  for (const b of data) {
    if (b === 0x22 || b === 0x5c) out[o++] = 0x5c;
    out[o++] = b;
  }
  out[o++] = 0x22;
  return out;
}

export type QuotedScan =
  | { value: Buffer; end: number }
  /** `buf` ended inside the string; `at` is how far the scan got. */
  | { more: true; at: number }
  | { error: 'escape' | 'char' };

/**
 * Reads the quoted string whose opening quote is at `start`; `end` is the offset after the closing quote.
 * NUL, CR and LF are refused. `strictEscapes` allows only `\"` and `\\` (the RFC's quoted-specials);
 * without it a backslash takes whatever byte follows.
 */
export function scanQuoted(buf: Buffer, start: number, strictEscapes: boolean): QuotedScan {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b === 0x22) return { value: Buffer.from(bytes), end: i + 1 };
    if (b === 0x00 || b === 0x0d || b === 0x0a) return { error: 'char' };
    if (b === 0x5c) {
      const next = buf[i + 1];
      if (strictEscapes && next !== 0x22 && next !== 0x5c) return { error: 'escape' };
      if (next === undefined) return { more: true, at: i };
      bytes.push(next);
      i += 2;
      continue;
    }
    bytes.push(b);
    i++;
  }
  return { more: true, at: i };
}

/** Parses the literal header from `{` at `open` to `}` at `close`; null when malformed. The size is not range-checked. */
export function parseLiteralHeader(buf: Buffer, open: number, close: number): LiteralSpec | null {
  const m = /^\{(\d{1,10})(\+?)\}$/.exec(buf.toString('latin1', open, close + 1));
  return m ? { size: Number(m[1]), nonSync: m[2] === '+' } : null;
}
