import type { Argument, CommandNode, StringArgument, TestNode } from './ast.js';
import type { Owner, ParseState } from './state.js';
import {
  K_COMMA,
  K_IDENTIFIER,
  K_LBRACKET,
  K_LCURLY,
  K_LPAREN,
  K_MULTI_LINE,
  K_NUMBER,
  K_NUMBER_STORED,
  K_QUOTED,
  K_QUOTED_STORED,
  K_RBRACKET,
  K_RCURLY,
  K_RPAREN,
  K_SEMICOLON,
  K_TAG,
} from './token-list.js';

/*
 * A plain recursive-descent reader for scripts without syntax errors, which is nearly every script
 * a server or a delivery sees. It builds the same tree as the chevrotain grammar (parser.ts) but
 * needs no grammar analysis, which is most of a short command's parse cost, since the chevrotain
 * parser is then never built. At the first token it does not expect, or a limit reached, it gives
 * up and the chevrotain grammar parses the script again: that one owns every diagnostic and the
 * error recovery, so messages never depend on which reader ran.
 */

/** Thrown to leave the fast reader; never escapes this module. */
const GIVE_UP: unique symbol = Symbol('give up');

class DirectReader {
  private readonly kinds: Uint8Array;
  /** Index of the next token. */
  private at = 0;
  /** Start and end offsets of the block read last (spans only), for the command that owns it. */
  private lastBlock: [number, number] | null = null;
  /** Top-level commands already handed to onCommand. */
  delivered = 0;
  /** Set while onCommand runs: what it throws is the caller's, not a reason to give up. */
  inCallback = false;

  constructor(private readonly st: ParseState) {
    this.kinds = st.tokens.kinds;
  }

  script(): void {
    const st = this.st;
    const count = st.tokens.length;
    // The last token is EOF (kind 0), which no rule accepts.
    while (this.at < count && this.kinds[this.at] === K_IDENTIFIER) {
      const command = this.command();
      if (st.onCommand === undefined) st.top.push(command);
      else {
        this.inCallback = true;
        st.onCommand(command);
        this.inCallback = false;
        this.delivered++;
      }
    }
    if (this.at !== count - 1) throw GIVE_UP;
  }

  private command(): CommandNode {
    const tokens = this.st.tokens;
    const i = this.at++;
    const node: CommandNode = {
      type: 'command',
      name: tokens.name(i),
      args: [],
      tests: [],
      testList: false,
      block: null,
      pos: tokens.pos(i),
    };
    this.arguments(node);
    const kind = this.kinds[this.at];
    if (kind === K_SEMICOLON) this.at++;
    else if (kind === K_LCURLY) node.block = this.block();
    else throw GIVE_UP;
    if (this.st.spans) {
      node.end = tokens.end(this.at - 1);
      if (node.block !== null && this.lastBlock !== null) {
        node.blockStart = this.lastBlock[0];
        node.blockEnd = this.lastBlock[1];
      }
      this.lastBlock = null;
    }
    return node;
  }

  private block(): CommandNode[] {
    const st = this.st;
    if (st.blockDepth >= st.maxNesting) throw GIVE_UP;
    const open = this.at++;
    const body: CommandNode[] = [];
    st.blockDepth++;
    while (this.kinds[this.at] === K_IDENTIFIER) body.push(this.command());
    st.blockDepth--;
    if (this.kinds[this.at] !== K_RCURLY) throw GIVE_UP;
    this.at++;
    if (st.spans) this.lastBlock = [st.tokens.offset(open), st.tokens.end(this.at - 1)];
    return body;
  }

  private arguments(owner: Owner): void {
    const args: Argument[] = [];
    for (;;) {
      const argument = this.argument();
      if (argument === null) break;
      args.push(argument);
    }
    if (args.length > this.st.maxArguments) throw GIVE_UP;
    owner.args = args;
    const kind = this.kinds[this.at];
    if (kind === K_IDENTIFIER) owner.tests = [this.test()];
    else if (kind === K_LPAREN) {
      owner.tests = this.testList();
      owner.testList = true;
    }
  }

  /** The argument at the cursor, or null when the next token does not start one. */
  private argument(): Argument | null {
    const tokens = this.st.tokens;
    const i = this.at;
    switch (this.kinds[i]) {
      case K_QUOTED:
      case K_QUOTED_STORED:
      case K_MULTI_LINE:
        return this.string();
      case K_LBRACKET:
        return this.stringList();
      case K_NUMBER:
      case K_NUMBER_STORED:
        this.at++;
        return this.mark<Argument>({ type: 'number', value: tokens.value(i) as number, pos: tokens.pos(i) });
      case K_TAG:
        this.at++;
        return this.mark<Argument>({ type: 'tag', name: tokens.name(i), pos: tokens.pos(i) });
      default:
        return null;
    }
  }

  private string(): StringArgument {
    const tokens = this.st.tokens;
    const i = this.at++;
    return this.mark<StringArgument>({
      type: 'string',
      value: tokens.value(i) as string,
      multiline: this.kinds[i] === K_MULTI_LINE,
      pos: tokens.pos(i),
    });
  }

  private stringList(): Argument {
    const tokens = this.st.tokens;
    const pos = tokens.pos(this.at++);
    const items: StringArgument[] = [];
    for (;;) {
      const kind = this.kinds[this.at];
      if (kind !== K_QUOTED && kind !== K_QUOTED_STORED && kind !== K_MULTI_LINE) throw GIVE_UP;
      items.push(this.string());
      if (this.kinds[this.at] !== K_COMMA) break;
      this.at++;
    }
    if (this.kinds[this.at] !== K_RBRACKET) throw GIVE_UP;
    this.at++;
    return this.mark<Argument>({ type: 'stringlist', items, pos });
  }

  private test(): TestNode {
    const st = this.st;
    if (st.testDepth >= st.maxNesting) throw GIVE_UP;
    const i = this.at++;
    const node: TestNode = {
      type: 'test',
      name: st.tokens.name(i),
      args: [],
      tests: [],
      testList: false,
      pos: st.tokens.pos(i),
    };
    st.testDepth++;
    this.arguments(node);
    st.testDepth--;
    return this.mark(node);
  }

  private testList(): TestNode[] {
    this.at++;
    const tests: TestNode[] = [];
    for (;;) {
      if (this.kinds[this.at] !== K_IDENTIFIER) throw GIVE_UP;
      tests.push(this.test());
      if (this.kinds[this.at] !== K_COMMA) break;
      this.at++;
    }
    if (this.kinds[this.at] !== K_RPAREN) throw GIVE_UP;
    this.at++;
    return tests;
  }

  /** With spans on, sets a node's end to the end of the token read last. */
  private mark<T extends { end?: number }>(node: T): T {
    if (this.st.spans) node.end = this.st.tokens.end(this.at - 1);
    return node;
  }
}

/**
 * Reads the tokens of `st` into `st.top` (or onCommand). Returns -1 when the whole script was
 * read; otherwise the number of top-level commands already handed to onCommand, and the script
 * must be parsed again by the grammar, which reports the errors.
 */
export function readDirect(st: ParseState): number {
  const reader = new DirectReader(st);
  try {
    reader.script();
    return -1;
  } catch (e) {
    // A RangeError is the stack running out on a deeply nested script: the grammar reports it.
    if (!reader.inCallback && (e === GIVE_UP || e instanceof RangeError)) return reader.delivered;
    throw e;
  }
}
