// The benches seed one chain two ways: SQLite through the store port, PostgreSQL by bulk INSERTs
// (bench/lib/seed.ts). Both must read back the same members, or the two nodes do different work
// per arrival: the bulk seed once left out the consents, so on PostgreSQL every bench member
// refused personalisation and got the store's popular shoes (docs/benchmarks.md, round 34).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import type { HqStore } from '../../hq/ports/store.ts';
import { benchChainRows, seedBenchChain, seedBenchChainPg } from '../../bench/lib/seed.ts';
import { freshPgStore, withPgClient } from '../support/pg.ts';

const CHAIN = { stores: 2, membersPerStore: 4, desksPerStore: 1 };

let dir: string;
let sqlite: HqStore;
let pg: Awaited<ReturnType<typeof freshPgStore>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-bench-seed-'));
  sqlite = openSqliteStore(join(dir, 'hq.db'), { log: () => {} });
  await seedBenchChain(sqlite, CHAIN);
  pg = await freshPgStore();
  await withPgClient((c) => seedBenchChainPg(c, CHAIN), { schema: pg.schema.schema });
});
afterAll(async () => {
  await sqlite?.close();
  await pg?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('bench seed', () => {
  it('reads back the same members from SQLite and from the PostgreSQL bulk seed', async () => {
    const ids = benchChainRows(CHAIN).members.map((m) => m.id);
    // Each seed stamps its own `now`: times aside, every field must match.
    const read = (store: HqStore) => store.read(async (r) => Promise.all(ids.map(async (id) => ({ ...(await r.getMember(id))!, joinedAt: 0, updatedAt: 0 }))));
    const fromSqlite = await read(sqlite);
    const fromPg = await read(pg.store);
    expect(fromSqlite.every((m) => m.consents.personalization)).toBe(true);
    expect(fromPg).toEqual(fromSqlite);
  });
});
