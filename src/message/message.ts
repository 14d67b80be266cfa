import { isUtf8 } from 'node:buffer';
import { parseAddressList } from './address.js';
import { decodeEncodedWords } from './encoded-words.js';
import { indexHeader, type HeaderField, type HeaderIndex } from './header-index.js';
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

class LazyMessage implements MessageView {
  private index: HeaderIndex | null = null;
  private names: readonly string[] | null = null;
  private readonly rawValues = new Map<string, readonly string[]>();
  private readonly decodedValues = new Map<string, readonly string[]>();
  private readonly addressValues = new Map<string, readonly MailAddress[]>();

  constructor(private readonly buf: Buffer) {}

  get size(): number {
    return this.buf.length;
  }

  rawHeader(name: string): string[] {
    const key = name.toLowerCase();
    let values = this.rawValues.get(key);
    if (values === undefined) {
      const fields = this.headerIndex().byName.get(key);
      if (fields === undefined) return NONE;
      values = Object.freeze(fields.map((f) => this.fieldValue(f)));
      this.rawValues.set(key, values);
    }
    return values as string[];
  }

  header(name: string): string[] {
    const key = name.toLowerCase();
    let values = this.decodedValues.get(key);
    if (values === undefined) {
      const raw = this.rawHeader(key);
      values = raw.some((v) => v.includes('=?')) ? Object.freeze(raw.map(decodeEncodedWords)) : raw;
      this.decodedValues.set(key, values);
    }
    return values as string[];
  }

  addresses(name: string): MailAddress[] {
    const key = name.toLowerCase();
    let list = this.addressValues.get(key);
    if (list === undefined) {
      const found: MailAddress[] = [];
      for (const value of this.rawHeader(key)) {
        for (const a of parseAddressList(value)) found.push(Object.freeze(a));
      }
      list = Object.freeze(found);
      this.addressValues.set(key, list);
    }
    return list as MailAddress[];
  }

  headerNames(): string[] {
    this.names ??= Object.freeze(this.headerIndex().fields.map((f) => f.name));
    return this.names as string[];
  }

  raw(): Buffer {
    return this.buf;
  }

  body(): Buffer {
    return this.buf.subarray(this.headerIndex().bodyStart);
  }

  private headerIndex(): HeaderIndex {
    return (this.index ??= indexHeader(this.buf));
  }

  /** Unfolded, trimmed value; 8-bit octets read as UTF-8 when they are valid UTF-8, else latin1. */
  private fieldValue(field: HeaderField): string {
    const bytes = this.buf.subarray(field.start, field.end);
    let text = isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
    if (field.folded) text = text.replace(LINE_BREAKS, '');
    return trimBlanks(text);
  }
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
