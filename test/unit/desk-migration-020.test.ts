// Desk cache migration 020 (a member's search terms listed in its row, 8/8): members cached at step
// 19 get the list of exactly their member_terms rows, terms of no member go, the index by member
// goes — and what the list is for: a rename replaces exactly the old terms, an erasure and the
// retention purge leave no term of the member behind, a member re-sent unchanged writes nothing,
// and the row's list always names exactly the member's rows.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import { fillMemberTerms, memberTerms } from '../../electron/desk/cache/search.ts';
import { member, visit } from '../support/builders.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig20-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Read by member: a scan of member_terms, which is fine in a test and is what the cache no longer needs.
const rowsOf = (db: Database.Database, id: string) => (db.prepare('SELECT term FROM member_terms WHERE member_id = ? ORDER BY term').pluck().all(id) as string[]);
const listOf = (db: Database.Database, id: string) => (JSON.parse(db.prepare('SELECT terms FROM members WHERE id = ?').pluck().get(id) as string) as string[]).sort();
const sorted = (terms: Iterable<string>) => [...terms].sort();
const indexes = (db: Database.Database) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'member_terms'").pluck().all() as string[];

describe('desk cache migration 020 (member terms listed in the row)', () => {
  it('lists the terms of the members cached at step 19, drops terms of no member and the index by member', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 19 });
    const put = db.prepare("INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json) VALUES (?, ?, ?, ?, ?, 1, '{}')");
    put.run('m1', 'M0001', '王小明', 'Wang Xiaoming', '5678');
    put.run('m2', 'VIP2', 'Renée', '', '');
    fillMemberTerms(db); // as step 7 left them: every member's terms, under today's rules
    db.prepare("INSERT INTO member_terms (term, member_id) VALUES ('stray', 'gone')").run();
    db.prepare("INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json) VALUES ('m3', 'C3', 'x', '', '', 1, '{}')").run();
    db.prepare("DELETE FROM member_terms WHERE member_id = 'm3'").run(); // a member with no terms at all
    expect(indexes(db)).toContain('member_terms_by_member');

    expect(migrate(db, { target: 20 })).toBe(20);
    expect(listOf(db, 'm1')).toEqual(rowsOf(db, 'm1'));
    expect(listOf(db, 'm1')).toEqual(sorted(memberTerms({ name: '王小明', nameEn: 'Wang Xiaoming', phoneLast4: '5678' })));
    expect(listOf(db, 'm2')).toEqual(rowsOf(db, 'm2'));
    expect(listOf(db, 'm2')).toContain('renee');
    expect(listOf(db, 'm3')).toEqual([]);
    expect(rowsOf(db, 'gone')).toEqual([]);
    expect(indexes(db)).not.toContain('member_terms_by_member');

    // The migrated rows are searched, renamed and erased through their lists (on today's schema).
    migrate(db);
    const q = new CacheQueries(db);
    expect(q.search.search('小明').map((h) => h.id)).toEqual(['m1']);
    q.tx(() => q.upsertMember(member('m1', { name: '李四', nameEn: 'Li Si', code: 'M0001', phoneLast4: '5678' })));
    expect(q.search.search('小明')).toEqual([]);
    expect(q.search.search('李').map((h) => h.id)).toEqual(['m1']);
    expect(listOf(db, 'm1')).toEqual(rowsOf(db, 'm1'));
    q.tx(() => deleteMemberData(db, 'm2'));
    expect(rowsOf(db, 'm2')).toEqual([]);
    expect(rowsOf(db, 'm1')).not.toEqual([]);
    db.close();
  });

  it('keeps the row list and the term rows the same through writes, renames, erasure and the purge', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new CacheQueries(db);
    q.tx(() => {
      q.upsertMember(member('m1', { name: '张伟', nameEn: 'Zhang Wei', code: 'M0000001', phoneLast4: '1234', homeStoreId: 'other' }));
      q.upsertMember(member('m2', { name: '张伟', nameEn: 'Zhang Wei', code: 'M0000002', phoneLast4: '1234' }));
    });
    expect(listOf(db, 'm1')).toEqual(rowsOf(db, 'm1'));
    expect(rowsOf(db, 'm1')).toEqual(sorted(memberTerms({ name: '张伟', nameEn: 'Zhang Wei', phoneLast4: '1234' })));

    // Re-sent with only its points changed: the row is written, its terms are not.
    const changes = db.prepare('SELECT total_changes()').pluck();
    const before = changes.get() as number;
    q.tx(() => q.upsertMember(member('m1', { name: '张伟', nameEn: 'Zhang Wei', code: 'M0000001', phoneLast4: '1234', homeStoreId: 'other', points: 999 })));
    expect((changes.get() as number) - before).toBe(1);

    // A new phone: its old last 4 goes, the new one comes, every other term stays.
    q.tx(() => q.upsertMember(member('m1', { name: '张伟', nameEn: 'Zhang Wei', code: 'M0000001', phoneLast4: '4321', homeStoreId: 'other' })));
    expect(rowsOf(db, 'm1')).toContain('4321');
    expect(rowsOf(db, 'm1')).not.toContain('1234');
    expect(listOf(db, 'm1')).toEqual(rowsOf(db, 'm1'));
    expect(q.search.search('1234').map((h) => h.id)).toEqual(['m2']);

    // The retention purge erases a member of another store with nothing left here: no term stays.
    q.tx(() => q.putVisit(visit('v1', 'm1', { arrivedAt: 1_000, lastSeenAt: 1_000 })));
    const purged = purgeOlderThan(db, 2_000, 'store-a');
    expect(purged.members).toBe(1);
    expect(rowsOf(db, 'm1')).toEqual([]);
    expect(listOf(db, 'm2')).toEqual(rowsOf(db, 'm2'));
    expect(q.search.search('张伟').map((h) => h.id)).toEqual(['m2']);
    db.close();
  });
});
