// HoldOps on HQ's SQLite connection (tables created by HQ migration 11, MIGRATION_HOLDS). A hold or
// request is kept whole as JSON (`data`) beside the columns its queries filter on.
import type Database from 'better-sqlite3';
import { type Hold, type HoldRequest } from '../../../shared/holds.ts';
import { type HoldOps } from '../../ports/holdStore.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 11: holds and cross-store hold requests. */
export const MIGRATION_HOLDS = `
  CREATE TABLE holds (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT NOT NULL, style_id TEXT NOT NULL,
    color TEXT NOT NULL, size REAL NOT NULL, status TEXT NOT NULL, until INTEGER NOT NULL, data TEXT NOT NULL
  );
  -- The stock check counts a line's active holds; the sweep finds the due ones; the member page a member's.
  CREATE INDEX holds_line ON holds(store_id, style_id, color, size) WHERE status = 'active';
  CREATE INDEX holds_due ON holds(until) WHERE status = 'active';
  CREATE INDEX holds_member ON holds(member_id);
  CREATE TABLE hold_requests (
    id TEXT PRIMARY KEY, from_store_id TEXT NOT NULL, to_store_id TEXT NOT NULL, member_id TEXT NOT NULL,
    status TEXT NOT NULL, requested_at INTEGER NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX hold_requests_from ON hold_requests(from_store_id, requested_at);
  CREATE INDEX hold_requests_to ON hold_requests(to_store_id, requested_at);
  CREATE INDEX hold_requests_member ON hold_requests(member_id);
  CREATE INDEX hold_requests_pending ON hold_requests(requested_at) WHERE status = 'pending';
`;

type Row = Record<string, unknown>;
const parseHold = (r: Row): Hold => JSON.parse(r.data as string) as Hold;
const parseRequest = (r: Row): HoldRequest => JSON.parse(r.data as string) as HoldRequest;

export function createSqliteHoldStorage(db: Database.Database): Sync<HoldOps> {
  const q = {
    get: db.prepare('SELECT data FROM holds WHERE id = ?'),
    put: db.prepare(
      `INSERT INTO holds (id, store_id, member_id, style_id, color, size, status, until, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, until = excluded.until, data = excluded.data`,
    ),
    active: db.prepare("SELECT data FROM holds WHERE store_id = ? AND status = 'active' ORDER BY until, id"),
    held: db
      .prepare("SELECT COUNT(*) FROM holds WHERE store_id = ? AND style_id = ? AND color = ? AND size = ? AND status = 'active'")
      .pluck(),
    stock: db.prepare('SELECT qty FROM stock WHERE store_id = ? AND style_id = ? AND color = ? AND size = ?').pluck(),
    stockOfStyle: db.prepare('SELECT store_id, style_id, color, size, qty FROM stock WHERE style_id = ? ORDER BY store_id, color, size'),
    heldOfStyle: db.prepare(
      "SELECT store_id, color, size, COUNT(*) AS held FROM holds WHERE style_id = ? AND status = 'active' GROUP BY store_id, color, size",
    ),
    due: db.prepare("SELECT store_id, id FROM holds WHERE status = 'active' AND until <= ? ORDER BY until, id LIMIT +?"),
    toRemind: db.prepare("SELECT store_id, id FROM holds WHERE status = 'active' AND reminded = 0 AND until >= ? AND until < ? ORDER BY until, id LIMIT +?"),
    reminded: db.prepare('UPDATE holds SET reminded = 1 WHERE id = ?'),
    ofMember: db.prepare("SELECT data FROM holds WHERE member_id = ? AND status = 'active' ORDER BY until, id"),
    getReq: db.prepare('SELECT data FROM hold_requests WHERE id = ?'),
    stale: db.prepare("SELECT id, from_store_id, to_store_id FROM hold_requests WHERE status = 'pending' AND requested_at < ? ORDER BY requested_at, id LIMIT +?"),
    putReq: db.prepare(
      `INSERT INTO hold_requests (id, from_store_id, to_store_id, member_id, status, requested_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data`,
    ),
    ofStore: db.prepare(
      `SELECT data, requested_at FROM hold_requests WHERE from_store_id = ? AND (status = 'pending' OR requested_at >= ?)
       UNION ALL
       SELECT data, requested_at FROM hold_requests WHERE to_store_id = ? AND from_store_id <> ? AND (status = 'pending' OR requested_at >= ?)
       ORDER BY requested_at DESC LIMIT +?`,
    ),
  };

  return {
    getHold: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? parseHold(r) : null;
    },
    putHold: (h) => void q.put.run(h.id, h.storeId, h.member.id, h.styleId, h.color, h.size, h.status, h.until, JSON.stringify(h)),
    activeHolds: (storeId) => (q.active.all(storeId) as Row[]).map(parseHold),
    heldQty: (storeId, styleId, color, size) => q.held.get(storeId, styleId, color, size) as number,
    stockQty: (storeId, styleId, color, size) => (q.stock.get(storeId, styleId, color, size) as number | undefined) ?? 0,
    stockOfStyle: (styleId) =>
      (q.stockOfStyle.all(styleId) as Row[]).map((r) => ({ storeId: r.store_id as string, styleId: r.style_id as string, color: r.color as string, size: r.size as number, qty: r.qty as number })),
    heldOfStyle: (styleId) =>
      (q.heldOfStyle.all(styleId) as Row[]).map((r) => ({ storeId: r.store_id as string, color: r.color as string, size: r.size as number, held: r.held as number })),
    dueHolds: (now, limit) => (q.due.all(now, limit) as Row[]).map((r) => ({ storeId: r.store_id as string, id: r.id as string })),
    toRemind: (from, to, limit) => (q.toRemind.all(from, to, limit) as Row[]).map((r) => ({ storeId: r.store_id as string, id: r.id as string })),
    markReminded: (id) => void q.reminded.run(id),
    activeHoldsOfMember: (memberId) => (q.ofMember.all(memberId) as Row[]).map(parseHold),
    getRequest: (id) => {
      const r = q.getReq.get(id) as Row | undefined;
      return r ? parseRequest(r) : null;
    },
    putRequest: (r) => void q.putReq.run(r.id, r.fromStoreId, r.toStoreId, r.member.id, r.status, r.requestedAt, JSON.stringify(r)),
    stalePendingRequests: (before, limit) =>
      (q.stale.all(before, limit) as Row[]).map((r) => ({ id: r.id as string, fromStoreId: r.from_store_id as string, toStoreId: r.to_store_id as string })),
    requestsOfStore: (storeId, since, limit) => (q.ofStore.all(storeId, since, storeId, storeId, since, limit) as Row[]).map(parseRequest),
  };
}
