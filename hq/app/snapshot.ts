// GET /v1/snapshot: one store's state at one position, read in a single read transaction so the
// position matches the data exactly (the desk resumes from it and misses nothing).
import { type MemberProfile } from '../../shared/domain.ts';
import { type Snapshot } from '../../shared/protocol.ts';
import { type HqStorage } from '../ports/store.ts';
import { ProfileBuilder, toDeskMember } from './profiles.ts';

export const SNAPSHOT_DAYS = 3;
/** Chat in a snapshot: conversations active in the last 30 days, each with its newest messages. */
export const SNAPSHOT_CHAT_DAYS = 30;
export const SNAPSHOT_CHAT_MESSAGES = 50;

export function takeSnapshot(storage: HqStorage, storeId: string, now = Date.now()): Snapshot {
  return storage.read(() => {
    const store = storage.getStore(storeId);
    if (!store) throw new Error(`unknown store ${storeId}`);
    const visits = storage.visitsSince(storeId, now - SNAPSHOT_DAYS * 24 * 60 * 60 * 1000);
    const builder = new ProfileBuilder(storage, storeId, now);
    const profiles: MemberProfile[] = [];
    const seen = new Set<string>();
    for (const v of visits) {
      if (seen.has(v.memberId)) continue;
      seen.add(v.memberId);
      const member = storage.getMember(v.memberId);
      if (member) profiles.push(builder.profile(member));
    }
    return {
      storeId,
      storeName: store.name,
      position: { epoch: store.epoch, seq: store.head },
      visits,
      profiles,
      members: storage.listHomeMembers(storeId).map(toDeskMember),
      conversations: storage.chat.listConversations(storeId, now - SNAPSHOT_CHAT_DAYS * 24 * 60 * 60 * 1000, 500).map((c) => ({
        memberId: c.memberId,
        receipts: c.receipts,
        messages: storage.chat.messages(storeId, c.memberId, null, SNAPSHOT_CHAT_MESSAGES),
      })),
    };
  });
}
