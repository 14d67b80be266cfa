import type { Argument, CommandNode, Position, TestNode } from '../syntax/ast.js';
import type { ArgType, CommandDef, MatchSpec, ParsedArgs, TagValue } from '../extensions/types.js';
import type { CompileState } from './compile-state.js';
import type { StringCompiler } from './compile-strings.js';
import { argTypeName, fits, TYPE_NAMES, whatOf, type TagResolver } from './tags.js';
import { suggest } from './suggest.js';
import { TagList } from './tag-list.js';
import { takeFrom } from '../syntax/lists.js';

const CONTROL = new Set(['require', 'if', 'elsif', 'else', 'stop']);

/** Names of the control commands, which the compiler handles itself. */
export function isControl(name: string): boolean {
  return CONTROL.has(name);
}

export const CONTROL_NAMES: readonly string[] = [...CONTROL];

const NO_POSITIONAL: ArgType[] = [];
/** The tags of every node that has none (nothing writes to ParsedArgs.tags). */
const NO_TAGS: ParsedArgs['tags'] = new TagList([]);

function hasTag(items: Array<string | TagValue>, count: number, name: string): boolean {
  for (let i = 0; i < count; i += 2) if (items[i] === name) return true;
  return false;
}

/** Checks nodes against the signatures of their definitions. */
export interface SignatureChecker {
  /** Tags and positional arguments; null (with an error reported) when they do not fit. */
  parseArgs(node: CommandNode | TestNode, def: CommandDef): ParsedArgs | null;
  /** The nested tests a node has against those its definition takes. */
  checkTests(node: CommandNode | TestNode, def: CommandDef): boolean;
}

export function createSignatureChecker(
  s: CompileState,
  resolver: TagResolver,
  strings: StringCompiler,
): SignatureChecker {
  const { registry, error, warning, has, unknownSeen } = s;
  const matchSpec = strings.matchSpec;
  // Groups of the tags seen so far on a node, and which tag took each (pairs; reused).
  const groups: string[] = [];
  // Tags of the node being checked, names and values alternating (reused).
  const tagItems: Array<string | TagValue> = [];

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

    const info = resolver.info(def);

    const args = node.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.type !== 'tag') {
        if (positionalFrom < 0) positionalFrom = i;
        continue;
      }
      const use = resolver.use(def, info, a.name);
      if (use === null) {
        const owner = (registry.extraTags.get(def.name) ?? []).find((t) => t.def.name === a.name);
        if (owner?.capability) {
          error(
            a.pos,
            `tag :${a.name} of ${whatOf(def, node)} used without require "${owner.capability}"`,
            'missing-require',
          );
          return null;
        }
        // Like an unknown command, a misspelt tag is reported where it first appears.
        const key = `tag\0${def.name}\0${a.name}`;
        if (unknownSeen.has(key)) return null;
        unknownSeen.add(key);
        const usable = resolver.usable(def, info.known);
        const hint = suggest(a.name, usable);
        const help = hint
          ? `did you mean :${hint}?`
          : usable.length
            ? `it takes ${usable.map((t) => `:${t}`).join(', ')}`
            : 'it takes none';
        error(
          a.pos,
          `unknown tagged argument ':${a.name}' for the ${whatOf(def, node)} (${help})`,
          'unknown-tag',
        );
        return null;
      }
      const { tag, special, needs } = use;
      if (needs) {
        error(a.pos, needs, 'missing-require');
        return null;
      }
      if (positionalFrom >= 0) {
        error(
          a.pos,
          `unexpected tagged argument ':${a.name}' after the positional arguments of the ${whatOf(def, node)}`,
          'tag-after-positional',
        );
        return null;
      }
      if (hasTag(tagItems, tagCount, tag.name)) {
        error(a.pos, `tag :${a.name} given more than once for ${whatOf(def, node)}`, 'duplicate-tag');
        return null;
      }
      if (tag.group) {
        let g = 0;
        while (g < groupCount && groups[g] !== tag.group) g += 2;
        const other = g < groupCount ? groups[g + 1] : undefined;
        if (other && other !== tag.name) {
          error(
            a.pos,
            `tags :${other} and :${tag.name} of ${whatOf(def, node)} cannot be used together`,
            'conflicting-tags',
          );
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
            'bad-tag-argument',
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
        'wrong-argument-count',
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
          'bad-argument',
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
        // A name a string hook would expand at run time: comparators are chosen at compile time.
        const dynamic = strings.templating() && cmpName.includes('${');
        error(
          comparatorPos ?? node.pos,
          dynamic
            ? `the comparator name must be a constant, not "${cmpName}" (variables cannot be used here)`
            : `unknown comparator "${cmpName}"`,
          dynamic ? 'comparator-not-constant' : 'unknown-comparator',
        );
        return null;
      } else if (cmp.capability && !has(cmp.capability) && !has(`comparator-${cmpName}`)) {
        const message = `comparator "${cmpName}" used without require "comparator-${cmpName}"`;
        if (cmp.def.lenientRequire) warning(comparatorPos ?? node.pos, message, 'missing-require');
        else {
          error(comparatorPos ?? node.pos, message, 'missing-require');
          return null;
        }
      }
      const mt = registry.matchTypes.get(matchType ?? 'is')!;
      if (cmp && mt) {
        if (
          !cmp.def.substring &&
          (mt.def.name === 'contains' || mt.def.name === 'matches' || mt.def.substring)
        ) {
          error(
            matchPos!,
            `comparator "${cmpName}" cannot be used with the :${mt.def.name} match type`,
            'comparator-mismatch',
          );
          return null;
        }
        if (mt.def.comparator === false && comparatorName !== null) {
          error(
            comparatorPos ?? matchPos!,
            `the :${mt.def.name} match type does not allow a comparator`,
            'comparator-not-allowed',
          );
          ok = false;
        }
        if (mt.def.checkParam && matchParam !== undefined) {
          const problem = mt.def.checkParam(matchParam);
          if (problem) {
            error(matchPos!, problem, 'bad-match-parameter');
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

  function checkTests(node: CommandNode | TestNode, def: CommandDef): boolean {
    const mode = def.tests ?? 'none';
    if (mode === 'none' && node.tests.length > 0) {
      const next = node.tests[0]!;
      const isTest = registry.tests.has(next.name);
      const isCommand = registry.commands.has(next.name) || CONTROL.has(next.name);
      if (!isTest && !isCommand && resolver.isTagName(def, next.name)) {
        // `address matches "from" "x"`: the tag lost its colon and became a test.
        error(
          next.pos,
          `missing colon before '${next.name}': it is the :${next.name} tag of the ${whatOf(def, node)}`,
          'missing-colon',
        );
      } else if (isTest) {
        error(
          next.pos,
          node.type === 'command'
            ? `the ${whatOf(def, node)} accepts no tests, but the test '${next.name}' was specified (missing semicolon?)`
            : `the ${whatOf(def, node)} accepts no sub-tests, but '${next.name}' was specified (missing block or operator?)`,
          'unexpected-test',
        );
      } else {
        // `keep fileinto "x";` parses as a command with a test: almost always a missing semicolon.
        error(
          next.pos,
          node.type === 'command'
            ? `missing semicolon after ${node.name} command (before '${next.name}')`
            : `unexpected '${next.name}' after ${whatOf(def, node)} (missing block or operator?)`,
          node.type === 'command' ? 'missing-semicolon' : 'unexpected-test',
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
        'test-count',
      );
      return false;
    }
    if (mode === 'list' && !node.testList) {
      error(node.pos, `${whatOf(def, node)} needs a test list in parentheses`, 'missing-test-list');
      return false;
    }
    return true;
  }

  return { parseArgs, checkTests };
}
