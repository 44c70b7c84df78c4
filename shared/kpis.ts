// The store manager's figures, defined once. The desk computes them from its cache when
// offline with these functions; HQ computes the same figures in SQL (hq/clerks/reportSql.ts) and a
// test checks the two agree on one fixture. Pure TypeScript: no Node, DOM or Electron.
//
// Definitions, per visit (one visit = one arrival alert at the counter):
//   arrivals       visits that arrived in [from, to)
//   served         visits some desk claimed (a visit closed without a claim counts: closing makes
//                  the closer its owner, with claimedAt = the close time). A visit left unserved
//                  (outcome `left`: a clerk marked it, or nobody claimed it in time) has no claim: not served
//   times          the clerks' action times as HQ bounded them (never before arrival, never after HQ's now)
//   served rate    served / arrivals
//   time to claim  claimedAt − arrivedAt of served visits; median and p90 by the nearest-rank rule:
//                  the value at 1-based rank ceil(p·n) of the sorted times (median = rank ceil(n/2))
//   conversion     served visits closed as `purchased` / served
//   clerk          the clerk who claimed the visit (Actor.clerkId of claimedBy); none for visits claimed before clerks signed in
//   hour           local hour of arrivedAt at the store's UTC offset (tzOffsetMin, minutes east of UTC)
import { z } from 'zod';
import { Id, Millis, Outcome, Tier, type VisitStatus } from './domain.ts';

export interface VisitFact {
  visitId: string;
  memberId: string;
  memberName: string;
  tier: Tier;
  status: VisitStatus;
  arrivedAt: number;
  claimedAt: number | null;
  closedAt: number | null;
  outcome: Outcome | null;
  clerkId: string | null;
  clerkName: string | null;
  deviceName: string | null;
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
    /** The store's offset from UTC in minutes (480 for China), for the by-hour chart. */
    tzOffsetMin: z.number().int().min(-720).max(840).default(480),
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
  /** null: served before clerks signed in (device only). */
  clerkId: string | null;
  clerkName: string | null;
  served: number;
  purchased: number;
  conversion: number | null;
  claimMedianMs: number | null;
}

export interface HourBucket {
  hour: number;
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
  /** Newest first, at most `limit`. */
  visits: VisitFact[];
  truncated: boolean;
}

export interface TimelineEntry {
  at: number;
  kind: 'arrival' | 'repeat' | 'claim' | 'takeover' | 'note' | 'message' | 'close';
  /** Clerk name, else device name; the member for their own messages. */
  by: string | null;
  /** A note's or message's text; for a `takeover`, whom the visit was taken from. */
  text: string | null;
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

/** Timeline order: by time; at equal times arrival, repeat, claim, note, message, close. */
export const TIMELINE_KIND_ORDER: Record<TimelineEntry['kind'], number> = { arrival: 0, repeat: 1, claim: 2, takeover: 2, note: 3, message: 4, close: 5 };
export const compareTimeline = (a: TimelineEntry, b: TimelineEntry): number => a.at - b.at || TIMELINE_KIND_ORDER[a.kind] - TIMELINE_KIND_ORDER[b.kind];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const isServed = (f: Pick<VisitFact, 'claimedAt'>): boolean => f.claimedAt !== null;
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

export function matches(f: VisitFact, q: Omit<ReportQuery, 'tzOffsetMin' | 'limit'>): boolean {
  if (f.arrivedAt < q.from || f.arrivedAt >= q.to) return false;
  if (q.clerkId !== undefined && f.clerkId !== q.clerkId) return false;
  if (q.tier !== undefined && f.tier !== q.tier) return false;
  if (q.outcome !== undefined && (q.outcome === 'open' ? f.status === 'closed' : f.outcome !== q.outcome)) return false;
  if (q.served !== undefined && isServed(f) !== q.served) return false;
  return true;
}

export function computeKpis(facts: readonly VisitFact[]): Kpis {
  const served = facts.filter(isServed);
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

/** One row per clerk who served a visit, most served first (then by name). */
export function perClerk(facts: readonly VisitFact[]): ClerkKpis[] {
  const groups = new Map<string, VisitFact[]>();
  for (const f of facts) {
    if (!isServed(f)) continue;
    const key = f.clerkId ?? '';
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(f);
  }
  const rows: ClerkKpis[] = [];
  for (const [key, list] of groups) {
    const purchased = list.filter((f) => f.outcome === 'purchased').length;
    // The newest name wins when a clerk was renamed.
    const named = [...list].sort((a, b) => b.arrivedAt - a.arrivedAt).find((f) => f.clerkName);
    rows.push({
      clerkId: key || null,
      clerkName: named?.clerkName ?? null,
      served: list.length,
      purchased,
      conversion: ratio(purchased, list.length),
      claimMedianMs: percentile(list.map((f) => claimWaitMs(f)!), 50),
    });
  }
  return rows.sort(compareClerkRows);
}

export function compareClerkRows(a: ClerkKpis, b: ClerkKpis): number {
  return b.served - a.served || (a.clerkName ?? '\uffff').localeCompare(b.clerkName ?? '\uffff') || (a.clerkId ?? '').localeCompare(b.clerkId ?? '');
}

/** Local hour (0–23) of an instant at a UTC offset in minutes. */
export const localHour = (at: number, tzOffsetMin: number): number => Math.floor((((at + tzOffsetMin * 60_000) % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS);

/** Arrivals and served visits by local hour of arrival: always 24 buckets, 0 to 23. */
export function byHour(facts: readonly VisitFact[], tzOffsetMin: number): HourBucket[] {
  const buckets: HourBucket[] = Array.from({ length: 24 }, (_, hour) => ({ hour, arrivals: 0, served: 0 }));
  for (const f of facts) {
    const b = buckets[localHour(f.arrivedAt, tzOffsetMin)]!;
    b.arrivals++;
    if (isServed(f)) b.served++;
  }
  return buckets;
}

/** The whole report from visit facts (the desk's offline path). */
export function buildReport(all: readonly VisitFact[], args: ReportArgs, source: VisitReport['source'], cacheRange: VisitReport['cacheRange']): VisitReport {
  const q = ReportArgs.parse(args);
  const facts = all.filter((f) => matches(f, q)).sort((a, b) => b.arrivedAt - a.arrivedAt || (a.visitId < b.visitId ? 1 : -1));
  return {
    source,
    from: q.from,
    to: q.to,
    cacheRange,
    kpis: computeKpis(facts),
    perClerk: perClerk(facts),
    byHour: byHour(facts, q.tzOffsetMin),
    visits: facts.slice(0, q.limit),
    truncated: facts.length > q.limit,
  };
}

export const CSV_COLUMNS = [
  'visit_id',
  'arrived_at',
  'member_id',
  'member_name',
  'tier',
  'status',
  'served',
  'claimed_at',
  'wait_seconds',
  'clerk_id',
  'clerk_name',
  'device',
  'outcome',
  'closed_at',
] as const;

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  // Quote what needs it, and defuse spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** Visits as CSV (RFC 4180, CRLF, ISO-8601 UTC times), one row per visit. */
export function visitsCsv(facts: readonly VisitFact[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of facts) {
    const wait = claimWaitMs(f);
    lines.push(
      [
        f.visitId,
        iso(f.arrivedAt),
        f.memberId,
        f.memberName,
        f.tier,
        f.status,
        isServed(f) ? 'yes' : 'no',
        iso(f.claimedAt),
        wait === null ? null : Math.round(wait / 1000),
        f.clerkId,
        f.clerkName,
        f.deviceName,
        f.outcome,
        iso(f.closedAt),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
