import {
  K_COMMA,
  K_LBRACKET,
  K_LCURLY,
  K_LPAREN,
  K_RBRACKET,
  K_RCURLY,
  K_RPAREN,
  K_SEMICOLON,
} from './token-list.js';

// Character codes and classes for the scanner.

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const DQUOTE = 34;
export const HASH = 35;
export const STAR = 42;
export const DOT = 46;
export const SLASH = 47;
export const COLON = 58;
export const BACKSLASH = 92;

// What each ASCII character may start or continue.
export const C_NAME = 1; // letter or underscore
export const C_DIGIT = 2;
export const C_PUNCT = 3;
export const CLASS = new Uint8Array(128);
for (let c = 65; c <= 90; c++) CLASS[c] = C_NAME;
for (let c = 97; c <= 122; c++) CLASS[c] = C_NAME;
CLASS[95] = C_NAME;
for (let c = 48; c <= 57; c++) CLASS[c] = C_DIGIT;
/** Token kind of the one-character tokens, by character. */
export const PUNCT_KIND = new Uint8Array(128);
for (const [ch, kind] of [
  ['[', K_LBRACKET],
  [']', K_RBRACKET],
  ['(', K_LPAREN],
  [')', K_RPAREN],
  ['{', K_LCURLY],
  ['}', K_RCURLY],
  [',', K_COMMA],
  [';', K_SEMICOLON],
] as const) {
  CLASS[ch.charCodeAt(0)] = C_PUNCT;
  PUNCT_KIND[ch.charCodeAt(0)] = kind;
}

export function isAlpha(c: number): boolean {
  return c < 128 && CLASS[c] === C_NAME;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function quantifier(c: number): number {
  switch (c | 0x20) {
    case 0x6b: // k
      return 1024;
    case 0x6d: // m
      return 1024 * 1024;
    case 0x67: // g
      return 1024 * 1024 * 1024;
    default:
      return 0;
  }
}

export function showChar(c: number): string {
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** End of the run of name characters (letters, digits, underscore) from `p`. */
export function nameEnd(src: string, p: number): number {
  const len = src.length;
  while (p < len) {
    const d = src.charCodeAt(p);
    if (d >= 128) break;
    const k = CLASS[d];
    if (k !== C_NAME && k !== C_DIGIT) break;
    p++;
  }
  return p;
}

export function indexOrEnd(src: string, s: string, from: number): number {
  const at = src.indexOf(s, from);
  return at === -1 ? src.length : at;
}

/** Is `text:` at [start, start + 5)? (The identifier is case-insensitive.) */
export function isTextColon(src: string, start: number, end: number): boolean {
  return (
    end - start === 4 &&
    src.charCodeAt(end) === COLON &&
    (src.charCodeAt(start) | 0x20) === 0x74 &&
    (src.charCodeAt(start + 1) | 0x20) === 0x65 &&
    (src.charCodeAt(start + 2) | 0x20) === 0x78 &&
    (src.charCodeAt(start + 3) | 0x20) === 0x74
  );
}
