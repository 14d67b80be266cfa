import type { Comment, ScriptNode } from './ast.js';
import { tokenize } from './lexer.js';
import { readDirect } from './direct-parser.js';
import { SieveParser } from './parser.js';
import { Reporter, TooManyErrors } from './reporter.js';
import {
  DEFAULT_MAX_ARGUMENTS,
  DEFAULT_MAX_ERRORS,
  DEFAULT_MAX_NESTING,
  DEFAULT_MAX_SIZE,
  idleState,
  ParseState,
  type ParseOptions,
  type ParseResult,
} from './state.js';

export { DEFAULT_MAX_ARGUMENTS, DEFAULT_MAX_ERRORS, DEFAULT_MAX_NESTING, DEFAULT_MAX_SIZE };
export type { ParseOptions, ParseResult };

// Built on first use (a script with a syntax error) and kept: chevrotain's grammar analysis is
// the expensive part. A parse started while another is under way (a compile fed by onCommand that
// parses an included script) takes a parser of its own.
const idleParsers: SieveParser[] = [];

/** The grammar as chevrotain sees it, for the railroad diagrams. */
export function serializedGrammar(): ReturnType<SieveParser['getSerializedGastProductions']> {
  if (idleParsers.length === 0) idleParsers.push(new SieveParser());
  return idleParsers[0]!.getSerializedGastProductions();
}

/**
 * Parses a Sieve script (RFC 5228 §8). Never throws: syntax errors come back as diagnostics
 * in script order, next to whatever part of the AST could be built.
 */
export function parse(source: string, options: ParseOptions = {}): ParseResult {
  const maxNesting = Math.max(1, options.maxNesting ?? DEFAULT_MAX_NESTING);
  const reporter = new Reporter(Math.max(1, options.maxErrors ?? DEFAULT_MAX_ERRORS));
  const text = typeof source === 'string' ? source : String(source);
  let state: ParseState | null = null;
  let comments: Comment[] | undefined;
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  if (text.length > maxSize) {
    reporter.error(
      'script-too-large',
      `script is too large (${text.length} characters, limit ${maxSize})`,
      1,
      1,
      0,
    );
    return { ast: { type: 'script', commands: [] }, diagnostics: reporter.result() };
  }
  try {
    const lexed = tokenize(text, reporter, {
      maxIdentifierLength: options.maxIdentifierLength,
      comments: options.comments === true,
    });
    comments = lexed.comments;
    const stateFor = (onCommand: ParseOptions['onCommand']): ParseState =>
      new ParseState(
        lexed.tokens,
        reporter,
        maxNesting,
        lexed.truncated,
        Math.max(1, options.maxArguments ?? DEFAULT_MAX_ARGUMENTS),
        onCommand,
        options.spans === true,
      );
    let onCommand = options.onCommand;
    let delivered = 0;
    if (reporter.count === 0 && !lexed.truncated) {
      state = stateFor(onCommand);
      delivered = readDirect(state);
    }
    if (delivered >= 0) {
      // The grammar reads the script again from the start; commands onCommand already has are
      // the same nodes again and are not handed over twice.
      if (onCommand !== undefined && delivered > 0) {
        const given = onCommand;
        let skip = delivered;
        onCommand = (command) => (skip > 0 ? void skip-- : given(command));
      }
      state = stateFor(onCommand);
      parseWithGrammar(state);
    }
  } catch (e) {
    fail(e, reporter, state);
  }
  const ast: ScriptNode = { type: 'script', commands: state ? state.top : [] };
  if (options.comments) ast.comments = comments ?? [];
  return { ast, diagnostics: reporter.result() };
}

/** Parses with the chevrotain grammar, which reports syntax errors and recovers from them. */
function parseWithGrammar(state: ParseState): void {
  const parser = idleParsers.pop() ?? new SieveParser();
  try {
    parser.st = state;
    parser.setTokens(state.tokens);
    parser.script();
  } finally {
    parser.st = idleState();
    parser.setTokens(parser.st.tokens);
    parser.clearStacks();
    idleParsers.push(parser);
  }
}

/**
 * Parses a script for tools that edit it: with `spans`, every command, test, argument and block
 * gets its end offset beside its start; with `comments`, the comments come back in `ast.comments`.
 * Cutting the source at these offsets gives each part back byte for byte.
 */
export function parseScript(
  source: string,
  options: Omit<ParseOptions, 'onCommand'> = { spans: true, comments: true },
): ParseResult {
  return parse(source, { ...options, onCommand: undefined });
}

function fail(e: unknown, reporter: Reporter, state: ParseState | null): void {
  if (e instanceof TooManyErrors) return;
  const tokens = state?.tokens;
  const eof = tokens ? tokens.length - 1 : -1;
  const deep = e instanceof RangeError;
  const code = deep ? 'nesting-too-deep' : 'internal-error';
  const message = deep
    ? 'script is nested too deeply'
    : `internal parser error: ${(e as Error)?.message ?? e}`;
  try {
    if (tokens) reporter.error(code, message, tokens.line(eof), tokens.column(eof), tokens.offset(eof));
    else reporter.error(code, message, 1, 1, 0);
  } catch (again) {
    if (!(again instanceof TooManyErrors)) throw again;
  }
}
