// The desk cache's WAL checkpoints on a thread of their own (electron/desk/cache/db.ts
// startCacheCheckpoints, shared/node/walCheckpointer.ts), on real files and a real HQ: a desk's
// COMMIT does not checkpoint, the thread's pass copies the pages into the file, an event batch waits
// for a pass once the WAL is due to restart (so a long resume does not grow it without bound), the
// thread starts the WAL again itself so that a desk's COMMIT does not (and fsync its header), and a
// thread that cannot run hands the checkpoints back to the cache's own idle checkpoint.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_AUTOCHECKPOINT_FRAMES, openCache, type CacheQueries } from '../../electron/desk/cache/db.ts';
import { CHECKPOINT_IDLE_MS } from '../../electron/desk/cache/queries.ts';
import type { DeskCore } from '../../electron/desk/deskCore.ts';
import { NET_FRAMES, RESTART_FRAMES, startWalCheckpointer, type WalCheckpointer } from '../../shared/node/walCheckpointer.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';
import { walHeader } from '../support/walHeader.ts';

const PAGE = 4096;
/** A value of about one page, different per key and round, so every write dirties fresh pages. */
const bulky = (key: number, round: number) => `${key}:${round}:`.padEnd(PAGE - 200, String.fromCharCode(97 + ((key + round) % 26)));
const qOf = (desk: DeskCore) => (desk as unknown as { q: CacheQueries }).q;
/** `pages` one-page values written in one of the cache's transactions (so it counts as a commit). */
const write = (q: CacheQueries, pages: number, round = 0) =>
  q.tx(() => {
    const put = q.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    for (let k = 0; k < pages; k++) put.run(`bulk-${k}`, bulky(k, round));
  });
/** Bytes of the database file itself (the WAL beside it aside): it grows only when a checkpoint copies pages into it. */
const fileBytes = (path: string) => statSync(path).size;
/** The bulk rows as a fresh connection reads them (the file with its WAL). */
function bulkRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM meta WHERE key LIKE 'bulk-%'").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('desk cache: checkpoints on their own thread', () => {
  let t: TestHq;
  beforeEach(async () => {
    t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("a desk's COMMIT does not checkpoint, even past the cache's own bound; the thread's pass copies the pages into the file", async () => {
    const { desk, dbPath } = await t.desk(STORE_A, 'Counter 1');
    const q = qOf(desk);
    expect(q.checkpointStats()?.running).toBe(true);
    // The connection's own checkpoint is only the net while the thread runs.
    expect(q.db.pragma('wal_autocheckpoint', { simple: true })).toBe(NET_FRAMES);
    const pages = CACHE_AUTOCHECKPOINT_FRAMES + 200;
    const before = fileBytes(dbPath);
    // One commit of more pages than the cache's auto-checkpoint bound: without the thread this COMMIT copied them all.
    write(q, pages);
    expect(fileBytes(dbPath)).toBe(before);
    // (The file grows while the pass runs; the pass is counted when it answers.)
    await waitFor(() => q.checkpointStats()!.passes > 0 && fileBytes(dbPath) >= before + pages * PAGE, 5000, 'a pass of the thread after the commit');
    expect(bulkRows(dbPath)).toBe(pages);
    await desk.close();
    // Closing stops the thread and the last connection removes the WAL: the file holds everything.
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
    expect(bulkRows(dbPath)).toBe(pages);
  });

  it('a resume batch after the WAL grew past its restart size finds it started again by the thread: it does not wait, and the WAL holds only what came since', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    const q = qOf(desk);
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'online');
    await desk.stop();
    for (const m of ['m1', 'm2', 'm3']) await t.arrival(STORE_A, m);
    const head = desk.position.seq + 3;
    // The WAL grows past its restart size; the thread's pass copies it all and starts it again.
    const restarts = q.checkpointStats()!.restarts;
    write(q, RESTART_FRAMES + 100);
    await waitFor(() => q.checkpointStats()!.restarts > restarts && q.checkpointStats()!.lastLogFrames >= RESTART_FRAMES, 5000, 'the thread restarted the WAL');
    desk.start();
    await waitFor(() => desk.position.seq >= head, 5000, 'the missed events applied');
    // (Where writes go on while the passes run, a write still waits for one: sqlite-checkpointer.test.ts.)
    expect(q.checkpointStats()!.restartWaits).toBe(0);
    const passes = q.checkpointStats()!.passes;
    await waitFor(() => q.checkpointStats()!.passes > passes, 5000, 'a pass after the batch');
    expect(q.checkpointStats()!.lastLogFrames).toBeLessThan(200);
    expect((await desk.listVisits({ limit: 100 })).filter((v) => ['m1', 'm2', 'm3'].includes(v.memberId))).toHaveLength(3);
  });

  it("a live desk's event batch after a pass appends to the WAL the thread started again: its COMMIT leaves the header (and its fsync) to the thread", async () => {
    const { desk, dbPath } = await t.desk(STORE_A, 'Counter 1');
    const q = qOf(desk);
    const thread = (q as unknown as { checkpointer: WalCheckpointer }).checkpointer;
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'online');
    let appended = 0;
    for (const [i, m] of ['m1', 'm2', 'm3'].entries()) {
      const { seq } = await t.arrival(STORE_A, m);
      await waitFor(() => desk.position.seq >= seq, 5000, `arrival ${i + 1} applied`);
      // A pass after the batch (as the thread's timer runs one): every frame copied, then the restart.
      await thread.pass();
      const { restarts, passes } = q.checkpointStats()!;
      expect(restarts).toBeGreaterThan(0);
      const header = walHeader(dbPath);
      // The next arrival's batch commits into that WAL without starting it again. (Unless the
      // thread's own timer ran a pass meanwhile, ≥ 250 ms later on a slow box: then it says nothing.)
      const next = await t.arrival(STORE_A, ['m4', 'm5', 'm6'][i]!);
      await waitFor(() => desk.position.seq >= next.seq, 5000, 'the next arrival applied');
      if (q.checkpointStats()!.passes !== passes) continue;
      expect(walHeader(dbPath)).toBe(header);
      appended++;
    }
    expect(appended).toBeGreaterThan(0);
    expect((await desk.listVisits({ limit: 100 })).filter((v) => ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].includes(v.memberId))).toHaveLength(6);
  });
});

describe('WAL restarts: on the thread or in the writer\'s COMMIT', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'footfall-wal-restart-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const restartOnThread of [true, false]) {
    it(`${restartOnThread ? 'restartOnThread: the pass that copied every frame starts the WAL again; the next COMMIT appends' : 'without it, the next COMMIT starts the WAL again itself'}`, async () => {
      const path = join(dir, `desk-${restartOnThread}.db`);
      const q = openCache(path);
      const thread = startWalCheckpointer(q.db, path, () => {}, { fallbackFrames: CACHE_AUTOCHECKPOINT_FRAMES, restartOnThread });
      q.useCheckpointer(thread);
      write(q, 10, 0);
      await thread.pass();
      const header = walHeader(path);
      write(q, 10, 1);
      if (restartOnThread) {
        expect(q.checkpointStats()!.restarts).toBe(1);
        expect(walHeader(path)).toBe(header); // the writer appended: no header written, none synced
      } else {
        expect(q.checkpointStats()!.restarts).toBe(0);
        expect(walHeader(path)).not.toBe(header); // the writer's COMMIT wrote (and synced) a new one
      }
      // The user_version the thread rewrote is the cache's schema version still.
      const version = q.db.pragma('user_version', { simple: true });
      await q.stopCheckpoints();
      q.db.close();
      const again = new Database(path, { readonly: true });
      expect(again.pragma('user_version', { simple: true })).toBe(version);
      expect(again.prepare("SELECT count(*) FROM meta WHERE key LIKE 'bulk-%'").pluck().get()).toBe(10);
      expect(again.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('bulk-3')).toBe(bulky(3, 1));
      again.close();
    });
  }

  it('a writer holding the lock is not waited for: that pass does not restart, a later one does, and no write fails', async () => {
    const path = join(dir, 'desk.db');
    const q = openCache(path);
    const lines: string[] = [];
    const thread = startWalCheckpointer(q.db, path, (line) => lines.push(line), { fallbackFrames: CACHE_AUTOCHECKPOINT_FRAMES, restartOnThread: true });
    q.useCheckpointer(thread);
    write(q, 10, 0);
    // The writer in the middle of a transaction (as a clerk's action could be when the pass ends).
    q.db.exec('BEGIN IMMEDIATE');
    q.db.prepare("INSERT INTO meta (key, value) VALUES ('held', 'x')").run();
    await thread.pass();
    expect(q.checkpointStats()!.restarts).toBe(0);
    q.db.exec('COMMIT');
    await thread.pass();
    expect(q.checkpointStats()!.restarts).toBe(1);
    // Writes going on while passes (and their restarts) run on the thread: none refused.
    for (let round = 0; round < 40; round++) {
      write(q, 3, round);
      if (round % 4 === 0) void thread.pass();
      await new Promise((r) => setImmediate(r));
    }
    await thread.pass();
    expect(lines).toEqual([]);
    expect(q.db.prepare("SELECT value FROM meta WHERE key = 'bulk-2'").pluck().get()).toBe(bulky(2, 39));
    await q.stopCheckpoints();
    q.db.close();
  });
});

describe('desk cache: a checkpoint thread that cannot run', () => {
  it('hands the checkpoints back to the cache connection: its own bound again, and a PASSIVE checkpoint when idle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-desk-ckpt-fail-'));
    const path = join(dir, 'desk.db');
    const q = openCache(path);
    const lines: string[] = [];
    q.useCheckpointer(startWalCheckpointer(q.db, join(dir, 'missing', 'desk.db'), (line) => lines.push(line), { fallbackFrames: CACHE_AUTOCHECKPOINT_FRAMES }));
    await waitFor(() => q.checkpointStats()?.running === false, 3000, 'the thread failed');
    expect(lines.join('\n')).toMatch(/checkpoint thread failed/);
    expect(q.db.pragma('wal_autocheckpoint', { simple: true })).toBe(CACHE_AUTOCHECKPOINT_FRAMES);
    expect(q.beforeBatch()).toBeNull();
    const before = fileBytes(path);
    write(q, 50);
    expect(fileBytes(path)).toBe(before);
    // The cache's own idle checkpoint copies them once nothing was written for CHECKPOINT_IDLE_MS.
    await waitFor(() => fileBytes(path) >= before + 50 * PAGE, CHECKPOINT_IDLE_MS + 3000, 'the idle checkpoint');
    await q.stopCheckpoints();
    q.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
