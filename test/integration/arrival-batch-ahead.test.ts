// A batch of arrivals whose rows are read up front (hq/app/arrivalsAhead.ts: PostgreSQL, where
// every statement is a round trip) must come out exactly as the same batch read item by item. One
// batch with the cases the read-ahead must not get wrong — a member arriving twice at one store (a
// repeat), then at another store (whose profile must see the visit the batch just made, not the
// state read before it), an expectation fulfilled, a phone lookup (not read ahead), an unknown
// member and store, an idempotency key used twice — runs on SQLite item by item, on SQLite with the
// read-ahead switched on, and on PostgreSQL (read ahead and not); the results and the events must be
// the same on all four. On PostgreSQL the cards' suggestions shown are held back and written with one
// INSERT at the commit (pgStore.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { type HqStore } from '../../hq/ports/store.ts';
import { TestHq } from '../support/hq.ts';
import { arrivalEvents, MIN, putArrivalExpectations, visitNames } from '../support/arrivalCases.ts';


interface Outcome {
  results: unknown[];
  events: unknown[];
  /** Statements the batch sent, on PostgreSQL (null on SQLite). */
  statements: number | null;
  /** INSERTs of suggestions shown sent by a second batch in which every arrival succeeds (PostgreSQL). */
  shownInserts: number;
  /** The same batch's INSERTs of visits and of events, and all its statements (PostgreSQL). */
  cleanInserts: { visits: number; events: number; statements: number };
}

const open: TestHq[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.dispose()));
});

async function runBatch(adapter: 'sqlite' | 'postgres', readAhead: boolean, base: number): Promise<Outcome> {
  // No catalog warm-up: each store's catalog is read by the batch's first arrival there, in every
  // run alike. With it, whether the lane had loaded a store before the batch came (~6 statements a
  // store) depended on the machine's timing, and the statement counts compared below with it.
  const t = await TestHq.start({ adapter, seed: 'storesAB', unservedSweepMs: 0, warmCatalogs: false });
  open.push(t);
  (t.hq.store as { readAhead: boolean }).readAhead = readAhead;
  const heads = { a: (await t.position('store-a')).seq, b: (await t.position('store-b')).seq };
  await putArrivalExpectations(t, base);
  const items = [
    { storeId: 'store-a', memberCode: 'M0001', source: 'door', at: base },
    { storeId: 'store-a', memberCode: 'M0001', source: 'pos', at: base + 1_000 },
    { storeId: 'store-b', memberId: 'm1', source: 'door', at: base + 2_000 },
    { storeId: 'store-a', phone: '138-0000-0002', source: 'miniprogram', at: base + 3_000 },
    { storeId: 'store-a', memberCode: 'NOBODY', source: 'door', at: base + 4_000 },
    { storeId: 'no-such-store', memberCode: 'M0003', source: 'door', at: base + 5_000 },
    { idempotencyKey: 'k-1', storeId: 'store-b', memberCode: 'M0003', source: 'door', at: base + 6_000 },
    { idempotencyKey: 'k-1', storeId: 'store-b', memberCode: 'M0003', source: 'door', at: base + 6_000 },
    { storeId: 'store-b', memberId: 'm2', source: 'door', at: base + 7_000 },
  ];
  let statements: number | null = null;
  let shownInserts = 0;
  const cleanInserts = { visits: 0, events: 0, statements: 0 };
  let clean = false;
  const pool = (t.hq.store as HqStore & { pool?: { on(e: 'connect', f: (c: unknown) => void): void } }).pool;
  const counted = new WeakSet<object>();
  const count = (client: { query: (...a: unknown[]) => unknown }) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client);
    client.query = (...a: unknown[]) => {
      if (statements !== null) statements++;
      const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
      if (statements !== null && text?.includes('INSERT INTO suggestions_shown')) shownInserts++;
      if (clean) {
        cleanInserts.statements++;
        if (text?.includes('INSERT INTO visits')) cleanInserts.visits++;
        if (text?.includes('INSERT INTO events')) cleanInserts.events++;
      }
      return query(...a);
    };
  };
  if (pool) {
    // Every client the pool has or opens counts its statements while the batch runs.
    for (const c of (pool as unknown as { _clients: { query: (...a: unknown[]) => unknown }[] })._clients) count(c);
    pool.on('connect', (c) => count(c as { query: (...a: unknown[]) => unknown }));
    statements = 0;
  }
  const res = await fetch(`${t.hq.url}/v1/ingest/arrivals/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey },
    body: JSON.stringify({ items }),
  });
  const sent = statements;
  statements = null;
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as { results: Array<Record<string, unknown>> };
  const name = visitNames();
  const normalized = results.map((r) => ({ ...r, ...(r.visitId ? { visitId: name(r.visitId) } : {}) }));
  const events = await arrivalEvents(t, heads, name);
  // A batch with no failing item runs without savepoints (EventLog.batch): two members' new visits.
  shownInserts = 0;
  statements = pool ? 0 : null;
  clean = true;
  const cleanRes = await fetch(`${t.hq.url}/v1/ingest/arrivals/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey },
    body: JSON.stringify({ items: [['store-a', 'M0003'], ['store-a', 'M0004']].map(([storeId, memberCode]) => ({ storeId, memberCode, source: 'door' })) }),
  });
  statements = null;
  clean = false;
  expect(((await cleanRes.json()) as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(['created', 'created']);
  return { results: normalized, events, statements: sent, shownInserts, cleanInserts };
}

describe('an arrival batch read ahead', () => {
  it('answers and records what the same batch read item by item does, on SQLite and PostgreSQL', async () => {
    const base = Date.now() - 30 * MIN;
    const plain = await runBatch('sqlite', false, base);
    const aheadSqlite = await runBatch('sqlite', true, base);
    const aheadPg = await runBatch('postgres', true, base);
    const itemByItemPg = await runBatch('postgres', false, base);

    // What the batch must do, whoever reads: m1 new at A (fulfilling e-a), again at A (a repeat),
    // new at B (last seen at A a second ago: the batch's own visit); m2 by phone; two refusals; m3
    // once under k-1 and its retry a duplicate; m2 at B.
    expect(plain.results).toEqual([
      { index: 0, status: 'created', visitId: 'visit-1', seq: expect.any(Number) },
      { index: 1, status: 'updated', visitId: 'visit-1', seq: expect.any(Number) },
      { index: 2, status: 'created', visitId: 'visit-2', seq: expect.any(Number) },
      { index: 3, status: 'created', visitId: 'visit-3', seq: expect.any(Number) },
      { index: 4, error: { code: 'member_not_found', message: expect.any(String) } },
      { index: 5, error: { code: 'store_not_found', message: expect.any(String) } },
      { index: 6, status: 'created', visitId: 'visit-4', seq: expect.any(Number) },
      { index: 7, status: 'duplicate', visitId: 'visit-4', seq: expect.any(Number) },
      { index: 8, status: 'created', visitId: 'visit-5', seq: expect.any(Number) },
    ]);
    // The profile's "last seen" shows in the next best action: joined 100 days ago and never seen,
    // m1 is long absent at A; at B, a second after the batch's own visit at A, not.
    const arrivalOf = (storeId: string, memberId: string) =>
      plain.events.find((e) => (e as { storeId: string; type: string; member?: string }).storeId === storeId && (e as { member?: string }).member === memberId) as { next: unknown };
    expect(JSON.stringify(arrivalOf('store-a', 'm1').next)).toContain('long_absent');
    expect(JSON.stringify(arrivalOf('store-b', 'm1').next)).not.toContain('long_absent');
    expect(plain.events.filter((e) => (e as { type: string }).type === 'expect.updated')).toEqual([
      expect.objectContaining({ storeId: 'store-a', expected: { id: 'e-a', status: 'arrived', visitId: 'visit-1' } }),
    ]);

    for (const other of [aheadSqlite, aheadPg, itemByItemPg]) {
      expect(other.results).toEqual(plain.results);
      expect(other.events).toEqual(plain.events);
    }
    // Read ahead on PostgreSQL, the batch sends fewer statements than item by item: the stores'
    // locks, the members, their profile reads and expectations go once for the batch.
    expect(aheadPg.statements).not.toBeNull();
    expect(aheadPg.statements!).toBeLessThanOrEqual(itemByItemPg.statements! - 10);
    // The cards of a batch whose arrivals all succeed are written with one INSERT, held back to the
    // commit; read item by item, the next arrival's first read sends the card before it.
    expect(aheadPg.shownInserts).toBe(1);
    expect(itemByItemPg.shownInserts).toBe(2);
    // So are its new visits (the batch read that neither member had an open visit) and its events:
    // the two arrivals send no statement of their own — BEGIN, the batch's five reads, the three
    // INSERTs and COMMIT. Item by item, each arrival looks its visit up and inserts it in one
    // statement of its own, which reads visits and so first sends what the arrival before it held.
    expect(aheadPg.cleanInserts).toEqual({ visits: 1, events: 1, statements: 10 });
    expect(itemByItemPg.cleanInserts.visits).toBe(2);
    expect(itemByItemPg.cleanInserts.events).toBe(2);
  });
});
