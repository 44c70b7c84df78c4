// ExpectedOps on HQ's SQLite connection (table created by HQ migration 15, MIGRATION_EXPECTED). An
// expectation is kept whole as JSON (`data`) beside the columns its queries filter on.
import type Database from 'better-sqlite3';
import { type ExpectedVisit } from '../../../shared/expected.ts';
import { type ExpectedOps } from '../../ports/expectedStore.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 15: expected visits (5/8). */
export const MIGRATION_EXPECTED = `
  CREATE TABLE expected_visits (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT NOT NULL, client_id TEXT,
    status TEXT NOT NULL, until INTEGER NOT NULL, updated_at INTEGER NOT NULL, data TEXT NOT NULL
  );
  -- A member's resend under the same clientId is one expectation.
  CREATE UNIQUE INDEX expected_visits_client ON expected_visits(member_id, client_id) WHERE client_id IS NOT NULL;
  -- An arrival finds the member's open ones at the store; the sweep finds the due ones; the snapshot a store's.
  CREATE INDEX expected_visits_member ON expected_visits(member_id, store_id);
  CREATE INDEX expected_visits_due ON expected_visits(until) WHERE status = 'expected';
  CREATE INDEX expected_visits_store ON expected_visits(store_id, updated_at);
`;

type Row = Record<string, unknown>;
const parse = (r: Row): ExpectedVisit => JSON.parse(r.data as string) as ExpectedVisit;

export function createSqliteExpectedStorage(db: Database.Database): Sync<ExpectedOps> {
  const q = {
    get: db.prepare('SELECT data FROM expected_visits WHERE id = ?'),
    put: db.prepare(
      `INSERT INTO expected_visits (id, store_id, member_id, client_id, status, until, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, until = excluded.until, updated_at = excluded.updated_at, data = excluded.data`,
    ),
    byClient: db.prepare('SELECT data FROM expected_visits WHERE member_id = ? AND client_id = ?'),
    openAtStore: db.prepare("SELECT data FROM expected_visits WHERE member_id = ? AND store_id = ? AND status = 'expected' AND until > ? ORDER BY updated_at, id"),
    openOfPair: db.prepare("SELECT updated_at, id, data FROM expected_visits WHERE member_id = ? AND store_id = ? AND status = 'expected'"),
    openOfMember: db.prepare("SELECT data FROM expected_visits WHERE member_id = ? AND status = 'expected' ORDER BY until, id"),
    due: db.prepare("SELECT store_id, id FROM expected_visits WHERE status = 'expected' AND until <= ? ORDER BY until, id LIMIT +?"),
    ofStore: db.prepare("SELECT data FROM expected_visits WHERE store_id = ? AND (status = 'expected' OR updated_at >= ?) ORDER BY until, id LIMIT +?"),
  };
  return {
    getExpected: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? parse(r) : null;
    },
    putExpected: (e, at, clientId) => void q.put.run(e.id, e.storeId, e.member.id, clientId ?? null, e.status, e.until, at, JSON.stringify(e)),
    byClientId: (memberId, clientId) => {
      const r = q.byClient.get(memberId, clientId) as Row | undefined;
      return r ? parse(r) : null;
    },
    openAtStore: (storeId, memberId, now) => (q.openAtStore.all(memberId, storeId, now) as Row[]).map(parse),
    openAtStores: (pairs) => {
      const seen = new Set<string>();
      const rows: Row[] = [];
      for (const { storeId, memberId } of pairs) {
        const key = JSON.stringify([storeId, memberId]);
        if (seen.has(key)) continue;
        seen.add(key);
        rows.push(...(q.openOfPair.all(memberId, storeId) as Row[]));
      }
      const order = (a: Row, b: Row) => (a.updated_at as number) - (b.updated_at as number) || ((a.id as string) < (b.id as string) ? -1 : (a.id as string) > (b.id as string) ? 1 : 0);
      return rows.sort(order).map(parse);
    },
    openOfMember: (memberId) => (q.openOfMember.all(memberId) as Row[]).map(parse),
    dueExpected: (now, limit) => (q.due.all(now, limit) as Row[]).map((r) => ({ storeId: r.store_id as string, id: r.id as string })),
    ofStore: (storeId, since, limit) => (q.ofStore.all(storeId, since, limit) as Row[]).map(parse),
  };
}
