// A single arrival on PostgreSQL asks for its member together with what a new visit reads
// (`HqTx.arrivalReads`: the open visit, the profile, the expectations), in the write that takes the
// store's lock (hq/app/arrivals.ts). It must come out exactly as the arrival read step by step. The
// cases it must not get wrong — a repeat, the same member at a second store (whose profile must see
// the first visit), an expectation fulfilled and one lapsed, a phone lookup (not read this way), by
// member id, an unknown member and store, an idempotency key used twice and reused with another
// request — are sent one request each on SQLite (step by step) and on PostgreSQL with the reads
// asked together and step by step; the answers and the events must be the same all three ways.
// On PostgreSQL the reads asked together save a round trip: a new visit is two writes to the
// server (BEGIN, the lock, the key and the reads; then the held rows and COMMIT), not three.
import { afterEach, describe, expect, it } from 'vitest';
import { type HqStore } from '../../hq/ports/store.ts';
import { TestHq } from '../support/hq.ts';
import { arrivalEvents, MIN, putArrivalExpectations, visitNames } from '../support/arrivalCases.ts';


type Client = { query: (...a: unknown[]) => unknown; connection?: { stream?: Record<string, unknown> } };

interface Outcome {
  answers: unknown[];
  events: unknown[];
  /** Writes to PostgreSQL and statements of one clean new visit after the store is warm (null on SQLite). */
  clean: { writes: number; statements: number } | null;
}

const open: TestHq[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.dispose()));
});

async function runSingles(adapter: 'sqlite' | 'postgres', readAhead: boolean, base: number): Promise<Outcome> {
  const t = await TestHq.start({ adapter, seed: 'storesAB', unservedSweepMs: 0 });
  open.push(t);
  (t.hq.store as { readAhead: boolean }).readAhead = readAhead;
  const heads = { a: (await t.position('store-a')).seq, b: (await t.position('store-b')).seq };
  await putArrivalExpectations(t, base);
  const requests: { key?: string; body: Record<string, unknown> }[] = [
    { body: { storeId: 'store-a', memberCode: 'M0001', source: 'door', at: base } },
    { body: { storeId: 'store-a', memberCode: 'M0001', source: 'pos', at: base + 1_000 } },
    { body: { storeId: 'store-b', memberId: 'm1', source: 'door', at: base + 2_000 } },
    { body: { storeId: 'store-a', phone: '138-0000-0002', source: 'miniprogram', at: base + 3_000 } },
    { body: { storeId: 'store-a', memberCode: 'NOBODY', source: 'door', at: base + 4_000 } },
    { body: { storeId: 'no-such-store', memberCode: 'M0003', source: 'door', at: base + 5_000 } },
    { key: 'k-1', body: { storeId: 'store-b', memberCode: 'M0003', source: 'door', at: base + 6_000 } },
    { key: 'k-1', body: { storeId: 'store-b', memberCode: 'M0003', source: 'door', at: base + 6_000 } },
    { key: 'k-1', body: { storeId: 'store-b', memberCode: 'M0004', source: 'door', at: base + 6_500 } },
    { body: { storeId: 'store-b', memberId: 'm2', source: 'door', at: base + 7_000 } },
    { body: { storeId: 'store-b', memberId: 'm2', source: 'pos', at: base + 8_000 } },
  ];
  const send = async (r: { key?: string; body: Record<string, unknown> }) => {
    const res = await fetch(`${t.hq.url}/v1/ingest/arrivals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey, ...(r.key ? { 'idempotency-key': r.key } : {}) },
      body: JSON.stringify(r.body),
    });
    return { http: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const name = visitNames();
  const answers = [];
  for (const r of requests) {
    const { http, body } = await send(r);
    answers.push({ http, ...body, ...(body.visitId ? { visitId: name(body.visitId) } : {}), ...(body.seq !== undefined ? { seq: expect.any(Number) } : {}) });
  }
  const events = await arrivalEvents(t, heads, name);

  // One clean new visit at a store whose catalog is loaded: its writes to the server and statements.
  const pool = (t.hq.store as HqStore & { pool?: { _clients: Client[] } }).pool;
  let clean: Outcome['clean'] = null;
  if (pool) {
    const counts = { writes: 0, statements: 0 };
    let on = false;
    const undo: (() => void)[] = [];
    for (const c of pool._clients) {
      const query = c.query;
      c.query = (...a: unknown[]) => {
        if (on) counts.statements++;
        return query.apply(c, a);
      };
      undo.push(() => (c.query = query));
      const stream = c.connection?.stream;
      for (const m of ['_write', '_writev'] as const) {
        const f = stream?.[m] as ((...a: unknown[]) => unknown) | undefined;
        if (!stream || typeof f !== 'function') continue;
        stream[m] = (...a: unknown[]) => {
          if (on) counts.writes++;
          return f.apply(stream, a);
        };
        undo.push(() => (stream[m] = f));
      }
    }
    on = true;
    const { http } = await send({ body: { storeId: 'store-a', memberCode: 'M0004', source: 'door' } });
    on = false;
    for (const u of undo) u();
    expect(http).toBe(201);
    clean = counts;
  }
  return { answers, events, clean };
}

describe('a single arrival', () => {
  it('answers and records the same with its member reads asked together as read step by step, on SQLite and PostgreSQL', async () => {
    const base = Date.now() - 30 * MIN;
    const plain = await runSingles('sqlite', false, base);
    const together = await runSingles('postgres', true, base);
    const stepByStep = await runSingles('postgres', false, base);

    expect(plain.answers).toEqual([
      { http: 201, status: 'created', visitId: 'visit-1', seq: expect.any(Number) },
      { http: 200, status: 'updated', visitId: 'visit-1', seq: expect.any(Number) },
      { http: 201, status: 'created', visitId: 'visit-2', seq: expect.any(Number) },
      { http: 201, status: 'created', visitId: 'visit-3', seq: expect.any(Number) },
      { http: 404, error: { code: 'member_not_found', message: expect.any(String) } },
      { http: 404, error: { code: 'store_not_found', message: expect.any(String) } },
      { http: 201, status: 'created', visitId: 'visit-4', seq: expect.any(Number) },
      { http: 200, status: 'duplicate', visitId: 'visit-4', seq: expect.any(Number) },
      { http: 422, error: { code: 'idempotency_key_reused', message: expect.any(String) } },
      { http: 201, status: 'created', visitId: 'visit-5', seq: expect.any(Number) },
      { http: 200, status: 'updated', visitId: 'visit-5', seq: expect.any(Number) },
    ]);
    // m1's profile at B sees the visit at A a second before (no "long absent" there), and only the
    // expectation at A that had not lapsed is fulfilled.
    const arrivalOf = (storeId: string, memberId: string) =>
      plain.events.find((e) => (e as { storeId: string; member?: string }).storeId === storeId && (e as { member?: string }).member === memberId) as { next: unknown };
    expect(JSON.stringify(arrivalOf('store-a', 'm1').next)).toContain('long_absent');
    expect(JSON.stringify(arrivalOf('store-b', 'm1').next)).not.toContain('long_absent');
    expect(plain.events.filter((e) => (e as { type: string }).type === 'expect.updated')).toEqual([
      expect.objectContaining({ storeId: 'store-a', expected: { id: 'e-a', status: 'arrived', visitId: 'visit-1' } }),
    ]);

    for (const other of [together, stepByStep]) {
      expect(other.answers).toEqual(plain.answers);
      expect(other.events).toEqual(plain.events);
    }
    // A new visit: BEGIN with the lock and the reads in one write, the held visit, event and card
    // with COMMIT in the next. Step by step, the member, then its visit, then its profile.
    expect(together.clean).not.toBeNull();
    expect(together.clean!.writes).toBe(2);
    expect(stepByStep.clean!.writes).toBeGreaterThanOrEqual(4);
    expect(together.clean!.statements).toBeLessThan(stepByStep.clean!.statements);
  });
});
