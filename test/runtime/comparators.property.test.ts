/**
 * Every comparator × match type against a plain reference written from the RFCs (4790, 5051,
 * 5228, 5231): code point arrays, a textbook glob matcher and naive substring search.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ComparatorDef, MatchSpec, MatchTypeDef } from '../../src/extensions/types.js';
import { asciiCasemap, asciiNumeric, octet, unicodeCasemap } from '../../src/runtime/comparators.js';
import { contains, is, matches } from '../../src/runtime/match-types.js';
import { relationalExtension } from '../../src/extensions/relational.js';
import { regexExtension } from '../../src/extensions/regex.js';
import { SieveEngine } from '../../src/engine.js';

const [value, count] = relationalExtension.matchTypes!;
const regex = regexExtension.matchTypes![0]!;

// ---- reference -------------------------------------------------------------------------------

const codePoints = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);

/** RFC 4790 §9.2: only A-Z are mapped. */
const refAsciiFold = (s: string): string =>
  [...s].map((c) => (c >= 'A' && c <= 'Z' ? String.fromCharCode(c.charCodeAt(0) + 32) : c)).join('');

/** RFC 5051, one character at a time: decompose, map the case, decompose again. */
const refUnicodeFold = (s: string): string =>
  [...s.normalize('NFKD')]
    .map((c) => c.toUpperCase())
    .join('')
    .normalize('NFKD');

const refFold: Record<string, (s: string) => string> = {
  'i;octet': (s) => s,
  'i;ascii-casemap': refAsciiFold,
  'i;unicode-casemap': refUnicodeFold,
};

/** Code point order, which is the order of the UTF-8 octets. */
function refOrder(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** RFC 4790 §9.1: the leading digits as a number, none being positive infinity. */
function refNumeric(a: string, b: string): number {
  const num = (s: string) => {
    const m = /^[0-9]+/.exec(s);
    return m ? BigInt(m[0]) : null;
  };
  const x = num(a);
  const y = num(b);
  if (x === null) return y === null ? 0 : 1;
  if (y === null) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function refCompare(cmp: string, a: string, b: string): number {
  if (cmp === 'i;ascii-numeric') return refNumeric(a, b);
  return refOrder(refFold[cmp]!(a), refFold[cmp]!(b));
}

function refContains(haystack: string, needle: string): boolean {
  const h = codePoints(haystack);
  const n = codePoints(needle);
  for (let i = 0; i + n.length <= h.length; i++) {
    let j = 0;
    while (j < n.length && h[i + j] === n[j]) j++;
    if (j === n.length) return true;
  }
  return false;
}

type GlobToken = { kind: 'char'; cp: number } | { kind: 'one' } | { kind: 'any' };

/** RFC 5228 §2.7.1: `*` any run, `?` one character, `\` makes the next character literal. */
function refGlob(pattern: string, text: string): boolean {
  const p = codePoints(pattern);
  const tokens: GlobToken[] = [];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0x5c && i + 1 < p.length) tokens.push({ kind: 'char', cp: p[++i]! });
    else if (p[i] === 0x2a) tokens.push({ kind: 'any' });
    else if (p[i] === 0x3f) tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', cp: p[i]! });
  }
  const t = codePoints(text);
  // ok[j]: the tokens so far can match the first j characters.
  let ok = t.map(() => false).concat(false);
  ok[0] = true;
  for (const tok of tokens) {
    const next = ok.map(() => false);
    for (let j = 0; j <= t.length; j++) {
      if (tok.kind === 'any') next[j] = ok[j]! || (j > 0 && next[j - 1]!);
      else if (j > 0 && ok[j - 1]) next[j] = tok.kind === 'one' || t[j - 1] === tok.cp;
    }
    ok = next;
  }
  return ok[t.length]!;
}

const RELATIONS: Record<string, (o: number) => boolean> = {
  gt: (o) => o > 0,
  ge: (o) => o >= 0,
  lt: (o) => o < 0,
  le: (o) => o <= 0,
  eq: (o) => o === 0,
  ne: (o) => o !== 0,
};

// ---- inputs ----------------------------------------------------------------------------------

/**
 * Characters that make comparators differ: ASCII letters of both cases, accented letters
 * precomposed and decomposed, letters whose case mapping changes length (ß, ŉ, ﬁ) or is
 * special (İ, ı, ς), astral characters, digits, and the glob specials.
 */
const TRICKY = [
  'a', 'A', 'b', 'B', 'z', 'Z', 'é', 'É', 'e\u0301', 'E\u0301', 'ß', 'ẞ', 'ŉ', 'ﬁ', 'İ', 'ı', 'i', 'I',
  'ς', 'σ', 'Σ', 'Ω', 'Ω', 'Å', 'Å', '😀', '𝐀', '𐐀', '𐐨', '0', '1', '9', '07', ' ', '-', '@',
  'ǅ', 'ǆ', 'Ǆ', '\u00a0', 'ｱ', '½',
]; // prettier-ignore

const trickyString = fc.array(fc.constantFrom(...TRICKY), { maxLength: 8 }).map((a) => a.join(''));
const anyString = fc.oneof(trickyString, fc.string({ unit: 'binary', maxLength: 10 }));
/** Keys often taken from inside the value, so that matches are not rare. */
const valueAndKey = fc.oneof(
  fc.tuple(anyString, anyString),
  fc.tuple(anyString, fc.nat(), fc.nat()).map(([v, a, b]): [string, string] => {
    const cps = [...v];
    const from = a % (cps.length + 1);
    return [v, cps.slice(from, from + (b % 4)).join('')];
  }),
  fc
    .tuple(anyString, fc.boolean())
    .map(([v, flip]): [string, string] => [v, flip ? v.toUpperCase() : v.toLowerCase()]),
);
const globPattern = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.constantFrom('*', '?', '\\*', '\\?', '\\\\', '\\')), {
    maxLength: 6,
  })
  .map((a) => a.join(''));
const numericString = fc.oneof(
  fc.stringMatching(/^[0-9]{0,25}[a-z ]?[0-9]?$/),
  fc.stringMatching(/^0*[0-9]{0,3}$/),
  anyString,
);

// ---- properties ------------------------------------------------------------------------------

const SUBSTRING: ComparatorDef[] = [octet, asciiCasemap, unicodeCasemap];
const ALL: ComparatorDef[] = [...SUBSTRING, asciiNumeric];
const RUNS = { numRuns: 400 };

function matcher(type: MatchTypeDef, comparator: ComparatorDef, key: string, param?: string) {
  const spec: MatchSpec = { type, comparator, ...(param ? { param } : {}) };
  return (v: string) => type.prepare(key, spec)(v, null);
}

describe.each(SUBSTRING.map((c) => [c.name, c] as const))('%s', (name, cmp) => {
  const fold = refFold[name]!;

  it(':is equals the reference', () => {
    fc.assert(
      fc.property(valueAndKey, ([v, k]) => {
        expect(matcher(is, cmp, k)(v)).toBe(fold(v) === fold(k));
      }),
      RUNS,
    );
  });

  it(':contains equals the reference', () => {
    fc.assert(
      fc.property(valueAndKey, ([v, k]) => {
        expect(matcher(contains, cmp, k)(v)).toBe(refContains(fold(v), fold(k)));
      }),
      RUNS,
    );
  });

  it(':matches equals the reference', () => {
    const withPattern = fc.oneof(
      fc.tuple(anyString, globPattern),
      // Patterns made from the value with some characters replaced by wildcards.
      fc
        .tuple(anyString, fc.array(fc.nat(3), { maxLength: 10 }))
        .map(([v, picks]): [string, string] => [
          v,
          [...v].map((c, i) => (picks[i] === 0 ? '?' : picks[i] === 1 ? '*' : c)).join(''),
        ]),
    );
    fc.assert(
      fc.property(withPattern, ([v, p]) => {
        expect(matcher(matches, cmp, p)(v)).toBe(refGlob(fold(p), fold(v)));
      }),
      RUNS,
    );
  });
});

describe.each(ALL.map((c) => [c.name, c] as const))('%s relational', (name, cmp) => {
  const strings = name === 'i;ascii-numeric' ? numericString : anyString;

  it(':value orders as the reference for every relation', () => {
    fc.assert(
      fc.property(strings, strings, fc.constantFrom(...Object.keys(RELATIONS)), (v, k, rel) => {
        expect(matcher(value!, cmp, k, rel)(v)).toBe(RELATIONS[rel]!(refCompare(name, v, k)));
      }),
      RUNS,
    );
  });

  it(':count orders the number of values as the reference', () => {
    fc.assert(
      fc.property(
        fc.array(anyString, { maxLength: 12 }),
        strings,
        fc.constantFrom(...Object.keys(RELATIONS)),
        (vs, k, rel) => {
          const spec: MatchSpec = { type: count!, comparator: cmp, param: rel };
          const got = count!.matchAll!(vs, [k], spec, null as never);
          expect(got).toBe(RELATIONS[rel]!(refCompare(name, String(vs.length), k)));
        },
      ),
      RUNS,
    );
  });
});

describe('i;ascii-numeric', () => {
  it(':is holds exactly for equal numbers (leading zeros and trailing text aside)', () => {
    fc.assert(
      fc.property(numericString, numericString, (v, k) => {
        expect(matcher(is, asciiNumeric, k)(v)).toBe(refNumeric(v, k) === 0);
      }),
      RUNS,
    );
  });
});

describe(':regex', () => {
  /** A POSIX extended regex matching exactly `s` as literal text. */
  const literal = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

  it('with i;octet, a quoted literal matches where :contains does', () => {
    fc.assert(
      fc.property(valueAndKey, ([v, k]) => {
        expect(matcher(regex, octet, literal(k))(v)).toBe(refContains(v, k));
      }),
      RUNS,
    );
  });

  it('with i;ascii-casemap, an ASCII literal matches where :contains does', () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', '.', '*', ' ', '1'), maxLength: 8 });
    fc.assert(
      fc.property(ascii, ascii, (v, k) => {
        expect(matcher(regex, asciiCasemap, literal(k))(v)).toBe(
          refContains(refAsciiFold(v), refAsciiFold(k)),
        );
      }),
      RUNS,
    );
  });
});

describe('header tests over decoded values', () => {
  const engine = new SieveEngine();
  const MESSAGE = Buffer.from(
    'From: =?UTF-8?Q?=C3=89lodie_Dupont?= <elodie@exemple.fr>\r\nSubject: =?UTF-8?B?w4lsb2RpZQ==?=\r\n\r\n.\r\n',
  );

  function holds(test: string): boolean {
    const c = engine.compile(`require "fileinto";\nif ${test} { fileinto "yes"; }`);
    if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
    return engine.run(c.program, MESSAGE, { from: '', to: 'u@x' }).actions[0]!.type === 'fileinto';
  }

  it('i;ascii-casemap finds a key that starts with a non-ASCII letter', () => {
    expect(holds('header :contains "from" "Élodie"')).toBe(true);
    expect(holds('header :contains "from" "Élodie Dupont"')).toBe(true);
    expect(holds('header :contains "from" "lodie"')).toBe(true);
    expect(holds('header :contains "from" "É"')).toBe(true);
    expect(holds('header :is "subject" "Élodie"')).toBe(true);
    expect(holds('header :matches "from" "Élodie*"')).toBe(true);
    // i;ascii-casemap leaves non-ASCII letters as they are.
    expect(holds('header :contains "from" "élodie"')).toBe(false);
    expect(holds('header :contains "from" "ÉLODIE"')).toBe(true);
  });
});
