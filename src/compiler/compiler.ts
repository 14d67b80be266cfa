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
} from '../extensions/types.js';
import type { Registry } from './registry.js';
import type { CompiledCommand, CompiledTest, Program } from './program.js';
import { decodeEncodedCharacters, parseTemplate, type SieveString } from './strings.js';
import { suggest } from './suggest.js';
import { parse } from '../syntax/index.js';
import { takeFrom } from '../syntax/lists.js';

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

/** How a definition is named in messages ("header test", "fileinto command"), built once per definition. */
const testWhat = new WeakMap<CommandDef, string>();
const commandWhat = new WeakMap<CommandDef, string>();
function whatOf(cache: WeakMap<CommandDef, string>, def: CommandDef, kind: string): string {
  let what = cache.get(def);
  if (what === undefined) {
    what = `${def.name} ${kind}`;
    cache.set(def, what);
  }
  return what;
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
const NO_COMMANDS: CommandNode[] = [];
const never: KeyMatcher = () => false;

function fits(a: Argument, t: ArgType): boolean {
  if (t === 'number') return a.type === 'number';
  if (t === 'string') return a.type === 'string';
  return a.type === 'string' || a.type === 'stringlist';
}

/**
 * Validates a parsed script against the registry and builds the compiled program. Problems are
 * collected, not thrown, so a user sees every error of a script at once.
 */
export function compileAst(
  ast: ScriptNode,
  options: CompileOptions,
): { program: Program; diagnostics: Diagnostic[] } {
  const { registry, config } = options;
  const diagnostics: Diagnostic[] = [];
  const capabilities = new Set<string>();
  const state = new Map<string, unknown>(options.state);
  // Prepared matchers of constant keys, by match type, comparator, parameter and key.
  const matchCache = new Map<MatchTypeDef, Map<ComparatorDef, Map<string, Map<string, KeyMatcher>>>>();
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
    if (arg.type === 'stringlist') return arg.items.map(compileString);
    return [];
  }

  function matchersFor(spec: MatchSpec): Map<string, KeyMatcher> {
    let byCmp = matchCache.get(spec.type);
    if (!byCmp) matchCache.set(spec.type, (byCmp = new Map()));
    let byParam = byCmp.get(spec.comparator);
    if (!byParam) byCmp.set(spec.comparator, (byParam = new Map()));
    const param = spec.param ?? '';
    let byKey = byParam.get(param);
    if (!byKey) byParam.set(param, (byKey = new Map()));
    return byKey;
  }

  function compileKeys(arg: Argument, spec: MatchSpec): CompiledKeys {
    const strings = compileStringList(arg);
    for (let i = 0; i < strings.length; i++) {
      if (typeof strings[i] !== 'string') return { constant: false, strings };
    }
    const cache = matchersFor(spec);
    const matchers = new Array<KeyMatcher>(strings.length);
    for (let i = 0; i < strings.length; i++) {
      const k = strings[i] as string;
      let m = cache.get(k);
      if (!m) {
        const problem = spec.type.checkKey?.(k, config);
        if (problem) {
          error(arg.pos, problem);
          matchers[i] = never;
          continue;
        }
        try {
          m = spec.type.prepare(k, spec);
        } catch (e) {
          // A key the match type cannot use (an invalid :regex pattern) is the script's error.
          error(arg.pos, e instanceof Error ? e.message : String(e));
          matchers[i] = never;
          continue;
        }
        cache.set(k, m);
      }
      matchers[i] = m;
    }
    return { constant: true, strings: strings as string[], matchers };
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

  // Tags a definition accepts, given the capabilities required so far (cached per definition).
  const tagCache = new Map<CommandDef, { caps: number; tags: Map<string, TagDef> }>();
  function knownTags(def: CommandDef): Map<string, TagDef> {
    const hit = tagCache.get(def);
    if (hit && hit.caps === capabilities.size) return hit.tags;
    const tags = new Map<string, TagDef>();
    for (const t of def.tags ?? []) tags.set(t.name, t);
    for (const t of registry.extraTags.get(def.name) ?? []) {
      if (t.capability === null || has(t.capability)) tags.set(t.def.name, t.def);
    }
    tagCache.set(def, { caps: capabilities.size, tags });
    return tags;
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

  const positionalScratch: Argument[] = [];
  const groupScratch: string[] = [];

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
  function parseArgs(node: CommandNode | TestNode, def: CommandDef, what: string): ParsedArgs | null {
    const tags: ParsedArgs['tags'] = new Map();
    const positional = positionalScratch;
    positional.length = 0;
    // Groups of the tags seen so far, and which tag took each.
    const groups = groupScratch;
    groups.length = 0;
    let comparatorName: string | null = null;
    let comparatorPos: Position | null = null;
    let matchType: string | null = null;
    let matchPos: Position | null = null;
    let matchParam: string | undefined;
    let addressPart: string | null = null;

    const known = knownTags(def);

    const args = node.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.type !== 'tag') {
        positional.push(a);
        continue;
      }
      let tag = known.get(a.name);
      let special: 'comparator' | 'match' | 'address' | null = null;
      let needs: string | null = null;
      if (!tag && def.matching && a.name === 'comparator') {
        tag = COMPARATOR_TAG;
        special = 'comparator';
      } else if (!tag && def.matching && registry.matchTypes.has(a.name)) {
        const mt = registry.matchTypes.get(a.name)!;
        if (mt.capability && !has(mt.capability))
          needs = `match type :${a.name} used without require "${mt.capability}"`;
        tag = matchTypeTag(mt.def);
        special = 'match';
      } else if (!tag && def.addressPart && registry.addressParts.has(a.name)) {
        const ap = registry.addressParts.get(a.name)!;
        if (ap.capability && !has(ap.capability))
          needs = `address part :${a.name} used without require "${ap.capability}"`;
        tag = addressPartTag(ap.def);
        special = 'address';
      }
      if (!tag) {
        const owner = (registry.extraTags.get(def.name) ?? []).find((t) => t.def.name === a.name);
        if (owner?.capability) {
          error(a.pos, `tag :${a.name} of ${what} used without require "${owner.capability}"`);
          return null;
        }
        // Like an unknown command, a misspelt tag is reported where it first appears.
        const key = `${def.name}\0${a.name}`;
        if (unknownTagsSeen.has(key)) return null;
        unknownTagsSeen.add(key);
        const usable = usableTags(def, known);
        const hint = suggest(a.name, usable);
        const help = hint
          ? `did you mean :${hint}?`
          : usable.length
            ? `it takes ${usable.map((t) => `:${t}`).join(', ')}`
            : 'it takes none';
        error(a.pos, `unknown tagged argument ':${a.name}' for the ${what} (${help})`);
        return null;
      }
      if (needs) {
        error(a.pos, needs);
        return null;
      }
      if (positional.length > 0) {
        error(a.pos, `unexpected tagged argument ':${a.name}' after the positional arguments of the ${what}`);
        return null;
      }
      if (tags.has(tag.name)) {
        error(a.pos, `tag :${a.name} given more than once for ${what}`);
        return null;
      }
      if (tag.group) {
        let g = 0;
        while (g < groups.length && groups[g] !== tag.group) g += 2;
        const other = g < groups.length ? groups[g + 1] : undefined;
        if (other && other !== tag.name) {
          error(a.pos, `tags :${other} and :${tag.name} of ${what} cannot be used together`);
          return null;
        }
        if (g < groups.length) groups[g + 1] = tag.name;
        else groups.push(tag.group, tag.name);
      }
      let value: Argument | undefined;
      if (tag.param) {
        const next = args[i + 1];
        if (!next || next.type === 'tag' || !fits(next, tag.param)) {
          error(
            next?.pos ?? a.pos,
            `tag :${a.name} of ${what} needs a ${TYPE_NAMES[tag.param]} argument${next ? `, not a ${argTypeName(next)}` : ''}`,
          );
          return null;
        }
        value = next;
        i++;
      }
      tags.set(tag.name, { pos: a.pos, value });
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

    const sig = def.positional ?? NO_POSITIONAL;
    const min = sig.length - (def.optionalPositional ?? 0);
    const names = def.positionalNames;
    if (positional.length < min || positional.length > sig.length) {
      const expected =
        min === sig.length ? `${sig.length}` : `${min} ${sig.length - min === 1 ? 'or' : 'to'} ${sig.length}`;
      const words = sig.map((t, idx) => names?.[idx] ?? TYPE_NAMES[t]).join(', ');
      const n = positional.length;
      error(
        positional[sig.length]?.pos ?? node.pos,
        `the ${what} requires ${expected} positional argument${sig.length === 1 ? '' : 's'}${words ? ` (${words})` : ''}, but ${n} ${n === 1 ? 'was' : 'were'} specified`,
      );
      return null;
    }
    for (let idx = 0; idx < positional.length; idx++) {
      const p = positional[idx]!;
      if (!fits(p, sig[idx]!)) {
        const name = names?.[idx] ? ` (${names[idx]})` : '';
        error(
          p.pos,
          `${what} expects a ${TYPE_NAMES[sig[idx]!]} as argument ${idx + 1}${name}, but a ${argTypeName(p)} was found`,
        );
        return null;
      }
    }

    let ok = true;
    const parsed: ParsedArgs = { tags, positional: takeFrom(positional, 0) };
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
        parsed.match = matchSpec(mt.def, cmp.def, matchParam?.toLowerCase());
      }
    }
    if (def.addressPart) parsed.addressPart = registry.addressParts.get(addressPart ?? 'all')!.def;
    return ok ? parsed : null;
  }

  /** Whether `name` is a tag of the definition, as written without its colon. */
  function isTagName(def: CommandDef, name: string): boolean {
    if ((def.tags ?? []).some((t) => t.name === name)) return true;
    if ((registry.extraTags.get(def.name) ?? []).some((t) => t.def.name === name)) return true;
    if (def.matching && (name === 'comparator' || registry.matchTypes.has(name))) return true;
    return !!def.addressPart && registry.addressParts.has(name);
  }

  function checkTests(node: CommandNode | TestNode, def: CommandDef, what: string): boolean {
    const mode = def.tests ?? 'none';
    if (mode === 'none' && node.tests.length > 0) {
      const next = node.tests[0]!;
      const isTest = registry.tests.has(next.name);
      const isCommand = registry.commands.has(next.name) || CONTROL.has(next.name);
      if (!isTest && !isCommand && isTagName(def, next.name)) {
        // `address matches "from" "x"`: the tag lost its colon and became a test.
        error(next.pos, `missing colon before '${next.name}': it is the :${next.name} tag of the ${what}`);
      } else if (isTest) {
        error(
          next.pos,
          node.type === 'command'
            ? `the ${what} accepts no tests, but the test '${next.name}' was specified (missing semicolon?)`
            : `the ${what} accepts no sub-tests, but '${next.name}' was specified (missing block or operator?)`,
        );
      } else {
        // `keep fileinto "x";` parses as a command with a test: almost always a missing semicolon.
        error(
          next.pos,
          node.type === 'command'
            ? `missing semicolon after ${node.name} command (before '${next.name}')`
            : `unexpected '${next.name}' after ${what} (missing block or operator?)`,
        );
      }
      return false;
    }
    if (mode === 'one' && (node.tests.length !== 1 || node.testList)) {
      error(
        node.pos,
        node.testList ? `${what} takes a single test, not a test list` : `${what} needs a test`,
      );
      return false;
    }
    if (mode === 'list' && !node.testList) {
      error(node.pos, `${what} needs a test list in parentheses`);
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
    const what = whatOf(testWhat, owned.def, 'test');
    const args = parseArgs(node, owned.def, what);
    const testsOk = checkTests(node, owned.def, what);
    if (!testsOk && (owned.def.tests ?? 'none') === 'none') return null;
    const inner = compileTests(node);
    if (!args || !testsOk || inner === null) return null;
    const data = owned.def.compile
      ? owned.def.compile(args, makeContext(node), inner)
      : { args, tests: inner };
    return { def: owned.def, data, pos: node.pos };
  }

  // Compiled lists are gathered on these stacks and copied out at their exact size (see parser.ts).
  const testStack: CompiledTest[] = [];
  const commandStack: CompiledCommand[] = [];

  /** The nested tests of a node, or null when one of them failed to compile. */
  function compileTests(node: CommandNode | TestNode): CompiledTest[] | null {
    const tests = node.tests;
    if (tests.length === 0) return [];
    const from = testStack.length;
    stack.push(node.name);
    try {
      for (let k = 0; k < tests.length; k++) {
        const c = compileTest(tests[k]!);
        if (c) testStack.push(c);
      }
    } finally {
      stack.pop();
    }
    const inner = testStack.length - from === tests.length ? takeFrom(testStack, from) : null;
    testStack.length = from;
    return inner;
  }

  function compileBody(name: string, nodes: CommandNode[]): CompiledCommand[] {
    stack.push(name);
    try {
      return compileBlock(nodes, false);
    } finally {
      stack.pop();
    }
  }

  function compileBlock(nodes: CommandNode[], topLevel: boolean): CompiledCommand[] {
    const out = commandStack;
    const from = out.length;
    try {
      compileCommands(nodes, topLevel);
      return takeFrom(out, from);
    } finally {
      out.length = from;
    }
  }

  function compileCommands(nodes: CommandNode[], topLevel: boolean): void {
    const out = commandStack;
    let requiresAllowed = topLevel;
    let lastIf: Extract<CompiledCommand, { kind: 'if' }> | null = null;
    let lastWasIf = false;
    for (const node of nodes) {
      const wasIf = lastWasIf;
      lastWasIf = false;
      if (node.name === 'require') {
        if (!requiresAllowed) {
          error(
            node.pos,
            topLevel
              ? 'require command must come before any other command'
              : 'require command can only be used at the top level',
          );
          continue;
        }
        handleRequire(node);
        continue;
      }
      requiresAllowed = false;
      if (stack.length >= config.maxNesting) {
        error(node.pos, `blocks nested too deeply (limit ${config.maxNesting})`);
        continue;
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
              if (node.name === 'if' || !lastIf) {
                lastIf = { kind: 'if', branches: [{ test, body: [] }], pos: node.pos };
                out.push(lastIf);
              } else {
                lastIf.branches.push({ test, body: [] });
              }
              lastWasIf = true;
              continue;
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
          if (node.name === 'if' || !lastIf) {
            lastIf = { kind: 'if', branches: [{ test, body }], pos: node.pos };
            out.push(lastIf);
          } else {
            lastIf.branches.push({ test, body });
          }
          lastWasIf = node.name !== 'else';
          if (node.name === 'else') lastIf = null;
          continue;
        }
        case 'stop':
          if (node.args.length || node.tests.length) error(node.pos, 'stop takes no arguments');
          if (node.block) error(node.pos, 'stop takes no block');
          out.push({ kind: 'stop', pos: node.pos });
          lastIf = null;
          continue;
      }
      lastIf = null;
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
        continue;
      }
      if (owned.capability && !has(owned.capability)) {
        error(node.pos, `${node.name} used without require "${owned.capability}"`);
        continue;
      }
      const def = owned.def;
      const what = whatOf(commandWhat, def, 'command');
      const args = parseArgs(node, def, what);
      const testsOk = checkTests(node, def, what);
      const tests = testsOk || def.tests ? compileTests(node) : null;
      let block: CompiledCommand[] | null = null;
      if (def.block) {
        if (node.block === null) error(node.pos, `${what} needs a block in braces`);
        else block = compileBody(node.name, node.block);
      } else if (node.block !== null) {
        error(node.pos, `${what} takes no block (missing semicolon?)`);
      }
      if (!args || !testsOk || tests === null) continue;
      const data = def.compile ? def.compile(args, makeContext(node), tests) : { args, tests };
      out.push({ kind: 'action', def, data, block, pos: node.pos });
    }
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

  const commands = compileBlock(ast.commands, true);
  return { program: { commands, capabilities }, diagnostics };
}
