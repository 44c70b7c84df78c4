// Holds run out: an active hold past its `until` is released as `expired` through the store's
// event log, so the pair shows as available again on every desk and the member page.
//
// Every HQ node runs the sweep; each hold expires once. The due holds are read outside any write,
// then each store's are released in transactions of up to 50 (storeSweep.ts writeInTurns), each
// taking the store's lock and checking each hold again (still active, still due), so a node that
// comes second — or a clerk who released or collected it in between — finds nothing to do (as
// hq/app/unserved.ts does for visits).
import { type Hold, HOLD_REQUEST_TTL_MS, type HoldRequest } from '../../../shared/holds.ts';
import { type EventLog } from '../eventLog.ts';
import { createSystemTask } from '../tasks/system.ts';
import { byStore, writeInTurns } from '../storeSweep.ts';

/**
 * How long before a hold runs out the store is reminded: a day, so the clerk can still call the
 * member ("your pair is kept until tomorrow 18:00") before the pair goes back on the shelf.
 */
export const HOLD_REMINDER_MS = 24 * 60 * 60 * 1000;

/** Holds released per sweep at most; a backlog is worked off over a few sweeps. */
const BATCH = 500;
/**
 * Holds reminded per sweep at most: more than BATCH, as a reminder is due as its hold enters its
 * last day, not after it; a backlog (the holds made before schema step 26, each marked by the
 * first sweep that finds its task) is worked off over a few sweeps.
 */
const REMIND_BATCH = 2_000;

/** Releases every hold due at `now`; answers how many this call released. */
export async function sweepExpiredHolds(log: EventLog, now: number): Promise<number> {
  const due = await log.store.read((r) => r.holds.dueHolds(now, BATCH));
  return writeInTurns(byStore(due, (h) => h.storeId, (h) => h.id), (storeId, ids) =>
    log.write(async (tx, append) => {
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
    }),
  );
}

/**
 * A hold about to expire becomes a follow-up task ("hold expiring": call the member) for the clerk
 * who placed it, due when the reminder window opens. Every node may run it; the task id
 * (`hold:<store>:<hold id>`, made from the trigger) makes it one task per hold, and it is written
 * under the store's lock with the hold read again: a hold collected or released meanwhile makes none.
 * Answers how many tasks were made.
 */
export async function remindExpiringHolds(log: EventLog, now: number): Promise<number> {
  const due = await log.store.read((r) => r.holds.toRemind(now, now + HOLD_REMINDER_MS, REMIND_BATCH));
  return writeInTurns(byStore(due, (h) => h.storeId, (h) => h.id), (storeId, ids) =>
    log.write(async (tx, append) => {
      await tx.lockStore(storeId);
      let n = 0;
      for (const id of ids) {
        const hold = await tx.holds.getHold(id);
        if (!hold || hold.status !== 'active' || hold.until <= now) continue;
        // Marked in the transaction that makes the task (or finds it made, by another node or
        // before step 26): one commit has both, so a marked hold always has its task.
        await tx.holds.markReminded(hold.id);
        const { created } = await createSystemTask(
          tx,
          append,
          { storeId, memberId: hold.member.id, kind: 'hold_expiring', refId: hold.id, dueAt: Math.max(now, hold.until - HOLD_REMINDER_MS), assignee: hold.by.clerkId ?? null },
          now,
        );
        if (created) n++;
      }
      return n;
    }),
  );
}

/**
 * Cross-store requests nobody answered within HOLD_REQUEST_TTL_MS lapse as `expired`, told to both
 * stores' desks (`hold.answered`, `by` null), so the asking clerk stops waiting and can ask another
 * store. Once per request on any number of nodes: both stores are locked (in id order, as a desk's
 * answer locks them) and the request read again — one answered meanwhile is left as it is.
 */
export async function expireStaleRequests(log: EventLog, now: number): Promise<number> {
  const stale = await log.store.read((r) => r.holds.stalePendingRequests(now - HOLD_REQUEST_TTL_MS, BATCH));
  // One transaction per request (it locks both its stores), each its own turn.
  return writeInTurns(byStore(stale, (r) => r.id, (r) => r), (id, [seen]) =>
    log.write(async (tx, append) => {
      const { fromStoreId, toStoreId } = seen!;
      for (const storeId of [...new Set([fromStoreId, toStoreId])].sort()) await tx.lockStore(storeId);
      const current = await tx.holds.getRequest(id);
      if (!current || current.status !== 'pending' || current.requestedAt >= now - HOLD_REQUEST_TTL_MS) return 0;
      const request: HoldRequest = { ...current, status: 'expired', answeredAt: now, answeredBy: null };
      await tx.holds.putRequest(request);
      await append(toStoreId, 'hold.answered', { request, by: null, opId: null }, now);
      if (fromStoreId !== toStoreId) await append(fromStoreId, 'hold.answered', { request, by: null, opId: null }, now);
      return 1;
    }),
  );
}
