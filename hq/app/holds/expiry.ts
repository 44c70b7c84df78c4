// Holds run out: an active hold past its `until` is released as `expired` through the store's
// event log, so the pair shows as available again on every desk and the member page.
//
// Every HQ node runs the sweep; each hold expires once. The due holds are read outside any write,
// then each store's are released in one transaction that takes the store's lock and checks each
// hold again (still active, still due), so a node that comes second — or a clerk who released or
// collected it in between — finds nothing to do (as hq/app/unserved.ts does for visits).
import { type Hold } from '../../../shared/holds.ts';
import { type EventLog } from '../eventLog.ts';

/** Holds released per sweep at most; a backlog is worked off over a few sweeps. */
const BATCH = 500;

/** Releases every hold due at `now`; answers how many this call released. */
export async function sweepExpiredHolds(log: EventLog, now: number): Promise<number> {
  const due = await log.store.read((r) => r.holds.dueHolds(now, BATCH));
  const byStore = new Map<string, string[]>();
  for (const { storeId, id } of due) byStore.set(storeId, [...(byStore.get(storeId) ?? []), id]);
  let released = 0;
  for (const [storeId, ids] of byStore) {
    released += await log.write(async (tx, append) => {
      await tx.lockStore(storeId);
      let n = 0;
      for (const id of ids) {
        const current = await tx.holds.getHold(id);
        if (!current || current.status !== 'active' || current.until > now) continue;
        const hold: Hold = { ...current, status: 'expired', endedAt: current.until, endedBy: null };
        await tx.holds.putHold(hold);
        await append(storeId, 'hold.released', { hold, by: null, opId: null }, now);
        n++;
      }
      return n;
    });
  }
  return released;
}
