import type { TokenType } from 'chevrotain';
import { Reporter, TooManyErrors } from './reporter.js';
import {
  Comma,
  EOF,
  Identifier,
  LBracket,
  LCurly,
  LParen,
  MultiLineString,
  NumberLiteral,
  QuotedString,
  RBracket,
  RCurly,
  RParen,
  Semicolon,
  Tag,
  type SieveToken,
} from './tokens.js';

// Scanner for RFC 5228 §2 / §8.1. One pass over UTF-16 code units; positions are 1-based
// line and column (column counts code units) plus a 0-based offset.

export interface LexResult {
  /** Tokens, always ending with an EOF token placed at the end of the text. */
  tokens: SieveToken[];
  /**
   * True when scanning ended early (an unterminated string or comment ran to the end, or the
   * error limit was hit): errors the parser would then find at the end are not worth reporting.
   */
  truncated: boolean;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const STAR = 42;
const DOT = 46;
const SLASH = 47;
const COLON = 58;
const BACKSLASH = 92;

// Numbers up to 2^64 - 1 are accepted, as in Pigeonhole; above 2^53 the value is the nearest double,
// which is exact enough for what numbers measure (sizes, periods, indexes).
const MAX_NUMBER = (1n << 64n) - 1n;

/** Longest identifier or tag name (Pigeonhole's limit): no command, test or tag comes close. */
export const DEFAULT_MAX_IDENTIFIER_LENGTH = 32;

export interface LexOptions {
  maxIdentifierLength?: number;
}

const PUNCT: (TokenType | undefined)[] = [];
PUNCT[0x5b] = LBracket;
PUNCT[0x5d] = RBracket;
PUNCT[0x28] = LParen;
PUNCT[0x29] = RParen;
PUNCT[0x7b] = LCurly;
PUNCT[0x7d] = RCurly;
PUNCT[0x2c] = Comma;
PUNCT[0x3b] = Semicolon;

const PUNCT_IMAGE: string[] = [];
for (const c of '[](){},;') PUNCT_IMAGE[c.charCodeAt(0)] = c;

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function quantifier(c: number): number {
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

function showChar(c: number): string {
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function tokenize(src: string, reporter: Reporter, options: LexOptions = {}): LexResult {
  const maxIdent = options.maxIdentifierLength ?? DEFAULT_MAX_IDENTIFIER_LENGTH;
  const len = src.length;
  const tokens: SieveToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let truncated = false;

  // Tokens stay small (no end line/column; see tokenEnd) since a large script has many.
  const push = (
    tokenType: TokenType,
    image: string,
    start: number,
    end: number,
    startLine: number,
    startColumn: number,
    value: string | number,
  ): void => {
    tokens.push({
      image,
      startOffset: start,
      endOffset: end - 1,
      startLine,
      startColumn,
      tokenTypeIdx: tokenType.tokenTypeIdx!,
      tokenType,
      value,
    });
  };

  const error = (message: string, offset: number, errLine: number, errLineStart: number): void => {
    reporter.error(message, errLine, offset - errLineStart + 1, offset);
  };

  // Could a token (or whitespace/comment) start here? Used to end a run of junk characters.
  const startsSomething = (p: number): boolean => {
    const c = src.charCodeAt(p);
    if (c === SPACE || c === TAB || c === LF || c === CR) return true;
    if (isAlpha(c) || isDigit(c) || c === DQUOTE || c === HASH || c === COLON) return true;
    if (PUNCT[c] !== undefined) return true;
    return c === SLASH && src.charCodeAt(p + 1) === STAR;
  };

  try {
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c === SPACE || c === TAB || c === CR) {
        i++;
        continue;
      }
      if (c === LF) {
        i++;
        line++;
        lineStart = i;
        continue;
      }
      const col = i - lineStart + 1;
      const punct = PUNCT[c];
      if (punct !== undefined) {
        push(punct, PUNCT_IMAGE[c]!, i, i + 1, line, col, '');
        i++;
        continue;
      }
      if (c === HASH) {
        const nl = src.indexOf('\n', i);
        i = nl === -1 ? len : nl;
        continue;
      }
      if (c === SLASH && src.charCodeAt(i + 1) === STAR) {
        const close = src.indexOf('*/', i + 2);
        if (close === -1) {
          error(`unterminated bracket comment (started at line ${line})`, i, line, lineStart);
          truncated = true;
          break;
        }
        for (let p = i + 2; p < close; p++) {
          if (src.charCodeAt(p) === LF) {
            line++;
            lineStart = p + 1;
          }
        }
        i = close + 2;
        continue;
      }
      if (c === DQUOTE) {
        const startLine = line;
        const start = i;
        let value = '';
        let seg = i + 1;
        let p = i + 1;
        let closed = false;
        while (p < len) {
          const d = src.charCodeAt(p);
          if (d === DQUOTE) {
            closed = true;
            break;
          }
          if (d === BACKSLASH) {
            if (p + 1 >= len) break;
            value += src.slice(seg, p);
            // Any escaped character stands for itself (RFC 5228 §2.4.2).
            seg = p + 1;
            if (src.charCodeAt(p + 1) === LF) {
              line++;
              lineStart = p + 2;
            }
            p += 2;
            continue;
          }
          if (d === LF) {
            line++;
            lineStart = p + 1;
          }
          p++;
        }
        if (!closed) {
          reporter.error(`unterminated string (started at line ${startLine})`, startLine, col, start);
          truncated = true;
          break;
        }
        value += src.slice(seg, p);
        push(QuotedString, '', start, p + 1, startLine, col, value);
        i = p + 1;
        continue;
      }
      if (isDigit(c)) {
        const start = i;
        let p = i + 1;
        while (p < len && isDigit(src.charCodeAt(p))) p++;
        const digits = src.slice(start, p);
        const mult = p < len ? quantifier(src.charCodeAt(p)) : 0;
        if (mult) p++;
        let value: number;
        // Up to 15 digits is exact as a double; longer ones go through BigInt.
        if (digits.length <= 15 && (mult === 0 || digits.length <= 6)) {
          value = Number(digits) * (mult || 1);
        } else {
          const big = BigInt(digits) * BigInt(mult || 1);
          value = big > MAX_NUMBER ? -1 : Number(big);
        }
        if (value < 0) {
          error('number is too large (limit 2^64-1)', start, line, lineStart);
          value = Number(MAX_NUMBER);
        }
        push(NumberLiteral, src.slice(start, p), start, p, line, col, value);
        i = p;
        continue;
      }
      if (isAlpha(c)) {
        const start = i;
        let p = i + 1;
        while (p < len) {
          const d = src.charCodeAt(p);
          if (!isAlpha(d) && !isDigit(d)) break;
          p++;
        }
        const image = src.slice(start, p);
        const name = image.toLowerCase();
        if (name === 'text' && src.charCodeAt(p) === COLON) {
          i = scanMultiLine(start, p + 1, col);
          continue;
        }
        if (image.length > maxIdent) {
          error(
            `identifier '${image.slice(0, maxIdent)}...' is too long (limit ${maxIdent} characters)`,
            start,
            line,
            lineStart,
          );
        }
        push(Identifier, image, start, p, line, col, name);
        i = p;
        continue;
      }
      if (c === COLON) {
        const start = i;
        let p = i + 1;
        if (p < len && isAlpha(src.charCodeAt(p))) {
          p++;
          while (p < len) {
            const d = src.charCodeAt(p);
            if (!isAlpha(d) && !isDigit(d)) break;
            p++;
          }
          const image = src.slice(start, p);
          if (image.length - 1 > maxIdent) {
            error(
              `tag '${image.slice(0, maxIdent + 1)}...' is too long (limit ${maxIdent} characters)`,
              start,
              line,
              lineStart,
            );
          }
          push(Tag, image, start, p, line, col, image.slice(1).toLowerCase());
        } else {
          error("expected a tag name after ':'", start, line, lineStart);
        }
        i = p;
        continue;
      }
      // A run of characters that cannot start anything: one error for the whole run.
      const start = i;
      let p = i + 1;
      while (p < len && !startsSomething(p)) p++;
      error(
        p - start === 1
          ? `unexpected character ${showChar(c)}`
          : `unexpected characters starting with ${showChar(c)}`,
        start,
        line,
        lineStart,
      );
      i = p;
    }
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
    truncated = true;
  }

  const eofCol = len - lineStart + 1;
  tokens.push({
    image: '',
    startOffset: len,
    endOffset: len,
    startLine: line,
    startColumn: eofCol,
    tokenTypeIdx: EOF.tokenTypeIdx!,
    tokenType: EOF,
    value: '',
  });
  return { tokens, truncated };

  // `text:` already read; `from` is just after the colon. Returns where scanning resumes.
  function scanMultiLine(start: number, from: number, col: number): number {
    const startLine = line;
    let p = from;
    while (p < len && (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB)) p++;
    if (src.charCodeAt(p) === HASH) {
      const nl = src.indexOf('\n', p);
      p = nl === -1 ? len : nl;
    } else if (src.charCodeAt(p) === CR && src.charCodeAt(p + 1) === LF) {
      p++;
    }
    if (p < len && src.charCodeAt(p) !== LF) {
      error("expected end of line after 'text:'", p, line, lineStart);
      const nl = src.indexOf('\n', p);
      p = nl === -1 ? len : nl;
    }
    const parts: string[] = [];
    while (true) {
      if (p >= len) break;
      // p is on the LF ending the previous line
      p++;
      line++;
      lineStart = p;
      const nl = src.indexOf('\n', p);
      const end = nl === -1 ? len : nl;
      const contentEnd = end > p && src.charCodeAt(end - 1) === CR ? end - 1 : end;
      if (src.charCodeAt(p) === DOT) {
        if (contentEnd === p + 1) {
          push(MultiLineString, '', start, p + 1, startLine, col, parts.join(''));
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
    reporter.error(`unterminated multi-line string (started at line ${startLine})`, startLine, col, start);
    truncated = true;
    return len;
  }
}

/** Line and column just after a token, found from the text (tokens do not store it). */
export function tokenEnd(src: string, tok: SieveToken): { line: number; column: number; offset: number } {
  const end = (tok.endOffset ?? tok.startOffset) + 1;
  let line = tok.startLine ?? 1;
  let lineStart = tok.startOffset - ((tok.startColumn ?? 1) - 1);
  for (let p = src.indexOf('\n', tok.startOffset); p !== -1 && p < end; p = src.indexOf('\n', p + 1)) {
    line++;
    lineStart = p + 1;
  }
  return { line, column: end - lineStart + 1, offset: end };
}
