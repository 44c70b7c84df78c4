// An HQ SQLite file as an older HQ left it: for the tests of one migration step on real data.
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../hq/adapters/sqlite/migrations.ts';

/** Opens `path` (WAL, as HQ runs it) with HQ's schema steps 1..`step` applied and recorded; the caller fills and closes it. */
export function openSqliteAtStep(path: string, step: number): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const sql of MIGRATIONS.slice(0, step)) db.exec(sql);
  db.pragma(`user_version = ${step}`);
  return db;
}
