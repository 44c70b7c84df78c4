// Wall-clock time in a store's time zone, for what a person reads outside the app (the visits CSV).
// A zone is an IANA name ("Asia/Shanghai"), resolved with Intl (full ICU in Node and in Chromium),
// so daylight-saving rules are applied; without one, a fixed UTC offset in minutes is used and named
// as such ("UTC+08:00"). Pure: no Node or DOM, and no schema, so the page reads it without loading
// the schema library (limits.ts says why); kpis.ts builds `TimeZone` on isTimeZone.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the IANA zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The zone's wall clock at an instant, as UTC fields (year … second). */
function wallClock(at: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** The zone's offset from UTC at an instant, in minutes east (480 for Asia/Shanghai). */
export function zoneOffsetMin(timeZone: string, at: number): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

/** "UTC+08:00", "UTC-03:30", "UTC". */
export function offsetName(tzOffsetMin: number): string {
  if (tzOffsetMin === 0) return 'UTC';
  const a = Math.abs(tzOffsetMin);
  return `UTC${tzOffsetMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** What a column header names: the IANA zone when known, else the fixed offset. */
export const zoneName = (timeZone: string | undefined, tzOffsetMin: number): string => timeZone ?? offsetName(tzOffsetMin);

/** "2025-01-06 10:00:30": the local wall-clock time in the zone (or at the fixed offset). */
export function localDateTime(at: number, timeZone: string | undefined, tzOffsetMin: number): string {
  let w;
  if (timeZone) w = wallClock(at, timeZone);
  else {
    const d = new Date(at + tzOffsetMin * 60_000);
    w = { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
  }
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}
