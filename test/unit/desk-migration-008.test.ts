// Desk cache migration 008 (check-in at the counter, 4/8 part A): the card-code index, the data of
// step 7 kept, and a code lookup that uses the index instead of scanning the members.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckinQueries } from '../../electron/desk/checkins/checkinQueries.ts';
import { migrate } from '../../electron/desk/cache/migrate.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig8-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('desk cache migration 008 (checkin)', () => {
  it('indexes members by card code and keeps step-7 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 7 });
    const member = { id: 'm1', code: 'M0000001', name: '张伟', nameEn: 'Zhang Wei', tier: 'gold' };
    db.prepare("INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json) VALUES ('m1', 'M0000001', '张伟', 'Zhang Wei', '1001', 5, ?)").run(JSON.stringify(member));
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    const indexes = () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(indexes()).not.toContain('members_code');
    expect(migrate(db, { target: 8 })).toBe(8);
    expect(indexes()).toContain('members_code');
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT json FROM members WHERE code = 'M0000001'").all() as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    expect(plan).toContain('members_code');
    migrate(db);
    expect(new CheckinQueries(db).memberByCode('M0000001')).toMatchObject({ id: 'm1', name: '张伟' });
    expect(new CheckinQueries(db).memberByCode('M0000002')).toBeNull();
    db.close();
  });
});
