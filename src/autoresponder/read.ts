/** Sieve → settings: what a vacation or forward rule says, and what in it tamis does not understand. */
import type { Argument, CommandNode, TestNode } from '../index.js';
import { formatNamedAddress, parseNamedAddress } from './address.js';
import { formatDateTime, isTimeZone, parseDateTime, parseZoneArgument, inZone } from './dates.js';
import { isListGuard } from './dialects/markers.js';
import { SPAM_TEST, SUBJECT_CAPTURE, TIMEZONE_COMMENT } from './generate.js';

const SUBJECT_CAPTURE_FLAT = 'header :matches "subject" "*"';
import { readReplyEntity } from './mime.js';
import type { Rule } from './rules.js';
import { fromTextBlock } from './sieve-text.js';
import type { ForwardSettings, OriginalAction, VacationSettings } from './types.js';
import { SUBJECT_PLACEHOLDER, validateForward, validateVacation } from './validate.js';

export interface Reading<T> {
  settings: T;
  /** Parts of the rule the settings cannot express, as written: rewriting the rule would drop them. */
  unknown: string[];
}

type Args = { tags: Map<string, Argument | null>; positional: Argument[] };

/** Splits arguments into tags (with the value that follows tags that take one) and the rest. */
function splitArgs(args: Argument[], withValue: Set<string>): Args {
  const tags = new Map<string, Argument | null>();
  const positional: Argument[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.type === 'tag') tags.set(a.name, withValue.has(a.name) ? (args[++i] ?? null) : null);
    else positional.push(a);
  }
  return { tags, positional };
}

function strings(a: Argument | null | undefined): string[] | null {
  if (!a) return null;
  if (a.type === 'string') return [a.value];
  if (a.type === 'stringlist') return a.items.map((s) => s.value);
  return null;
}

const compact = (text: string): string => text.replace(/\s+/g, ' ').trim();

interface Range {
  start?: string;
  end?: string;
}

/** `currentdate [:zone Z] :value "ge"|"le" "iso8601"|"date" KEY` as a range bound; null otherwise. */
function dateBound(t: TestNode, range: Range): boolean {
  if (t.name !== 'currentdate') return false;
  const { tags, positional } = splitArgs(t.args, new Set(['zone', 'value', 'comparator']));
  if (tags.has('comparator') || tags.has('originalzone') || tags.size > 2 || positional.length !== 2)
    return false;
  const rel = strings(tags.get('value'))?.[0]?.toLowerCase();
  const part = strings(positional[0])?.[0]?.toLowerCase();
  // A list key is read as its first value, as Roundcube does.
  const key = strings(positional[1])?.[0];
  if ((rel !== 'ge' && rel !== 'le') || !key || (part !== 'iso8601' && part !== 'date')) return false;
  const zoneArg = tags.has('zone') ? strings(tags.get('zone'))?.[0] : undefined;
  const zone = zoneArg === undefined ? 0 : parseZoneArgument(zoneArg);
  if (zone === null) return false;
  let text: string;
  if (part === 'iso8601') text = key;
  else {
    // A date-only bound covers the whole day in the zone compared in.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) return false;
    const offset = formatDateTime({ ms: 0, offset: zone }).slice(19);
    text = `${key}T${rel === 'ge' ? '00:00:00' : '23:59:59'}${offset}`;
  }
  const instant = parseDateTime(text);
  if (!instant) return false;
  range[rel === 'ge' ? 'start' : 'end'] = formatDateTime(instant);
  return true;
}

function actionOf(
  cmds: CommandNode[],
  unknown: string[],
  source: string,
): { original: OriginalAction; to: string[] } {
  const to: string[] = [];
  let copy = false;
  let keep = false;
  let discard = false;
  for (const c of cmds) {
    const { tags, positional } = splitArgs(c.args, new Set());
    if (
      c.name === 'redirect' &&
      positional.length === 1 &&
      positional[0]!.type === 'string' &&
      [...tags.keys()].every((k) => k === 'copy')
    ) {
      to.push(positional[0].value);
      if (tags.has('copy')) copy = true;
    } else if ((c.name === 'keep' || c.name === 'discard' || c.name === 'stop') && c.args.length === 0) {
      if (c.name === 'keep') keep = true;
      if (c.name === 'discard') discard = true;
    } else unknown.push(compact(source.slice(c.pos.offset, c.end)));
  }
  if (to.length) return { original: copy || keep ? 'copy' : 'redirect', to };
  return { original: discard ? 'discard' : 'keep', to };
}

/** The settings a vacation rule holds. */
export function readVacationRule(rule: Rule, source: string): Reading<VacationSettings> {
  const unknown: string[] = [];
  const vacation = rule.commands[0]!.name === 'vacation' ? rule.commands[0]! : rule.commands[0]!.block![0]!;
  const after =
    rule.commands[0]!.name === 'vacation' ? rule.commands.slice(1) : rule.commands[0]!.block!.slice(1);
  const range: Range = {};
  let skipSpam = false;
  let capture = false;
  for (const t of rule.tests) {
    const text = compact(rule.text(t));
    if (dateBound(t, range)) continue;
    if (text === `not ${SPAM_TEST}`) skipSpam = true;
    // Roundcube flattens the capture into the allof when it saves the rule again; read that too.
    else if (text === SUBJECT_CAPTURE || text === SUBJECT_CAPTURE_FLAT) capture = true;
    else if (text === 'true') continue;
    else if (!isListGuard(text)) unknown.push(text);
  }
  const { tags, positional } = splitArgs(
    vacation.args,
    new Set(['days', 'seconds', 'addresses', 'subject', 'from', 'handle']),
  );
  const s: Record<string, unknown> = { enabled: rule.enabled };
  let subject = strings(tags.get('subject'))?.[0] ?? '';
  if (capture) subject = subject.split('${1}').join(SUBJECT_PLACEHOLDER);
  s.subject = subject;
  const reason = positional[0];
  let body = '';
  if (reason?.type === 'string') {
    const value = reason.multiline ? fromTextBlock(reason.value) : reason.value.replace(/\r\n?/g, '\n');
    if (tags.has('mime')) {
      const parts = readReplyEntity(reason.value);
      if (parts) {
        body = parts.text;
        if (parts.html !== undefined) s.html = parts.html;
      } else {
        unknown.push(':mime reason that is not a text part or a text and HTML alternative');
        body = value;
      }
    } else body = value;
  } else unknown.push('vacation without a reason');
  s.body = body;
  const from = strings(tags.get('from'))?.[0];
  if (from !== undefined) {
    const named = parseNamedAddress(from);
    if (named) s.from = formatNamedAddress(named);
    else unknown.push(`:from ${JSON.stringify(from)}`);
  }
  // Some generators (Nextcloud) write `Name <addr>` here; the address is what counts.
  const addresses = strings(tags.get('addresses'))?.map((a) => parseNamedAddress(a)?.address ?? a);
  if (addresses?.length) s.addresses = addresses;
  for (const key of ['days', 'seconds'] as const) {
    const v = tags.get(key);
    if (v?.type === 'number') s[key] = v.value;
  }
  if (tags.has('handle')) unknown.push(`:handle ${JSON.stringify(strings(tags.get('handle'))?.[0] ?? '')}`);
  for (const k of tags.keys()) {
    if (!['days', 'seconds', 'addresses', 'subject', 'from', 'handle', 'mime'].includes(k))
      unknown.push(`:${k}`);
  }
  const zoneComment = rule.comments.find((c) => ('#' + c.text).startsWith(TIMEZONE_COMMENT));
  const zone = zoneComment ? ('#' + zoneComment.text).slice(TIMEZONE_COMMENT.length).trim() : undefined;
  if (zone && isTimeZone(zone)) s.timezone = zone;
  for (const key of ['start', 'end'] as const) {
    const v = range[key];
    if (v) s[key] = zone && isTimeZone(zone) ? formatDateTime(inZone(parseDateTime(v)!, zone)) : v;
  }
  const { original, to } = actionOf(after, unknown, source);
  s.original = original;
  if (to.length) s.forwardTo = to;
  s.skipSpam = skipSpam;
  const checked = validateVacation(s);
  if (checked.ok) return { settings: checked.settings, unknown };
  for (const p of checked.problems) unknown.push(`${p.path}: ${p.message}`);
  return { settings: s as unknown as VacationSettings, unknown };
}

/** The settings a forward rule holds. */
export function readForwardRule(rule: Rule, source: string): Reading<ForwardSettings> {
  const unknown: string[] = [];
  const cmds = rule.commands[0]!.name === 'if' ? rule.commands[0]!.block! : rule.commands;
  for (const t of rule.tests) unknown.push(compact(rule.text(t)));
  const { original, to } = actionOf(cmds, unknown, source);
  const s = { enabled: rule.enabled, to, keepCopy: original === 'copy' };
  const checked = validateForward(s);
  if (checked.ok) return { settings: checked.settings, unknown };
  for (const p of checked.problems) unknown.push(`${p.path}: ${p.message}`);
  return { settings: s, unknown };
}
