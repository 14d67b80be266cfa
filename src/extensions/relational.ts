import type { ComparatorDef, Extension, MatchTypeDef } from './types.js';

/** RFC 5231 §5: the relations, each a test on the comparator's ordering result. */
const RELATIONS: Record<string, (order: number) => boolean> = {
  gt: (o) => o > 0,
  ge: (o) => o >= 0,
  lt: (o) => o < 0,
  le: (o) => o <= 0,
  eq: (o) => o === 0,
  ne: (o) => o !== 0,
};

function checkRelation(value: string): string | null {
  return Object.hasOwn(RELATIONS, value.toLowerCase())
    ? null
    : `invalid relational match type "${value}" (expected "gt", "ge", "lt", "le", "eq" or "ne")`;
}

/** The comparator's ordering; one without compare() orders its normalized forms by code point. */
function ordering(cmp: ComparatorDef): (a: string, b: string) => number {
  if (cmp.compare) return cmp.compare;
  const norm = cmp.normalize ?? ((s: string) => s);
  return (a, b) => {
    const x = norm(a);
    const y = norm(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function relation(param: string | undefined): (order: number) => boolean {
  // The compiler refuses unknown relations, so a miss here is a programming error.
  const rel = param === undefined ? undefined : RELATIONS[param];
  if (!rel) throw new Error(`relational match type without a valid relation (${String(param)})`);
  return rel;
}

/** `:value "rel"`: each value is ordered against each key; any true relation matches. */
const value: MatchTypeDef = {
  name: 'value',
  param: 'string',
  checkParam: checkRelation,
  prepare(key, spec) {
    const rel = relation(spec.param);
    const order = ordering(spec.comparator);
    return (v) => rel(order(v, key));
  },
};

/** `:count "rel"`: the number of values is ordered against each key (RFC 5231 §4.2). */
const count: MatchTypeDef = {
  name: 'count',
  param: 'string',
  checkParam: checkRelation,
  // Only used through matchAll; a lone value counts as one.
  prepare(key, spec) {
    const rel = relation(spec.param);
    const order = ordering(spec.comparator);
    return () => rel(order('1', key));
  },
  matchAll(values, keys, spec) {
    const rel = relation(spec.param);
    const order = ordering(spec.comparator);
    const n = String(values.length);
    return keys.some((k) => rel(order(n, k)));
  },
};

/** RFC 5231: the :value and :count match types. */
export const relationalExtension: Extension = { name: 'relational', matchTypes: [value, count] };
