// The chat part of the store port on PostgreSQL (tables from migration 2), bound to one
// transaction's connection; mirrors hq/adapters/sqlite/chatStorage.ts.
import { type ImageMime } from '../../../shared/domain.ts';
import { type ChatOps, type ImageRecord } from '../../ports/chatStore.ts';
import { type Exec, limitParam, type Row } from './pgOps.ts';
import { conversationFromRow, messageFromRow } from '../sqlRows.ts';

const MESSAGE_COLS = 'id, store_id, member_id, n, sender, client_id, "by", kind, body, product, image_id, image, at, recalled_at, event_seq';
const CONV_COLS = 'store_id, member_id, last_n, last_at, member_delivered, member_read, store_delivered, store_read';

export function createPgChatOps(exec: Exec): ChatOps {
  const one = async (text: string, values: unknown[]): Promise<Row | undefined> => (await exec(text, values)).rows[0];
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;

  return {
    getConversation: async (storeId, memberId) => {
      const r = await one(`SELECT ${CONV_COLS} FROM conversations WHERE store_id = $1 AND member_id = $2`, [storeId, memberId]);
      return r ? conversationFromRow(r) : null;
    },
    putConversation: async (c) => {
      await exec(
        `INSERT INTO conversations (${CONV_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (store_id, member_id) DO UPDATE SET last_n = EXCLUDED.last_n, last_at = EXCLUDED.last_at,
           member_delivered = EXCLUDED.member_delivered, member_read = EXCLUDED.member_read,
           store_delivered = EXCLUDED.store_delivered, store_read = EXCLUDED.store_read`,
        [c.storeId, c.memberId, c.lastN, c.lastAt, c.receipts.memberDelivered, c.receipts.memberRead, c.receipts.storeDelivered, c.receipts.storeRead],
      );
    },
    listConversations: async (storeId, since, limit) =>
      (await all(`SELECT ${CONV_COLS} FROM conversations WHERE store_id = $1 AND last_at >= $2 ORDER BY last_at DESC LIMIT $3`, [storeId, since, limitParam(limit)])).map(
        conversationFromRow,
      ),
    insertMessage: async (m, eventSeq) => {
      await exec(`INSERT INTO messages (${MESSAGE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, [
        m.id,
        m.storeId,
        m.memberId,
        m.n,
        m.from,
        m.clientId,
        m.by ? JSON.stringify(m.by) : null,
        m.kind,
        m.body,
        m.product ? JSON.stringify(m.product) : null,
        m.image?.id ?? null,
        m.image ? JSON.stringify(m.image) : null,
        m.at,
        m.recalledAt,
        eventSeq,
      ]);
    },
    getMessage: async (id) => {
      const r = await one(`SELECT ${MESSAGE_COLS} FROM messages WHERE id = $1`, [id]);
      return r ? messageFromRow(r) : null;
    },
    findByClientId: async (storeId, memberId, from, clientId) => {
      const r = await one(`SELECT ${MESSAGE_COLS} FROM messages WHERE store_id = $1 AND member_id = $2 AND sender = $3 AND client_id = $4`, [
        storeId,
        memberId,
        from,
        clientId,
      ]);
      return r ? messageFromRow(r) : null;
    },
    messages: async (storeId, memberId, before, limit) =>
      (
        await all(`SELECT ${MESSAGE_COLS} FROM messages WHERE store_id = $1 AND member_id = $2 AND n < $3 ORDER BY n DESC LIMIT $4`, [
          storeId,
          memberId,
          before ?? Number.MAX_SAFE_INTEGER,
          limitParam(limit),
        ])
      )
        .map(messageFromRow)
        .reverse(),
    recall: async (id, at) => {
      await exec("UPDATE messages SET recalled_at = $1, body = '', product = NULL, image = NULL WHERE id = $2 AND recalled_at IS NULL", [at, id]);
    },
    memberMessagesAnnounced: async (storeId, afterSeq, uptoSeq) =>
      (
        await all(
          `SELECT member_id, MAX(n) AS n FROM messages WHERE store_id = $1 AND sender = 'member' AND event_seq > $2 AND event_seq <= $3
           GROUP BY member_id`,
          [storeId, afterSeq, uptoSeq],
        )
      ).map((r) => ({ memberId: r.member_id as string, n: r.n as number })),
    imageInConversation: async (storeId, memberId, imageId) =>
      (await one('SELECT 1 AS x FROM messages WHERE store_id = $1 AND member_id = $2 AND image_id = $3 LIMIT 1', [storeId, memberId, imageId])) !== undefined,
    putImage: async (img: ImageRecord) => {
      await exec('INSERT INTO chat_images (id, store_id, member_id, mime, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        img.id,
        img.storeId,
        img.memberId,
        img.mime,
        img.bytes,
        img.createdAt,
      ]);
    },
    getImage: async (id) => {
      const r = await one('SELECT id, store_id, member_id, mime, bytes, created_at FROM chat_images WHERE id = $1', [id]);
      if (!r) return null;
      return {
        id: r.id as string,
        storeId: r.store_id as string,
        memberId: (r.member_id as string | null) ?? null,
        mime: r.mime as ImageMime,
        bytes: r.bytes as Buffer,
        createdAt: r.created_at as number,
      };
    },
    memberVisited: async (storeId, memberId) =>
      (await one('SELECT 1 AS x FROM visits WHERE store_id = $1 AND member_id = $2 LIMIT 1', [storeId, memberId])) !== undefined,
    createMemberSession: async (tokenHash, s, now) => {
      await exec('INSERT INTO member_sessions (token_hash, member_id, store_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        tokenHash,
        s.memberId,
        s.storeId,
        now,
        s.expiresAt,
      ]);
    },
    memberSession: async (tokenHash, now) => {
      const r = await one('SELECT member_id, store_id, expires_at FROM member_sessions WHERE token_hash = $1 AND expires_at > $2', [tokenHash, now]);
      return r ? { memberId: r.member_id as string, storeId: r.store_id as string, expiresAt: r.expires_at as number } : null;
    },
    purgeMemberSessions: async (now) => {
      await exec('DELETE FROM member_sessions WHERE expires_at <= $1', [now]);
    },
    loginFailures: async (key) => {
      const r = await one('SELECT count, since FROM member_login_failures WHERE key = $1', [key]);
      return r ? { count: r.count as number, since: r.since as number } : null;
    },
    putLoginFailures: async (key, f) => {
      if (f) {
        await exec(
          'INSERT INTO member_login_failures (key, count, since) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, since = EXCLUDED.since',
          [key, f.count, f.since],
        );
      } else {
        await exec('DELETE FROM member_login_failures WHERE key = $1', [key]);
      }
    },
    deliveredScan: async (storeId) => ((await one('SELECT seq FROM chat_delivered_scan WHERE store_id = $1', [storeId]))?.seq as number | undefined) ?? 0,
    setDeliveredScan: async (storeId, seq) => {
      // Never backwards: two nodes scanning at once keep the further position.
      await exec(
        'INSERT INTO chat_delivered_scan (store_id, seq) VALUES ($1, $2) ON CONFLICT (store_id) DO UPDATE SET seq = GREATEST(chat_delivered_scan.seq, EXCLUDED.seq)',
        [storeId, seq],
      );
    },
  };
}
