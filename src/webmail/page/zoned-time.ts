// Date-times as the form shows them (wall clock in a chosen IANA zone, as <input type=datetime-local>
// writes them) and as VacationSettings stores them (ISO 8601 with the zone's offset at that moment).
// The zone arithmetic is the autoresponder's, which has no I/O and runs in the browser as it is.
import { formatDateTime, zoneOffsetAt } from '../../autoresponder/dates.js';

/** The instant in `zone`'s wall clock and offset: `2026-12-21T00:00:00+01:00`. */
const inZone = (ms: number, zone: string): string => formatDateTime({ ms, offset: zoneOffsetAt(zone, ms) });

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
  let instant = asUtc - zoneOffsetAt(zone, asUtc) * 60000;
  instant = asUtc - zoneOffsetAt(zone, instant) * 60000;
  return inZone(instant, zone);
}

/** `2026-12-21T00:00:00+01:00` shown in `zone` as `2026-12-21T00:00`; null when not a date. */
export function isoToLocal(iso: string, zone: string): string | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return inZone(ms, zone).slice(0, 16);
}

/** The IANA zones the browser knows, with UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const list = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...list.filter((z) => z !== 'UTC')];
}
