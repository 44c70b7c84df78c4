// Follow-up tasks on PostgreSQL (table from migration 12), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/taskStorage.ts.
import { type Task } from '../../../shared/tasks.ts';
import { type TaskOps } from '../../ports/taskStore.ts';
import { type Exec, type Row } from './pgOps.ts';

const fromRow = (r: Row): Task => JSON.parse(r.data as string) as Task;

export function createPgTaskOps(exec: Exec): TaskOps {
  return {
    putTask: async (t) => {
      await exec(
        `INSERT INTO tasks (id, store_id, member_id, status, due_at, want_style, want_size, updated_at, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET store_id = EXCLUDED.store_id, member_id = EXCLUDED.member_id, status = EXCLUDED.status,
           due_at = EXCLUDED.due_at, want_style = EXCLUDED.want_style, want_size = EXCLUDED.want_size,
           updated_at = EXCLUDED.updated_at, data = EXCLUDED.data`,
        [t.id, t.storeId, t.memberId, t.status, t.dueAt, t.want?.styleId ?? null, t.want?.size ?? null, t.updatedAt, JSON.stringify(t)],
      );
    },
    getTask: async (id) => {
      const r = (await exec('SELECT data FROM tasks WHERE id = $1', [id])).rows[0];
      return r ? fromRow(r) : null;
    },
    tasksOfStore: async (storeId, since, limit) =>
      (
        await exec(
          `SELECT data FROM tasks WHERE store_id = $1 AND status = 'open'
           UNION SELECT data FROM tasks WHERE store_id = $1 AND updated_at >= $2`,
          [storeId, since],
        )
      ).rows
        .map(fromRow)
        .sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1))
        .slice(0, limit),
    openWants: async (storeId) =>
      (await exec(`SELECT data FROM tasks WHERE store_id = $1 AND status = 'open' AND want_style IS NOT NULL ORDER BY due_at, id`, [storeId])).rows.map(fromRow),
    sizeQty: async (storeId, styleId, size) =>
      Number((await exec('SELECT COALESCE(SUM(qty), 0) AS n FROM stock WHERE store_id = $1 AND style_id = $2 AND size = $3', [storeId, styleId, size])).rows[0]?.n ?? 0),
  };
}
