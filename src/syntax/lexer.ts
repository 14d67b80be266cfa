import type { Comment } from './ast.js';
import { Reporter, TooManyErrors } from './reporter.js';
import {
  K_EOF,
  K_IDENTIFIER,
  K_QUOTED,
  K_UNKNOWN,
  K_TAG,
  nameSlot,
  STRIDE,
  TokenList,
} from './token-list.js';
import {
  TAB,
  LF,
  CR,
  SPACE,
  DQUOTE,
  HASH,
  STAR,
  SLASH,
  COLON,
  C_NAME,
  C_PUNCT,
  CLASS,
  PUNCT_KIND,
  isAlpha,
  isDigit,
  showChar,
  nameEnd,
  indexOrEnd,
  isTextColon,
} from './chars.js';
import { scanEscapedString, scanMultiLine, scanNumber, type ScanTarget } from './literals.js';

// Scanner for RFC 5228 §2 / §8.1. One pass over UTF-16 code units; positions are 1-based
// line and column (column counts code units) plus a 0-based offset.

export interface LexResult {
  /** Tokens, always ending with an EOF token placed at the end of the text. */
  tokens: TokenList;
  /**
   * True when scanning ended early (an unterminated string or comment ran to the end, or the
   * error limit was hit): errors the parser would then find at the end are not worth reporting.
   */
  truncated: boolean;
  /** Comments, when asked for. */
  comments?: Comment[];
}

/** Longest identifier or tag name (Pigeonhole's limit): no command, test or tag comes close. */
export const DEFAULT_MAX_IDENTIFIER_LENGTH = 32;

export interface LexOptions {
  maxIdentifierLength?: number;
  /** Keep the comments (outside multi-line strings). */
  comments?: boolean;
}

class Scanner implements ScanTarget {
  kinds: Uint8Array;
  data: Int32Array;
  count = 0;
  readonly stored = new Map<number, string | number>();
  /** Line and its start offset; kept in locals while scanning and written back around helpers. */
  line = 1;
  lineStart = 0;
  truncated = false;
  /** Comments found, or null when they are not kept. */
  comments: Comment[] | null = null;

  constructor(
    readonly src: string,
    readonly reporter: Reporter,
    readonly maxIdent: number,
  ) {
    // Room for a token every four characters, up to 64K tokens; the tables grow when that is short.
    const capacity = Math.min((src.length >> 2) + 64, 1 << 16);
    this.kinds = new Uint8Array(capacity);
    this.data = new Int32Array(capacity * STRIDE);
  }

  /** Adds a token; returns its index. `extra` is as described at STRIDE. */
  add(kind: number, start: number, end: number, line: number, column: number, extra: number): number {
    const i = this.count;
    // Two spare entries: looking one token past EOF reads an unused entry, which is EOF (0).
    if (i + 2 >= this.kinds.length) this.grow();
    this.kinds[i] = kind;
    const d = this.data;
    const k = i * STRIDE;
    d[k] = start;
    d[k + 1] = end;
    d[k + 2] = line;
    d[k + 3] = column;
    d[k + 4] = extra;
    this.count = i + 1;
    return i;
  }

  private grow(): void {
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const data = new Int32Array(this.data.length * 2);
    data.set(this.data);
    this.data = data;
  }

  error(code: string, message: string, offset: number, line: number, lineStart: number): void {
    this.reporter.error(code, message, line, offset - lineStart + 1, offset);
  }

  // Could a token (or whitespace/comment) start here? Used to end a run of junk characters.
  startsSomething(p: number): boolean {
    const c = this.src.charCodeAt(p);
    if (c === SPACE || c === TAB || c === LF || c === CR) return true;
    if ((c < 128 && CLASS[c] !== 0) || c === DQUOTE || c === HASH || c === COLON) return true;
    return c === SLASH && this.src.charCodeAt(p + 1) === STAR;
  }

  // The loop handles what most tokens are made of; the rest is in methods of their own. Kept small,
  // it is compiled to fast code soon enough to matter in a one-shot run (a script checked once).
  run(): void {
    const src = this.src;
    const len = src.length;
    let i = 0;
    let line = 1;
    let lineStart = 0;
    // Offsets of the next backslash and line break (see quoted strings).
    let nextEscape = -1;
    let nextLF = -1;
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
        const cls = c < 128 ? CLASS[c]! : 0;
        if (cls === C_NAME) {
          const end = nameEnd(src, i + 1);
          if (isTextColon(src, i, end)) {
            this.line = line;
            this.lineStart = lineStart;
            i = scanMultiLine(this, i, end + 1, col);
            line = this.line;
            lineStart = this.lineStart;
            continue;
          }
          if (end - i > this.maxIdent) this.tooLong('identifier', i, line, lineStart);
          this.add(K_IDENTIFIER, i, end, line, col, nameSlot(src, i, end));
          i = end;
          continue;
        }
        if (cls === C_PUNCT) {
          this.add(PUNCT_KIND[c]!, i, i + 1, line, col, 0);
          i++;
          continue;
        }
        if (c === DQUOTE) {
          // Most strings hold no escape: find the closing quote, and any line breaks before it, with
          // indexOf, which is fast from the first run on. The next backslash and line break are
          // remembered until passed, so each is searched for once.
          const close = src.indexOf('"', i + 1);
          if (nextEscape <= i) nextEscape = indexOrEnd(src, '\\', i + 1);
          if (close !== -1 && nextEscape > close) {
            const startLine = line;
            if (nextLF <= i) nextLF = indexOrEnd(src, '\n', i + 1);
            while (nextLF < close) {
              line++;
              lineStart = nextLF + 1;
              nextLF = indexOrEnd(src, '\n', nextLF + 1);
            }
            this.add(K_QUOTED, i, close + 1, startLine, col, 0);
            i = close + 1;
            continue;
          }
        } else if (c === COLON && cls === 0 && isAlpha(src.charCodeAt(i + 1))) {
          const end = nameEnd(src, i + 2);
          if (end - i - 1 > this.maxIdent) this.tooLong('tag', i, line, lineStart);
          this.add(K_TAG, i, end, line, col, nameSlot(src, i, end));
          i = end;
          continue;
        }
        this.line = line;
        this.lineStart = lineStart;
        i = this.scanOther(i, c, col);
        line = this.line;
        lineStart = this.lineStart;
      }
    } finally {
      // The EOF token's position and the helpers read these.
      this.line = line;
      this.lineStart = lineStart;
    }
  }

  private tooLong(what: 'identifier' | 'tag', start: number, line: number, lineStart: number): void {
    const max = this.maxIdent;
    const shown = this.src.slice(start, start + max + (what === 'tag' ? 1 : 0));
    this.error(
      `${what}-too-long`,
      `${what} '${shown}...' is too long (limit ${max} characters)`,
      start,
      line,
      lineStart,
    );
  }

  /**
   * Everything but names, punctuation and strings without escapes: numbers, comments, strings with
   * escapes, stray characters. `c` is the character at `i`; `this.line` and `this.lineStart` are
   * current. Returns where scanning resumes (the end of the text when scanning cannot go on).
   */
  private scanOther(i: number, c: number, col: number): number {
    const src = this.src;
    const len = src.length;
    const line = this.line;
    const lineStart = this.lineStart;
    if (c === DQUOTE) return scanEscapedString(this, i, col);
    if (isDigit(c)) return scanNumber(this, i, col);
    if (c === HASH) {
      const nl = src.indexOf('\n', i);
      const end = nl === -1 ? len : nl;
      if (this.comments) {
        const textEnd = end > i + 1 && src.charCodeAt(end - 1) === CR ? end - 1 : end;
        this.comments.push({ kind: 'hash', text: src.slice(i + 1, textEnd), start: i, end, line });
      }
      return end;
    }
    if (c === SLASH && src.charCodeAt(i + 1) === STAR) {
      const close = src.indexOf('*/', i + 2);
      if (close === -1) {
        this.error(
          'unterminated-comment',
          `unterminated bracket comment (started at line ${line})`,
          i,
          line,
          lineStart,
        );
        this.truncated = true;
        return len;
      }
      if (this.comments) {
        this.comments.push({
          kind: 'bracket',
          text: src.slice(i + 2, close),
          start: i,
          end: close + 2,
          line,
        });
      }
      for (let p = i + 2; p < close; p++) {
        if (src.charCodeAt(p) === LF) {
          this.line++;
          this.lineStart = p + 1;
        }
      }
      return close + 2;
    }
    if (c === COLON) {
      this.error('missing-tag-name', "expected a tag name after ':'", i, line, lineStart);
      return i + 1;
    }
    // A run of characters that cannot start anything: one error for the whole run, and one token,
    // so that the parser also says what it expected there (as Pigeonhole does).
    let p = i + 1;
    while (p < len && !this.startsSomething(p)) p++;
    this.add(K_UNKNOWN, i, p, line, col, -1);
    this.error(
      'unexpected-character',
      p - i === 1
        ? `unexpected character ${showChar(c)}`
        : `unexpected characters starting with ${showChar(c)}`,
      i,
      line,
      lineStart,
    );
    return p;
  }
}

export function tokenize(src: string, reporter: Reporter, options: LexOptions = {}): LexResult {
  const scanner = new Scanner(src, reporter, options.maxIdentifierLength ?? DEFAULT_MAX_IDENTIFIER_LENGTH);
  if (options.comments) scanner.comments = [];
  try {
    scanner.run();
  } catch (e) {
    if (!(e instanceof TooManyErrors)) throw e;
    scanner.truncated = true;
  }
  // EOF sits at the end of the text; like chevrotain's own EOF tokens it ends one past it.
  const len = src.length;
  scanner.add(K_EOF, len, len + 1, scanner.line, len - scanner.lineStart + 1, 0);
  const { kinds, data, count, stored, truncated } = scanner;
  const tokens = new TokenList(src, kinds, data, count, stored);
  return scanner.comments ? { tokens, truncated, comments: scanner.comments } : { tokens, truncated };
}
