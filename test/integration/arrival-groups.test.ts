// Single arrivals grouped into shared transactions (hq/app/arrivalBatches.ts): each must be
// answered, and leave the events, exactly as when it runs alone — on SQLite and on PostgreSQL (where
// a group of more than one is read ahead). The cases are the batch's (test/support/arrivalCases.ts):
// a repeat, the member at another store, an expectation fulfilled, a phone lookup, an unknown member
// and store, an Idempotency-Key twice. Then: a group holds at most MAX_GROUP; single POSTs sent at
// once are all answered and land once each; and a group that fails inside its transaction for one
// arrival's sake (a member row that cannot be read) is run again one by one, so only that arrival
// is refused.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type ArrivalItem, LONG_GROUP_MS, MAX_GROUP } from '../../hq/app/arrivalBatches.ts';
import { type ArrivalOutcome, type ArrivalRequest } from '../../hq/app/arrivals.ts';
import { arrivalEvents, MIN, putArrivalExpectations, visitNames } from '../support/arrivalCases.ts';
import { type StoreAdapter, TestHq } from '../support/hq.ts';
import { pgClient } from '../support/pg.ts';

const open: TestHq[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.dispose()));
});

async function started(adapter: StoreAdapter): Promise<TestHq> {
  const t = await TestHq.start({ adapter, seed: 'storesAB', unservedSweepMs: 0, warmCatalogs: false });
  open.push(t);
  return t;
}


function cases(base: number): ArrivalItem[] {
  const plain = (request: ArrivalRequest): ArrivalItem => ({ request, idempotency: null });
  const keyed = { key: 'k-1', requestHash: 'h-1' };
  return [
    plain({ storeId: 'store-a', memberCode: 'M0001', source: 'door', at: base }),
    plain({ storeId: 'store-a', memberCode: 'M0001', source: 'pos', at: base + 1_000 }),
    plain({ storeId: 'store-b', memberId: 'm1', source: 'door', at: base + 2_000 }),
    plain({ storeId: 'store-a', phone: '138-0000-0002', source: 'miniprogram', at: base + 3_000 }),
    plain({ storeId: 'store-a', memberCode: 'NOBODY', source: 'door', at: base + 4_000 }),
    plain({ storeId: 'no-such-store', memberCode: 'M0003', source: 'door', at: base + 5_000 }),
    { request: { storeId: 'store-b', memberCode: 'M0003', source: 'door', at: base + 6_000 }, idempotency: keyed },
    { request: { storeId: 'store-b', memberCode: 'M0003', source: 'door', at: base + 6_000 }, idempotency: keyed },
    plain({ storeId: 'store-b', memberId: 'm2', source: 'door', at: base + 7_000 }),
  ];
}

/** An arrival's answer as a comparable record: the outcome with its visit named, or the refusal's code. */
async function answerOf(p: Promise<ArrivalOutcome>, name: (id: unknown) => unknown): Promise<unknown> {
  try {
    const out = await p;
    return { status: out.status, visitId: name(out.visitId) };
  } catch (err) {
    return { refused: (err as { code?: string }).code ?? String(err) };
  }
}

/** The cases through `hq.arrivals`: one by one (each alone in its transaction), or all queued at once. */
async function runCases(adapter: StoreAdapter, together: boolean, base: number) {
  const t = await started(adapter);
  const heads = { a: (await t.position('store-a')).seq, b: (await t.position('store-b')).seq };
  await putArrivalExpectations(t, base);
  const before = { ...t.hq.arrivals.stats };
  const name = visitNames();
  const items = cases(base);
  const answers: unknown[] = [];
  if (together) {
    // Queued in one turn: they leave for the database as one group.
    const pending = items.map((i) => t.hq.arrivals.arrive(i.request, i.idempotency));
    for (const p of pending) answers.push(await answerOf(p, name));
  } else {
    for (const i of items) answers.push(await answerOf(t.hq.arrivals.arrive(i.request, i.idempotency), name));
  }
  const stats = t.hq.arrivals.stats;
  return { answers, events: await arrivalEvents(t, heads, name), groups: stats.groups - before.groups, largest: stats.largest };
}

describe('single arrivals grouped into one transaction', () => {
  for (const adapter of ['sqlite', 'postgres'] as const) {
    it(`answers each and records its events as when it runs alone (${adapter})`, async () => {
      const base = Date.now() - 30 * MIN;
      const alone = await runCases(adapter, false, base);
      const grouped = await runCases(adapter, true, base);
      expect(alone.groups).toBe(9);
      expect(grouped.groups).toBe(1);
      expect(grouped.largest).toBe(9);
      expect(alone.answers).toEqual([
        { status: 'created', visitId: 'visit-1' },
        { status: 'updated', visitId: 'visit-1' },
        { status: 'created', visitId: 'visit-2' },
        { status: 'created', visitId: 'visit-3' },
        { refused: 'member_not_found' },
        { refused: 'store_not_found' },
        { status: 'created', visitId: 'visit-4' },
        { status: 'duplicate', visitId: 'visit-4' },
        { status: 'created', visitId: 'visit-5' },
      ]);
      expect(grouped.answers).toEqual(alone.answers);
      expect(grouped.events).toEqual(alone.events);
      expect(alone.events.length).toBeGreaterThanOrEqual(6);
    });
  }

  it(`takes at most ${MAX_GROUP} arrivals a group; the rest go in the next`, async () => {
    const t = await started('sqlite');
    const n = MAX_GROUP + 7;
    const base = Date.now() - 10 * MIN;
    const before = { ...t.hq.arrivals.stats };
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        t.hq.arrivals.arrive({ storeId: i % 2 ? 'store-a' : 'store-b', memberCode: `M000${(Math.floor(i / 2) % 4) + 1}`, source: 'door', at: base + i }, null),
      ),
    );
    expect(answers.filter((a) => a.status === 'created')).toHaveLength(8); // four members at two stores; the rest repeats
    expect(t.hq.arrivals.stats.groups - before.groups).toBe(2);
    expect(t.hq.arrivals.stats.largest).toBe(MAX_GROUP);
  });

  for (const adapter of ['sqlite', 'postgres'] as const) {
    it(`answers single POSTs sent at once, each applied once, the log gap-free (${adapter})`, async () => {
      const t = await started(adapter);
      const heads = { a: (await t.position('store-a')).seq, b: (await t.position('store-b')).seq };
      const n = 40;
      const counted = t.hq.arrivals.stats.arrivals;
      const now = Date.now();
      const bodies = Array.from({ length: n }, (_, i) => ({ storeId: i % 2 ? 'store-a' : 'store-b', memberCode: `M000${(Math.floor(i / 2) % 4) + 1}`, source: 'door', at: now - n + i }));
      const first = await Promise.all(bodies.map((b, i) => t.postArrival(b, `key-${i}`)));
      // Four members at two stores: eight new visits, the rest repeats.
      expect(first.map((r) => r.status).sort()).toEqual([...Array(n - 8).fill(200), ...Array(8).fill(201)]);
      expect(first.filter((r) => r.body.status === 'created')).toHaveLength(8);
      // Retried with the same keys, at once: each answered its first answer, as a duplicate.
      const again = await Promise.all(bodies.map((b, i) => t.postArrival(b, `key-${i}`)));
      expect(again.map((r) => r.body.status)).toEqual(Array(n).fill('duplicate'));
      expect(again.map((r) => r.body.visitId)).toEqual(first.map((r) => r.body.visitId));
      expect(t.hq.arrivals.stats.arrivals - counted).toBe(2 * n); // the route goes through the groups
      for (const [storeId, head] of [['store-a', heads.a], ['store-b', heads.b]] as const) {
        const seqs = (await t.hq.store.read((r) => r.readEvents(storeId, head, 1000))).map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => head + 1 + i));
        expect(seqs.length).toBe(n / 2); // a store's 4 arrivals and 16 visit updates, nothing of the retries
      }
    });
  }

  it('does not hold other stores’ arrivals behind a group waiting for a store’s lock (PostgreSQL)', async () => {
    const t = await started('postgres');
    const [, pgUrl, , pgSchema] = t.adminArgs;
    const lock = await pgClient(pgUrl!, pgSchema!);
    try {
      // Another transaction holds store A's row: an arrival there waits for it.
      await lock.query('BEGIN');
      await lock.query("SELECT 1 FROM stores WHERE id = 'store-a' FOR UPDATE");
      const atA = t.postArrival({ storeId: 'store-a', memberCode: 'M0001', source: 'door' });
      let answeredA = false;
      void atA.then(() => (answeredA = true));
      await new Promise((r) => setTimeout(r, 20));
      const t0 = performance.now();
      const atB = await t.postArrival({ storeId: 'store-b', memberCode: 'M0003', source: 'door' });
      const took = performance.now() - t0;
      expect(atB.status).toBe(201);
      expect(answeredA).toBe(false);
      // B's group started beside A's once A's had been in flight LONG_GROUP_MS, not after A's lock.
      expect(took).toBeLessThan(LONG_GROUP_MS + 1_000);
      expect(t.hq.arrivals.stats.groups).toBeGreaterThanOrEqual(2);
      await lock.query('ROLLBACK');
      expect((await atA).status).toBe(201);
    } finally {
      await lock.end();
    }
  });

  it('runs a group that failed inside its transaction again one by one: only the arrival that fails alone is refused', async () => {
    const t = await started('sqlite');
    // m4's row as no release of HQ writes it: its preferences are not JSON, so reading m4 throws.
    const db = new Database(t.dbPath);
    db.prepare(`UPDATE members SET preferences = 'not json' WHERE id = 'm4'`).run();
    db.close();
    const base = Date.now() - 10 * MIN;
    const before = { ...t.hq.arrivals.stats };
    const pending = ['m1', 'm4', 'm2', 'm3'].map((memberId, i) => t.hq.arrivals.arrive({ storeId: 'store-a', memberId, source: 'door', at: base + i }, null));
    const settled = await Promise.allSettled(pending);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<ArrivalOutcome>).value.status)).toEqual(['created', 'created', 'created']);
    expect(t.hq.arrivals.stats.split - before.split).toBe(1);
    const visits = await t.hq.store.read((r) => r.readEvents('store-a', 0, 1000));
    expect(visits.filter((e) => e.type === 'arrival')).toHaveLength(3);
  });
});
