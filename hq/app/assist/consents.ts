// The member's own consent choices (7/8, PIPL Art. 24 and Art. 14): personalised suggestions,
// offers and announcements, being contacted by a clerk — each a purpose of its own, each changed by
// the member from the member page (PUT /v1/member/consents).
//
// Invariant: a change reaches every desk that shows the member, in the transaction of the change —
// `member.updated` with a fresh profile (built under the new consents, so a member who opted out of
// personalisation gets a card that uses none of their data) goes to the member's home store and to
// every store where they have an open visit a desk holds. A request that changes nothing appends
// nothing, so a member page sending its switches again costs the stores no events.
import { type MemberConsentsBody } from '../../../shared/assist.ts';
import { type Consents } from '../../../shared/domain.ts';
import { type HqStore } from '../../ports/store.ts';
import { type EventLog } from '../eventLog.ts';
import { ProfileBuilder } from '../profiles.ts';
import { SNAPSHOT_DAYS } from '../snapshot.ts';

export class ConsentsError extends Error {
  constructor(
    readonly code: 'not_found',
    message: string,
  ) {
    super(message);
  }
}

/** The member's consents as HQ keeps them. */
export async function memberConsents(store: HqStore, memberId: string): Promise<Consents> {
  const member = await store.read((r) => r.getMember(memberId));
  if (!member) throw new ConsentsError('not_found', 'no such member');
  return member.consents;
}

/** Applies the member's choices; answers the consents now kept and the stores told. */
export function setMemberConsents(log: EventLog, memberId: string, body: MemberConsentsBody, now: number): Promise<{ consents: Consents; stores: string[] }> {
  return log.write(async (tx, append) => {
    const member = await tx.getMember(memberId);
    if (!member) throw new ConsentsError('not_found', 'no such member');
    const consents: Consents = { ...member.consents, ...body };
    const changed = (Object.keys(consents) as Array<keyof Consents>).some((k) => consents[k] !== member.consents[k]);
    if (!changed) return { consents, stores: [] };
    const record = { ...member, consents, updatedAt: now };
    await tx.upsertMember(record);
    // The home store keeps the member on its desks; a store with an open visit shows their card now.
    const stores = [member.homeStoreId];
    for (const s of await tx.listStores()) {
      if (s.id !== member.homeStoreId && (await tx.findOpenVisit(s.id, memberId, now - SNAPSHOT_DAYS * 24 * 60 * 60 * 1000))) stores.push(s.id);
    }
    for (const storeId of stores) {
      if (!(await tx.getStore(storeId))) continue;
      const profile = await (await ProfileBuilder.load(tx, storeId, now)).profile(record);
      await append(storeId, 'member.updated', { profile }, now);
    }
    return { consents, stores };
  });
}
