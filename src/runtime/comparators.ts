import type { ComparatorDef } from '../extensions/types.js';

/**
 * A script compares a few values with many keys in turn, and its tests take turns at a message's
 * few fields (Subject, the From domain, List-Id...), so folding remembers its last few results:
 * each value string is then folded about once per message, not once per test and key.
 */
export function memoized(fold: (s: string) => string): (s: string) => string {
  const inputs = ['', '', '', ''];
  const outputs = ['', '', '', ''];
  return (s) => {
    for (let i = 0; i < 4; i++) {
      if (inputs[i] !== s) continue;
      const out = outputs[i]!;
      // A hit moves one place forward: a key folded for every value (relational) stays ahead
      // of the values that come and go.
      if (i > 0) {
        inputs[i] = inputs[i - 1]!;
        outputs[i] = outputs[i - 1]!;
        inputs[i - 1] = s;
        outputs[i - 1] = out;
      }
      return out;
    }
    const out = fold(s);
    // A new value comes in first and pushes the oldest out, so values that take turns all stay.
    for (let i = 3; i > 0; i--) {
      inputs[i] = inputs[i - 1]!;
      outputs[i] = outputs[i - 1]!;
    }
    inputs[0] = s;
    outputs[0] = out;
    return out;
  };
}

/** ASCII-only lower-casing keeps string length, so match offsets map back to the original text. */
export const asciiLower = memoized(lowerAscii);

function lowerAscii(s: string): string {
  const len = s.length;
  let upper = false;
  let wide = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c > 0x7f) wide = true;
  }
  if (!upper) return s;
  // Without non-ASCII characters the built-in lower-casing changes exactly A-Z; with them it
  // would also fold É, İ and the like, which i;ascii-casemap leaves alone.
  return wide ? s.replace(UPPER, (m) => m.toLowerCase()) : s.toLowerCase();
}
const UPPER = /[A-Z]+/g;

export const octet: ComparatorDef = {
  name: 'i;octet',
  substring: true,
  compare: (a, b) => compareOctets(a, b),
};

export const asciiCasemap: ComparatorDef = {
  name: 'i;ascii-casemap',
  substring: true,
  normalize: asciiLower,
  compare: (a, b) => compareOctets(asciiLower(a), asciiLower(b)),
};

/** Where the leading digits of `s` start once leading zeros are skipped, and where they end. */
interface DigitRun {
  start: number;
  end: number;
}

/**
 * The run of leading digits; null when `s` does not start with a digit. A key is compared with
 * many values in turn: the last two runs found are remembered so a long key is scanned once.
 */
function digitRun(s: string): DigitRun | null {
  if (s === runIn0) return runOut0;
  if (s === runIn1) {
    // Move it to the front, so the key stays while values come and go.
    const run = runOut1;
    runIn1 = runIn0;
    runOut1 = runOut0;
    runIn0 = s;
    runOut0 = run;
    return run;
  }
  const run = scanDigits(s);
  runIn1 = runIn0;
  runOut1 = runOut0;
  runIn0 = s;
  runOut0 = run;
  return run;
}
let runIn0 = '';
let runOut0: DigitRun | null = null;
let runIn1 = '';
let runOut1: DigitRun | null = null;

function scanDigits(s: string): DigitRun | null {
  let end = 0;
  while (end < s.length && isDigit(s.charCodeAt(end))) end++;
  if (end === 0) return null;
  let start = 0;
  while (start < end - 1 && s.charCodeAt(start) === 0x30) start++;
  return { start, end };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * RFC 4790 §9.1: the leading digits as a number; a string without leading digits is +infinity.
 * Numbers of any length are compared as digit strings (longer without leading zeros is larger),
 * which is linear in their length; parsing them as big integers would not be.
 */
function compareNumeric(a: string, b: string): number {
  const x = digitRun(a);
  const y = digitRun(b);
  if (x === null) return y === null ? 0 : 1;
  if (y === null) return -1;
  const lx = x.end - x.start;
  const ly = y.end - y.start;
  if (lx !== ly) return lx < ly ? -1 : 1;
  for (let i = 0; i < lx; i++) {
    const d = a.charCodeAt(x.start + i) - b.charCodeAt(y.start + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export const asciiNumeric: ComparatorDef = {
  name: 'i;ascii-numeric',
  substring: false,
  compare: compareNumeric,
};

/**
 * RFC 5051: case-insensitive for all of Unicode. Upper-casing then NFKD stands in for the
 * titlecase mapping (they differ only for a few digraphs, which NFKD then splits alike).
 */
const unicodeFold = memoized((s: string): string =>
  /^[\x00-\x7f]*$/.test(s) ? s.toUpperCase() : s.normalize('NFKD').toUpperCase().normalize('NFKD'),
);

export const unicodeCasemap: ComparatorDef = {
  name: 'i;unicode-casemap',
  substring: true,
  keepsLength: false,
  lenientRequire: true,
  normalize: unicodeFold,
  compare: (a, b) => compareOctets(unicodeFold(a), unicodeFold(b)),
};

/** Compares by UTF-8 octets, which for JS strings is code point order. */
function compareOctets(a: string, b: string): number {
  if (a === b) return 0;
  // Outside surrogates, UTF-16 code unit order is code point order, which is UTF-8 octet order.
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isSurrogate(x) || isSurrogate(y)) return compareUtf8(a, b);
    return x < y ? -1 : 1;
  }
  // One is a prefix of the other, unless a surrogate pair is split where the shorter one ends.
  if (len > 0 && isSurrogate(a.charCodeAt(len - 1))) return compareUtf8(a, b);
  return a.length < b.length ? -1 : 1;
}

function isSurrogate(c: number): boolean {
  return (c & 0xf800) === 0xd800;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
