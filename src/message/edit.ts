/**
 * Header editing for editheader (RFC 5293). The header is split into fields once, keeping each
 * field's original octets; after an edit the fields are joined again and read through the same
 * lazy parser as any message, so tests, sizes and deliveries all see the edited message exactly
 * as it would be stored.
 */
import { charge } from '../runtime/meter.js';
import { parseMessage } from './message.js';
import type { MessageView } from './types.js';

interface Field {
  /** Lower-cased name, or null for a line that is no field (kept as written). */
  key: string | null;
  bytes: Buffer;
}

const CRLF = Buffer.from('\r\n');

/** Splits the header block into fields (with their continuation lines) and the rest of the message. */
function splitHeader(raw: Buffer): { fields: Field[]; rest: Buffer } {
  const fields: Field[] = [];
  // A field and its continuation lines are contiguous: the field's view is widened over each
  // continuation line rather than copied, so a field folded many times is split in linear time.
  let fieldStart = 0;
  let pos = 0;
  while (pos < raw.length) {
    const nl = raw.indexOf(0x0a, pos);
    const next = nl < 0 ? raw.length : nl + 1;
    charge(next - pos + 32);
    const contentEnd = nl < 0 ? raw.length : nl > pos && raw[nl - 1] === 0x0d ? nl - 1 : nl;
    if (contentEnd === pos) return { fields, rest: raw.subarray(pos) };
    const first = raw[pos];
    if ((first === 0x20 || first === 0x09) && fields.length > 0) {
      fields[fields.length - 1]!.bytes = raw.subarray(fieldStart, next);
    } else {
      fieldStart = pos;
      fields.push({ key: fieldKey(raw, pos, contentEnd), bytes: raw.subarray(pos, next) });
    }
    pos = next;
  }
  return { fields, rest: Buffer.alloc(0) };
}

/** The same rule as the header index: printable ASCII up to the colon, blanks allowed before it. */
function fieldKey(buf: Buffer, start: number, end: number): string | null {
  let i = start;
  while (i < end && buf[i]! >= 0x21 && buf[i]! <= 0x7e && buf[i] !== 0x3a) i++;
  const nameEnd = i;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  if (nameEnd === start || buf[i] !== 0x3a) return null;
  return buf.toString('latin1', start, nameEnd).toLowerCase();
}

/** RFC 2047 B-words of at most 45 input octets each, split between characters. */
function encodeWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** Folds a line over 78 characters at blanks (RFC 5322 §2.2.3); unbreakable runs stay long. */
function fold(line: string, used: number): string {
  if (used + line.length <= 78) return line;
  let out = '';
  let width = used;
  for (const piece of line.split(/(?=[ \t])/)) {
    if (width + piece.length > 78 && out !== '' && /^[ \t]/.test(piece)) {
      out += '\r\n';
      width = 0;
    }
    out += piece;
    width += piece.length;
  }
  return out;
}

/**
 * The text of a new field: line breaks in the value become folds, trailing ones are dropped, and
 * a value that is not plain ASCII is encoded as RFC 2047 words.
 */
export function formatField(name: string, value: string): string {
  const lines = value.replace(/(\r?\n)+$/, '').split(/\r?\n/);
  if (lines.some((l) => /[^\x00-\x7f]/.test(l))) {
    return `${name}: ${encodeWords(lines.map((l) => l.trim()).join(' '))}\r\n`;
  }
  const body = lines
    .map((l, i) => (i === 0 ? fold(l, name.length + 2) : fold(/^[ \t]/.test(l) ? l : ` ${l}`, 0)))
    .join('\r\n');
  return `${name}: ${body}\r\n`;
}

/**
 * Header fields that can be added and deleted. `view` is the message as it stands, a fresh
 * read-only view after every edit, so views handed out earlier (to actions) never change.
 */
export class EditableMessage {
  private readonly fields: Field[];
  private readonly rest: Buffer;
  private current: MessageView;

  /** `view` may be a view of `raw` already indexed, so the first edit need not index it again. */
  constructor(raw: Buffer, view: MessageView = parseMessage(raw)) {
    const split = splitHeader(raw);
    this.fields = split.fields;
    this.rest = split.rest;
    this.current = view;
  }

  /** Adds a field at the top of the header, or at its end with `last`. */
  addField(name: string, value: string, last: boolean): void {
    const field: Field = { key: name.toLowerCase(), bytes: Buffer.from(formatField(name, value)) };
    if (last) {
      const prev = this.fields[this.fields.length - 1];
      if (prev && prev.bytes[prev.bytes.length - 1] !== 0x0a) prev.bytes = Buffer.concat([prev.bytes, CRLF]);
      this.fields.push(field);
    } else {
      this.fields.unshift(field);
    }
    this.rebuild();
  }

  /**
   * Deletes fields named `name` that `select` picks; it sees each one's decoded value and its
   * position among the fields of that name (0-based, and the count of them). Returns how many went.
   */
  deleteFields(name: string, select: (value: string, index: number, count: number) => boolean): number {
    const key = name.toLowerCase();
    const values = this.current.header(key);
    const doomed = new Set<Field>();
    let k = 0;
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (select(values[k] ?? '', k, values.length)) doomed.add(f);
      k++;
    }
    if (doomed.size === 0) return 0;
    // Compacted in place in one pass: splicing each doomed field out would be quadratic.
    let kept = 0;
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      if (!doomed.has(f)) this.fields[kept++] = f;
    }
    this.fields.length = kept;
    this.rebuild();
    return doomed.size;
  }

  get view(): MessageView {
    return this.current;
  }

  private rebuild(): void {
    const rest = this.rest.length === 0 && this.fields.length === 0 ? CRLF : this.rest;
    // Every edit copies the whole message.
    charge(this.fields.length * 32 + rest.length);
    this.current = parseMessage(Buffer.concat([...this.fields.map((f) => f.bytes), rest]));
  }
}
