// Opens the desk cache file: refuse a newer schema untouched, then WAL + migrations.
import Database from 'better-sqlite3';
import { assertNotTooNew, migrate } from './migrate.ts';
import { CacheQueries } from './queries.ts';
import { CacheCorruptError } from './recover.ts';

export function openCacheDb(path: string): Database.Database {
  const db = new Database(path);
  try {
    // Check before anything writes to the file (even switching to WAL does), so a cache from a
    // newer build is left exactly as it was.
    assertNotTooNew(db);
    // A damaged file is never used: it is reported, moved aside and rebuilt from HQ by the core.
    // quick_check reads every page once (milliseconds for a desk-sized cache).
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new CacheCorruptError(path, String(check).slice(0, 200));
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
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))) {
      throw new CacheCorruptError(path, (err as Error).message);
    }
    throw err;
  }
}

export function openCache(path: string): CacheQueries {
  return new CacheQueries(openCacheDb(path));
}

export { CacheQueries };
