import type { Argument, CommandNode, TestNode } from '../syntax/ast.js';
import type { AddressPartDef, ArgType, CommandDef, MatchTypeDef, TagDef } from '../extensions/types.js';
import type { CompileState } from './compile-state.js';

/** Positional type names as users read them in messages. */
export const TYPE_NAMES: Record<ArgType, string> = {
  string: 'string',
  stringlist: 'string list',
  number: 'number',
};

export function argTypeName(a: Argument): string {
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
export function whatOf(def: CommandDef, node: CommandNode | TestNode): string {
  return `${def.name} ${node.type}`;
}

export function fits(a: Argument, t: ArgType): boolean {
  if (t === 'number') return a.type === 'number';
  if (t === 'string') return a.type === 'string';
  return a.type === 'string' || a.type === 'stringlist';
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

/** What a tag name written on a node stands for. */
export interface TagUse {
  tag: TagDef;
  special: 'comparator' | 'match' | 'address' | null;
  /** Error to report: the tag needs a capability not required. */
  needs: string | null;
}

export interface DefInfo {
  /** Number of capabilities when this was worked out. */
  caps: number;
  /** Tags of the definition, its own and those extensions add. */
  known: Map<string, TagDef>;
  /** Tag names seen on its nodes → what they stand for (null: unknown). */
  uses: Map<string, TagUse | null>;
}

/** Resolves the tag names written on nodes, per definition and the capabilities required so far. */
export interface TagResolver {
  info(def: CommandDef): DefInfo;
  use(def: CommandDef, info: DefInfo, name: string): TagUse | null;
  /** Tags that can be written for a definition in this script (for hints and messages). */
  usable(def: CommandDef, known: Map<string, TagDef>): string[];
  /** Whether `name` is a tag of the definition, as written without its colon. */
  isTagName(def: CommandDef, name: string): boolean;
}

export function createTagResolver(s: CompileState): TagResolver {
  const { registry, capabilities, has } = s;
  // Per definition, given the capabilities required so far (their count tells, as they only grow).
  const defCache = new Map<CommandDef, DefInfo>();

  function info(def: CommandDef): DefInfo {
    const hit = defCache.get(def);
    if (hit && hit.caps === capabilities.size) return hit;
    const known = new Map<string, TagDef>();
    for (const t of def.tags ?? []) known.set(t.name, t);
    for (const t of registry.extraTags.get(def.name) ?? []) {
      if (t.capability === null || has(t.capability)) known.set(t.def.name, t.def);
    }
    const out: DefInfo = { caps: capabilities.size, known, uses: new Map() };
    defCache.set(def, out);
    return out;
  }

  function use(def: CommandDef, di: DefInfo, name: string): TagUse | null {
    let found = di.uses.get(name);
    if (found === undefined) di.uses.set(name, (found = resolve(def, di.known, name)));
    return found;
  }

  function resolve(def: CommandDef, known: Map<string, TagDef>, name: string): TagUse | null {
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

  function usable(def: CommandDef, known: Map<string, TagDef>): string[] {
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

  function isTagName(def: CommandDef, name: string): boolean {
    if ((def.tags ?? []).some((t) => t.name === name)) return true;
    if ((registry.extraTags.get(def.name) ?? []).some((t) => t.def.name === name)) return true;
    if (def.matching && (name === 'comparator' || registry.matchTypes.has(name))) return true;
    return !!def.addressPart && registry.addressParts.has(name);
  }

  return { info, use, usable, isTagName };
}
