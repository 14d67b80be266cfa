import type { CompiledKeys, KeyMatcher, MatchSpec, MatchTypeDef } from '../extensions/types.js';
import type { Runtime } from './runtime.js';
import { chargeComparisons } from './meter.js';

function prepareKey(key: string, spec: MatchSpec): string {
  return spec.comparator.normalize ? spec.comparator.normalize(key) : key;
}

export const is: MatchTypeDef = {
  name: 'is',
  prepare(key, spec) {
    const cmp = spec.comparator;
    if (!cmp.normalize && cmp.compare && cmp.name !== 'i;octet') return (v) => cmp.compare!(v, key) === 0;
    const k = prepareKey(key, spec);
    const norm = cmp.normalize;
    return norm ? (v) => norm(v) === k : (v) => v === k;
  },
};

export const contains: MatchTypeDef = {
  name: 'contains',
  prepare(key, spec) {
    const k = prepareKey(key, spec);
    const norm = spec.comparator.normalize;
    return norm ? (v) => norm(v).includes(k) : (v) => v.includes(k);
  },
};

export const matches: MatchTypeDef = {
  name: 'matches',
  prepare(key, spec) {
    const pattern = prepareKey(key, spec);
    const glob = compileGlobMatcher(pattern);
    const plain = plainGlob(pattern);
    const norm = spec.comparator.normalize;
    const sameLength = spec.comparator.keepsLength !== false;
    return (v, rt) => {
      const n = norm ? norm(v) : v;
      // Spans are only recorded when a script can read them (${1}...).
      if (rt === null || !rt.captureMatches) return plain !== null ? plain(n) : glob(n, null);
      const caps: Span[] = [];
      if (!glob(n, caps)) return false;
      // Captures index the normalized text; it lines up with the value when lengths are kept.
      const src = sameLength ? v : n;
      const values = [src];
      for (const [s, e] of caps) values.push(src.slice(s, e));
      rt.setMatchValues(values);
      return true;
    };
  },
};

type Span = [number, number];
type Segment = { text: string; wild: boolean[]; hasAny: boolean };
/** Matches a value; with `caps` given, fills it with the span of every `*` and `?`. */
type GlobMatcher = (value: string, caps: Span[] | null) => boolean;

/**
 * Compiles a :matches pattern into a matcher that returns the span of every `*` and `?` (for
 * match variables) or null.
 */
export function compileGlob(pattern: string): (value: string) => Span[] | null {
  const glob = compileGlobMatcher(pattern);
  return (value) => {
    const caps: Span[] = [];
    return glob(value, caps) ? caps : null;
  };
}

/**
 * Segments between stars are placed leftmost, so each star takes as little as it can and the
 * whole match is at worst O(value × pattern), never exponential.
 */
function compileGlobMatcher(pattern: string): GlobMatcher {
  // Tokenise: runs of literal text (with `\` escapes), `?` and `*`. `wild` is filled only for
  // segments that hold a `?`: most patterns have none, and a large script has many patterns.
  const segments: Segment[] = [];
  const kinds: Array<'star' | 'seg'> = [];
  let cur: Segment | null = null;
  const add = (text: string, wild: boolean) => {
    cur ??= { text: '', wild: [], hasAny: false };
    if (wild && !cur.hasAny) {
      cur.hasAny = true;
      for (let n = 0; n < cur.text.length; n++) cur.wild.push(false);
    }
    cur.text += text;
    if (cur.hasAny) for (let n = 0; n < text.length; n++) cur.wild.push(wild);
  };
  for (let i = 0; i < pattern.length;) {
    const c = pattern.charCodeAt(i);
    if (c === STAR) {
      if (cur) {
        segments.push(cur);
        kinds.push('seg');
        cur = null;
      }
      kinds.push('star');
      i++;
    } else if (c === QUESTION) {
      add('?', true);
      i++;
    } else if (c === BACKSLASH && i + 1 < pattern.length) {
      // An escaped character; a surrogate pair stays whole.
      const end = isHighSurrogate(pattern[i + 1]!) && i + 2 < pattern.length ? i + 3 : i + 2;
      add(pattern.slice(i + 1, end), false);
      i = end;
    } else {
      let end = i + 1;
      while (end < pattern.length && !isGlobSpecial(pattern.charCodeAt(end))) end++;
      add(pattern.slice(i, end), false);
      i = end;
    }
  }
  if (cur) {
    segments.push(cur);
    kinds.push('seg');
  }

  const starCount = kinds.filter((k) => k === 'star').length;
  if (starCount === 0 && segments.length <= 1) {
    const seg = segments[0];
    if (!seg) return (value) => value === '';
    if (!seg.hasAny) return (value) => value === seg.text;
    return (value, caps) => matchSegmentAt(seg, value, 0, caps) === value.length;
  }

  return (value, caps) => {
    let pos = 0;
    let k = 0;
    let segIndex = 0;
    let starOpen = false; // a star whose end is not known yet
    let pendingStar = -1; // its index in caps
    while (k < kinds.length) {
      if (kinds[k] === 'star') {
        // With consecutive stars the earlier ones match the empty string (leftmost is shortest).
        if (caps !== null) {
          caps.push([pos, pos]);
          pendingStar = caps.length - 1;
        }
        starOpen = true;
        k++;
        continue;
      }
      const seg = segments[segIndex++]!;
      const isLast = k === kinds.length - 1;
      if (!starOpen) {
        const end = matchSegmentAt(seg, value, pos, caps);
        if (end < 0) return false;
        pos = end;
      } else if (isLast) {
        // The final segment is anchored at the end of the value.
        const start = value.length - segLength(seg, value, pos);
        if (start < pos) return false;
        const end = matchSegmentAt(seg, value, start, caps);
        if (end !== value.length) return false;
        if (caps !== null) caps[pendingStar]![1] = start;
        pos = end;
        starOpen = false;
      } else {
        const start = findSegment(seg, value, pos);
        if (start < 0) return false;
        if (caps !== null) caps[pendingStar]![1] = start;
        pos = matchSegmentAt(seg, value, start, caps);
        starOpen = false;
      }
      k++;
    }
    if (starOpen) {
      if (caps !== null) caps[pendingStar]![1] = value.length;
      pos = value.length;
    }
    return pos === value.length;
  };
}

/**
 * The most common patterns, `*text*`, `text*` and `*text` with no other wildcard or escape, as a
 * plain string test for when nothing is captured; null for any other pattern.
 */
function plainGlob(pattern: string): ((value: string) => boolean) | null {
  const last = pattern.length - 1;
  if (last < 1) return null;
  const lead = pattern.charCodeAt(0) === STAR;
  const trail = pattern.charCodeAt(last) === STAR;
  const text = pattern.slice(lead ? 1 : 0, trail ? last : pattern.length);
  for (let i = 0; i < text.length; i++) if (isGlobSpecial(text.charCodeAt(i))) return null;
  if (text === '') return null;
  if (lead && trail) return (v) => v.includes(text);
  if (lead) return (v) => v.endsWith(text);
  if (trail) return (v) => v.startsWith(text);
  return null;
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;

function isGlobSpecial(c: number): boolean {
  return c === STAR || c === QUESTION || c === BACKSLASH;
}

function isHighSurrogate(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c >= 0xd800 && c <= 0xdbff;
}

/** Length in UTF-16 units that `seg` takes when it ends at the end of `value`. */
function segLength(seg: Segment, value: string, floor: number): number {
  if (!seg.hasAny) return seg.text.length;
  // `?` may stand for a surrogate pair: walk back from the end.
  let len = 0;
  let i = value.length;
  for (let s = seg.wild.length - 1; s >= 0; s--) {
    if (seg.wild[s] && i >= 2 && isLowSurrogate(value.charCodeAt(i - 1)) && isHighSurrogate(value[i - 2]!)) {
      i -= 2;
      len += 2;
    } else {
      i -= 1;
      len += 1;
    }
    if (i < floor) return value.length + 1;
  }
  return len;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Where `seg` ends when it matches at `at`, else -1; the spans of its `?` go to `caps`. */
function matchSegmentAt(seg: Segment, value: string, at: number, caps: Span[] | null): number {
  if (!seg.hasAny) return value.startsWith(seg.text, at) ? at + seg.text.length : -1;
  const mark = caps === null ? 0 : caps.length;
  let p = at;
  for (let s = 0; s < seg.text.length; s++) {
    if (seg.wild[s]) {
      if (p >= value.length) return fail(caps, mark);
      const w = isHighSurrogate(value[p]!) && p + 1 < value.length ? 2 : 1;
      if (caps !== null) caps.push([p, p + w]);
      p += w;
    } else {
      if (value[p] !== seg.text[s]) return fail(caps, mark);
      p++;
    }
  }
  return p;
}

/** Drops the spans a failed segment attempt recorded. */
function fail(caps: Span[] | null, mark: number): -1 {
  if (caps !== null) caps.length = mark;
  return -1;
}

/** The leftmost place from `from` where `seg` matches, or -1. */
function findSegment(seg: Segment, value: string, from: number): number {
  if (!seg.hasAny) return value.indexOf(seg.text, from);
  for (let at = from; at < value.length; at++) {
    if (matchSegmentAt(seg, value, at, null) >= 0) return at;
  }
  return -1;
}

/** Runs a match over values and keys, honouring match types that look at the whole list. */
export function matchValues(
  values: string[],
  keys: string[],
  matchers: KeyMatcher[],
  spec: MatchSpec,
  rt: Runtime,
): boolean {
  if (spec.type.matchAll !== undefined) return spec.type.matchAll(values, keys, spec, rt);
  // Indexed loops: this runs for every test of every message, much of it before V8 optimizes it.
  const n = matchers.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (chargeComparisons(rt.meter, v, n)) {
      for (let j = 0; j < n; j++) if (matchers[j]!(v, rt)) return true;
    } else {
      for (let j = 0; j < n; j++) {
        rt.meter.charge(v.length);
        if (matchers[j]!(v, rt)) return true;
      }
    }
  }
  return false;
}

/**
 * The match of constant keys as one function of the values, made at compile time for a bound
 * test (TestDef.bind): matchValues with the keys' ready matchers, skipping Runtime.match's
 * checks for tracing and for keys built from variables.
 */
export function constantMatch(
  keys: CompiledKeys & { constant: true },
  spec: MatchSpec,
): (values: string[], rt: Runtime) => boolean {
  const { strings, matchers } = keys;
  return (values, rt) => matchValues(values, strings, matchers, spec, rt);
}
