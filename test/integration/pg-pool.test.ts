// A node's PostgreSQL connections: at most `--pg-pool` of them (the chain's nodes share the
// server's max_connections), kept open while idle (a burst after a quiet spell finds the same warm
// backends), each named `footfall-hq/<node>` in pg_stat_activity so that a DBA can tell which node
// holds what. Real node processes on a real PostgreSQL, counted by the server itself: the test
// holds store-a's row lock, so every arrival batch a node takes for that store keeps its connection
// waiting — a node then holds exactly as many connections as its pool allows. (Batch
// requests, each its own transaction: single arrivals wait in one group instead, hq/app/arrivalBatches.ts.)
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { applicationName, DEFAULT_POOL_SIZE, MAX_POOL_SIZE, openPgStore } from '../../hq/adapters/postgres/pgStore.ts';
import { HqNode } from '../support/cluster.ts';
import { TestHq } from '../support/hq.ts';
import { freshPgStore, pgClient, TEST_PG_URL, withPgClient } from '../support/pg.ts';
import { freePort } from '../support/services.ts';
import { waitFor } from '../support/waitFor.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const connectionsOf = (nodeId: string) =>
  withPgClient(async (c) => Number((await c.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName(nodeId)])).rows[0].n));

describe('a node’s PostgreSQL pool', () => {
  it('holds at most --pg-pool connections, named after the node; without it, the default', async () => {
    const t = await TestHq.start({ adapter: 'postgres', seed: 'storesAB' });
    cleanups.push(() => t.dispose());
    const [, pgUrl, , pgSchema] = t.adminArgs;
    const key = t.hq.integrationKey;

    /** 20 arrival batches at store-a through `node` while the test holds the store's row: how many connections the node holds meanwhile. */
    const heldBy = async (node: HqNode, nodeId: string, expected: number): Promise<number> => {
      const lock = await pgClient(pgUrl, pgSchema);
      cleanups.push(() => lock.end());
      await lock.query('BEGIN');
      await lock.query("SELECT 1 FROM stores WHERE id = 'store-a' FOR UPDATE");
      const posts = Array.from({ length: 20 }, () =>
        fetch(`${node.url}/v1/ingest/arrivals/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-integration-key': key },
          body: JSON.stringify({ items: [{ storeId: 'store-a', memberId: 'm1', source: 'door' }] }),
        }),
      );
      // The pool gives a waiting request a connection within 5 s (then 503): count well inside that.
      await waitFor(async () => (await connectionsOf(nodeId)) >= expected, 3000, `${expected} connections of ${nodeId}`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      const held = await connectionsOf(nodeId);
      await lock.query('ROLLBACK');
      // Every arrival then goes through (a new visit the first, repeats of the same one the others).
      for (const r of await Promise.all(posts)) {
        expect(r.status).toBe(200);
        expect(['created', 'updated']).toContain(((await r.json()) as { results: { status: string }[] }).results[0]!.status);
      }
      return held;
    };

    const small = `pool2-${randomUUID().slice(0, 8)}`;
    const a = await HqNode.start({ pgUrl, pgSchema, pgPoolSize: 2, nodeId: small, port: await freePort() });
    cleanups.push(() => a.kill9());
    expect(await heldBy(a, small, 2)).toBe(2);
    // The same on a node without the flag: the limit above is the flag's.
    const usual = `pool-${randomUUID().slice(0, 8)}`;
    const b = await HqNode.start({ pgUrl, pgSchema, nodeId: usual, port: await freePort() });
    cleanups.push(() => b.kill9());
    expect(await heldBy(b, usual, DEFAULT_POOL_SIZE)).toBe(DEFAULT_POOL_SIZE);
  }, 60_000);

  it('refuses a pool size that is not 1 to MAX_POOL_SIZE, at the command line and in the adapter', async () => {
    for (const bad of ['0', '-3', '2.5', 'ten', String(MAX_POOL_SIZE + 1)]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'hq/main.ts', '--pg', TEST_PG_URL, '--pg-pool', bad, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `--pg-pool ${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`bad --pg-pool ${bad}`);
    }
    await expect(openPgStore(TEST_PG_URL, { poolSize: 0 })).rejects.toThrow(/invalid pool size 0/);
  }, 120_000);

  it('keeps the connections it opened through a quiet spell: the next burst finds the same backends', async () => {
    const nodeId = `keep-${randomUUID().slice(0, 8)}`;
    const { store, cleanup } = await freshPgStore({ poolSize: 3, nodeId });
    cleanups.push(cleanup);
    // Three statements at once, each holding its connection a moment: the pool opens all three.
    const burst = async () => new Set((await Promise.all([0, 1, 2].map(() => store.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)')))).map((r) => r.rows[0]!.pid));
    const first = await burst();
    expect(first.size).toBe(3);
    // Longer than the 30 s after which the pool used to close an idle connection.
    await new Promise((r) => setTimeout(r, 31_000));
    expect(await connectionsOf(nodeId)).toBe(3);
    expect([...(await burst())].sort()).toEqual([...first].sort());
  }, 60_000);

  it('names connections in printable ASCII within PostgreSQL’s 63 bytes', () => {
    expect(applicationName(undefined)).toBe('footfall-hq');
    expect(applicationName('hq1')).toBe('footfall-hq/hq1');
    expect(applicationName('上海-1')).toBe('footfall-hq/??-1');
    expect(applicationName('n'.repeat(100))).toHaveLength(63);
  });
});
