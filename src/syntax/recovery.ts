import { isRecognitionException } from 'chevrotain';
import type { CommandNode, TestNode } from './ast.js';
import type { Owner, ParseState } from './state.js';
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

// Error messages and recovery. After an error the parser carries on from a point these functions
// choose by looking at the tokens; they see the parser only through the cursor below, so they do
// not depend on how chevrotain keeps its place.

/** How a command or test is named in messages: `header test`. */
export function ownerName(owner: Owner): string {
  return `${owner.name} ${owner.type}`;
}

/** What recovery needs from the parser: the state of the parse and a movable token cursor. */
export interface Cursor {
  readonly st: ParseState;
  /** Index of the token consumed last. */
  last(): number;
  /** Continue parsing at the token with this index. */
  jumpTo(index: number): void;
}

/** Reports at a token; errors at the end of a truncated script are dropped as noise. */
export function report(p: Cursor, code: string, message: string, at: number): void {
  const tokens = p.st.tokens;
  if (tokens.type(at) === EOF && p.st.truncated) return;
  p.st.reporter.error(code, message, tokens.line(at), tokens.column(at), tokens.offset(at));
}

/** Reports just after a token (where something is missing). */
export function reportAfter(p: Cursor, code: string, message: string, at: number): void {
  const end = p.st.tokens.endPos(at);
  p.st.reporter.error(code, message, end.line, end.column, end.offset);
}

function tokenIndexAt(p: Cursor, offset: number): number {
  const tokens = p.st.tokens;
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens.offset(mid) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Something other than a command where a command may start. Reports it, skips it and
 * returns true to continue the command loop; false at the end of input or of the block.
 */
export function skipStray(p: Cursor, inBlock: boolean): boolean {
  const tokens = p.st.tokens;
  const at = p.last() + 1;
  const type = tokens.type(at);
  if (type === EOF || (inBlock && type === RCurly)) return false;
  const isValue =
    type === QuotedString ||
    type === MultiLineString ||
    type === NumberLiteral ||
    type === Tag ||
    type === Unknown;
  if (isValue) report(p, 'expected-command', `expected a command, found ${tokens.describe(at)}`, at);
  else report(p, 'unexpected-token', `unexpected ${tokens.describe(at)}`, at);
  if (type === LCurly) {
    skipBalancedBlock(p);
    return true;
  }
  if (type === RCurly || type === Semicolon) {
    p.jumpTo(at + 1);
    return true;
  }
  // Skip to a point where a command can start again; a ';' ends the junk.
  let i = at + 1;
  for (; ; i++) {
    const t = tokens.type(i);
    if (t === Semicolon) {
      i++;
      break;
    }
    if (t === EOF || t === Identifier || t === LCurly || t === RCurly) break;
  }
  p.jumpTo(i);
  return true;
}

/** LA(1) is '{': move past its matching '}' (or to the end). */
export function skipBalancedBlock(p: Cursor): void {
  const tokens = p.st.tokens;
  let i = p.last() + 1;
  let depth = 0;
  for (; ; i++) {
    const t = tokens.type(i);
    if (t === EOF) break;
    if (t === LCurly) depth++;
    else if (t === RCurly && --depth === 0) {
      i++;
      break;
    }
  }
  p.jumpTo(i);
}

/** A test nested beyond the limit: report it once and skip to where the enclosing construct continues. */
export function skipDeepTest(p: Cursor): TestNode {
  const first = p.last() + 1;
  report(p, 'test-nesting-too-deep', `tests nested too deeply (limit ${p.st.maxNesting})`, first);
  const tokens = p.st.tokens;
  let i = first;
  let depth = 0;
  for (; ; i++) {
    const t = tokens.type(i);
    if (t === EOF || t === LCurly || t === RCurly || t === Semicolon) break;
    if (t === LParen) depth++;
    else if (t === RParen) {
      if (depth === 0) break;
      depth--;
    } else if (t === Comma && depth === 0) break;
  }
  p.jumpTo(i);
  return {
    type: 'test',
    name: tokens.type(first) === Identifier ? (tokens.value(first) as string) : '',
    args: [],
    tests: [],
    testList: false,
    pos: tokens.pos(first),
  };
}

/** The command did not end with ';' or a block; true when a block follows, to be parsed. */
export function recoverCommand(p: Cursor, e: unknown, node: CommandNode, hadErrors: boolean): boolean {
  if (!isRecognitionException(e as Error)) throw e;
  const tokens = p.st.tokens;
  const prev = p.last();
  const actual = prev + 1;
  const type = tokens.type(actual);
  // At the end, after an error inside this command, a missing ';' is only an echo of it.
  if (type === EOF && (p.st.truncated || hadErrors)) return false;
  const onNewLine = tokens.line(actual) > tokens.endPos(prev).line;
  if (type === EOF || type === RCurly || (onNewLine && type === Identifier)) {
    let after = prev;
    // `keep` NEWLINE `stop` NEWLINE `}`: the next command was read as a test of this one.
    // Give it back so it is parsed as the command it is.
    if (node.tests.length === 1 && !node.testList) {
      const ti = tokenIndexAt(p, node.tests[0]!.pos.offset);
      if (ti > 0 && node.tests[0]!.pos.line > tokens.endPos(ti - 1).line) {
        node.tests = [];
        after = ti - 1;
        p.jumpTo(ti);
      }
    }
    reportAfter(p, 'missing-semicolon', `missing semicolon after ${node.name} command`, after);
    return false;
  }
  report(
    p,
    'expected-semicolon-or-block',
    `expected ';' or '{' after ${node.name} command, found ${tokens.describe(actual)}`,
    actual,
  );
  let i = actual;
  for (; ; i++) {
    const t = tokens.type(i);
    if (t === EOF || t === RCurly || t === LCurly) break;
    if (t === Semicolon) {
      i++;
      break;
    }
  }
  p.jumpTo(i);
  return tokens.type(i) === LCurly;
}

export function recoverTestList(p: Cursor, e: unknown, owner: Owner): void {
  if (!isRecognitionException(e as Error)) throw e;
  const tokens = p.st.tokens;
  const prev = p.last();
  const actual = prev + 1;
  const type = tokens.type(actual);
  const prevType = tokens.type(prev);
  if (type === EOF && p.st.truncated) return;
  const where = `the test list of ${owner.name}`;
  if (prevType === LParen || prevType === Comma) {
    if (type === RParen) {
      report(p, 'expected-test', `expected a test after ${tokens.describe(prev)} in ${where}`, actual);
    } else {
      report(p, 'expected-test', `expected a test in ${where}, found ${tokens.describe(actual)}`, actual);
    }
  } else if (type === Identifier || type === LParen) {
    report(p, 'missing-comma', `missing ',' between tests in ${where}`, actual);
  } else if (type === LCurly || type === Semicolon || type === RCurly || type === EOF) {
    reportAfter(p, 'missing-closing-paren', `missing ')' to close ${where}`, prev);
  } else {
    report(
      p,
      'expected-comma-or-paren',
      `expected ',' or ')' in ${where}, found ${tokens.describe(actual)}`,
      actual,
    );
  }
  // Skip to the ')' closing this list, but not past the end of the command.
  let i = actual;
  let depth = 0;
  for (; ; i++) {
    const t = tokens.type(i);
    if (t === EOF || t === LCurly || t === RCurly || t === Semicolon) break;
    if (t === LParen) depth++;
    else if (t === RParen && depth-- === 0) {
      i++;
      break;
    }
  }
  p.jumpTo(i);
}

export function recoverStringList(p: Cursor, e: unknown, owner: Owner): void {
  if (!isRecognitionException(e as Error)) throw e;
  const tokens = p.st.tokens;
  const prev = p.last();
  const actual = prev + 1;
  const type = tokens.type(actual);
  const prevType = tokens.type(prev);
  if (type === EOF && p.st.truncated) return;
  const where = `string list of ${ownerName(owner)}`;
  const isString = type === QuotedString || type === MultiLineString;
  if (prevType === LBracket && type === RBracket) {
    report(p, 'empty-string-list', `empty ${where}`, prev);
  } else if (prevType === LBracket || prevType === Comma) {
    if (type === RBracket) report(p, 'expected-string', `expected a string after ',' in ${where}`, actual);
    else
      report(p, 'expected-string', `expected a string in ${where}, found ${tokens.describe(actual)}`, actual);
  } else if (isString) {
    report(p, 'missing-comma', `missing ',' between strings in ${where}`, actual);
  } else if (
    type === Identifier ||
    type === LCurly ||
    type === RCurly ||
    type === Semicolon ||
    type === RParen ||
    type === EOF
  ) {
    reportAfter(p, 'missing-closing-bracket', `missing ']' to close the ${where}`, prev);
  } else {
    report(
      p,
      'expected-comma-or-bracket',
      `expected ',' or ']' in ${where}, found ${tokens.describe(actual)}`,
      actual,
    );
  }
  // Skip what can still belong to the list, up to and including its ']'.
  let i = actual;
  for (; ; i++) {
    const t = tokens.type(i);
    if (t === RBracket) {
      i++;
      break;
    }
    if (
      t !== QuotedString &&
      t !== MultiLineString &&
      t !== Comma &&
      t !== NumberLiteral &&
      t !== Tag &&
      t !== LBracket &&
      t !== Unknown
    ) {
      break;
    }
  }
  p.jumpTo(i);
}
