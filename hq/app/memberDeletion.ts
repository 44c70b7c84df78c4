// Erasing a member (a privacy request): HQ deletes the member's data and tells every store's desks
// with a `member.deleted` event, in one transaction. Older events of a store's log that carry the
// member's data (an arrival's profile, a chat message) are trimmed away as well: a desk resuming
// from before them gets `reset` (gap_too_old) and reloads a snapshot that no longer has the member,
// so the log never hands the erased data out again.
//
// Groups (5/8) need nothing more here: `tx.deleteMember` deletes the member's memberships, group
// messages and announcement push records (a group's member count is counted from its memberships),
// and `member.deleted` is what tells the desks to drop the member's group messages and membership
// by `memberId` (docs/protocol.md, Groups) — no `group.membership` event is appended for an erasure.
import { type StoredEvent } from '../ports/store.ts';
import { type EventLog } from './eventLog.ts';
import { forgetMember as forgetRestockMember } from './assist/restockMatches.ts'; // 7/8 restock

export interface DeletionResult {
  memberId: string;
  /** The `member.deleted` event per store. */
  events: Pick<StoredEvent, 'storeId' | 'seq'>[];
  /** Log entries trimmed because they carried the member's data. */
  trimmed: number;
}

export function deleteMember(log: EventLog, memberId: string, now = Date.now()): Promise<DeletionResult | null> {
  return log.write(async (tx, append): Promise<DeletionResult | null> => {
    if (!(await tx.getMember(memberId))) return null;
    // Their purchases go too: the popularity of the stores they were made at changes.
    const boughtAt = (await tx.purchasesOf(memberId, -1)).map((p) => p.storeId);
    await tx.deleteMember(memberId);
    if (boughtAt.length > 0) await tx.catalogChanged(boughtAt);
    await forgetRestockMember(tx, memberId); // 7/8 restock: they leave every restock match
    const needle = JSON.stringify(memberId);
    const events: DeletionResult['events'] = [];
    let trimmed = 0;
    for (const store of await tx.listStores()) {
      const last = await tx.lastEventMentioning(store.id, needle);
      const oldest = last === null ? null : ((await tx.oldestSeq(store.id)) ?? last + 1);
      // Appending first holds the store's seq counter until commit, so `ev.seq - last` keeps
      // exactly the events after `last` even with writers on other nodes.
      const ev = await append(store.id, 'member.deleted', { memberId }, now);
      if (last !== null && oldest !== null) {
        trimmed += Math.max(0, last - oldest + 1);
        await tx.trimEvents(store.id, ev.seq - last);
      }
      events.push({ storeId: store.id, seq: ev.seq });
    }
    return { memberId, events, trimmed };
  });
}
