// GroupOps on PostgreSQL (tables from migration 14), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/groupStorage.ts statement for statement, with the invariants written
// there: memberCount counted from active memberships on every read, a sender's clientId unique per
// group, anonymising in the column and the JSON, an announcement counted once per member.
// PostgreSQL's own SQL where it differs: `= ANY($n::text[])` and unnest() for id lists instead of
// json_each, jsonb_set / `||` on the JSON text instead of json_set.
import { CommunitySettings, type GroupMessage } from '../../../shared/groups.ts';
import { type GroupOps } from '../../ports/groupStore.ts';
import { COMMUNITY_SETTINGS_KEY, GROUP_COLS, groupData, groupFromRow, messageCols, parseSettings } from '../groupRows.ts';
import { type Exec, limitParam, type Row } from './pgOps.ts';

const parse = <T>(r: Row): T => JSON.parse(r.data as string) as T;

export function createPgGroupOps(exec: Exec): GroupOps {
  const one = async (text: string, values: unknown[]): Promise<Row | undefined> => (await exec(text, values)).rows[0];
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;
  const oneMsg = async (text: string, values: unknown[]): Promise<GroupMessage | null> => {
    const r = await one(text, values);
    return r ? parse<GroupMessage>(r) : null;
  };
  const msgs = async (text: string, values: unknown[]): Promise<GroupMessage[]> => (await all(text, values)).map((r) => parse<GroupMessage>(r));

  return {
    getGroup: async (id) => {
      const r = await one(`SELECT ${GROUP_COLS} FROM groups g WHERE id = $1`, [id]);
      return r ? groupFromRow(r) : null;
    },
    putGroup: async (g) => {
      await exec(
        `INSERT INTO groups (id, store_id, scope, closed_at, created_at, data) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET store_id = EXCLUDED.store_id, scope = EXCLUDED.scope, closed_at = EXCLUDED.closed_at,
           created_at = EXCLUDED.created_at, data = EXCLUDED.data`,
        [g.id, g.storeId, g.scope, g.closedAt, g.createdAt, groupData(g)],
      );
    },
    groupsOfStore: async (storeId, closedSince) =>
      (
        await all(`SELECT ${GROUP_COLS} FROM groups g WHERE store_id = $1 AND (closed_at IS NULL OR closed_at >= $2) ORDER BY created_at DESC, id DESC`, [
          storeId,
          closedSince,
        ])
      ).map(groupFromRow),
    chainGroups: async (limit) =>
      (await all(`SELECT ${GROUP_COLS} FROM groups g WHERE scope = 'chain' AND closed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $1`, [limitParam(limit)])).map(
        groupFromRow,
      ),

    getMembership: async (groupId, memberId) => {
      const r = await one('SELECT data FROM group_members WHERE group_id = $1 AND member_id = $2', [groupId, memberId]);
      return r ? parse(r) : null;
    },
    putMembership: async (m) => {
      await exec(
        `INSERT INTO group_members (group_id, member_id, status, joined_at, data) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (group_id, member_id) DO UPDATE SET status = EXCLUDED.status, joined_at = EXCLUDED.joined_at, data = EXCLUDED.data`,
        [m.groupId, m.memberId, m.status, m.joinedAt, JSON.stringify(m)],
      );
    },
    memberships: async (groupId, statuses, limit) =>
      (
        await all('SELECT data FROM group_members WHERE group_id = $1 AND status = ANY($2::text[]) ORDER BY joined_at, member_id LIMIT $3', [
          groupId,
          [...statuses],
          limitParam(limit),
        ])
      ).map((r) => parse(r)),
    membershipsOfMember: async (memberId) => (await all('SELECT data FROM group_members WHERE member_id = $1 ORDER BY joined_at, group_id', [memberId])).map((r) => parse(r)),
    activeMemberIds: async (groupId, afterMemberId, limit) =>
      (
        await all("SELECT member_id FROM group_members WHERE group_id = $1 AND status = 'active' AND member_id > $2 ORDER BY member_id LIMIT $3", [
          groupId,
          afterMemberId,
          limitParam(limit),
        ])
      ).map((r) => r.member_id as string),

    insertMessage: async (m) => {
      const c = messageCols(m);
      await exec(
        `INSERT INTO group_messages (id, group_id, n, member_id, author_id, device_id, client_id, for_member_id, reply_to_n, at, data)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10)`,
        [m.id, m.groupId, m.n, c.memberId, c.deviceId, m.clientId, c.forMemberId, c.replyToN, m.at, JSON.stringify(m)],
      );
    },
    updateMessage: async (m) => {
      const c = messageCols(m);
      await exec('UPDATE group_messages SET member_id = $2, for_member_id = $3, reply_to_n = $4, data = $5 WHERE id = $1', [
        m.id,
        c.memberId,
        c.forMemberId,
        c.replyToN,
        JSON.stringify(m),
      ]);
    },
    getMessage: (id) => oneMsg('SELECT data FROM group_messages WHERE id = $1', [id]),
    getMessageByN: (groupId, n) => oneMsg('SELECT data FROM group_messages WHERE group_id = $1 AND n = $2', [groupId, n]),
    findByClientId: (groupId, sender, clientId) =>
      'memberId' in sender
        ? oneMsg('SELECT data FROM group_messages WHERE group_id = $1 AND member_id = $2 AND client_id = $3', [groupId, sender.memberId, clientId])
        : oneMsg('SELECT data FROM group_messages WHERE group_id = $1 AND device_id = $2 AND client_id = $3', [groupId, sender.deviceId, clientId]),
    messagesAfter: (groupId, after, limit) =>
      msgs('SELECT data FROM group_messages WHERE group_id = $1 AND n > $2 ORDER BY n LIMIT $3', [groupId, after, limitParam(limit)]),
    messagesBefore: async (groupId, before, limit) =>
      (
        await msgs('SELECT data FROM group_messages WHERE group_id = $1 AND ($2::bigint IS NULL OR n < $2) ORDER BY n DESC LIMIT $3', [
          groupId,
          before,
          limitParam(limit),
        ])
      ).reverse(),
    memberMessagesSince: async (groupId, memberId, since) =>
      Number((await one('SELECT COUNT(*) AS n FROM group_messages WHERE member_id = $1 AND group_id = $2 AND at >= $3', [memberId, groupId, since]))?.n ?? 0),
    lastMemberMessageAt: async (groupId, memberId) => {
      const at = (await one('SELECT MAX(at) AS at FROM group_messages WHERE member_id = $1 AND group_id = $2', [memberId, groupId]))?.at;
      return at === null || at === undefined ? null : Number(at);
    },
    anonymiseMember: async (groupId, memberId) => {
      await exec(
        `UPDATE group_messages SET data = jsonb_set(data::jsonb, '{replyTo,nickname}', 'null')::text
         WHERE group_id = $1 AND reply_to_n IN (SELECT n FROM group_messages WHERE group_id = $1 AND member_id = $2)`,
        [groupId, memberId],
      );
      await exec(`UPDATE group_messages SET for_member_id = NULL, data = (data::jsonb || '{"forMemberId": null}')::text WHERE group_id = $1 AND for_member_id = $2`, [
        groupId,
        memberId,
      ]);
      return (
        await exec(`UPDATE group_messages SET member_id = NULL, data = (data::jsonb || '{"memberId": null, "nickname": null}')::text WHERE group_id = $1 AND member_id = $2`, [
          groupId,
          memberId,
        ])
      ).rowCount;
    },

    getInvite: async (id) => {
      const r = await one('SELECT data FROM group_invites WHERE id = $1', [id]);
      return r ? parse(r) : null;
    },
    inviteByToken: async (token) => {
      const r = await one('SELECT data FROM group_invites WHERE token = $1', [token]);
      return r ? parse(r) : null;
    },
    putInvite: async (i) => {
      await exec(
        `INSERT INTO group_invites (id, token, group_id, created_at, expires_at, revoked_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, group_id = EXCLUDED.group_id, created_at = EXCLUDED.created_at,
           expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at, data = EXCLUDED.data`,
        [i.id, i.token, i.groupId, i.createdAt, i.expiresAt, i.revokedAt, JSON.stringify(i)],
      );
    },
    liveInvites: async (groupId, now) =>
      (await all('SELECT data FROM group_invites WHERE group_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at, id', [groupId, now])).map((r) => parse(r)),

    pushCount: async (memberId, month) => Number((await one('SELECT count FROM group_push_counts WHERE member_id = $1 AND month = $2', [memberId, month]))?.count ?? 0),
    underCap: async (memberIds, month, cap) =>
      memberIds.length === 0
        ? []
        : (
            await all(
              `SELECT u.id FROM unnest($1::text[]) WITH ORDINALITY AS u(id, i) LEFT JOIN group_push_counts c ON c.member_id = u.id AND c.month = $2
               WHERE COALESCE(c.count, 0) < $3 ORDER BY u.i`,
              [[...memberIds], month, cap],
            )
          ).map((r) => r.id as string),
    // Recorded and counted in one statement: only the members the insert recorded (not yet pushed
    // this announcement) are counted; a concurrent retry waits on the rows and then records nobody.
    addPushes: async (messageId, memberIds, month) => {
      if (memberIds.length === 0) return;
      await exec(
        `WITH rec AS (
           INSERT INTO group_pushes (message_id, member_id) SELECT DISTINCT $1::text, unnest($2::text[])
           ON CONFLICT DO NOTHING RETURNING member_id
         )
         INSERT INTO group_push_counts (member_id, month, count) SELECT member_id, $3, 1 FROM rec
         ON CONFLICT (member_id, month) DO UPDATE SET count = group_push_counts.count + 1`,
        [messageId, [...memberIds], month],
      );
    },
    pushedTo: async (messageId) => (await all('SELECT member_id FROM group_pushes WHERE message_id = $1 ORDER BY member_id', [messageId])).map((r) => r.member_id as string),

    communitySettings: async () => parseSettings((await one('SELECT value FROM meta WHERE key = $1', [COMMUNITY_SETTINGS_KEY]))?.value as string | undefined),
    putCommunitySettings: async (s) => {
      await exec('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
        COMMUNITY_SETTINGS_KEY,
        JSON.stringify(CommunitySettings.parse(s)),
      ]);
    },
  };
}

