// Group events into the cache (called by sync.ts `applyEvent`, inside its transaction). Groups,
// messages, memberships and invites are replaced whole by each event about them, so applying the
// log in order leaves the newest state; the event naming this desk's op settles it.
import type { EvFrame, Snapshot } from '../../../shared/protocol.ts';
import type { CacheQueries } from '../cache/queries.ts';

export type GroupEvent = Extract<EvFrame, { type: 'group.updated' | 'group.message' | 'group.messageChanged' | 'group.membership' | 'group.read' | 'group.invite' }>;

export const isGroupEvent = (ev: EvFrame): ev is GroupEvent => ev.type.startsWith('group.');

/** Applies one group event; answers the group it changed and the op it settles (this desk's), if any. */
export function applyGroupEvent(q: CacheQueries, ev: GroupEvent): { groupId: string; settledOpId: string | null } {
  let groupId: string;
  switch (ev.type) {
    case 'group.updated': {
      // The event's group is whole, but its message position may trail messages already applied.
      const known = q.groups.getGroup(ev.data.group.id);
      const g = ev.data.group;
      q.groups.putGroup(known && known.lastN > g.lastN ? { ...g, lastN: known.lastN, lastAt: known.lastAt } : g);
      groupId = g.id;
      break;
    }
    case 'group.message':
    case 'group.messageChanged':
      q.groups.putMessage(ev.data.message);
      groupId = ev.data.message.groupId;
      break;
    case 'group.membership':
      q.groups.putMembership(ev.data.membership, ev.data.memberCount);
      // Leaving anonymises the member's past messages here as at HQ (docs/protocol.md, Groups).
      if (ev.data.membership.status === 'left') q.groups.anonymiseMember(ev.data.membership.groupId, ev.data.membership.memberId);
      groupId = ev.data.membership.groupId;
      break;
    case 'group.read':
      q.groups.setStoreRead(ev.data.groupId, ev.data.storeReadN);
      groupId = ev.data.groupId;
      break;
    case 'group.invite':
      q.groups.putInvite(ev.data.invite);
      groupId = ev.data.invite.groupId;
      break;
  }
  const opId = ev.data.opId;
  return { groupId, settledOpId: opId && q.deleteOp(opId) ? opId : null };
}

/** The snapshot's groups (the tables were wiped with the rest of HQ's state). */
export function applyGroupSnapshot(q: CacheQueries, snap: Snapshot): void {
  for (const { group, messages, members, invites } of snap.groups ?? []) {
    q.groups.putGroup(group);
    for (const m of messages) q.groups.putMessage(m);
    for (const m of members) q.groups.putMembership(m);
    for (const i of invites) q.groups.putInvite(i);
  }
}
