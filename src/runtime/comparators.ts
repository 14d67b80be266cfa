import type { ComparatorDef } from '../extensions/types.js';

/** ASCII-only lower-casing keeps string length, so match offsets map back to the original text. */
export function asciiLower(s: string): string {
  // A script compares a few header values with many keys in turn: remember the last four.
  if (s === in0) return out0;
  if (s === in1) return out1;
  if (s === in2) return out2;
  if (s === in3) return out3;
  const out = lowerAscii(s);
  in3 = in2;
  out3 = out2;
  in2 = in1;
  out2 = out1;
  in1 = in0;
  out1 = out0;
  in0 = s;
  out0 = out;
  return out;
}
let in0 = '';
let out0 = '';
let in1 = '';
let out1 = '';
let in2 = '';
let out2 = '';
let in3 = '';
let out3 = '';

function lowerAscii(s: string): string {
  const len = s.length;
  let i = 0;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) break;
    i++;
  }
  if (i === len) return s;
  // Without non-ASCII characters the built-in lower-casing changes exactly A-Z.
  for (let j = i; j < len; j++) if (s.charCodeAt(j) > 0x7f) return s.replace(UPPER, (m) => m.toLowerCase());
  return s.toLowerCase();
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

/** RFC 4790 §9.1: the leading digits as a number; a string without leading digits is +infinity. */
function numericValue(s: string): bigint | number | null {
  let end = 0;
  let n = 0;
  while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) {
    n = n * 10 + (s.charCodeAt(end) - 48);
    end++;
  }
  if (end === 0) return null;
  // Up to 15 digits a double is exact; longer numbers need arbitrary precision.
  return end <= 15 ? n : BigInt(s.slice(0, end));
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
