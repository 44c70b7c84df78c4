// Opens the desk cache file: refuse a newer schema untouched, then WAL + migrations.
import Database from 'better-sqlite3';
import { DeskError } from '../../../shared/deskApi.ts';
import { assertNotTooNew, migrate } from './migrate.ts';
import { CacheQueries } from './queries.ts';
import { CacheCorruptError, quarantineAndSalvage, type Salvage } from './recover.ts';
import { storageFault } from './storageHealth.ts';
import { startWalCheckpointer } from '../../../shared/node/walCheckpointer.ts';

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
    applyCachePragmas(db);
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

/**
 * The cache's durability and checkpoint settings, applied on every open. Exported so that the resume
 * bench's raw floor (bench/lib/rawDesk.ts) writes with exactly these settings.
 */
export function applyCachePragmas(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit is written to the WAL but not fsynced; the WAL is fsynced at each
  // checkpoint. That is durable against a crash or SIGKILL of the desk (the OS has the pages; the
  // chaos test kills desks mid-write), and only a power loss or OS crash can lose the last
  // transactions — never corrupt the file. What that loses is harmless: events come back (the
  // position moves in the same transaction as the event, so HQ replays from the older position on
  // resume). The one thing that must not be lost, a clerk's queued action, is committed with
  // synchronous=FULL for that transaction alone (StorageGuard.write(…, durable)).
  // FULL cost an fsync per commit: the arrival-to-profile p99 was 4.1 ms on it (≤ 1 ms target),
  // and every outbox ack batch and event batch paid one (docs/benchmarks.md).
  db.pragma('synchronous = NORMAL');
  // Checkpoints run on a thread of their own (startCacheCheckpoints), or without it when the desk is
  // idle (CacheQueries, CHECKPOINT_IDLE_MS), not inside the commit of an arrival. SQLite's own
  // auto-checkpoint stays as the bound for a long burst with no idle second: 4,000 pages (~16 MB of
  // WAL, a few hundred ms of a resume; the thread raises it while it runs), and the WAL file is cut
  // back to 16 MB after a checkpoint resets it.
  db.pragma(`wal_autocheckpoint = ${CACHE_AUTOCHECKPOINT_FRAMES}`);
  db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
}

/** The cache connection's auto-checkpoint bound (pages) when no checkpoint thread runs. */
export const CACHE_AUTOCHECKPOINT_FRAMES = 4000;

/**
 * Hands the checkpoints of the cache file `q` has open to a thread (shared/node/walCheckpointer.ts):
 * the desk's process does this once at open (DeskCore.open). Should the thread fail, the cache's
 * own connection checkpoints again as without it.
 */
export function startCacheCheckpoints(q: CacheQueries, path: string, log: (line: string) => void): void {
  try {
    // The thread restarts the WAL too, so a live event's COMMIT does not fsync its new header on the
    // main thread (walCheckpointer.ts says why); the cache's transactions are IMMEDIATE, as that needs.
    q.useCheckpointer(startWalCheckpointer(q.db, path, log, { fallbackFrames: CACHE_AUTOCHECKPOINT_FRAMES, restartOnThread: true }));
  } catch (err) {
    // No thread (the driver not found from here, threads unavailable): the desk runs as without it.
    log(`desk: no checkpoint thread (${(err as Error).message}); the cache checkpoints when idle`);
  }
}

export function openCache(path: string): CacheQueries {
  return new CacheQueries(openCacheDb(path));
}

export { CacheQueries };

/**
 * Opens the desk's cache. A damaged one is never used: it is moved aside and a fresh cache is
 * started with the identity and outbox salvaged from it (`salvage` says what happened; HQ rebuilds
 * the rest by snapshot). A file that cannot be opened at all (permissions, a full disk during
 * migration) throws DeskError('storage'); anything else is thrown as it is.
 */
export function openOrRebuild(path: string): { q: CacheQueries; salvage: Salvage | null } {
  try {
    try {
      return { q: openCache(path), salvage: null };
    } catch (err) {
      if (!(err instanceof CacheCorruptError)) throw err;
      const salvage = quarantineAndSalvage(path, err.detail);
      const q = openCache(path);
      q.tx(() => {
        if (salvage.identity) q.setIdentity(salvage.identity);
        for (const op of salvage.ops) q.insertOp(op);
      });
      return { q, salvage };
    }
  } catch (err) {
    const fault = storageFault(err);
    if (fault) throw new DeskError('storage', `${fault.message} (${(err as Error).message})`);
    throw err;
  }
}
