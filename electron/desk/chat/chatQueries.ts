// The desk cache's chat SQL (tables from migration 003), each statement prepared once; erasure and the
// retention purge are in ../cache/privacy.ts. CacheQueries exposes it as `q.chat` so chat changes join
// the cache's transactions.
import type Database from 'better-sqlite3';
import type { ImageMime, Message, Receipts } from '../../../shared/domain.ts';

export const NO_RECEIPTS: Receipts = { memberDelivered: 0, memberRead: 0, storeDelivered: 0, storeRead: 0 };

export interface CachedConversation {
  memberId: string;
  lastN: number;
  lastAt: number;
  receipts: Receipts;
}

export class ChatQueries {
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.s = {
      getConv: db.prepare<[string], { member_id: string; last_n: number; last_at: number; receipts: string }>('SELECT * FROM chat_conversations WHERE member_id = ?'),
      touchConv: db.prepare<[string, number, number, string]>(
        `INSERT INTO chat_conversations (member_id, last_n, last_at, receipts) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET last_n = MAX(last_n, excluded.last_n), last_at = MAX(last_at, excluded.last_at)`,
      ),
      setReceipts: db.prepare<[string, string, string]>(
        `INSERT INTO chat_conversations (member_id, last_n, last_at, receipts) VALUES (?, 0, 0, ?)
         ON CONFLICT (member_id) DO UPDATE SET receipts = ?`,
      ),
      listConv: db.prepare<[number], { member_id: string; last_n: number; last_at: number; receipts: string }>(
        'SELECT * FROM chat_conversations ORDER BY last_at DESC LIMIT +?',
      ),
      putMsg: db.prepare<[string, string, number, string, string]>(
        `INSERT INTO chat_messages (id, member_id, n, sender, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json`,
      ),
      page: db.prepare<[string, number, number], { json: string }>('SELECT json FROM chat_messages WHERE member_id = ? AND n < ? ORDER BY n DESC LIMIT +?'),
      getMsg: db.prepare<[string], { json: string }>('SELECT json FROM chat_messages WHERE id = ?'),
      unread: db.prepare<[string, number], { n: number }>("SELECT COUNT(*) AS n FROM chat_messages WHERE member_id = ? AND sender = 'member' AND n > ?"),
      // Per conversation, member messages past what the store has read — with the clerk's queued reads
      // (outbox ops under chat:<memberId>) applied as views.ts localReceipts does — counted on the
      // (member_id, n) index.
      unreadTotal: db.prepare<[], { n: number }>(
        `SELECT COALESCE(SUM((SELECT COUNT(*) FROM chat_messages m
                               WHERE m.member_id = c.member_id AND m.sender = 'member'
                                 AND m.n > MAX(COALESCE(json_extract(c.receipts, '$.storeRead'), 0),
                                               COALESCE((SELECT MAX(json_extract(o.data, '$.upTo')) FROM outbox o
                                                          WHERE o.visit_id = 'chat:' || c.member_id AND o.type = 'chat.read' AND o.state != 'rejected'), 0)))), 0) AS n
           FROM chat_conversations c`,
      ),
      newestMember: db.prepare<[string], { n: number | null }>("SELECT MAX(n) AS n FROM chat_messages WHERE member_id = ? AND sender = 'member'"),
      getImage: db.prepare<[string], { mime: string; bytes: Buffer }>('SELECT mime, bytes FROM chat_images WHERE id = ?'),
      putImage: db.prepare<[string, string, Buffer, number]>('INSERT OR REPLACE INTO chat_images (id, mime, bytes, fetched_at) VALUES (?, ?, ?, ?)'),
      putUpload: db.prepare<[string, string, Buffer, number]>('INSERT INTO chat_uploads (local_id, mime, bytes, created_at) VALUES (?, ?, ?, ?)'),
      getUpload: db.prepare<[string], { mime: string; bytes: Buffer; remote_id: string | null }>('SELECT mime, bytes, remote_id FROM chat_uploads WHERE local_id = ?'),
      setUploaded: db.prepare<[string, string]>('UPDATE chat_uploads SET remote_id = ? WHERE local_id = ?'),
      setOpData: db.prepare<[string, string]>('UPDATE outbox SET data = ? WHERE op_id = ?'),
      wipe: [db.prepare('DELETE FROM chat_messages'), db.prepare('DELETE FROM chat_conversations')],
    };
  }

  getConversation(memberId: string): CachedConversation | null {
    const r = this.s.getConv.get(memberId);
    return r ? { memberId, lastN: r.last_n, lastAt: r.last_at, receipts: JSON.parse(r.receipts) as Receipts } : null;
  }
  listConversations(limit: number): CachedConversation[] {
    return this.s.listConv.all(limit).map((r) => ({ memberId: r.member_id, lastN: r.last_n, lastAt: r.last_at, receipts: JSON.parse(r.receipts) as Receipts }));
  }
  /** Writes (or replaces: a recall) a message and moves its conversation forward. */
  putMessage(m: Message): void {
    this.s.putMsg.run(m.id, m.memberId, m.n, m.from, JSON.stringify(m));
    this.s.touchConv.run(m.memberId, m.n, m.at, JSON.stringify(NO_RECEIPTS));
  }
  setReceipts(memberId: string, r: Receipts): void {
    const json = JSON.stringify(r);
    this.s.setReceipts.run(memberId, json, json);
  }
  getMessage(id: string): Message | null {
    const r = this.s.getMsg.get(id);
    return r ? (JSON.parse(r.json) as Message) : null;
  }
  /** Up to `limit` messages with n < before, oldest first. */
  page(memberId: string, before: number | undefined, limit: number): Message[] {
    return this.s.page
      .all(memberId, before ?? Number.MAX_SAFE_INTEGER, limit)
      .map((r) => JSON.parse(r.json) as Message)
      .reverse();
  }
  unread(memberId: string, storeRead: number): number {
    return this.s.unread.get(memberId, storeRead)!.n;
  }
  /** Member messages not read at this counter, over every conversation (the outbox's reads applied). */
  unreadTotal(): number {
    return this.s.unreadTotal.get()!.n;
  }
  newestMemberN(memberId: string): number {
    return this.s.newestMember.get(memberId)?.n ?? 0;
  }
  getImage(id: string): { mime: string; bytes: Buffer } | null {
    return this.s.getImage.get(id) ?? null;
  }
  putImage(id: string, mime: string, bytes: Buffer, at: number): void {
    this.s.putImage.run(id, mime, bytes, at);
  }
  putUpload(localId: string, mime: ImageMime, bytes: Buffer, at: number): void {
    this.s.putUpload.run(localId, mime, bytes, at);
  }
  getUpload(localId: string): { mime: string; bytes: Buffer; remoteId: string | null } | null {
    const r = this.s.getUpload.get(localId);
    return r ? { mime: r.mime, bytes: r.bytes, remoteId: r.remote_id } : null;
  }
  setUploaded(localId: string, remoteId: string): void {
    this.s.setUploaded.run(remoteId, localId);
  }
  setOpData(opId: string, data: object): void {
    this.s.setOpData.run(JSON.stringify(data), opId);
  }
  /** Everything HQ owns (a snapshot rebuilds it); queued uploads and fetched images stay. */
  wipe(): void {
    for (const st of this.s.wipe) st.run();
  }
}
