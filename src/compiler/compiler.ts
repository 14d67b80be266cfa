import type { Argument, CommandNode, Position, ScriptNode, TestNode } from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics.js';
import type {
  ArgType,
  CommandDef,
  CompileContext,
  CompiledKeys,
  EngineConfig,
  MatchSpec,
  ParsedArgs,
  TagDef,
} from '../extensions/types.js';
import type { Registry } from './registry.js';
import type { CompiledCommand, CompiledTest, Program } from './program.js';
import { decodeEncodedCharacters, parseTemplate, type SieveString } from './strings.js';
import { suggest } from './suggest.js';

export interface CompileOptions {
  registry: Registry;
  config: EngineConfig;
  /** Capabilities allowed in addition to the normal ones (the test harness's). */
  allowTestOnly?: boolean;
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
  const state = new Map<string, unknown>();
  const matchCache = new Map<string, ReturnType<MatchSpec['type']['prepare']>>();

  const error = (pos: Position, message: string) =>
    diagnostics.push({ severity: 'error', message, line: pos.line, column: pos.column });
  const warning = (pos: Position, message: string) =>
    diagnostics.push({ severity: 'warning', message, line: pos.line, column: pos.column });

  const has = (cap: string) => capabilities.has(cap);
  const isNamespace = (ns: string) => {
    const known = state.get('variables.namespaces') as Set<string> | undefined;
    return known?.has(ns) ?? false;
  };

  function compileString(arg: Argument): SieveString {
    if (arg.type !== 'string') return '';
    // Line breaks inside strings are CRLF whatever the script file uses (RFC 5228 §2.4.2).
    let text = arg.value.includes('\n') ? arg.value.replace(/\r?\n/g, '\r\n') : arg.value;
    if (has('encoded-character')) {
      const decoded = decodeEncodedCharacters(text);
      if (decoded.error) error(arg.pos, decoded.error);
      text = decoded.value;
    }
    return has('variables')
      ? parseTemplate(text, isNamespace, (ns, ref) =>
          error(arg.pos, `unknown variable namespace "${ns}" in \${${ref}}`),
        )
      : text;
  }

  function compileStringList(arg: Argument): SieveString[] {
    if (arg.type === 'string') return [compileString(arg)];
    if (arg.type === 'stringlist') return arg.items.map(compileString);
    return [];
  }

  function compileKeys(arg: Argument, spec: MatchSpec): CompiledKeys {
    const strings = compileStringList(arg);
    if (strings.every((s): s is string => typeof s === 'string')) {
      const matchers = strings.map((k) => {
        const key = `${spec.type.name}\0${spec.comparator.name}\0${spec.param ?? ''}\0${k}`;
        let m = matchCache.get(key);
        if (!m) {
          m = spec.type.prepare(k, spec);
          matchCache.set(key, m);
        }
        return m;
      });
      return { constant: true, strings, matchers };
    }
    return { constant: false, strings };
  }

  function makeContext(node: CommandNode | TestNode, ancestors: string[]): CompileContext {
    return {
      has,
      error,
      warning,
      string: compileString,
      stringList: compileStringList,
      keys: compileKeys,
      state,
      node,
      ancestors,
      config,
    };
  }

  /** Checks tags and positional arguments against a definition. */
  function parseArgs(node: CommandNode | TestNode, def: CommandDef, what: string): ParsedArgs | null {
    const tags: ParsedArgs['tags'] = new Map();
    const positional: Argument[] = [];
    const groups = new Map<string, string>();
    let ok = true;
    let comparatorName: string | null = null;
    let comparatorPos: Position | null = null;
    let matchType: { name: string; pos: Position; param?: string } | null = null;
    let addressPart: string | null = null;

    const known = new Map<string, TagDef>();
    for (const t of def.tags ?? []) known.set(t.name, t);
    for (const t of registry.extraTags.get(def.name) ?? []) {
      if (t.capability === null || has(t.capability)) known.set(t.def.name, t.def);
    }

    const args = node.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.type !== 'tag') {
        positional.push(a);
        continue;
      }
      if (positional.length > 0) {
        error(a.pos, `tag :${a.name} of ${what} must come before its positional arguments`);
        ok = false;
      }
      let tag = known.get(a.name);
      let special: 'comparator' | 'match' | 'address' | null = null;
      if (!tag && def.matching && a.name === 'comparator') {
        tag = { name: 'comparator', param: 'string', group: 'comparator' };
        special = 'comparator';
      } else if (!tag && def.matching && registry.matchTypes.has(a.name)) {
        const mt = registry.matchTypes.get(a.name)!;
        if (mt.capability && !has(mt.capability)) {
          error(a.pos, `match type :${a.name} used without require "${mt.capability}"`);
          ok = false;
        }
        tag = { name: a.name, param: mt.def.param, group: 'match-type' };
        special = 'match';
      } else if (!tag && def.addressPart && registry.addressParts.has(a.name)) {
        const ap = registry.addressParts.get(a.name)!;
        if (ap.capability && !has(ap.capability)) {
          error(a.pos, `address part :${a.name} used without require "${ap.capability}"`);
          ok = false;
        }
        tag = { name: a.name, group: 'address-part' };
        special = 'address';
      }
      if (!tag) {
        const hint = suggest(a.name, [
          ...known.keys(),
          ...(def.matching ? ['comparator', ...registry.matchTypes.keys()] : []),
          ...(def.addressPart ? registry.addressParts.keys() : []),
        ]);
        const owner = [...registry.extraTags.entries()]
          .filter(([cmd]) => cmd === def.name)
          .flatMap(([, list]) => list)
          .find((t) => t.def.name === a.name);
        if (owner?.capability)
          error(a.pos, `tag :${a.name} of ${what} used without require "${owner.capability}"`);
        else error(a.pos, `unknown tag :${a.name} for ${what}${hint ? ` (did you mean :${hint}?)` : ''}`);
        ok = false;
        continue;
      }
      if (tags.has(tag.name)) {
        error(a.pos, `tag :${a.name} given more than once for ${what}`);
        ok = false;
      }
      if (tag.group) {
        const other = groups.get(tag.group);
        if (other && other !== tag.name) {
          error(a.pos, `tags :${other} and :${tag.name} of ${what} cannot be used together`);
          ok = false;
        }
        groups.set(tag.group, tag.name);
      }
      let value: Argument | undefined;
      if (tag.param) {
        const next = args[i + 1];
        if (!next || next.type === 'tag' || !fits(next, tag.param)) {
          error(
            next?.pos ?? a.pos,
            `tag :${a.name} of ${what} needs a ${TYPE_NAMES[tag.param]} argument${next ? `, not a ${argTypeName(next)}` : ''}`,
          );
          ok = false;
          continue;
        }
        value = next;
        i++;
      }
      tags.set(tag.name, { pos: a.pos, value });
      if (special === 'comparator' && value?.type === 'string') {
        comparatorName = value.value.toLowerCase();
        comparatorPos = value.pos;
      } else if (special === 'match') {
        matchType = { name: tag.name, pos: a.pos, param: value?.type === 'string' ? value.value : undefined };
      } else if (special === 'address') {
        addressPart = tag.name;
      }
    }

    const sig = def.positional ?? [];
    const min = sig.length - (def.optionalPositional ?? 0);
    // After a bad tag the positional count says nothing new (the tag may have meant to take a value).
    if (!ok) return null;
    if (positional.length < min || positional.length > sig.length) {
      const expected = min === sig.length ? `${sig.length}` : `${min} to ${sig.length}`;
      const words = sig.map((t) => TYPE_NAMES[t]).join(', ');
      error(
        positional[sig.length]?.pos ?? node.pos,
        `${what} expects ${expected} positional argument${sig.length === 1 ? '' : 's'}${words ? ` (${words})` : ''} but got ${positional.length}`,
      );
      ok = false;
    } else {
      positional.forEach((p, idx) => {
        if (!fits(p, sig[idx]!)) {
          error(
            p.pos,
            `${what} expects a ${TYPE_NAMES[sig[idx]!]} as argument ${idx + 1}, not a ${argTypeName(p)}`,
          );
          ok = false;
        }
      });
    }

    const parsed: ParsedArgs = { tags, positional };
    if (def.matching) {
      const cmpName = comparatorName ?? def.defaultComparator ?? 'i;ascii-casemap';
      const cmp = registry.comparators.get(cmpName);
      if (!cmp) {
        error(comparatorPos ?? node.pos, `unknown comparator "${cmpName}"`);
        ok = false;
      } else if (cmp.capability && !has(cmp.capability) && !has(`comparator-${cmpName}`)) {
        const message = `comparator "${cmpName}" used without require "comparator-${cmpName}"`;
        if (cmp.def.lenientRequire) warning(comparatorPos ?? node.pos, message);
        else {
          error(comparatorPos ?? node.pos, message);
          ok = false;
        }
      }
      const mt = registry.matchTypes.get(matchType?.name ?? 'is')!;
      if (cmp && mt) {
        if (!cmp.def.substring && (mt.def.name === 'contains' || mt.def.name === 'matches')) {
          error(matchType!.pos, `comparator "${cmpName}" cannot be used with the :${mt.def.name} match type`);
          ok = false;
        }
        if (mt.def.checkParam && matchType?.param !== undefined) {
          const problem = mt.def.checkParam(matchType.param);
          if (problem) {
            error(matchType.pos, problem);
            ok = false;
          }
        }
        parsed.match = { type: mt.def, comparator: cmp.def, param: matchType?.param?.toLowerCase() };
      }
    }
    if (def.addressPart) parsed.addressPart = registry.addressParts.get(addressPart ?? 'all')!.def;
    return ok ? parsed : null;
  }

  function checkTests(node: CommandNode | TestNode, def: CommandDef, what: string): boolean {
    const mode = def.tests ?? 'none';
    if (mode === 'none' && node.tests.length > 0) {
      const next = node.tests[0]!;
      // `keep fileinto "x";` parses as a command with a test: almost always a missing semicolon.
      error(
        next.pos,
        node.type === 'command'
          ? `missing semicolon after ${node.name} command (before '${next.name}')`
          : `unexpected '${next.name}' after ${what} (missing block or operator?)`,
      );
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

  function compileTest(node: TestNode, ancestors: string[]): CompiledTest | null {
    if (ancestors.length > config.maxNesting) {
      error(node.pos, `tests nested too deeply (limit ${config.maxNesting})`);
      return null;
    }
    const owned = registry.tests.get(node.name);
    if (!owned) {
      if (registry.commands.has(node.name) || CONTROL.has(node.name)) {
        error(node.pos, `'${node.name}' is a command, not a test`);
      } else {
        const hint = suggest(node.name, registry.tests.keys());
        error(node.pos, `unknown test '${node.name}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      }
      return null;
    }
    if (owned.capability && !has(owned.capability)) {
      error(node.pos, `${node.name} test used without require "${owned.capability}"`);
      return null;
    }
    const what = `${node.name} test`;
    const args = parseArgs(node, owned.def, what);
    const testsOk = checkTests(node, owned.def, what);
    if (!testsOk && (owned.def.tests ?? 'none') === 'none') return null;
    const inner: CompiledTest[] = [];
    for (const t of node.tests) {
      const c = compileTest(t, [...ancestors, node.name]);
      if (c) inner.push(c);
    }
    if (!args || !testsOk || inner.length !== node.tests.length) return null;
    const data = owned.def.compile
      ? owned.def.compile(args, makeContext(node, ancestors), inner)
      : { args, tests: inner };
    return { def: owned.def, data, pos: node.pos };
  }

  function compileBlock(nodes: CommandNode[], ancestors: string[], topLevel: boolean): CompiledCommand[] {
    const out: CompiledCommand[] = [];
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
      if (ancestors.length >= config.maxNesting) {
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
              test = compileTest(node.tests[0]!, [...ancestors, node.name]);
            }
          } else if (node.tests.length > 0) {
            error(node.tests[0]!.pos, 'else takes no test');
          }
          const testFailed = needsTest && test === null;
          if (node.block === null && !testFailed) error(node.pos, `${node.name} needs a block in braces`);
          const body = compileBlock(node.block ?? [], [...ancestors, node.name], false);
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
          error(node.pos, `'${node.name}' is a test, not a command (use it inside if)`);
        } else {
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
      const what = `${node.name} command`;
      const args = parseArgs(node, def, what);
      const testsOk = checkTests(node, def, what);
      const tests: CompiledTest[] = [];
      for (const t of testsOk || def.tests ? node.tests : []) {
        const c = compileTest(t, [...ancestors, node.name]);
        if (c) tests.push(c);
      }
      let block: CompiledCommand[] | null = null;
      if (def.block) {
        if (node.block === null) error(node.pos, `${what} needs a block in braces`);
        else block = compileBlock(node.block, [...ancestors, node.name], false);
      } else if (node.block !== null) {
        error(node.pos, `${what} takes no block (missing semicolon?)`);
      }
      if (!args || !testsOk || tests.length !== node.tests.length) continue;
      const data = def.compile ? def.compile(args, makeContext(node, ancestors), tests) : { args, tests };
      out.push({ kind: 'action', def, data, block, pos: node.pos });
    }
    return out;
  }

  function handleRequire(node: CommandNode): void {
    const arg = node.args[0];
    if (node.args.length !== 1 || !arg || (arg.type !== 'string' && arg.type !== 'stringlist')) {
      error(node.pos, 'require expects one string or string list of capabilities');
      return;
    }
    if (node.block) error(node.pos, 'require takes no block');
    if (node.tests.length) {
      error(node.tests[0]!.pos, `missing semicolon after require command (before '${node.tests[0]!.name}')`);
    }
    const items = arg.type === 'string' ? [arg] : arg.items;
    for (const item of items) {
      const name = item.value;
      const ext = registry.extensions.get(name);
      if (!ext || (ext.testOnly && !options.allowTestOnly) || config.disabled.includes(name)) {
        const hint = suggest(name, registry.capabilities());
        error(item.pos, `unsupported capability "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
        continue;
      }
      enable(name, node);
    }
  }

  function enable(name: string, node: CommandNode): void {
    if (capabilities.has(name)) return;
    capabilities.add(name);
    const ext = registry.extensions.get(name);
    if (!ext) return;
    for (const implied of ext.implies ?? []) enable(implied, node);
    ext.onRequire?.(makeContext(node, []));
  }

  const commands = compileBlock(ast.commands, [], true);
  return { program: { commands, capabilities }, diagnostics };
}
