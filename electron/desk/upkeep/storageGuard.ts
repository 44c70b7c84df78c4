// The desk's own disk as the clerk sees it: every write goes through here, so a full, read-only or
// damaged disk becomes DeskError('storage') for the action that failed and a StorageHealth the UI
// shows, and the next write that succeeds clears it.
//
// Invariant: a write commits whole or not at all (one transaction); a fault never leaves half of
// a clerk's action in the cache.
import { DeskError } from '../../../shared/deskApi.ts';
import { STORAGE_OK, storageFault, type StorageHealth } from '../cache/storageHealth.ts';
import type { CacheQueries } from '../cache/queries.ts';

export interface StorageGuardOptions {
  log: (line: string) => void;
  /** The health changed (the connection state carries it to the UI). */
  changed(): void;
}

export class StorageGuard {
  health: StorageHealth = STORAGE_OK;
  /** Clerk writes so far: a batch compares it before and after to know whether the views it built are current. */
  writes = 0;

  constructor(
    private readonly q: CacheQueries,
    private readonly opts: StorageGuardOptions,
  ) {}

  /**
   * Runs `fn` in one transaction. `durable` is for what the clerk just did (an outbox op): the cache
   * runs synchronous=NORMAL, which a power cut can roll back by a few commits — harmless for events
   * (HQ replays them) but not for a queued action, so that commit alone is fsynced (FULL).
   */
  write<T>(fn: () => T, durable = false): T {
    this.writes++;
    const db = this.q.db;
    const raise = durable && !db.inTransaction;
    try {
      if (raise) db.pragma('synchronous = FULL');
      const out = this.q.tx(fn);
      this.recovered();
      return out;
    } catch (err) {
      throw this.failed(err) ?? err;
    } finally {
      if (raise) db.pragma('synchronous = NORMAL');
    }
  }

  /** A write failed: when the disk is why, show it and answer the DeskError to throw; null otherwise. */
  failed(err: unknown): DeskError | null {
    const fault = storageFault(err);
    if (!fault) return null;
    if (this.health.status !== fault.status) {
      this.opts.log(`desk: storage ${fault.status}: ${(err as Error).message}`);
      this.health = { ...this.health, ...fault, since: Date.now() };
      this.opts.changed();
    }
    return new DeskError('storage', fault.message ?? 'the desk could not save');
  }

  /** A write succeeded: a storage problem shown earlier is over. */
  recovered(): void {
    if (this.health.status === 'ok') return;
    this.health = { ...this.health, status: 'ok', message: null, since: Date.now() };
    this.opts.changed();
  }

  /** The cache was rebuilt at open from a damaged file (shown until the desk restarts). */
  rebuilt(outboxLost: boolean): void {
    this.health = { ...this.health, rebuiltAt: Date.now(), outboxLost };
  }
}
