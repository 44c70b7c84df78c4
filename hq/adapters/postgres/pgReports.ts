// The manager's reports in PostgreSQL's SQL, with the definitions of shared/kpis.ts and the same
// shape as the SQLite queries (hq/adapters/sqlite/clerkStorage.ts): COUNT with GROUP BY, and
// ROW_NUMBER() windows for the nearest-rank median and p90. The translation:
//  - the store list is one array parameter (`= ANY($1)`) instead of json_each;
//  - claimed_by/by/product are JSON text read with `::jsonb ->>` instead of json_extract;
//  - SQLite's two-argument max(a, b) is NULL when either is; GREATEST ignores NULLs, hence the CASE;
//  - the hour bucket adds a fixed offset in minutes to the epoch-ms time (never the session's
//    TimeZone, never daylight-saving rules), after truncating the offset toward zero as SQLite's
//    CAST(x AS INTEGER) does (a plain ::bigint cast would round);
//  - printf('%012d') becomes lpad, widened so a longer number is never cut.
import {
  type ClerkKpis,
  compareClerkRows,
  type HourBucket,
  ratio,
  type ReportQuery,
  type TimelineEntry,
  TIMELINE_OPEN_MESSAGES_MS,
  type VisitFact,
  type VisitTimeline,
} from '../../../shared/kpis.ts';
import { type ReportFigures } from '../../ports/clerkStore.ts';
import { type Exec, type Row } from './pgOps.ts';

/** The claiming clerk, spelled as the visits_store_clerk index spells it. */
const CLAIM_CLERK = `(v.claimed_by::jsonb ->> 'clerkId')`;

/**
 * The filtered visits as a CTE `f`; every report query starts from it. Parameters: $1 store ids,
 * $2 from, $3 to, $4 clerk, $5 tier, $6 outcome, $7 served (null = any).
 */
const FACTS = `
  WITH f AS (
    SELECT v.id AS visit_id, v.member_id, COALESCE(m.name, '') AS member_name, COALESCE(m.tier, 'basic') AS tier,
      v.status, v.arrived_at, v.claimed_at, v.closed_at, v.outcome,
      ${CLAIM_CLERK} AS clerk_id, (v.claimed_by::jsonb ->> 'clerkName') AS clerk_name,
      (v.claimed_by::jsonb ->> 'deviceName') AS device_name,
      CASE WHEN v.claimed_at IS NULL THEN NULL ELSE GREATEST(v.claimed_at - v.arrived_at, 0) END AS wait
    FROM visits v LEFT JOIN members m ON m.id = v.member_id
    WHERE v.store_id = ANY($1::text[])
      AND v.arrived_at >= $2::bigint AND v.arrived_at < $3::bigint
      AND ($4::text IS NULL OR ${CLAIM_CLERK} = $4::text)
      AND ($5::text IS NULL OR m.tier = $5::text)
      AND ($6::text IS NULL OR ($6::text = 'open' AND v.status <> 'closed') OR v.outcome = $6::text)
      AND ($7::boolean IS NULL OR (v.claimed_at IS NOT NULL) = $7::boolean)
  )`;

// Nearest rank of percentile p among n: ceil(p·n/100) = (p·n + 99) / 100 in integer arithmetic.
const KPIS_SQL = `${FACTS},
  w AS (SELECT wait, ROW_NUMBER() OVER (ORDER BY wait) AS rn, COUNT(*) OVER () AS n FROM f WHERE claimed_at IS NOT NULL)
  SELECT
    (SELECT COUNT(*) FROM f) AS arrivals,
    (SELECT COUNT(claimed_at) FROM f) AS served,
    (SELECT COUNT(*) FROM f WHERE claimed_at IS NOT NULL AND outcome = 'purchased') AS purchased,
    (SELECT wait FROM w WHERE rn = (50 * n + 99) / 100) AS median,
    (SELECT wait FROM w WHERE rn = (90 * n + 99) / 100) AS p90`;

const PER_CLERK_SQL = `${FACTS},
  w AS (
    SELECT clerk_id, clerk_name, outcome, wait,
      ROW_NUMBER() OVER (PARTITION BY clerk_id ORDER BY wait) AS rn,
      COUNT(*) OVER (PARTITION BY clerk_id) AS n,
      ROW_NUMBER() OVER (PARTITION BY clerk_id ORDER BY clerk_name IS NULL, arrived_at DESC) AS name_rank
    FROM f WHERE claimed_at IS NOT NULL
  )
  SELECT clerk_id, MAX(CASE WHEN name_rank = 1 THEN clerk_name END) AS clerk_name, COUNT(*) AS served,
    COUNT(CASE WHEN outcome = 'purchased' THEN 1 END) AS purchased, MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN wait END) AS median
  FROM w GROUP BY clerk_id`;

/** $8: the store's offset from UTC in minutes (east positive). */
const BY_HOUR_SQL = `${FACTS}
  SELECT ((arrived_at + trunc($8::numeric)::bigint * 60000) % 86400000 + 86400000) % 86400000 / 3600000 AS hour,
    COUNT(*) AS arrivals, COUNT(claimed_at) AS served
  FROM f GROUP BY hour`;

/** $8: the row limit. */
const VISITS_SQL = `${FACTS}
  SELECT * FROM f ORDER BY arrived_at DESC, visit_id DESC LIMIT $8`;

const ACTOR_NAME = (col: string) => `COALESCE((${col})::jsonb ->> 'clerkName', (${col})::jsonb ->> 'deviceName')`;

/** $1 visit id, $2 store id. */
const TIMELINE_FACT_SQL = `
  SELECT v.id AS visit_id, v.member_id, COALESCE(m.name, '') AS member_name, COALESCE(m.tier, 'basic') AS tier,
    v.status, v.arrived_at, v.claimed_at, v.closed_at, v.outcome,
    (v.claimed_by::jsonb ->> 'clerkId') AS clerk_id, (v.claimed_by::jsonb ->> 'clerkName') AS clerk_name,
    (v.claimed_by::jsonb ->> 'deviceName') AS device_name
  FROM visits v LEFT JOIN members m ON m.id = v.member_id WHERE v.id = $1 AND v.store_id = $2`;

/** The timeline's entries in one query; messages are the member's in [arrival, close] (or +2 h while open). */
const TIMELINE_SQL = `
  WITH v AS (SELECT * FROM visits WHERE id = $1 AND store_id = $2),
  w AS (SELECT member_id, arrived_at AS lo, COALESCE(closed_at, arrived_at + ${TIMELINE_OPEN_MESSAGES_MS}) AS hi FROM v)
  SELECT at, kind, by_name, text, outcome FROM (
    SELECT arrived_at AS at, 'arrival'::text AS kind, NULL::text AS by_name, NULL::text AS text, NULL::text AS outcome, 0 AS k, ''::text AS tie FROM v
    UNION ALL SELECT last_seen_at, 'repeat', NULL, arrivals::text, NULL, 1, '' FROM v WHERE arrivals > 1
    UNION ALL SELECT claimed_at, 'claim',
        COALESCE(takeovers::jsonb -> 0 -> 'from' ->> 'clerkName', takeovers::jsonb -> 0 -> 'from' ->> 'deviceName', ${ACTOR_NAME('claimed_by')}),
        NULL, NULL, 2, '' FROM v WHERE claimed_at IS NOT NULL
    UNION ALL SELECT (t.e ->> 'at')::bigint, 'takeover', COALESCE(t.e -> 'by' ->> 'clerkName', t.e -> 'by' ->> 'deviceName'),
        COALESCE(t.e -> 'from' ->> 'clerkName', t.e -> 'from' ->> 'deviceName'), NULL, 2, lpad(t.i::text, 12, '0')
      FROM v, jsonb_array_elements(COALESCE(v.takeovers, '[]')::jsonb) WITH ORDINALITY AS t(e, i)
    UNION ALL SELECT n.at, 'note', ${ACTOR_NAME('n."by"')}, n.text, NULL, 3, n.id FROM notes n WHERE n.visit_id = $1
    UNION ALL SELECT msg.at, 'message',
        CASE WHEN msg.sender = 'member' THEN NULLIF(mem.name, '') ELSE ${ACTOR_NAME('msg."by"')} END,
        CASE WHEN msg.recalled_at IS NOT NULL THEN NULL WHEN msg.kind = 'product' THEN msg.product::jsonb ->> 'name' ELSE NULLIF(msg.body, '') END,
        NULL, 4, lpad(msg.n::text, GREATEST(12, length(msg.n::text)), '0')
      FROM w JOIN messages msg ON msg.store_id = $2 AND msg.member_id = w.member_id AND msg.at BETWEEN w.lo AND w.hi
      LEFT JOIN members mem ON mem.id = msg.member_id
    UNION ALL SELECT closed_at, 'close', ${ACTOR_NAME('claimed_by')}, NULL, outcome, 5, '' FROM v WHERE closed_at IS NOT NULL
  ) t ORDER BY at, k, tie COLLATE "C"`;

const factFromRow = (x: Row): VisitFact => ({
  visitId: x.visit_id as string,
  memberId: x.member_id as string,
  memberName: x.member_name as string,
  tier: x.tier as VisitFact['tier'],
  status: x.status as VisitFact['status'],
  arrivedAt: x.arrived_at as number,
  claimedAt: (x.claimed_at as number | null) ?? null,
  closedAt: (x.closed_at as number | null) ?? null,
  outcome: (x.outcome as VisitFact['outcome']) ?? null,
  clerkId: (x.clerk_id as string | null) ?? null,
  clerkName: (x.clerk_name as string | null) ?? null,
  deviceName: (x.device_name as string | null) ?? null,
});

const params = (storeIds: readonly string[], r: ReportQuery): unknown[] => [
  [...storeIds],
  r.from,
  r.to,
  r.clerkId ?? null,
  r.tier ?? null,
  r.outcome ?? null,
  r.served === undefined ? null : r.served,
];

export async function reportFigures(exec: Exec, storeIds: readonly string[], r: ReportQuery): Promise<ReportFigures> {
  const p = params(storeIds, r);
  const k = (await exec(KPIS_SQL, p)).rows[0] as { arrivals: number; served: number; purchased: number; median: number | null; p90: number | null };
  const perClerk = (await exec(PER_CLERK_SQL, p)).rows
    .map(
      (x): ClerkKpis => ({
        clerkId: (x.clerk_id as string | null) ?? null,
        clerkName: (x.clerk_name as string | null) ?? null,
        served: x.served as number,
        purchased: x.purchased as number,
        conversion: ratio(x.purchased as number, x.served as number),
        claimMedianMs: (x.median as number | null) ?? null,
      }),
    )
    .sort(compareClerkRows);
  const byHour: HourBucket[] = Array.from({ length: 24 }, (_, hour) => ({ hour, arrivals: 0, served: 0 }));
  for (const x of (await exec(BY_HOUR_SQL, [...p, r.tzOffsetMin])).rows) {
    byHour[x.hour as number] = { hour: x.hour as number, arrivals: x.arrivals as number, served: x.served as number };
  }
  return {
    kpis: {
      arrivals: k.arrivals,
      served: k.served,
      servedRate: ratio(k.served, k.arrivals),
      purchased: k.purchased,
      conversion: ratio(k.purchased, k.served),
      claimMedianMs: k.median ?? null,
      claimP90Ms: k.p90 ?? null,
    },
    perClerk,
    byHour,
  };
}

export async function reportVisitFacts(exec: Exec, storeIds: readonly string[], r: ReportQuery): Promise<VisitFact[]> {
  return (await exec(VISITS_SQL, [...params(storeIds, r), r.limit < 0 ? null : r.limit])).rows.map(factFromRow);
}

export async function reportTimeline(exec: Exec, storeId: string, visitId: string): Promise<VisitTimeline | null> {
  const fact = (await exec(TIMELINE_FACT_SQL, [visitId, storeId])).rows[0];
  if (!fact) return null;
  const entries = (await exec(TIMELINE_SQL, [visitId, storeId])).rows.map(
    (x): TimelineEntry => ({
      at: x.at as number,
      kind: x.kind as TimelineEntry['kind'],
      by: (x.by_name as string | null) ?? null,
      text: (x.text as string | null) ?? null,
      outcome: (x.outcome as TimelineEntry['outcome']) ?? null,
    }),
  );
  return { visit: factFromRow(fact), entries };
}
