import type { Position } from '../syntax/ast.js';
import type { CompileContext, CompiledKeys, Extension, MatchSpec, TagDef } from './types.js';
import { parseTemplate, type SieveString } from '../compiler/strings.js';
import { stateKey } from '../compiler/state.js';
import type { Runtime } from '../runtime/runtime.js';
import { number } from '../settings/schema.js';
import { defineCommand, defineTest } from './define.js';

/** Compile state: the namespaces `${ns.name}` may use (the compiler reads this key). */
export const NAMESPACES_STATE = stateKey<Set<string>>('variables.namespaces');
/** Compile state: namespaces whose variables `set` may assign. */
const ASSIGNABLE_STATE = stateKey<Set<string>>('variables.assignable');
/** Compile state: distinct variable names assigned so far, for the maxVariables limit. */
export const DECLARED_STATE = stateKey<Set<string>>('variables.declared');
/** Run state: writers for assignable namespaces. */
const WRITERS_STATE = stateKey<Map<string, (name: string, value: string) => void>>('variables.writers');

/**
 * A `set` modifier (RFC 5229 §4.1). Higher precedence runs first; two modifiers of one precedence
 * in a single `set` are an error. `maxSize` (octets) lets a modifier that grows its input stop at a
 * clean boundary instead of being cut in the middle of an escape.
 */
export interface SetModifier {
  name: string;
  precedence: number;
  apply(value: string, maxSize: number): string;
}

/** Where a `set` (or another assigning command) stores its value. */
export type VariableTarget = { kind: 'var'; name: string } | { kind: 'ns'; namespace: string; name: string };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function mapFirst(s: string, f: (c: string) => string): string {
  if (s === '') return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return f(first) + s.slice(first.length);
}

/** Escapes the characters special to :matches, stopping before the limit rather than splitting a pair. */
function quoteWildcard(value: string, maxSize: number): string {
  let out = '';
  let size = 0;
  for (const ch of value) {
    const piece = ch === '*' || ch === '?' || ch === '\\' ? `\\${ch}` : ch;
    const n = Buffer.byteLength(piece);
    if (size + n > maxSize) break;
    out += piece;
    size += n;
  }
  return out;
}

const modifiers = new Map<string, SetModifier>();

/** Makes a modifier known to `set`; extensions adding one (:quoteregex, :encodeurl) also add its tag via tagsFor. */
export function defineSetModifier(m: SetModifier): void {
  modifiers.set(m.name, m);
}

/** The tag for a modifier: one group per precedence makes the compiler refuse two of the same rank. */
export function setModifierTag(m: SetModifier): TagDef {
  return { name: m.name, group: `set-modifier-${m.precedence}` };
}

const STANDARD_MODIFIERS: SetModifier[] = [
  { name: 'lower', precedence: 40, apply: (v) => v.toLowerCase() },
  { name: 'upper', precedence: 40, apply: (v) => v.toUpperCase() },
  { name: 'lowerfirst', precedence: 30, apply: (v) => mapFirst(v, (c) => c.toLowerCase()) },
  { name: 'upperfirst', precedence: 30, apply: (v) => mapFirst(v, (c) => c.toUpperCase()) },
  { name: 'quotewildcard', precedence: 20, apply: quoteWildcard },
  // RFC 5229 speaks of characters, not octets.
  { name: 'length', precedence: 10, apply: (v) => String([...v].length) },
];
for (const m of STANDARD_MODIFIERS) defineSetModifier(m);

/** Cuts a value to at most `max` UTF-8 octets without splitting a character. */
export function truncateUtf8(value: string, max: number): string {
  if (value.length * 3 <= max || Buffer.byteLength(value) <= max) return value;
  let size = 0;
  let end = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    // A lone surrogate is written as U+FFFD (3 octets).
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (size + n > max) break;
    size += n;
    end += ch.length;
  }
  return value.slice(0, end);
}

function namespaces(cx: CompileContext, key: typeof NAMESPACES_STATE): Set<string> {
  let set = cx.state.get(key);
  if (!set) {
    set = new Set();
    cx.state.set(key, set);
  }
  return set;
}

/**
 * Lets `${ns.name}` be used in scripts (call from an extension's onRequire). The run-time values come
 * from `rt.namespaces`; `assignable` namespaces also accept `set`, see `onNamespaceAssign`.
 */
export function registerVariableNamespace(
  cx: CompileContext,
  ns: string,
  options: { assignable?: boolean } = {},
): void {
  namespaces(cx, NAMESPACES_STATE).add(ns.toLowerCase());
  if (options.assignable) namespaces(cx, ASSIGNABLE_STATE).add(ns.toLowerCase());
}

/** Run-time writer for an assignable namespace (call from the owning extension's onRun). */
export function onNamespaceAssign(
  rt: Runtime,
  ns: string,
  write: (name: string, value: string) => void,
): void {
  let writers = rt.state.get(WRITERS_STATE);
  if (!writers) {
    writers = new Map();
    rt.state.set(WRITERS_STATE, writers);
  }
  writers.set(ns.toLowerCase(), write);
}

/**
 * Checks a variable name a command will assign (RFC 5229 §4: an identifier, never a match variable,
 * a namespace only when it allows assignment) and counts it against maxVariables. Reports problems
 * through cx and returns null for an unusable name.
 */
export function declareVariable(
  cx: CompileContext,
  pos: Position,
  name: string,
  what: string,
): VariableTarget | null {
  if (/^[0-9]+$/.test(name)) {
    cx.error(pos, `${what} cannot assign to match variable "${name}"`);
    return null;
  }
  const pieces = name.split('.');
  if (!pieces.every((p) => IDENT.test(p))) {
    cx.error(pos, `invalid variable name "${name}" for ${what}`);
    return null;
  }
  const longest = cx.config.maxVariableNameLength;
  if (pieces[pieces.length - 1]!.length > longest) {
    cx.error(
      pos,
      `variable name "${name.slice(0, 24)}..." for ${what} is too long (limit ${longest} characters)`,
    );
    return null;
  }
  if (pieces.length > 1) {
    const ns = pieces.slice(0, -1).join('.').toLowerCase();
    if (!namespaces(cx, NAMESPACES_STATE).has(ns)) {
      cx.error(pos, `unknown variable namespace "${ns}" in "${name}"`);
      return null;
    }
    if (!namespaces(cx, ASSIGNABLE_STATE).has(ns)) {
      cx.error(pos, `${what} cannot assign to "${name}": namespace "${ns}" is read-only`);
      return null;
    }
    return { kind: 'ns', namespace: ns, name: pieces[pieces.length - 1]!.toLowerCase() };
  }
  const lower = name.toLowerCase();
  const declared = namespaces(cx, DECLARED_STATE);
  if (!declared.has(lower)) {
    declared.add(lower);
    // Reported once, at the first name over the limit.
    if (declared.size === cx.config.maxVariables + 1) {
      cx.error(pos, `too many variables in script (limit ${cx.config.maxVariables})`);
    }
  }
  return { kind: 'var', name: lower };
}

/** Stores a value, cut to maxVariableSize octets. */
export function assignVariable(rt: Runtime, target: VariableTarget, value: string): void {
  const v = truncateUtf8(value, rt.config.maxVariableSize);
  rt.trace?.({
    kind: 'set',
    name: target.kind === 'var' ? target.name : `${target.namespace}.${target.name}`,
    value: v,
  });
  if (target.kind === 'var') {
    rt.variables.set(target.name, v);
    return;
  }
  const writers = rt.state.get(WRITERS_STATE);
  const write = writers?.get(target.namespace);
  if (!write) rt.error(undefined, `variable namespace "${target.namespace}" cannot be assigned here`);
  write(target.name, v);
}

/** Tags of the RFC 5229 modifiers, for other commands that assign like `set` (extracttext). */
export const standardModifierTags: TagDef[] = STANDARD_MODIFIERS.map(setModifierTag);

/** The modifiers named among a command's tags, in the order they apply (highest precedence first). */
export function modifiersFromTags(tags: Iterable<string>): SetModifier[] {
  return [...tags]
    .map((t) => modifiers.get(t))
    .filter((m): m is SetModifier => m !== undefined)
    .sort((a, b) => b.precedence - a.precedence);
}

/** Applies modifiers as `set` does, the value limited to maxVariableSize before each one. */
export function applyModifiers(rt: Runtime, value: string, mods: SetModifier[]): string {
  const max = rt.config.maxVariableSize;
  let v = truncateUtf8(value, max);
  for (const m of mods) v = truncateUtf8(m.apply(v, max), max);
  return v;
}

interface SetData {
  target: VariableTarget;
  value: SieveString;
  modifiers: SetModifier[];
}

const set = defineCommand<SetData | null>({
  name: 'set',
  tags: standardModifierTags,
  positional: ['string', 'string'],
  compile(args, cx) {
    const nameArg = args.positional[0]!;
    const name = nameArg.type === 'string' ? nameArg.value : '';
    const target = declareVariable(cx, nameArg.pos, name, 'set');
    const mods = modifiersFromTags(args.tags.keys());
    const value = cx.string(args.positional[1]!);
    return target ? { target, value, modifiers: mods } : null;
  },
  run(d, rt) {
    if (!d) return;
    // Limited before each modifier too, so none works on more than a variable can hold.
    assignVariable(rt, d.target, applyModifiers(rt, rt.expand(d.value), d.modifiers));
  },
});

interface StringTestData {
  spec: MatchSpec;
  source: SieveString[];
  keys: CompiledKeys;
}

const stringTest = defineTest<StringTestData>({
  name: 'string',
  matching: true,
  positional: ['stringlist', 'stringlist'],
  compile: (args, cx) => ({
    spec: args.match!,
    source: cx.stringList(args.positional[0]!),
    keys: cx.keys(args.positional[1]!, args.match!),
  }),
  test(d, rt) {
    let values = rt.expandList(d.source);
    // RFC 5229 §5: for :count an empty string counts as no value.
    if (d.spec.type.name === 'count') values = values.filter((v) => v !== '');
    rt.trace?.({ kind: 'values', source: 'string', values });
    return rt.match(values, d.keys, d.spec);
  },
});

/** A string argument as a template of `${name}` and `${N}` references (RFC 5229 §3). */
function compileTemplate(text: string, cx: CompileContext, pos: Position): SieveString {
  const known = cx.state.get(NAMESPACES_STATE);
  const compiled = parseTemplate(
    text,
    (ns) => known?.has(ns) ?? false,
    (ns, ref) => cx.error(pos, `unknown variable namespace "${ns}" in \${${ref}}`, 'unknown-namespace'),
  );
  if (typeof compiled === 'string') return compiled;
  const max = cx.config.maxMatchIndex;
  for (const part of compiled.parts) {
    if (typeof part !== 'string' && part.kind === 'match' && part.index > max) {
      cx.error(
        pos,
        `match variable \${${part.index}} is out of range (the highest is \${${max}})`,
        'match-index-out-of-range',
      );
      break;
    }
  }
  return compiled;
}

/** RFC 5229: `set`, the `string` test, `${name}` and `${N}` expansion (done by the compiler and runtime). */
export const variablesExtension: Extension = {
  name: 'variables',
  commands: [set],
  tests: [stringTest],
  readsMatches: true,
  strings: { template: compileTemplate },
  onRequire(cx) {
    // Other extensions may already have registered namespaces: keep theirs.
    namespaces(cx, NAMESPACES_STATE);
  },
};

/** RFC 5229 variables: the limits of what a script may store (top-level engine settings). */
export const variablesSettings = {
  maxVariables: number({
    integer: true,
    min: 0,
    default: 255,
    doc: 'Distinct variables one script may use.',
  }),
  maxVariableSize: number({
    integer: true,
    min: 0,
    default: 4096,
    doc: 'Octets a variable holds; longer values are cut at a character boundary.',
  }),
  maxMatchValues: number({
    integer: true,
    min: 0,
    default: 100,
    doc: 'Match values (`${0}` to `${N}`) one match keeps.',
  }),
  maxMatchIndex: number({
    integer: true,
    min: 0,
    default: 32,
    doc: 'Highest match variable `${N}` a script may name (a larger one is a compile error).',
  }),
  maxVariableNameLength: number({
    integer: true,
    min: 1,
    default: 64,
    doc: 'Longest variable name accepted by `set` and friends.',
  }),
};
