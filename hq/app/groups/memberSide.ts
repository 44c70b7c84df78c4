// A member's side of groups (5/8): listing, previewing a link, joining, leaving, reading, sending and
// recalling, and the chain's community settings. The member edge (hq/edge/http/groupRoutes.ts and
// the member socket) calls this; it checks nothing of the session itself (the edge passes the
// signed-in member's id).
//
// Invariants:
// - Every change a store's desks must know (a join, a leave, a message, a recall, a nickname) is the
//   state change plus its `group.*` event in the group's store's log, in ONE transaction, under that
//   store's lock (`tx.lockStore`), so the next message number, the slow-mode check and the member
//   count are read and written without a race, on one node or many.
// - A member's own read position moves without an event: the store's desks never need it.
// - A member sees other members only by nickname: the views built here (`toMemberMessage`,
//   `toMemberView`) carry no member ids, no desk names, no announcement reach.
// - A send is idempotent by (member, clientId): a resend returns the original message, even if a
//   rule (mute, slow mode, the per-minute limit) would refuse a new one now.
import { type z } from 'zod';
import { uuidv7 } from '../../../shared/ids.ts';
import { blockedKeyword, CommunitySettings, type Group, type GroupMembership, type GroupMessage, type InvitePreview, type JoinGroupBody, type JoinGroupResponse, type MemberGroupMessage, type MemberGroupPage, type MemberGroupPatch, type MemberGroupSendBody, type MemberGroupsResponse, type MemberGroupView, renderWelcome } from '../../../shared/groups.ts';
import { GROUP_MEMBER_MESSAGES_PER_MIN } from '../../../shared/limits.ts';
import { RECALL_WINDOW_MS } from '../../../shared/limits.ts';
import { type HqTx } from '../../ports/store.ts';
import { HISTORY_PAGE_MAX } from '../chat/service.ts';
import { type Append, type EventLog } from '../eventLog.ts';
import { emptied, GroupError, MINUTE_MS, shanghaiMinute } from './rules.ts';

export { GroupError } from './rules.ts';

/** Chain groups offered to a member to join without a link (newest first). */
export const JOINABLE_MAX = 50;

/** A group message as the member `viewerId` sees it (null: nobody in particular, e.g. a preview). */
export function toMemberMessage(m: GroupMessage, viewerId: string | null, hostNames?: ReadonlyMap<string, string>): MemberGroupMessage {
  const clerkId = m.from === 'host' ? m.by?.clerkId : undefined;
  const hostName = m.from === 'host' ? ((clerkId !== undefined ? hostNames?.get(clerkId) : undefined) ?? m.by?.clerkName ?? null) : null;
  // Built field by field (not spread and deleted): a field added to GroupMessage later must be
  // chosen here before a member sees it.
  return {
    id: m.id,
    groupId: m.groupId,
    n: m.n,
    clientId: m.clientId,
    from: m.from,
    nickname: m.nickname,
    kind: m.kind,
    body: m.body,
    product: m.product,
    image: m.image,
    replyTo: m.replyTo,
    // How many members an announcement reached is the store's business, not the members'.
    reach: null,
    at: m.at,
    recalledAt: m.recalledAt,
    deletedAt: m.deletedAt,
    mine: viewerId !== null && m.from === 'member' && m.memberId === viewerId,
    hostName,
    forMe: viewerId !== null && m.forMemberId === viewerId,
  };
}

/** A group as a member sees it, with their own membership (null: not a member) folded in. */
export function toMemberView(g: Group, storeName: string, me: GroupMembership | null): MemberGroupView {
  return {
    id: g.id,
    storeId: g.storeId,
    storeName,
    scope: g.scope,
    name: g.name,
    topic: g.topic,
    notice: g.notice,
    noticeAt: g.noticeAt,
    slowModeSec: g.slowModeSec,
    hostNames: g.hosts.map((h) => h.clerkName),
    memberCount: g.memberCount,
    lastN: g.lastN,
    lastAt: g.lastAt,
    closed: g.closedAt !== null,
    me: me && me.status === 'active' ? { nickname: me.nickname, readN: me.readN, mutedUntil: me.mutedUntil, notificationsOff: me.notificationsOff ?? false } : null,
  };
}

export class GroupMemberService {
  constructor(
    private readonly log: EventLog,
    private readonly now: () => number = Date.now,
  ) {}

  // --- reads ----------------------------------------------------------------------------------

  /** The member's groups (newest activity first) and the open chain groups they may join. */
  list(memberId: string): Promise<z.infer<typeof MemberGroupsResponse>> {
    return this.log.store.read(async (r) => {
      const names = storeNames(r);
      const mine = await r.groups.membershipsOfMember(memberId);
      const groups: MemberGroupView[] = [];
      for (const m of mine.filter((x) => x.status === 'active')) {
        const g = await r.groups.getGroup(m.groupId);
        if (g) groups.push(toMemberView(g, await names(g.storeId), m));
      }
      groups.sort((a, b) => (b.lastAt ?? 0) - (a.lastAt ?? 0));
      // Not offered: groups they are in, and groups a host removed them from.
      const skip = new Set(mine.filter((x) => x.status !== 'left').map((x) => x.groupId));
      const joinable: MemberGroupView[] = [];
      for (const g of await r.groups.chainGroups(JOINABLE_MAX)) {
        if (!skip.has(g.id) && g.closedAt === null) joinable.push(toMemberView(g, await names(g.storeId), null));
      }
      return { groups, joinable };
    });
  }

  /** What an invite link leads to (no session needed): enough to decide, nothing about members. */
  preview(token: string): Promise<z.infer<typeof InvitePreview>> {
    return this.log.store.read(async (r) => {
      const invite = await r.groups.inviteByToken(token);
      const group = invite && (await r.groups.getGroup(invite.groupId));
      if (!invite || !group) throw new GroupError('not_found', 'no such invite link');
      const valid = invite.revokedAt === null && invite.expiresAt > this.now() && group.closedAt === null;
      return { groupId: group.id, name: group.name, topic: group.topic, storeName: await storeNames(r)(group.storeId), memberCount: group.memberCount, valid };
    });
  }

  /** A page of the group's messages, oldest first: `after` (newer than N) or `before` (older than N, default the newest). */
  page(memberId: string, groupId: string, q: { after?: number; before?: number; limit: number }): Promise<z.infer<typeof MemberGroupPage>> {
    return this.log.store.read(async (r) => {
      const { group } = await activeIn(r, memberId, groupId);
      const limit = Math.min(Math.max(1, Math.floor(q.limit)), HISTORY_PAGE_MAX);
      let rows: GroupMessage[];
      let hasMore: boolean;
      if (q.after !== undefined) {
        // One more than asked tells whether newer ones remain.
        rows = await r.groups.messagesAfter(groupId, q.after, limit + 1);
        hasMore = rows.length > limit;
        rows = rows.slice(0, limit);
      } else {
        rows = await r.groups.messagesBefore(groupId, q.before ?? null, limit + 1);
        hasMore = rows.length > limit;
        rows = rows.slice(-limit);
      }
      const hostNames = new Map(group.hosts.map((h) => [h.clerkId, h.clerkName]));
      return { messages: rows.map((m) => toMemberMessage(m, memberId, hostNames)), hasMore, lastN: group.lastN };
    });
  }

  /** The active group ids of a member and their stores (the member socket follows those stores' feeds). */
  groupsOf(memberId: string): Promise<Array<{ groupId: string; storeId: string }>> {
    return this.log.store.read(async (r) => {
      const out: Array<{ groupId: string; storeId: string }> = [];
      for (const m of await r.groups.membershipsOfMember(memberId)) {
        if (m.status !== 'active') continue;
        const g = await r.groups.getGroup(m.groupId);
        if (g) out.push({ groupId: g.id, storeId: g.storeId });
      }
      return out;
    });
  }

  /** Who of the group's members an announcement was pushed to. */
  async pushedTo(messageId: string): Promise<Set<string>> {
    return new Set(await this.log.store.read((r) => r.groups.pushedTo(messageId)));
  }

  communitySettings(): Promise<CommunitySettings> {
    return this.log.store.read((r) => r.groups.communitySettings());
  }

  /** The chain's settings (the ingest route); parsed again here so defaults and limits always hold. */
  async putCommunitySettings(s: CommunitySettings): Promise<CommunitySettings> {
    const parsed = CommunitySettings.parse(s);
    await this.log.store.withTx((tx) => tx.groups.putCommunitySettings(parsed));
    return parsed;
  }

  // --- changes --------------------------------------------------------------------------------

  /**
   * Joins by an invite token (valid, not revoked, not expired) or by a chain group's id. Joining a
   * group one is in changes nothing; rejoining after leaving is allowed; a member a host removed
   * comes back only by a link made after the removal.
   */
  join(memberId: string, body: z.infer<typeof JoinGroupBody>): Promise<z.infer<typeof JoinGroupResponse>> {
    return this.log.write(async (tx, append) => {
      if (!(await tx.getMember(memberId))) throw new GroupError('unauthorized', 'no such member');
      const invite = body.token !== undefined ? await tx.groups.inviteByToken(body.token) : null;
      if (body.token !== undefined && !invite) throw new GroupError('not_found', 'no such invite link');
      const groupId = invite ? invite.groupId : body.groupId!;
      const group = await lockedGroup(tx, groupId);
      if (!group || (!invite && group.scope !== 'chain')) throw new GroupError('not_found', 'no such group');
      const now = this.now();
      if (invite && invite.revokedAt !== null) throw new GroupError('gone', 'this invite link was revoked');
      if (invite && invite.expiresAt <= now) throw new GroupError('gone', 'this invite link has expired');
      if (group.closedAt !== null) throw new GroupError('closed', 'this group is closed');
      const before = await tx.groups.getMembership(groupId, memberId);
      const storeName = await storeNames(tx)(group.storeId);
      if (before?.status === 'active') return { group: toMemberView(group, storeName, before), welcome: renderWelcome(group.welcome, before.nickname) };
      if (before?.status === 'removed' && (!invite || invite.createdAt <= (before.endedAt ?? now))) {
        throw new GroupError('forbidden', 'a host removed you from this group; ask them for a new link');
      }
      const membership: GroupMembership = {
        groupId,
        memberId,
        nickname: body.nickname,
        status: 'active',
        joinedAt: now,
        inviteId: invite?.id ?? null,
        // A mute outlives leaving and rejoining; a new member starts read up to now.
        mutedUntil: before && before.mutedUntil !== null && before.mutedUntil > now ? before.mutedUntil : null,
        readN: group.lastN,
        endedAt: null,
        notificationsOff: before?.notificationsOff ?? false,
      };
      // memberCount is counted from the active memberships on every read (hq/ports/groupStore.ts).
      const next: Group = { ...group, memberCount: group.memberCount + 1 };
      await tx.groups.putMembership(membership);
      await append(group.storeId, 'group.membership', { membership, memberCount: next.memberCount, by: null, opId: null }, now);
      if (invite) {
        const counted = { ...invite, joins: invite.joins + 1 };
        await tx.groups.putInvite(counted);
        await append(group.storeId, 'group.invite', { invite: counted, by: null, opId: null }, now);
      }
      return { group: toMemberView(next, storeName, membership), welcome: renderWelcome(group.welcome, membership.nickname) };
    });
  }

  /** Leaves the group: the membership ends and the member's past messages there are anonymised. */
  leave(memberId: string, groupId: string): Promise<void> {
    return this.log.write(async (tx, append) => {
      const group = await lockedGroup(tx, groupId);
      const m = group && (await tx.groups.getMembership(groupId, memberId));
      if (!group || !m) throw new GroupError('not_found', 'no such group');
      if (m.status !== 'active') return; // left already (or removed): nothing more to do
      const now = this.now();
      const ended: GroupMembership = { ...m, status: 'left', endedAt: now };
      const next: Group = { ...group, memberCount: Math.max(0, group.memberCount - 1) };
      await tx.groups.putMembership(ended);
      await tx.groups.anonymiseMember(groupId, memberId);
      // The desks anonymise the member's messages they cache when they see `left` (docs/protocol.md).
      await append(group.storeId, 'group.membership', { membership: ended, memberCount: next.memberCount, by: null, opId: null }, now);
    });
  }

  /** The member's own settings in the group: notifications on or off, their nickname for new messages. */
  patch(memberId: string, groupId: string, patch: z.infer<typeof MemberGroupPatch>): Promise<MemberGroupView> {
    return this.log.write(async (tx, append) => {
      const { group, membership } = await activeIn(tx, memberId, groupId, true);
      const next: GroupMembership = {
        ...membership,
        ...(patch.nickname !== undefined ? { nickname: patch.nickname } : {}),
        ...(patch.notificationsOff !== undefined ? { notificationsOff: patch.notificationsOff } : {}),
      };
      if (next.nickname !== membership.nickname || (next.notificationsOff ?? false) !== (membership.notificationsOff ?? false)) await tx.groups.putMembership(next);
      // Hosts act on nicknames: a new one is told; the notification switch is the member's alone.
      if (next.nickname !== membership.nickname) {
        await append(group.storeId, 'group.membership', { membership: next, memberCount: group.memberCount, by: null, opId: null }, this.now());
      }
      return toMemberView(group, await storeNames(tx)(group.storeId), next);
    });
  }

  /**
   * A member's message. Refused, in this order: not an active member (`not_found`, `gone`), the
   * group closed (`closed`), muted (`muted`, saying until when), slow mode (`slow_mode`), more than
   * GROUP_MEMBER_MESSAGES_PER_MIN in the last minute (`rate_limited`), a blocked keyword
   * (`blocked_word`), an image they did not upload (`not_found`).
   */
  send(memberId: string, groupId: string, body: z.infer<typeof MemberGroupSendBody>): Promise<{ message: MemberGroupMessage; duplicate: boolean }> {
    return this.log.write(async (tx, append) => {
      const group = await lockedGroup(tx, groupId);
      if (!group) throw new GroupError('not_found', 'no such group');
      // A resend first: it answers what the first send did, whatever the rules say now.
      const seen = await tx.groups.findByClientId(groupId, { memberId }, body.clientId);
      if (seen) return { message: toMemberMessage(seen, memberId), duplicate: true };
      const { membership } = await activeIn(tx, memberId, groupId);
      if (group.closedAt !== null) throw new GroupError('closed', 'this group is closed');
      const now = this.now();
      if (membership.mutedUntil !== null && membership.mutedUntil > now) {
        throw new GroupError('muted', `a host muted you in this group until ${shanghaiMinute(membership.mutedUntil)} (China time)`);
      }
      if (group.slowModeSec > 0) {
        const last = await tx.groups.lastMemberMessageAt(groupId, memberId);
        const wait = last === null ? 0 : Math.ceil((last + group.slowModeSec * 1000 - now) / 1000);
        if (wait > 0) throw new GroupError('slow_mode', `slow mode: one message every ${group.slowModeSec} s; wait ${wait} s`);
      }
      if ((await tx.groups.memberMessagesSince(groupId, memberId, now - MINUTE_MS)) >= GROUP_MEMBER_MESSAGES_PER_MIN) {
        throw new GroupError('rate_limited', `at most ${GROUP_MEMBER_MESSAGES_PER_MIN} messages a minute`);
      }
      let image: GroupMessage['image'] = null;
      if (body.kind === 'text') {
        const word = blockedKeyword(body.text, (await tx.groups.communitySettings()).keywords);
        if (word !== null) throw new GroupError('blocked_word', `this group does not allow “${word}”`);
      } else {
        // Only an image the member uploaded themselves (the chat image upload).
        const img = await tx.chat.getImage(body.imageId);
        if (!img || img.memberId !== memberId) throw new GroupError('not_found', 'no such image (upload it first)');
        image = { id: img.id, mime: img.mime, bytes: img.bytes.length };
      }
      const message: GroupMessage = {
        id: uuidv7(now),
        groupId,
        storeId: group.storeId,
        n: group.lastN + 1,
        clientId: body.clientId,
        from: 'member',
        memberId,
        nickname: membership.nickname,
        by: null,
        kind: body.kind,
        body: body.kind === 'text' ? body.text : '',
        product: null,
        image,
        forMemberId: null,
        replyTo: null,
        reach: null,
        at: now,
        recalledAt: null,
        deletedAt: null,
        deletedBy: null,
      };
      await tx.groups.putGroup({ ...group, lastN: message.n, lastAt: now });
      await append(group.storeId, 'group.message', { message, by: null, opId: null }, now);
      await tx.groups.insertMessage(message);
      // The sender has read everything up to their own message.
      await tx.groups.putMembership({ ...membership, readN: message.n });
      return { message: toMemberMessage(message, memberId), duplicate: false };
    });
  }

  /** The member has read the group up to `upTo` (never beyond its newest message; never backwards). No event. */
  read(memberId: string, groupId: string, upTo: number): Promise<void> {
    return this.log.write(async (tx) => {
      const { group, membership } = await activeIn(tx, memberId, groupId, true);
      const readN = Math.min(group.lastN, Math.max(membership.readN, upTo));
      if (readN !== membership.readN) await tx.groups.putMembership({ ...membership, readN });
    });
  }

  /** Recalls the member's own message within RECALL_WINDOW_MS; a recalled one again changes nothing. */
  recall(memberId: string, groupId: string, messageId: string): Promise<MemberGroupMessage> {
    return this.log.write(async (tx, append: Append) => {
      const { group } = await activeIn(tx, memberId, groupId, true);
      const m = await tx.groups.getMessage(messageId);
      if (!m || m.groupId !== groupId) throw new GroupError('not_found', 'no such message');
      if (m.from !== 'member' || m.memberId !== memberId) throw new GroupError('not_sender', 'only the sender can recall a message');
      if (m.recalledAt !== null || m.deletedAt !== null) return toMemberMessage(m, memberId);
      const now = this.now();
      if (now - m.at > RECALL_WINDOW_MS) throw new GroupError('recall_expired', 'messages can be recalled within 2 minutes');
      const recalled = emptied(m, { recalledAt: now });
      await tx.groups.updateMessage(recalled);
      await append(group.storeId, 'group.messageChanged', { message: recalled, by: null, opId: null }, now);
      return toMemberMessage(recalled, memberId);
    });
  }
}

/** Store names, each read once per call. */
function storeNames(r: HqTx): (storeId: string) => Promise<string> {
  const seen = new Map<string, string>();
  return async (storeId) => {
    let name = seen.get(storeId);
    if (name === undefined) seen.set(storeId, (name = (await r.getStore(storeId))?.name ?? ''));
    return name;
  };
}

/** The group, read again after its store's lock is taken (what was read before may have changed). */
async function lockedGroup(tx: HqTx, groupId: string): Promise<Group | null> {
  const first = await tx.groups.getGroup(groupId);
  if (!first) return null;
  await tx.lockStore(first.storeId);
  return tx.groups.getGroup(groupId);
}

/** The group and the member's active membership in it, else why not; `lock`: take the store's lock first. */
async function activeIn(r: HqTx, memberId: string, groupId: string, lock = false): Promise<{ group: Group; membership: GroupMembership }> {
  const group = lock ? await lockedGroup(r, groupId) : await r.groups.getGroup(groupId);
  const membership = group && (await r.groups.getMembership(groupId, memberId));
  // Not a member and no such group look the same: a member learns nothing of groups they are not in.
  if (!group || !membership) throw new GroupError('not_found', 'no such group');
  if (membership.status !== 'active') throw new GroupError('gone', membership.status === 'removed' ? 'a host removed you from this group' : 'you left this group');
  return { group, membership };
}
