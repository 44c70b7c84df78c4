// What the arrival tests that run one set of cases several ways (SQLite and PostgreSQL, read ahead
// or step by step: arrival-batch-ahead, arrival-single-reads) share: the expectations the cases
// fulfil or leave, visit ids named by the order they were first seen, and a store's events read
// back in a form that compares across runs.
import { type ExpectedVisit } from '../../shared/expected.ts';
import { type TestHq } from './hq.ts';

export const MIN = 60_000;

/**
 * m1 said they would come to store A until an hour after `base` (the cases' first arrival fulfils
 * it) and to store B until `base` (lapsed when m1 comes there: not fulfilled).
 */
export async function putArrivalExpectations(t: TestHq, base: number): Promise<void> {
  const expected = (id: string, storeId: string, until: number): ExpectedVisit => ({
    id, storeId, member: { id: 'm1', name: '王芳', tier: 'basic' }, styleId: null, styleName: null, size: null, holdId: null,
    source: { kind: 'chat', id: null, title: '' }, createdAt: base - MIN, until, status: 'expected', visitId: null, arrivedAt: null,
  });
  await t.hq.store.withTx(async (tx) => {
    await tx.expected.putExpected(expected('e-a', 'store-a', base + 60 * MIN), base - MIN);
    await tx.expected.putExpected(expected('e-b-gone', 'store-b', base), base - MIN);
  });
}

/** Names visit ids `visit-1`, `visit-2`… in the order first seen (ids are new on every run). */
export function visitNames(): (id: unknown) => unknown {
  const names = new Map<string, string>();
  return (id) => (typeof id === 'string' ? (names.get(id) ?? (names.set(id, `visit-${names.size + 1}`), names.get(id)!)) : id);
}

/** Stores A and B's events after `heads`, as comparable records (seqs relative, visits named). */
export async function arrivalEvents(t: TestHq, heads: { a: number; b: number }, name: (id: unknown) => unknown): Promise<unknown[]> {
  const events = [];
  for (const [storeId, head] of [['store-a', heads.a], ['store-b', heads.b]] as const) {
    for (const e of await t.hq.store.read((r) => r.readEvents(storeId, head, 100))) {
      const data = JSON.parse(e.data) as {
        visit?: { id: string; arrivals: number; lastSeenAt: number; source: string };
        profile?: { member: { id: string }; recommendations: { styleId: string }[]; next?: unknown };
        expected?: ExpectedVisit;
      };
      events.push({
        storeId,
        seq: e.seq - head,
        type: e.type,
        visit: data.visit && { id: name(data.visit.id), arrivals: data.visit.arrivals, lastSeenAt: data.visit.lastSeenAt, source: data.visit.source },
        member: data.profile?.member.id,
        next: data.profile?.next,
        suggested: data.profile?.recommendations.map((s) => s.styleId),
        expected: data.expected && { id: data.expected.id, status: data.expected.status, visitId: name(data.expected.visitId) },
      });
    }
  }
  return events;
}
