import { createToken, EOF, Lexer, type IToken, type TokenType } from 'chevrotain';

// Token types shared by the scanner (lexer.ts) and the grammar (parser.ts). Patterns are
// NA because the scanner is hand-written: Sieve strings, multi-line literals and numbers need
// decoding and precise error positions that a regex table cannot give cheaply.

export const Identifier = createToken({ name: 'Identifier', pattern: Lexer.NA, label: 'identifier' });
export const Tag = createToken({ name: 'Tag', pattern: Lexer.NA, label: 'tag' });
export const NumberLiteral = createToken({ name: 'Number', pattern: Lexer.NA, label: 'number' });
export const QuotedString = createToken({ name: 'QuotedString', pattern: Lexer.NA, label: 'quoted-string' });
export const MultiLineString = createToken({ name: 'MultiLine', pattern: Lexer.NA, label: 'multi-line' });
export const LBracket = createToken({ name: 'LBracket', pattern: Lexer.NA, label: '[' });
export const RBracket = createToken({ name: 'RBracket', pattern: Lexer.NA, label: ']' });
export const LParen = createToken({ name: 'LParen', pattern: Lexer.NA, label: '(' });
export const RParen = createToken({ name: 'RParen', pattern: Lexer.NA, label: ')' });
export const LCurly = createToken({ name: 'LCurly', pattern: Lexer.NA, label: '{' });
export const RCurly = createToken({ name: 'RCurly', pattern: Lexer.NA, label: '}' });
export const Comma = createToken({ name: 'Comma', pattern: Lexer.NA, label: ',' });
export const Semicolon = createToken({ name: 'Semicolon', pattern: Lexer.NA, label: ';' });

export { EOF };

export const allTokens: TokenType[] = [
  Identifier,
  Tag,
  NumberLiteral,
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
];

/** A chevrotain token carrying its decoded value (string text, number, lower-cased name). */
export interface SieveToken extends IToken {
  value: string | number;
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

/** How a token is named in error messages. */
export function describeToken(tok: IToken): string {
  const t = tok.tokenType;
  if (t === EOF) return 'end of script';
  const punct = PUNCT_NAMES.get(t);
  if (punct) return punct;
  if (t === QuotedString) return `string "${shorten(String((tok as SieveToken).value))}"`;
  if (t === MultiLineString) return 'multi-line string';
  if (t === NumberLiteral) return `number ${tok.image}`;
  if (t === Tag) return `tag '${shorten(tok.image)}'`;
  return `'${shorten(tok.image)}'`;
}
