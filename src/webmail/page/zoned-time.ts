// Date-times as the form shows them (wall clock in a chosen IANA zone, as <input type=datetime-local>
// writes them) and as VacationSettings stores them (ISO 8601 with the zone's offset at that moment).

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, f);
  }
  return f;
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function wallAt(ms: number, zone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of format(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    y: parts.year!,
    mo: parts.month!,
    d: parts.day!,
    h: parts.hour!,
    mi: parts.minute!,
    s: parts.second!,
  };
}

const wallMs = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);

/** The zone's offset from UTC at an instant, in minutes (east positive). */
export function offsetMinutes(ms: number, zone: string): number {
  return Math.round((wallMs(wallAt(ms, zone)) - Math.floor(ms / 1000) * 1000) / 60000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function wallText(w: Wall, seconds: boolean): string {
  const time = `${pad(w.h)}:${pad(w.mi)}${seconds ? `:${pad(w.s)}` : ''}`;
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${time}`;
}

function offsetText(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * `2026-12-21T00:00` in `Europe/Paris` → `2026-12-21T00:00:00+01:00`. A wall time skipped by a
 * DST change becomes the instant just after the gap; null for text that is not a date-time.
 */
export function localToIso(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  if (Number.isNaN(asUtc)) return null;
  // Two rounds settle the offset except inside a DST gap, where the later offset is taken.
  let instant = asUtc - offsetMinutes(asUtc, zone) * 60000;
  instant = asUtc - offsetMinutes(instant, zone) * 60000;
  return `${wallText(wallAt(instant, zone), true)}${offsetText(offsetMinutes(instant, zone))}`;
}

/** `2026-12-21T00:00:00+01:00` shown in `zone` as `2026-12-21T00:00`; null when not a date. */
export function isoToLocal(iso: string, zone: string): string | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return wallText(wallAt(ms, zone), false);
}

/** The IANA zones the browser knows, with UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const list = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...list.filter((z) => z !== 'UTC')];
}
