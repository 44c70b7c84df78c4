// Erasing a member (a privacy request): HQ deletes the member's data and tells every store's desks
// with a `member.deleted` event, in one transaction. Older events of a store's log that carry the
// member's data (an arrival's profile, a chat message) are trimmed away as well: a desk resuming
// from before them gets `reset` (gap_too_old) and reloads a snapshot that no longer has the member,
// so the log never hands the erased data out again.
import { type StoredEvent } from '../ports/store.ts';
import { type HqStorage } from '../ports/store.ts';
import { type EventLog } from './eventLog.ts';

export interface DeletionResult {
  memberId: string;
  /** The `member.deleted` event per store. */
  events: Pick<StoredEvent, 'storeId' | 'seq'>[];
  /** Log entries trimmed because they carried the member's data. */
  trimmed: number;
}

export function deleteMember(storage: HqStorage, log: EventLog, memberId: string, now = Date.now()): DeletionResult | null {
  return log.write((append) => {
    if (!storage.getMember(memberId)) return null;
    storage.deleteMember(memberId);
    const needle = JSON.stringify(memberId);
    const events: DeletionResult['events'] = [];
    let trimmed = 0;
    for (const store of storage.listStores()) {
      const last = storage.lastEventMentioning(store.id, needle);
      if (last !== null) {
        const oldest = storage.oldestSeq(store.id) ?? last + 1;
        trimmed += Math.max(0, last - oldest + 1);
        storage.trimEvents(store.id, store.head - last);
      }
      const ev = append(store.id, 'member.deleted', { memberId }, now);
      events.push({ storeId: store.id, seq: ev.seq });
    }
    return { memberId, events, trimmed };
  });
}
