// HoldOps on PostgreSQL (tables from migration 11), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/holdStorage.ts statement for statement.
import { type Hold, type HoldRequest } from '../../../shared/holds.ts';
import { type HoldOps } from '../../ports/holdStore.ts';
import { type Exec, limitParam, type Row } from './pgOps.ts';

const parseHold = (r: Row): Hold => JSON.parse(r.data as string) as Hold;
const parseRequest = (r: Row): HoldRequest => JSON.parse(r.data as string) as HoldRequest;

export function createPgHoldOps(exec: Exec): HoldOps {
  const one = async (text: string, values: unknown[]): Promise<Row | undefined> => (await exec(text, values)).rows[0];
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;

  return {
    getHold: async (id) => {
      const r = await one('SELECT data FROM holds WHERE id = $1', [id]);
      return r ? parseHold(r) : null;
    },
    putHold: async (h) => {
      await exec(
        `INSERT INTO holds (id, store_id, member_id, style_id, color, size, status, until, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, until = EXCLUDED.until, data = EXCLUDED.data`,
        [h.id, h.storeId, h.member.id, h.styleId, h.color, h.size, h.status, h.until, JSON.stringify(h)],
      );
    },
    activeHolds: async (storeId) => (await all("SELECT data FROM holds WHERE store_id = $1 AND status = 'active' ORDER BY until, id", [storeId])).map(parseHold),
    heldQty: async (storeId, styleId, color, size) =>
      Number(
        (await one("SELECT COUNT(*) AS n FROM holds WHERE store_id = $1 AND style_id = $2 AND color = $3 AND size = $4 AND status = 'active'", [storeId, styleId, color, size]))
          ?.n ?? 0,
      ),
    stockQty: async (storeId, styleId, color, size) =>
      Number((await one('SELECT qty FROM stock WHERE store_id = $1 AND style_id = $2 AND color = $3 AND size = $4', [storeId, styleId, color, size]))?.qty ?? 0),
    stockOfStyle: async (styleId) =>
      (await all('SELECT store_id, style_id, color, size, qty FROM stock WHERE style_id = $1 ORDER BY store_id, color, size', [styleId])).map((r) => ({
        storeId: r.store_id as string,
        styleId: r.style_id as string,
        color: r.color as string,
        size: r.size as number,
        qty: Number(r.qty),
      })),
    heldOfStyle: async (styleId) =>
      (await all("SELECT store_id, color, size, COUNT(*) AS held FROM holds WHERE style_id = $1 AND status = 'active' GROUP BY store_id, color, size", [styleId])).map(
        (r) => ({ storeId: r.store_id as string, color: r.color as string, size: r.size as number, held: Number(r.held) }),
      ),
    dueHolds: async (now, limit) =>
      (await all("SELECT store_id, id FROM holds WHERE status = 'active' AND until <= $1 ORDER BY until, id LIMIT $2", [now, limitParam(limit)])).map((r) => ({
        storeId: r.store_id as string,
        id: r.id as string,
      })),
    toRemind: async (from, to, limit) =>
      (await all("SELECT store_id, id FROM holds WHERE status = 'active' AND reminded = 0 AND until >= $1 AND until < $2 ORDER BY until, id LIMIT $3", [from, to, limitParam(limit)])).map((r) => ({
        storeId: r.store_id as string,
        id: r.id as string,
      })),
    markReminded: async (id) => void (await exec('UPDATE holds SET reminded = 1 WHERE id = $1', [id])),
    activeHoldsOfMember: async (memberId) => (await all("SELECT data FROM holds WHERE member_id = $1 AND status = 'active' ORDER BY until, id", [memberId])).map(parseHold),
    getRequest: async (id) => {
      const r = await one('SELECT data FROM hold_requests WHERE id = $1', [id]);
      return r ? parseRequest(r) : null;
    },
    putRequest: async (r) => {
      await exec(
        `INSERT INTO hold_requests (id, from_store_id, to_store_id, member_id, status, requested_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data`,
        [r.id, r.fromStoreId, r.toStoreId, r.member.id, r.status, r.requestedAt, JSON.stringify(r)],
      );
    },
    stalePendingRequests: async (before, limit) =>
      (await all("SELECT id, from_store_id, to_store_id FROM hold_requests WHERE status = 'pending' AND requested_at < $1 ORDER BY requested_at, id LIMIT $2", [before, limitParam(limit)])).map(
        (r) => ({ id: r.id as string, fromStoreId: r.from_store_id as string, toStoreId: r.to_store_id as string }),
      ),
    requestsOfStore: async (storeId, since, limit) =>
      (
        await all(
          `SELECT data, requested_at FROM hold_requests WHERE from_store_id = $1 AND (status = 'pending' OR requested_at >= $2)
           UNION ALL
           SELECT data, requested_at FROM hold_requests WHERE to_store_id = $1 AND from_store_id <> $1 AND (status = 'pending' OR requested_at >= $2)
           ORDER BY requested_at DESC LIMIT $3`,
          [storeId, since, limitParam(limit)],
        )
      ).map(parseRequest),
  };
}
