// The SQLite store's WAL checkpoints on their own thread (walCheckpointer.ts), on real files: the
// writer's COMMIT does not checkpoint, the thread's passes copy committed pages into the database
// file, the thread starts the WAL again after a pass that copied everything (so the next arrival's
// COMMIT appends, and does not fsync a new header on the event loop), a write waits for a pass once
// the WAL is due to restart and the thread could not restart it (so it does not grow without
// bound), a burst faster than the thread meets the writer's net, nothing is lost across a close,
// and a thread that cannot run hands the checkpoints back to the writer.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteDatabase } from '../../hq/adapters/sqlite/sqliteStorage.ts';
import { NET_FRAMES, RESTART_FRAMES, startWalCheckpointer, type WalCheckpointer } from '../../shared/node/walCheckpointer.ts';
import { walHeader } from '../support/walHeader.ts';

const PAGE = 4096;
/** A value of about one page, different per key and round, so every write dirties fresh pages. */
const bulky = (key: number, round: number) => `${key}:${round}:`.padEnd(PAGE - 200, String.fromCharCode(97 + ((key + round) % 26)));

describe('SQLite store: checkpoints on their own thread', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'footfall-sqlite-ckpt-'));
    path = join(dir, 'hq.db');
    store = openSqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the writer's COMMIT does not checkpoint; a pass of the thread copies the committed pages into the file", async () => {
    expect(store.checkpointer).not.toBeNull();
    await store.checkpointer!.pass(); // the schema the migrations wrote, into the file
    await store.withTx(async (t) => {
      for (let k = 0; k < 20; k++) await t.setMeta(`k${k}`, bulky(k, 0));
    });
    // The database file alone (no WAL beside it) does not have the rows yet: nothing checkpointed in COMMIT.
    const before = join(dir, 'before.db');
    copyFileSync(path, before);
    const b = new Database(before, { readonly: true });
    expect(b.prepare("SELECT count(*) FROM meta WHERE key LIKE 'k%'").pluck().get()).toBe(0);
    b.close();
    await store.checkpointer!.pass();
    expect(store.checkpointer!.stats().passes).toBeGreaterThan(0);
    // Now the file alone holds them: the thread copied them in.
    const after = join(dir, 'after.db');
    copyFileSync(path, after);
    const a = new Database(after, { readonly: true });
    expect(a.prepare("SELECT count(*) FROM meta WHERE key LIKE 'k%'").pluck().get()).toBe(20);
    expect(a.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('k7')).toBe(bulky(7, 0));
    a.close();
  });

  /** `rounds` write transactions of `keys` one-page values each, back to back: no timer runs between them. */
  const burst = async (prefix: string, rounds: number, keys = 40, from = 0) => {
    for (let r = from; r < from + rounds; r++) {
      await store.withTx(async (t) => {
        for (let k = 0; k < keys; k++) await t.setMeta(`${prefix}${k}`, bulky(k, r));
      });
    }
  };

  it("the pass that copied every frame starts the WAL again on the thread: the next write's COMMIT appends, its header left alone", async () => {
    await store.checkpointer!.pass(); // the thread is up, the schema copied in
    for (let round = 0; round < 3; round++) {
      await burst('h', 1, 5, round);
      await store.checkpointer!.pass();
      const header = walHeader(path);
      await burst('h', 1, 5, round + 100);
      expect(walHeader(path)).toBe(header); // appended: no new header written, none synced
    }
    const stats = store.checkpointer!.stats();
    expect(stats.restarts).toBeGreaterThanOrEqual(3);
    expect(stats.restartWaits).toBe(0);
    // HQ's schema version, which the thread rewrites with its own value, is the migrations' still.
    const version = store.db.pragma('user_version', { simple: true }) as number;
    expect(version).toBeGreaterThan(0);
    await store.close();
    store = openSqliteStore(path);
    expect(store.db.pragma('user_version', { simple: true })).toBe(version);
    expect(await store.read((r) => r.getMeta('h3'))).toBe(bulky(3, 102));
  });

  it('a burst past RESTART_FRAMES then a pass: the thread has started the WAL again, so no write waits and the next burst reuses the file from the top', async () => {
    await store.checkpointer!.pass();
    await burst('s', Math.ceil(RESTART_FRAMES / 40) + 5);
    const walHigh = statSync(`${path}-wal`).size;
    await store.checkpointer!.pass();
    expect(store.checkpointer!.stats().restarts).toBeGreaterThan(0);
    await burst('t', Math.ceil(RESTART_FRAMES / 40) - 10);
    expect(store.checkpointer!.stats().restartWaits).toBe(0);
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(walHigh);
    expect(await store.read((r) => r.getMeta('s39'))).toBe(bulky(39, Math.ceil(RESTART_FRAMES / 40) + 4));
  });

  it("a burst faster than the thread is bounded by the writer's own net, and every write is there after close and reopen", async () => {
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(NET_FRAMES);
    const rounds = Math.ceil((2 * NET_FRAMES) / 40);
    await burst('n', rounds); // no timer runs in between: only the net can checkpoint
    const walBytes = statSync(`${path}-wal`).size;
    expect(walBytes).toBeLessThan((NET_FRAMES + 500) * (PAGE + 24));
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false); // the last connection to close checkpointed and removed it
    store = openSqliteStore(path);
    for (const k of [0, 17, 39]) expect(await store.read((r) => r.getMeta(`n${k}`))).toBe(bulky(k, rounds - 1));
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('SQLite checkpoint thread: a WAL due to restart that the thread does not restart', () => {
  // Without restartOnThread (or while writes keep a frame uncopied at every pass), SQLite restarts
  // the WAL only in a COMMIT whose transaction began with every frame copied: the checkpointer makes
  // the next write wait for a pass. A writer as HQ's store drives the checkpointer, on an HQ file.
  let dir: string;
  let path: string;
  let db: Database.Database;
  let ckpt: WalCheckpointer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'footfall-sqlite-ckpt-wait-'));
    path = join(dir, 'hq.db');
    db = openSqliteDatabase(path);
    ckpt = startWalCheckpointer(db, path, () => {});
  });
  afterEach(async () => {
    await ckpt.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const put = () => db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const burst = async (prefix: string, rounds: number, keys = 40, from = 0) => {
    const stmt = put();
    for (let r = from; r < from + rounds; r++) {
      const wait = ckpt.beforeWrite();
      if (wait) await wait;
      db.transaction(() => {
        for (let k = 0; k < keys; k++) stmt.run(`${prefix}${k}`, bulky(k, r));
      }).immediate();
      ckpt.committed();
    }
  };

  it('once a pass finds the WAL at RESTART_FRAMES, one more runs at once while writes go on; after it the next write waits for a pass and SQLite starts the WAL again', async () => {
    await ckpt.pass(); // the thread is up
    await burst('s', Math.ceil(RESTART_FRAMES / 40) + 5);
    await ckpt.pass();
    const full = ckpt.stats();
    expect(full.lastLogFrames).toBeGreaterThanOrEqual(RESTART_FRAMES);
    // The closing pass: started at once by the checkpointer, not asked for, and no write waited for it.
    expect(full.closingPasses).toBe(1);
    for (let i = 0; i < 100 && ckpt.stats().passes === full.passes; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ckpt.stats().passes).toBeGreaterThan(full.passes);
    expect(ckpt.stats().restartWaits).toBe(0);
    const walHigh = statSync(`${path}-wal`).size;
    await burst('s', 1, 40, 10_000); // this write waits for a pass, then its BEGIN restarts the WAL
    expect(ckpt.stats().restartWaits).toBe(1);
    expect(ckpt.stats().restarts).toBe(0);
    await ckpt.pass();
    // The WAL now holds that one write, not everything since the start.
    expect(ckpt.stats().lastLogFrames).toBeLessThan(200);
    // A second burst as big as the first reuses the file from the top instead of growing it.
    await burst('t', Math.ceil(RESTART_FRAMES / 40) - 10);
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(walHigh);
  });
});

describe('SQLite checkpoint thread: failure', () => {
  it('a thread that cannot open the file hands the checkpoints back to the writer and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-sqlite-ckpt-fail-'));
    const db = openSqliteDatabase(join(dir, 'hq.db'));
    const lines: string[] = [];
    const ckpt = startWalCheckpointer(db, join(dir, 'missing', 'hq.db'), (line) => lines.push(line));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(NET_FRAMES);
    for (let i = 0; i < 100 && ckpt.stats().running; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ckpt.stats().running).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(lines.join('\n')).toMatch(/checkpoint thread failed/);
    // Nothing waits on a thread that is gone.
    expect(ckpt.beforeWrite()).toBeNull();
    await ckpt.pass();
    await ckpt.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
