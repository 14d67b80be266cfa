import { isUtf8 } from 'node:buffer';
import { charge } from '../runtime/meter.js';
import { iconv } from './deps.js';
import type { MimePart } from './mime.js';

/**
 * The body of a part with its Content-Transfer-Encoding removed, at most `max` octets of input
 * read; null for an encoding that is not known (such a part cannot be read as content).
 */
export function decodedBody(part: MimePart, max: number): Buffer | null {
  let body = part.view.body();
  if (body.length > max) body = body.subarray(0, max);
  charge(body.length);
  const cte = (part.view.rawHeader('content-transfer-encoding')[0] ?? '').trim().toLowerCase();
  switch (cte) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      // Node skips characters outside the alphabet, which is the tolerance broken mail needs.
      return Buffer.from(body.toString('latin1'), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** RFC 2045 §6.7; malformed escapes are kept as written, soft line breaks removed. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    // Soft line break: "=" then optional blanks then CRLF or LF.
    let j = i + 1;
    while (j < input.length && (input[j] === 0x20 || input[j] === 0x09)) j++;
    if (j < input.length && (input[j] === 0x0a || (input[j] === 0x0d && input[j + 1] === 0x0a))) {
      i = input[j] === 0x0d ? j + 1 : j;
      continue;
    }
    if (j === input.length) {
      i = j;
      continue;
    }
    const hi = hexValue(input[i + 1] ?? -1);
    const lo = hexValue(input[i + 2] ?? -1);
    if (hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Octets as text: the part's charset when known, else UTF-8 when valid, else Latin-1. */
export function toText(bytes: Buffer, charset: string | undefined): string {
  // Charset conversion (iconv-lite) costs several units per octet.
  charge(bytes.length * 4);
  if (charset) {
    const cs = charset.trim().toLowerCase();
    if (cs !== 'us-ascii' && cs !== 'utf-8' && iconv().encodingExists(cs)) return iconv().decode(bytes, cs);
  }
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}

/** Parts whose content is text for :text and extracttext: text/* and XHTML. */
export function isTextual(part: MimePart): boolean {
  return part.type === 'text' || (part.type === 'application' && part.subtype === 'xhtml+xml');
}

function isHtml(part: MimePart): boolean {
  return (
    (part.type === 'text' && part.subtype === 'html') ||
    (part.type === 'application' && part.subtype === 'xhtml+xml')
  );
}

/** Decoded text of a textual part, markup removed from HTML; null when it cannot be decoded. */
export function partPlainText(part: MimePart, max: number): string | null {
  const bytes = decodedBody(part, max);
  if (bytes === null) return null;
  const text = toText(bytes, part.params.charset);
  return isHtml(part) ? htmlToText(text) : text;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const BLOCK = /^\/?(?:p|div|br|li|tr|h[1-6]|table|ul|ol|blockquote|pre|hr|title)$/i;

/**
 * The text of an HTML document: tags and comments dropped (block tags become line breaks),
 * script and style contents skipped, common character references decoded. One forward scan.
 */
export function htmlToText(html: string): string {
  charge(html.length * 2);
  let out = '';
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) out += decodeEntities(html.slice(i, textEnd));
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    const name = /^\/?[A-Za-z0-9]*/.exec(html.slice(lt + 1, Math.min(gt, lt + 16)))![0];
    i = gt + 1;
    const lower = name.toLowerCase();
    if (lower === 'script' || lower === 'style') {
      const closing = new RegExp(`</${lower}`, 'gi');
      closing.lastIndex = i;
      i = closing.exec(html)?.index ?? n;
      continue;
    }
    if (BLOCK.test(name)) out += '\n';
  }
  return out;
}

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (m, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[ref.toLowerCase()] ?? m;
  });
}
