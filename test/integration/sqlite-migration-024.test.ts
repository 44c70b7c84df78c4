// HQ's SQLite step 24 on a file written at step 23: the catalog's counters (catalog_versions) start
// empty — every store at 0, the catalog it holds kept as it was —, move with the writers from then
// on, and a store's counters are read by their primary key, never by scanning the table.
import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../hq/adapters/sqlite/migrations.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteAtStep } from '../support/sqliteSteps.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-migration-024-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const planOf = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');

describe('SQLite step 24: the catalog counters', () => {
  it('starts every store at 0 with its stock kept, moves with a write, and reads a store’s counters by key', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(24);
    const path = join(dir, 'hq.db');
    const db = openSqliteAtStep(path, 23);
    db.prepare("INSERT INTO stores (id, name, city, epoch) VALUES ('s-a', 'A', '上海', 'e1'), ('s-b', 'B', '上海', 'e1')").run();
    db.prepare("INSERT INTO stock (store_id, style_id, color, size, qty) VALUES ('s-a', 'st-1', 'BLK', 42, 3)").run();
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT COUNT(*) FROM catalog_versions').pluck().get()).toBe(0);
    // Of the prepared statement's shape (hq/adapters/sqlite/sqliteStorage.ts): a key look-up per scope.
    expect(planOf(db, "SELECT COALESCE(SUM(version), 0) FROM catalog_versions WHERE scope IN ('', ?)", 's-a')).toMatch(/SEARCH catalog_versions USING PRIMARY KEY \(scope=\?\)/);
    db.close();

    const store = openSqliteStore(path, { log: () => {} });
    try {
      expect(await store.read(async (r) => [await r.catalogVersion('s-a'), await r.catalogVersion('s-b')])).toEqual([0, 0]);
      expect(await store.read((r) => r.stockForStore('s-a'))).toEqual([{ storeId: 's-a', styleId: 'st-1', color: 'BLK', size: 42, qty: 3 }]);
      await store.withTx((tx) => tx.catalogChanged(['s-b']));
      expect(await store.read(async (r) => [await r.catalogVersion('s-a'), await r.catalogVersion('s-b')])).toEqual([0, 1]);
    } finally {
      await store.close();
    }
  });
});
