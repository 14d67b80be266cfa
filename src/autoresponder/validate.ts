/**
 * Checks settings that come from outside (a form, a JSON file) and brings them to their canonical
 * form: the form the generator writes and the reader gives back, so that a round trip is exact.
 */
import { formatNamedAddress, isValidAddress, parseNamedAddress } from './address.js';
import { formatDateTime, inZone, isTimeZone, parseDateTime, type Instant } from './dates.js';
import {
  MAX_BODY_LENGTH,
  MAX_FORWARD_ADDRESSES,
  ORIGINAL_ACTIONS,
  type ForwardSettings,
  type OriginalAction,
  type SettingsErrorCode,
  type SettingsProblem,
  type Validated,
  type VacationSettings,
} from './types.js';

/** The placeholder for the original subject in a reply's subject. */
export const SUBJECT_PLACEHOLDER = '${subject}';

const VACATION_FIELDS = new Set([
  'enabled',
  'subject',
  'body',
  'html',
  'from',
  'addresses',
  'days',
  'seconds',
  'start',
  'end',
  'timezone',
  'original',
  'forwardTo',
  'skipSpam',
]);
const FORWARD_FIELDS = new Set(['enabled', 'to', 'keepCopy']);

const MAX_DAYS = 365;
const MAX_SECONDS = 365 * 86400;

class Checker {
  readonly problems: SettingsProblem[] = [];
  constructor(readonly input: Record<string, unknown>) {}

  fail(path: string, code: SettingsErrorCode, message: string): undefined {
    this.problems.push({ path, code, message });
    return undefined;
  }

  boolean(key: string, fallback?: boolean): boolean | undefined {
    const v = this.input[key];
    if (v === undefined) return fallback ?? this.fail(key, 'required', `${key} is required`);
    if (typeof v !== 'boolean') return this.fail(key, 'wrong-type', `${key} must be true or false`);
    return v;
  }

  /** A string; `lines` allows line breaks (and tabs), which come back as `\n`. */
  text(key: string, opts: { lines: boolean; required?: boolean; max?: number }): string | undefined {
    const v = this.input[key];
    if (v === undefined) {
      return opts.required ? this.fail(key, 'required', `${key} is required`) : undefined;
    }
    if (typeof v !== 'string') return this.fail(key, 'wrong-type', `${key} must be a string`);
    return this.checkText(key, v, opts.lines, opts.max ?? MAX_BODY_LENGTH);
  }

  checkText(path: string, v: string, lines: boolean, max: number): string | undefined {
    if (v.length > max) return this.fail(path, 'too-long', `${path} is longer than ${max} characters`);
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v))
      return this.fail(path, 'invalid-text', `${path} holds broken Unicode`);

    const bad = lines ? /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/ : /[\x00-\x1f\x7f]/;
    const m = bad.exec(v);
    if (m) {
      const cp = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      const what = m[0] === '\n' || m[0] === '\r' ? 'a line break' : `control character U+${cp}`;
      return this.fail(path, 'control-character', `${path} must not contain ${what}`);
    }
    return lines ? v.replace(/\r\n?/g, '\n') : v;
  }

  addresses(key: string, opts: { max?: number; unique?: boolean }): string[] | undefined {
    const v = this.input[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.fail(key, 'wrong-type', `${key} must be a list of addresses`);
    if (opts.max !== undefined && v.length > opts.max) {
      return this.fail(key, 'too-many-addresses', `${key} has ${v.length} addresses (at most ${opts.max})`);
    }
    const out: string[] = [];
    const seen = new Set<string>();
    v.forEach((a: unknown, i) => {
      const path = `${key}[${i}]`;
      if (typeof a !== 'string') return this.fail(path, 'wrong-type', `${path} must be a string`);
      const addr = a.trim();
      if (!isValidAddress(addr)) {
        return this.fail(
          path,
          'invalid-address',
          `${path} is not a valid e-mail address: ${JSON.stringify(a)}`,
        );
      }
      if (opts.unique && seen.has(addr.toLowerCase())) {
        return this.fail(path, 'duplicate-address', `${path} repeats ${addr}`);
      }
      seen.add(addr.toLowerCase());
      out.push(addr);
    });
    return out;
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.input[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      return this.fail(key, 'wrong-type', `${key} must be a whole number`);
    }
    if (v < min || v > max) return this.fail(key, 'out-of-range', `${key} must be from ${min} to ${max}`);
    return v;
  }

  dateTime(key: string): Instant | undefined {
    const v = this.input[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail(key, 'wrong-type', `${key} must be a string`);
    const t = parseDateTime(v);
    if (!t) {
      return this.fail(
        key,
        'invalid-date',
        `${key} must be an ISO 8601 date-time with an offset, e.g. 2026-12-21T00:00:00+01:00`,
      );
    }
    return t;
  }

  unknownFields(known: Set<string>): void {
    for (const k of Object.keys(this.input)) {
      if (!known.has(k)) this.fail(k, 'unknown-field', `unknown field ${k}`);
    }
  }
}

const NOT_AN_OBJECT: SettingsProblem = {
  path: '',
  code: 'not-an-object',
  message: 'settings must be a JSON object',
};

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Checks vacation settings; on success they come back in canonical form (defaults filled in). */
export function validateVacation(input: unknown): Validated<VacationSettings> {
  if (!isObject(input)) return { ok: false, problems: [NOT_AN_OBJECT] };
  const obj = input;
  const c = new Checker(obj);
  c.unknownFields(VACATION_FIELDS);
  const enabled = c.boolean('enabled');
  const subject = c.text('subject', { lines: false, max: 998 }) ?? '';
  const body = c.text('body', { lines: true, required: true });
  if (body !== undefined && body.trim() === '') c.fail('body', 'empty', 'the reply text must not be empty');
  const html = c.text('html', { lines: true });
  let from: string | undefined;
  const rawFrom = c.text('from', { lines: false, max: 998 });
  if (rawFrom !== undefined && rawFrom.trim() !== '') {
    const named = parseNamedAddress(rawFrom);
    if (!named) c.fail('from', 'invalid-address', `from is not a valid address: ${JSON.stringify(rawFrom)}`);
    else if (c.checkText('from', named.name, false, 998) !== undefined) from = formatNamedAddress(named);
  }
  const addresses = c.addresses('addresses', {});
  const days = c.integer('days', 1, MAX_DAYS);
  const seconds = c.integer('seconds', 0, MAX_SECONDS);
  if (obj.days !== undefined && obj.seconds !== undefined) {
    c.fail('seconds', 'days-and-seconds', 'give days or seconds, not both');
  }
  let timezone: string | undefined;
  const rawZone = c.text('timezone', { lines: false, max: 64 });
  if (rawZone !== undefined) {
    if (isTimeZone(rawZone)) timezone = rawZone;
    else c.fail('timezone', 'unknown-timezone', `unknown time zone ${JSON.stringify(rawZone)}`);
  }
  const start = c.dateTime('start');
  const end = c.dateTime('end');
  if (start && end && end.ms <= start.ms) c.fail('end', 'end-before-start', 'end must be after start');
  const rawOriginal = obj.original;
  let original: OriginalAction = 'keep';
  if (rawOriginal !== undefined) {
    if (typeof rawOriginal === 'string' && (ORIGINAL_ACTIONS as string[]).includes(rawOriginal)) {
      original = rawOriginal as OriginalAction;
    } else c.fail('original', 'invalid-choice', `original must be one of ${ORIGINAL_ACTIONS.join(', ')}`);
  }
  const forwardTo = c.addresses('forwardTo', { max: MAX_FORWARD_ADDRESSES, unique: true });
  if (original === 'redirect' || original === 'copy') {
    if (!forwardTo?.length && !c.problems.some((p) => p.path.startsWith('forwardTo'))) {
      c.fail(
        'forwardTo',
        'forward-to-required',
        `original "${original}" needs at least one forwardTo address`,
      );
    }
  } else if (forwardTo?.length) {
    c.fail('forwardTo', 'forward-to-unused', `forwardTo is only used when original is "redirect" or "copy"`);
  }
  const skipSpam = c.boolean('skipSpam', true);
  if (subject.includes(SUBJECT_PLACEHOLDER)) {
    const rest: Array<[string, string | undefined]> = [
      ['subject', subject.split(SUBJECT_PLACEHOLDER).join('')],
      ['body', body],
      ['html', html],
    ];
    for (const [path, text] of rest) {
      if (text?.includes('${')) {
        c.fail(
          path,
          'unsupported-variable',
          `${path} may not contain "\${" besides ${SUBJECT_PLACEHOLDER} in the subject`,
        );
      }
    }
  }
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  const settings: VacationSettings = { enabled: enabled!, subject, body: body! };
  if (html !== undefined && html !== '') settings.html = html;
  if (from !== undefined) settings.from = from;
  if (addresses?.length) settings.addresses = addresses;
  if (days !== undefined) settings.days = days;
  if (seconds !== undefined) settings.seconds = seconds;
  if (start) settings.start = formatDateTime(inZone(start, timezone));
  if (end) settings.end = formatDateTime(inZone(end, timezone));
  if (timezone !== undefined) settings.timezone = timezone;
  settings.original = original;
  if (forwardTo?.length) settings.forwardTo = forwardTo;
  settings.skipSpam = skipSpam!;
  return { ok: true, settings };
}

/** Checks forwarding settings: 1 to 15 distinct valid addresses. */
export function validateForward(input: unknown): Validated<ForwardSettings> {
  if (!isObject(input)) return { ok: false, problems: [NOT_AN_OBJECT] };
  const obj = input;
  const c = new Checker(obj);
  c.unknownFields(FORWARD_FIELDS);
  const enabled = c.boolean('enabled');
  const keepCopy = c.boolean('keepCopy', false);
  const to = c.addresses('to', { max: MAX_FORWARD_ADDRESSES, unique: true });
  if (obj.to === undefined) c.fail('to', 'required', 'to is required');
  else if (to && to.length === 0) c.fail('to', 'empty', 'to needs at least one address');
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  return { ok: true, settings: { enabled: enabled!, to: to!, keepCopy: keepCopy! } };
}
