import {
  EmbeddedActionsParser,
  isRecognitionException,
  type IParserErrorMessageProvider,
  type IToken,
} from 'chevrotain';
import type { Diagnostic } from '../diagnostics.js';
import type {
  Argument,
  CommandNode,
  ScriptNode,
  StringArgument,
  StringListArgument,
  TestNode,
} from './ast.js';
import { tokenize } from './lexer.js';
import { K_EOF, K_MULTI_LINE, TOKEN_OF_KIND, TokenList } from './token-list.js';
import { ListStack } from './lists.js';
import { Reporter, TooManyErrors } from './reporter.js';
import {
  allTokens,
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
  /**
   * Receives each top-level command as soon as it is read, for as long as no syntax error has been
   * found; the AST then keeps no commands. A compile fed this way works on parts of the tree that
   * are still fresh in memory, and a large script is never held whole.
   */
  onCommand?: (command: CommandNode) => void;
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
    readonly tokens: TokenList,
    readonly reporter: Reporter,
    readonly maxNesting: number,
    /** Scanning stopped early; errors at the end of input are then noise. */
    readonly truncated: boolean,
    readonly maxArguments: number = DEFAULT_MAX_ARGUMENTS,
    readonly onCommand?: (command: CommandNode) => void,
  ) {}
}

const idleState = (): ParseState =>
  new ParseState(
    new TokenList('', new Uint8Array(2), new Int32Array(8), 0, new Map()),
    new Reporter(0),
    DEFAULT_MAX_NESTING,
    false,
  );

// What a node's lists hold while its arguments are read; replaced by the node's own array when it
// is complete, so each list is allocated once at its final size.
const NO_ARGS = Object.freeze([]) as unknown as Argument[];
const NO_TESTS = Object.freeze([]) as unknown as TestNode[];

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

function ownerName(owner: Owner): string {
  return `${owner.name} ${owner.type}`;
}

/** What chevrotain has but does not declare in its typings: the index of the token read last. */
interface TokenCursor {
  currIdx: number;
}

class SieveParser extends EmbeddedActionsParser {
  st: ParseState = idleState();
  /** Kinds of the tokens being parsed, and how many there are (see LA). */
  private kinds: Uint8Array = new Uint8Array(2);
  private count = 0;
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
        this.CONSUME(NumberLiteral);
        const i = this.last();
        return { type: 'number', value: this.st.tokens.value(i) as number, pos: this.st.tokens.pos(i) };
      },
    },
    {
      ALT: (): Argument => {
        this.CONSUME(Tag);
        const i = this.last();
        return { type: 'tag', name: this.st.tokens.name(i), pos: this.st.tokens.pos(i) };
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
  private readonly argStack = new ListStack<Argument>();
  private readonly commandStack = new ListStack<CommandNode>();
  private readonly stringStack = new ListStack<StringArgument>();
  private readonly testStack = new ListStack<TestNode>();
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
    const st = this.st;
    const body = (): void => {
      const command = this.SUBRULE(this.command);
      if (st.onCommand === undefined) st.top.push(command);
      else if (st.reporter.count === 0) st.onCommand(command);
    };
    do {
      this.MANY(body);
    } while (this.skipStray(false));
    return st.top;
  });

  // command = identifier arguments (";" / block)
  readonly command = this.RULE('command', (): CommandNode => {
    this.CONSUME(Identifier);
    const i = this.last();
    const tokens = this.st.tokens;
    const node: CommandNode = {
      type: 'command',
      name: tokens.name(i),
      args: NO_ARGS,
      tests: NO_TESTS,
      testList: false,
      block: null,
      pos: tokens.pos(i),
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
    if (node.args === NO_ARGS) node.args = [];
    if (node.tests === NO_TESTS) node.tests = [];
    return node;
  });

  // block = "{" commands "}"
  readonly block = this.RULE('block', (): CommandNode[] => {
    const owner = this.blockOwner;
    const st = this.st;
    if (!this.RECORDING_PHASE && st.blockDepth >= st.maxNesting) {
      this.report(
        'block-nesting-too-deep',
        `blocks nested too deeply (limit ${st.maxNesting})`,
        this.last() + 1,
      );
      this.skipBalancedBlock();
      return [];
    }
    this.CONSUME(LCurly);
    const open = this.last();
    const stack = this.commandStack;
    const from = stack.top;
    let body: CommandNode[];
    st.blockDepth++;
    try {
      do {
        this.MANY(this.blockLoop);
      } while (this.skipStray(true));
    } finally {
      st.blockDepth--;
      body = stack.take(from);
    }
    if (!this.RECORDING_PHASE && this.LA(1).tokenType === EOF) {
      if (!st.truncated)
        this.report('missing-closing-brace', `missing '}' to close the block of ${owner} command`, open);
      return body;
    }
    this.CONSUME(RCurly);
    return body;
  });

  // arguments = *argument [ test / test-list ]
  readonly arguments = this.RULE('arguments', (): void => {
    const owner = this.argOwner;
    const stack = this.argStack;
    const from = stack.top;
    try {
      this.MANY(this.argumentLoop);
    } finally {
      if (stack.top > from) owner.args = stack.take(from);
    }
    if (!this.RECORDING_PHASE && owner.args.length > this.st.maxArguments) {
      const extra = owner.args[this.st.maxArguments]!.pos;
      this.st.reporter.error(
        'too-many-arguments',
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
    this.OR(this.stringAlts);
    const i = this.last();
    const tokens = this.st.tokens;
    return {
      type: 'string',
      value: tokens.value(i) as string,
      multiline: tokens.kinds[i] === K_MULTI_LINE,
      pos: tokens.pos(i),
    };
  });

  // string-list = "[" string *("," string) "]"
  readonly stringList = this.RULE('stringList', (): StringListArgument => {
    const owner = this.argOwner;
    this.CONSUME(LBracket);
    const node: StringListArgument = { type: 'stringlist', items: [], pos: this.st.tokens.pos(this.last()) };
    const stack = this.stringStack;
    const from = stack.top;
    try {
      stack.push(this.SUBRULE(this.string));
      this.MANY(this.stringListLoop);
      this.CONSUME(RBracket);
    } catch (e) {
      this.recoverStringList(e, owner);
    } finally {
      if (stack.top > from) node.items = stack.take(from);
    }
    return node;
  });

  // test = identifier arguments
  readonly test = this.RULE('test', (): TestNode => {
    const st = this.st;
    if (!this.RECORDING_PHASE && st.testDepth >= st.maxNesting) return this.skipDeepTest();
    this.CONSUME(Identifier);
    const i = this.last();
    const node: TestNode = {
      type: 'test',
      name: st.tokens.name(i),
      args: NO_ARGS,
      tests: NO_TESTS,
      testList: false,
      pos: st.tokens.pos(i),
    };
    st.testDepth++;
    try {
      this.argOwner = node;
      this.SUBRULE(this.arguments);
    } finally {
      st.testDepth--;
    }
    if (node.args === NO_ARGS) node.args = [];
    if (node.tests === NO_TESTS) node.tests = [];
    return node;
  });

  // test-list = "(" test *("," test) ")"
  readonly testList = this.RULE('testList', (): TestNode[] => {
    const owner = this.argOwner;
    this.CONSUME(LParen);
    const stack = this.testStack;
    const from = stack.top;
    let tests: TestNode[] = NO_TESTS;
    try {
      stack.push(this.SUBRULE(this.test));
      this.MANY(this.testListLoop);
      this.CONSUME(RParen);
    } catch (e) {
      this.recoverTestList(e, owner);
    } finally {
      tests = stack.take(from);
    }
    return tests;
  });

  /** Empties the list stacks, so that they hold on to nothing of a parse once it is over. */
  clearStacks(): void {
    this.argStack.clear();
    this.commandStack.clear();
    this.stringStack.clear();
    this.testStack.clear();
  }

  // chevrotain reads tokens only through LA and LA_FAST, which may be overridden; these read the
  // kinds of the TokenList, so no array of token objects is built.

  protected override LA_FAST(howMuch: number): IToken {
    return TOKEN_OF_KIND[this.kinds[(this as unknown as TokenCursor).currIdx + howMuch]!]!;
  }

  protected override LA(howMuch: number): IToken {
    const i = (this as unknown as TokenCursor).currIdx + howMuch;
    return TOKEN_OF_KIND[i < 0 || i >= this.count ? K_EOF : this.kinds[i]!]!;
  }

  /** chevrotain's jump to the end after an error it cannot recover from. */
  moveToTerminatedState(): void {
    (this as unknown as TokenCursor).currIdx = this.count - 1;
  }

  /** Sets the tokens to parse (and resets chevrotain's state). */
  setTokens(tokens: TokenList): void {
    this.kinds = tokens.kinds;
    this.count = tokens.length;
    this.input = [];
  }

  /** Index in st.tokens of the token consumed last (LA(0)). */
  private last(): number {
    return (this as unknown as TokenCursor).currIdx;
  }

  /** Continue parsing at st.tokens[index]. */
  private jumpTo(index: number): void {
    (this as unknown as TokenCursor).currIdx = index - 1;
  }

  // ---- error reporting and recovery (never runs while chevrotain records the grammar) ----

  /** Reports at a token; errors at the end of a truncated script are dropped as noise. */
  private report(code: string, message: string, at: number): void {
    const tokens = this.st.tokens;
    if (tokens.type(at) === EOF && this.st.truncated) return;
    this.st.reporter.error(code, message, tokens.line(at), tokens.column(at), tokens.offset(at));
  }

  /** Reports just after a token (where something is missing). */
  private reportAfter(code: string, message: string, at: number): void {
    const end = this.st.tokens.endPos(at);
    this.st.reporter.error(code, message, end.line, end.column, end.offset);
  }

  private tokenIndexAt(offset: number): number {
    const tokens = this.st.tokens;
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
  private skipStray(inBlock: boolean): boolean {
    if (this.RECORDING_PHASE) return false;
    const tokens = this.st.tokens;
    const at = this.last() + 1;
    const type = tokens.type(at);
    if (type === EOF || (inBlock && type === RCurly)) return false;
    const isValue =
      type === QuotedString ||
      type === MultiLineString ||
      type === NumberLiteral ||
      type === Tag ||
      type === Unknown;
    if (isValue) this.report('expected-command', `expected a command, found ${tokens.describe(at)}`, at);
    else this.report('unexpected-token', `unexpected ${tokens.describe(at)}`, at);
    if (type === LCurly) {
      this.skipBalancedBlock();
      return true;
    }
    if (type === RCurly || type === Semicolon) {
      this.jumpTo(at + 1);
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
    this.jumpTo(i);
    return true;
  }

  /** LA(1) is '{': move past its matching '}' (or to the end). */
  private skipBalancedBlock(): void {
    const tokens = this.st.tokens;
    let i = this.last() + 1;
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
    this.jumpTo(i);
  }

  /** A test nested beyond the limit: report it once and skip to where the enclosing construct continues. */
  private skipDeepTest(): TestNode {
    const first = this.last() + 1;
    this.report('test-nesting-too-deep', `tests nested too deeply (limit ${this.st.maxNesting})`, first);
    const tokens = this.st.tokens;
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
    this.jumpTo(i);
    return {
      type: 'test',
      name: tokens.type(first) === Identifier ? (tokens.value(first) as string) : '',
      args: [],
      tests: [],
      testList: false,
      pos: tokens.pos(first),
    };
  }

  /** The command did not end with ';' or a block. */
  private recoverCommand(e: unknown, node: CommandNode, hadErrors: boolean): void {
    if (!isRecognitionException(e as Error)) throw e;
    const tokens = this.st.tokens;
    const prev = this.last();
    const actual = prev + 1;
    const type = tokens.type(actual);
    // At the end, after an error inside this command, a missing ';' is only an echo of it.
    if (type === EOF && (this.st.truncated || hadErrors)) return;
    const onNewLine = tokens.line(actual) > tokens.endPos(prev).line;
    if (type === EOF || type === RCurly || (onNewLine && type === Identifier)) {
      let after = prev;
      // `keep` NEWLINE `stop` NEWLINE `}`: the next command was read as a test of this one.
      // Give it back so it is parsed as the command it is.
      if (node.tests.length === 1 && !node.testList) {
        const ti = this.tokenIndexAt(node.tests[0]!.pos.offset);
        if (ti > 0 && node.tests[0]!.pos.line > tokens.endPos(ti - 1).line) {
          node.tests = [];
          after = ti - 1;
          this.jumpTo(ti);
        }
      }
      this.reportAfter('missing-semicolon', `missing semicolon after ${node.name} command`, after);
      return;
    }
    this.report(
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
    this.jumpTo(i);
    if (tokens.type(i) === LCurly) {
      this.blockOwner = node.name;
      node.block = this.SUBRULE(this.block);
    }
  }

  private recoverTestList(e: unknown, owner: Owner): void {
    if (!isRecognitionException(e as Error)) throw e;
    const tokens = this.st.tokens;
    const prev = this.last();
    const actual = prev + 1;
    const type = tokens.type(actual);
    const prevType = tokens.type(prev);
    if (type === EOF && this.st.truncated) return;
    const where = `the test list of ${owner.name}`;
    if (prevType === LParen || prevType === Comma) {
      if (type === RParen) {
        this.report('expected-test', `expected a test after ${tokens.describe(prev)} in ${where}`, actual);
      } else {
        this.report('expected-test', `expected a test in ${where}, found ${tokens.describe(actual)}`, actual);
      }
    } else if (type === Identifier || type === LParen) {
      this.report('missing-comma', `missing ',' between tests in ${where}`, actual);
    } else if (type === LCurly || type === Semicolon || type === RCurly || type === EOF) {
      this.reportAfter('missing-closing-paren', `missing ')' to close ${where}`, prev);
    } else {
      this.report(
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
    this.jumpTo(i);
  }

  private recoverStringList(e: unknown, owner: Owner): void {
    if (!isRecognitionException(e as Error)) throw e;
    const tokens = this.st.tokens;
    const prev = this.last();
    const actual = prev + 1;
    const type = tokens.type(actual);
    const prevType = tokens.type(prev);
    if (type === EOF && this.st.truncated) return;
    const where = `string list of ${ownerName(owner)}`;
    const isString = type === QuotedString || type === MultiLineString;
    if (prevType === LBracket && type === RBracket) {
      this.report('empty-string-list', `empty ${where}`, prev);
    } else if (prevType === LBracket || prevType === Comma) {
      if (type === RBracket)
        this.report('expected-string', `expected a string after ',' in ${where}`, actual);
      else
        this.report(
          'expected-string',
          `expected a string in ${where}, found ${tokens.describe(actual)}`,
          actual,
        );
    } else if (isString) {
      this.report('missing-comma', `missing ',' between strings in ${where}`, actual);
    } else if (
      type === Identifier ||
      type === LCurly ||
      type === RCurly ||
      type === Semicolon ||
      type === RParen ||
      type === EOF
    ) {
      this.reportAfter('missing-closing-bracket', `missing ']' to close the ${where}`, prev);
    } else {
      this.report(
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
    this.jumpTo(i);
  }
}

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
