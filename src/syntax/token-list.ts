import type { IToken, TokenType } from 'chevrotain';
import type { Position } from './ast.js';
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
  Unknown,
} from './tokens.js';

// Kinds of token, as stored by the scanner. 0 is EOF so that the unused tail of the table reads as
// the end of input. A few kinds say how the value is decoded.
export const K_EOF = 0;
export const K_IDENTIFIER = 1;
export const K_TAG = 2;
/** A number whose value fits the token's `extra` slot. */
export const K_NUMBER = 3;
/** A larger number: its value is in TokenList.stored. */
export const K_NUMBER_STORED = 4;
/** A quoted string without escapes: its value is the text between the quotes. */
export const K_QUOTED = 5;
/** A quoted string with escapes: its value was worked out by the scanner. */
export const K_QUOTED_STORED = 6;
export const K_MULTI_LINE = 7;
export const K_LBRACKET = 8;
export const K_RBRACKET = 9;
export const K_LPAREN = 10;
export const K_RPAREN = 11;
export const K_LCURLY = 12;
export const K_RCURLY = 13;
export const K_COMMA = 14;
export const K_SEMICOLON = 15;
export const K_UNKNOWN = 16;

const TYPE_OF_KIND: TokenType[] = [
  EOF,
  Identifier,
  Tag,
  NumberLiteral,
  NumberLiteral,
  QuotedString,
  QuotedString,
  MultiLineString,
  LBracket,
  RBracket,
  LParen,
  RParen,
  LCurly,
  RCurly,
  Comma,
  Semicolon,
  Unknown,
];

/**
 * The token object chevrotain sees, per kind. The grammar only asks tokens for their type, so one
 * shared object per type stands for every token of it; where each token is and what it holds is
 * in the TokenList. A large script has tens of thousands of tokens, and building one object each
 * was most of the scanner's time and memory.
 */
export const TOKEN_OF_KIND: IToken[] = [];
{
  const shared = new Map<TokenType, IToken>();
  for (const type of TYPE_OF_KIND) {
    let tok = shared.get(type);
    if (!tok) {
      tok = { image: '', startOffset: -1, tokenTypeIdx: type.tokenTypeIdx!, tokenType: type };
      shared.set(type, tok);
    }
    TOKEN_OF_KIND.push(tok);
  }
}

/**
 * Slots per token in TokenList.data: start offset, end offset (exclusive), line, column, and an
 * `extra` slot: the name-table slot of an identifier or tag (-1 when it is not in the table), the
 * value of a K_NUMBER.
 */
export const STRIDE = 5;

/**
 * The scanner's output, one column per field instead of one object per token. Token `i` has kind
 * `kinds[i]` and `data[i * STRIDE ...]` (see STRIDE). A quoted string's value is cut from the text
 * when the parser asks for it; values that needed real work (escapes, multi-line strings, large
 * numbers) are kept in `stored`. The last token is EOF, placed at the end of the text.
 */
export class TokenList {
  constructor(
    readonly source: string,
    /** Kind of each token; zero (EOF) past the end. */
    readonly kinds: Uint8Array,
    readonly data: Int32Array,
    readonly length: number,
    readonly stored: Map<number, string | number>,
  ) {}

  type(i: number): TokenType {
    return TYPE_OF_KIND[this.kinds[i]!]!;
  }

  /** The decoded value: string text, number, lower-cased name ('' for punctuation). */
  value(i: number): string | number {
    const d = this.data;
    const k = i * STRIDE;
    switch (this.kinds[i]) {
      case K_IDENTIFIER:
      case K_TAG:
        return this.name(i);
      case K_QUOTED:
        return this.source.slice(d[k]! + 1, d[k + 1]! - 1);
      case K_NUMBER:
        return d[k + 4]!;
      case K_NUMBER_STORED:
      case K_QUOTED_STORED:
      case K_MULTI_LINE:
        return this.stored.get(i)!;
      default:
        return '';
    }
  }

  /** Lower-cased name of an identifier or tag (a tag's without its colon). */
  name(i: number): string {
    const d = this.data;
    const k = i * STRIDE;
    const slot = d[k + 4]!;
    if (slot >= 0) return NAME_VALUES[slot]!;
    const start = this.kinds[i] === K_TAG ? d[k]! + 1 : d[k]!;
    return this.source.slice(start, d[k + 1]).toLowerCase();
  }

  offset(i: number): number {
    return this.data[i * STRIDE]!;
  }

  /** Offset just past a token. */
  end(i: number): number {
    return this.data[i * STRIDE + 1]!;
  }

  line(i: number): number {
    return this.data[i * STRIDE + 2]!;
  }

  column(i: number): number {
    return this.data[i * STRIDE + 3]!;
  }

  pos(i: number): Position {
    const d = this.data;
    const k = i * STRIDE;
    return { line: d[k + 2]!, column: d[k + 3]!, offset: d[k]! };
  }

  /** The text of a token as written. */
  image(i: number): string {
    const k = i * STRIDE;
    return this.source.slice(this.data[k], this.data[k + 1]);
  }

  /** Line and column just after a token. */
  endPos(i: number): Position {
    const k = i * STRIDE;
    const start = this.data[k]!;
    const end = this.data[k + 1]!;
    const src = this.source;
    let line = this.data[k + 2]!;
    let lineStart = start - (this.data[k + 3]! - 1);
    for (let p = src.indexOf('\n', start); p !== -1 && p < end; p = src.indexOf('\n', p + 1)) {
      line++;
      lineStart = p + 1;
    }
    return { line, column: end - lineStart + 1, offset: end };
  }

  /** How a token is named in error messages. */
  describe(i: number): string {
    const t = this.type(i);
    if (t === EOF) return 'end of script';
    const punct = PUNCT_NAMES.get(t);
    if (punct) return punct;
    if (t === QuotedString) return `string "${shorten(String(this.value(i)))}"`;
    if (t === MultiLineString) return 'multi-line string';
    if (t === NumberLiteral) return `number ${this.image(i)}`;
    if (t === Tag) return `tag '${shorten(this.image(i))}'`;
    if (t === Unknown) return 'unknown characters';
    return `'${shorten(this.image(i))}'`;
  }
}

const PUNCT_NAMES = new Map<TokenType, string>([
  [LBracket, "'['"],
  [RBracket, "']'"],
  [LParen, "'('"],
  [RParen, "')'"],
  [LCurly, "'{'"],
  [RCurly, "'}'"],
  [Comma, "','"],
  [Semicolon, "';'"],
]);

function shorten(s: string, max = 24): string {
  const flat = s.replace(/\r?\n/g, '\\n').replace(/[\u0000-\u001f]/g, '?');
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

// Identifiers and tags as written → their lower-cased name (a tag's without the colon). Scripts
// repeat a few names many times; looking them up here saves new strings and lets every use share
// one string, whose hash is then computed once. Open addressing; the table stops taking entries
// when half full.
const NAME_SLOTS = 1024;
const MAX_STORED_NAME = 40;
const NAME_KEYS: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS).fill(undefined);
const NAME_VALUES: string[] = new Array<string>(NAME_SLOTS).fill('');
let namesStored = 0;

/**
 * The name-table slot of the identifier or tag at [start, end), entering it if there is room; -1
 * when it is not in the table. The hash looks at the length and three characters only: names are
 * few, and a collision costs one more comparison.
 */
export function nameSlot(src: string, start: number, end: number): number {
  const len = end - start;
  const hash =
    len * 961 + src.charCodeAt(start) * 31 + src.charCodeAt((start + end) >> 1) * 7 + src.charCodeAt(end - 1);
  let slot = hash & (NAME_SLOTS - 1);
  for (let probe = 0; probe < 8; probe++) {
    const key = NAME_KEYS[slot];
    if (key === undefined) {
      if (namesStored >= NAME_SLOTS / 2 || len > MAX_STORED_NAME) return -1;
      // A copy, not a slice: a slice may point into the script, which the table would keep alive.
      const copy = src.slice(start, end).split('').join('');
      NAME_KEYS[slot] = copy;
      NAME_VALUES[slot] = (src.charCodeAt(start) === 58 ? copy.slice(1) : copy).toLowerCase();
      namesStored++;
      return slot;
    }
    if (key.length === len && src.startsWith(key, start)) return slot;
    slot = (slot + 1) & (NAME_SLOTS - 1);
  }
  return -1;
}
