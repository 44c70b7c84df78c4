// Follow-up tasks (shared/tasks.ts) as HQ confirmed them: the whole task as JSON, and the columns
// the Today list, erasure and the retention purge look up. Pending creates, dones and snoozes are
// not here: they are outbox ops (subject task:<id>) laid over these rows (tasks/views.ts).
import { type Migration } from './types.ts';

export const migration011: Migration = {
  version: 11,
  name: 'tasks',
  up(db) {
    db.exec(`
      CREATE TABLE tasks (
        id          TEXT PRIMARY KEY,
        member_id   TEXT,
        assignee    TEXT,
        status      TEXT NOT NULL,
        due_at      INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        json        TEXT NOT NULL
      );
      CREATE INDEX tasks_open_due ON tasks (status, due_at);
      CREATE INDEX tasks_member ON tasks (member_id);
    `);
  },
};
