import type { Argument, CommandNode, Position, TestNode } from '../syntax/ast.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SieveString } from '../compiler/strings.js';
import type { CompiledCommand, CompiledTest } from '../compiler/program.js';

/** Value kinds a positional argument or a tag parameter can take. `stringlist` also accepts a single string. */
export type ArgType = 'string' | 'stringlist' | 'number';

export interface TagDef {
  /** Lower-case name without the colon. */
  name: string;
  /** Type of the argument that must follow the tag, if any. */
  param?: ArgType;
  /** Tags sharing a group are mutually exclusive. */
  group?: string;
}

/** A tag an extension adds to a command defined elsewhere (e.g. copy adds :copy to fileinto and redirect). */
export interface TagExtension {
  command: string;
  tag: TagDef;
}

/** Arguments of one command or test after signature checking. */
export interface ParsedArgs {
  /** Tags present, keyed by name; `value` is the tag's parameter when it takes one. */
  tags: Map<string, { pos: Position; value?: Argument }>;
  positional: Argument[];
  /** Resolved :comparator / match type, for definitions with `matching`. */
  match?: MatchSpec;
  /** Resolved address part, for definitions with `addressPart`. */
  addressPart?: AddressPartDef;
}

export interface CompileContext {
  /** True when the capability was required (or is always on). */
  has(capability: string): boolean;
  error(pos: Position, message: string): void;
  warning(pos: Position, message: string): void;
  /** Compiles a string argument: encoded-character decoding and, with variables, a template. */
  string(arg: Argument): SieveString;
  /** Compiles a string or string-list argument. */
  stringList(arg: Argument): SieveString[];
  /** Compiles match keys for a match spec (constant keys are prepared once). */
  keys(arg: Argument, spec: MatchSpec): CompiledKeys;
  /** Free-form per-compile state for extensions (e.g. declared variables). */
  readonly state: Map<string, unknown>;
  /** The node being compiled. */
  readonly node: CommandNode | TestNode;
  /** Enclosing command names, innermost last. */
  readonly ancestors: string[];
  /** Engine configuration. */
  readonly config: EngineConfig;
}

export interface CommandDef<D = unknown> {
  name: string;
  tags?: TagDef[];
  /** Accepts :comparator and the match-type tags. */
  matching?: boolean;
  /** Comparator when none is given (RFC 5228's default is i;ascii-casemap). */
  defaultComparator?: string;
  /** Accepts the address-part tags. */
  addressPart?: boolean;
  positional?: ArgType[];
  /** Number of trailing positional arguments that may be left out. */
  optionalPositional?: number;
  /** Nested tests taken: none (default), exactly one, or a list. */
  tests?: 'none' | 'one' | 'list';
  /** Commands only: takes a block instead of `;`. */
  block?: boolean;
  /** Extra validation and pre-computation; the value returned is what run/test receive. */
  compile?(args: ParsedArgs, cx: CompileContext, tests: CompiledTest[]): D;
}

export interface ActionCommandDef<D = unknown> extends CommandDef<D> {
  /** Runs the command; a command with a block runs it through `runCommands` when it sees fit. */
  run(data: D, rt: Runtime, block: CompiledCommand[] | null): void;
}

export interface TestDef<D = unknown> extends CommandDef<D> {
  test(data: D, rt: Runtime): boolean;
}

export interface ComparatorDef {
  name: string;
  /** Lower-cases, maps digits, etc.: applied to both sides before :is/:contains/:matches. */
  normalize?(s: string): string;
  /** Ordering for relational :value; equality for :is when defined. */
  compare?(a: string, b: string): number;
  /** False for comparators that cannot do substring matches (i;ascii-numeric). */
  substring: boolean;
  /** False when normalize may change the length (match variables then come from the normalized text). */
  keepsLength?: boolean;
  /** Accepted without its `require`, with a warning (scripts written for Pigeonhole rely on this). */
  lenientRequire?: boolean;
}

export interface MatchTypeDef {
  name: string;
  /** Parameter the tag takes (relational's :value "gt"). */
  param?: ArgType;
  /** Checks the parameter at compile time; returns an error message or null. */
  checkParam?(value: string): string | null;
  /** Compiles one constant key once; the returned matcher is called per value. */
  prepare(key: string, spec: MatchSpec): KeyMatcher;
  /** Whole-list matching (relational :count counts values instead of comparing them). */
  matchAll?(values: string[], keys: string[], spec: MatchSpec, rt: Runtime): boolean;
}

export interface MatchSpec {
  type: MatchTypeDef;
  comparator: ComparatorDef;
  /** The match type's parameter, e.g. "gt" for :value "gt". */
  param?: string;
}

/** Tests one value against a prepared key; a match may set match variables through rt. */
export type KeyMatcher = (value: string, rt: Runtime | null) => boolean;

export type CompiledKeys =
  { constant: true; strings: string[]; matchers: KeyMatcher[] } | { constant: false; strings: SieveString[] };

export interface AddressPartDef {
  name: string;
  /** Returns the part, or null when the address has no such part (the value is then skipped). */
  extract(address: { localPart: string; domain: string | null; address: string }, rt: Runtime): string | null;
}

/** One Sieve extension: everything a capability brings, in one object. */
export interface Extension {
  /** Capability string for `require`. */
  name: string;
  commands?: ActionCommandDef[];
  tests?: TestDef[];
  comparators?: ComparatorDef[];
  matchTypes?: MatchTypeDef[];
  addressParts?: AddressPartDef[];
  tagsFor?: TagExtension[];
  /** Capabilities this one brings along (e.g. spamtestplus implies spamtest). */
  implies?: string[];
  /** Not advertised and not allowed in normal scripts (test harness only). */
  testOnly?: boolean;
  /** Called once per compile after `require` to set up extension state. */
  onRequire?(cx: CompileContext): void;
  /** Called before a script that requires this extension runs (sets up per-run state). */
  onRun?(rt: Runtime): void;
}

/** Engine-wide settings; every limit has a name and a default. */
export interface EngineConfig {
  maxActions: number;
  maxRedirects: number;
  maxScriptSize: number;
  maxNesting: number;
  maxVariables: number;
  maxVariableSize: number;
  maxMatchValues: number;
  vacation: { minPeriod: number; maxPeriod: number; defaultPeriod: number };
  spamtest: ScoreTestConfig;
  virustest: ScoreTestConfig;
  /** Delimiter for subaddress :user/:detail. */
  recipientDelimiter: string;
  /** Capabilities switched off for this engine. */
  disabled: string[];
}

/** Where spamtest/virustest read their score and how to scale it (RFC 5235). */
export interface ScoreTestConfig {
  /** Header field holding the status (its first occurrence is read). */
  header: string;
  /**
   * How to read the status: `score` a decimal number scaled against the maximum, `strlen` the
   * length of a run of one repeated character (e.g. "*****") scaled against the maximum, `text`
   * a string looked up in `textValues`.
   */
  type: 'score' | 'strlen' | 'text';
  /**
   * JavaScript regular expression applied to the header value; group 1 is the status and, for
   * score and strlen, group 2 (when it matched) the maximum. POSIX classes such as `[[:digit:]]`
   * are accepted. Without a pattern the whole value is the status.
   */
  pattern?: string;
  /** Maximum score for score and strlen when neither group 2 nor `maxHeader` gives one. */
  max: number;
  /** Header holding the maximum (a decimal number), read through `pattern` group 1 when given. */
  maxHeader?: { header: string; pattern?: string };
  /**
   * For type "text": status string → value (0..10 for spamtest, 0..5 for virustest), compared
   * case-sensitively; the key "*" stands for any status not listed.
   */
  textValues?: Record<string, number>;
  /**
   * Status to use when the header is present but `pattern` does not match; when absent such a
   * message counts as not tested ("0").
   */
  unmatched?: string;
}
