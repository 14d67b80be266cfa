import { isUtf8 } from 'node:buffer';
import { charge } from '../runtime/meter.js';
import { parseAddressList } from './address.js';
import { decodeEncodedWords } from './encoded-words.js';
import { fieldName, fieldNameIs, indexHeader, type HeaderField, type HeaderIndex } from './header-index.js';
import type { MailAddress, MessageView } from './types.js';

const NONE = Object.freeze([] as string[]) as string[];
const LINE_BREAKS = /\r?\n/g;

/**
 * Wraps a raw RFC 5322 message without reading it. The header block is indexed on the first
 * look-up (one pass, stopping at the empty line) and each name's values are decoded once.
 * Returned arrays and addresses are frozen because they are shared between callers.
 */
export function parseMessage(raw: Buffer): MessageView {
  return new LazyMessage(raw);
}

/** What has been worked out for one field name (lower-cased). */
interface NameCache {
  raw: readonly string[];
  decoded: readonly string[] | null;
  addresses: readonly MailAddress[] | null;
}

/** The cache entry of names the header does not have. */
const ABSENT: NameCache = Object.freeze({ raw: NONE, decoded: NONE, addresses: Object.freeze([]) });

class LazyMessage implements MessageView {
  private index: HeaderIndex | null = null;
  private names: readonly string[] | null = null;
  /** By lower-cased name; made on the first look-up. */
  private cache: Map<string, NameCache> | null = null;

  constructor(private readonly buf: Buffer) {}

  get size(): number {
    return this.buf.length;
  }

  rawHeader(name: string): string[] {
    return this.entry(name).raw as string[];
  }

  header(name: string): string[] {
    const e = this.entry(name);
    if (e.decoded === null) {
      const raw = e.raw;
      let encoded = false;
      for (let i = 0; i < raw.length && !encoded; i++) {
        charge(raw[i]!.length);
        encoded = raw[i]!.includes('=?');
      }
      e.decoded = encoded ? Object.freeze(raw.map(decodeValue)) : raw;
    }
    return e.decoded as string[];
  }

  addresses(name: string): MailAddress[] {
    const e = this.entry(name);
    if (e.addresses === null) {
      const found: MailAddress[] = [];
      const raw = e.raw;
      for (let i = 0; i < raw.length; i++) {
        // Address parsing makes objects per character class: a few units per character.
        charge(raw[i]!.length * 4 + 16);
        const list = parseAddressList(raw[i]!);
        for (let j = 0; j < list.length; j++) found.push(Object.freeze(list[j]!));
      }
      e.addresses = Object.freeze(found);
    }
    return e.addresses as MailAddress[];
  }

  headerNames(): string[] {
    if (this.names === null) {
      const fields = this.headerIndex().fields;
      charge(fields.length * 16);
      this.names = Object.freeze(fields.map((f) => fieldName(this.buf, f)));
    }
    return this.names as string[];
  }

  raw(): Buffer {
    return this.buf;
  }

  body(): Buffer {
    return this.buf.subarray(this.headerIndex().bodyStart);
  }

  private entry(name: string): NameCache {
    const cache = (this.cache ??= new Map());
    // Scripts name fields in a handful of spellings: each is cached as asked, so a repeated
    // look-up costs no lower-casing.
    let e = cache.get(name);
    if (e !== undefined) return e;
    const key = name.toLowerCase();
    e = key === name ? undefined : cache.get(key);
    if (e === undefined) {
      // A message has a few dozen fields and a script asks for a few names: a scan per name
      // costs less than indexing every name.
      const fields = this.headerIndex().fields;
      let raw: string[] | null = null;
      charge(fields.length * 8);
      for (let i = 0; i < fields.length; i++) {
        if (fieldNameIs(this.buf, fields[i]!, key)) (raw ??= []).push(this.fieldValue(fields[i]!));
      }
      e = raw === null ? ABSENT : { raw: Object.freeze(raw), decoded: null, addresses: null };
      cache.set(key, e);
    }
    if (key !== name) cache.set(name, e);
    return e;
  }

  private headerIndex(): HeaderIndex {
    return (this.index ??= indexHeader(this.buf));
  }

  /** Unfolded, trimmed value; 8-bit octets read as UTF-8 when they are valid UTF-8, else latin1. */
  private fieldValue(field: HeaderField): string {
    charge(field.end - field.start + 16);
    let text = this.buf.toString('utf8', field.start, field.end);
    // Invalid UTF-8 always decodes to some U+FFFD; only then is the check needed.
    if (text.includes('\uFFFD') && !isUtf8(this.buf.subarray(field.start, field.end))) {
      text = this.buf.toString('latin1', field.start, field.end);
    }
    if (field.folded) text = text.replace(LINE_BREAKS, '');
    return trimBlanks(text);
  }
}

/** RFC 2047 decoding, charged by length (charset conversion costs several units a character). */
function decodeValue(value: string): string {
  charge(value.length * 4);
  return decodeEncodedWords(value);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
