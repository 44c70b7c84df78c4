import type Database from 'better-sqlite3';

/**
 * One numbered schema step. `up` runs inside a transaction together with the bump of
 * PRAGMA user_version, so a crash leaves the file at the old version or the new one, never between.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}
