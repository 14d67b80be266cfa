import { charge } from '../runtime/meter.js';

/** One header field located in the raw message; name and value are kept as byte ranges, read on demand. */
export interface HeaderField {
  /** Byte range of the field name as written. */
  readonly nameStart: number;
  readonly nameEnd: number;
  /** Byte offset just after the colon. */
  readonly start: number;
  /** Byte offset of the end of the field's last line, line terminator excluded. */
  end: number;
  /** True when the field spans several lines and needs unfolding. */
  folded: boolean;
}

export interface HeaderIndex {
  /** Every well-formed field, in message order. */
  readonly fields: HeaderField[];
  /** Offset of the first body octet (the raw length when there is no separator). */
  readonly bodyStart: number;
}

/** The field name as written (printable ASCII). */
export function fieldName(buf: Buffer, field: HeaderField): string {
  return buf.toString('latin1', field.nameStart, field.nameEnd);
}

/**
 * Whether the field's name, lower-cased, is `key` (itself lower-cased). Names are ASCII, so this
 * compares bytes with no string made per field.
 */
export function fieldNameIs(buf: Buffer, field: HeaderField, key: string): boolean {
  const start = field.nameStart;
  if (field.nameEnd - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) {
    let c = buf[start + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== key.charCodeAt(i)) return false;
  }
  return true;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/**
 * Splits the header block into fields in one forward pass, stopping at the first empty line.
 * Lines without a usable field name (no colon, spaces or control bytes inside the name) are
 * skipped together with their continuation lines, which is how Pigeonhole treats them too.
 * Every byte is visited at most a constant number of times, so hostile headers stay linear.
 */
export function indexHeader(buf: Buffer): HeaderIndex {
  const fields: HeaderField[] = [];
  const len = buf.length;
  let current: HeaderField | null = null;
  let pos = 0;
  let bodyStart = len;

  while (pos < len) {
    const nl = buf.indexOf(LF, pos);
    const lineEnd = nl < 0 ? len : nl;
    const contentEnd = lineEnd > pos && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const next = nl < 0 ? len : nl + 1;
    charge(next - pos + 8);

    if (contentEnd === pos) {
      // Empty line: the header ends here and the body follows it.
      bodyStart = next;
      break;
    }

    const first = buf[pos];
    if (first === SP || first === HT) {
      if (current !== null) {
        current.end = contentEnd;
        current.folded = true;
      }
      pos = next;
      continue;
    }

    current = null;
    const nameEnd = scanFieldName(buf, pos, contentEnd);
    if (nameEnd > pos) {
      const colon = skipToColon(buf, nameEnd);
      current = { nameStart: pos, nameEnd, start: colon + 1, end: contentEnd, folded: false };
      fields.push(current);
    }
    pos = next;
  }

  return { fields, bodyStart };
}

/**
 * Returns the end of the field name on this line, or `start` when the line is not a field:
 * the name is printable ASCII up to the colon, optionally followed by blanks (obsolete syntax).
 */
function scanFieldName(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c === COLON) return i;
    if (c === SP || c === HT) break;
    if (c < 0x21 || c > 0x7e) return start;
    i++;
  }
  const nameEnd = i;
  while (i < end) {
    const c = buf[i];
    if (c === COLON) return nameEnd;
    if (c !== SP && c !== HT) return start;
    i++;
  }
  return start;
}

function skipToColon(buf: Buffer, i: number): number {
  while (buf[i] !== COLON) i++;
  return i;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** True for a valid header field name (RFC 5322 §3.6.8: printable US-ASCII except the colon). */
export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}
