// The SQLite store's transactions on their prepared statements (sqliteStore.ts): a read view
// refuses writes in the engine and leaves the connection writable afterwards, whether it ended well
// or not; savepoints at several depths, used again and again, undo only their own writes; each
// connection keeps its share of the file's pages in memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteReader, READER_CACHE_KIB, WRITER_CACHE_KIB } from '../../hq/adapters/sqlite/sqliteStorage.ts';
import { openSqliteStore, type SqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';

describe('SQLite store: transactions', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'footfall-sqlite-store-'));
    store = openSqliteStore(join(dir, 'hq.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read view refuses a write (the engine, not just the types), and the next transaction writes', async () => {
    await expect(store.read((r) => r.setMeta('k', 'in a read view'))).rejects.toThrow(/readonly/i);
    expect(await store.read((r) => r.getMeta('k'))).toBeNull();
    await store.withTx((t) => t.setMeta('k', 'written'));
    expect(await store.read((r) => r.getMeta('k'))).toBe('written');
    // A read view that fails for its own reason also hands back a writable connection.
    await expect(store.read(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await store.withTx((t) => t.setMeta('k', 'again'));
    expect(await store.read((r) => r.getMeta('k'))).toBe('again');
    expect(store.db.pragma('query_only', { simple: true })).toBe(0);
  });

  it('a failed transaction rolls back; nested savepoints, many times over, undo only their own writes', async () => {
    await expect(
      store.withTx(async (t) => {
        await t.setMeta('gone', 'x');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await store.read((r) => r.getMeta('gone'))).toBeNull();
    expect(store.db.inTransaction).toBe(false);

    for (let round = 0; round < 3; round++) {
      await store.withTx(async (t) => {
        await t.savepoint(async () => {
          await t.setMeta(`outer-${round}`, 'kept');
          await t
            .savepoint(async () => {
              await t.setMeta(`inner-${round}`, 'undone');
              throw new Error('inner');
            })
            .catch(() => undefined);
          await t.savepoint(() => t.setMeta(`inner2-${round}`, 'kept'));
        });
        await t.savepoint(() => t.setMeta(`second-${round}`, 'kept'));
      });
      expect(await store.read((r) => Promise.all([r.getMeta(`outer-${round}`), r.getMeta(`inner-${round}`), r.getMeta(`inner2-${round}`), r.getMeta(`second-${round}`)]))).toEqual([
        'kept',
        null,
        'kept',
        'kept',
      ]);
    }
  });

  it('an in-memory store (one connection) keeps its read views read-only too', async () => {
    const mem = openSqliteStore(':memory:');
    try {
      await expect(mem.read((r) => r.setMeta('k', 'in a read view'))).rejects.toThrow(/readonly/i);
      await mem.withTx((t) => t.setMeta('k', 'written'));
      expect(await mem.read((r) => r.getMeta('k'))).toBe('written');
    } finally {
      await mem.close();
    }
  });

  it('a read view sees every commit made before it, on its own connection', async () => {
    for (let i = 0; i < 20; i++) {
      await store.withTx((t) => t.setMeta('n', String(i)));
      expect(await store.read((r) => r.getMeta('n'))).toBe(String(i));
    }
  });

  it("keeps more of the file's pages in memory than SQLite's 2 MiB default: the writer 64 MiB, a reader 16 MiB", () => {
    // A negative cache_size is KiB (a positive one would be pages).
    expect(store.db.pragma('cache_size', { simple: true })).toBe(-WRITER_CACHE_KIB);
    expect(WRITER_CACHE_KIB).toBe(64 * 1024);
    const reader = openSqliteReader(store.db, join(dir, 'hq.db'))!;
    try {
      expect(reader.pragma('cache_size', { simple: true })).toBe(-READER_CACHE_KIB);
      expect(READER_CACHE_KIB).toBe(16 * 1024);
    } finally {
      reader.close();
    }
  });
});
