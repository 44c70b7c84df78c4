// The groups part of the store port (reached as `tx.groups`, 5/8): groups, memberships, messages,
// invites, the announcement cap's counters and the chain's community settings, on the caller's
// connection and transaction, so a message, the group's `lastN` and its event commit together.
// Callers take `tx.lockStore(group.storeId)` before a read-then-write (the next message number,
// the slow-mode check, a join's member count) — hq/app/groups/.
import { type CommunitySettings, type Group, type GroupInvite, type GroupMembership, type GroupMessage } from '../../shared/groups.ts';

export interface GroupOps {
  getGroup(id: string): Promise<Group | null>;
  /**
   * Insert or replace the whole group (lastN, notice, hosts, … are its changing parts). `memberCount`
   * is not stored: every read counts the group's active memberships, so putMembership is what moves it.
   */
  putGroup(group: Group): Promise<void>;
  /** The store's groups: open ones, and ones closed at or after `closedSince`; newest first. */
  groupsOfStore(storeId: string, closedSince: number): Promise<Group[]>;
  /** Open chain-scope groups of every store (what a member may join without a link), newest first. */
  chainGroups(limit: number): Promise<Group[]>;

  getMembership(groupId: string, memberId: string): Promise<GroupMembership | null>;
  /** Insert or replace one membership (status, mute, read position, nickname). */
  putMembership(m: GroupMembership): Promise<void>;
  /** Memberships of a group with the given statuses, by join time; `limit` bounds big groups. */
  memberships(groupId: string, statuses: ReadonlyArray<GroupMembership['status']>, limit: number): Promise<GroupMembership[]>;
  /** A member's memberships in every group (any status). */
  membershipsOfMember(memberId: string): Promise<GroupMembership[]>;
  /** Active member ids of a group, in pages after `afterMemberId` ('' = from the start), ordered by id. */
  activeMemberIds(groupId: string, afterMemberId: string, limit: number): Promise<string[]>;

  /** Stores a message (insert; its id and (groupId, n) are unique). */
  insertMessage(m: GroupMessage): Promise<void>;
  /** Replaces a message's mutable parts (recall, delete, anonymise). */
  updateMessage(m: GroupMessage): Promise<void>;
  getMessage(id: string): Promise<GroupMessage | null>;
  getMessageByN(groupId: string, n: number): Promise<GroupMessage | null>;
  /** The message a sender already sent under this clientId (member: by memberId; host: by deviceId). */
  findByClientId(groupId: string, sender: { memberId: string } | { deviceId: string }, clientId: string): Promise<GroupMessage | null>;
  /** Up to `limit` messages with n > after, oldest first. */
  messagesAfter(groupId: string, after: number, limit: number): Promise<GroupMessage[]>;
  /** Up to `limit` messages with n < before (all when null), oldest first (the newest `limit` of them). */
  messagesBefore(groupId: string, before: number | null, limit: number): Promise<GroupMessage[]>;
  /** How many messages the member sent to the group at or after `since` (the per-minute limit). */
  memberMessagesSince(groupId: string, memberId: string, since: number): Promise<number>;
  /** The member's newest message time in the group (slow mode), or null. */
  lastMemberMessageAt(groupId: string, memberId: string): Promise<number | null>;
  /** Leaving: the member's messages in the group lose memberId and nickname. Returns how many. */
  anonymiseMember(groupId: string, memberId: string): Promise<number>;

  getInvite(id: string): Promise<GroupInvite | null>;
  inviteByToken(token: string): Promise<GroupInvite | null>;
  putInvite(invite: GroupInvite): Promise<void>;
  /** A group's invites not revoked and not expired at `now`. */
  liveInvites(groupId: string, now: number): Promise<GroupInvite[]>;

  /** Announcements pushed to the member in `month` ('YYYY-MM'). */
  pushCount(memberId: string, month: string): Promise<number>;
  /** Of these members, the ones with fewer than `cap` pushes in `month` (one query for a page of members). */
  underCap(memberIds: readonly string[], month: string, cap: number): Promise<string[]>;
  /** Records an announcement pushed to these members: one more for each in `month`, and who it went to. */
  addPushes(messageId: string, memberIds: readonly string[], month: string): Promise<void>;
  /** The members an announcement was pushed to (the member socket's `push` flag). */
  pushedTo(messageId: string): Promise<string[]>;

  /** The chain's community settings (defaults when never set). */
  communitySettings(): Promise<CommunitySettings>;
  putCommunitySettings(s: CommunitySettings): Promise<void>;
}
