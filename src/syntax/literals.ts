import type { Reporter } from './reporter.js';
import { K_MULTI_LINE, K_NUMBER, K_NUMBER_STORED, K_QUOTED, K_QUOTED_STORED } from './token-list.js';
import { TAB, LF, CR, SPACE, DQUOTE, HASH, DOT, BACKSLASH, isDigit, quantifier } from './chars.js';

// The literals that take more than a search for their end: quoted strings with escapes, numbers
// with their quantifiers, and multi-line strings with dot-stuffing (RFC 5228 §2.4). Each scanner
// starts at the literal's first character and returns the offset where scanning resumes.

/** What the literal scanners read and update of the scanner (see lexer.ts). */
export interface ScanTarget {
  readonly src: string;
  readonly reporter: Reporter;
  /** Values of tokens that do not fit the token table (strings with escapes, large numbers). */
  readonly stored: Map<number, string | number>;
  line: number;
  lineStart: number;
  truncated: boolean;
  add(kind: number, start: number, end: number, line: number, column: number, extra: number): number;
  error(code: string, message: string, offset: number, line: number, lineStart: number): void;
}

// Numbers up to 2^64 - 1 are accepted, as in Pigeonhole; above 2^53 the value is the nearest double,
// which is exact enough for what numbers measure (sizes, periods, indexes).
const MAX_NUMBER = (1n << 64n) - 1n;

/** A quoted string with escapes (or without its closing quote), from its opening quote at `start`. */
export function scanEscapedString(s: ScanTarget, start: number, col: number): number {
  const src = s.src;
  const len = src.length;
  const startLine = s.line;
  let value = '';
  let seg = start + 1;
  let p = start + 1;
  while (p < len) {
    const d = src.charCodeAt(p);
    if (d === DQUOTE) {
      const at = s.add(seg === start + 1 ? K_QUOTED : K_QUOTED_STORED, start, p + 1, startLine, col, 0);
      if (seg !== start + 1) s.stored.set(at, value + src.slice(seg, p));
      return p + 1;
    }
    if (d === BACKSLASH) {
      if (p + 1 >= len) break;
      value += src.slice(seg, p);
      // Any escaped character stands for itself (RFC 5228 §2.4.2).
      seg = p + 1;
      if (src.charCodeAt(p + 1) === LF) {
        s.line++;
        s.lineStart = p + 2;
      }
      p += 2;
      continue;
    }
    if (d === LF) {
      s.line++;
      s.lineStart = p + 1;
    }
    p++;
  }
  s.reporter.error(
    'unterminated-string',
    `unterminated string (started at line ${startLine})`,
    startLine,
    col,
    start,
  );
  s.truncated = true;
  return len;
}

export function scanNumber(s: ScanTarget, start: number, col: number): number {
  const src = s.src;
  const len = src.length;
  let value = 0;
  let p = start;
  for (; p < len; p++) {
    const d = src.charCodeAt(p);
    if (!isDigit(d)) break;
    value = value * 10 + (d - 48);
  }
  const digits = p - start;
  const mult = p < len ? quantifier(src.charCodeAt(p)) : 0;
  // Up to 15 digits is exact as a double; longer ones go through BigInt, and one too large is
  // reported.
  if (digits <= 15 && (mult === 0 || digits <= 6)) {
    if (mult) p++;
    value *= mult || 1;
  } else {
    const big = BigInt(src.slice(start, p)) * BigInt(mult || 1);
    if (mult) p++;
    if (big > MAX_NUMBER)
      s.error('number-too-large', 'number is too large (limit 2^64-1)', start, s.line, s.lineStart);
    value = Number(big > MAX_NUMBER ? MAX_NUMBER : big);
  }
  if (value <= 0x7fffffff) s.add(K_NUMBER, start, p, s.line, col, value);
  else s.stored.set(s.add(K_NUMBER_STORED, start, p, s.line, col, 0), value);
  return p;
}

// `text:` already read; `from` is just after the colon. Returns where scanning resumes.
export function scanMultiLine(s: ScanTarget, start: number, from: number, col: number): number {
  const src = s.src;
  const len = src.length;
  const startLine = s.line;
  let p = from;
  while (p < len && (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB)) p++;
  if (src.charCodeAt(p) === HASH) {
    const nl = src.indexOf('\n', p);
    p = nl === -1 ? len : nl;
  } else if (src.charCodeAt(p) === CR && src.charCodeAt(p + 1) === LF) {
    p++;
  }
  if (p < len && src.charCodeAt(p) !== LF) {
    s.error('expected-line-end', "expected end of line after 'text:'", p, s.line, s.lineStart);
    const nl = src.indexOf('\n', p);
    p = nl === -1 ? len : nl;
  }
  const parts: string[] = [];
  while (true) {
    if (p >= len) break;
    // p is on the LF ending the previous line
    p++;
    s.line++;
    s.lineStart = p;
    const nl = src.indexOf('\n', p);
    const end = nl === -1 ? len : nl;
    const contentEnd = end > p && src.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (src.charCodeAt(p) === DOT) {
      if (contentEnd === p + 1) {
        s.stored.set(s.add(K_MULTI_LINE, start, p + 1, startLine, col, 0), parts.join(''));
        return p + 1;
      }
      // Dot-stuffing: a leading ".." stands for "." (RFC 5228 §2.4.2).
      const from2 = src.charCodeAt(p + 1) === DOT ? p + 1 : p;
      parts.push(src.slice(from2, nl === -1 ? len : nl + 1));
    } else {
      parts.push(src.slice(p, nl === -1 ? len : nl + 1));
    }
    p = end;
  }
  s.reporter.error(
    'unterminated-multi-line-string',
    `unterminated multi-line string (started at line ${startLine})`,
    startLine,
    col,
    start,
  );
  s.truncated = true;
  return len;
}
