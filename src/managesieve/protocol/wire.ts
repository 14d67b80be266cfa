/** ManageSieve wire syntax (RFC 5804 section 4): tokens a client sends and responses a server writes. */
import {
  encodeString,
  MAX_NUMBER,
  parseLiteralHeader,
  scanQuoted,
  type AtomToken,
  type LiteralSpec,
  type StringToken,
} from './strings.js';

export type Token = AtomToken | StringToken;

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

const CRLF = Buffer.from('\r\n');

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
      const q = scanQuoted(line, i, true);
      if ('error' in q)
        throw new SyntaxError(
          q.error === 'escape' ? 'Invalid escape in quoted string' : 'Invalid character in quoted string',
        );
      if ('more' in q) throw new SyntaxError('Unterminated quoted string');
      tokens.push({ kind: 'string', value: q.value, literal: false });
      i = q.end;
    } else if (c === 0x7b) {
      const close = line.indexOf(0x7d, i);
      if (close !== n - 1) throw new SyntaxError('A literal must end the line');
      const literal = parseLiteralHeader(line, i, close);
      if (!literal) throw new SyntaxError('Invalid literal length');
      if (literal.size > MAX_NUMBER) throw new SyntaxError('Literal length out of range');
      return { tokens, literal };
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
