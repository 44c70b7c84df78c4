// GroupOps on HQ's SQLite connection (tables created by HQ migration 14, MIGRATION_GROUPS). A group,
// a membership, a message and an invite are each kept whole as JSON (`data`) beside the columns
// their queries filter on; both are written from the same record by one statement, so they cannot
// disagree.
//
// Invariants:
// - A group's `memberCount` is never stored: it is the COUNT of its active memberships, taken on
//   every read (indexed), so it is right after a join, a leave, a removal and an erasure without
//   anyone keeping a counter in step. putGroup ignores the memberCount it is given.
// - A message's sender columns (`member_id` for a member, `device_id` for a host's desk) and its
//   clientId are unique per group: a resend finds the first message, and a racing double insert
//   fails instead of making two. Anonymising (a member leaving) nulls `member_id` in the column and
//   in the JSON, and the member's nickname in quotes of their messages and answers for them.
// - An announcement is counted against a member's monthly cap once: addPushes records who it went
//   to and counts only members it had not been recorded for, so a retried call does not count twice.
import type Database from 'better-sqlite3';
import { CommunitySettings, type GroupInvite, type GroupMembership, type GroupMessage } from '../../../shared/groups.ts';
import { COMMUNITY_SETTINGS_KEY, GROUP_COLS, groupData, groupFromRow, messageCols, parseSettings } from '../groupRows.ts';
import { type GroupOps } from '../../ports/groupStore.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 14: member communities (5/8). */
export const MIGRATION_GROUPS = `
  CREATE TABLE groups (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, scope TEXT NOT NULL, closed_at INTEGER, created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  -- A store's groups (open, or closed since a cut-off); the open chain groups every member may join.
  CREATE INDEX groups_store ON groups(store_id, created_at);
  CREATE INDEX groups_chain ON groups(created_at) WHERE scope = 'chain' AND closed_at IS NULL;

  -- One row per member per group, whatever its status (a removed member's row is what keeps old
  -- links from letting them back in). (group_id, status, member_id) counts the active members,
  -- pages through them by id for announcements and lists a group's members by status.
  CREATE TABLE group_members (
    group_id TEXT NOT NULL, member_id TEXT NOT NULL, status TEXT NOT NULL, joined_at INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
  ) WITHOUT ROWID;
  CREATE INDEX group_members_status ON group_members(group_id, status, member_id);
  CREATE INDEX group_members_member ON group_members(member_id);

  -- n is the message's place in its group (gap-free, allocated under the store's lock). A member's
  -- message has member_id, a host's device_id; with client_id each is unique per group (a resend
  -- is the same message; NULLs never collide). for_member_id / reply_to_n find a host's answers and
  -- quotes of a member's messages when they leave or are erased. author_id is the member who wrote
  -- it and is never shown nor cleared when they leave (member_id is): it exists only so that erasing
  -- a member also removes what they wrote in groups they had left.
  CREATE TABLE group_messages (
    id TEXT PRIMARY KEY, group_id TEXT NOT NULL, n INTEGER NOT NULL, member_id TEXT, author_id TEXT, device_id TEXT,
    client_id TEXT NOT NULL, for_member_id TEXT, reply_to_n INTEGER, at INTEGER NOT NULL, data TEXT NOT NULL,
    UNIQUE (group_id, n)
  );
  CREATE UNIQUE INDEX group_messages_member_client ON group_messages(group_id, member_id, client_id) WHERE member_id IS NOT NULL;
  CREATE UNIQUE INDEX group_messages_device_client ON group_messages(group_id, device_id, client_id) WHERE device_id IS NOT NULL;
  -- The slow-mode and per-minute checks (a member's newest messages in a group), and erasure.
  CREATE INDEX group_messages_member_at ON group_messages(member_id, group_id, at) WHERE member_id IS NOT NULL;
  CREATE INDEX group_messages_for ON group_messages(for_member_id) WHERE for_member_id IS NOT NULL;
  CREATE INDEX group_messages_author ON group_messages(author_id) WHERE author_id IS NOT NULL;
  CREATE INDEX group_messages_reply ON group_messages(group_id, reply_to_n) WHERE reply_to_n IS NOT NULL;

  CREATE TABLE group_invites (
    id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, group_id TEXT NOT NULL, created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, revoked_at INTEGER, data TEXT NOT NULL
  );
  CREATE INDEX group_invites_group ON group_invites(group_id, created_at);

  -- Announcements pushed to a member per calendar month ('YYYY-MM'), over every group of the chain,
  -- and which members each announcement was pushed to.
  CREATE TABLE group_push_counts (
    member_id TEXT NOT NULL, month TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (member_id, month)
  ) WITHOUT ROWID;
  CREATE TABLE group_pushes (message_id TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (message_id, member_id)) WITHOUT ROWID;
  CREATE INDEX group_pushes_member ON group_pushes(member_id);
`;

type Row = Record<string, unknown>;
const parse = <T>(r: Row): T => JSON.parse(r.data as string) as T;

export function createSqliteGroupStorage(db: Database.Database): Sync<GroupOps> {
  const q = {
    getGroup: db.prepare(`SELECT ${GROUP_COLS} FROM groups g WHERE id = ?`),
    putGroup: db.prepare(
      `INSERT INTO groups (id, store_id, scope, closed_at, created_at, data) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, scope = excluded.scope, closed_at = excluded.closed_at,
         created_at = excluded.created_at, data = excluded.data`,
    ),
    ofStore: db.prepare(`SELECT ${GROUP_COLS} FROM groups g WHERE store_id = ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY created_at DESC, id DESC`),
    chain: db.prepare(`SELECT ${GROUP_COLS} FROM groups g WHERE scope = 'chain' AND closed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT +?`),

    getMember: db.prepare('SELECT data FROM group_members WHERE group_id = ? AND member_id = ?'),
    putMember: db.prepare(
      `INSERT INTO group_members (group_id, member_id, status, joined_at, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(group_id, member_id) DO UPDATE SET status = excluded.status, joined_at = excluded.joined_at, data = excluded.data`,
    ),
    members: db.prepare(
      'SELECT data FROM group_members WHERE group_id = ? AND status IN (SELECT value FROM json_each(?)) ORDER BY joined_at, member_id LIMIT +?',
    ),
    ofMember: db.prepare('SELECT data FROM group_members WHERE member_id = ? ORDER BY joined_at, group_id'),
    activeIds: db
      .prepare("SELECT member_id FROM group_members WHERE group_id = ? AND status = 'active' AND member_id > ? ORDER BY member_id LIMIT +?")
      .pluck(),

    insertMsg: db.prepare(
      `INSERT INTO group_messages (id, group_id, n, member_id, author_id, device_id, client_id, for_member_id, reply_to_n, at, data)
       VALUES (@id, @groupId, @n, @memberId, @memberId, @deviceId, @clientId, @forMemberId, @replyToN, @at, @data)`,
    ),
    updateMsg: db.prepare(
      'UPDATE group_messages SET member_id = @memberId, for_member_id = @forMemberId, reply_to_n = @replyToN, data = @data WHERE id = @id',
    ),
    getMsg: db.prepare('SELECT data FROM group_messages WHERE id = ?'),
    byN: db.prepare('SELECT data FROM group_messages WHERE group_id = ? AND n = ?'),
    byMemberClient: db.prepare('SELECT data FROM group_messages WHERE group_id = ? AND member_id = ? AND client_id = ?'),
    byDeviceClient: db.prepare('SELECT data FROM group_messages WHERE group_id = ? AND device_id = ? AND client_id = ?'),
    after: db.prepare('SELECT data FROM group_messages WHERE group_id = ? AND n > ? ORDER BY n LIMIT +?'),
    // The newest `limit` below `before`, taken newest first and turned round by the caller.
    before: db.prepare('SELECT data FROM group_messages WHERE group_id = ? AND (? IS NULL OR n < ?) ORDER BY n DESC LIMIT +?'),
    sinceCount: db.prepare('SELECT COUNT(*) FROM group_messages WHERE member_id = ? AND group_id = ? AND at >= ?').pluck(),
    lastAt: db.prepare('SELECT MAX(at) FROM group_messages WHERE member_id = ? AND group_id = ?').pluck(),
    // Leaving: quotes of the member's messages lose their nickname, answers for them their
    // forMemberId, and their own messages memberId and nickname (ReplyRef.nickname is nullable for this).
    anonQuotes: db.prepare(
      `UPDATE group_messages SET data = json_set(data, '$.replyTo.nickname', NULL)
       WHERE group_id = ? AND reply_to_n IN (SELECT n FROM group_messages WHERE group_id = ? AND member_id = ?)`,
    ),
    anonAnswers: db.prepare("UPDATE group_messages SET for_member_id = NULL, data = json_set(data, '$.forMemberId', NULL) WHERE group_id = ? AND for_member_id = ?"),
    anonOwn: db.prepare("UPDATE group_messages SET member_id = NULL, data = json_set(data, '$.memberId', NULL, '$.nickname', NULL) WHERE group_id = ? AND member_id = ?"),

    getInvite: db.prepare('SELECT data FROM group_invites WHERE id = ?'),
    byToken: db.prepare('SELECT data FROM group_invites WHERE token = ?'),
    putInvite: db.prepare(
      `INSERT INTO group_invites (id, token, group_id, created_at, expires_at, revoked_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET token = excluded.token, group_id = excluded.group_id, created_at = excluded.created_at,
         expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, data = excluded.data`,
    ),
    live: db.prepare('SELECT data FROM group_invites WHERE group_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, id'),

    pushCount: db.prepare('SELECT count FROM group_push_counts WHERE member_id = ? AND month = ?').pluck(),
    consenting: db
      .prepare("SELECT m.id FROM json_each(?) j JOIN members m ON m.id = j.value WHERE json_extract(m.consents, '$.marketing') = 1 ORDER BY j.key")
      .pluck(),
    underCap: db
      .prepare(
        `SELECT j.value FROM json_each(?) j LEFT JOIN group_push_counts c ON c.member_id = j.value AND c.month = ?
         WHERE COALESCE(c.count, 0) < ? ORDER BY j.key`,
      )
      .pluck(),
    // Counted first, recorded second: only members this announcement was not yet recorded for count.
    countPushes: db.prepare(
      `INSERT INTO group_push_counts (member_id, month, count)
       SELECT DISTINCT j.value, ?, 1 FROM json_each(?) j
       WHERE NOT EXISTS (SELECT 1 FROM group_pushes p WHERE p.message_id = ? AND p.member_id = j.value)
       ON CONFLICT(member_id, month) DO UPDATE SET count = count + 1`,
    ),
    recordPushes: db.prepare('INSERT INTO group_pushes (message_id, member_id) SELECT DISTINCT ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING'),
    pushedTo: db.prepare('SELECT member_id FROM group_pushes WHERE message_id = ? ORDER BY member_id').pluck(),

    getSettings: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    putSettings: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
  };
  const msgParams = (m: GroupMessage) => ({ id: m.id, groupId: m.groupId, n: m.n, clientId: m.clientId, at: m.at, ...messageCols(m), data: JSON.stringify(m) });
  const oneMsg = (r: unknown): GroupMessage | null => (r ? parse<GroupMessage>(r as Row) : null);

  return {
    getGroup: (id) => {
      const r = q.getGroup.get(id) as Row | undefined;
      return r ? groupFromRow(r) : null;
    },
    putGroup: (g) => void q.putGroup.run(g.id, g.storeId, g.scope, g.closedAt, g.createdAt, groupData(g)),
    groupsOfStore: (storeId, closedSince) => (q.ofStore.all(storeId, closedSince) as Row[]).map(groupFromRow),
    chainGroups: (limit) => (q.chain.all(limit) as Row[]).map(groupFromRow),

    getMembership: (groupId, memberId) => {
      const r = q.getMember.get(groupId, memberId) as Row | undefined;
      return r ? parse<GroupMembership>(r) : null;
    },
    putMembership: (m) => void q.putMember.run(m.groupId, m.memberId, m.status, m.joinedAt, JSON.stringify(m)),
    memberships: (groupId, statuses, limit) => (q.members.all(groupId, JSON.stringify(statuses), limit) as Row[]).map((r) => parse<GroupMembership>(r)),
    membershipsOfMember: (memberId) => (q.ofMember.all(memberId) as Row[]).map((r) => parse<GroupMembership>(r)),
    activeMemberIds: (groupId, afterMemberId, limit) => q.activeIds.all(groupId, afterMemberId, limit) as string[],

    insertMessage: (m) => void q.insertMsg.run(msgParams(m)),
    updateMessage: (m) => {
      const { id, memberId, forMemberId, replyToN, data } = msgParams(m);
      q.updateMsg.run({ id, memberId, forMemberId, replyToN, data });
    },
    getMessage: (id) => oneMsg(q.getMsg.get(id)),
    getMessageByN: (groupId, n) => oneMsg(q.byN.get(groupId, n)),
    findByClientId: (groupId, sender, clientId) =>
      oneMsg('memberId' in sender ? q.byMemberClient.get(groupId, sender.memberId, clientId) : q.byDeviceClient.get(groupId, sender.deviceId, clientId)),
    messagesAfter: (groupId, after, limit) => (q.after.all(groupId, after, limit) as Row[]).map((r) => parse<GroupMessage>(r)),
    messagesBefore: (groupId, before, limit) => (q.before.all(groupId, before, before, limit) as Row[]).map((r) => parse<GroupMessage>(r)).reverse(),
    memberMessagesSince: (groupId, memberId, since) => q.sinceCount.get(memberId, groupId, since) as number,
    lastMemberMessageAt: (groupId, memberId) => (q.lastAt.get(memberId, groupId) as number | null) ?? null,
    anonymiseMember: (groupId, memberId) =>
      db.transaction(() => {
        q.anonQuotes.run(groupId, groupId, memberId);
        q.anonAnswers.run(groupId, memberId);
        return q.anonOwn.run(groupId, memberId).changes;
      })(),

    getInvite: (id) => {
      const r = q.getInvite.get(id) as Row | undefined;
      return r ? parse<GroupInvite>(r) : null;
    },
    inviteByToken: (token) => {
      const r = q.byToken.get(token) as Row | undefined;
      return r ? parse<GroupInvite>(r) : null;
    },
    putInvite: (i) => void q.putInvite.run(i.id, i.token, i.groupId, i.createdAt, i.expiresAt, i.revokedAt, JSON.stringify(i)),
    liveInvites: (groupId, now) => (q.live.all(groupId, now) as Row[]).map((r) => parse<GroupInvite>(r)),

    pushCount: (memberId, month) => (q.pushCount.get(memberId, month) as number | undefined) ?? 0,
    marketingConsenting: (memberIds) => (memberIds.length === 0 ? [] : (q.consenting.all(JSON.stringify(memberIds)) as string[])),
    underCap: (memberIds, month, cap) => (memberIds.length === 0 ? [] : (q.underCap.all(JSON.stringify(memberIds), month, cap) as string[])),
    addPushes: (messageId, memberIds, month) => {
      if (memberIds.length === 0) return;
      const ids = JSON.stringify(memberIds);
      db.transaction(() => {
        q.countPushes.run(month, ids, messageId);
        q.recordPushes.run(messageId, ids);
      })();
    },
    pushedTo: (messageId) => q.pushedTo.all(messageId) as string[],

    communitySettings: () => parseSettings(q.getSettings.get(COMMUNITY_SETTINGS_KEY) as string | undefined),
    putCommunitySettings: (s) => void q.putSettings.run(COMMUNITY_SETTINGS_KEY, JSON.stringify(CommunitySettings.parse(s))),
  };
}
