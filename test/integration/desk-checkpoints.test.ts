// The desk cache's WAL checkpoints on a thread of their own (electron/desk/cache/db.ts
// startCacheCheckpoints, shared/node/walCheckpointer.ts), on real files and a real HQ: a desk's
// COMMIT does not checkpoint, the thread's pass copies the pages into the file, an event batch waits
// for a pass once the WAL is due to restart (so a long resume does not grow it without bound), and a
// thread that cannot run hands the checkpoints back to the cache's own idle checkpoint.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_AUTOCHECKPOINT_FRAMES, openCache, type CacheQueries } from '../../electron/desk/cache/db.ts';
import { CHECKPOINT_IDLE_MS } from '../../electron/desk/cache/queries.ts';
import type { DeskCore } from '../../electron/desk/deskCore.ts';
import { NET_FRAMES, RESTART_FRAMES, startWalCheckpointer } from '../../shared/node/walCheckpointer.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

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

  it('a resume batch waits for a pass once the WAL is due to restart, then its BEGIN starts the WAL from the top', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    const q = qOf(desk);
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'online');
    await desk.stop();
    for (const m of ['m1', 'm2', 'm3']) await t.arrival(STORE_A, m);
    const head = desk.position.seq + 3;
    // The WAL grows past its restart size; the thread's pass finds it there and runs its closing pass.
    write(q, RESTART_FRAMES + 100);
    await waitFor(() => q.checkpointStats()!.lastLogFrames >= RESTART_FRAMES && q.checkpointStats()!.closingPasses === 1, 5000, 'the WAL found at its restart size');
    await waitFor(() => q.checkpointStats()!.passes >= 2, 5000, 'the closing pass');
    expect(q.checkpointStats()!.restartWaits).toBe(0);
    desk.start();
    await waitFor(() => desk.position.seq >= head, 5000, 'the missed events applied');
    // The event batch waited for one pass (a clerk's action never does), and after it the WAL holds only what came since.
    expect(q.checkpointStats()!.restartWaits).toBe(1);
    const passes = q.checkpointStats()!.passes;
    await waitFor(() => q.checkpointStats()!.passes > passes, 5000, 'a pass after the batch');
    expect(q.checkpointStats()!.lastLogFrames).toBeLessThan(200);
    expect((await desk.listVisits({ limit: 100 })).filter((v) => ['m1', 'm2', 'm3'].includes(v.memberId))).toHaveLength(3);
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
