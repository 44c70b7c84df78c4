// A member walked in. A new visit raises an `arrival` (with the profile and recommendations
// computed now); the same member again within 30 minutes of the open visit's last sighting only
// bumps that visit (`visit.updated`), so the counter is not alerted twice for one person.
import { type ArrivalSource, type Visit } from '../../shared/domain.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type HqStorage, type MemberRecord } from '../ports/store.ts';
import { type Append, type EventLog } from './eventLog.ts';
import { ProfileBuilder } from './profiles.ts';

export const REPEAT_WINDOW_MS = 30 * 60 * 1000;

export interface ArrivalResult {
  status: 'created' | 'updated';
  visitId: string;
  seq: number;
}

export function recordArrival(
  storage: HqStorage,
  log: EventLog,
  args: { storeId: string; member: MemberRecord; source: ArrivalSource; at: number },
  /** Runs inside the transaction with the result, e.g. to remember an Idempotency-Key atomically. */
  alsoInTransaction?: (result: ArrivalResult) => void,
): ArrivalResult {
  const { storeId, member, source, at } = args;
  return log.write((append) => {
    const result = applyArrival(storage, append, storeId, member, source, at);
    alsoInTransaction?.(result);
    return result;
  });
}

function applyArrival(storage: HqStorage, append: Append, storeId: string, member: MemberRecord, source: ArrivalSource, at: number): ArrivalResult {
  {
    const open = storage.findOpenVisit(storeId, member.id, at - REPEAT_WINDOW_MS);
    if (open) {
      const visit: Visit = { ...open, arrivals: open.arrivals + 1, lastSeenAt: Math.max(open.lastSeenAt, at) };
      storage.updateVisit(visit);
      const ev = append(storeId, 'visit.updated', { visit });
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
    storage.insertVisit(visit);
    const profile = ProfileBuilder.cached(storage, storeId, Date.now()).profile(member);
    const ev = append(storeId, 'arrival', { visit, profile });
    return { status: 'created', visitId: visit.id, seq: ev.seq };
  }
}
