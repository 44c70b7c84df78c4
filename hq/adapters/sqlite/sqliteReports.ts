// The manager's reports in SQLite's SQL, with the definitions of shared/kpis.ts: COUNT with GROUP BY,
// and ROW_NUMBER() windows for the nearest-rank median and p90, never every visit loaded into memory.
// PostgreSQL's twin is hq/adapters/postgres/pgReports.ts; both hand their rows to
// hq/adapters/reportRows.ts, and test/integration/store-conformance.test.ts checks both against
// shared/kpis.ts.
import type Database from 'better-sqlite3';
import { type ReportQuery, TIMELINE_OPEN_MESSAGES_MS, type VisitFact, type VisitTimeline } from '../../../shared/kpis.ts';
import { type ReportFigures } from '../../ports/clerkStore.ts';
import { assistFromRows, assistVisitsSql, factFromRow, figuresFromRows, kpisSql, perClerkSql, timelineEntryFromRow } from '../reportRows.ts';
import { type AssistKpis } from '../../../shared/assist.ts'; // 7/8 attribution
import { type Row } from '../sqlRows.ts';

/** A visit's fact columns (of `v`, its member `m` and store `s`), as reportRows.ts reads them. */
const FACT_COLUMNS = `
  v.store_id, COALESCE(s.name, v.store_id) AS store_name, v.id AS visit_id, v.member_id,
  COALESCE(m.code, '') AS member_code, COALESCE(m.name, '') AS member_name, COALESCE(m.tier, 'basic') AS tier,
  v.source, v.status, v.arrived_at, v.claimed_at, v.closed_at, v.outcome,
  json_extract(v.claimed_by, '$.clerkId') AS clerk_id, json_extract(v.claimed_by, '$.clerkName') AS clerk_name,
  json_extract(v.claimed_by, '$.deviceName') AS device_name`;

/** The visit's notes as a JSON array of texts, oldest first. */
const NOTES = (visitId: string) => `(SELECT json_group_array(n.text ORDER BY n.at, n.id) FROM notes n WHERE n.visit_id = ${visitId})`;

/**
 * The visits in scope as a CTE `f`: the range and every filter but the clerk. `is_served` is
 * shared/kpis.ts's isServed (a claim, and not closed as `left`); `counted` is what the figures count
 * as served: served, and by the filtered clerk when there is one.
 */
const FACTS = `
  WITH a AS (
    SELECT ${FACT_COLUMNS},
      CASE WHEN v.claimed_at IS NOT NULL AND COALESCE(v.outcome, '') <> 'left' THEN 1 ELSE 0 END AS is_served,
      max(v.claimed_at - v.arrived_at, 0) AS wait
    FROM visits v LEFT JOIN members m ON m.id = v.member_id LEFT JOIN stores s ON s.id = v.store_id
    WHERE v.store_id IN (SELECT value FROM json_each(@stores))
      AND v.arrived_at >= @from AND v.arrived_at < @to
  ),
  f AS (
    SELECT a.*, CASE WHEN is_served = 1 AND (@clerk IS NULL OR clerk_id = @clerk) THEN 1 ELSE 0 END AS counted
    FROM a
    WHERE (@tier IS NULL OR tier = @tier)
      AND (@outcome IS NULL OR (@outcome = 'open' AND status <> 'closed') OR outcome = @outcome)
      AND (@served IS NULL OR is_served = @served)
  )`;

const KPIS_SQL = kpisSql(FACTS);
const PER_CLERK_SQL = perClerkSql(FACTS);

/** Local time in ms at the store's offset (@tz minutes east; CAST cuts a fraction toward zero). */
const LOCAL = `(arrived_at + CAST(@tz AS INTEGER) * 60000)`;

const BY_HOUR_SQL = `${FACTS}
  SELECT (${LOCAL} % 86400000 + 86400000) % 86400000 / 3600000 AS hour,
    COUNT(*) AS arrivals, COUNT(CASE WHEN counted = 1 THEN 1 END) AS served
  FROM f GROUP BY hour`;

/** The local day number, floor(local / day) also before 1970 (% keeps the dividend's sign). */
const BY_DAY_SQL = `${FACTS}
  SELECT (${LOCAL} - (${LOCAL} % 86400000 + 86400000) % 86400000) / 86400000 AS day,
    COUNT(*) AS arrivals, COUNT(CASE WHEN counted = 1 THEN 1 END) AS served
  FROM f GROUP BY day`;

/** The visit list: in scope and, under a clerk filter, that clerk's. */
const VISITS_SQL = `${FACTS}
  SELECT f.*, ${NOTES('f.visit_id')} AS notes FROM f
  WHERE @clerk IS NULL OR clerk_id = @clerk
  ORDER BY arrived_at DESC, visit_id DESC LIMIT +@limit`;

const ROSTER_SQL = `SELECT id, store_id, name, role, enabled FROM clerks WHERE store_id IN (SELECT value FROM json_each(@stores))`;

const ACTOR_NAME = (col: string) => `COALESCE(json_extract(${col}, '$.clerkName'), json_extract(${col}, '$.deviceName'))`;

const TIMELINE_FACT_SQL = `
  SELECT ${FACT_COLUMNS}, ${NOTES('v.id')} AS notes
  FROM visits v LEFT JOIN members m ON m.id = v.member_id LEFT JOIN stores s ON s.id = v.store_id
  WHERE v.id = @visit AND v.store_id = @store`;

/** The timeline's entries in one query; messages are the member's conversation in [arrival, close] (or +2 h while open). */
const TIMELINE_SQL = `
  WITH v AS (SELECT * FROM visits WHERE id = @visit AND store_id = @store),
  w AS (SELECT member_id, arrived_at AS lo, COALESCE(closed_at, arrived_at + ${TIMELINE_OPEN_MESSAGES_MS}) AS hi FROM v)
  SELECT at, kind, by_name, sender, text, image, outcome FROM (
    SELECT arrived_at AS at, 'arrival' AS kind, NULL AS by_name, NULL AS sender, NULL AS text, NULL AS image, NULL AS outcome, 0 AS k, '' AS tie FROM v
    UNION ALL SELECT last_seen_at, 'repeat', NULL, NULL, CAST(arrivals AS TEXT), NULL, NULL, 1, '' FROM v WHERE arrivals > 1
    UNION ALL SELECT claimed_at, 'claim',
        COALESCE(json_extract(takeovers, '$[0].from.clerkName'), json_extract(takeovers, '$[0].from.deviceName'), ${ACTOR_NAME('claimed_by')}),
        NULL, NULL, NULL, NULL, 2, '' FROM v WHERE claimed_at IS NOT NULL
    UNION ALL SELECT json_extract(t.value, '$.at'), 'takeover', COALESCE(json_extract(t.value, '$.by.clerkName'), json_extract(t.value, '$.by.deviceName')), NULL,
        COALESCE(json_extract(t.value, '$.from.clerkName'), json_extract(t.value, '$.from.deviceName')), NULL, NULL, 2,
        printf('%012d', t.key)
      FROM v, json_each(COALESCE(v.takeovers, '[]')) t
    UNION ALL SELECT n.at, 'note', ${ACTOR_NAME('n.by')}, NULL, n.text, NULL, NULL, 3, n.id FROM notes n WHERE n.visit_id = @visit
    UNION ALL SELECT msg.at, 'message',
        CASE WHEN msg.sender = 'member' THEN NULLIF(mem.name, '') ELSE ${ACTOR_NAME('msg.by')} END,
        msg.sender,
        CASE WHEN msg.recalled_at IS NOT NULL THEN NULL WHEN msg.kind = 'product' THEN json_extract(msg.product, '$.name') ELSE NULLIF(msg.body, '') END,
        CASE WHEN msg.recalled_at IS NULL THEN msg.image END,
        NULL, 4, printf('%012d', msg.n)
      FROM w JOIN messages msg ON msg.store_id = @store AND msg.member_id = w.member_id AND msg.at BETWEEN w.lo AND w.hi
      LEFT JOIN members mem ON mem.id = msg.member_id
    UNION ALL SELECT closed_at, 'close', ${ACTOR_NAME('claimed_by')}, NULL, NULL, NULL, outcome, 5, '' FROM v WHERE closed_at IS NOT NULL
  ) ORDER BY at, k, tie`;

export interface SqliteReports {
  figures(storeIds: readonly string[], q: ReportQuery): ReportFigures;
  visitFacts(storeIds: readonly string[], q: ReportQuery): VisitFact[];
  timeline(storeId: string, visitId: string): VisitTimeline | null;
}

export function createSqliteReports(db: Database.Database): SqliteReports {
  const q = {
    kpis: db.prepare(KPIS_SQL),
    perClerk: db.prepare(PER_CLERK_SQL),
    byHour: db.prepare(BY_HOUR_SQL),
    byDay: db.prepare(BY_DAY_SQL),
    visits: db.prepare(VISITS_SQL),
    roster: db.prepare(ROSTER_SQL),
    timelineFact: db.prepare(TIMELINE_FACT_SQL),
    timeline: db.prepare(TIMELINE_SQL),
  };
  const params = (storeIds: readonly string[], r: ReportQuery) => ({
    stores: JSON.stringify(storeIds),
    from: r.from,
    to: r.to,
    clerk: r.clerkId ?? null,
    tier: r.tier ?? null,
    outcome: r.outcome ?? null,
    served: r.served === undefined ? null : r.served ? 1 : 0,
  });
  return {
    figures: (storeIds, r) => {
      const p = params(storeIds, r);
      return figuresFromRows(
        {
          kpis: q.kpis.get(p) as Row,
          perClerk: q.perClerk.all(p) as Row[],
          byHour: q.byHour.all({ ...p, tz: r.tzOffsetMin }) as Row[],
          byDay: q.byDay.all({ ...p, tz: r.tzOffsetMin }) as Row[],
          roster: q.roster.all({ stores: p.stores }) as Row[],
        },
        r,
      );
    },
    visitFacts: (storeIds, r) => (q.visits.all({ ...params(storeIds, r), limit: r.limit }) as Row[]).map(factFromRow),
    timeline: (storeId, visitId) => {
      const p = { store: storeId, visit: visitId };
      const fact = q.timelineFact.get(p) as Row | undefined;
      if (!fact) return null;
      return { visit: factFromRow(fact), entries: (q.timeline.all(p) as Row[]).map(timelineEntryFromRow) };
    },
  };
}

// 7/8 attribution: the manager's review of assisted selling, over the report's visits and the sales
// attributed in its range (hq/adapters/reportRows.ts assistVisitsSql, assistFromRows).
const ASSIST_VISITS_SQL = assistVisitsSql(FACTS, '@clerk');
const ASSIST_SALES_SQL = `
  SELECT source, COUNT(*) AS n, COALESCE(SUM(price), 0) AS revenue FROM sale_attributions
  WHERE store_id IN (SELECT value FROM json_each(@stores)) AND at >= @from AND at < @to AND (@clerk IS NULL OR clerk_id = @clerk)
  GROUP BY source`;

export function createSqliteAssistKpis(db: Database.Database): (storeIds: readonly string[], r: ReportQuery) => AssistKpis {
  const visits = db.prepare(ASSIST_VISITS_SQL);
  const sales = db.prepare(ASSIST_SALES_SQL);
  return (storeIds, r) => {
    const stores = JSON.stringify(storeIds);
    const p = {
      stores,
      from: r.from,
      to: r.to,
      clerk: r.clerkId ?? null,
      tier: r.tier ?? null,
      outcome: r.outcome ?? null,
      served: r.served === undefined ? null : r.served ? 1 : 0,
    };
    return assistFromRows(visits.get(p) as Row, sales.all({ stores, from: r.from, to: r.to, clerk: p.clerk }) as Row[]);
  };
}
