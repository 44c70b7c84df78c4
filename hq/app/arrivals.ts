// A member walked in. A new visit raises an `arrival` (with the profile and recommendations
// computed now); the same member again within 30 minutes of the open visit's last sighting only
// bumps that visit (`visit.updated`), so the counter is not alerted twice for one person.
import { type ArrivalSource, type Visit } from '../../shared/domain.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type HqStore, type HqTx, type MemberRecord } from '../ports/store.ts';
import { type Append, type EventLog } from './eventLog.ts';
import { ProfileBuilder } from './profiles.ts';

export const REPEAT_WINDOW_MS = 30 * 60 * 1000;

export interface ArrivalResult {
  status: 'created' | 'updated';
  visitId: string;
  seq: number;
}

export interface ArrivalArgs {
  storeId: string;
  member: MemberRecord;
  source: ArrivalSource;
  at: number;
}

/** Records one arrival in its own transaction. */
export function recordArrival(
  log: EventLog,
  args: ArrivalArgs,
  /** Runs inside the transaction with the result, e.g. to remember an Idempotency-Key atomically. */
  alsoInTransaction?: (result: ArrivalResult, tx: HqTx) => Promise<void>,
): Promise<ArrivalResult> {
  return log.write(async (tx, append) => {
    const result = await applyArrival(log.store, tx, append, args);
    await alsoInTransaction?.(result, tx);
    return result;
  });
}

/**
 * The arrival as part of the caller's change (e.g. one `write()` of an `EventLog.batch`): reads
 * and writes through `tx`, announces through `append`. `store` is the port `tx` belongs to; it
 * only keys this node's catalog cache.
 */
export async function applyArrival(store: HqStore, tx: HqTx, append: Append, args: ArrivalArgs): Promise<ArrivalResult> {
  const { storeId, member, source, at } = args;
  // Two arrivals of one member on two nodes must find one visit, not open two.
  await tx.lockStore(storeId);
  const open = await tx.findOpenVisit(storeId, member.id, at - REPEAT_WINDOW_MS);
  if (open) {
    const visit: Visit = { ...open, arrivals: open.arrivals + 1, lastSeenAt: Math.max(open.lastSeenAt, at) };
    await tx.updateVisit(visit);
    const ev = await append(storeId, 'visit.updated', { visit });
    return { status: 'updated', visitId: visit.id, seq: ev.seq };
  }
  const visit: Visit = {
    id: uuidv7(),
    storeId,
    memberId: member.id,
    source,
    status: 'open',
    arrivedAt: at,
    lastSeenAt: at,
    arrivals: 1,
    claimedBy: null,
    claimedAt: null,
    closedAt: null,
    outcome: null,
    notes: [],
  };
  await tx.insertVisit(visit);
  const profile = await (await ProfileBuilder.cached(store, tx, storeId, Date.now())).profile(member);
  const ev = await append(storeId, 'arrival', { visit, profile });
  return { status: 'created', visitId: visit.id, seq: ev.seq };
}
