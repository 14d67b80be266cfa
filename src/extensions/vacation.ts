import type { CompileContext, Extension, ParsedArgs } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import type { VacationAction } from '../runtime/result.js';
import type { VacationQuery } from '../runtime/host.js';
import { singleAddress } from '../message/index.js';
import { crypto } from '../message/deps.js';
import { boolean, number, object, optional, string } from '../settings/schema.js';
import { defineCommand } from './define.js';

const DAY = 24 * 3600;

export interface VacationData {
  reason: SieveString;
  subject: SieveString | null;
  from: SieveString | null;
  addresses: SieveString[];
  handle: SieveString | null;
  mime: boolean;
  /** Reply period after clamping to the configured limits. */
  seconds: number;
}

/**
 * The address inside a :from value, which may be a bare addr-spec or a name-addr
 * (`Name <local@domain>`); null when it is neither, or holds more than one address.
 */
export function vacationFromAddress(value: string): string | null {
  return /[\r\n]/.test(value) ? null : singleAddress(value);
}

/** RFC 5230 §4.1 / RFC 6131 §2: the period in seconds, clamped to the site's limits. */
function replyPeriod(args: ParsedArgs, cx: CompileContext): number {
  const { minPeriod, maxPeriod, defaultPeriod } = cx.config.vacation;
  const days = args.tags.get('days');
  const secs = args.tags.get('seconds');
  const given = days ?? secs;
  if (!given?.value || given.value.type !== 'number') return clamp(defaultPeriod, minPeriod, maxPeriod);
  const n = given.value.value;
  const tag = days ? 'days' : 'seconds';
  const asked = days ? n * DAY : n;
  // :days counts whole days and RFC 5230 makes one day its smallest meaningful value;
  // :seconds 0 means "always reply" unless the site's minimum says otherwise.
  const seconds = clamp(days ? Math.max(asked, DAY) : asked, minPeriod, maxPeriod);
  if (seconds !== asked) {
    const limit = seconds > asked ? 'under the minimum' : 'over the maximum';
    cx.warning(given.value.pos, `vacation :${tag} ${n} is ${limit}; using ${describePeriod(seconds)}`);
  }
  return seconds;
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(Math.max(v, min), Math.max(min, max));
}

function describePeriod(seconds: number): string {
  if (seconds % DAY === 0) return `${seconds / DAY} day${seconds === DAY ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** A header field line as it may start a :mime reason. */
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

function compileVacation(args: ParsedArgs, cx: CompileContext): VacationData {
  const str = (name: string): SieveString | null => {
    const t = args.tags.get(name);
    return t?.value ? cx.string(t.value) : null;
  };
  const reasonArg = args.positional[0]!;
  const reason = cx.string(reasonArg);
  const from = str('from');
  if (typeof from === 'string' && vacationFromAddress(from) === null) {
    cx.error(
      args.tags.get('from')!.value!.pos,
      `vacation :from address "${from}" is not a valid e-mail address`,
    );
  }
  const addrTag = args.tags.get('addresses');
  const addresses = addrTag?.value ? cx.stringList(addrTag.value) : [];
  for (const a of addresses) {
    if (typeof a === 'string' && vacationFromAddress(a) === null) {
      cx.warning(addrTag!.value!.pos, `vacation :addresses entry "${a}" is not a valid e-mail address`);
    }
  }
  const mime = args.tags.has('mime');
  if (mime && typeof reason === 'string') {
    const first = reason.split(/\r?\n/, 1)[0]!;
    if (first !== '' && !HEADER_LINE.test(first)) {
      cx.warning(
        reasonArg.pos,
        'vacation :mime reason does not start with MIME header fields or an empty line',
      );
    }
  }
  return {
    reason,
    subject: str('subject'),
    from,
    addresses,
    handle: str('handle'),
    mime,
    seconds: replyPeriod(args, cx),
  };
}

/** RFC 5230 §4.2: without :handle, replies with the same text count as the same vacation. */
export function defaultVacationHandle(reason: string, subject: string, from: string, mime: boolean): string {
  const h = crypto().createHash('sha256');
  for (const part of [reason, subject, from, mime ? 'mime' : 'text']) h.update(part).update('\0');
  return 'sha256:' + h.digest('hex').slice(0, 32);
}

/** Header fields that mark mailing-list traffic (RFC 2369, RFC 2919); RFC 5230 §4.6: no replies to it. */
const LIST_HEADERS = [
  'list-id',
  'list-help',
  'list-subscribe',
  'list-unsubscribe',
  'list-post',
  'list-owner',
  'list-archive',
];

/** Fields where the user's address must appear for the message to count as personal (RFC 5230 §4.5). */
const RECIPIENT_HEADERS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];

/** Local parts of senders that are automated processes (RFC 5230 §4.6). */
function isSystemSender(address: string): boolean {
  const at = address.lastIndexOf('@');
  const local = (at < 0 ? address : address.slice(0, at)).toLowerCase();
  return (
    local === 'mailer-daemon' ||
    local === 'listserv' ||
    local === 'majordomo' ||
    local.startsWith('owner-') ||
    local.endsWith('-request')
  );
}

/** The first token of a structured field value, comments and parameters left out. */
function fieldToken(value: string): string {
  return value
    .replace(/\([^)]*\)/g, ' ')
    .split(';', 1)[0]!
    .trim()
    .toLowerCase();
}

interface ReplyDecision {
  /** Why no reply may be sent, or null when one is due. */
  suppressed: string | null;
  /** The user's address as found in the message's recipient fields. */
  matched: string | null;
}

/** The no-I/O checks of RFC 5230 §4.5 and §4.6 (reply tracking is the host's). */
function decideReply(rt: Runtime, ownAddresses: string[], explicitFrom: string | null): ReplyDecision {
  const checkRecipient = rt.config.vacation.checkRecipient ?? true;
  const sender = rt.envelope.from;
  if (sender === '') return { suppressed: 'the envelope sender is null', matched: null };
  const own = new Set(ownAddresses.map((a) => a.toLowerCase()));
  const senderKey = sender.toLowerCase();
  if (own.has(senderKey) || (explicitFrom !== null && explicitFrom.toLowerCase() === senderKey)) {
    return { suppressed: `the sender <${sender}> is one of the user's own addresses`, matched: null };
  }
  if (isSystemSender(sender)) {
    return { suppressed: `the sender <${sender}> is a system address`, matched: null };
  }
  const m = rt.message;
  for (const h of LIST_HEADERS) {
    if (m.header(h).length > 0)
      return { suppressed: `the message is from a mailing list (it has a ${h} field)`, matched: null };
  }
  for (const v of m.header('auto-submitted')) {
    const token = fieldToken(v);
    if (token !== 'no') return { suppressed: `the message is auto-submitted (${token})`, matched: null };
  }
  for (const v of m.header('precedence')) {
    const token = fieldToken(v);
    if (token === 'bulk' || token === 'list' || token === 'junk') {
      return { suppressed: `the message has precedence ${token}`, matched: null };
    }
  }
  for (const v of m.header('x-auto-response-suppress')) {
    const kinds = v.split(',').map((s) => s.trim().toLowerCase());
    if (kinds.includes('all') || kinds.includes('oof')) {
      return {
        suppressed: 'the message asks for no automatic replies (x-auto-response-suppress)',
        matched: null,
      };
    }
  }
  for (const h of RECIPIENT_HEADERS) {
    for (const a of m.addresses(h)) {
      if (own.has(a.address.toLowerCase())) return { suppressed: null, matched: a.address };
    }
  }
  // The site may answer whatever the message's recipient fields say.
  if (!checkRecipient) return { suppressed: null, matched: null };
  return {
    suppressed: "none of the user's addresses appears in to, cc, bcc, resent-to, resent-cc or resent-bcc",
    matched: null,
  };
}

/**
 * The user's addresses: the recipient and the same address without its subaddress detail, the
 * original recipient when so configured, and the configured user address.
 */
function recipientAddresses(rt: Runtime): string[] {
  const extra: string[] = [];
  if (rt.config.vacation.useOriginalRecipient && rt.envelope.origTo) extra.push(rt.envelope.origTo);
  if (rt.config.userEmail) extra.push(rt.config.userEmail);
  const to = rt.envelope.to;
  if (!to) return extra;
  const out = [to, ...extra];
  const at = to.lastIndexOf('@');
  const delim = rt.config.recipientDelimiter;
  if (at > 0 && delim) {
    let cut = -1;
    for (const d of delim) {
      const i = to.indexOf(d);
      if (i > 0 && i < at && (cut < 0 || i < cut)) cut = i;
    }
    if (cut > 0) out.push(to.slice(0, cut) + to.slice(at));
  }
  return out;
}

const SUBJECT_LIMIT = 256;

/** RFC 5230 §4.3: "Auto: " and the original subject, shortened when absurdly long. */
export function defaultVacationSubject(original: string | undefined): string {
  if (original === undefined) return 'Automated reply';
  let s = original.replace(/\s+/g, ' ').trim();
  const chars = [...s];
  // The limit counts the whole subject, prefix included.
  const room = SUBJECT_LIMIT - 'Auto: '.length;
  if (chars.length > room) {
    s = chars.slice(0, room).join('');
    const space = s.lastIndexOf(' ');
    if (space > room / 2) s = s.slice(0, space);
    s += '\u2026';
  }
  return 'Auto: ' + s;
}

/**
 * The site's default subject: a template where "%{subject}" (or "%$") stands for the original
 * subject, or else a fixed text; null when neither is configured.
 */
function configuredSubject(rt: Runtime): string | null {
  const { defaultSubject, defaultSubjectTemplate } = rt.config.vacation;
  if (defaultSubjectTemplate) {
    const original = (rt.message.header('subject')[0] ?? '').replace(/\s+/g, ' ').trim();
    return defaultSubjectTemplate.replace(/%\{subject\}|%\$/g, () => original);
  }
  return defaultSubject || null;
}

/** RFC 5230 §4.2: why no reply is due when the host's records show one sent within the period. */
function repliedRecently(rt: Runtime, handle: string, seconds: number): string | null {
  const ask = rt.host.vacationReplied;
  if (!ask) return null;
  const query: VacationQuery = { user: rt.user, sender: rt.envelope.from, handle, seconds };
  const key = `vacation\0${query.user}\0${query.sender}\0${handle}\0${seconds}`;
  if (!rt.ask(key, () => ask.call(rt.host, query))) return null;
  return `a reply was sent to <${query.sender}> less than ${seconds} s ago (handle "${handle}")`;
}

function runVacation(d: VacationData, rt: Runtime): void {
  const reason = rt.expand(d.reason);
  const explicitSubject = d.subject === null ? null : rt.expand(d.subject);
  const explicitFrom = d.from === null ? null : rt.expand(d.from);
  let fromAddress: string | null = null;
  if (explicitFrom !== null) {
    fromAddress = vacationFromAddress(explicitFrom);
    if (fromAddress === null)
      rt.error(undefined, `vacation :from address "${explicitFrom}" is not a valid e-mail address`);
  }
  const addresses = rt.expandList(d.addresses).map((a) => vacationFromAddress(a) ?? a.trim());
  const handle =
    d.handle === null
      ? defaultVacationHandle(reason, explicitSubject ?? '', explicitFrom ?? '', d.mime)
      : rt.expand(d.handle);
  const decision = decideReply(rt, [...recipientAddresses(rt), ...addresses], fromAddress);
  const subject =
    explicitSubject ?? configuredSubject(rt) ?? defaultVacationSubject(rt.message.header('subject')[0]);
  const action: VacationAction = {
    type: 'vacation',
    reason,
    subject,
    addresses,
    seconds: d.seconds,
    handle,
    mime: d.mime,
  };
  // Without :from the reply comes from the address the message was sent to, else the user's own.
  const from = explicitFrom ?? decision.matched ?? (rt.config.userEmail || rt.envelope.to || null);
  if (from !== null) action.from = from;
  const suppressed = decision.suppressed ?? repliedRecently(rt, handle, d.seconds);
  if (suppressed === null) action.to = rt.envelope.from;
  else action.suppressed = suppressed;
  // A vacation never cancels the implicit keep (RFC 5230 §4).
  rt.result.add(action, false);
  // The host records the reply once the message is stored (a vacation dropped as a duplicate is not sent).
  if (action.to !== undefined && rt.result.actions.includes(action)) {
    rt.result.effects.push({
      type: 'vacation',
      user: rt.user,
      handle,
      sender: action.to,
      seconds: d.seconds,
    });
  }
}

const vacation = defineCommand<VacationData>({
  name: 'vacation',
  // RFC 6785: an IMAP event is no arriving message to answer.
  contexts: ['delivery'],
  tags: [
    { name: 'days', param: 'number', group: 'period' },
    { name: 'subject', param: 'string' },
    { name: 'from', param: 'string' },
    { name: 'addresses', param: 'stringlist' },
    { name: 'mime' },
    { name: 'handle', param: 'string' },
  ],
  positional: ['string'],
  compile: compileVacation,
  run: runVacation,
});

/** RFC 5230: the vacation auto-reply, recorded as an action for the host to send. */
export const vacationExtension: Extension = { name: 'vacation', commands: [vacation] };

/** RFC 5230 vacation: reply periods (seconds) and how replies are addressed. */
export const vacationSettings = object(
  {
    minPeriod: number({
      integer: true,
      min: 0,
      default: 24 * 3600,
      doc: 'Shortest period between two replies to one sender (seconds); shorter :days or :seconds are raised to it.',
    }),
    maxPeriod: number({
      integer: true,
      min: 0,
      default: 90 * 24 * 3600,
      doc: 'Longest period (seconds); longer ones are lowered to it.',
    }),
    defaultPeriod: number({
      integer: true,
      min: 0,
      default: 7 * 24 * 3600,
      doc: 'Period when the script gives neither :days nor :seconds (seconds).',
    }),
    useOriginalRecipient: boolean({
      default: false,
      doc: "Count the envelope's original recipient as one of the user's addresses.",
    }),
    checkRecipient: boolean({
      default: true,
      doc: "Reply only when one of the user's addresses is in To, Cc or Bcc (RFC 5230 §4.5); false replies to any.",
    }),
    sendFromRecipient: boolean({
      default: false,
      doc: 'Send replies with the recipient as envelope sender instead of the null sender "<>".',
    }),
    toHeaderIgnoreEnvelope: boolean({
      default: false,
      doc: "Address the reply's To field from the message's From/Sender instead of the envelope sender.",
    }),
    defaultSubject: optional(
      string({
        doc: 'Subject when the script gives no :subject (instead of "Auto: " and the original subject).',
      }),
    ),
    defaultSubjectTemplate: optional(
      string({ doc: 'Like defaultSubject, with "%{subject}" (or "%$") standing for the original subject.' }),
    ),
  },
  { doc: 'RFC 5230 vacation: reply periods and how replies are addressed.' },
);
