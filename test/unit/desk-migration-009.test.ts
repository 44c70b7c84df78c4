// Desk cache migration 009 (member history): its tables, that data written at step 8 survives it,
// and that what it keeps leaves the cache with the member (erasure) and with time (retention),
// while a member whose history was fetched recently is kept for offline use.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import { getHistory, notesOf, putHistory, putMemberNote } from '../../electron/desk/history/historyQueries.ts';
import { type Member } from '../../shared/domain.ts';
import { type MemberHistory, type MemberNote } from '../../shared/memberHistory.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig9-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const member = (id: string, homeStoreId = 'bj'): Member => ({
  id,
  code: `C-${id}`,
  name: `Member ${id}`,
  nameEn: '',
  tier: 'gold',
  phoneMasked: '139****1111',
  phoneLast4: '1111',
  homeStoreId,
  sizes: { eu: 39, cn: 245 },
  preferences: [],
  points: 10,
  joinedAt: 1000,
  updatedAt: 2000,
  birthday: '06-15',
  consents: { marketing: false, personalization: true, contact: false },
});
const note = (id: string, memberId: string, at: number): MemberNote => ({ id, memberId, storeId: 'sh', text: `note ${id}`, by: { deviceId: 'd', deviceName: 'Counter' }, at });
const history = (memberId: string, notes: MemberNote[]): MemberHistory => ({
  member: member(memberId),
  anniversary: '01-01',
  visits: [{ id: 'v1', storeId: 'bj', storeName: 'Beijing', source: 'door', status: 'closed', arrivedAt: 5, closedAt: 6, outcome: 'purchased', clerkName: '王芳', notes: [] }],
  purchases: [],
  notes,
  more: { visits: false, purchases: false, notes: false },
});

describe('desk cache migration 009 (member history)', () => {
  it('adds the history tables and keeps step-8 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 8 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":4}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    expect(migrate(db, { target: 9 })).toBe(9);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['member_histories', 'member_notes']));
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":4}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    db.close();
  });

  it('keeps a fetched history with its notes merged by id; erasure and retention remove them', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new CacheQueries(db);
    const now = 100 * DAY;
    q.tx(() => {
      q.upsertMember(member('far')); // another store's member, found through HQ
      putHistory(db, 'far', history('far', [note('n1', 'far', now - DAY)]), now - DAY);
      putMemberNote(db, note('n2', 'far', now)); // from a member.noted event
      putMemberNote(db, note('n1', 'far', now - DAY)); // the same note again: one row
      q.upsertMember(member('old'));
      putHistory(db, 'old', history('old', [note('n3', 'old', now - 40 * DAY)]), now - 40 * DAY);
    });
    expect(getHistory(db, 'far')?.history.notes.map((n) => n.id)).toEqual(['n2', 'n1']);
    expect(getHistory(db, 'far')?.history.visits[0]?.storeName).toBe('Beijing');

    // Retention (30 days): the old history and its member go; the recent one stays, member and all.
    const purged = purgeOlderThan(db, now - 30 * DAY, 'sh');
    expect(purged.members).toBe(1);
    expect(getHistory(db, 'old')).toBeNull();
    expect(notesOf(db, 'old')).toEqual([]);
    expect(q.getMember('old')).toBeNull();
    expect(getHistory(db, 'far')).not.toBeNull();
    expect(q.getMember('far')).not.toBeNull();

    // Erasure: nothing of the member stays.
    q.tx(() => deleteMemberData(db, 'far'));
    expect(getHistory(db, 'far')).toBeNull();
    expect(notesOf(db, 'far')).toEqual([]);
    db.close();
  });
});
