// The birthday-week cue (4/8 part A): is a member's birthday today or within the coming days, by the
// store's calendar? Pure: a member's birthday is month and day only ("MM-DD", shared/domain.ts), the
// day is the store's (an IANA zone, resolved with Intl), and a 29 February birthday is kept on 28
// February in a year without one.

/** Days ahead (today is 0) that count as the birthday week: today and the 7 days after it. */
export const BIRTHDAY_WEEK_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (year, month 1–12, day) at an instant in a zone. */
export function calendarDate(at: number, timeZone: string): { y: number; m: number; d: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day! };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The birthday's date in year `y` as a UTC day number (29 February → 28 February when `y` has none). */
function birthdayIn(y: number, month: number, day: number): number {
  const d = month === 2 && day === 29 && !isLeap(y) ? 28 : day;
  return Date.UTC(y, month - 1, d);
}

/**
 * Days from today (0) to the member's next birthday, when it falls within BIRTHDAY_WEEK_DAYS;
 * null otherwise, and for no birthday or one that is not "MM-DD".
 */
export function birthdayWeek(birthday: string | null | undefined, now: number, timeZone: string): number | null {
  const match = /^(\d{2})-(\d{2})$/.exec(birthday ?? '');
  if (!match) return null;
  const month = Number(match[1]);
  const day = Number(match[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const today = calendarDate(now, timeZone);
  const todayDay = Date.UTC(today.y, today.m - 1, today.d);
  // This year's birthday, or next year's when this year's has passed (the week across New Year).
  for (const y of [today.y, today.y + 1]) {
    const days = Math.round((birthdayIn(y, month, day) - todayDay) / DAY_MS);
    if (days >= 0) return days <= BIRTHDAY_WEEK_DAYS ? days : null;
  }
  return null;
}
