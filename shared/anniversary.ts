// A member's anniversary (the day they joined) on the member page: the day it falls on and the days
// until it. Pure, and no schema, so the page reads it without loading the schema library (limits.ts
// says why).

/** The zone the chain's anniversaries are read in (the chain is in China; a day's edge matters little for a greeting). */
export const ANNIVERSARY_ZONE = 'Asia/Shanghai';

/** "MM-DD" of an instant in `timeZone`. */
export function monthDayOf(at: number, timeZone = ANNIVERSARY_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('month')}-${get('day')}`;
}

/**
 * Whole days from `now`'s local day to the next `monthDay` (0 = today), by the desk's local
 * calendar. 29 February falls on 1 March in a year without it.
 */
export function daysUntil(monthDay: string, now: number): number {
  const [m, d] = monthDay.split('-').map(Number) as [number, number];
  const today = new Date(now);
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  for (let y = start.getFullYear(); y <= start.getFullYear() + 1; y++) {
    const next = new Date(y, m - 1, d);
    if (next >= start) return Math.round((next.getTime() - start.getTime()) / 86_400_000);
  }
  return 365;
}
