// Live clerk-list changes (issue 5): when a store's clerks change at HQ — through the ingest routes
// in this process, or `npm run hq:admin` writing the database from another one — a `clerks.updated`
// event goes into that store's log, so connected desks refetch GET /v1/clerks at once instead of at
// their next reconnect. The ingest route calls check() right after it commits; a timer calls it
// every ~1 s (like the revocation poll) for writes from other processes. One small GROUP BY per call.
import { type EventLog } from '../eventLog.ts';
import { type HqStorage } from '../../ports/store.ts';

export class ClerkWatch {
  private stamps: Map<string, string>;

  constructor(
    private readonly storage: HqStorage,
    private readonly eventLog: EventLog,
  ) {
    this.stamps = storage.clerks.clerkStamps();
  }

  /** Appends `clerks.updated` to the log of every store whose clerks changed since the last check; returns those stores. */
  check(now = Date.now()): string[] {
    const next = this.storage.clerks.clerkStamps();
    const changed = [...next].filter(([storeId, stamp]) => this.stamps.get(storeId) !== stamp).map(([storeId]) => storeId);
    this.stamps = next;
    const known = changed.filter((storeId) => this.storage.getStore(storeId));
    if (known.length) this.eventLog.write((append) => known.forEach((storeId) => append(storeId, 'clerks.updated', { storeId }, now)));
    return known;
  }
}
