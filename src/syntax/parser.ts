import {
  EmbeddedActionsParser,
  isRecognitionException,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type { Diagnostic } from '../diagnostics.js';
import type {
  Argument,
  CommandNode,
  Position,
  ScriptNode,
  StringArgument,
  StringListArgument,
  TestNode,
} from './ast.js';
import { tokenEnd, tokenize } from './lexer.js';
import { takeFrom } from './lists.js';
import { Reporter, TooManyErrors } from './reporter.js';
import {
  allTokens,
  Comma,
  describeToken,
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

export interface ParseOptions {
  /**
   * Deepest allowed nesting, counted separately for blocks and for tests
   * (`not not ...`, `anyof(anyof(...))`). Default 32, as in Pigeonhole.
   */
  maxNesting?: number;
  /** Errors reported before the parser gives up. Default 50. */
  maxErrors?: number;
  /** Longest script accepted, in characters. Default 2 MiB. */
  maxSize?: number;
  /** Most arguments one command or test may have. Default 32, as in Pigeonhole. */
  maxArguments?: number;
  /** Longest identifier or tag name. Default 32, as in Pigeonhole. */
  maxIdentifierLength?: number;
}

export interface ParseResult {
  ast: ScriptNode;
  diagnostics: Diagnostic[];
}

export const DEFAULT_MAX_NESTING = 32;
export const DEFAULT_MAX_ERRORS = 50;
export const DEFAULT_MAX_SIZE = 2 * 1024 * 1024;
export const DEFAULT_MAX_ARGUMENTS = 32;

/** Whoever owns an argument list: a command or a test. */
type Owner = CommandNode | TestNode;

class ParseState {
  blockDepth = 0;
  testDepth = 0;
  /** Top-level commands, filled as they complete so an aborted parse still returns them. */
  readonly top: CommandNode[] = [];

  constructor(
    readonly source: string,
    readonly tokens: SieveToken[],
    readonly reporter: Reporter,
    readonly maxNesting: number,
    /** Scanning stopped early; errors at the end of input are then noise. */
    readonly truncated: boolean,
    readonly maxArguments: number = DEFAULT_MAX_ARGUMENTS,
  ) {}
}

const idleState = (): ParseState => new ParseState('', [], new Reporter(0), DEFAULT_MAX_NESTING, false);

// Placeholder owner for the grammar recording pass, where rules run without arguments.
const recordingOwner = (): CommandNode => ({
  type: 'command',
  name: '',
  args: [],
  tests: [],
  testList: false,
  block: null,
  pos: { line: 0, column: 0, offset: 0 },
});

// Messages are built by the recovery code from the parse context; chevrotain's own text is
// never shown, so keep it short and cheap to build.
const silentMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: () => 'syntax error',
  buildNotAllInputParsedMessage: () => 'syntax error',
  buildNoViableAltMessage: () => 'syntax error',
  buildEarlyExitMessage: () => 'syntax error',
};

function posOf(tok: IToken): Position {
  return { line: tok.startLine ?? 0, column: tok.startColumn ?? 0, offset: tok.startOffset };
}

function valueOf(tok: IToken): string | number {
  return (tok as SieveToken).value;
}

function ownerName(owner: Owner): string {
  return `${owner.name} ${owner.type}`;
}

/** Hooks chevrotain has but does not declare in its typings. */
interface TokenCursor {
  exportLexerState(): number;
  importLexerState(state: number): void;
}

class SieveParser extends EmbeddedActionsParser {
  st: ParseState = idleState();
  /** The command or test whose arguments are being read (saves passing rule arguments). */
  private argOwner: Owner = recordingOwner();
  /** Name of the command whose block is about to be read, for messages. */
  private blockOwner = '';

  // OR alternatives and loop bodies are built once: allocating them per call costs real time
  // on large scripts.
  private readonly commandEnd = [
    {
      ALT: (): CommandNode[] | null => {
        this.CONSUME(Semicolon);
        return null;
      },
    },
    { ALT: (): CommandNode[] | null => this.SUBRULE(this.block) },
  ];
  private readonly argumentAlts = [
    { ALT: (): Argument => this.SUBRULE(this.stringList) },
    { ALT: (): Argument => this.SUBRULE(this.string) },
    {
      ALT: (): Argument => {
        const t = this.CONSUME(NumberLiteral);
        return { type: 'number', value: valueOf(t) as number, pos: posOf(t) };
      },
    },
    {
      ALT: (): Argument => {
        const t = this.CONSUME(Tag);
        return { type: 'tag', name: valueOf(t) as string, pos: posOf(t) };
      },
    },
  ];
  private readonly stringAlts = [
    { ALT: (): IToken => this.CONSUME(QuotedString) },
    { ALT: (): IToken => this.CONSUME(MultiLineString) },
  ];
  private readonly testAlts = [
    { ALT: (): TestNode | TestNode[] => this.SUBRULE(this.test) },
    { ALT: (): TestNode | TestNode[] => this.SUBRULE(this.testList) },
  ];
  // Lists are gathered on these stacks and copied out at their exact size: an array grown by
  // push keeps room for 17 items, which on a large script is most of the AST's memory.
  private readonly argStack: Argument[] = [];
  private readonly commandStack: CommandNode[] = [];
  private readonly stringStack: StringArgument[] = [];
  private readonly testStack: TestNode[] = [];
  private readonly argumentLoop = (): void => {
    this.argStack.push(this.SUBRULE(this.argument));
  };
  private readonly blockLoop = (): void => {
    this.commandStack.push(this.SUBRULE(this.command));
  };
  private readonly stringListLoop = (): void => {
    this.CONSUME(Comma);
    this.stringStack.push(this.SUBRULE2(this.string));
  };
  private readonly testListLoop = (): void => {
    this.CONSUME(Comma);
    this.testStack.push(this.SUBRULE2(this.test));
  };
  private readonly optionalTest = (): TestNode | TestNode[] => this.OR(this.testAlts);

  constructor() {
    super(allTokens, {
      recoveryEnabled: false,
      maxLookahead: 1,
      errorMessageProvider: silentMessages,
      // The grammar is fixed: checking it for ambiguities on every start costs a one-shot
      // `tamis check` real time, so only the test suite does it.
      skipValidations: process.env.VITEST === undefined,
    });
    this.performSelfAnalysis();
  }

  // script = commands
  readonly script = this.RULE('script', (): CommandNode[] => {
    const out = this.st.top;
    const body = (): void => {
      out.push(this.SUBRULE(this.command));
    };
    do {
      this.MANY(body);
    } while (this.skipStray(false));
    return out;
  });

  // command = identifier arguments (";" / block)
  readonly command = this.RULE('command', (): CommandNode => {
    const id = this.CONSUME(Identifier);
    const node: CommandNode = {
      type: 'command',
      name: valueOf(id) as string,
      args: [],
      tests: [],
      testList: false,
      block: null,
      pos: posOf(id),
    };
    const errorsBefore = this.st.reporter.count;
    try {
      this.argOwner = node;
      this.SUBRULE(this.arguments);
      // `if {` is valid syntax; the compiler reports the missing test.
      this.blockOwner = node.name;
      node.block = this.OR(this.commandEnd);
    } catch (e) {
      this.recoverCommand(e, node, this.st.reporter.count > errorsBefore);
    }
    return node;
  });

  // block = "{" commands "}"
  readonly block = this.RULE('block', (): CommandNode[] => {
    const commands: CommandNode[] = [];
    const owner = this.blockOwner;
    const st = this.st;
    if (!this.RECORDING_PHASE && st.blockDepth >= st.maxNesting) {
      this.report(`blocks nested too deeply (limit ${st.maxNesting})`, this.LA(1));
      this.skipBalancedBlock();
      return commands;
    }
    const open = this.CONSUME(LCurly);
    const stack = this.commandStack;
    const from = stack.length;
    let body: CommandNode[];
    st.blockDepth++;
    try {
      do {
        this.MANY(this.blockLoop);
      } while (this.skipStray(true));
    } finally {
      st.blockDepth--;
      body = stack.length === from ? commands : takeFrom(stack, from);
      stack.length = from;
    }
    if (!this.RECORDING_PHASE && this.LA(1).tokenType === EOF) {
      if (!st.truncated) this.report(`missing '}' to close the block of ${owner} command`, open);
      return body;
    }
    this.CONSUME(RCurly);
    return body;
  });

  // arguments = *argument [ test / test-list ]
  readonly arguments = this.RULE('arguments', (): void => {
    const owner = this.argOwner;
    const stack = this.argStack;
    const from = stack.length;
    try {
      this.MANY(this.argumentLoop);
    } finally {
      if (stack.length > from) owner.args = takeFrom(stack, from);
      stack.length = from;
    }
    if (!this.RECORDING_PHASE && owner.args.length > this.st.maxArguments) {
      const extra = owner.args[this.st.maxArguments]!.pos;
      this.st.reporter.error(
        `too many arguments for ${ownerName(owner)} (limit ${this.st.maxArguments})`,
        extra.line,
        extra.column,
        extra.offset,
      );
    }
    const t = this.OPTION(this.optionalTest);
    if (t === undefined) return;
    if (Array.isArray(t)) {
      owner.tests = t;
      owner.testList = true;
    } else {
      owner.tests = [t];
    }
  });

  // argument = string-list / number / tag   (a lone string counts as a string argument)
  readonly argument = this.RULE('argument', (): Argument => this.OR(this.argumentAlts));

  // string = quoted-string / multi-line
  readonly string = this.RULE('string', (): StringArgument => {
    const t = this.OR(this.stringAlts);
    return {
      type: 'string',
      value: valueOf(t) as string,
      multiline: t.tokenType === MultiLineString,
      pos: posOf(t),
    };
  });

  // string-list = "[" string *("," string) "]"
  readonly stringList = this.RULE('stringList', (): StringListArgument => {
    const owner = this.argOwner;
    const open = this.CONSUME(LBracket);
    const node: StringListArgument = { type: 'stringlist', items: [], pos: posOf(open) };
    const stack = this.stringStack;
    const from = stack.length;
    try {
      stack.push(this.SUBRULE(this.string));
      this.MANY(this.stringListLoop);
      this.CONSUME(RBracket);
    } catch (e) {
      this.recoverStringList(e, owner);
    } finally {
      if (stack.length > from) node.items = takeFrom(stack, from);
      stack.length = from;
    }
    return node;
  });

  // test = identifier arguments
  readonly test = this.RULE('test', (): TestNode => {
    const st = this.st;
    if (!this.RECORDING_PHASE && st.testDepth >= st.maxNesting) return this.skipDeepTest();
    const id = this.CONSUME(Identifier);
    const node: TestNode = {
      type: 'test',
      name: valueOf(id) as string,
      args: [],
      tests: [],
      testList: false,
      pos: posOf(id),
    };
    st.testDepth++;
    try {
      this.argOwner = node;
      this.SUBRULE(this.arguments);
    } finally {
      st.testDepth--;
    }
    return node;
  });

  // test-list = "(" test *("," test) ")"
  readonly testList = this.RULE('testList', (): TestNode[] => {
    const owner = this.argOwner;
    this.CONSUME(LParen);
    const stack = this.testStack;
    const from = stack.length;
    let tests: TestNode[] = [];
    try {
      stack.push(this.SUBRULE(this.test));
      this.MANY(this.testListLoop);
      this.CONSUME(RParen);
    } catch (e) {
      this.recoverTestList(e, owner);
    } finally {
      if (stack.length > from) tests = takeFrom(stack, from);
      stack.length = from;
    }
    return tests;
  });

  /** Empties the list stacks (they are empty after any parse; this keeps a failed one from leaking). */
  clearStacks(): void {
    this.argStack.length = 0;
    this.commandStack.length = 0;
    this.stringStack.length = 0;
    this.testStack.length = 0;
  }

  // ---- error reporting and recovery (never runs while chevrotain records the grammar) ----

  private get cursor(): TokenCursor {
    return this as unknown as TokenCursor;
  }

  /** Index in st.tokens of LA(1). */
  private nextIndex(): number {
    return this.cursor.exportLexerState() + 1;
  }

  /** Continue parsing at st.tokens[index]. */
  private jumpTo(index: number): void {
    this.cursor.importLexerState(index - 1);
  }

  private is(tok: IToken, type: TokenType): boolean {
    return tok.tokenType === type;
  }

  /** Reports at a token; errors at the end of a truncated script are dropped as noise. */
  private report(message: string, tok: IToken): void {
    if (tok.tokenType === EOF && this.st.truncated) return;
    this.st.reporter.error(message, tok.startLine ?? 0, tok.startColumn ?? 0, tok.startOffset);
  }

  /** Reports just after a token (where something is missing). */
  private reportAfter(message: string, tok: IToken): void {
    const end = tokenEnd(this.st.source, tok as SieveToken);
    this.st.reporter.error(message, end.line, end.column, end.offset);
  }

  private tokenIndexAt(offset: number): number {
    const tokens = this.st.tokens;
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokens[mid]!.startOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Something other than a command where a command may start. Reports it, skips it and
   * returns true to continue the command loop; false at the end of input or of the block.
   */
  private skipStray(inBlock: boolean): boolean {
    if (this.RECORDING_PHASE) return false;
    const tok = this.LA(1);
    if (this.is(tok, EOF) || (inBlock && this.is(tok, RCurly))) return false;
    const isValue =
      this.is(tok, QuotedString) ||
      this.is(tok, MultiLineString) ||
      this.is(tok, NumberLiteral) ||
      this.is(tok, Tag);
    if (isValue) this.report(`expected a command, found ${describeToken(tok)}`, tok);
    else this.report(`unexpected ${describeToken(tok)}`, tok);
    if (this.is(tok, LCurly)) {
      this.skipBalancedBlock();
      return true;
    }
    if (this.is(tok, RCurly) || this.is(tok, Semicolon)) {
      this.jumpTo(this.nextIndex() + 1);
      return true;
    }
    // Skip to a point where a command can start again; a ';' ends the junk.
    const tokens = this.st.tokens;
    let i = this.nextIndex() + 1;
    for (; ; i++) {
      const t = tokens[i]!.tokenType;
      if (t === Semicolon) {
        i++;
        break;
      }
      if (t === EOF || t === Identifier || t === LCurly || t === RCurly) break;
    }
    this.jumpTo(i);
    return true;
  }

  /** LA(1) is '{': move past its matching '}' (or to the end). */
  private skipBalancedBlock(): void {
    const tokens = this.st.tokens;
    let i = this.nextIndex();
    let depth = 0;
    for (; ; i++) {
      const t = tokens[i]!.tokenType;
      if (t === EOF) break;
      if (t === LCurly) depth++;
      else if (t === RCurly && --depth === 0) {
        i++;
        break;
      }
    }
    this.jumpTo(i);
  }

  /** A test nested beyond the limit: report it once and skip to where the enclosing construct continues. */
  private skipDeepTest(): TestNode {
    const first = this.LA(1);
    this.report(`tests nested too deeply (limit ${this.st.maxNesting})`, first);
    const tokens = this.st.tokens;
    let i = this.nextIndex();
    let depth = 0;
    for (; ; i++) {
      const t = tokens[i]!.tokenType;
      if (t === EOF || t === LCurly || t === RCurly || t === Semicolon) break;
      if (t === LParen) depth++;
      else if (t === RParen) {
        if (depth === 0) break;
        depth--;
      } else if (t === Comma && depth === 0) break;
    }
    this.jumpTo(i);
    return {
      type: 'test',
      name: this.is(first, Identifier) ? (valueOf(first) as string) : '',
      args: [],
      tests: [],
      testList: false,
      pos: posOf(first),
    };
  }

  /** The command did not end with ';' or a block. */
  private recoverCommand(e: unknown, node: CommandNode, hadErrors: boolean): void {
    if (!isRecognitionException(e as Error)) throw e;
    const actual = this.LA(1);
    const prev = this.LA(0);
    // At the end, after an error inside this command, a missing ';' is only an echo of it.
    if (this.is(actual, EOF) && (this.st.truncated || hadErrors)) return;
    const onNewLine = (actual.startLine ?? 0) > tokenEnd(this.st.source, prev as SieveToken).line;
    if (this.is(actual, EOF) || this.is(actual, RCurly) || (onNewLine && this.is(actual, Identifier))) {
      let after = prev;
      // `keep` NEWLINE `stop` NEWLINE `}`: the next command was read as a test of this one.
      // Give it back so it is parsed as the command it is.
      if (node.tests.length === 1 && !node.testList) {
        const ti = this.tokenIndexAt(node.tests[0]!.pos.offset);
        const before = this.st.tokens[ti - 1];
        if (before && node.tests[0]!.pos.line > tokenEnd(this.st.source, before).line) {
          node.tests = [];
          after = before;
          this.jumpTo(ti);
        }
      }
      this.reportAfter(`missing semicolon after ${node.name} command`, after);
      return;
    }
    this.report(`expected ';' or '{' after ${node.name} command, found ${describeToken(actual)}`, actual);
    const tokens = this.st.tokens;
    let i = this.nextIndex();
    for (; ; i++) {
      const t = tokens[i]!.tokenType;
      if (t === EOF || t === RCurly || t === LCurly) break;
      if (t === Semicolon) {
        i++;
        break;
      }
    }
    this.jumpTo(i);
    if (this.is(tokens[i]!, LCurly)) {
      this.blockOwner = node.name;
      node.block = this.SUBRULE(this.block);
    }
  }

  private recoverTestList(e: unknown, owner: Owner): void {
    if (!isRecognitionException(e as Error)) throw e;
    const actual = this.LA(1);
    const prev = this.LA(0);
    if (this.is(actual, EOF) && this.st.truncated) return;
    const where = `the test list of ${owner.name}`;
    if (this.is(prev, LParen) || this.is(prev, Comma)) {
      if (this.is(actual, RParen)) {
        this.report(`expected a test after ${describeToken(prev)} in ${where}`, actual);
      } else {
        this.report(`expected a test in ${where}, found ${describeToken(actual)}`, actual);
      }
    } else if (this.is(actual, Identifier) || this.is(actual, LParen)) {
      this.report(`missing ',' between tests in ${where}`, actual);
    } else if (
      this.is(actual, LCurly) ||
      this.is(actual, Semicolon) ||
      this.is(actual, RCurly) ||
      this.is(actual, EOF)
    ) {
      this.reportAfter(`missing ')' to close ${where}`, prev);
    } else {
      this.report(`expected ',' or ')' in ${where}, found ${describeToken(actual)}`, actual);
    }
    // Skip to the ')' closing this list, but not past the end of the command.
    const tokens = this.st.tokens;
    let i = this.nextIndex();
    let depth = 0;
    for (; ; i++) {
      const t = tokens[i]!.tokenType;
      if (t === EOF || t === LCurly || t === RCurly || t === Semicolon) break;
      if (t === LParen) depth++;
      else if (t === RParen && depth-- === 0) {
        i++;
        break;
      }
    }
    this.jumpTo(i);
  }

  private recoverStringList(e: unknown, owner: Owner): void {
    if (!isRecognitionException(e as Error)) throw e;
    const actual = this.LA(1);
    const prev = this.LA(0);
    if (this.is(actual, EOF) && this.st.truncated) return;
    const where = `string list of ${ownerName(owner)}`;
    const isString = this.is(actual, QuotedString) || this.is(actual, MultiLineString);
    if (this.is(prev, LBracket) && this.is(actual, RBracket)) {
      this.report(`empty ${where}`, prev);
    } else if (this.is(prev, LBracket) || this.is(prev, Comma)) {
      if (this.is(actual, RBracket)) this.report(`expected a string after ',' in ${where}`, actual);
      else this.report(`expected a string in ${where}, found ${describeToken(actual)}`, actual);
    } else if (isString) {
      this.report(`missing ',' between strings in ${where}`, actual);
    } else if (
      this.is(actual, Identifier) ||
      this.is(actual, LCurly) ||
      this.is(actual, RCurly) ||
      this.is(actual, Semicolon) ||
      this.is(actual, RParen) ||
      this.is(actual, EOF)
    ) {
      this.reportAfter(`missing ']' to close the ${where}`, prev);
    } else {
      this.report(`expected ',' or ']' in ${where}, found ${describeToken(actual)}`, actual);
    }
    // Skip what can still belong to the list, up to and including its ']'.
    const tokens = this.st.tokens;
    let i = this.nextIndex();
    for (; ; i++) {
      const t = tokens[i]!.tokenType;
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
        t !== LBracket
      ) {
        break;
      }
    }
    this.jumpTo(i);
  }
}

// Built once: chevrotain's grammar analysis is the expensive part.
const parser = new SieveParser();

/** The grammar as chevrotain sees it, for the railroad diagrams. */
export function serializedGrammar(): ReturnType<SieveParser['getSerializedGastProductions']> {
  return parser.getSerializedGastProductions();
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
    reporter.error(`script is too large (${text.length} characters, limit ${maxSize})`, 1, 1, 0);
    return { ast: { type: 'script', commands: [] }, diagnostics: reporter.result() };
  }
  try {
    const lexed = tokenize(text, reporter, { maxIdentifierLength: options.maxIdentifierLength });
    state = new ParseState(
      text,
      lexed.tokens,
      reporter,
      maxNesting,
      lexed.truncated,
      Math.max(1, options.maxArguments ?? DEFAULT_MAX_ARGUMENTS),
    );
    parser.st = state;
    parser.clearStacks();
    parser.input = lexed.tokens;
    parser.script();
  } catch (e) {
    fail(e, reporter, state);
  } finally {
    parser.st = idleState();
    parser.input = [];
  }
  return { ast: { type: 'script', commands: state ? state.top : [] }, diagnostics: reporter.result() };
}

function fail(e: unknown, reporter: Reporter, state: ParseState | null): void {
  if (e instanceof TooManyErrors) return;
  const eof = state?.tokens[state.tokens.length - 1];
  const message =
    e instanceof RangeError
      ? 'script is nested too deeply'
      : `internal parser error: ${(e as Error)?.message ?? e}`;
  try {
    reporter.error(message, eof?.startLine ?? 1, eof?.startColumn ?? 1, eof?.startOffset ?? 0);
  } catch (again) {
    if (!(again instanceof TooManyErrors)) throw again;
  }
}
