// A node's PostgreSQL connections: at most `--pg-pool` of them (the chain's nodes share the
// server's max_connections), each named `footfall-hq/<node>` in pg_stat_activity so that a DBA can
// tell which node holds what. Real node processes on a real PostgreSQL; the connections are counted
// by the server itself after a burst of 40 concurrent readiness checks (each takes a connection,
// and a pool keeps what it opened for 30 s).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { applicationName, MAX_POOL_SIZE, openPgStore } from '../../hq/adapters/postgres/pgStore.ts';
import { HqNode } from '../support/cluster.ts';
import { freshPgSchema, TEST_PG_URL, withPgClient } from '../support/pg.ts';
import { freePort } from '../support/services.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const connectionsOf = (nodeId: string) =>
  withPgClient(async (c) => Number((await c.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName(nodeId)])).rows[0].n));

async function burst(url: string): Promise<number[]> {
  return Promise.all(Array.from({ length: 40 }, async () => (await fetch(`${url}/readyz`)).status));
}

describe('a node’s PostgreSQL pool', () => {
  it('holds at most --pg-pool connections, named after the node; without it, up to the default', async () => {
    const schema = await freshPgSchema();
    cleanups.push(() => schema.cleanup());
    const small = `pool2-${randomUUID().slice(0, 8)}`;
    const usual = `pool-${randomUUID().slice(0, 8)}`;
    const a = await HqNode.start({ pgUrl: schema.url, pgSchema: schema.schema, pgPoolSize: 2, nodeId: small, port: await freePort() });
    cleanups.push(() => a.kill9());
    const b = await HqNode.start({ pgUrl: schema.url, pgSchema: schema.schema, nodeId: usual, port: await freePort() });
    cleanups.push(() => b.kill9());

    expect(new Set(await burst(a.url))).toEqual(new Set([200]));
    expect(await connectionsOf(small)).toBeGreaterThanOrEqual(1);
    expect(await connectionsOf(small)).toBeLessThanOrEqual(2);
    // The same burst on a node with the default pool opens more than two: the limit above is the flag's.
    expect(new Set(await burst(b.url))).toEqual(new Set([200]));
    expect(await connectionsOf(usual)).toBeGreaterThan(2);
    expect(await connectionsOf(usual)).toBeLessThanOrEqual(10);
  }, 60_000);

  it('refuses a pool size that is not 1 to MAX_POOL_SIZE, at the command line and in the adapter', async () => {
    for (const bad of ['0', '-3', '2.5', 'ten', String(MAX_POOL_SIZE + 1)]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'hq/main.ts', '--pg', TEST_PG_URL, '--pg-pool', bad, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `--pg-pool ${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`bad --pg-pool ${bad}`);
    }
    await expect(openPgStore(TEST_PG_URL, { poolSize: 0 })).rejects.toThrow(/invalid pool size 0/);
  }, 120_000);

  it('names connections in printable ASCII within PostgreSQL’s 63 bytes', () => {
    expect(applicationName(undefined)).toBe('footfall-hq');
    expect(applicationName('hq1')).toBe('footfall-hq/hq1');
    expect(applicationName('上海-1')).toBe('footfall-hq/??-1');
    expect(applicationName('n'.repeat(100))).toHaveLength(63);
  });
});
