// Desk cache migration 021 (a member's code found by prefix from one key, 8/8): members cached at
// step 20 get their code's key, the code's prefixes leave member_terms (and each member's list) while
// every other term stays, and a code is still found by any prefix, folded as before.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import { memberTerms } from '../../electron/desk/cache/search.ts';
import { member } from '../support/builders.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig21-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rowsOf = (db: Database.Database, id: string) => db.prepare('SELECT term FROM member_terms WHERE member_id = ? ORDER BY term').pluck().all(id) as string[];
const listOf = (db: Database.Database, id: string) => (JSON.parse(db.prepare('SELECT terms FROM members WHERE id = ?').pluck().get(id) as string) as string[]).sort();

describe('desk cache migration 021 (member code key)', () => {
  it('keys the codes of the members cached at step 20 and takes the code prefixes out of their terms', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 20 });
    const put = db.prepare("INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json, terms) VALUES (?, ?, ?, ?, ?, 1, '{}', ?)");
    const term = db.prepare('INSERT INTO member_terms (term, member_id) VALUES (?, ?)');
    // As step 20 wrote them: the code's prefixes among the terms, and listed.
    const m1Terms = ['王', '小', '明', '王小', '小明', '王小明', 'w', 'wa', 'wan', 'wang', 'x', 'xi', 'xia', 'xiao', 'xiaom', 'xiaomi', 'xiaomin', 'xiaoming', '5678', 'v', 'vi', 'vip', 'vip-', 'vip-0', 'vip-00', 'vip-001'];
    put.run('m1', 'VIP-001', '王小明', 'Wang Xiaoming', '5678', JSON.stringify(m1Terms));
    for (const t of m1Terms) term.run(t, 'm1');
    put.run('m2', 'Ｂ 0２', 'Anna', '', '', JSON.stringify(['a', 'an', 'ann', 'anna', 'b', 'b0', 'b02']));
    for (const t of ['a', 'an', 'ann', 'anna', 'b', 'b0', 'b02']) term.run(t, 'm2');

    expect(migrate(db, { target: 21 })).toBe(21);
    expect(db.prepare('SELECT id, code_key FROM members ORDER BY id').all()).toEqual([
      { id: 'm1', code_key: 'vip001' }, // folded as a query is: the hyphen goes
      { id: 'm2', code_key: 'b02' }, // full-width letters and digits folded, the space gone
    ]);
    expect(rowsOf(db, 'm1')).toEqual(m1Terms.filter((t) => !t.startsWith('v')).sort());
    expect(listOf(db, 'm1')).toEqual(rowsOf(db, 'm1'));
    expect(rowsOf(db, 'm2')).toEqual([...memberTerms({ name: 'Anna', nameEn: '', phoneLast4: '' })].sort());
    expect(rowsOf(db, 'm2')).not.toContain('b0');
    expect(listOf(db, 'm2')).toEqual(rowsOf(db, 'm2'));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'members_by_code_key'").pluck().get()).toBe('members_by_code_key');

    const q = new CacheQueries(db);
    const ids = (query: string) => q.search.search(query).map((h) => h.id).sort();
    expect(ids('vip')).toEqual(['m1']);
    expect(ids('VIP-00')).toEqual(['m1']);
    expect(ids('vip001')).toEqual(['m1']);
    expect(ids('ｂ0')).toEqual(['m2']);
    expect(ids('b03')).toEqual([]);
    expect(ids('小明')).toEqual(['m1']);
    // A new code: the old one finds nothing, the new one does.
    q.tx(() => q.upsertMember(member('m2', { code: 'C77', name: 'Anna', nameEn: '', phoneLast4: '' })));
    expect(ids('b0')).toEqual([]);
    expect(ids('c7')).toEqual(['m2']);
    db.close();
  });
});
