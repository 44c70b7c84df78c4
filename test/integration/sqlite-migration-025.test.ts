// HQ's SQLite step 25 on a file written at step 24: a store's members by birthday. The birthday
// sweep's read finds the week's members of a store through members_home_birthday, a look-up per
// "MM-DD" key — it read every home member of every store once an hour (docs/benchmarks.md, round
// 52) — and answers exactly the store's members born on those days; members_home, which the new
// index replaces, is gone, and a store's members are still found through an index.
import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../hq/adapters/sqlite/migrations.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteAtStep } from '../support/sqliteSteps.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-migration-025-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const planOf = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');

const BIRTHDAYS = ['07-14', '07-15', '07-20', '07-21', '12-31', null] as const;

describe('SQLite step 25: a store’s members by birthday', () => {
  it('reads a store’s members born on the week’s days through the index, and only those', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(25);
    const path = join(dir, 'hq.db');
    const db = openSqliteAtStep(path, 24);
    const insert = db.prepare(
      "INSERT INTO members (id, code, name, tier, home_store_id, size_eu, size_cn, joined_at, updated_at, birthday) VALUES (?, ?, '会员', 'basic', ?, 42, 260, 0, 0, ?)",
    );
    // 600 members at two stores, birthdays in turn (one in six none).
    for (let i = 0; i < 600; i++) insert.run(`m-${String(i).padStart(4, '0')}`, `C${i}`, i % 2 ? 's-b' : 's-a', BIRTHDAYS[i % BIRTHDAYS.length]);
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members'").pluck().all();
    expect(indexes).toContain('members_home_birthday');
    expect(indexes).not.toContain('members_home');
    // The statement's shape (hq/adapters/sqlite/sqliteStorage.ts): a search of the index by store and key.
    const BORN_ON = 'SELECT * FROM members WHERE home_store_id = ? AND birthday IN (SELECT value FROM json_each(?)) ORDER BY id';
    const plan = planOf(db, BORN_ON, 's-a', '["07-14","07-15"]');
    expect(plan, plan).toMatch(/SEARCH members USING INDEX members_home_birthday \(home_store_id=\? AND birthday=\?\)/);
    expect(plan, plan).not.toMatch(/SCAN members/);
    // A store's members (the desk's snapshot) are still read through an index.
    expect(planOf(db, 'SELECT * FROM members WHERE home_store_id = ? ORDER BY id', 's-a')).toMatch(/SEARCH members USING (COVERING )?INDEX members_home_/);
    db.close();

    const store = openSqliteStore(path, { log: () => {} });
    try {
      const born = await store.read((r) => r.homeMembersBornOn('s-a', ['07-14', '07-20', '12-31']));
      // Store s-a holds the even members; of those, birthdays 07-14 (i % 6 = 0), 07-20 (i % 6 = 2), 12-31 (i % 6 = 4).
      const expected = Array.from({ length: 600 }, (_, i) => i)
        .filter((i) => i % 2 === 0 && ['07-14', '07-20', '12-31'].includes(BIRTHDAYS[i % BIRTHDAYS.length] ?? ''))
        .map((i) => `m-${String(i).padStart(4, '0')}`);
      expect(born.map((m) => m.id)).toEqual(expected);
      expect(born.every((m) => m.homeStoreId === 's-a')).toBe(true);
      expect(await store.read((r) => r.homeMembersBornOn('s-b', ['07-14']))).toEqual([]);
      expect((await store.read((r) => r.homeMembersBornOn('s-b', ['07-15']))).map((m) => m.birthday)).toEqual(Array(100).fill('07-15'));
      expect(await store.read((r) => r.homeMembersBornOn('s-a', []))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
