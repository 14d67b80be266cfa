import { decodeEncodedWords } from './encoded-words.js';
import type { MailAddress } from './types.js';
import { T, isAtomChar, tokenize, isSpecial, isWordish, type Token } from './address-tokens.js';

/*
 * RFC 5322 §3.4 address-list parser, tolerant of the obsolete syntax of §4.4 (empty list
 * members, route addresses, CFWS around dots, phrases with dots) and of common breakage
 * (addresses without domain, repeated dots in local parts). A list member that cannot be
 * read yields nothing; the members around it are still returned.
 */

/** Parses an RFC 5322 address-list (or a single mailbox); unreadable members are skipped. */
export function parseAddressList(text: string): MailAddress[] {
  const quick = simpleMailbox(text);
  if (quick !== null) return [quick];
  const parser = new ListParser(tokenize(text));
  return parser.parseList();
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * The most common field values, `local@domain` and `Some Name <local@domain>` made of plain words
 * only, read without tokens; null for anything else (the full parser then reads it, and gives
 * the same result for these forms).
 */
function simpleMailbox(s: string): MailAddress | null {
  const len = s.length;
  let i = 0;
  let name = '';
  let words = 0;
  let wordEnd = -1;
  for (;;) {
    while (i < len && isBlank(s.charCodeAt(i))) i++;
    if (i === len || !isAtomChar(s.charCodeAt(i))) break;
    const start = i;
    while (i < len && isAtomChar(s.charCodeAt(i))) i++;
    name = words++ === 0 ? s.slice(start, i) : name + ' ' + s.slice(start, i);
    wordEnd = i;
  }
  if (i === len) return null;
  const c = s.charCodeAt(i);
  let local: string;
  let domain: string;
  if (c === 0x40 /* @ */) {
    // A bare address: one word directly before the `@`.
    if (words !== 1 || wordEnd !== i) return null;
    local = name;
    name = '';
    const start = ++i;
    while (i < len && isAtomChar(s.charCodeAt(i))) i++;
    if (i === start) return null;
    domain = s.slice(start, i);
  } else if (c === 0x3c /* < */) {
    // Encoded words in the name need decoding: left to the full parser.
    if (name.includes('=?')) return null;
    const start = ++i;
    while (i < len && isAtomChar(s.charCodeAt(i))) i++;
    if (i === start || i === len || s.charCodeAt(i) !== 0x40) return null;
    local = s.slice(start, i);
    const domainStart = ++i;
    while (i < len && isAtomChar(s.charCodeAt(i))) i++;
    if (i === domainStart || i === len || s.charCodeAt(i) !== 0x3e /* > */) return null;
    domain = s.slice(domainStart, i);
    i++;
  } else {
    return null;
  }
  while (i < len && isBlank(s.charCodeAt(i))) i++;
  if (i !== len) return null;
  // Atoms hold no character that needs quoting, so the address is the two parts joined.
  return { name, localPart: local, domain, address: local + '@' + domain };
}

class ListParser {
  private readonly out: MailAddress[] = [];

  constructor(private readonly toks: Token[]) {}

  parseList(): MailAddress[] {
    let i = 0;
    while (this.toks[i].type !== T.End) {
      i = this.element(i, false);
      const t = this.toks[i];
      // Outside a group a stray `;` is read as a separator.
      if (isSpecial(t, ',') || isSpecial(t, ';')) i++;
    }
    return this.out;
  }

  /** Parses one list member from `i`; returns the index of its terminator (`,` `;` or end). */
  private element(i: number, inGroup: boolean): number {
    const toks = this.toks;
    let j = i;
    while (isWordish(toks[j])) j++;
    const stop = toks[j];

    if (isSpecial(stop, '<')) return this.nameAddr(i, j, inGroup);
    if (isSpecial(stop, ':')) {
      if (inGroup || !isPhrase(toks, i, j)) return this.recover(j, inGroup);
      return this.group(j + 1);
    }
    if (isSpecial(stop, ',') || isSpecial(stop, ';') || stop.type === T.End) {
      if (j === i) return j; // empty member (obsolete syntax)
      const spec = addrSpec(toks, i, j);
      if (spec === null) return j;
      this.emit(spec, '', commentsIn(toks, i, j));
      return j;
    }
    return this.recover(j, inGroup);
  }

  /** `[phrase] "<" [route ":"] addr-spec ">"`, with `open` at the `<`. */
  private nameAddr(nameStart: number, open: number, inGroup: boolean): number {
    const toks = this.toks;
    let k = open + 1;
    if (isSpecial(toks[k], '@')) {
      // Obsolete route `@a,@b:`: skipped, only the final address counts.
      while (toks[k].type !== T.End && !isSpecial(toks[k], ':') && !isSpecial(toks[k], '>')) k++;
      if (!isSpecial(toks[k], ':')) return this.recover(k, inGroup);
      k++;
    }
    const specStart = k;
    while (isWordish(toks[k])) k++;
    if (!isSpecial(toks[k], '>')) return this.recover(k, inGroup);
    const close = k;
    const after = toks[close + 1];
    if (!(isSpecial(after, ',') || isSpecial(after, ';') || after.type === T.End)) {
      return this.recover(close + 1, inGroup);
    }
    if (specStart === close) return close + 1; // `<>`: the null address names nobody
    const spec = addrSpec(toks, specStart, close);
    if (spec !== null) {
      const name = phraseText(toks, nameStart, open);
      this.emit(spec, name, name === '' ? commentsIn(toks, nameStart, close + 1) : null);
    }
    return close + 1;
  }

  /** Group members after `display-name:`, up to `;` or the end of the text. */
  private group(i: number): number {
    const toks = this.toks;
    while (toks[i].type !== T.End) {
      if (isSpecial(toks[i], ';')) {
        i++;
        break;
      }
      i = this.element(i, true);
      if (isSpecial(toks[i], ',')) i++;
    }
    // Whatever follows the group up to the next member is ignored.
    while (toks[i].type !== T.End && !isSpecial(toks[i], ',')) i++;
    return i;
  }

  /** Skips a broken member: up to the next `,`, or `;` inside a group, ignoring `<...>` contents. */
  private recover(i: number, inGroup: boolean): number {
    const toks = this.toks;
    let angle = 0;
    for (; toks[i].type !== T.End; i++) {
      const t = toks[i];
      if (t.type !== T.Special) continue;
      if (t.value === '<') angle++;
      else if (t.value === '>') angle = Math.max(0, angle - 1);
      else if (angle === 0 && (t.value === ',' || (inGroup && t.value === ';'))) break;
    }
    return i;
  }

  private emit(spec: Spec, name: string, comments: string[] | null): void {
    if (name === '' && comments !== null) {
      // `a@b (Name)`: the comment is the only name given, as in RFC 822 days.
      for (const c of comments) {
        const text = collapse(decodeEncodedWords(c));
        if (text !== '') {
          name = text;
          break;
        }
      }
    }
    this.out.push({
      name,
      localPart: spec.localPart,
      domain: spec.domain,
      address: formatAddress(spec.localPart, spec.domain),
    });
  }
}

interface Spec {
  localPart: string;
  domain: string | null;
}

function isPhrase(toks: Token[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (toks[i].type !== T.Atom && toks[i].type !== T.Quoted) return false;
  }
  return true;
}

/** `local-part ["@" domain]` over tokens [from, to), or null when it is not one. */
function addrSpec(toks: Token[], from: number, to: number): Spec | null {
  let at = -1;
  for (let i = from; i < to; i++) {
    if (isSpecial(toks[i], '@')) {
      if (at >= 0) return null;
      at = i;
    }
  }
  const localEnd = at < 0 ? to : at;
  const localPart = joinDotted(toks, from, localEnd, false);
  if (localPart === null) return null;
  // A bare `""` names nobody; a bare word is a local address such as `postmaster`.
  if (at < 0) return localPart === '' ? null : { localPart, domain: null };
  const domain = joinDotted(toks, at + 1, to, true);
  if (domain === null || domain === '') return null;
  return { localPart, domain };
}

/**
 * Joins the words of a local part or domain. Words may touch or be separated by blanks only
 * around a dot (obsolete `a . b`); two words with only a blank between them are a phrase.
 */
function joinDotted(toks: Token[], from: number, to: number, domain: boolean): string | null {
  if (from === to) return null;
  let out = '';
  for (let i = from; i < to; i++) {
    const t = toks[i];
    if (t.type === T.Literal ? !domain : t.type !== T.Atom && (domain || t.type !== T.Quoted)) return null;
    if (i > from && t.space && !out.endsWith('.') && !t.value.startsWith('.')) return null;
    out += t.value;
  }
  return out;
}

/** Display name: words joined by one space, encoded-words decoded. */
function phraseText(toks: Token[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const t = toks[i];
    if (out !== '' && t.space) out += ' ';
    out += t.value;
  }
  return out === '' ? '' : collapse(decodeEncodedWords(out));
}

function commentsIn(toks: Token[], from: number, to: number): string[] | null {
  let all: string[] | null = null;
  for (let i = from; i <= to && i < toks.length; i++) {
    const c = toks[i].comments;
    if (c !== null) for (const text of c) (all ??= []).push(text);
  }
  return all;
}

const BLANKS = /[ \t\r\n]+/g;

function collapse(s: string): string {
  return s.replace(BLANKS, ' ').trim();
}

/** True for a character allowed in a dot-atom, the dot aside (RFC 5322 atext, RFC 6532 UTF-8). */
function isAtext(c: number): boolean {
  return c !== 0x2e && isAtomChar(c);
}

/** `local@domain`, the local part quoted only when it holds characters a dot-atom cannot. */
export function formatAddress(localPart: string, domain: string | null): string {
  let plain = localPart !== '';
  for (let i = 0; plain && i < localPart.length; i++) {
    const c = localPart.charCodeAt(i);
    plain = c === 0x2e || isAtext(c);
  }
  const local = plain ? localPart : '"' + localPart.replace(QUOTE_ESCAPES, '\\$&') + '"';
  return domain === null ? local : local + '@' + domain;
}

const QUOTE_ESCAPES = /["\\]/g;

/**
 * The addr-spec of `text` when it names exactly one mailbox, bare (`a@b`) or with a display name
 * (`Name <a@b>`); null otherwise.
 */
export function singleAddress(text: string): string | null {
  const list = parseAddressList(text);
  const only = list.length === 1 ? list[0]! : null;
  return only && only.domain && isValidAddress(only.address) ? only.address : null;
}

/**
 * True when `text` is exactly one addr-spec (`local@domain`, surrounding blanks allowed) that mail
 * can be sent to. As in Pigeonhole, an unquoted local part may have dots anywhere (some mobile
 * carriers hand out such addresses) but only ASCII characters (sending to another needs SMTPUTF8).
 */
export function isValidAddress(text: string): boolean {
  const toks = tokenize(text);
  if (toks.length !== 4) return false;
  const [local, at, dom, end] = toks;
  if (!isSpecial(at, '@') || at.space || dom.space || end.comments !== null) return false;
  if (local.comments !== null || at.comments !== null || dom.comments !== null) return false;
  if (local.type === T.Atom ? !isLocalAtom(local.value) : local.type !== T.Quoted) return false;
  return dom.type === T.Literal || (dom.type === T.Atom && isDotAtom(dom.value));
}

function isLocalAtom(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || (c !== 0x2e && !isAtext(c))) return false;
  }
  return s !== '';
}

function isDotAtom(s: string): boolean {
  if (s === '' || s.charCodeAt(0) === 0x2e || s.charCodeAt(s.length - 1) === 0x2e) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e ? s.charCodeAt(i + 1) === 0x2e : !isAtext(c)) return false;
  }
  return true;
}
