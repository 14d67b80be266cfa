import { crypto, libmime } from '../message/deps.js';
import type { MessageView } from '../message/types.js';
import type { VacationAction } from '../runtime/result.js';
import { formatAddress, parseAddressList } from '../message/index.js';

export interface VacationReplyOptions {
  /** Date header value; now when left out. */
  date?: Date;
  /** Message-ID of the reply, with angle brackets; a random one in the From domain when left out. */
  messageId?: string;
  /**
   * Address the To field from the message's Sender (else From) field instead of the envelope
   * sender the reply is sent to (for senders rewritten by SRS or list software).
   */
  toFromHeader?: boolean;
}

const CRLF = '\r\n';

/**
 * Builds the reply a vacation action asks for (RFC 5230 §5, RFC 3834): the complete message text
 * with CRLF line ends, ready to be sent with a null envelope sender to `action.to`.
 * Throws when the action carries no recipient, i.e. when the runtime decided that no reply may be sent.
 */
export function buildVacationReply(
  action: VacationAction,
  original: MessageView,
  options: VacationReplyOptions = {},
): string {
  if (!action.to) throw new Error(`no vacation reply may be sent: ${action.suppressed ?? 'no recipient'}`);
  if (!action.from) throw new Error('vacation reply has no From address');
  const fromMailbox = formatMailbox(action.from);
  const fromAddress = parseAddressList(oneLine(action.from))[0]?.address ?? oneLine(action.from);
  const domain = fromAddress.includes('@')
    ? fromAddress.slice(fromAddress.lastIndexOf('@') + 1)
    : 'localhost';

  const headers: Array<[string, string]> = [
    ['Date', formatDate(options.date ?? new Date())],
    ['Message-ID', options.messageId ?? `<${crypto().randomUUID()}@${domain}>`],
    ['From', fromMailbox],
    ['To', (options.toFromHeader && authorMailbox(original)) || replyTo(action.to, original)],
    ['Subject', encodeText(oneLine(action.subject ?? 'Automated reply'))],
  ];
  const messageId = firstMessageId(original.rawHeader('message-id'));
  if (messageId) {
    headers.push(['In-Reply-To', messageId]);
    headers.push(['References', references(original, messageId)]);
  }
  headers.push(['Auto-Submitted', 'auto-replied (vacation)']);
  // Exchange honours this and stays quiet instead of answering our reply with its own.
  headers.push(['X-Auto-Response-Suppress', 'All']);
  headers.push(['MIME-Version', '1.0']);

  let body: string;
  if (action.mime) {
    const part = splitEntity(action.reason);
    headers.push(...part.headers);
    body = part.body;
  } else {
    const text = toCrlf(action.reason);
    headers.push(['Content-Type', 'text/plain; charset=utf-8']);
    if (/^[\x00-\x7f]*$/.test(text) && !text.split(CRLF).some((l) => l.length > 998)) {
      headers.push(['Content-Transfer-Encoding', '7bit']);
      body = text;
    } else {
      headers.push(['Content-Transfer-Encoding', 'quoted-printable']);
      body = quotedPrintable(text);
    }
  }
  const head = headers.map(([name, value]) => libmime().foldLines(`${name}: ${value}`, 76, false)).join(CRLF);
  return head + CRLF + CRLF + (body.endsWith(CRLF) || body === '' ? body : body + CRLF);
}

/** Collapses line breaks a script may have put into a header value. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+[ \t]*/g, ' ').trim();
}

/** RFC 2047-encodes unstructured text when it holds non-ASCII characters. */
function encodeText(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : libmime().encodeWords(s, 'Q', 52, 'utf-8');
}

/** `Name <addr>` with the name quoted or encoded as needed, or `<addr>` without a name. */
function mailbox(name: string, address: string): string {
  if (!name) return `<${address}>`;
  const phrase = /^[\x20-\x7e]*$/.test(name)
    ? '"' + name.replace(/["\\]/g, '\\$&') + '"'
    : libmime().encodeWords(name, 'Q', 52, 'utf-8');
  return `${phrase} <${address}>`;
}

function formatMailbox(value: string): string {
  const list = parseAddressList(oneLine(value));
  const a = list[0];
  if (list.length !== 1 || !a || a.domain === null) return `<${oneLine(value)}>`;
  return mailbox(a.name, formatAddress(a.localPart, a.domain));
}

/** The sender's display name is reused when the From or Sender field names the address replied to. */
function replyTo(to: string, original: MessageView): string {
  const key = to.toLowerCase();
  for (const field of ['from', 'sender']) {
    const hit = original.addresses(field).find((a) => a.address.toLowerCase() === key);
    if (hit) return mailbox(hit.name, hit.address);
  }
  return `<${to}>`;
}

/** The Sender (else From) of the message as a mailbox, or null when it has no usable address. */
function authorMailbox(original: MessageView): string | null {
  for (const field of ['sender', 'from']) {
    const a = original.addresses(field).find((x) => x.domain !== null);
    if (a) return mailbox(a.name, a.address);
  }
  return null;
}

const MSG_ID = /<[^<>\s]+>/g;

function firstMessageId(values: string[]): string | null {
  for (const v of values) {
    const m = v.match(MSG_ID);
    if (m) return m[0];
  }
  return null;
}

/** RFC 5322 §3.6.4: the parent's References (or its single In-Reply-To) followed by its Message-ID. */
function references(original: MessageView, messageId: string): string {
  let ids = original.rawHeader('references').flatMap((v) => v.match(MSG_ID) ?? []);
  if (ids.length === 0) {
    const parents = original.rawHeader('in-reply-to').flatMap((v) => v.match(MSG_ID) ?? []);
    if (parents.length === 1) ids = parents;
  }
  return [...ids.filter((id) => id !== messageId), messageId].join(' ');
}

function toCrlf(s: string): string {
  return s.replace(/\r?\n|\r/g, CRLF);
}

/** Header fields a :mime reason may bring: only those describing the entity itself. */
const ENTITY_FIELD = /^content-/i;

/** Splits a :mime reason into its MIME header fields and its body. */
function splitEntity(reason: string): { headers: Array<[string, string]>; body: string } {
  const text = toCrlf(reason);
  const end = text.startsWith(CRLF) ? 0 : text.indexOf(CRLF + CRLF);
  const headPart = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + (end === 0 ? 2 : 4));
  const headers: Array<[string, string]> = [];
  for (const line of headPart.split(CRLF)) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length) {
      headers[headers.length - 1]![1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (ENTITY_FIELD.test(name)) headers.push([name, line.slice(colon + 1).trim()]);
  }
  if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    headers.unshift(['Content-Type', 'text/plain; charset=us-ascii']);
  }
  return { headers, body };
}

/** RFC 2045 §6.7 quoted-printable for UTF-8 text with CRLF line ends. */
function quotedPrintable(text: string): string {
  return text
    .split(CRLF)
    .map((line) => {
      let out = '';
      let width = 0;
      const bytes = Buffer.from(line, 'utf8');
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        const last = i === bytes.length - 1;
        const plain = (b >= 0x21 && b <= 0x7e && b !== 0x3d) || ((b === 0x20 || b === 0x09) && !last);
        const piece = plain ? String.fromCharCode(b) : '=' + b.toString(16).toUpperCase().padStart(2, '0');
        if (width + piece.length > 75) {
          out += '=' + CRLF;
          width = 0;
        }
        out += piece;
        width += piece.length;
      }
      return out;
    })
    .join(CRLF);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC. */
function formatDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}
