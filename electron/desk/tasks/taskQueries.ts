// The desk cache's task SQL (table from migration 011), each statement prepared once; erasure and
// the retention purge are in ../cache/privacy.ts. CacheQueries exposes it as `q.tasks`, so a task
// event joins the cache's transaction with the position it moves to.
import type Database from 'better-sqlite3';
import type { Task } from '../../../shared/tasks.ts';

export class TaskQueries {
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.s = {
      put: db.prepare<[string, string | null, string | null, string, number, number, string]>(
        `INSERT INTO tasks (id, member_id, assignee, status, due_at, updated_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, assignee = excluded.assignee, status = excluded.status,
           due_at = excluded.due_at, updated_at = excluded.updated_at, json = excluded.json`,
      ),
      get: db.prepare<[string], { json: string }>('SELECT json FROM tasks WHERE id = ?'),
      open: db.prepare<[number], { json: string }>("SELECT json FROM tasks WHERE status = 'open' ORDER BY due_at, id LIMIT +?"),
      ofMember: db.prepare<[string], { json: string }>('SELECT json FROM tasks WHERE member_id = ? ORDER BY due_at, id'),
      wipe: db.prepare('DELETE FROM tasks'),
    };
  }

  /** A task as HQ announced it (created, done, snoozed): written whole. */
  put(t: Task): void {
    this.s.put.run(t.id, t.memberId, t.assignee, t.status, t.dueAt, t.updatedAt, JSON.stringify(t));
  }
  get(id: string): Task | null {
    const r = this.s.get.get(id);
    return r ? (JSON.parse(r.json) as Task) : null;
  }
  /** Open tasks by due time (the Today list filters them further). */
  open(limit = 5000): Task[] {
    return this.s.open.all(limit).map((r) => JSON.parse(r.json) as Task);
  }
  ofMember(memberId: string): Task[] {
    return this.s.ofMember.all(memberId).map((r) => JSON.parse(r.json) as Task);
  }
  /** A snapshot replaces every task HQ owns. */
  wipe(): void {
    this.s.wipe.run();
  }
}
