// Clerks, clerk sessions and the manager's reports on HQ's SQLite connection. The tables come from
// HQ migration 3 (MIGRATION_CLERKS). Report figures are computed in SQL — COUNT/SUM with GROUP BY,
// and ROW_NUMBER() windows for the nearest-rank median and p90 — with the definitions of
// shared/kpis.ts; test/integration/hq-reports.test.ts checks the two agree.
import type Database from 'better-sqlite3';
import {
  type ClerkKpis,
  compareClerkRows,
  type HourBucket,
  ratio,
  type ReportQuery,
  type TimelineEntry,
  TIMELINE_OPEN_MESSAGES_MS,
  type VisitFact,
} from '../../../shared/kpis.ts';
import { type ClerkOps } from '../../ports/clerkStore.ts';
import { type Sync } from './syncOps.ts';
import { clerkFromRow } from '../sqlRows.ts';

/**
 * HQ schema step 3: clerks and their sessions. IF NOT EXISTS because an interim build put this
 * step at another number; creating it twice must be harmless.
 */
export const MIGRATION_CLERKS = `
  CREATE TABLE IF NOT EXISTS clerks (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'manager')), enabled INTEGER NOT NULL DEFAULT 1,
    pin_hash TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS clerks_store ON clerks(store_id, name);
  -- A signed-in clerk at one device; HQ keeps only the SHA-256 of the session token.
  CREATE TABLE IF NOT EXISTS clerk_sessions (
    token_hash TEXT PRIMARY KEY, clerk_id TEXT NOT NULL, store_id TEXT NOT NULL, device_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS clerk_sessions_expiry ON clerk_sessions(expires_at);
  -- Reports filter visits by the claiming clerk.
  CREATE INDEX IF NOT EXISTS visits_store_clerk ON visits(store_id, json_extract(claimed_by, '$.clerkId'), arrived_at);
`;

/** HQ schema step 4: wrong PINs in a row and the lockout end per clerk (was in memory, lost at restart). */
export const MIGRATION_CLERK_LOCKOUTS = `
  CREATE TABLE clerk_lockouts (
    clerk_id TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

type Row = Record<string, unknown>;

/** The filtered visits as a CTE `f`; every report query starts from it. */
const FACTS = `
  WITH f AS (
    SELECT v.id AS visit_id, v.member_id, COALESCE(m.name, '') AS member_name, COALESCE(m.tier, 'basic') AS tier,
      v.status, v.arrived_at, v.claimed_at, v.closed_at, v.outcome,
      json_extract(v.claimed_by, '$.clerkId') AS clerk_id, json_extract(v.claimed_by, '$.clerkName') AS clerk_name,
      json_extract(v.claimed_by, '$.deviceName') AS device_name,
      max(v.claimed_at - v.arrived_at, 0) AS wait
    FROM visits v LEFT JOIN members m ON m.id = v.member_id
    WHERE v.store_id IN (SELECT value FROM json_each(@stores))
      AND v.arrived_at >= @from AND v.arrived_at < @to
      AND (@clerk IS NULL OR json_extract(v.claimed_by, '$.clerkId') = @clerk)
      AND (@tier IS NULL OR m.tier = @tier)
      AND (@outcome IS NULL OR (@outcome = 'open' AND v.status <> 'closed') OR v.outcome = @outcome)
      AND (@served IS NULL OR (v.claimed_at IS NOT NULL) = @served)
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

const BY_HOUR_SQL = `${FACTS}
  SELECT ((arrived_at + CAST(@tz AS INTEGER) * 60000) % 86400000 + 86400000) % 86400000 / 3600000 AS hour,
    COUNT(*) AS arrivals, COUNT(claimed_at) AS served
  FROM f GROUP BY hour`;

const VISITS_SQL = `${FACTS}
  SELECT * FROM f ORDER BY arrived_at DESC, visit_id DESC LIMIT @limit`;

const ACTOR_NAME = (col: string) => `COALESCE(json_extract(${col}, '$.clerkName'), json_extract(${col}, '$.deviceName'))`;

const TIMELINE_FACT_SQL = `
  SELECT v.id AS visit_id, v.member_id, COALESCE(m.name, '') AS member_name, COALESCE(m.tier, 'basic') AS tier,
    v.status, v.arrived_at, v.claimed_at, v.closed_at, v.outcome,
    json_extract(v.claimed_by, '$.clerkId') AS clerk_id, json_extract(v.claimed_by, '$.clerkName') AS clerk_name,
    json_extract(v.claimed_by, '$.deviceName') AS device_name
  FROM visits v LEFT JOIN members m ON m.id = v.member_id WHERE v.id = @visit AND v.store_id = @store`;

/** The timeline's entries in one query; messages are the member's in [arrival, close] (or +2 h while open). */
const TIMELINE_SQL = `
  WITH v AS (SELECT * FROM visits WHERE id = @visit AND store_id = @store),
  w AS (SELECT member_id, arrived_at AS lo, COALESCE(closed_at, arrived_at + ${TIMELINE_OPEN_MESSAGES_MS}) AS hi FROM v)
  SELECT at, kind, by_name, text, outcome FROM (
    SELECT arrived_at AS at, 'arrival' AS kind, NULL AS by_name, NULL AS text, NULL AS outcome, 0 AS k, '' AS tie FROM v
    UNION ALL SELECT last_seen_at, 'repeat', NULL, CAST(arrivals AS TEXT), NULL, 1, '' FROM v WHERE arrivals > 1
    UNION ALL SELECT claimed_at, 'claim',
        COALESCE(json_extract(takeovers, '$[0].from.clerkName'), json_extract(takeovers, '$[0].from.deviceName'), ${ACTOR_NAME('claimed_by')}),
        NULL, NULL, 2, '' FROM v WHERE claimed_at IS NOT NULL
    UNION ALL SELECT json_extract(t.value, '$.at'), 'takeover', COALESCE(json_extract(t.value, '$.by.clerkName'), json_extract(t.value, '$.by.deviceName')),
        COALESCE(json_extract(t.value, '$.from.clerkName'), json_extract(t.value, '$.from.deviceName')), NULL, 2,
        printf('%012d', t.key)
      FROM v, json_each(COALESCE(v.takeovers, '[]')) t
    UNION ALL SELECT n.at, 'note', ${ACTOR_NAME('n.by')}, n.text, NULL, 3, n.id FROM notes n WHERE n.visit_id = @visit
    UNION ALL SELECT msg.at, 'message',
        CASE WHEN msg.sender = 'member' THEN NULLIF(mem.name, '') ELSE ${ACTOR_NAME('msg.by')} END,
        CASE WHEN msg.recalled_at IS NOT NULL THEN NULL WHEN msg.kind = 'product' THEN json_extract(msg.product, '$.name') ELSE NULLIF(msg.body, '') END,
        NULL, 4, printf('%012d', msg.n)
      FROM w JOIN messages msg ON msg.store_id = @store AND msg.member_id = w.member_id AND msg.at BETWEEN w.lo AND w.hi
      LEFT JOIN members mem ON mem.id = msg.member_id
    UNION ALL SELECT closed_at, 'close', ${ACTOR_NAME('claimed_by')}, NULL, outcome, 5, '' FROM v WHERE closed_at IS NOT NULL
  ) ORDER BY at, k, tie`;

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

export function createSqliteClerkStorage(db: Database.Database): Sync<ClerkOps> {
  const q = {
    upsert: db.prepare(
      `INSERT INTO clerks (id, store_id, name, role, enabled, pin_hash, created_at, updated_at)
       VALUES (@id, @storeId, @name, @role, @enabled, @pinHash, @now, @now)
       ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, role = excluded.role,
         enabled = excluded.enabled, pin_hash = excluded.pin_hash, updated_at = excluded.updated_at`,
    ),
    get: db.prepare('SELECT * FROM clerks WHERE id = ?'),
    listStore: db.prepare('SELECT * FROM clerks WHERE store_id = ? ORDER BY name, id'),
    listAll: db.prepare('SELECT * FROM clerks ORDER BY store_id, name, id'),
    putSession: db.prepare('INSERT INTO clerk_sessions (token_hash, clerk_id, store_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
    getSession: db.prepare('SELECT * FROM clerk_sessions WHERE token_hash = ? AND expires_at > ?'),
    deleteSession: db.prepare('DELETE FROM clerk_sessions WHERE token_hash = ?'),
    purgeSessions: db.prepare('DELETE FROM clerk_sessions WHERE expires_at <= ?'),
    kpis: db.prepare(KPIS_SQL),
    perClerk: db.prepare(PER_CLERK_SQL),
    byHour: db.prepare(BY_HOUR_SQL),
    visits: db.prepare(VISITS_SQL),
    timelineFact: db.prepare(TIMELINE_FACT_SQL),
    getLockout: db.prepare('SELECT failures, locked_until FROM clerk_lockouts WHERE clerk_id = ?'),
    putLockout: db.prepare('INSERT OR REPLACE INTO clerk_lockouts (clerk_id, failures, locked_until) VALUES (?, ?, ?)'),
    clearLockout: db.prepare('DELETE FROM clerk_lockouts WHERE clerk_id = ?'),
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
    upsertClerk: (c, now) =>
      void q.upsert.run({ id: c.id, storeId: c.storeId, name: c.name, role: c.role, enabled: c.enabled ? 1 : 0, pinHash: JSON.stringify(c.pinHash), now }),
    getClerk: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? clerkFromRow(r) : null;
    },
    listClerks: (storeId) => ((storeId === null ? q.listAll.all() : q.listStore.all(storeId)) as Row[]).map(clerkFromRow),
    putSession: (hash, s, now) => void q.putSession.run(hash, s.clerkId, s.storeId, s.deviceId, now, s.expiresAt),
    getSession: (hash, now) => {
      const r = q.getSession.get(hash, now) as Row | undefined;
      return r ? { clerkId: r.clerk_id as string, storeId: r.store_id as string, deviceId: r.device_id as string, expiresAt: r.expires_at as number } : null;
    },
    deleteSession: (hash) => void q.deleteSession.run(hash),
    purgeSessions: (now) => void q.purgeSessions.run(now),
    figures: (storeIds, r) => {
      const p = params(storeIds, r);
      const k = q.kpis.get(p) as { arrivals: number; served: number; purchased: number; median: number | null; p90: number | null };
      const perClerk = (q.perClerk.all(p) as Row[])
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
      for (const x of q.byHour.all({ ...p, tz: r.tzOffsetMin }) as Row[]) byHour[x.hour as number] = { hour: x.hour as number, arrivals: x.arrivals as number, served: x.served as number };
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
    },
    visitFacts: (storeIds, r) => (q.visits.all({ ...params(storeIds, r), limit: r.limit }) as Row[]).map(factFromRow),
    getLockout: (clerkId) => {
      const r = q.getLockout.get(clerkId) as Row | undefined;
      return r ? { failures: r.failures as number, lockedUntil: r.locked_until as number } : null;
    },
    putLockout: (clerkId, l) => void q.putLockout.run(clerkId, l.failures, l.lockedUntil),
    clearLockout: (clerkId) => void q.clearLockout.run(clerkId),
    timeline: (storeId, visitId) => {
      const p = { store: storeId, visit: visitId };
      const fact = q.timelineFact.get(p) as Row | undefined;
      if (!fact) return null;
      const entries = (q.timeline.all(p) as Row[]).map(
        (x): TimelineEntry => ({
          at: x.at as number,
          kind: x.kind as TimelineEntry['kind'],
          by: (x.by_name as string | null) ?? null,
          text: (x.text as string | null) ?? null,
          outcome: (x.outcome as TimelineEntry['outcome']) ?? null,
        }),
      );
      return { visit: factFromRow(fact), entries };
    },
  };
}
