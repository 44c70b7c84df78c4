// GroupOps on HQ's SQLite connection (5/8). Placeholder until migration 14 lands: every call fails.
import type Database from 'better-sqlite3';
import { type GroupOps } from '../../ports/groupStore.ts';
import { type Sync } from './syncOps.ts';

export function createSqliteGroupStorage(_db: Database.Database): Sync<GroupOps> {
  return new Proxy({} as Sync<GroupOps>, {
    get: (_t, name) => () => {
      throw new Error(`groups storage is not there yet (${String(name)})`);
    },
  });
}
