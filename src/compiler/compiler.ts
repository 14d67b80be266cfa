import type { Argument, CommandNode, Position, ScriptNode, TestNode } from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics.js';
import type {
  AddressPartDef,
  ArgType,
  CommandDef,
  ComparatorDef,
  CompileContext,
  CompiledKeys,
  EngineConfig,
  KeyMatcher,
  MatchSpec,
  MatchTypeDef,
  ParsedArgs,
  TagDef,
  TagValue,
} from '../extensions/types.js';
import type { Registry } from './registry.js';
import type { CompiledCommand, CompiledTest, Program } from './program.js';
import { decodeEncodedCharacters, parseTemplate, type SieveString } from './strings.js';
import { suggest } from './suggest.js';
import { TagList } from './tag-list.js';
import { parse } from '../syntax/index.js';
import { ListStack, takeFrom } from '../syntax/lists.js';

export interface CompileOptions {
  registry: Registry;
  config: EngineConfig;
  /** Capabilities allowed in addition to the normal ones (the test harness's). */
  allowTestOnly?: boolean;
  /** Loads the scripts `include` names (RFC 6609); without it every include fails to compile. */
  loadScript?: (name: string, location: 'personal' | 'global') => string | null;
  /** Initial compile state (include hands its bookkeeping to the scripts it compiles). */
  state?: Map<string, unknown>;
}

const CONTROL = new Set(['require', 'if', 'elsif', 'else', 'stop']);

/** Positional type names as users read them in messages. */
const TYPE_NAMES: Record<ArgType, string> = { string: 'string', stringlist: 'string list', number: 'number' };

function argTypeName(a: Argument): string {
  switch (a.type) {
    case 'string':
      return 'string';
    case 'stringlist':
      return 'string list';
    case 'number':
      return 'number';
    case 'tag':
      return `tag :${a.name}`;
  }
}

/** How a definition is named in messages: "header test", "fileinto command". */
function whatOf(def: CommandDef, node: CommandNode | TestNode): string {
  return `${def.name} ${node.type}`;
}

const COMPARATOR_TAG: TagDef = { name: 'comparator', param: 'string', group: 'comparator' };
/** The tag form of match types and address parts, per definition. */
const matchTypeTags = new WeakMap<MatchTypeDef, TagDef>();
const addressPartTags = new WeakMap<AddressPartDef, TagDef>();

function matchTypeTag(def: MatchTypeDef): TagDef {
  let tag = matchTypeTags.get(def);
  if (!tag) {
    tag = { name: def.name, param: def.param, group: 'match-type' };
    matchTypeTags.set(def, tag);
  }
  return tag;
}

function addressPartTag(def: AddressPartDef): TagDef {
  let tag = addressPartTags.get(def);
  if (!tag) {
    tag = { name: def.name, group: 'address-part' };
    addressPartTags.set(def, tag);
  }
  return tag;
}

const NO_PARAM = '\0none';
const NO_POSITIONAL: ArgType[] = [];
/** The tags of every node that has none (nothing writes to ParsedArgs.tags). */
const NO_TAGS: ParsedArgs['tags'] = new TagList([]);
const NO_COMMANDS: CommandNode[] = [];
/** The nested tests of every node that has none (nothing writes to the lists given to compile). */
const NO_TESTS = Object.freeze([]) as unknown as CompiledTest[];
const never: KeyMatcher = () => false;

type IfCommand = Extract<CompiledCommand, { kind: 'if' }>;

/** What a tag name written on a node stands for. */
interface TagUse {
  tag: TagDef;
  special: 'comparator' | 'match' | 'address' | null;
  /** Error to report: the tag needs a capability not required. */
  needs: string | null;
}

interface DefInfo {
  /** Number of capabilities when this was worked out. */
  caps: number;
  /** Tags of the definition, its own and those extensions add. */
  known: Map<string, TagDef>;
  /** Tag names seen on its nodes → what they stand for (null: unknown). */
  uses: Map<string, TagUse | null>;
}

/** Where a list of commands stands while its commands are compiled one by one. */
interface BlockState {
  topLevel: boolean;
  /** Still at the start of the script, where require may stand. */
  requiresAllowed: boolean;
  /** The if command elsif and else attach to. */
  lastIf: IfCommand | null;
  /** The previous command was an if or elsif (else and elsif need one). */
  lastWasIf: boolean;
}

function hasTag(items: Array<string | TagValue>, count: number, name: string): boolean {
  for (let i = 0; i < count; i += 2) if (items[i] === name) return true;
  return false;
}

function fits(a: Argument, t: ArgType): boolean {
  if (t === 'number') return a.type === 'number';
  if (t === 'string') return a.type === 'string';
  return a.type === 'string' || a.type === 'stringlist';
}

/**
 * Parses and compiles a script: `syntax` holds the syntax errors, and `compiled` is null when there
 * are any. Each top-level command is compiled as soon as it is read, while its syntax tree is still
 * fresh in memory; with a script loader (include may load and compile scripts while compiling) the
 * script is read whole first, so that a script with syntax errors loads nothing.
 */
export function compileSource(
  source: string,
  options: CompileOptions,
): { syntax: Diagnostic[]; compiled: CompileOutput | null } {
  const maxNesting = options.config.maxNesting;
  if (options.loadScript) {
    const parsed = parse(source, { maxNesting });
    return {
      syntax: parsed.diagnostics,
      compiled: parsed.diagnostics.length ? null : compileAst(parsed.ast, options),
    };
  }
  const compiler = createCompiler(options);
  // A compile that throws stops compiling; the error is thrown once the script is known to be
  // free of syntax errors, as it would be had the whole script been parsed first.
  let failed = false;
  let failure: unknown;
  const onCommand = (command: CommandNode): void => {
    if (failed) return;
    try {
      compiler.add(command);
    } catch (e) {
      failed = true;
      failure = e;
    }
  };
  const { diagnostics } = parse(source, { maxNesting, onCommand });
  if (diagnostics.length) return { syntax: diagnostics, compiled: null };
  if (failed) throw failure;
  return { syntax: diagnostics, compiled: compiler.finish() };
}

/**
 * Validates a parsed script against the registry and builds the compiled program. Problems are
 * collected, not thrown, so a user sees every error of a script at once.
 */
export function compileAst(ast: ScriptNode, options: CompileOptions): CompileOutput {
  const compiler = createCompiler(options);
  for (let k = 0; k < ast.commands.length; k++) compiler.add(ast.commands[k]!);
  return compiler.finish();
}

export interface CompileOutput {
  program: Program;
  diagnostics: Diagnostic[];
}

/** A compile fed one top-level command at a time, in script order. */
export interface ScriptCompiler {
  add(command: CommandNode): void;
  /** The program of the commands added, and the problems found in them (once, at the end). */
  finish(): CompileOutput;
}

/** Starts a compile; see compileAst and compileSource for the two ways of feeding it. */
export function createCompiler(options: CompileOptions): ScriptCompiler {
  const { registry, config } = options;
  const diagnostics: Diagnostic[] = [];
  const capabilities = new Set<string>();
  const state = new Map<string, unknown>(options.state);
  // Prepared matchers of constant keys, by match spec (shared, see matchSpec) and key.
  const matchCache = new Map<MatchSpec, Map<string, KeyMatcher>>();
  // Match specs are plain data: nodes with the same match type, comparator and parameter share one.
  const specCache = new Map<MatchTypeDef, Map<ComparatorDef, Map<string, MatchSpec>>>();
  // Unknown names (commands, tests, a command's tags) are reported where they first appear only.
  const unknownTagsSeen = new Set<string>();
  const unknownNamesSeen = new Set<string>();

  const error = (pos: Position, message: string) =>
    diagnostics.push({ severity: 'error', message, line: pos.line, column: pos.column });
  const warning = (pos: Position, message: string) =>
    diagnostics.push({ severity: 'warning', message, line: pos.line, column: pos.column });

  const has = (cap: string) => capabilities.has(cap);
  // What every string needs to know, refreshed when the capabilities change.
  let capsSeen = -1;
  let hasVariables = false;
  let hasEncoded = false;
  const isNamespace = (ns: string) => {
    const known = state.get('variables.namespaces') as Set<string> | undefined;
    return known?.has(ns) ?? false;
  };

  function compileString(arg: Argument): SieveString {
    if (arg.type !== 'string') return '';
    // Line breaks inside strings are CRLF whatever the script file uses (RFC 5228 §2.4.2).
    let text = arg.value.includes('\n') ? arg.value.replace(/\r?\n/g, '\r\n') : arg.value;
    if (capsSeen !== capabilities.size) {
      capsSeen = capabilities.size;
      hasVariables = capabilities.has('variables');
      hasEncoded = capabilities.has('encoded-character');
    }
    if (hasEncoded) {
      const decoded = decodeEncodedCharacters(text);
      if (decoded.error) error(arg.pos, decoded.error);
      text = decoded.value;
    }
    if (!hasVariables) return text;
    const compiled = parseTemplate(text, isNamespace, (ns, ref) =>
      error(arg.pos, `unknown variable namespace "${ns}" in \${${ref}}`),
    );
    if (typeof compiled !== 'string') {
      for (const part of compiled.parts) {
        if (typeof part !== 'string' && part.kind === 'match' && part.index > config.maxMatchIndex) {
          error(
            arg.pos,
            `match variable \${${part.index}} is out of range (the highest is \${${config.maxMatchIndex}})`,
          );
          break;
        }
      }
    }
    return compiled;
  }

  function compileStringList(arg: Argument): SieveString[] {
    if (arg.type === 'string') return [compileString(arg)];
    if (arg.type !== 'stringlist') return [];
    const items = arg.items;
    if (items.length === 1) return [compileString(items[0]!)];
    const out = new Array<SieveString>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = compileString(items[i]!);
    return out;
  }

  function matchersFor(spec: MatchSpec): Map<string, KeyMatcher> {
    let byKey = matchCache.get(spec);
    if (!byKey) {
      // A spec made elsewhere than matchSpec shares the matchers of its canonical twin.
      const canonical = matchSpec(spec.type, spec.comparator, spec.param);
      byKey = matchCache.get(canonical);
      if (!byKey) matchCache.set(canonical, (byKey = new Map()));
      matchCache.set(spec, byKey);
    }
    return byKey;
  }

  function compileKeys(arg: Argument, spec: MatchSpec): CompiledKeys {
    const strings = compileStringList(arg);
    for (let i = 0; i < strings.length; i++) {
      if (typeof strings[i] !== 'string') return { constant: false, strings };
    }
    const cache = matchersFor(spec);
    if (strings.length === 1) {
      return {
        constant: true,
        strings: strings as string[],
        matchers: [matcherFor(strings[0] as string, arg, spec, cache)],
      };
    }
    const matchers = new Array<KeyMatcher>(strings.length);
    for (let i = 0; i < strings.length; i++) matchers[i] = matcherFor(strings[i] as string, arg, spec, cache);
    return { constant: true, strings: strings as string[], matchers };
  }

  function matcherFor(k: string, arg: Argument, spec: MatchSpec, cache: Map<string, KeyMatcher>): KeyMatcher {
    let m = cache.get(k);
    if (m) return m;
    const problem = spec.type.checkKey?.(k, config);
    if (problem) {
      error(arg.pos, problem);
      return never;
    }
    try {
      m = spec.type.prepare(k, spec);
    } catch (e) {
      // A key the match type cannot use (an invalid :regex pattern) is the script's error.
      error(arg.pos, e instanceof Error ? e.message : String(e));
      return never;
    }
    cache.set(k, m);
    return m;
  }

  // Names of the enclosing commands and tests while compiling; one array, pushed and popped.
  const stack: string[] = [];

  // One context serves every node: only `node` changes, set before each use.
  const cx: CompileContext & { node: CommandNode | TestNode } = {
    has,
    error,
    warning,
    string: compileString,
    stringList: compileStringList,
    keys: compileKeys,
    state,
    node: null as unknown as CommandNode,
    ancestors: stack,
    config,
    capabilities,
    enable: (cap) => {
      const ext = registry.extensions.get(cap);
      if (!ext || (ext.testOnly && !options.allowTestOnly) || config.disabled.includes(cap)) return false;
      enable(cap, cx.node);
      return true;
    },
    extension: (cap) => registry.extensions.get(cap),
    loadScript: options.loadScript,
    compileScript(source, seed) {
      const parsed = parse(source, { maxNesting: config.maxNesting });
      if (parsed.diagnostics.some((d) => d.severity === 'error')) {
        return { program: null, diagnostics: parsed.diagnostics };
      }
      const compiled = compileAst(parsed.ast, { ...options, state: seed });
      const all = [...parsed.diagnostics, ...compiled.diagnostics];
      return {
        program: all.some((d) => d.severity === 'error') ? null : compiled.program,
        diagnostics: all,
      };
    },
  };

  function makeContext(node: CommandNode | TestNode): CompileContext {
    cx.node = node;
    return cx;
  }

  // Per definition, given the capabilities required so far (their count tells, as they only grow):
  // the tags it accepts, and what each tag name written on its nodes stands for.
  const defCache = new Map<CommandDef, DefInfo>();
  function defInfo(def: CommandDef): DefInfo {
    const hit = defCache.get(def);
    if (hit && hit.caps === capabilities.size) return hit;
    const known = new Map<string, TagDef>();
    for (const t of def.tags ?? []) known.set(t.name, t);
    for (const t of registry.extraTags.get(def.name) ?? []) {
      if (t.capability === null || has(t.capability)) known.set(t.def.name, t.def);
    }
    const info: DefInfo = { caps: capabilities.size, known, uses: new Map() };
    defCache.set(def, info);
    return info;
  }

  function tagUse(def: CommandDef, info: DefInfo, name: string): TagUse | null {
    let use = info.uses.get(name);
    if (use === undefined) info.uses.set(name, (use = resolveTag(def, info.known, name)));
    return use;
  }

  function resolveTag(def: CommandDef, known: Map<string, TagDef>, name: string): TagUse | null {
    const tag = known.get(name);
    if (tag) return { tag, special: null, needs: null };
    if (def.matching && name === 'comparator')
      return { tag: COMPARATOR_TAG, special: 'comparator', needs: null };
    const mt = def.matching ? registry.matchTypes.get(name) : undefined;
    if (mt) {
      const needs =
        mt.capability && !has(mt.capability)
          ? `match type :${name} used without require "${mt.capability}"`
          : null;
      return { tag: matchTypeTag(mt.def), special: 'match', needs };
    }
    const ap = def.addressPart ? registry.addressParts.get(name) : undefined;
    if (ap) {
      const needs =
        ap.capability && !has(ap.capability)
          ? `address part :${name} used without require "${ap.capability}"`
          : null;
      return { tag: addressPartTag(ap.def), special: 'address', needs };
    }
    return null;
  }

  /** Tags that can be written for a definition in this script (for hints and messages). */
  function usableTags(def: CommandDef, known: Map<string, TagDef>): string[] {
    const out = [...known.keys()];
    if (def.matching) {
      out.push('comparator');
      for (const [name, mt] of registry.matchTypes) if (!mt.capability || has(mt.capability)) out.push(name);
    }
    if (def.addressPart) {
      for (const [name, ap] of registry.addressParts)
        if (!ap.capability || has(ap.capability)) out.push(name);
    }
    return [...new Set(out)].sort();
  }

  // Groups of the tags seen so far on a node, and which tag took each (pairs; reused).
  const groups: string[] = [];
  // Tags of the node being checked, names and values alternating (reused).
  const tagItems: Array<string | TagValue> = [];

  function matchSpec(type: MatchTypeDef, comparator: ComparatorDef, param: string | undefined): MatchSpec {
    let byCmp = specCache.get(type);
    if (!byCmp) specCache.set(type, (byCmp = new Map()));
    let byParam = byCmp.get(comparator);
    if (!byParam) byCmp.set(comparator, (byParam = new Map()));
    const key = param ?? NO_PARAM;
    let spec = byParam.get(key);
    if (!spec) byParam.set(key, (spec = { type, comparator, param }));
    return spec;
  }

  /**
   * Checks tags and positional arguments against a definition. Checking stops at the first bad
   * argument: what follows it is usually read wrongly because of it.
   */
  function parseArgs(node: CommandNode | TestNode, def: CommandDef): ParsedArgs | null {
    // Tags seen so far: names and values, alternating (see TagList).
    let tagCount = 0;
    // Positional arguments are the last ones: from here to the end (a tag after them is an error).
    let positionalFrom = -1;
    let groupCount = 0;
    let comparatorName: string | null = null;
    let comparatorPos: Position | null = null;
    let matchType: string | null = null;
    let matchPos: Position | null = null;
    let matchParam: string | undefined;
    let addressPart: string | null = null;

    const info = defInfo(def);

    const args = node.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.type !== 'tag') {
        if (positionalFrom < 0) positionalFrom = i;
        continue;
      }
      const use = tagUse(def, info, a.name);
      if (use === null) {
        const owner = (registry.extraTags.get(def.name) ?? []).find((t) => t.def.name === a.name);
        if (owner?.capability) {
          error(a.pos, `tag :${a.name} of ${whatOf(def, node)} used without require "${owner.capability}"`);
          return null;
        }
        // Like an unknown command, a misspelt tag is reported where it first appears.
        const key = `${def.name}\0${a.name}`;
        if (unknownTagsSeen.has(key)) return null;
        unknownTagsSeen.add(key);
        const usable = usableTags(def, info.known);
        const hint = suggest(a.name, usable);
        const help = hint
          ? `did you mean :${hint}?`
          : usable.length
            ? `it takes ${usable.map((t) => `:${t}`).join(', ')}`
            : 'it takes none';
        error(a.pos, `unknown tagged argument ':${a.name}' for the ${whatOf(def, node)} (${help})`);
        return null;
      }
      const { tag, special, needs } = use;
      if (needs) {
        error(a.pos, needs);
        return null;
      }
      if (positionalFrom >= 0) {
        error(
          a.pos,
          `unexpected tagged argument ':${a.name}' after the positional arguments of the ${whatOf(def, node)}`,
        );
        return null;
      }
      if (hasTag(tagItems, tagCount, tag.name)) {
        error(a.pos, `tag :${a.name} given more than once for ${whatOf(def, node)}`);
        return null;
      }
      if (tag.group) {
        let g = 0;
        while (g < groupCount && groups[g] !== tag.group) g += 2;
        const other = g < groupCount ? groups[g + 1] : undefined;
        if (other && other !== tag.name) {
          error(a.pos, `tags :${other} and :${tag.name} of ${whatOf(def, node)} cannot be used together`);
          return null;
        }
        if (g < groupCount) groups[g + 1] = tag.name;
        else {
          groups[groupCount++] = tag.group;
          groups[groupCount++] = tag.name;
        }
      }
      let value: Argument | undefined;
      if (tag.param) {
        const next = args[i + 1];
        if (!next || next.type === 'tag' || !fits(next, tag.param)) {
          error(
            next?.pos ?? a.pos,
            `tag :${a.name} of ${whatOf(def, node)} needs a ${TYPE_NAMES[tag.param]} argument${next ? `, not a ${argTypeName(next)}` : ''}`,
          );
          return null;
        }
        value = next;
        i++;
      }
      tagItems[tagCount++] = tag.name;
      // A tag without parameter is described by its own node, which has the position.
      tagItems[tagCount++] = value === undefined ? a : { pos: a.pos, value };
      if (special === 'comparator' && value?.type === 'string') {
        comparatorName = value.value.toLowerCase();
        comparatorPos = value.pos;
      } else if (special === 'match') {
        matchType = tag.name;
        matchPos = a.pos;
        matchParam = value?.type === 'string' ? value.value : undefined;
      } else if (special === 'address') {
        addressPart = tag.name;
      }
    }

    if (positionalFrom < 0) positionalFrom = args.length;
    const count = args.length - positionalFrom;
    const sig = def.positional ?? NO_POSITIONAL;
    const min = sig.length - (def.optionalPositional ?? 0);
    const names = def.positionalNames;
    if (count < min || count > sig.length) {
      const expected =
        min === sig.length ? `${sig.length}` : `${min} ${sig.length - min === 1 ? 'or' : 'to'} ${sig.length}`;
      const words = sig.map((t, idx) => names?.[idx] ?? TYPE_NAMES[t]).join(', ');
      const n = count;
      error(
        args[positionalFrom + sig.length]?.pos ?? node.pos,
        `the ${whatOf(def, node)} requires ${expected} positional argument${sig.length === 1 ? '' : 's'}${words ? ` (${words})` : ''}, but ${n} ${n === 1 ? 'was' : 'were'} specified`,
      );
      return null;
    }
    for (let idx = 0; idx < count; idx++) {
      const p = args[positionalFrom + idx]!;
      if (!fits(p, sig[idx]!)) {
        const name = names?.[idx] ? ` (${names[idx]})` : '';
        error(
          p.pos,
          `${whatOf(def, node)} expects a ${TYPE_NAMES[sig[idx]!]} as argument ${idx + 1}${name}, but a ${argTypeName(p)} was found`,
        );
        return null;
      }
    }

    let ok = true;
    let match: MatchSpec | undefined;
    if (def.matching) {
      const cmpName = comparatorName ?? def.defaultComparator ?? 'i;ascii-casemap';
      const cmp = registry.comparators.get(cmpName);
      if (!cmp) {
        error(
          comparatorPos ?? node.pos,
          has('variables') && cmpName.includes('${')
            ? `the comparator name must be a constant, not "${cmpName}" (variables cannot be used here)`
            : `unknown comparator "${cmpName}"`,
        );
        return null;
      } else if (cmp.capability && !has(cmp.capability) && !has(`comparator-${cmpName}`)) {
        const message = `comparator "${cmpName}" used without require "comparator-${cmpName}"`;
        if (cmp.def.lenientRequire) warning(comparatorPos ?? node.pos, message);
        else {
          error(comparatorPos ?? node.pos, message);
          return null;
        }
      }
      const mt = registry.matchTypes.get(matchType ?? 'is')!;
      if (cmp && mt) {
        if (
          !cmp.def.substring &&
          (mt.def.name === 'contains' || mt.def.name === 'matches' || mt.def.substring)
        ) {
          error(matchPos!, `comparator "${cmpName}" cannot be used with the :${mt.def.name} match type`);
          return null;
        }
        if (mt.def.comparator === false && comparatorName !== null) {
          error(comparatorPos ?? matchPos!, `the :${mt.def.name} match type does not allow a comparator`);
          ok = false;
        }
        if (mt.def.checkParam && matchParam !== undefined) {
          const problem = mt.def.checkParam(matchParam);
          if (problem) {
            error(matchPos!, problem);
            ok = false;
          }
        }
        match = matchSpec(mt.def, cmp.def, matchParam?.toLowerCase());
      }
    }
    if (!ok) return null;
    // Without tags the positional arguments are the node's own list, which nothing changes.
    const positional = positionalFrom === 0 ? args : takeFrom(args, positionalFrom);
    const tags = tagCount === 0 ? NO_TAGS : new TagList(takeFrom(tagItems, 0, tagCount));
    // Built whole, with only the fields that apply (an object literal gets room for its fields only).
    const part = def.addressPart ? registry.addressParts.get(addressPart ?? 'all')!.def : undefined;
    if (match === undefined)
      return part === undefined ? { tags, positional } : { tags, positional, addressPart: part };
    return part === undefined ? { tags, positional, match } : { tags, positional, match, addressPart: part };
  }

  /** Whether `name` is a tag of the definition, as written without its colon. */
  function isTagName(def: CommandDef, name: string): boolean {
    if ((def.tags ?? []).some((t) => t.name === name)) return true;
    if ((registry.extraTags.get(def.name) ?? []).some((t) => t.def.name === name)) return true;
    if (def.matching && (name === 'comparator' || registry.matchTypes.has(name))) return true;
    return !!def.addressPart && registry.addressParts.has(name);
  }

  function checkTests(node: CommandNode | TestNode, def: CommandDef): boolean {
    const mode = def.tests ?? 'none';
    if (mode === 'none' && node.tests.length > 0) {
      const next = node.tests[0]!;
      const isTest = registry.tests.has(next.name);
      const isCommand = registry.commands.has(next.name) || CONTROL.has(next.name);
      if (!isTest && !isCommand && isTagName(def, next.name)) {
        // `address matches "from" "x"`: the tag lost its colon and became a test.
        error(
          next.pos,
          `missing colon before '${next.name}': it is the :${next.name} tag of the ${whatOf(def, node)}`,
        );
      } else if (isTest) {
        error(
          next.pos,
          node.type === 'command'
            ? `the ${whatOf(def, node)} accepts no tests, but the test '${next.name}' was specified (missing semicolon?)`
            : `the ${whatOf(def, node)} accepts no sub-tests, but '${next.name}' was specified (missing block or operator?)`,
        );
      } else {
        // `keep fileinto "x";` parses as a command with a test: almost always a missing semicolon.
        error(
          next.pos,
          node.type === 'command'
            ? `missing semicolon after ${node.name} command (before '${next.name}')`
            : `unexpected '${next.name}' after ${whatOf(def, node)} (missing block or operator?)`,
        );
      }
      return false;
    }
    if (mode === 'one' && (node.tests.length !== 1 || node.testList)) {
      error(
        node.pos,
        node.testList
          ? `${whatOf(def, node)} takes a single test, not a test list`
          : `${whatOf(def, node)} needs a test`,
      );
      return false;
    }
    if (mode === 'list' && !node.testList) {
      error(node.pos, `${whatOf(def, node)} needs a test list in parentheses`);
      return false;
    }
    return true;
  }

  function compileTest(node: TestNode): CompiledTest | null {
    if (stack.length > config.maxNesting) {
      error(node.pos, `tests nested too deeply (limit ${config.maxNesting})`);
      return null;
    }
    const owned = registry.tests.get(node.name);
    if (!owned) {
      if (registry.commands.has(node.name) || CONTROL.has(node.name)) {
        error(node.pos, `'${node.name}' is a command, not a test`);
      } else if (!unknownNamesSeen.has(`test\0${node.name}`)) {
        unknownNamesSeen.add(`test\0${node.name}`);
        const hint = suggest(node.name, registry.tests.keys());
        error(node.pos, `unknown test '${node.name}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      }
      return null;
    }
    if (owned.capability && !has(owned.capability)) {
      error(node.pos, `${node.name} test used without require "${owned.capability}"`);
      return null;
    }
    const args = parseArgs(node, owned.def);
    const testsOk = checkTests(node, owned.def);
    if (!testsOk && (owned.def.tests ?? 'none') === 'none') return null;
    const inner = compileTests(node);
    if (!args || !testsOk || inner === null) return null;
    const data = owned.def.compile
      ? owned.def.compile(args, makeContext(node), inner)
      : { args, tests: inner };
    return { def: owned.def, data, pos: node.pos };
  }

  // Compiled lists are gathered on these stacks and copied out at their exact size (see parser.ts).
  const testStack = new ListStack<CompiledTest>();
  const commandStack = new ListStack<CompiledCommand>();

  /** The nested tests of a node, or null when one of them failed to compile. */
  function compileTests(node: CommandNode | TestNode): CompiledTest[] | null {
    const tests = node.tests;
    if (tests.length === 0) return NO_TESTS;
    const from = testStack.top;
    stack.push(node.name);
    try {
      for (let k = 0; k < tests.length; k++) {
        const c = compileTest(tests[k]!);
        if (c) testStack.push(c);
      }
    } finally {
      stack.pop();
    }
    const complete = testStack.top - from === tests.length;
    const inner = testStack.take(from);
    return complete ? inner : null;
  }

  /** The commands of a block, compiled (the top level goes through ScriptCompiler.add). */
  function compileBody(name: string, nodes: CommandNode[]): CompiledCommand[] {
    stack.push(name);
    const from = commandStack.top;
    const block: BlockState = { topLevel: false, requiresAllowed: false, lastIf: null, lastWasIf: false };
    try {
      for (let k = 0; k < nodes.length; k++) compileCommand(nodes[k]!, block);
      return commandStack.take(from);
    } finally {
      commandStack.top = from;
      stack.pop();
    }
  }

  /** Compiles one command of a block onto commandStack. */
  function compileCommand(node: CommandNode, b: BlockState): void {
    const wasIf = b.lastWasIf;
    b.lastWasIf = false;
    if (node.name === 'require') {
      if (!b.requiresAllowed) {
        error(
          node.pos,
          b.topLevel
            ? 'require command must come before any other command'
            : 'require command can only be used at the top level',
        );
        return;
      }
      handleRequire(node);
      return;
    }
    b.requiresAllowed = false;
    if (stack.length >= config.maxNesting) {
      error(node.pos, `blocks nested too deeply (limit ${config.maxNesting})`);
      return;
    }
    switch (node.name) {
      case 'if':
      case 'elsif':
      case 'else': {
        if (node.name !== 'if' && !wasIf) {
          error(node.pos, `${node.name} without a preceding if`);
        }
        const needsTest = node.name !== 'else';
        if (node.args.length > 0) error(node.args[0]!.pos, `${node.name} takes no arguments`);
        let test: CompiledTest | null = null;
        if (needsTest) {
          if (node.tests.length !== 1 || node.testList) {
            error(
              node.pos,
              node.testList
                ? `${node.name} takes a single test, not a test list`
                : `${node.name} needs a test`,
            );
          } else {
            stack.push(node.name);
            try {
              test = compileTest(node.tests[0]!);
            } finally {
              stack.pop();
            }
          }
          // ihave: the block of a missing capability is not compiled (RFC 5463 §4).
          if (test?.def.guard && !test.def.guard(test.data)) {
            if (node.name === 'if' || !b.lastIf) {
              b.lastIf = { kind: 'if', branches: [{ test, body: [] }], pos: node.pos };
              commandStack.push(b.lastIf);
            } else {
              b.lastIf.branches.push({ test, body: [] });
            }
            b.lastWasIf = true;
            return;
          }
        } else if (node.tests.length > 0) {
          const first = node.tests[0]!;
          error(
            first.pos,
            first.name === 'if' ? 'else takes no test (write elsif, not else if)' : 'else takes no test',
          );
        }
        // Reported even when the test failed: a missing block is a problem of its own.
        if (node.block === null) error(node.pos, `${node.name} needs a block in braces`);
        const body = compileBody(node.name, node.block ?? NO_COMMANDS);
        if (node.name === 'if' || !b.lastIf) {
          b.lastIf = { kind: 'if', branches: [{ test, body }], pos: node.pos };
          commandStack.push(b.lastIf);
        } else {
          b.lastIf.branches.push({ test, body });
        }
        b.lastWasIf = node.name !== 'else';
        if (node.name === 'else') b.lastIf = null;
        return;
      }
      case 'stop':
        if (node.args.length || node.tests.length) error(node.pos, 'stop takes no arguments');
        if (node.block) error(node.pos, 'stop takes no block');
        commandStack.push({ kind: 'stop', pos: node.pos });
        b.lastIf = null;
        return;
    }
    b.lastIf = null;
    const owned = registry.commands.get(node.name);
    if (!owned) {
      if (registry.tests.has(node.name)) {
        error(
          node.pos,
          `cannot use test '${node.name}' as a command (a test belongs in the condition of if or elsif)`,
        );
      } else if (!unknownNamesSeen.has(`command\0${node.name}`)) {
        unknownNamesSeen.add(`command\0${node.name}`);
        const hint = suggest(node.name, [...registry.commands.keys(), ...CONTROL]);
        error(node.pos, `unknown command '${node.name}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      }
      return;
    }
    if (owned.capability && !has(owned.capability)) {
      error(node.pos, `${node.name} used without require "${owned.capability}"`);
      return;
    }
    const def = owned.def;
    const args = parseArgs(node, def);
    const testsOk = checkTests(node, def);
    const tests = testsOk || def.tests ? compileTests(node) : null;
    let block: CompiledCommand[] | null = null;
    if (def.block) {
      if (node.block === null) error(node.pos, `${whatOf(def, node)} needs a block in braces`);
      else block = compileBody(node.name, node.block);
    } else if (node.block !== null) {
      error(node.pos, `${whatOf(def, node)} takes no block (missing semicolon?)`);
    }
    if (!args || !testsOk || tests === null) return;
    const data = def.compile ? def.compile(args, makeContext(node), tests) : { args, tests };
    commandStack.push({ kind: 'action', def, data, block, pos: node.pos });
  }

  function handleRequire(node: CommandNode): void {
    const arg = node.args[0];
    if (node.args.length !== 1 || !arg || (arg.type !== 'string' && arg.type !== 'stringlist')) {
      error(node.pos, 'require expects one string or string list of capabilities');
      return;
    }
    if (node.block) error(node.pos, 'require takes no block');
    let malformed = node.block !== null;
    if (node.tests.length) {
      const first = node.tests[0]!;
      error(
        first.pos,
        registry.tests.has(first.name)
          ? `the require command accepts no tests, but the test '${first.name}' was specified (missing semicolon?)`
          : `missing semicolon after require command (before '${first.name}')`,
      );
      malformed = true;
    }
    const items = arg.type === 'string' ? [arg] : arg.items;
    for (const item of items) {
      const name = item.value;
      const ext = registry.extensions.get(name);
      if (!ext || (ext.testOnly && !options.allowTestOnly) || config.disabled.includes(name)) {
        // A malformed require gets one error; what it names is still enabled when known, so the
        // rest of the script is not flooded with "used without require".
        if (malformed) continue;
        const core = registry.commands.get(name) ?? registry.tests.get(name);
        if (core && core.capability === null) {
          const kind = registry.commands.has(name) ? 'command' : 'test';
          error(item.pos, `"${name}" is not a capability: the ${name} ${kind} is always available`);
          continue;
        }
        if (ext && config.disabled.includes(name)) {
          error(item.pos, `capability "${name}" is disabled on this server`);
          continue;
        }
        const enabled = registry.capabilities().filter((c) => !config.disabled.includes(c));
        const hint = suggest(name, enabled);
        error(item.pos, `unsupported capability "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
        continue;
      }
      enable(name, node);
    }
  }

  function enable(name: string, node: CommandNode | TestNode): void {
    if (capabilities.has(name)) return;
    capabilities.add(name);
    const ext = registry.extensions.get(name);
    if (!ext) return;
    for (const implied of ext.implies ?? []) enable(implied, node);
    ext.onRequire?.(makeContext(node));
  }

  const top: BlockState = { topLevel: true, requiresAllowed: true, lastIf: null, lastWasIf: false };
  return {
    add: (node) => compileCommand(node, top),
    finish: () => ({ program: { commands: commandStack.take(0), capabilities }, diagnostics }),
  };
}
