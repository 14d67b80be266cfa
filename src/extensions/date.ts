/**
 * RFC 5260 §4–5: the `date` test (a date taken from a header field) and the `currentdate` test,
 * each reading one date-part, shifted to a :zone, the field's own zone (:originalzone) or the
 * local zone.
 */
import type { CompiledKeys, CompileContext, Extension, FieldSource, MatchSpec, ParsedArgs } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { defineTest } from './define.js';

/** An instant and the zone it is shown in. */
export interface ZonedDate {
  /** Milliseconds since the epoch (UTC). */
  time: number;
  /** Offset east of UTC in minutes. */
  offset: number;
  /** "-0000": the zone is unknown (RFC 5322 §3.3); shown as such by :originalzone. */
  unknownZone?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** RFC 5322 §4.3 obsolete zone names; military letters carry no reliable offset. */
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  gmt: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};

const DATE_TIME =
  /^(?:([A-Za-z]+)\s*,\s*)?(\d{1,2})\s+([A-Za-z]+)\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?(?:\s+([+-]\d{4}|[A-Za-z]+))?\s*$/;

/** Parses an RFC 5322 date-time (obsolete forms included); null when it is not a valid date. */
export function parseRfc5322Date(text: string): ZonedDate | null {
  // Comments such as "(CET)" carry nothing the test needs.
  let s = text;
  for (let i = 0; i < 3 && s.includes('('); i++) s = s.replace(/\([^()]*\)/g, ' ');
  const m = DATE_TIME.exec(s.replace(/\s+/g, ' ').trim());
  if (!m) return null;
  const [, dow, dd, mon, yy, hh, mi, ss, zone] = m;
  if (dow !== undefined && !DAYS.includes(dow.toLowerCase())) return null;
  const month = MONTHS.indexOf(mon!.toLowerCase());
  if (month < 0) return null;
  let year = Number(yy);
  if (yy!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (yy!.length === 3) year += 1900;
  const day = Number(dd);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return null;
  let offset = 0;
  let unknownZone = false;
  if (zone === undefined) unknownZone = true;
  else if (/^[+-]\d{4}$/.test(zone)) {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 23 || zm > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
    unknownZone = zone === '-0000';
  } else {
    const named = NAMED_ZONES[zone.toLowerCase()];
    if (named !== undefined) offset = named;
    else if (/^[A-IK-Za-ik-z]$/.test(zone)) unknownZone = true;
    else return null;
  }
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  return { time: local - offset * 60000, offset, ...(unknownZone ? { unknownZone } : {}) };
}

/** The date a header field holds; for Received it follows the last semicolon (RFC 5260 §4.1). */
export function headerDate(name: string, value: string): ZonedDate | null {
  if (name.toLowerCase() === 'received') {
    const semi = value.lastIndexOf(';');
    if (semi < 0) return null;
    return parseRfc5322Date(value.slice(semi + 1));
  }
  return parseRfc5322Date(value);
}

/** "+hhmm" / "-hhmm" to minutes east of UTC; null when malformed. */
export function parseZone(zone: string): number | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (!m || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** The local zone's offset at an instant, as this process sees it. */
export function localOffset(time: number): number {
  return -new Date(time).getTimezoneOffset();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function zoneText(offset: number, unknown: boolean, colon: boolean): string {
  const sign = offset < 0 || unknown ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

export const DATE_PARTS = [
  'year',
  'month',
  'day',
  'date',
  'julian',
  'hour',
  'minute',
  'second',
  'time',
  'iso8601',
  'std11',
  'zone',
  'weekday',
] as const;

/** One RFC 5260 §4.2 date-part of a date shown in its zone. */
export function datePart(d: ZonedDate, part: string): string | null {
  const t = new Date(d.time + d.offset * 60000);
  const year = t.getUTCFullYear();
  if (year < 0 || year > 9999) return null;
  const date = `${pad(year, 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const unknown = d.unknownZone === true && d.offset === 0;
  switch (part) {
    case 'year':
      return pad(year, 4);
    case 'month':
      return pad(t.getUTCMonth() + 1);
    case 'day':
      return pad(t.getUTCDate());
    case 'date':
      return date;
    case 'julian':
      // Modified Julian Day: days since 1858-11-17, the epoch being MJD 40587.
      return String(Math.floor(Date.UTC(year, t.getUTCMonth(), t.getUTCDate()) / 86400000) + 40587);
    case 'hour':
      return pad(t.getUTCHours());
    case 'minute':
      return pad(t.getUTCMinutes());
    case 'second':
      return pad(t.getUTCSeconds());
    case 'time':
      return time;
    case 'iso8601':
      return `${date}T${time}${zoneText(d.offset, unknown, true)}`;
    case 'std11':
      return (
        `${DAY_NAMES[t.getUTCDay()]}, ${t.getUTCDate()} ${MONTH_NAMES[t.getUTCMonth()]} ${year} ` +
        `${time} ${zoneText(d.offset, unknown, false)}`
      );
    case 'zone':
      return zoneText(d.offset, unknown, false);
    case 'weekday':
      return String(t.getUTCDay());
    default:
      return null;
  }
}

/** Where the shown zone comes from. */
type ZoneChoice = { kind: 'local' } | { kind: 'original' } | { kind: 'fixed'; zone: SieveString };

function compileZone(args: ParsedArgs, cx: CompileContext): ZoneChoice {
  if (args.tags.has('originalzone')) return { kind: 'original' };
  const z = args.tags.get('zone')?.value;
  if (!z) return { kind: 'local' };
  const zone = cx.string(z);
  if (typeof zone === 'string' && parseZone(zone) === null) {
    cx.error(z.pos, `invalid :zone "${zone}" of ${cx.node.name} test (expected +hhmm or -hhmm)`);
  }
  return { kind: 'fixed', zone };
}

function checkPart(arg: ParsedArgs['positional'][number], cx: CompileContext): SieveString {
  const part = cx.string(arg);
  if (typeof part === 'string' && !(DATE_PARTS as readonly string[]).includes(part.toLowerCase())) {
    cx.error(
      arg.pos,
      `unknown date part "${part}" of ${cx.node.name} test (known: ${DATE_PARTS.join(', ')})`,
    );
  }
  return part;
}

/** Shows a date in the chosen zone; null when a :zone given through a variable is malformed. */
function shift(d: ZonedDate, zone: ZoneChoice, rt: Runtime): ZonedDate | null {
  if (zone.kind === 'original') return d;
  if (zone.kind === 'local') return { time: d.time, offset: localOffset(d.time) };
  const offset = parseZone(rt.expand(zone.zone));
  return offset === null ? null : { time: d.time, offset };
}

interface DateData {
  spec: MatchSpec;
  keys: CompiledKeys;
  zone: ZoneChoice;
  header: SieveString;
  part: SieveString;
  /** Where the field is read (:index); null for the message's own fields. */
  fields: FieldSource | null;
}

const zoneTags = [
  { name: 'zone', param: 'string' as const, group: 'zone' },
  { name: 'originalzone', group: 'zone' },
];

const dateTest = defineTest<DateData>({
  name: 'date',
  matching: true,
  tags: zoneTags,
  positional: ['string', 'string', 'stringlist'],
  compile: (args, cx) => ({
    spec: args.match!,
    zone: compileZone(args, cx),
    header: cx.string(args.positional[0]!),
    part: checkPart(args.positional[1]!, cx),
    keys: cx.keys(args.positional[2]!, args.match!),
    fields: cx.fields(args),
  }),
  test(d, rt) {
    const name = rt.expand(d.header);
    const part = rt.expand(d.part).toLowerCase();
    const values: string[] = [];
    const fields = d.fields === null ? rt.message.header(name) : d.fields.values(name, rt);
    for (const field of fields) {
      const date = headerDate(name, field);
      const shown = date && shift(date, d.zone, rt);
      const v = shown && datePart(shown, part);
      if (v !== null && v !== undefined) values.push(v);
    }
    rt.trace?.({ kind: 'values', source: 'date', name, part, values });
    return rt.match(values, d.keys, d.spec);
  },
});

type CurrentDateData = Omit<DateData, 'header' | 'fields'>;

const currentdate = defineTest<CurrentDateData>({
  name: 'currentdate',
  matching: true,
  tags: [zoneTags[0]!],
  positional: ['string', 'stringlist'],
  compile: (args, cx) => ({
    spec: args.match!,
    zone: compileZone(args, cx),
    part: checkPart(args.positional[0]!, cx),
    keys: cx.keys(args.positional[1]!, args.match!),
  }),
  test(d, rt) {
    const now = rt.ask('now', () => rt.host.now()).getTime();
    const shown = shift({ time: now, offset: 0 }, d.zone, rt);
    const part = rt.expand(d.part).toLowerCase();
    const v = shown && datePart(shown, part);
    const values = v === null ? [] : [v];
    rt.trace?.({ kind: 'values', source: 'currentdate', part, values });
    return rt.match(values, d.keys, d.spec);
  },
});

/** RFC 5260: `date` and `currentdate`. */
export const dateExtension: Extension = {
  name: 'date',
  tests: [dateTest, currentdate],
};
