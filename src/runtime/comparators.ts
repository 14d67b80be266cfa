import type { ComparatorDef } from '../extensions/types.js';

/** ASCII-only lower-casing keeps string length, so match offsets map back to the original text. */
export function asciiLower(s: string): string {
  // One value is usually compared with several keys in a row: remember the last answer.
  if (s === lastIn) return lastOut;
  lastIn = s;
  lastOut = /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
  return lastOut;
}
let lastIn = '';
let lastOut = '';

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

/** RFC 4790 §9.1: the leading digits as a number; a string without leading digits is +infinity. */
function numericValue(s: string): bigint | null {
  let end = 0;
  while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
  return end === 0 ? null : BigInt(s.slice(0, end));
}

export const asciiNumeric: ComparatorDef = {
  name: 'i;ascii-numeric',
  substring: false,
  compare(a, b) {
    const x = numericValue(a);
    const y = numericValue(b);
    if (x === null) return y === null ? 0 : 1;
    if (y === null) return -1;
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

/**
 * RFC 5051: case-insensitive for all of Unicode. Upper-casing then NFKD stands in for the
 * titlecase mapping (they differ only for a few digraphs, which NFKD then splits alike).
 */
function unicodeFold(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s.toUpperCase() : s.normalize('NFKD').toUpperCase().normalize('NFKD');
}

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
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}
