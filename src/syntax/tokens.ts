import { createToken, EOF, Lexer, type TokenType } from 'chevrotain';

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
/** Characters that cannot start anything; no rule accepts them, so the parser reports where they stand. */
export const Unknown = createToken({ name: 'Unknown', pattern: Lexer.NA, label: 'unknown characters' });

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
  Unknown,
];
