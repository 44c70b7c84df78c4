// Group commit of single arrivals (hq/app/arrivalQueue.ts): POST /v1/ingest/arrivals requests that
// come together are committed in one transaction, and each still gets exactly the answer it would
// get alone — its visit and event, its 404 or 422, its idempotent replay — with the store logs
// gap-free and nothing applied twice. On SQLite and on PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrivalError } from '../../hq/app/arrivals.ts';
import { ArrivalQueue } from '../../hq/app/arrivalQueue.ts';
import { type StoreAdapter, TestHq } from '../support/hq.ts';

describe.each(['sqlite', 'postgres'] as StoreAdapter[])('group commit of single arrivals (%s)', (adapter) => {
  let t: TestHq;
  beforeAll(async () => {
    t = await TestHq.start({ adapter, seed: 'storesAB' });
  });
  afterAll(() => t.dispose());

  it('40 concurrent single arrivals: each answered as alone, the logs gap-free, nothing twice', async () => {
    const before = { a: (await t.position('store-a')).seq, b: (await t.position('store-b')).seq };
    const reused = randomUUID();
    const conflicting = randomUUID();
    type Case = { body: Record<string, unknown>; key?: string; want: number[] };
    const cases: Case[] = [];
    for (let i = 0; i < 30; i++) {
      const memberId = ['m1', 'm2', 'm3', 'm4'][i % 4]!;
      cases.push({ body: { storeId: i % 2 ? 'store-b' : 'store-a', memberId, source: 'door' }, key: randomUUID(), want: [200, 201] });
    }
    for (let i = 0; i < 4; i++) cases.push({ body: { storeId: 'store-a', memberId: `nobody-${i}`, source: 'door' }, key: randomUUID(), want: [404] });
    cases.push({ body: { storeId: 'store-zz', memberId: 'm1', source: 'door' }, want: [404] });
    // The same key and body three times: one arrival, the others its replay (whichever commits first).
    for (let i = 0; i < 3; i++) cases.push({ body: { storeId: 'store-a', memberId: 'm2', source: 'pos' }, key: reused, want: [200, 201] });
    // The same key with two bodies: one applies, the other is refused as a reused key.
    cases.push({ body: { storeId: 'store-b', memberId: 'm3', source: 'pos' }, key: conflicting, want: [200, 201, 422] });
    cases.push({ body: { storeId: 'store-b', memberId: 'm4', source: 'pos' }, key: conflicting, want: [200, 201, 422] });

    const answers = await Promise.all(cases.map((c) => t.postArrival(c.body, c.key)));
    answers.forEach((a, i) => expect(cases[i]!.want, JSON.stringify([cases[i], a])).toContain(a.status));
    // One of each conflicting pair applied, the other refused.
    expect(answers.slice(-2).map((a) => a.status === 422).sort()).toEqual([false, true]);
    // The three of one key: one visit, answered three times with the same result.
    const same = answers.slice(35, 38);
    expect(new Set(same.map((a) => a.body.visitId)).size).toBe(1);
    expect(new Set(same.map((a) => a.body.seq)).size).toBe(1);

    // Each applied arrival is one event (arrival or visit.updated); the logs have no gap.
    const applied = answers.filter((a) => a.status === 200 || a.status === 201);
    const seqs = new Set(applied.map((a) => `${a.body.seq}`));
    for (const [store, from] of [['store-a', before.a], ['store-b', before.b]] as const) {
      const log = (await t.readLog(store)).filter((e) => e.seq > from);
      expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => from + i + 1));
      expect(log.every((e) => e.type === 'arrival' || e.type === 'visit.updated')).toBe(true);
    }
    const appliedOnce = (await t.readLog('store-a')).filter((e) => e.seq > before.a).length + (await t.readLog('store-b')).filter((e) => e.seq > before.b).length;
    // 30 + one of the reused key + one of the conflicting pair.
    expect(appliedOnce).toBe(32);
    expect(seqs.size).toBeLessThanOrEqual(32);
  });

  it('requests that come together share a commit; an arrival refused is answered alone', async () => {
    const queue = new ArrivalQueue(t.hq.eventLog);
    const requests = Array.from({ length: 24 }, (_, i) => ({ storeId: i % 2 ? 'store-b' : 'store-a', memberId: i === 5 ? 'nobody' : ['m1', 'm3'][i % 2]!, source: 'door' as const }));
    const settled = await Promise.allSettled(requests.map((r) => queue.arrive(r, null)));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(23);
    const refused = settled[5]!;
    expect(refused.status).toBe('rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(ArrivalError);
    expect(((refused as PromiseRejectedResult).reason as ArrivalError).code).toBe('member_not_found');
    // Fewer commits than arrivals: they went in groups (all 24 were queued before the first commit began).
    expect(queue.stats.arrivals).toBe(24);
    expect(queue.stats.groups).toBeLessThan(24);
    expect(queue.stats.rerunAlone).toBe(0);
  });
});
