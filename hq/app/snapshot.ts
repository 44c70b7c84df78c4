// GET /v1/snapshot: one store's state at one position, read in a single read transaction so the
// position matches the data exactly (the desk resumes from it and misses nothing).
import { type MemberProfile } from '../../shared/domain.ts';
import { type Snapshot } from '../../shared/protocol.ts';
import { type LiveReservation } from '../../shared/live.ts'; // 6/8 livefix
import { type HqStore, type HqTx } from '../ports/store.ts';
import { ProfileBuilder, toDeskMember } from './profiles.ts';
import { holdsSnapshot } from './holds/reads.ts'; // 4/8 part C
import { expectedSnapshot } from './expected/expectations.ts'; // 5/8 expected visits
import { RESTOCK_MATCH_DAYS } from '../../shared/assist.ts'; // 7/8 restock
import { restockSnapshot } from './assist/restockMatches.ts'; // 7/8 restock
import { HANDOVER_SNAPSHOT_MAX, HANDOVER_SNAPSHOT_MS } from './assist/assistant.ts'; // 7/8 assistant

export const SNAPSHOT_DAYS = 3;
/** Chat in a snapshot: conversations active in the last 30 days, each with its newest messages. */
export const SNAPSHOT_CHAT_DAYS = 30;
export const SNAPSHOT_CHAT_MESSAGES = 50;
/** Follow-up tasks in a snapshot: every open one, and those done or changed in the last 7 days. */
export const SNAPSHOT_TASK_DAYS = 7;
export const SNAPSHOT_TASKS = 2000;
/**
 * Groups in a snapshot (5/8): every open group of the store and those closed in the last 30 days,
 * each with its newest 50 messages (oldest first), its active members (at most 500: a bigger
 * group's desk pages the rest in as it needs them) and its live invite links.
 */
export const SNAPSHOT_GROUP_DAYS = 30;
export const SNAPSHOT_GROUP_MESSAGES = 50;
export const SNAPSHOT_GROUP_MEMBERS = 500;

/** Ended live rooms stay in a desk's snapshot this long (6/8), with their questions, polls and lotteries. */
export const SNAPSHOT_LIVE_DAYS = 30;

export function takeSnapshot(store: HqStore, storeId: string, now = Date.now()): Promise<Snapshot> {
  return store.read(async (r): Promise<Snapshot> => {
    const record = await r.getStore(storeId);
    if (!record) throw new Error(`unknown store ${storeId}`);
    const visits = await r.visitsSince(storeId, now - SNAPSHOT_DAYS * 24 * 60 * 60 * 1000);
    const builder = await ProfileBuilder.load(r, storeId, now);
    const profiles: MemberProfile[] = [];
    const seen = new Set<string>();
    for (const v of visits) {
      if (seen.has(v.memberId)) continue;
      seen.add(v.memberId);
      const member = await r.getMember(v.memberId);
      if (member) profiles.push(await builder.profile(member, v.id)); // 7/8 nba: the newest visit is this one, not "last seen"
    }
    const members = (await r.listHomeMembers(storeId)).map(toDeskMember);
    const conversations: NonNullable<Snapshot['conversations']> = [];
    for (const c of await r.chat.listConversations(storeId, now - SNAPSHOT_CHAT_DAYS * 24 * 60 * 60 * 1000, 500)) {
      conversations.push({ memberId: c.memberId, receipts: c.receipts, messages: await r.chat.messages(storeId, c.memberId, null, SNAPSHOT_CHAT_MESSAGES) });
    }
    return {
      storeId,
      storeName: record.name,
      position: { epoch: record.epoch, seq: record.head },
      visits,
      profiles,
      members,
      conversations,
      tasks: await r.tasks.tasksOfStore(storeId, now - SNAPSHOT_TASK_DAYS * 24 * 60 * 60 * 1000, SNAPSHOT_TASKS),
      ...(await holdsSnapshot(r, storeId, now)), // 4/8 part C: holds and hold requests
      groups: await groupsSnapshot(r, storeId, now), // 5/8
      expected: await expectedSnapshot(r, record, now), // 5/8: open expected visits, and those settled today
      liveRooms: await liveSnapshot(r, storeId, now), // 6/8
      restockMatches: await restockSnapshot(r, storeId, now, RESTOCK_MATCH_DAYS), // 7/8 restock
      suggestionMarks: await r.assist.marksOfVisits(visits.map((v) => v.id)), // 7/8 attribution: marks on the snapshot's visits
      handovers: await r.handovers.ofStore(storeId, now - HANDOVER_SNAPSHOT_MS, HANDOVER_SNAPSHOT_MAX), // 7/8 assistant: waiting, and settled in the last day
    };
  });
}

async function groupsSnapshot(r: HqTx, storeId: string, now: number): Promise<NonNullable<Snapshot['groups']>> {
  const out: NonNullable<Snapshot['groups']> = [];
  for (const group of await r.groups.groupsOfStore(storeId, now - SNAPSHOT_GROUP_DAYS * 24 * 60 * 60 * 1000)) {
    out.push({
      group,
      messages: await r.groups.messagesBefore(group.id, null, SNAPSHOT_GROUP_MESSAGES),
      members: await r.groups.memberships(group.id, ['active'], SNAPSHOT_GROUP_MEMBERS),
      invites: await r.groups.liveInvites(group.id, now),
    });
  }
  return out;
}

async function liveSnapshot(r: HqTx, storeId: string, now: number): Promise<NonNullable<Snapshot['liveRooms']>> {
  const out: NonNullable<Snapshot['liveRooms']> = [];
  const storeNames = new Map<string, string>();
  for (const room of await r.live.roomsOfStore(storeId, now - SNAPSHOT_LIVE_DAYS * 24 * 60 * 60 * 1000)) {
    out.push({
      room,
      questions: await r.live.questionsOfRoom(room.id),
      polls: await r.live.pollsOfRoom(room.id),
      lotteries: await r.live.lotteriesOfRoom(room.id),
      // 6/8 livefix: what `live.reserved` and `live.muted` told, for a desk set up after them
      reservations: await liveReservations(r, room.id, storeNames),
      mutes: (await r.live.mutesOfRoom(room.id, now)).map(({ ref, ...m }) => ({ roomId: room.id, ...m, ...(ref ? { ref } : {}) })),
    });
  }
  return out;
}

/**
 * A room's reservations as `live.reserved` told them, newest first: its referrals with a hold (at
 * whichever store the viewer chose), each hold and expected visit as they are now. An erased
 * member's referrals are gone with them, so are their reservations.
 */
async function liveReservations(r: HqTx, roomId: string, storeNames: Map<string, string>): Promise<LiveReservation[]> {
  const out: LiveReservation[] = [];
  for (const ref of (await r.live.referralsOfRoom(roomId)).reverse()) {
    const hold = ref.holdId ? await r.holds.getHold(ref.holdId) : null;
    if (!hold) continue;
    if (!storeNames.has(hold.storeId)) storeNames.set(hold.storeId, (await r.getStore(hold.storeId))?.name ?? '');
    const expected = ref.expectedId ? await r.expected.getExpected(ref.expectedId) : null;
    out.push({ roomId, hold, storeName: storeNames.get(hold.storeId)!, expected });
  }
  return out;
}
