/**
 * Modified UTF-7 (RFC 3501 §5.1.3), the encoding IMAP servers such as Dovecot use for non-ASCII
 * mailbox names, and so for Maildir++ folder directory names.
 */

/** A mailbox name that is not valid modified UTF-7. */
export class Utf7Error extends Error {
  override readonly name = 'Utf7Error';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';

/** Encodes a Unicode mailbox name as modified UTF-7. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const bytes: number[] = [];
    for (const unit of pending) bytes.push(unit >> 8, unit & 0xff);
    let bits = 0;
    let acc = 0;
    out += '&';
    for (const b of bytes) {
      acc = (acc << 8) | b;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(acc >> bits) & 0x3f];
      }
    }
    // Leftover bits are padded with zeros, never with '='.
    if (bits > 0) out += B64[(acc << (6 - bits)) & 0x3f];
    out += '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e) {
      flush();
      out += unit === 0x26 ? '&-' : name[i];
    } else {
      pending.push(unit);
    }
  }
  flush();
  return out;
}

/** Decodes a modified UTF-7 mailbox name; throws Utf7Error on anything RFC 3501 does not allow. */
export function decodeMailboxName(encoded: string): string {
  let out = '';
  let i = 0;
  while (i < encoded.length) {
    const c = encoded.charCodeAt(i);
    if (c < 0x20 || c > 0x7e)
      throw new Utf7Error(`character 0x${c.toString(16)} not allowed in modified UTF-7`);
    if (c !== 0x26) {
      out += encoded[i];
      i++;
      continue;
    }
    const end = encoded.indexOf('-', i + 1);
    if (end < 0) throw new Utf7Error('unterminated "&" sequence');
    const run = encoded.slice(i + 1, end);
    i = end + 1;
    if (run === '') {
      out += '&';
      continue;
    }
    let acc = 0;
    let bits = 0;
    const units: number[] = [];
    let byteHi = -1;
    for (const ch of run) {
      const v = B64.indexOf(ch);
      if (v < 0) throw new Utf7Error(`"${ch}" is not a modified base64 character`);
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const byte = (acc >> bits) & 0xff;
        if (byteHi < 0) byteHi = byte;
        else {
          units.push((byteHi << 8) | byte);
          byteHi = -1;
        }
      }
    }
    if (byteHi >= 0 || (acc & ((1 << bits) - 1)) !== 0) throw new Utf7Error('badly padded base64 run');
    let text = '';
    for (const u of units) text += String.fromCharCode(u);
    // Printable ASCII must be written directly, so an encoded form of it is not canonical.
    if (units.some((u) => u >= 0x20 && u <= 0x7e)) throw new Utf7Error('printable ASCII encoded in base64');
    if (!wellFormed(units)) throw new Utf7Error('unpaired UTF-16 surrogate');
    out += text;
  }
  return out;
}

/** True when every UTF-16 surrogate in `units` is part of a pair. */
function wellFormed(units: number[]): boolean {
  for (let k = 0; k < units.length; k++) {
    const u = units[k]!;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[k + 1];
      if (next === undefined || next < 0xdc00 || next > 0xdfff) return false;
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) return false;
  }
  return true;
}
