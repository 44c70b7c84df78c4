// The store manager's figures, defined once. The desk computes them from its cache when
// offline with these functions; HQ computes the same figures in SQL (hq/adapters/sqlite/sqliteReports.ts,
// hq/adapters/postgres/pgReports.ts) and tests check the two agree on one fixture. Pure TypeScript:
// no Node, DOM or Electron.
//
// Definitions, per visit (one visit = one arrival alert at the counter):
//   arrivals       visits that arrived in [from, to) and match the filters other than the clerk
//   served         visits some desk claimed (a visit closed without a claim counts: closing makes
//                  the closer its owner, with claimedAt = the close time) — never a visit with no
//                  claim, nor one closed as `left` (the member went unserved: a clerk marked it, or
//                  nobody claimed it in time)
//   clerk filter   narrows what is counted as served (and the visit list) to that clerk's visits,
//                  never the arrivals: the served rate is then the clerk's share of the arrivals
//   times          the clerks' action times as HQ bounded them (never before arrival, never after HQ's now)
//   served rate    served / arrivals
//   time to claim  claimedAt − arrivedAt of served visits; median and p90 by the nearest-rank rule:
//                  the value at 1-based rank ceil(p·n) of the sorted times (median = rank ceil(n/2))
//   conversion     served visits closed as `purchased` / served
//   clerk          the clerk who claimed the visit (Actor.clerkId of claimedBy); none for visits claimed before clerks signed in
//   per clerk      a row for every enabled clerk (role `clerk`) of the stores, zero served included,
//                  and for anyone else (a manager, a disabled clerk, no clerk) who served a visit
//   hour, day      local hour / local date of arrivedAt at the store's UTC offset (tzOffsetMin, minutes east of UTC)
import { z } from 'zod';
import { type StoreClerk } from './clerks.ts';
import { type ArrivalSource, Id, type ImageRef, type Message, Millis, Outcome, Tier, type VisitStatus } from './domain.ts';
import { isTimeZone } from './zoneTime.ts';
import { type AssistKpis } from './assist.ts'; // 7/8 attribution

/** An IANA time zone name that Intl knows, e.g. "Asia/Shanghai". */
export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, 'an IANA time zone name, e.g. Asia/Shanghai');

export interface VisitFact {
  /** The store the visit belongs to (reports may cover several). */
  storeId: string;
  storeName: string;
  visitId: string;
  memberId: string;
  /** The member's loyalty card code; '' for a member HQ does not know. */
  memberCode: string;
  memberName: string;
  tier: Tier;
  /** What announced the arrival: the door, the mini-program, the till. */
  source: ArrivalSource;
  status: VisitStatus;
  arrivedAt: number;
  claimedAt: number | null;
  closedAt: number | null;
  outcome: Outcome | null;
  clerkId: string | null;
  clerkName: string | null;
  deviceName: string | null;
  /** The visit's notes, oldest first. */
  notes: string[];
}

export const ReportArgs = z
  .object({
    from: Millis,
    to: Millis,
    clerkId: Id.optional(),
    tier: Tier.optional(),
    /** A closed visit's outcome, or `open` for visits not closed yet. */
    outcome: z.union([Outcome, z.literal('open')]).optional(),
    served: z.boolean().optional(),
    /** The store's offset from UTC in minutes (480 for China), for the by-hour and by-day figures. */
    tzOffsetMin: z.number().int().min(-720).max(840).default(480),
    /** The store's IANA time zone, for times people read (the CSV); the figures use tzOffsetMin. */
    timeZone: TimeZone.optional(),
    /** Most visit rows returned (the figures always cover every visit). */
    limit: z.number().int().min(1).max(5000).default(1000),
  })
  .strict()
  .refine((a) => a.to > a.from, 'to must be after from');
export type ReportArgs = z.input<typeof ReportArgs>;
export type ReportQuery = z.output<typeof ReportArgs>;

export interface Kpis {
  arrivals: number;
  served: number;
  /** served / arrivals, null when there were no arrivals. */
  servedRate: number | null;
  purchased: number;
  /** purchased / served, null when nothing was served. */
  conversion: number | null;
  claimMedianMs: number | null;
  claimP90Ms: number | null;
}

export interface ClerkKpis {
  /** The store of the clerk (of the visits, for the row of visits served with no clerk). */
  storeId: string;
  /** null: served before clerks signed in (device only). */
  clerkId: string | null;
  clerkName: string | null;
  served: number;
  purchased: number;
  conversion: number | null;
  claimMedianMs: number | null;
}

/** What the per-clerk table needs to know of a store's clerks to list those who served nobody. */
export type RosterClerk = Pick<StoreClerk, 'id' | 'storeId' | 'name' | 'role' | 'enabled'>;

export interface HourBucket {
  hour: number;
  arrivals: number;
  served: number;
}

export interface DayBucket {
  /** The local date, yyyy-mm-dd. */
  day: string;
  arrivals: number;
  served: number;
}

export interface VisitReport {
  /** Where the figures come from: HQ (online) or this desk's cache (offline). */
  source: 'hq' | 'cache';
  from: number;
  to: number;
  /** What the cache holds (oldest and newest arrival), when source is the cache. */
  cacheRange: { from: number | null; to: number | null } | null;
  kpis: Kpis;
  perClerk: ClerkKpis[];
  byHour: HourBucket[];
  /** Every local date of [from, to) (see dayBuckets). */
  byDay: DayBucket[];
  /** Newest first, at most `limit`. */
  visits: VisitFact[];
  truncated: boolean;
  // 7/8 attribution
  /** Assisted selling over the period (HQ's figures: what cards showed and the sales attributed are kept at HQ); null from the desk's cache. */
  assist: AssistKpis | null;
}

export interface TimelineEntry {
  at: number;
  kind: 'arrival' | 'repeat' | 'claim' | 'takeover' | 'note' | 'message' | 'close';
  /** Clerk name, else device name; the member for their own messages. */
  by: string | null;
  /** A message's sender: the member or the store's side (a clerk, named in `by`); null for other kinds. */
  from: Message['from'] | null;
  /** A note's or message's text; for a `takeover`, whom the visit was taken from (clerk, else device name). */
  text: string | null;
  /** A message's image (fetched like any chat image); null when none or recalled. */
  image: ImageRef | null;
  outcome: Outcome | null;
}

export interface VisitTimeline {
  visit: VisitFact;
  entries: TimelineEntry[];
}

/** A visit still open shows the member's chat messages up to this long after arrival. */
export const TIMELINE_OPEN_MESSAGES_MS = 2 * 60 * 60 * 1000;

/** The member's chat messages that belong to a visit: at in [arrivedAt, closedAt], or [arrivedAt, arrivedAt + 2 h] while open. */
export const messageWindow = (v: Pick<VisitFact, 'arrivedAt' | 'closedAt'>): { from: number; to: number } => ({
  from: v.arrivedAt,
  to: v.closedAt ?? v.arrivedAt + TIMELINE_OPEN_MESSAGES_MS,
});

/** Timeline order: by time; at equal times arrival, repeat, claim (a take-over ranks with it), note, message, close. */
export const TIMELINE_KIND_ORDER: Record<TimelineEntry['kind'], number> = { arrival: 0, repeat: 1, claim: 2, takeover: 2, note: 3, message: 4, close: 5 };
export const compareTimeline = (a: TimelineEntry, b: TimelineEntry): number => a.at - b.at || TIMELINE_KIND_ORDER[a.kind] - TIMELINE_KIND_ORDER[b.kind];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The close outcome of a member who went unserved. Such a visit is never served, whatever its
 * claim says (HQ's SQL spells the same rule: `COALESCE(outcome, '') <> 'left'`).
 */
export const LEFT_OUTCOME = 'left' satisfies Outcome;

export const isServed = (f: Pick<VisitFact, 'claimedAt' | 'outcome'>): boolean => f.claimedAt !== null && f.outcome !== LEFT_OUTCOME;
/** Served, and by the filtered clerk when there is one: what the figures count as served. */
export const servedBy = (f: Pick<VisitFact, 'claimedAt' | 'outcome' | 'clerkId'>, clerkId: string | undefined): boolean =>
  isServed(f) && (clerkId === undefined || f.clerkId === clerkId);
export const claimWaitMs = (f: Pick<VisitFact, 'arrivedAt' | 'claimedAt'>): number | null =>
  f.claimedAt === null ? null : Math.max(0, f.claimedAt - f.arrivedAt);

/** 1-based nearest rank of the `pct` percentile among n values: ceil(pct·n/100), in integers (as HQ's SQL does). */
export const nearestRank = (pct: number, n: number): number => Math.floor((pct * n + 99) / 100);

/** The nearest-rank percentile of `values` (any order), or null when empty. */
export function percentile(values: readonly number[], pct: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, nearestRank(pct, sorted.length)) - 1]!;
}

export const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

type Filters = Omit<ReportQuery, 'tzOffsetMin' | 'limit' | 'timeZone'>;

/** In the figures' population: the range and every filter but the clerk (arrivals are the store's, not the clerk's). */
export function inScope(f: VisitFact, q: Omit<Filters, 'clerkId'>): boolean {
  if (f.arrivedAt < q.from || f.arrivedAt >= q.to) return false;
  if (q.tier !== undefined && f.tier !== q.tier) return false;
  if (q.outcome !== undefined && (q.outcome === 'open' ? f.status === 'closed' : f.outcome !== q.outcome)) return false;
  if (q.served !== undefined && isServed(f) !== q.served) return false;
  return true;
}

/** In the visit list: in scope and, under a clerk filter, claimed by that clerk. */
export function matches(f: VisitFact, q: Filters): boolean {
  return inScope(f, q) && (q.clerkId === undefined || f.clerkId === q.clerkId);
}

/** The figures over the visits in scope; `clerkId` narrows what counts as served. */
export function computeKpis(facts: readonly VisitFact[], clerkId?: string): Kpis {
  const served = facts.filter((f) => servedBy(f, clerkId));
  const purchased = served.filter((f) => f.outcome === 'purchased').length;
  const waits = served.map((f) => claimWaitMs(f)!);
  return {
    arrivals: facts.length,
    served: served.length,
    servedRate: ratio(served.length, facts.length),
    purchased,
    conversion: ratio(purchased, served.length),
    claimMedianMs: percentile(waits, 50),
    claimP90Ms: percentile(waits, 90),
  };
}

/** One row per (store, clerk) who served a visit in scope (only the filtered clerk under a clerk filter), then the roster's zero rows. */
export function perClerk(facts: readonly VisitFact[], roster: readonly RosterClerk[], clerkId?: string): ClerkKpis[] {
  const groups = new Map<string, VisitFact[]>();
  for (const f of facts) {
    if (!servedBy(f, clerkId)) continue;
    const key = `${f.storeId}\u0000${f.clerkId ?? ''}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(f);
  }
  const rows: ClerkKpis[] = [];
  for (const list of groups.values()) {
    const purchased = list.filter((f) => f.outcome === 'purchased').length;
    // The newest name wins when a clerk was renamed.
    const named = [...list].sort((a, b) => b.arrivedAt - a.arrivedAt).find((f) => f.clerkName);
    rows.push({
      storeId: list[0]!.storeId,
      clerkId: list[0]!.clerkId,
      clerkName: named?.clerkName ?? null,
      served: list.length,
      purchased,
      conversion: ratio(purchased, list.length),
      claimMedianMs: percentile(list.map((f) => claimWaitMs(f)!), 50),
    });
  }
  return withRoster(rows, roster, clerkId);
}

/**
 * The rows of clerks who served, plus a zero row for every enabled clerk (role `clerk`) of the
 * roster who has none — only the filtered clerk under a clerk filter — sorted. A served row with no
 * name takes the roster's.
 */
export function withRoster(served: readonly ClerkKpis[], roster: readonly RosterClerk[], clerkId?: string): ClerkKpis[] {
  const rows = served.map((r) => (r.clerkName === null && r.clerkId !== null ? { ...r, clerkName: roster.find((c) => c.id === r.clerkId)?.name ?? null } : r));
  const has = new Set(rows.map((r) => `${r.storeId}\u0000${r.clerkId ?? ''}`));
  for (const c of roster) {
    if (!c.enabled || c.role !== 'clerk' || (clerkId !== undefined && c.id !== clerkId) || has.has(`${c.storeId}\u0000${c.id}`)) continue;
    rows.push({ storeId: c.storeId, clerkId: c.id, clerkName: c.name, served: 0, purchased: 0, conversion: null, claimMedianMs: null });
  }
  return rows.sort(compareClerkRows);
}

/** Most served first, then by name (no clerk last), store and id. */
export function compareClerkRows(a: ClerkKpis, b: ClerkKpis): number {
  const text = (x: string | null) => x ?? '\uffff';
  return (
    b.served - a.served ||
    text(a.clerkName).localeCompare(text(b.clerkName)) ||
    (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0) ||
    (a.clerkId ?? '').localeCompare(b.clerkId ?? '')
  );
}

/** Local hour (0–23) of an instant at a UTC offset in minutes. */
export const localHour = (at: number, tzOffsetMin: number): number => Math.floor((((at + tzOffsetMin * 60_000) % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS);

/** Arrivals and served visits by local hour of arrival: always 24 buckets, 0 to 23. */
export function byHour(facts: readonly VisitFact[], tzOffsetMin: number, clerkId?: string): HourBucket[] {
  const buckets: HourBucket[] = Array.from({ length: 24 }, (_, hour) => ({ hour, arrivals: 0, served: 0 }));
  for (const f of facts) {
    const b = buckets[localHour(f.arrivedAt, tzOffsetMin)]!;
    b.arrivals++;
    if (servedBy(f, clerkId)) b.served++;
  }
  return buckets;
}

/** Local day number (days since 1970-01-01 in local time) of an instant at a UTC offset in minutes. */
export const localDay = (at: number, tzOffsetMin: number): number => Math.floor((at + tzOffsetMin * 60_000) / DAY_MS);

/** yyyy-mm-dd of a local day number. */
export const dayKey = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** More local dates than this in a range: only the dates with arrivals get a bucket. */
export const MAX_DAY_BUCKETS = 400;

/**
 * The by-day buckets of [from, to) from counts per local day number: every date of the range, in
 * order (zeros included), or — for a range of more than MAX_DAY_BUCKETS dates — the dates with arrivals.
 */
export function dayBuckets(from: number, to: number, tzOffsetMin: number, counts: ReadonlyMap<number, { arrivals: number; served: number }>): DayBucket[] {
  const first = localDay(from, tzOffsetMin);
  const last = localDay(to - 1, tzOffsetMin);
  const days = last - first + 1 <= MAX_DAY_BUCKETS ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : [...counts.keys()].sort((a, b) => a - b);
  return days.map((d) => ({ day: dayKey(d), arrivals: counts.get(d)?.arrivals ?? 0, served: counts.get(d)?.served ?? 0 }));
}

/** Arrivals and served visits by local date of arrival (see dayBuckets). */
export function byDay(facts: readonly VisitFact[], q: Pick<ReportQuery, 'from' | 'to' | 'tzOffsetMin'>, clerkId?: string): DayBucket[] {
  const counts = new Map<number, { arrivals: number; served: number }>();
  for (const f of facts) {
    const d = localDay(f.arrivedAt, q.tzOffsetMin);
    let c = counts.get(d);
    if (!c) counts.set(d, (c = { arrivals: 0, served: 0 }));
    c.arrivals++;
    if (servedBy(f, clerkId)) c.served++;
  }
  return dayBuckets(q.from, q.to, q.tzOffsetMin, counts);
}

const newestFirst = (a: VisitFact, b: VisitFact) => b.arrivedAt - a.arrivedAt || (a.visitId < b.visitId ? 1 : a.visitId > b.visitId ? -1 : 0);

/** The whole report from visit facts and the stores' clerks (the desk's offline path). */
export function buildReport(
  all: readonly VisitFact[],
  args: ReportArgs,
  source: VisitReport['source'],
  cacheRange: VisitReport['cacheRange'],
  roster: readonly RosterClerk[],
): VisitReport {
  const q = ReportArgs.parse(args);
  const scope = all.filter((f) => inScope(f, q));
  const listed = scope.filter((f) => matches(f, q)).sort(newestFirst);
  return {
    source,
    from: q.from,
    to: q.to,
    cacheRange,
    kpis: computeKpis(scope, q.clerkId),
    perClerk: perClerk(scope, roster, q.clerkId),
    byHour: byHour(scope, q.tzOffsetMin, q.clerkId),
    byDay: byDay(scope, q, q.clerkId),
    visits: listed.slice(0, q.limit),
    truncated: listed.length > q.limit,
    assist: null, // 7/8 attribution: HQ's alone
  };
}
