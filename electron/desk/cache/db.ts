// Opens the desk cache file: refuse a newer schema untouched, then WAL + migrations.
import Database from 'better-sqlite3';
import { assertNotTooNew, migrate } from './migrate.ts';
import { CacheQueries } from './queries.ts';

export function openCacheDb(path: string): Database.Database {
  const db = new Database(path);
  try {
    // Check before anything writes to the file (even switching to WAL does), so a cache from a
    // newer build is left exactly as it was.
    assertNotTooNew(db);
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: a clerk's queued action must survive a power cut, not just a crash, and a
    // counter PC writes a few transactions a minute, so the extra fsync costs nothing noticeable.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function openCache(path: string): CacheQueries {
  return new CacheQueries(openCacheDb(path));
}

export { CacheQueries };
