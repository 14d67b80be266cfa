/** The tokens of an RFC 5322 address list: atoms, quoted strings, domain literals, specials. */
/** Token kinds. */
export const T = { Atom: 0, Quoted: 1, Literal: 2, Special: 3, Bad: 4, End: 5 } as const;
type TokenType = (typeof T)[keyof typeof T];

export interface Token {
  type: TokenType;
  /** Atom text, unescaped quoted-string content, `[literal]` as written, or the special character. */
  value: string;
  /** Blank or comment before this token. */
  space: boolean;
  /** Comments directly before this token, unescaped. */
  comments: string[] | null;
}

const SPECIALS = new Set(['<', '>', '@', ',', ':', ';']);

/** Characters that end an atom. Dots are kept inside atoms and split later where it matters. */
export function isAtomChar(c: number): boolean {
  if (c >= 0x80) return true; // UTF-8 text (RFC 6532)
  if (c <= 0x20 || c === 0x7f) return false;
  switch (c) {
    case 0x28: // (
    case 0x29: // )
    case 0x3c: // <
    case 0x3e: // >
    case 0x5b: // [
    case 0x5d: // ]
    case 0x3a: // :
    case 0x3b: // ;
    case 0x40: // @
    case 0x5c: // backslash
    case 0x2c: // ,
    case 0x22: // "
      return false;
    default:
      return true;
  }
}

export function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  const len = s.length;
  let i = 0;
  let space = false;
  let comments: string[] | null = null;
  const push = (type: TokenType, value: string): void => {
    tokens.push({ type, value, space, comments });
    space = false;
    comments = null;
  };

  while (i < len) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
      space = true;
      i++;
    } else if (c === 0x28 /* ( */) {
      const end = readComment(s, i);
      (comments ??= []).push(unescape(s, i + 1, end.contentEnd));
      space = true;
      i = end.next;
    } else if (c === 0x22 /* " */) {
      const close = findClose(s, i + 1, 0x22);
      if (close < 0) {
        push(T.Bad, s.slice(i));
        break;
      }
      push(T.Quoted, unescape(s, i + 1, close));
      i = close + 1;
    } else if (c === 0x5b /* [ */) {
      const close = findClose(s, i + 1, 0x5d);
      if (close < 0) {
        push(T.Bad, s.slice(i));
        break;
      }
      push(T.Literal, s.slice(i, close + 1));
      i = close + 1;
    } else if (isAtomChar(c)) {
      let j = i + 1;
      while (j < len && isAtomChar(s.charCodeAt(j))) j++;
      push(T.Atom, s.slice(i, j));
      i = j;
    } else {
      const ch = s[i];
      push(SPECIALS.has(ch) ? T.Special : T.Bad, ch);
      i++;
    }
  }
  push(T.End, '');
  return tokens;
}

/** Finds the closing quote or bracket, honouring backslash escapes; -1 when unterminated. */
function findClose(s: string, i: number, close: number): number {
  const len = s.length;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === close) return i;
    else i++;
  }
  return -1;
}

/** Nested comment starting at `open`; an unterminated one runs to the end of the text. */
function readComment(s: string, open: number): { contentEnd: number; next: number } {
  const len = s.length;
  let depth = 1;
  let i = open + 1;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) {
      i += 2;
      continue;
    }
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return { contentEnd: i, next: i + 1 };
    i++;
  }
  return { contentEnd: len, next: len };
}

/** Removes quoted-pair backslashes between `from` and `to`. */
function unescape(s: string, from: number, to: number): string {
  let out = '';
  let seg = from;
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === 0x5c) {
      out += s.slice(seg, i);
      seg = ++i; // keep the escaped character itself
    }
  }
  return seg === from ? s.slice(from, to) : out + s.slice(seg, to);
}

export function isSpecial(t: Token, ch: string): boolean {
  return t.type === T.Special && t.value === ch;
}

export function isWordish(t: Token): boolean {
  return t.type === T.Atom || t.type === T.Quoted || t.type === T.Literal || isSpecial(t, '@');
}
