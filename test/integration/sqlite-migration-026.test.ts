// HQ's SQLite step 26 on a file written at step 25: a hold's reminder, marked. Holds from before
// the step start unmarked and are answered by the reminder sweep's read — whose first pass finds a
// task made already and makes no second one — through holds_to_remind, an index of exactly the
// active unmarked holds; a marked hold is not read again (docs/benchmarks.md, round 52).
import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../hq/adapters/sqlite/migrations.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteAtStep } from '../support/sqliteSteps.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-migration-026-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const planOf = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');

describe('SQLite step 26: a hold’s reminder, marked', () => {
  it('starts old holds unmarked, reads the unmarked active ones through holds_to_remind, and not a marked one again', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(26);
    const path = join(dir, 'hq.db');
    const db = openSqliteAtStep(path, 25);
    const insert = db.prepare("INSERT INTO holds (id, store_id, member_id, style_id, color, size, status, until, data) VALUES (?, ?, 'm1', 's1', 'BLK', 42, ?, ?, '{}')");
    insert.run('h1', 'a', 'active', 10_000);
    insert.run('h2', 'b', 'active', 20_000);
    insert.run('h3', 'a', 'collected', 15_000);
    insert.run('h4', 'a', 'active', 90_000);
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT id, reminded FROM holds ORDER BY id').all()).toEqual(['h1', 'h2', 'h3', 'h4'].map((id) => ({ id, reminded: 0 })));
    // The statement's shape (hq/adapters/sqlite/holdStorage.ts): a search of the partial index by `until`.
    const TO_REMIND = "SELECT store_id, id FROM holds WHERE status = 'active' AND reminded = 0 AND until >= ? AND until < ? ORDER BY until, id LIMIT +?";
    const plan = planOf(db, TO_REMIND, 0, 50_000, 500);
    expect(plan, plan).toMatch(/SEARCH holds USING INDEX holds_to_remind \(until>\? AND until<\?\)/);
    expect(plan, plan).not.toMatch(/SCAN holds|TEMP B-TREE/);
    db.close();

    const store = openSqliteStore(path, { log: () => {} });
    try {
      expect(await store.read((r) => r.holds.toRemind(0, 50_000, 500))).toEqual([
        { storeId: 'a', id: 'h1' },
        { storeId: 'b', id: 'h2' },
      ]);
      await store.withTx((tx) => tx.holds.markReminded('h1'));
      expect(await store.read((r) => r.holds.toRemind(0, 50_000, 500))).toEqual([{ storeId: 'b', id: 'h2' }]);
      expect(await store.read((r) => r.holds.toRemind(0, 100_000, 500))).toEqual([
        { storeId: 'b', id: 'h2' },
        { storeId: 'a', id: 'h4' },
      ]);
    } finally {
      await store.close();
    }
  });
});
