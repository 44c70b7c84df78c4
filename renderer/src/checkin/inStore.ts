// Who is in the store now (4/8 part A): members who arrived today and have not left — their visit
// is not closed (open: waiting, or claimed: being served) — longest in store first. Pure: the
// queue's visits from the cache (so it works offline) and the clock the UI ticks with.
import type { VisitView } from '../../../shared/deskApi.ts';

/** Local midnight of the day `now` falls in (the desk's own time zone is the store's). */
export function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export interface InStore {
  visit: VisitView;
  /** Since the member arrived, ms. */
  inStoreMs: number;
}

export function inStoreNow(visits: readonly VisitView[], now: number): InStore[] {
  const today = startOfDay(now);
  return visits
    .filter((v) => v.status !== 'closed' && v.arrivedAt >= today && v.arrivedAt <= now + 60_000)
    .map((visit) => ({ visit, inStoreMs: Math.max(0, now - visit.arrivedAt) }))
    .sort((a, b) => b.inStoreMs - a.inStoreMs || (a.visit.id < b.visit.id ? -1 : 1));
}
