/**
 * The mailto notification method (RFC 5436): parsing and checking a mailto URI (RFC 6068), and
 * building the notification message a host sends. Nothing is sent here.
 */
import { crypto, libmime } from '../message/deps.js';
import type { Envelope, MessageView } from '../message/types.js';
import type { EngineConfig } from '../extensions/types.js';
import { isFieldName, isValidAddress, parseAddressList } from '../message/index.js';
import { postmasterAddress } from './redirect-envelope.js';

/** Recipients and extra header fields a URI may carry; more are left out with a warning. */
export const MAX_RECIPIENTS = 8;
export const MAX_HEADERS = 16;
/** Characters of a Subject made from :message; a longer one is cut and ends in an ellipsis. */
export const MAX_SUBJECT = 256;

export interface MailtoRecipient {
  /** The addr-spec mail goes to. */
  address: string;
  /** The address as written (with its display name), for the To/Cc fields. */
  text: string;
}

export interface MailtoUri {
  to: MailtoRecipient[];
  cc: MailtoRecipient[];
  bcc: MailtoRecipient[];
  subject?: string;
  body?: string;
  /** Other header fields, in order. */
  headers: Array<[string, string]>;
}

export type MailtoParse = { ok: true; uri: MailtoUri; warnings: string[] } | { ok: false; errors: string[] };

/** RFC 6068 qchar without pct-encoded: unreserved and some-delims. */
const QCHAR = /^[A-Za-z0-9\-._~!$'()*+,;:@]$/;

/**
 * Fields the notification sets itself (RFC 5436 §2.2 and §2.4): given in a URI they are ignored.
 * to/cc/bcc/subject/body are read separately.
 */
const RESERVED = new Set([
  'from',
  'sender',
  'reply-to',
  'date',
  'message-id',
  'received',
  'return-path',
  'auto-submitted',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'x-sieve',
  'importance',
  'x-priority',
]);

/** Decodes %XX escapes after checking every other character is a qchar; null when malformed. */
function decodePart(part: string, what: string, errors: string[]): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '%') {
      const hex = part.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        errors.push(`invalid %-encoding in ${what}`);
        return null;
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (QCHAR.test(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      errors.push(`invalid character '${printable(c)}' in ${what}`);
      return null;
    }
  }
  const text = Buffer.from(bytes).toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(bytes).includes(Buffer.from('\uFFFD'))) {
    errors.push(`invalid UTF-8 in ${what}`);
    return null;
  }
  return text;
}

function printable(c: string): string {
  return /[\x21-\x7e]/.test(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Parses an address list of a URI part; invalid addresses are errors. */
function recipients(text: string, what: string, errors: string[]): MailtoRecipient[] {
  const out: MailtoRecipient[] = [];
  for (const piece of splitAddresses(text)) {
    const t = piece.trim();
    if (t === '') continue;
    const list = parseAddressList(t);
    const a = list.length === 1 ? list[0]! : null;
    // Without angle brackets the text must be the address itself.
    if (!a || a.domain === null || !isValidAddress(a.address) || (!t.includes('<') && !isValidAddress(t))) {
      errors.push(`invalid ${what} address "${t}"`);
      continue;
    }
    out.push({ address: a.address, text: t });
  }
  return out;
}

/** Splits at commas outside quotes and angle brackets. */
function splitAddresses(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\') {
      cur += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>' && angle > 0) angle--;
    if (c === ',' && !quoted && angle === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parses and checks a mailto URI (with its "mailto:" scheme). */
export function parseMailto(uri: string): MailtoParse {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (uri.slice(0, 7).toLowerCase() !== 'mailto:') return { ok: false, errors: ['not a mailto URI'] };
  const rest = uri.slice(7);
  const q = rest.indexOf('?');
  const toPart = q < 0 ? rest : rest.slice(0, q);
  const result: MailtoUri = { to: [], cc: [], bcc: [], headers: [] };
  // Addresses in the to part are separated by "%2C"; a literal ",", ":" or ";" cannot be part of one.
  const delim = /[,:;]/.exec(toPart);
  if (delim) errors.push(`invalid character '${delim[0]}' in mailto recipient`);
  const toText = decodePart(toPart, 'mailto recipient', errors);
  if (toText !== null) result.to.push(...recipients(toText, 'mailto recipient', errors));
  if (q >= 0) {
    for (const field of rest.slice(q + 1).split('&')) {
      if (field === '') continue;
      const eq = field.indexOf('=');
      if (eq < 0) {
        errors.push(`mailto header field "${field}" has no value`);
        continue;
      }
      const name = decodePart(field.slice(0, eq), 'mailto header name', errors);
      const value = decodePart(field.slice(eq + 1), 'mailto header value', errors);
      if (name === null || value === null) continue;
      const lower = name.toLowerCase();
      if (!isFieldName(name)) {
        errors.push(`invalid mailto header name "${name}"`);
        continue;
      }
      if (lower === 'to' || lower === 'cc' || lower === 'bcc') {
        result[lower].push(...recipients(value, `mailto ${lower} header`, errors));
      } else if (lower === 'body') {
        result.body = value;
      } else if (/[\r\n]/.test(value)) {
        errors.push(`mailto header "${name}" holds a line break`);
      } else if (lower === 'subject') {
        if (result.subject !== undefined) warnings.push('mailto URI gives the subject more than once');
        result.subject ??= value;
      } else if (RESERVED.has(lower) || lower.startsWith('resent-') || lower.startsWith('content-')) {
        warnings.push(`mailto header "${name}" is set by the notification itself and is ignored`);
      } else if (result.headers.length >= MAX_HEADERS) {
        warnings.push(`mailto URI has more than ${MAX_HEADERS} header fields; the rest is ignored`);
      } else {
        result.headers.push([name, value]);
      }
    }
  }
  // The first problem makes the rest unreliable to read: report that one.
  if (errors.length) return { ok: false, errors: errors.slice(0, 1) };
  const all = result.to.length + result.cc.length + result.bcc.length;
  if (all === 0) warnings.push('mailto URI names no recipients');
  if (all > MAX_RECIPIENTS) {
    warnings.push(`mailto URI has more than ${MAX_RECIPIENTS} recipients; the rest is ignored`);
    let left = MAX_RECIPIENTS;
    for (const k of ['to', 'cc', 'bcc'] as const) {
      result[k] = result[k].slice(0, left);
      left -= result[k].length;
    }
  }
  dedupe(result, new Set());
  return { ok: true, uri: result, warnings };
}

/**
 * Drops recipients already in `seen` or named earlier in the URI (RFC 5436 §2.5: one message per
 * recipient), adding the rest to `seen`. Returns how many are left.
 */
export function dedupe(uri: MailtoUri, seen: Set<string>): number {
  let left = 0;
  for (const k of ['to', 'cc', 'bcc'] as const) {
    uri[k] = uri[k].filter((r) => {
      const key = addressKey(r.address);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    left += uri[k].length;
  }
  return left;
}

/** Local part as written, domain case-insensitive. */
function addressKey(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at) + address.slice(at).toLowerCase();
}

/** Checks a :from value for mailto (RFC 5436 §2.3); an error message or null. */
export function checkMailtoFrom(from: string): string | null {
  const list = parseAddressList(from);
  const a = list.length === 1 ? list[0]! : null;
  if (!a || a.domain === null || !isValidAddress(a.address)) {
    return `notify :from "${from}" is not a valid e-mail address for the mailto method`;
  }
  return null;
}

/** RFC 5436 §2.7 (notify_method_capability): a mail recipient's presence is never known. */
export function mailtoCapability(capability: string): string | null {
  return capability.toLowerCase() === 'online' ? 'maybe' : null;
}

/** What a notify action holds for the mailto method. */
export interface MailtoNotifyFields {
  method: string;
  from?: string;
  importance: 1 | 2 | 3;
  options: string[];
  /** The :message text (named so to leave `message` to the stored message, as on other actions). */
  text: string;
  mailto: MailtoUri;
  /** Why no notification may be sent (RFC 5436 §2.7: the message was itself automated). */
  suppressed?: string;
}

export interface MailtoNotification {
  /** Envelope sender ('' for the null sender). */
  envelopeFrom: string;
  /** Envelope recipients, one message each. */
  recipients: string[];
  /** The whole message, CRLF line ends. */
  raw: string;
}

const CRLF = '\r\n';
const PRIORITY: Record<1 | 2 | 3, [string, string]> = {
  1: ['1 (Highest)', 'high'],
  2: ['3 (Normal)', 'normal'],
  3: ['5 (Lowest)', 'low'],
};

/** The postmaster's address; postmaster@localhost when the recipient has no domain. */
function postmaster(config: EngineConfig, envelope: Envelope): string {
  return postmasterAddress(config, envelope) ?? 'postmaster@localhost';
}

function bareAddress(text: string): string {
  return parseAddressList(text)[0]?.address ?? text;
}

/** The envelope sender of notifications (config.notify.mailtoEnvelopeFrom). */
export function mailtoEnvelopeFrom(
  fields: { from?: string },
  envelope: Envelope,
  config: EngineConfig,
): string {
  // Mail about a bounce or other null-sender message is sent with a null sender too.
  if (envelope.from === '') return '';
  const setting = config.notify.mailtoEnvelopeFrom.trim();
  switch (setting.toLowerCase()) {
    case '':
      return fields.from ? bareAddress(fields.from) : postmaster(config, envelope);
    case 'sender':
      return envelope.from;
    case 'recipient':
      return envelope.to;
    case 'orig_recipient':
      return envelope.origTo ?? envelope.to;
    case 'user_email':
      return config.userEmail ?? envelope.to;
    case 'postmaster':
      return postmaster(config, envelope);
    default:
      return setting.startsWith('<') && setting.endsWith('>') ? setting.slice(1, -1) : setting;
  }
}

/** Subject from :message: one line, at most MAX_SUBJECT characters. */
export function subjectFromMessage(message: string): string {
  const line = message.replace(/[\r\n]+[ \t]*/g, ' ').trim();
  const chars = [...line];
  return chars.length <= MAX_SUBJECT ? line : chars.slice(0, MAX_SUBJECT - 1).join('') + '\u2026';
}

function encodeText(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : libmime().encodeWords(s, 'B', 52, 'utf-8');
}

/** An address as written, its non-ASCII words (display name) RFC 2047-encoded. */
function encodeAddress(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const lt = text.lastIndexOf('<');
  if (lt <= 0) return text;
  return `${libmime().encodeWords(text.slice(0, lt).trim().replace(/^"|"$/g, ''), 'B', 52, 'utf-8')} ${text.slice(lt)}`;
}

/**
 * Builds the notification a mailto notify action asks for, or null when none may be sent. The
 * host sends `raw` to each of `recipients` with `envelopeFrom` as the envelope sender.
 */
export function buildMailtoNotification(
  fields: MailtoNotifyFields,
  context: { envelope: Envelope; config: EngineConfig; date?: Date; messageId?: string },
): MailtoNotification | null {
  if (fields.suppressed) return null;
  const uri = fields.mailto;
  const recipients = [...uri.to, ...uri.cc, ...uri.bcc].map((r) => r.address);
  if (recipients.length === 0) return null;
  const { envelope, config } = context;
  const from = fields.from ?? config.userEmail ?? postmaster(config, envelope);
  const domain = bareAddress(from).split('@')[1] ?? 'localhost';
  const [priority, importance] = PRIORITY[fields.importance];
  const headers: Array<[string, string]> = [
    ['X-Sieve', 'tamis'],
    ['Message-ID', context.messageId ?? `<${crypto().randomUUID()}@${domain}>`],
    ['Date', formatDate(context.date ?? new Date())],
    ['From', encodeAddress(from)],
  ];
  if (uri.to.length) headers.push(['To', uri.to.map((r) => encodeAddress(r.text)).join(', ')]);
  if (uri.cc.length) headers.push(['Cc', uri.cc.map((r) => encodeAddress(r.text)).join(', ')]);
  headers.push(['Subject', encodeText(uri.subject ?? subjectFromMessage(fields.text))]);
  headers.push(['Auto-Submitted', 'auto-notified']);
  headers.push(['X-Priority', priority], ['Importance', importance]);
  for (const [name, value] of uri.headers) headers.push([name, encodeText(value)]);
  headers.push(['MIME-Version', '1.0']);
  const body = (uri.body ?? fields.text).replace(/\r?\n/g, CRLF);
  headers.push(['Content-Type', 'text/plain; charset=utf-8']);
  const plain = /^[\x00-\x7f]*$/.test(body) && !body.split(CRLF).some((l) => l.length > 998);
  headers.push(['Content-Transfer-Encoding', plain ? '7bit' : 'base64']);
  const text = plain
    ? body
    : (
        Buffer.from(body)
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join(CRLF);
  const head = headers.map(([n, v]) => libmime().foldLines(`${n}: ${v}`, 76, false)).join(CRLF);
  const raw = head + CRLF + CRLF + (text.endsWith(CRLF) || text === '' ? text : text + CRLF);
  return { envelopeFrom: mailtoEnvelopeFrom(fields, envelope, config), recipients, raw };
}

/** RFC 5322 date. */
function formatDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 5436 §2.7: the message was sent by an automated process (any Auto-Submitted but "no"). */
export function isAutomated(message: MessageView): boolean {
  return message.header('auto-submitted').some((v) => !/^\s*no\s*(;|$)/i.test(v));
}
