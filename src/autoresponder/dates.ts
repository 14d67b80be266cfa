/**
 * Date-times for vacation ranges. A range bound is one instant written in one fixed offset, and the
 * `currentdate :zone` test of the script uses that same offset, so the comparison of the two ISO 8601
 * strings is a comparison of instants: no day is lost or gained whatever the zone or its DST rules.
 */

export interface Instant {
  /** Milliseconds since the epoch. */
  ms: number;
  /** Minutes east of UTC the date-time was written in. */
  offset: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|z|[+-]\d{2}:?\d{2})$/;

/** Reads `2026-12-21T00:00:00+01:00` (seconds optional, `Z` allowed); null unless it is a real date-time. */
export function parseDateTime(text: string): Instant | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(local).getUTCDate() !== d) return null;
  const z = m[7]!;
  let offset = 0;
  if (z !== 'Z' && z !== 'z') {
    const digits = z.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return null;
    offset = (digits[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return { ms: local - offset * 60000, offset };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2026-12-21T00:00:00+01:00`: the form the date extension's "iso8601" part has. */
export function formatDateTime({ ms, offset }: Instant): string {
  const t = new Date(ms + offset * 60000);
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  return `${date}T${time}${offsetText(offset, true)}`;
}

/** `+0100` (for `:zone`) or `+01:00` (inside an ISO 8601 date-time). */
export function offsetText(offset: number, colon = false): string {
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/** Reads a `:zone` argument (`+0100`, `-0530`); null when malformed. */
export function parseZoneArgument(text: string): number | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the runtime knows this IANA time zone name. */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC, in minutes, at this instant (its DST rules applied). */
export function zoneOffsetAt(zone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const local = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  // Sub-second parts are dropped by the formatter; round to whole minutes.
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant written in the offset the zone has at that instant (or its own offset without a zone). */
export function inZone(instant: Instant, zone: string | undefined): Instant {
  return zone ? { ms: instant.ms, offset: zoneOffsetAt(zone, instant.ms) } : instant;
}
