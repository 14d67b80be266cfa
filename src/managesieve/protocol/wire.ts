/** ManageSieve wire syntax (RFC 5804 section 4): tokens a client sends and responses a server writes. */

export type Token = { kind: 'atom'; value: string } | { kind: 'string'; value: Buffer; literal: boolean };

export type ResultKind = 'OK' | 'NO' | 'BYE';

/** The response codes of RFC 5804 section 1.3 (plus hierarchical QUOTA sub-codes). */
export type ResponseCodeName =
  | 'AUTH-TOO-WEAK'
  | 'ENCRYPT-NEEDED'
  | 'QUOTA'
  | 'QUOTA/MAXSCRIPTS'
  | 'QUOTA/MAXSIZE'
  | 'REFERRAL'
  | 'SASL'
  | 'TRANSITION-NEEDED'
  | 'TRYLATER'
  | 'ACTIVE'
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'TAG'
  | 'WARNINGS';

export interface ResponseCode {
  name: ResponseCodeName;
  /** TAG and SASL carry a string; REFERRAL carries a bare sieve URL. */
  arg?: string | Buffer;
}

export interface Response {
  kind: ResultKind;
  code?: ResponseCode;
  text?: string | Buffer;
}

const MAX_QUOTED = 1024;
const CRLF = Buffer.from('\r\n');

function needsLiteral(data: Buffer): boolean {
  if (data.length > MAX_QUOTED) return true;
  for (const b of data) if (b === 0x0d || b === 0x0a || b === 0x00) return true;
  return false;
}

/** Encodes a string as a quoted string when it can be one, else as a server literal `{N}CRLF...`. */
export function encodeString(value: string | Buffer): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (needsLiteral(data)) return Buffer.concat([Buffer.from(`{${data.length}}\r\n`), data]);
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

/** Always a literal: used for GETSCRIPT, whose payload must come back byte for byte. */
export function encodeLiteral(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${data.length}}\r\n`), data]);
}

export function encodeResponse(r: Response): Buffer {
  const parts: Buffer[] = [Buffer.from(r.kind)];
  if (r.code) {
    const { name, arg } = r.code;
    let code: Buffer;
    if (arg === undefined) code = Buffer.from(name);
    else if (name === 'REFERRAL') code = Buffer.from(`${name} ${String(arg)}`);
    else code = Buffer.concat([Buffer.from(`${name} `), encodeString(arg)]);
    parts.push(Buffer.from(' ('), code, Buffer.from(')'));
  }
  if (r.text !== undefined) parts.push(Buffer.from(' '), encodeString(r.text));
  parts.push(CRLF);
  return Buffer.concat(parts);
}

/** One capability line: `"NAME"` or `"NAME" "value"`. */
export function encodeCapability(name: string, value?: string): Buffer {
  const parts = [encodeString(name)];
  if (value !== undefined) parts.push(Buffer.from(' '), encodeString(value));
  parts.push(CRLF);
  return Buffer.concat(parts);
}

export class SyntaxError extends Error {
  override name = 'ManageSieveSyntaxError';
}

/** What a line ends with when a client literal follows it. */
export interface LiteralSpec {
  size: number;
  /** `{N+}` (true) or `{N}` (false); servers treat both alike, there is no continuation in ManageSieve. */
  nonSync: boolean;
}

export const MAX_NUMBER = 4294967295;

function isAtomChar(b: number): boolean {
  // ATOM-CHAR: any CHAR except SP, parentheses, braces, %, *, DQUOTE, backslash and CTLs (RFC 5804 section 4).
  // '*' is accepted too so that a bare `*` (SASL cancel) reaches the command handler as an atom.
  if (b <= 0x20 || b >= 0x7f) return false;
  return b !== 0x28 && b !== 0x29 && b !== 0x7b && b !== 0x25 && b !== 0x22 && b !== 0x5c;
}

/**
 * Splits one line (without its CRLF) into tokens. A trailing `{N}` / `{N+}` announces a literal that
 * follows on the wire; it is returned separately so the caller can vet its size before reading it.
 */
export function tokenizeLine(line: Buffer, first: boolean): { tokens: Token[]; literal: LiteralSpec | null } {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  // A continuation line (after a literal) starts right where the literal ended.
  let needSpace = !first;
  while (i < n) {
    if (needSpace) {
      if (line[i] !== 0x20) throw new SyntaxError('Expected a space between arguments');
      i++;
      needSpace = false;
      // Tolerate runs of spaces and trailing space, as Dovecot does.
      while (i < n && line[i] === 0x20) i++;
      if (i >= n) break;
    }
    const c = line[i];
    if (c === 0x22) {
      const bytes: number[] = [];
      i++;
      let closed = false;
      while (i < n) {
        const b = line[i];
        if (b === 0x22) {
          closed = true;
          i++;
          break;
        }
        if (b === 0x5c) {
          const next = line[i + 1];
          if (next !== 0x22 && next !== 0x5c) throw new SyntaxError('Invalid escape in quoted string');
          bytes.push(next);
          i += 2;
          continue;
        }
        if (b === 0x00 || b === 0x0d || b === 0x0a)
          throw new SyntaxError('Invalid character in quoted string');
        bytes.push(b);
        i++;
      }
      if (!closed) throw new SyntaxError('Unterminated quoted string');
      tokens.push({ kind: 'string', value: Buffer.from(bytes), literal: false });
    } else if (c === 0x7b) {
      const close = line.indexOf(0x7d, i);
      if (close !== n - 1) throw new SyntaxError('A literal must end the line');
      let body = line.subarray(i + 1, close).toString('latin1');
      const nonSync = body.endsWith('+');
      if (nonSync) body = body.slice(0, -1);
      if (!/^\d{1,10}$/.test(body)) throw new SyntaxError('Invalid literal length');
      const size = Number(body);
      if (size > MAX_NUMBER) throw new SyntaxError('Literal length out of range');
      return { tokens, literal: { size, nonSync } };
    } else if (isAtomChar(c) || c === 0x2a) {
      const start = i;
      while (i < n && (isAtomChar(line[i]) || line[i] === 0x2a)) i++;
      tokens.push({ kind: 'atom', value: line.subarray(start, i).toString('latin1') });
    } else {
      throw new SyntaxError('Invalid character in command');
    }
    needSpace = true;
  }
  return { tokens, literal: null };
}

/** Parses an RFC 5804 number (0..2^32-1) from an atom token. */
export function parseNumber(token: Token | undefined): number | null {
  if (!token || token.kind !== 'atom' || !/^\d{1,10}$/.test(token.value)) return null;
  const v = Number(token.value);
  return v <= MAX_NUMBER ? v : null;
}
