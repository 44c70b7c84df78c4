// Arrivals nobody claimed leave the queue: a visit still open when its store's wait ran out (the
// member last seen `unservedAfterMin` ago) or the store closed is closed as `left` — not served —
// through the store's event log, so every desk's queue converges and reports count it unserved.
//
// Every HQ node runs the sweep; only one closes each visit. The candidates are read outside any
// write, then each store's are closed in transactions of up to 50 (a turn of the event loop between
// them, storeSweep.ts), each taking the store's lock first and checking each visit again (still
// open, still past the cutoff), so a node that comes second, or a claim that committed in between,
// finds nothing to do. Running it twice is harmless.
import { type Visit } from '../../shared/domain.ts';
import { leftAt, unservedCutoff } from '../../shared/storeSettings.ts';
import { type EventLog } from './eventLog.ts';
import { byStore, readStoreSlices, writeInTurns } from './storeSweep.ts';

/**
 * Visits closed per slice of stores (STORES_PER_SLICE) and sweep at most, oldest first: a backlog
 * (an HQ down for a day) is worked off over a few sweeps.
 */
const BATCH = 500;

/** Closes every visit left unserved at `now`; answers how many. */
export async function sweepUnserved(log: EventLog, now: number): Promise<number> {
  // One read per slice of stores, each store with its own cutoff (its opening hours and wait).
  const due = await readStoreSlices(log.store, async (r, stores) => {
    const waiting = await r.waitingSeenBefore(
      stores.map((s) => ({ storeId: s.id, before: unservedCutoff(s.settings, now) })),
      BATCH,
    );
    return [...byStore(waiting, (v) => v.storeId, (v) => v.id)].map(([storeId, ids]) => ({ storeId, ids }));
  });
  return writeInTurns(new Map(due.map((d) => [d.storeId, d.ids])), (storeId, ids) =>
    log.write(async (tx, append) => {
      await tx.lockStore(storeId);
      const store = await tx.getStore(storeId);
      if (!store) return 0;
      const cutoff = unservedCutoff(store.settings, now);
      let n = 0;
      for (const id of ids) {
        const current = await tx.getVisit(id);
        // Claimed, closed or seen again since the read: not (or no longer) left unserved.
        if (!current || current.status !== 'open' || current.lastSeenAt >= cutoff) continue;
        const visit: Visit = { ...current, status: 'closed', outcome: 'left', closedAt: leftAt(store.settings, current.lastSeenAt, now) };
        await tx.updateVisit(visit);
        await append(storeId, 'visit.closed', { visit, by: null, opId: null }, now);
        n++;
      }
      return n;
    }),
  );
}
