import type { IToken } from 'chevrotain';
import type { Argument, CommandNode, StringArgument, StringListArgument, TestNode } from './ast.js';
import { K_MULTI_LINE } from './token-list.js';
import { TokenListParser } from './token-parser.js';
import { ListStack } from './lists.js';
import {
  ownerName,
  recoverCommand,
  recoverStringList,
  recoverTestList,
  report,
  skipBalancedBlock,
  skipDeepTest,
  skipStray,
} from './recovery.js';
import { idleState, type Owner, type ParseState } from './state.js';
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
} from './tokens.js';

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

export class SieveParser extends TokenListParser {
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
        this.eat(Semicolon);
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
        this.eat(NumberLiteral);
        const i = this.last();
        return this.mark<Argument>({
          type: 'number',
          value: this.st.tokens.value(i) as number,
          pos: this.st.tokens.pos(i),
        });
      },
    },
    {
      ALT: (): Argument => {
        this.eat(Tag);
        const i = this.last();
        return this.mark<Argument>({ type: 'tag', name: this.st.tokens.name(i), pos: this.st.tokens.pos(i) });
      },
    },
  ];
  private readonly stringAlts = [
    { ALT: (): IToken => this.eat(QuotedString) },
    { ALT: (): IToken => this.eat(MultiLineString) },
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
    this.eat(Comma);
    this.stringStack.push(this.SUBRULE2(this.string));
  };
  private readonly testListLoop = (): void => {
    this.eat(Comma);
    this.testStack.push(this.SUBRULE2(this.test));
  };
  private readonly optionalTest = (): TestNode | TestNode[] => this.OR(this.testAlts);

  constructor() {
    super(allTokens);
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
    } while (!this.RECORDING_PHASE && skipStray(this, false));
    return st.top;
  });

  // command = identifier arguments (";" / block)
  readonly command = this.RULE('command', (): CommandNode => {
    this.eat(Identifier);
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
      if (recoverCommand(this, e, node, this.st.reporter.count > errorsBefore)) {
        this.blockOwner = node.name;
        node.block = this.SUBRULE(this.block);
      }
    }
    if (node.args === NO_ARGS) node.args = [];
    if (node.tests === NO_TESTS) node.tests = [];
    if (this.st.spans) this.markCommand(node);
    return node;
  });

  // block = "{" commands "}"
  readonly block = this.RULE('block', (): CommandNode[] => {
    const owner = this.blockOwner;
    const st = this.st;
    if (!this.RECORDING_PHASE && st.blockDepth >= st.maxNesting) {
      report(
        this,
        'block-nesting-too-deep',
        `blocks nested too deeply (limit ${st.maxNesting})`,
        this.last() + 1,
      );
      skipBalancedBlock(this);
      return [];
    }
    this.eat(LCurly);
    const open = this.last();
    const stack = this.commandStack;
    const from = stack.top;
    let body: CommandNode[];
    st.blockDepth++;
    try {
      do {
        this.MANY(this.blockLoop);
      } while (!this.RECORDING_PHASE && skipStray(this, true));
    } finally {
      st.blockDepth--;
      body = stack.take(from);
    }
    if (!this.RECORDING_PHASE && this.LA(1).tokenType === EOF) {
      if (!st.truncated)
        report(this, 'missing-closing-brace', `missing '}' to close the block of ${owner} command`, open);
      this.blockSpan(open);
      return body;
    }
    this.eat(RCurly);
    this.blockSpan(open);
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
    return this.mark<StringArgument>({
      type: 'string',
      value: tokens.value(i) as string,
      multiline: tokens.kinds[i] === K_MULTI_LINE,
      pos: tokens.pos(i),
    });
  });

  // string-list = "[" string *("," string) "]"
  readonly stringList = this.RULE('stringList', (): StringListArgument => {
    const owner = this.argOwner;
    this.eat(LBracket);
    const node: StringListArgument = { type: 'stringlist', items: [], pos: this.st.tokens.pos(this.last()) };
    const stack = this.stringStack;
    const from = stack.top;
    try {
      stack.push(this.SUBRULE(this.string));
      this.MANY(this.stringListLoop);
      this.eat(RBracket);
    } catch (e) {
      recoverStringList(this, e, owner);
    } finally {
      if (stack.top > from) node.items = stack.take(from);
    }
    return this.mark(node);
  });

  // test = identifier arguments
  readonly test = this.RULE('test', (): TestNode => {
    const st = this.st;
    if (!this.RECORDING_PHASE && st.testDepth >= st.maxNesting) return skipDeepTest(this);
    this.eat(Identifier);
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
    return this.mark(node);
  });

  // test-list = "(" test *("," test) ")"
  readonly testList = this.RULE('testList', (): TestNode[] => {
    const owner = this.argOwner;
    this.eat(LParen);
    const stack = this.testStack;
    const from = stack.top;
    let tests: TestNode[] = NO_TESTS;
    try {
      stack.push(this.SUBRULE(this.test));
      this.MANY(this.testListLoop);
      this.eat(RParen);
    } catch (e) {
      recoverTestList(this, e, owner);
    } finally {
      tests = stack.take(from);
    }
    return tests;
  });

  /** With spans on, sets a node's end to the end of the token consumed last. */
  private mark<T extends { end?: number }>(node: T): T {
    if (this.st.spans) node.end = this.st.tokens.end(this.at);
    return node;
  }

  /** Where the block read last began and ended, for the command that owns it (spans only). */
  private lastBlock: [number, number] | null = null;

  private blockSpan(open: number): void {
    if (this.st.spans && !this.RECORDING_PHASE)
      this.lastBlock = [this.st.tokens.offset(open), this.st.tokens.end(this.at)];
  }

  private markCommand(node: CommandNode): void {
    node.end = this.st.tokens.end(this.at);
    if (node.block !== null && this.lastBlock !== null) {
      node.blockStart = this.lastBlock[0];
      node.blockEnd = this.lastBlock[1];
    }
    this.lastBlock = null;
  }

  /** Empties the list stacks, so that they hold on to nothing of a parse once it is over. */
  clearStacks(): void {
    this.argStack.clear();
    this.commandStack.clear();
    this.stringStack.clear();
    this.testStack.clear();
  }
}
