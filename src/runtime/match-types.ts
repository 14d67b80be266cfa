import type { KeyMatcher, MatchSpec, MatchTypeDef } from '../extensions/types.js';
import type { Runtime } from './runtime.js';

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
    const glob = compileGlob(prepareKey(key, spec));
    const norm = spec.comparator.normalize;
    const sameLength = spec.comparator.keepsLength !== false;
    return (v, rt) => {
      const n = norm ? norm(v) : v;
      const caps = glob(n);
      if (!caps) return false;
      // Captures index the normalized text; it lines up with the value when lengths are kept.
      const src = sameLength ? v : n;
      if (rt) rt.setMatchValues([src, ...caps.map(([s, e]) => src.slice(s, e))]);
      return true;
    };
  },
};

type Span = [number, number];
type Segment = { text: string; wild: boolean[]; hasAny: boolean };

/**
 * Compiles a :matches pattern into a matcher that returns the span of every `*` and `?` (for
 * match variables) or null. Segments between stars are placed leftmost, so each star takes as
 * little as it can and the whole match is at worst O(value × pattern), never exponential.
 */
export function compileGlob(pattern: string): (value: string) => Span[] | null {
  // Tokenise: literal chars (with `\` escapes), `?` and `*`.
  const segments: Segment[] = [];
  const kinds: Array<'star' | 'seg'> = [];
  let cur: Segment | null = null;
  for (let i = 0; i < pattern.length; i++) {
    let ch = pattern[i]!;
    if (ch === '*') {
      if (cur) {
        segments.push(cur);
        kinds.push('seg');
        cur = null;
      }
      kinds.push('star');
      continue;
    }
    let wild = false;
    if (ch === '?') wild = true;
    else if (ch === '\\' && i + 1 < pattern.length) ch = pattern[++i]!;
    // Surrogate pairs form one character for `?`.
    if (wild === false && isHighSurrogate(ch) && i + 1 < pattern.length) ch += pattern[++i]!;
    cur ??= { text: '', wild: [], hasAny: false };
    cur.text += wild ? '?' : ch;
    if (wild) cur.hasAny = true;
    for (let n = 0; n < (wild ? 1 : ch.length); n++) cur.wild.push(wild);
  }
  if (cur) {
    segments.push(cur);
    kinds.push('seg');
  }

  const starCount = kinds.filter((k) => k === 'star').length;
  if (starCount === 0 && segments.length <= 1) {
    const seg = segments[0];
    return (value) => {
      if (!seg) return value === '' ? [] : null;
      const spans = matchSegmentAt(seg, value, 0);
      return spans && spans.end === value.length ? spans.caps : null;
    };
  }

  return (value) => {
    const caps: Span[] = [];
    let pos = 0;
    let k = 0;
    let segIndex = 0;
    let pendingStar = -1; // index in caps of the star whose end is not known yet
    while (k < kinds.length) {
      if (kinds[k] === 'star') {
        // With consecutive stars the earlier ones match the empty string (leftmost is shortest).
        caps.push([pos, pos]);
        pendingStar = caps.length - 1;
        k++;
        continue;
      }
      const seg = segments[segIndex++]!;
      const isLast = k === kinds.length - 1;
      if (pendingStar < 0) {
        const m = matchSegmentAt(seg, value, pos);
        if (!m) return null;
        caps.push(...m.caps);
        pos = m.end;
      } else if (isLast) {
        // The final segment is anchored at the end of the value.
        const start = value.length - segLength(seg, value, pos);
        if (start < pos) return null;
        const m = matchSegmentAt(seg, value, start);
        if (!m || m.end !== value.length) return null;
        caps[pendingStar]![1] = start;
        caps.push(...m.caps);
        pos = m.end;
        pendingStar = -1;
      } else {
        const found = findSegment(seg, value, pos);
        if (!found) return null;
        caps[pendingStar]![1] = found.start;
        caps.push(...found.caps);
        pos = found.end;
        pendingStar = -1;
      }
      k++;
    }
    if (pendingStar >= 0) {
      caps[pendingStar]![1] = value.length;
      pos = value.length;
    }
    return pos === value.length ? caps : null;
  };
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

function matchSegmentAt(seg: Segment, value: string, at: number): { end: number; caps: Span[] } | null {
  if (!seg.hasAny) return value.startsWith(seg.text, at) ? { end: at + seg.text.length, caps: [] } : null;
  const caps: Span[] = [];
  let p = at;
  for (let s = 0; s < seg.text.length; s++) {
    if (seg.wild[s]) {
      if (p >= value.length) return null;
      const w = isHighSurrogate(value[p]!) && p + 1 < value.length ? 2 : 1;
      caps.push([p, p + w]);
      p += w;
    } else {
      if (value[p] !== seg.text[s]) return null;
      p++;
    }
  }
  return { end: p, caps };
}

function findSegment(
  seg: Segment,
  value: string,
  from: number,
): { start: number; end: number; caps: Span[] } | null {
  if (!seg.hasAny) {
    const at = value.indexOf(seg.text, from);
    return at < 0 ? null : { start: at, end: at + seg.text.length, caps: [] };
  }
  for (let at = from; at < value.length; at++) {
    const m = matchSegmentAt(seg, value, at);
    if (m) return { start: at, ...m };
  }
  return null;
}

/** Runs a match over values and keys, honouring match types that look at the whole list. */
export function matchValues(
  values: string[],
  keys: string[],
  matchers: KeyMatcher[],
  spec: MatchSpec,
  rt: Runtime,
): boolean {
  if (spec.type.matchAll) return spec.type.matchAll(values, keys, spec, rt);
  for (const v of values) {
    for (const m of matchers) if (m(v, rt)) return true;
  }
  return false;
}
