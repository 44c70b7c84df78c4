// Desk cache migration 003 (chat): its tables, and that data written at step 2 survives it.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import { type Message } from '../../shared/domain.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig3-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const msg = (n: number, from: Message['from']): Message => ({
  id: `msg-${n}`,
  clientId: `c-${n}`,
  storeId: 's',
  memberId: 'm1',
  n,
  from,
  by: null,
  kind: 'text',
  body: `hello ${n}`,
  product: null,
  image: null,
  at: 1000 + n,
  recalledAt: null,
});

describe('desk cache migration 003 (chat)', () => {
  it('adds the chat tables and keeps step-2 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 2 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    expect(migrate(db, { target: 3 })).toBe(3);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['chat_conversations', 'chat_messages', 'chat_images', 'chat_uploads']));
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);

    // Messages page by conversation position; a conversation's n is unique; unread counts member messages.
    migrate(db); // CacheQueries runs on the latest schema (later steps add columns it uses)
    const q = new CacheQueries(db);
    q.tx(() => {
      for (let n = 1; n <= 5; n++) q.chat.putMessage(msg(n, n % 2 ? 'member' : 'clerk'));
      q.chat.setReceipts('m1', { memberDelivered: 4, memberRead: 2, storeDelivered: 5, storeRead: 1 });
    });
    expect(q.chat.page('m1', undefined, 2).map((m) => m.n)).toEqual([4, 5]);
    expect(q.chat.page('m1', 4, 10).map((m) => m.n)).toEqual([1, 2, 3]);
    expect(q.chat.unread('m1', 1)).toBe(2);
    expect(q.chat.getConversation('m1')).toMatchObject({ lastN: 5, receipts: { storeRead: 1 } });
    expect(() => db.prepare("INSERT INTO chat_messages (id, member_id, n, sender, json) VALUES ('x', 'm1', 3, 'member', '{}')").run()).toThrow(/UNIQUE/);
    // A snapshot wipes HQ's chat state but not the images queued for upload.
    q.tx(() => q.chat.putUpload('u1', 'image/png', Buffer.from([1, 2]), 1));
    q.tx(() => q.wipeHqState());
    expect(q.chat.page('m1', undefined, 10)).toEqual([]);
    expect(q.chat.getUpload('u1')).toMatchObject({ mime: 'image/png' });
    db.close();
  });
});
