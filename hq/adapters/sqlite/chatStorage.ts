// ChatStorage on HQ's SQLite connection (tables created by HQ migration 2, see MIGRATION_CHAT).
import type Database from 'better-sqlite3';
import { type ImageMime } from '../../../shared/domain.ts';
import { type ChatOps, type ImageRecord } from '../../ports/chatStore.ts';
import { type Sync } from './syncOps.ts';
import { conversationFromRow, messageFromRow } from '../sqlRows.ts';

/** HQ schema step 2: conversations, messages, chat images, member sessions. */
export const MIGRATION_CHAT = `
  CREATE TABLE conversations (
    store_id TEXT NOT NULL, member_id TEXT NOT NULL, last_n INTEGER NOT NULL DEFAULT 0, last_at INTEGER NOT NULL,
    member_delivered INTEGER NOT NULL DEFAULT 0, member_read INTEGER NOT NULL DEFAULT 0,
    store_delivered INTEGER NOT NULL DEFAULT 0, store_read INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, member_id)
  ) WITHOUT ROWID;
  CREATE INDEX conversations_recent ON conversations(store_id, last_at DESC);

  -- n is the order inside the conversation, allocated in the transaction of the insert (gap-free);
  -- (sender, client_id) is unique per conversation, which makes a resend idempotent.
  CREATE TABLE messages (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT NOT NULL, n INTEGER NOT NULL,
    sender TEXT NOT NULL CHECK (sender IN ('member', 'clerk')), client_id TEXT NOT NULL, by TEXT,
    kind TEXT NOT NULL, body TEXT NOT NULL, product TEXT, image_id TEXT, image TEXT,
    at INTEGER NOT NULL, recalled_at INTEGER, event_seq INTEGER NOT NULL,
    UNIQUE (store_id, member_id, n),
    UNIQUE (store_id, member_id, sender, client_id)
  );
  CREATE INDEX messages_announced ON messages(store_id, sender, event_seq);
  CREATE INDEX messages_image ON messages(image_id) WHERE image_id IS NOT NULL;

  CREATE TABLE chat_images (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT, mime TEXT NOT NULL,
    bytes BLOB NOT NULL, created_at INTEGER NOT NULL
  );

  CREATE TABLE member_sessions (
    token_hash TEXT PRIMARY KEY, member_id TEXT NOT NULL, store_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX member_sessions_expiry ON member_sessions(expires_at);
`;

type Row = Record<string, unknown>;

export function createSqliteChatStorage(db: Database.Database): Sync<ChatOps> {
  const q = {
    getConv: db.prepare('SELECT * FROM conversations WHERE store_id = ? AND member_id = ?'),
    putConv: db.prepare(
      `INSERT INTO conversations (store_id, member_id, last_n, last_at, member_delivered, member_read, store_delivered, store_read)
       VALUES (@storeId, @memberId, @lastN, @lastAt, @memberDelivered, @memberRead, @storeDelivered, @storeRead)
       ON CONFLICT(store_id, member_id) DO UPDATE SET last_n = excluded.last_n, last_at = excluded.last_at,
         member_delivered = excluded.member_delivered, member_read = excluded.member_read,
         store_delivered = excluded.store_delivered, store_read = excluded.store_read`,
    ),
    listConv: db.prepare('SELECT * FROM conversations WHERE store_id = ? AND last_at >= ? ORDER BY last_at DESC LIMIT +?'),
    insertMsg: db.prepare(
      `INSERT INTO messages (id, store_id, member_id, n, sender, client_id, by, kind, body, product, image_id, image, at, recalled_at, event_seq)
       VALUES (@id, @storeId, @memberId, @n, @from, @clientId, @by, @kind, @body, @product, @imageId, @image, @at, @recalledAt, @eventSeq)`,
    ),
    getMsg: db.prepare('SELECT * FROM messages WHERE id = ?'),
    byClient: db.prepare('SELECT * FROM messages WHERE store_id = ? AND member_id = ? AND sender = ? AND client_id = ?'),
    before: db.prepare('SELECT * FROM messages WHERE store_id = ? AND member_id = ? AND n < ? ORDER BY n DESC LIMIT +?'),
    recall: db.prepare("UPDATE messages SET recalled_at = ?, body = '', product = NULL, image = NULL WHERE id = ? AND recalled_at IS NULL"),
    announced: db.prepare(
      `SELECT member_id, MAX(n) AS n FROM messages WHERE store_id = ? AND sender = 'member' AND event_seq > ? AND event_seq <= ?
       GROUP BY member_id`,
    ),
    imageIn: db.prepare('SELECT 1 FROM messages WHERE store_id = ? AND member_id = ? AND image_id = ? LIMIT 1').pluck(),
    putImage: db.prepare('INSERT INTO chat_images (id, store_id, member_id, mime, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    getImage: db.prepare('SELECT * FROM chat_images WHERE id = ?'),
    visited: db.prepare('SELECT 1 FROM visits WHERE store_id = ? AND member_id = ? LIMIT 1').pluck(),
    putSession: db.prepare('INSERT INTO member_sessions (token_hash, member_id, store_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    getSession: db.prepare('SELECT * FROM member_sessions WHERE token_hash = ? AND expires_at > ?'),
    purgeSessions: db.prepare('DELETE FROM member_sessions WHERE expires_at <= ?'),
    getFailures: db.prepare('SELECT count, since FROM member_login_failures WHERE key = ?'),
    putFailures: db.prepare(
      'INSERT INTO member_login_failures (key, count, since) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET count = excluded.count, since = excluded.since',
    ),
    clearFailures: db.prepare('DELETE FROM member_login_failures WHERE key = ?'),
    getScan: db.prepare('SELECT seq FROM chat_delivered_scan WHERE store_id = ?').pluck(),
    setScan: db.prepare(
      'INSERT INTO chat_delivered_scan (store_id, seq) VALUES (?, ?) ON CONFLICT(store_id) DO UPDATE SET seq = MAX(seq, excluded.seq)',
    ),
  };

  return {
    getConversation: (storeId, memberId) => {
      const r = q.getConv.get(storeId, memberId) as Row | undefined;
      return r ? conversationFromRow(r) : null;
    },
    putConversation: (c) => void q.putConv.run({ storeId: c.storeId, memberId: c.memberId, lastN: c.lastN, lastAt: c.lastAt, ...c.receipts }),
    listConversations: (storeId, since, limit) => (q.listConv.all(storeId, since, limit) as Row[]).map(conversationFromRow),
    insertMessage: (m, eventSeq) =>
      void q.insertMsg.run({
        ...m,
        by: m.by ? JSON.stringify(m.by) : null,
        product: m.product ? JSON.stringify(m.product) : null,
        imageId: m.image?.id ?? null,
        image: m.image ? JSON.stringify(m.image) : null,
        eventSeq,
      }),
    getMessage: (id) => {
      const r = q.getMsg.get(id) as Row | undefined;
      return r ? messageFromRow(r) : null;
    },
    findByClientId: (storeId, memberId, from, clientId) => {
      const r = q.byClient.get(storeId, memberId, from, clientId) as Row | undefined;
      return r ? messageFromRow(r) : null;
    },
    messages: (storeId, memberId, before, limit) =>
      (q.before.all(storeId, memberId, before ?? Number.MAX_SAFE_INTEGER, limit) as Row[]).map(messageFromRow).reverse(),
    recall: (id, at) => void q.recall.run(at, id),
    memberMessagesAnnounced: (storeId, afterSeq, uptoSeq) =>
      (q.announced.all(storeId, afterSeq, uptoSeq) as Row[]).map((r) => ({ memberId: r.member_id as string, n: r.n as number })),
    imageInConversation: (storeId, memberId, imageId) => q.imageIn.get(storeId, memberId, imageId) !== undefined,
    putImage: (img: ImageRecord) => void q.putImage.run(img.id, img.storeId, img.memberId, img.mime, img.bytes, img.createdAt),
    getImage: (id) => {
      const r = q.getImage.get(id) as Row | undefined;
      if (!r) return null;
      return { id: r.id as string, storeId: r.store_id as string, memberId: (r.member_id as string | null) ?? null, mime: r.mime as ImageMime, bytes: r.bytes as Buffer, createdAt: r.created_at as number };
    },
    memberVisited: (storeId, memberId) => q.visited.get(storeId, memberId) !== undefined,
    createMemberSession: (tokenHash, s, now) => void q.putSession.run(tokenHash, s.memberId, s.storeId, now, s.expiresAt),
    memberSession: (tokenHash, now) => {
      const r = q.getSession.get(tokenHash, now) as Row | undefined;
      return r ? { memberId: r.member_id as string, storeId: r.store_id as string, expiresAt: r.expires_at as number } : null;
    },
    purgeMemberSessions: (now) => void q.purgeSessions.run(now),
    loginFailures: (key) => (q.getFailures.get(key) as { count: number; since: number } | undefined) ?? null,
    putLoginFailures: (key, f) => void (f ? q.putFailures.run(key, f.count, f.since) : q.clearFailures.run(key)),
    deliveredScan: (storeId) => (q.getScan.get(storeId) as number | undefined) ?? 0,
    setDeliveredScan: (storeId, seq) => void q.setScan.run(storeId, seq),
  };
}
