// HandoverOps on HQ's SQLite connection (table created by HQ migration 20, MIGRATION_HANDOVERS). A
// hand-over is kept whole as JSON (`data`) beside the columns its queries filter on. Erasure
// deletes a member's rows (sqliteStorage.ts deleteMember): a hand-over quotes the member's question.
import type Database from 'better-sqlite3';
import { type Handover } from '../../../shared/assist.ts';
import { type HandoverOps } from '../../ports/handoverStore.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 20: the assistant's hand-overs (7/8). Same tables on PostgreSQL (pgHandovers.ts). */
export const MIGRATION_HANDOVERS = `
  CREATE TABLE handovers (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT NOT NULL,
    at INTEGER NOT NULL, settled_at INTEGER, data TEXT NOT NULL
  );
  -- One waiting hand-over per conversation, whichever node's transaction opens it.
  CREATE UNIQUE INDEX handovers_waiting ON handovers(store_id, member_id) WHERE settled_at IS NULL;
  -- The snapshot reads a store's waiting and recently settled ones; erasure finds a member's.
  CREATE INDEX handovers_store ON handovers(store_id, settled_at);
  CREATE INDEX handovers_member ON handovers(member_id);
`;

type Row = Record<string, unknown>;
const parse = (r: Row): Handover => JSON.parse(r.data as string) as Handover;

export function createSqliteHandoverStorage(db: Database.Database): Sync<HandoverOps> {
  const q = {
    get: db.prepare('SELECT data FROM handovers WHERE id = ?'),
    put: db.prepare(
      `INSERT INTO handovers (id, store_id, member_id, at, settled_at, data) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET settled_at = excluded.settled_at, data = excluded.data`,
    ),
    waiting: db.prepare('SELECT data FROM handovers WHERE store_id = ? AND member_id = ? AND settled_at IS NULL'),
    ofStore: db.prepare('SELECT data FROM handovers WHERE store_id = ? AND (settled_at IS NULL OR settled_at >= ?) ORDER BY at, id LIMIT +?'),
  };
  return {
    getHandover: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? parse(r) : null;
    },
    putHandover: (h) => void q.put.run(h.id, h.storeId, h.memberId, h.at, h.settledAt, JSON.stringify(h)),
    waiting: (storeId, memberId) => {
      const r = q.waiting.get(storeId, memberId) as Row | undefined;
      return r ? parse(r) : null;
    },
    ofStore: (storeId, since, limit) => (q.ofStore.all(storeId, since, limit) as Row[]).map(parse),
  };
}
