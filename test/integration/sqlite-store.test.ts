// The SQLite store's transactions on their prepared statements (sqliteStore.ts): a read view
// refuses writes in the engine and leaves the connection writable afterwards, whether it ended well
// or not; savepoints at several depths, used again and again, undo only their own writes. And its
// WAL checkpoints in a worker thread (checkpointer.ts): they happen, an idle WAL is truncated, the
// worker stops with the store and never keeps a process alive.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { waitFor } from '../support/waitFor.ts';

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
});

describe('SQLite store: WAL checkpoints in a worker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'footfall-sqlite-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeSome = async (store: SqliteStore, n: number, tag: string) => {
    for (let i = 0; i < n; i++) await store.withTx((t) => t.setMeta(`${tag}-${i}`, 'x'.repeat(2000)));
  };

  it('HQ\'s commits no longer checkpoint; the worker does, and truncates the WAL once idle', async () => {
    const path = join(dir, 'hq.db');
    const store = openSqliteStore(path, { checkpoints: { everyMs: 20, idleTruncateMs: 150 } });
    try {
      expect(store.checkpointer).not.toBeNull();
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      await writeSome(store, 200, 'a');
      // Everything committed reaches the database file, with no COMMIT of HQ's doing it …
      await waitFor(async () => {
        const s = await store.checkpointer!.stats();
        return s.runs > 0 && s.log > 0 && s.checkpointed === s.log;
      });
      // … and once nothing new comes, the WAL file is truncated to nothing.
      await waitFor(async () => (await store.checkpointer!.stats()).truncates > 0 && statSync(`${path}-wal`).size === 0);
      // Writing again after a truncate goes on as before.
      await writeSome(store, 20, 'b');
      expect(await store.read((r) => r.getMeta('b-19'))).toBe('x'.repeat(2000));
    } finally {
      await store.close();
    }
    // Closed: the worker is gone and the last connection folded the WAL into the file.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = openSqliteStore(path);
    try {
      expect(await again.read((r) => r.getMeta('a-199'))).toBe('x'.repeat(2000));
    } finally {
      await again.close();
    }
  });

  it('stops with the store, however many are opened and closed', async () => {
    for (let i = 0; i < 5; i++) {
      const store = openSqliteStore(join(dir, `hq-${i}.db`));
      await writeSome(store, 3, 'c');
      const ckpt = store.checkpointer!;
      await store.close();
      await expect(ckpt.stats()).rejects.toThrow(/stopped/);
    }
  });

  it('an in-memory store has none (no other connection could open it)', async () => {
    const mem = openSqliteStore(':memory:');
    try {
      expect(mem.checkpointer).toBeNull();
    } finally {
      await mem.close();
    }
  });

  it('never keeps a process alive: a process that does not close its store still exits', () => {
    const store = fileURLToPath(new URL('../../hq/adapters/sqlite/sqliteStore.ts', import.meta.url));
    const script = `const { openSqliteStore } = await import(${JSON.stringify(store)});
      const s = openSqliteStore(${JSON.stringify(join(dir, 'left-open.db'))});
      await s.withTx((t) => t.setMeta('k', 'v'));
      // The worker answers: it is running when the script ends.
      await s.checkpointer.stats();
      console.log('written');`;
    // execFileSync returns once the child has exited (its timeout would throw).
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect(out.trim()).toBe('written');
  });

  it('a process whose last step is awaiting the store\'s close waits for it and exits 0 (the admin CLI)', () => {
    const store = fileURLToPath(new URL('../../hq/adapters/sqlite/sqliteStore.ts', import.meta.url));
    const path = join(dir, 'cli.db');
    const script = `const { openSqliteStore } = await import(${JSON.stringify(store)});
      const s = openSqliteStore(${JSON.stringify(path)});
      await s.withTx((t) => t.setMeta('k', 'v'));
      await s.close();
      console.log('closed');`;
    // A non-zero exit (13: a top-level await left unsettled) would throw here.
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect(out.trim()).toBe('closed');
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
