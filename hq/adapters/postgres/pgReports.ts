// The manager's reports in PostgreSQL's SQL, with the definitions of shared/kpis.ts and the same
// shape as the SQLite queries (hq/adapters/sqlite/sqliteReports.ts); both hand their rows to
// hq/adapters/reportRows.ts. The translation:
//  - the store list is one array parameter (`= ANY($1)`) instead of json_each;
//  - claimed_by/by/product are JSON text read with `::jsonb ->>` instead of json_extract;
//  - SQLite's two-argument max(a, b) is NULL when either is; GREATEST ignores NULLs, hence the CASE;
//  - the hour and day buckets add a fixed offset in minutes to the epoch-ms time (never the session's
//    TimeZone, never daylight-saving rules), after truncating the offset toward zero as SQLite's
//    CAST(x AS INTEGER) does (a plain ::bigint cast would round);
//  - json_group_array(… ORDER BY …) becomes json_agg(…)::text, and ids are compared bytewise
//    (COLLATE "C") as SQLite compares them;
//  - printf('%012d') becomes lpad, widened so a longer number is never cut.
import { type ReportQuery, TIMELINE_OPEN_MESSAGES_MS, type VisitFact, type VisitTimeline } from '../../../shared/kpis.ts';
import { type ReportFigures } from '../../ports/clerkStore.ts';
import { assistFromRows, assistVisitsSql, factFromRow, figuresFromRows, kpisSql, perClerkSql, timelineEntryFromRow } from '../reportRows.ts';
import { type AssistKpis } from '../../../shared/assist.ts'; // 7/8 attribution
import { type Exec } from './pgOps.ts';

/** The claiming clerk (its JSON's clerkId). */
const CLAIM_CLERK = `(v.claimed_by::jsonb ->> 'clerkId')`;

/** A visit's fact columns (of `v`, its member `m` and store `s`), as reportRows.ts reads them. */
const FACT_COLUMNS = `
  v.store_id, COALESCE(s.name, v.store_id) AS store_name, v.id AS visit_id, v.member_id,
  COALESCE(m.code, '') AS member_code, COALESCE(m.name, '') AS member_name, COALESCE(m.tier, 'basic') AS tier,
  v.source, v.status, v.arrived_at, v.claimed_at, v.closed_at, v.outcome,
  ${CLAIM_CLERK} AS clerk_id, (v.claimed_by::jsonb ->> 'clerkName') AS clerk_name,
  (v.claimed_by::jsonb ->> 'deviceName') AS device_name`;

/** The visit's notes as a JSON array of texts, oldest first. */
const NOTES = (visitId: string) =>
  `(SELECT COALESCE(json_agg(n.text ORDER BY n.at, n.id COLLATE "C"), '[]'::json)::text FROM notes n WHERE n.visit_id = ${visitId})`;

/**
 * The visits in scope as a CTE `f` (the range and every filter but the clerk), with `is_served`
 * and `counted` as in the SQLite twin. Parameters: $1 store ids, $2 from, $3 to, $4 clerk, $5 tier,
 * $6 outcome, $7 served (null = any).
 */
const FACTS = `
  WITH a AS (
    SELECT ${FACT_COLUMNS},
      CASE WHEN v.claimed_at IS NOT NULL AND COALESCE(v.outcome, '') <> 'left' THEN 1 ELSE 0 END AS is_served,
      CASE WHEN v.claimed_at IS NULL THEN NULL ELSE GREATEST(v.claimed_at - v.arrived_at, 0) END AS wait
    FROM visits v LEFT JOIN members m ON m.id = v.member_id LEFT JOIN stores s ON s.id = v.store_id
    WHERE v.store_id = ANY($1::text[])
      AND v.arrived_at >= $2::bigint AND v.arrived_at < $3::bigint
  ),
  f AS (
    SELECT a.*, CASE WHEN is_served = 1 AND ($4::text IS NULL OR clerk_id = $4::text) THEN 1 ELSE 0 END AS counted
    FROM a
    WHERE ($5::text IS NULL OR tier = $5::text)
      AND ($6::text IS NULL OR ($6::text = 'open' AND status <> 'closed') OR outcome = $6::text)
      AND ($7::boolean IS NULL OR (is_served = 1) = $7::boolean)
  )`;

const KPIS_SQL = kpisSql(FACTS);
const PER_CLERK_SQL = perClerkSql(FACTS);

/** Local time in ms at the store's offset ($8: minutes east of UTC). */
const LOCAL = `(arrived_at + trunc($8::numeric)::bigint * 60000)`;

const BY_HOUR_SQL = `${FACTS}
  SELECT (${LOCAL} % 86400000 + 86400000) % 86400000 / 3600000 AS hour,
    COUNT(*) AS arrivals, COUNT(CASE WHEN counted = 1 THEN 1 END) AS served
  FROM f GROUP BY 1`;

/** The local day number, floor(local / day) also before 1970 (% keeps the dividend's sign). */
const BY_DAY_SQL = `${FACTS}
  SELECT (${LOCAL} - (${LOCAL} % 86400000 + 86400000) % 86400000) / 86400000 AS day,
    COUNT(*) AS arrivals, COUNT(CASE WHEN counted = 1 THEN 1 END) AS served
  FROM f GROUP BY 1`;

/** The visit list: in scope and, under a clerk filter, that clerk's. $8: the row limit. */
const VISITS_SQL = `${FACTS}
  SELECT f.*, ${NOTES('f.visit_id')} AS notes FROM f
  WHERE $4::text IS NULL OR clerk_id = $4::text
  ORDER BY arrived_at DESC, visit_id COLLATE "C" DESC LIMIT $8`;

const ROSTER_SQL = `SELECT id, store_id, name, role, enabled FROM clerks WHERE store_id = ANY($1::text[])`;

const ACTOR_NAME = (col: string) => `COALESCE((${col})::jsonb ->> 'clerkName', (${col})::jsonb ->> 'deviceName')`;

/** $1 visit id, $2 store id. */
const TIMELINE_FACT_SQL = `
  SELECT ${FACT_COLUMNS}, ${NOTES('v.id')} AS notes
  FROM visits v LEFT JOIN members m ON m.id = v.member_id LEFT JOIN stores s ON s.id = v.store_id
  WHERE v.id = $1 AND v.store_id = $2`;

/** The timeline's entries in one query; messages are the member's conversation in [arrival, close] (or +2 h while open). */
const TIMELINE_SQL = `
  WITH v AS (SELECT * FROM visits WHERE id = $1 AND store_id = $2),
  w AS (SELECT member_id, arrived_at AS lo, COALESCE(closed_at, arrived_at + ${TIMELINE_OPEN_MESSAGES_MS}) AS hi FROM v)
  SELECT at, kind, by_name, sender, text, image, outcome FROM (
    SELECT arrived_at AS at, 'arrival'::text AS kind, NULL::text AS by_name, NULL::text AS sender, NULL::text AS text, NULL::text AS image,
      NULL::text AS outcome, 0 AS k, ''::text AS tie FROM v
    UNION ALL SELECT last_seen_at, 'repeat', NULL, NULL, arrivals::text, NULL, NULL, 1, '' FROM v WHERE arrivals > 1
    UNION ALL SELECT claimed_at, 'claim',
        COALESCE(takeovers::jsonb -> 0 -> 'from' ->> 'clerkName', takeovers::jsonb -> 0 -> 'from' ->> 'deviceName', ${ACTOR_NAME('claimed_by')}),
        NULL, NULL, NULL, NULL, 2, '' FROM v WHERE claimed_at IS NOT NULL
    UNION ALL SELECT (t.e ->> 'at')::bigint, 'takeover', COALESCE(t.e -> 'by' ->> 'clerkName', t.e -> 'by' ->> 'deviceName'), NULL,
        COALESCE(t.e -> 'from' ->> 'clerkName', t.e -> 'from' ->> 'deviceName'), NULL, NULL, 2, lpad(t.i::text, 12, '0')
      FROM v, jsonb_array_elements(COALESCE(v.takeovers, '[]')::jsonb) WITH ORDINALITY AS t(e, i)
    UNION ALL SELECT n.at, 'note', ${ACTOR_NAME('n."by"')}, NULL, n.text, NULL, NULL, 3, n.id FROM notes n WHERE n.visit_id = $1
    UNION ALL SELECT msg.at, 'message',
        CASE WHEN msg.sender = 'member' THEN NULLIF(mem.name, '') ELSE ${ACTOR_NAME('msg."by"')} END,
        msg.sender,
        CASE WHEN msg.recalled_at IS NOT NULL THEN NULL WHEN msg.kind = 'product' THEN msg.product::jsonb ->> 'name' ELSE NULLIF(msg.body, '') END,
        CASE WHEN msg.recalled_at IS NULL THEN msg.image END,
        NULL, 4, lpad(msg.n::text, GREATEST(12, length(msg.n::text)), '0')
      FROM w JOIN messages msg ON msg.store_id = $2 AND msg.member_id = w.member_id AND msg.at BETWEEN w.lo AND w.hi
      LEFT JOIN members mem ON mem.id = msg.member_id
    UNION ALL SELECT closed_at, 'close', ${ACTOR_NAME('claimed_by')}, NULL, NULL, NULL, outcome, 5, '' FROM v WHERE closed_at IS NOT NULL
  ) t ORDER BY at, k, tie COLLATE "C"`;

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
  const [kpis, perClerk, byHour, byDay, roster] = [
    (await exec(KPIS_SQL, p)).rows[0]!,
    (await exec(PER_CLERK_SQL, p)).rows,
    (await exec(BY_HOUR_SQL, [...p, r.tzOffsetMin])).rows,
    (await exec(BY_DAY_SQL, [...p, r.tzOffsetMin])).rows,
    (await exec(ROSTER_SQL, [p[0]])).rows,
  ];
  return figuresFromRows({ kpis, perClerk, byHour, byDay, roster }, r);
}

export async function reportVisitFacts(exec: Exec, storeIds: readonly string[], r: ReportQuery): Promise<VisitFact[]> {
  return (await exec(VISITS_SQL, [...params(storeIds, r), r.limit])).rows.map(factFromRow);
}

export async function reportTimeline(exec: Exec, storeId: string, visitId: string): Promise<VisitTimeline | null> {
  const fact = (await exec(TIMELINE_FACT_SQL, [visitId, storeId])).rows[0];
  if (!fact) return null;
  return { visit: factFromRow(fact), entries: (await exec(TIMELINE_SQL, [visitId, storeId])).rows.map(timelineEntryFromRow) };
}

// 7/8 attribution: the manager's review of assisted selling, as SQLite's (hq/adapters/reportRows.ts).
const ASSIST_VISITS_SQL = assistVisitsSql(FACTS, '$4::text');
const ASSIST_SALES_SQL = `
  SELECT source, COUNT(*) AS n, COALESCE(SUM(price), 0) AS revenue FROM sale_attributions
  WHERE store_id = ANY($1::text[]) AND at >= $2::bigint AND at < $3::bigint AND ($4::text IS NULL OR clerk_id = $4::text)
  GROUP BY source`;

export async function reportAssistKpis(exec: Exec, storeIds: readonly string[], r: ReportQuery): Promise<AssistKpis> {
  const p = params(storeIds, r);
  const visits = (await exec(ASSIST_VISITS_SQL, p)).rows[0]!;
  const sales = (await exec(ASSIST_SALES_SQL, p.slice(0, 4))).rows;
  return assistFromRows(visits, sales);
}
