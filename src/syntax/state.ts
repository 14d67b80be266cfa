import type { Diagnostic } from '../diagnostics.js';
import type { CommandNode, ScriptNode, TestNode } from './ast.js';
import { Reporter } from './reporter.js';
import { TokenList } from './token-list.js';

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
  /** Give every command, test, argument and block its end offset (see `end` in the AST). */
  spans?: boolean;
  /** Keep the comments in `ast.comments`. */
  comments?: boolean;
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
export type Owner = CommandNode | TestNode;

export class ParseState {
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
    /** Record end offsets (ParseOptions.spans). */
    readonly spans: boolean = false,
  ) {}
}

export const idleState = (): ParseState =>
  new ParseState(
    new TokenList('', new Uint8Array(2), new Int32Array(8), 0, new Map()),
    new Reporter(0),
    DEFAULT_MAX_NESTING,
    false,
  );
