import { tokenize } from './lexer.js';
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

// Built once: chevrotain's grammar analysis is the expensive part. A parse started while another
// is under way (a compile fed by onCommand that parses an included script) takes a parser of its own.
const idleParsers: SieveParser[] = [new SieveParser()];

/** The grammar as chevrotain sees it, for the railroad diagrams. */
export function serializedGrammar(): ReturnType<SieveParser['getSerializedGastProductions']> {
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
  const parser = idleParsers.pop() ?? new SieveParser();
  try {
    const lexed = tokenize(text, reporter, { maxIdentifierLength: options.maxIdentifierLength });
    state = new ParseState(
      lexed.tokens,
      reporter,
      maxNesting,
      lexed.truncated,
      Math.max(1, options.maxArguments ?? DEFAULT_MAX_ARGUMENTS),
      options.onCommand,
    );
    parser.st = state;
    parser.setTokens(lexed.tokens);
    parser.script();
  } catch (e) {
    fail(e, reporter, state);
  } finally {
    parser.st = idleState();
    parser.setTokens(parser.st.tokens);
    parser.clearStacks();
    idleParsers.push(parser);
  }
  return { ast: { type: 'script', commands: state ? state.top : [] }, diagnostics: reporter.result() };
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
