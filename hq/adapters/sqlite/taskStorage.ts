// Follow-up tasks on HQ's SQLite connection (table from HQ migration 12). A task is kept whole as
// JSON in `data`; the columns beside it are what the store's list, the restock trigger and erasure
// look up, written from the same record so they cannot disagree.
import type Database from 'better-sqlite3';
import { type Task } from '../../../shared/tasks.ts';
import { type TaskOps } from '../../ports/taskStore.ts';
import { type Sync } from './syncOps.ts';

type Row = { data: string };
const fromRow = (r: Row): Task => JSON.parse(r.data) as Task;

export function createSqliteTaskStorage(db: Database.Database): Sync<TaskOps> {
  const q = {
    put: db.prepare(
      `INSERT INTO tasks (id, store_id, member_id, status, due_at, want_style, want_size, updated_at, data)
       VALUES (@id, @storeId, @memberId, @status, @dueAt, @wantStyle, @wantSize, @updatedAt, @data)
       ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, member_id = excluded.member_id, status = excluded.status,
         due_at = excluded.due_at, want_style = excluded.want_style, want_size = excluded.want_size,
         updated_at = excluded.updated_at, data = excluded.data`,
    ),
    get: db.prepare('SELECT data FROM tasks WHERE id = ?'),
    ofStore: db.prepare(
      `SELECT data FROM tasks WHERE store_id = ? AND status = 'open'
       UNION SELECT data FROM tasks WHERE store_id = ? AND updated_at >= ?`,
    ),
    wants: db.prepare(`SELECT data FROM tasks WHERE store_id = ? AND status = 'open' AND want_style IS NOT NULL ORDER BY due_at, id`),
    sizeQty: db.prepare('SELECT COALESCE(SUM(qty), 0) AS n FROM stock WHERE store_id = ? AND style_id = ? AND size = ?').pluck(),
  };
  return {
    putTask: (t) =>
      void q.put.run({
        id: t.id,
        storeId: t.storeId,
        memberId: t.memberId,
        status: t.status,
        dueAt: t.dueAt,
        wantStyle: t.want?.styleId ?? null,
        wantSize: t.want?.size ?? null,
        updatedAt: t.updatedAt,
        data: JSON.stringify(t),
      }),
    getTask: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? fromRow(r) : null;
    },
    tasksOfStore: (storeId, since, limit) =>
      (q.ofStore.all(storeId, storeId, since) as Row[])
        .map(fromRow)
        .sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1))
        .slice(0, limit),
    openWants: (storeId) => (q.wants.all(storeId) as Row[]).map(fromRow),
    sizeQty: (storeId, styleId, size) => Number(q.sizeQty.get(storeId, styleId, size) ?? 0),
  };
}
