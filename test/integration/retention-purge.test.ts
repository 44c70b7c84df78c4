// HQ's retention purge (hq/app/retention.ts) on a real SQLite file: it drops what is past 7 days in
// transactions of at most `batch` rows with a pause between them, keeps what is newer, runs once at
// a time, and stop() ends it between two transactions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { createRetentionPurge, RETENTION_PURGE_MS } from '../../hq/app/retention.ts';

const NOW = Date.UTC(2026, 11, 8, 3, 0);
const OLD = NOW - RETENTION_PURGE_MS - 60_000;
const RECENT = NOW - RETENTION_PURGE_MS + 60_000;

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-retention-'));
  store = openSqliteStore(join(dir, 'hq.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (table: 'idempotency_keys' | 'ops') => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

async function seed(oldKeys: number, oldOps: number, recent: number) {
  await store.withTx(async (tx) => {
    for (let i = 0; i < oldKeys; i++) await tx.putIdempotent(`old-${i}`, 'h', '{}', OLD + i);
    for (let i = 0; i < oldOps; i++) await tx.putOp('dev-1', `old-op-${i}`, { status: 'ok', seq: i + 1, rejection: null }, OLD + i);
    for (let i = 0; i < recent; i++) {
      await tx.putIdempotent(`new-${i}`, 'h', '{}', RECENT + i);
      await tx.putOp('dev-1', `new-op-${i}`, { status: 'ok', seq: null, rejection: null }, RECENT + i);
    }
  });
}

/** The real store, each write transaction's start time noted. */
function watched() {
  const starts: number[] = [];
  const withTx = store.withTx.bind(store);
  store.withTx = ((fn) => {
    starts.push(performance.now());
    return withTx(fn);
  }) as typeof store.withTx;
  return starts;
}

describe('retention purge', () => {
  it('drops everything past 7 days in paced transactions of at most the batch, and keeps the rest', async () => {
    await seed(1_000, 450, 30);
    const starts = watched();
    const lines: string[] = [];
    const purge = createRetentionPurge(store, { now: () => NOW, log: (l) => lines.push(l), batch: 100, pauseMs: 25 });
    await purge.run();
    expect(lines).toEqual([]);
    expect(count('idempotency_keys')).toBe(30);
    expect(count('ops')).toBe(30);
    expect(await store.read((r) => r.getIdempotent('new-0'))).not.toBeNull();
    expect(await store.read((r) => r.getIdempotent('old-999'))).toBeNull();
    // 1,000 old keys at 100 a transaction: 10 full ones, an 11th that finds none left and ends the
    // loop, then the member sessions' transaction — each after a pause but the last two.
    expect(starts.length).toBe(12);
    const gaps = starts.slice(1, 11).map((t, i) => t - starts[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(24);
  });

  it('runs once at a time: a second call while one runs answers the same run', async () => {
    await seed(500, 0, 0);
    const starts = watched();
    const purge = createRetentionPurge(store, { now: () => NOW, log: () => {}, batch: 100, pauseMs: 10 });
    const [a, b] = [purge.run(), purge.run()];
    expect(b).toBe(a);
    await Promise.all([a, b]);
    expect(count('idempotency_keys')).toBe(0);
    // 5 full transactions, one that finds nothing, the sessions' one: not twice that.
    expect(starts.length).toBe(7);
  });

  it('stop() ends a run between transactions without waiting out the pause, and no run starts after', async () => {
    await seed(1_000, 0, 0);
    const purge = createRetentionPurge(store, { now: () => NOW, log: () => {}, batch: 100, pauseMs: 60_000 });
    const run = purge.run();
    // The first transaction commits, then the run pauses for a minute.
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await purge.stop();
    expect(performance.now() - t0).toBeLessThan(1_000);
    await run;
    expect(count('idempotency_keys')).toBe(900);
    await purge.run();
    expect(count('idempotency_keys')).toBe(900);
  });

  it('says what failed and does not throw when the store fails', async () => {
    await seed(10, 0, 0);
    const lines: string[] = [];
    const purge = createRetentionPurge(store, { now: () => NOW, log: (l) => lines.push(l) });
    store.db.exec('DROP TABLE idempotency_keys');
    await expect(purge.run()).resolves.toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^purge: .*idempotency_keys/)]);
  });
});
