import { iconv, libmime, normalizeCharset } from './deps.js';

interface EncodedWord {
  charset: string;
  /** Upper-case `B` or `Q`. */
  encoding: string;
  text: string;
  /** Index just after the closing `?=`. */
  end: number;
}

/**
 * Decodes RFC 2047 encoded-words found anywhere in `text`.
 *
 * Malformed words (bad structure, blanks inside, invalid base64) are left as written. Blanks
 * between two encoded-words are dropped (RFC 2047 §6.2). Consecutive words sharing charset and
 * encoding are decoded together, so a multi-byte character split across two words survives.
 * The scan is linear: every candidate stops at the next `?` or blank.
 */
export function decodeEncodedWords(text: string): string {
  let p = text.indexOf('=?');
  if (p < 0) return text;

  let out = '';
  // Text before `copied` is already in `out` (or belongs to the pending group).
  let copied = 0;
  let group: EncodedWord | null = null;

  while (p >= 0) {
    const word = matchWord(text, p);
    if (word === null) {
      p = text.indexOf('=?', p + 2);
      continue;
    }
    if (group !== null && onlyBlanks(text, copied, p)) {
      if (group.encoding === word.encoding && sameCharset(group.charset, word.charset)) {
        group.text += word.text;
      } else {
        out += decodeGroup(group);
        group = word;
      }
    } else {
      if (group !== null) out += decodeGroup(group);
      out += text.slice(copied, p);
      group = word;
    }
    copied = word.end;
    p = text.indexOf('=?', word.end);
  }
  if (group !== null) out += decodeGroup(group);
  return out + text.slice(copied);
}

function matchWord(s: string, p: number): EncodedWord | null {
  const len = s.length;
  let i = p + 2;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c === 0x3f /* ? */) break;
    // Token characters only: no blanks, controls, non-ASCII, quotes, parentheses or `=`.
    if (c <= 0x20 || c >= 0x7f || c === 0x3d || c === 0x22 || c === 0x28 || c === 0x29) return null;
    i++;
  }
  if (i === p + 2 || i + 2 >= len || s.charCodeAt(i + 2) !== 0x3f) return null;
  const charset = s.slice(p + 2, i);
  const enc = s.charCodeAt(i + 1) | 0x20;
  if (enc !== 0x62 /* b */ && enc !== 0x71 /* q */) return null;

  const start = i + 3;
  let j = start;
  while (j < len) {
    const c = s.charCodeAt(j);
    if (c === 0x3f) break;
    if (c <= 0x20 || c >= 0x7f) return null;
    j++;
  }
  if (j + 1 >= len || s.charCodeAt(j + 1) !== 0x3d /* = */) return null;
  const encodedText = s.slice(start, j);
  if (enc === 0x62 && !isBase64(encodedText)) return null;
  return { charset, encoding: enc === 0x62 ? 'B' : 'Q', text: encodedText, end: j + 2 };
}

function isBase64(t: string): boolean {
  let i = 0;
  const len = t.length;
  for (; i < len; i++) {
    const c = t.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2f;
    if (!ok) break;
  }
  // Up to two `=` of padding, and nothing after them.
  let pad = 0;
  for (; i < len && t.charCodeAt(i) === 0x3d; i++) pad++;
  return i === len && pad <= 2 && (pad === 0 || len % 4 === 0);
}

function onlyBlanks(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function sameCharset(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

function decodeGroup(word: EncodedWord): string {
  // libmime joins padded base64 segments itself and resolves charset aliases, RFC 2231
  // language suffixes and stateful Japanese charsets.
  const charset = isKnownCharset(word.charset) ? word.charset : 'utf-8';
  return libmime().decodeWord(charset, word.encoding, word.text);
}

const knownCharsets = new Map<string, boolean>();
const KNOWN_CHARSETS_MAX = 256;
const JAPANESE = /^(?:jis|iso-?2022-?jp|eucjp)/i;

/**
 * Whether the charset has a decoder. Unknown ones are read as UTF-8, as libmime would do, but
 * decided once per name: finding out costs libmime a thrown exception on every word.
 */
function isKnownCharset(charset: string): boolean {
  const key = charset.toLowerCase();
  let known = knownCharsets.get(key);
  if (known === undefined) {
    const star = key.indexOf('*');
    const name = normalizeCharset(star < 0 ? key : key.slice(0, star));
    known = JAPANESE.test(name) || iconv().encodingExists(name);
    if (knownCharsets.size < KNOWN_CHARSETS_MAX) knownCharsets.set(key, known);
  }
  return known;
}
