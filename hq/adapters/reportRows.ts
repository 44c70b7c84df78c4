// The manager's reports from rows to records, for both SQL adapters. Each adapter computes the
// figures in its own SQL dialect (hq/adapters/sqlite/sqliteReports.ts, hq/adapters/postgres/pgReports.ts)
// with the same column names and encodings (epoch-ms integers, 0/1 flags, JSON text for lists and
// image references); this one assembly turns them into the shapes of shared/kpis.ts, so the two
// adapters cannot drift apart in anything but their SQL.
import {
  type ClerkKpis,
  dayBuckets,
  type HourBucket,
  ratio,
  type ReportQuery,
  type RosterClerk,
  type TimelineEntry,
  type VisitFact,
  withRoster,
} from '../../shared/kpis.ts';
import { type ReportFigures } from '../ports/clerkStore.ts';
import { type AssistKpis, type AttributionSource } from '../../shared/assist.ts'; // 7/8 attribution
import { type Row } from './sqlRows.ts';

const str = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A row of the visit-fact projection both adapters select (`notes`: a JSON array of texts, oldest first). */
export function factFromRow(x: Row): VisitFact {
  return {
    storeId: x.store_id as string,
    storeName: x.store_name as string,
    visitId: x.visit_id as string,
    memberId: x.member_id as string,
    memberCode: x.member_code as string,
    memberName: x.member_name as string,
    tier: x.tier as VisitFact['tier'],
    source: x.source as VisitFact['source'],
    status: x.status as VisitFact['status'],
    arrivedAt: x.arrived_at as number,
    claimedAt: num(x.claimed_at),
    closedAt: num(x.closed_at),
    outcome: str(x.outcome) as VisitFact['outcome'],
    clerkId: str(x.clerk_id),
    clerkName: str(x.clerk_name),
    deviceName: str(x.device_name),
    notes: x.notes ? (JSON.parse(x.notes as string) as string[]) : [],
  };
}

export const rosterFromRow = (x: Row): RosterClerk => ({
  id: x.id as string,
  storeId: x.store_id as string,
  name: x.name as string,
  role: x.role as RosterClerk['role'],
  enabled: Number(x.enabled) === 1,
});

/** The rows of the report queries: one of totals, one per (store, clerk) who served, per hour, per local day number. */
export interface FigureRows {
  kpis: Row;
  perClerk: Row[];
  byHour: Row[];
  byDay: Row[];
  /** The stores' clerks (id, store_id, name, role, enabled), for the rows of clerks who served nobody. */
  roster: Row[];
}

export function figuresFromRows(rows: FigureRows, q: ReportQuery): ReportFigures {
  const k = rows.kpis;
  const served = rows.perClerk.map(
    (x): ClerkKpis => ({
      storeId: x.store_id as string,
      clerkId: str(x.clerk_id),
      clerkName: str(x.clerk_name),
      served: Number(x.served),
      purchased: Number(x.purchased),
      conversion: ratio(Number(x.purchased), Number(x.served)),
      claimMedianMs: num(x.median),
    }),
  );
  const byHour: HourBucket[] = Array.from({ length: 24 }, (_, hour) => ({ hour, arrivals: 0, served: 0 }));
  for (const x of rows.byHour) byHour[Number(x.hour)] = { hour: Number(x.hour), arrivals: Number(x.arrivals), served: Number(x.served) };
  const days = new Map(rows.byDay.map((x) => [Number(x.day), { arrivals: Number(x.arrivals), served: Number(x.served) }]));
  const arrivals = Number(k.arrivals);
  const servedCount = Number(k.served);
  const purchased = Number(k.purchased);
  return {
    kpis: {
      arrivals,
      served: servedCount,
      servedRate: ratio(servedCount, arrivals),
      purchased,
      conversion: ratio(purchased, servedCount),
      claimMedianMs: num(k.median),
      claimP90Ms: num(k.p90),
    },
    perClerk: withRoster(served, rows.roster.map(rosterFromRow), q.clerkId),
    byHour,
    byDay: dayBuckets(q.from, q.to, q.tzOffsetMin, days),
  };
}

/** A timeline row: at, kind, by_name, sender, text, image (JSON text), outcome. */
export const timelineEntryFromRow = (x: Row): TimelineEntry => ({
  at: Number(x.at),
  kind: x.kind as TimelineEntry['kind'],
  by: str(x.by_name),
  from: str(x.sender) as TimelineEntry['from'],
  text: str(x.text),
  image: x.image ? (JSON.parse(x.image as string) as TimelineEntry['image']) : null,
  outcome: str(x.outcome) as TimelineEntry['outcome'],
});

// The figures' SQL after each adapter's own `f` (visit facts) CTE: standard SQL both engines run
// alike, so it is written once. `counted = 1` marks a served visit; `wait` is the time to claim.
// Nearest rank of percentile p among n: ceil(p·n/100) = (p·n + 99) / 100 in integer arithmetic.
export const kpisSql = (facts: string): string => `${facts},
  w AS (SELECT wait, ROW_NUMBER() OVER (ORDER BY wait) AS rn, COUNT(*) OVER () AS n FROM f WHERE counted = 1)
  SELECT
    (SELECT COUNT(*) FROM f) AS arrivals,
    (SELECT COUNT(*) FROM f WHERE counted = 1) AS served,
    (SELECT COUNT(*) FROM f WHERE counted = 1 AND outcome = 'purchased') AS purchased,
    (SELECT wait FROM w WHERE rn = (50 * n + 99) / 100) AS median,
    (SELECT wait FROM w WHERE rn = (90 * n + 99) / 100) AS p90`;

export const perClerkSql = (facts: string): string => `${facts},
  w AS (
    SELECT store_id, clerk_id, clerk_name, outcome, wait,
      ROW_NUMBER() OVER (PARTITION BY store_id, clerk_id ORDER BY wait) AS rn,
      COUNT(*) OVER (PARTITION BY store_id, clerk_id) AS n,
      ROW_NUMBER() OVER (PARTITION BY store_id, clerk_id ORDER BY clerk_name IS NULL, arrived_at DESC) AS name_rank
    FROM f WHERE counted = 1
  )
  SELECT store_id, clerk_id, MAX(CASE WHEN name_rank = 1 THEN clerk_name END) AS clerk_name, COUNT(*) AS served,
    COUNT(CASE WHEN outcome = 'purchased' THEN 1 END) AS purchased, MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN wait END) AS median
  FROM w GROUP BY store_id, clerk_id`;

// 7/8 attribution: the manager's review of assisted selling (shared/assist.ts AssistKpis).
// The visit side after each adapter's `f` CTE: what the cards of the visits in scope showed (under
// a clerk filter, the visits that clerk claimed) and the marks on those suggestions. `clerk` is the
// adapter's spelling of the clerk parameter.
export const assistVisitsSql = (facts: string, clerk: string): string => `${facts},
  sv AS (
    SELECT x.visit_id, x.style_id, x.role FROM suggestions_shown x JOIN f ON f.visit_id = x.visit_id
    WHERE ${clerk} IS NULL OR f.clerk_id = ${clerk}
  )
  SELECT
    (SELECT COUNT(DISTINCT visit_id) FROM sv) AS visits,
    (SELECT COUNT(*) FROM sv WHERE role = 'style') AS styles,
    (SELECT COUNT(*) FROM sv WHERE role = 'addon') AS addons,
    (SELECT COUNT(*) FROM suggestion_marks k JOIN sv ON sv.visit_id = k.visit_id AND sv.style_id = k.style_id WHERE k.verdict = 'used') AS used,
    (SELECT COUNT(*) FROM suggestion_marks k JOIN sv ON sv.visit_id = k.visit_id AND sv.style_id = k.style_id WHERE k.verdict = 'not_relevant') AS not_relevant`;

/** The visit row of assistVisitsSql and the sales rows (source, n, revenue: one per source with sales) into AssistKpis. */
export function assistFromRows(visits: Row, sales: readonly Row[]): AssistKpis {
  const per = (source: AttributionSource) => {
    const r = sales.find((x) => x.source === source);
    return { count: Number(r?.n ?? 0), revenue: Number(r?.revenue ?? 0) };
  };
  return {
    visitsWithSuggestions: Number(visits.visits ?? 0),
    suggestionsShown: Number(visits.styles ?? 0),
    addOnsShown: Number(visits.addons ?? 0),
    marked: { used: Number(visits.used ?? 0), notRelevant: Number(visits.not_relevant ?? 0) },
    sales: { suggestion: per('suggestion'), addon: per('addon'), chat_card: per('chat_card') },
  };
}
