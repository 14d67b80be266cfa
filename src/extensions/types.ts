import type { Argument, CommandNode, Position, TestNode } from '../syntax/ast.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Unwind } from '../runtime/interpreter.js';
import type { SieveString } from '../compiler/strings.js';
import type { CompiledCommand, CompiledTest, Program } from '../compiler/program.js';
import type { Diagnostic } from '../diagnostics.js';
import type { StateBag, StateKey } from '../compiler/state.js';
import type { Action } from '../runtime/result.js';

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

/** A tag written on a command or test: where, and its parameter when it takes one. */
export interface TagValue {
  pos: Position;
  value?: Argument;
}

/** Arguments of one command or test after signature checking. */
export interface ParsedArgs {
  /** Tags present, keyed by name, in the order written. */
  tags: ReadonlyMap<string, TagValue>;
  positional: Argument[];
  /** Resolved :comparator / match type, for definitions with `matching`. */
  match?: MatchSpec;
  /** Resolved address part, for definitions with `addressPart`. */
  addressPart?: AddressPartDef;
}

export interface CompileContext {
  /** True when the capability was required (or is always on). */
  has(capability: string): boolean;
  /** Reports an error; `code` is its stable identifier (default `bad-argument`). */
  error(pos: Position, message: string, code?: string): void;
  /** Reports a warning; `code` is its stable identifier (default `questionable-argument`). */
  warning(pos: Position, message: string, code?: string): void;
  /** Compiles a string argument through the string hooks of the extensions required. */
  string(arg: Argument): SieveString;
  /** Compiles a string or string-list argument. */
  stringList(arg: Argument): SieveString[];
  /** Compiles match keys for a match spec (constant keys are prepared once). */
  keys(arg: Argument, spec: MatchSpec): CompiledKeys;
  /**
   * For a test that reads header fields: where it reads them, as the attachments of this node's
   * tags make it (`:mime`, `:index`); null when none applies and the message is read as it is.
   */
  fields(args: ParsedArgs): FieldSource | null;
  /**
   * For a command that takes an action: what attachments add to the action (`:flags`), to call
   * before the action joins the result; null when no attachment has anything to add.
   */
  actionFields(args: ParsedArgs): ActionFields | null;
  /** Per-compile state for extensions, by typed key (see `stateKey`). */
  readonly state: StateBag;
  /** The node being compiled. */
  readonly node: CommandNode | TestNode;
  /** Enclosing command names, innermost last. */
  readonly ancestors: string[];
  /** Engine configuration. */
  readonly config: EngineConfig;
  /** Capabilities enabled so far in this script (required or implied). */
  readonly capabilities: ReadonlySet<string>;
  /**
   * Enables a capability as `require` would (ihave); false when the engine does not offer it.
   * Its onRequire runs as for a require.
   */
  enable(capability: string): boolean;
  /** The extension offering a capability, when this engine has it. */
  extension(capability: string): Extension | undefined;
  /** Loads another script for include (RFC 6609); absent when the engine has no script loader. */
  readonly loadScript?: (name: string, location: 'personal' | 'global') => string | null;
  /**
   * Parses and compiles another script with this engine's registry and configuration; `seed`
   * entries are copied into the new compile's `state` (include passes its bookkeeping on this way).
   */
  compileScript(
    source: string,
    seed?: Map<string, unknown>,
  ): { program: Program | null; diagnostics: Diagnostic[] };
}

/**
 * Where a script runs: `delivery` (a message arriving: LDA, LMTP) or `imap` (an IMAP event, RFC
 * 6785 imapsieve: a message appended, copied or flagged in a mailbox).
 */
export type RunContext = 'delivery' | 'imap';

export interface CommandDef<D = unknown> {
  name: string;
  /** The run contexts the command makes sense in (all when absent); elsewhere it does not compile. */
  contexts?: readonly RunContext[];
  tags?: TagDef[];
  /** Accepts :comparator and the match-type tags. */
  matching?: boolean;
  /** Comparator when none is given (RFC 5228's default is i;ascii-casemap). */
  defaultComparator?: string;
  /** Accepts the address-part tags. */
  addressPart?: boolean;
  positional?: ArgType[];
  /** What each positional argument is (e.g. "header names"), for error messages. */
  positionalNames?: string[];
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
  run(data: D, rt: Runtime, block: CompiledCommand[] | null): void | Unwind;
}

export interface TestDef<D = unknown> extends CommandDef<D> {
  test(data: D, rt: Runtime): boolean;
  /** `test` bound to one test's data at compile time, for untraced runs (absent or null: `test`). */
  bind?(data: D): ((rt: Runtime) => boolean) | null;
  /** As the condition of `if`/`elsif`: false leaves the block uncompiled (ihave, RFC 5463 §4). */
  guard?(data: D): boolean;
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
  /** Needs a comparator that can match substrings (like :contains and :matches). */
  substring?: boolean;
  /** Compiles one constant key once; the returned matcher is called per value. */
  prepare(key: string, spec: MatchSpec): KeyMatcher;
  /** Whole-list matching (relational :count counts values instead of comparing them). */
  matchAll?(values: string[], keys: string[], spec: MatchSpec, rt: Runtime): boolean;
  /** False for match types that take no :comparator (extlists :list). */
  comparator?: false;
  /** Checks one constant key at compile time (extlists: a list must be known); an error message or null. */
  checkKey?(key: string, config: EngineConfig): string | null;
  /**
   * Most distinct keys built from variables one run may prepare, for match types whose `prepare`
   * is costly (regex compilation); unlimited when absent.
   */
  maxPreparesPerRun?: number;
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

/**
 * How an extension changes the string arguments of scripts that require it. `decode` steps run
 * first, in require order, on the literal text; then the first `template` turns the text into what
 * is expanded at run time. Both may report problems through `cx.error`.
 */
export interface StringHook {
  decode?(text: string, cx: CompileContext, pos: Position): string;
  template?(text: string, cx: CompileContext, pos: Position): SieveString;
}

/**
 * Where a test reads header fields from. The plain source is the message; attachments replace it
 * (:mime reads MIME parts) or filter it (:index keeps one field).
 */
export interface FieldSource {
  /** Unfolded, RFC 2047-decoded values of the fields named `name`, in order. */
  values(name: string, rt: Runtime): string[];
  /** The same fields unfolded but not decoded (what addresses are parsed from). */
  raw(name: string, rt: Runtime): string[];
}

/** Adds fields to an action before it joins the result (see `Attachment.action`). */
export type ActionFields = (action: Action, rt: Runtime) => void;

/**
 * Tags an extension attaches to commands or tests defined elsewhere, with what they do there, as
 * Pigeonhole's index extension attaches :index to header, address and date. The core definitions
 * ask for them through `cx.fields` and `cx.actionFields` without knowing who provides them.
 */
export interface Attachment<D = unknown> {
  /** Names of the commands or tests the tags go on. */
  to: string[];
  tags: TagDef[];
  /**
   * Reads the tags written on one use; null when there is nothing to do there. Called for every
   * use, required or not (the tags themselves still need the capability).
   */
  compile(args: ParsedArgs, cx: CompileContext): D | null;
  /** `fields`: a source replaces where fields come from, a filter picks among them; sources apply first. */
  stage?: 'source' | 'filter';
  /** Tests: the source the test reads once this attachment applies, given the one it had. */
  fields?(data: D, inner: FieldSource): FieldSource;
  /**
   * Commands: adds fields to the action a use takes, before it joins the result. It is called
   * for every action of those commands, with `data` null when compile returned null, and for
   * the implicit keep as for a `keep` without tags.
   */
  action?(action: Action, data: D | null, rt: Runtime): void;
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
  /** Tags attached to other commands and tests together with what they do there. */
  attachments?: Attachment[];
  /** Rewrites string arguments once required (encoded-character decoding, variables templates). */
  strings?: StringHook;
  /** Scripts requiring it read match values (`${1}`), so runs record them. */
  readsMatches?: boolean;
  /** Capabilities this one brings along (e.g. spamtestplus implies spamtest). */
  implies?: string[];
  /** Not advertised and not allowed in normal scripts (test harness only). */
  testOnly?: boolean;
  /** Always present, so not advertised (the built-in comparators), though `require` accepts it. */
  implicit?: boolean;
  /** Called once per compile after `require` to set up extension state. */
  onRequire?(cx: CompileContext): void;
  /** Called before a script that requires this extension runs (sets up per-run state). */
  onRun?(rt: Runtime): void;
  /**
   * Keys of per-run state that carry on from one script of a sequence to the next (imap4flags'
   * internal flags): each later script starts with the value the one before left, after onRun.
   */
  sequenceState?: StateKey<unknown>[];
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
  /** Highest match variable `${N}` a script may reference (a larger one is a compile error). */
  maxMatchIndex: number;
  /** Longest variable name accepted by `set` and friends. */
  maxVariableNameLength: number;
  vacation: VacationConfig;
  spamtest: ScoreTestConfig;
  virustest: ScoreTestConfig;
  /** Delimiter for subaddress :user/:detail. */
  recipientDelimiter: string;
  /**
   * The user's own address, when the host knows it (Pigeonhole's sieve_user_email). Vacation counts
   * it as one of the user's addresses and replies from it; redirect can use it as envelope sender.
   */
  userEmail?: string;
  /** Address of the postmaster, for `redirectEnvelopeFrom: "postmaster"`. */
  postmasterAddress?: string;
  /**
   * Envelope sender of redirected messages (Pigeonhole's sieve_redirect_envelope_from): "sender"
   * (the original one), "recipient" (the final recipient), "orig_recipient", "user_email"
   * (`userEmail`, else the recipient), "postmaster", or an explicit "<address>" ("<>" for null).
   * A message with a null sender is always redirected with a null sender.
   */
  redirectEnvelopeFrom: string;
  /** Capabilities switched off for this engine. */
  disabled: string[];
  /** Seconds a script run may take before it fails ("execution exceeded CPU time limit"); 0 for no limit. */
  maxCpuTime: number;
  /** Octets of a message body the body test and extracttext look at (per run of a test, decoded). */
  maxBodySize: number;
  /** MIME parsing for body/mime/foreverypart: parts read at most, and nesting depth of multiparts. */
  maxMimeParts: number;
  maxMimeDepth: number;
  /** RFC 6609 include: scripts per compile (distinct ones, nested included) and nesting depth. */
  include: { maxIncludes: number; maxIncludeDepth: number };
  /**
   * RFC 5293 editheader: largest added field (octets), and fields a script may not add or delete
   * (lower-case names). Received and Auto-Submitted can never be deleted; Subject is always editable.
   */
  editheader: { maxHeaderSize: number; forbidAdd: string[]; forbidDelete: string[] };
  /** RFC 7352 duplicate: :seconds default and cap. */
  duplicate: { defaultPeriod: number; maxPeriod: number };
  /** RFC 5183 environment items added to or overriding the built-in ones (e.g. "location": "MDA"). */
  environment: Record<string, string>;
  /** RFC 5435 enotify: notify actions per run (0 forbids notify) and the mailto method (RFC 5436). */
  notify: NotifyConfig;
  /**
   * RFC 6134 extlists: lists held in the configuration (full "urn:ietf:params:sieve:..." names or
   * other URIs → members), and names of further lists the host answers through `Host.listContains`.
   */
  extlists: { lists: Record<string, string[]>; hostLists: string[] };
}

export interface NotifyConfig {
  maxNotifications: number;
  /**
   * Envelope sender of mailto notifications: "" (the :from address, else the postmaster), "sender",
   * "recipient", "orig_recipient", "user_email", "postmaster" or an explicit "<address>". A message
   * with a null sender always gets notifications with a null sender.
   */
  mailtoEnvelopeFrom: string;
}

/** RFC 5230 vacation: reply periods (seconds) and how replies are addressed. */
export interface VacationConfig {
  minPeriod: number;
  maxPeriod: number;
  defaultPeriod: number;
  /** Count the envelope's original recipient as one of the user's addresses. */
  useOriginalRecipient: boolean;
  /** Reply only when one of the user's addresses is in To/Cc/Bcc (RFC 5230 §4.5); false replies to any. */
  checkRecipient: boolean;
  /** Send replies with the recipient as envelope sender instead of the null sender "<>". */
  sendFromRecipient: boolean;
  /** Address the reply's To field from the message's From/Sender instead of the envelope sender. */
  toHeaderIgnoreEnvelope: boolean;
  /** Subject when the script gives no :subject (overrides "Auto: " and the original subject). */
  defaultSubject?: string;
  /** Like defaultSubject, with "%{subject}" (or "%$") standing for the original subject. */
  defaultSubjectTemplate?: string;
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
