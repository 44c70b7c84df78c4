// The expected-visits part of the store port (`tx.expected`, HQ migration 15), one suite on both
// adapters (a SQLite file and a fresh PostgreSQL schema): what hq/app/expected/ relies on — a
// member's expectation by clientId (unique), the open ones an arrival fulfils, the due ones the
// sweep lapses, a store's open and lately settled ones, erasure — must come out the same on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { storedMember } from '../support/builders.ts';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-expected-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  { name: 'postgres', open: async () => freshPgStore({ poolSize: 2 }).then(({ store, cleanup }) => ({ store, close: cleanup })) },
];

const ev = (id: string, over: Partial<ExpectedVisit> = {}): ExpectedVisit => ({
  id,
  storeId: 'a',
  member: { id: 'm1', name: '王芳', tier: 'gold' },
  styleId: 's1',
  styleName: 'Cloud Runner',
  size: 38.5,
  holdId: null,
  source: { kind: 'group', id: 'g1', title: '跑步群' },
  createdAt: 1_000,
  until: 10_000,
  status: 'expected',
  visitId: null,
  arrivedAt: null,
  ...over,
});
const member = storedMember;
const ids = (list: ExpectedVisit[]) => list.map((e) => e.id);

for (const adapter of ADAPTERS) {
  describe(`expected-visit storage on ${adapter.name}`, () => {
    it('keeps an expectation whole, finds it by clientId, and finds the open, the due, a member’s and a store’s', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.expected.putExpected(ev('e1'), 1_000, 'client-0001');
          await tx.expected.putExpected(ev('e2', { until: 20_000, styleId: null, styleName: null, size: null, source: { kind: 'chat', id: null, title: '' } }), 2_000, 'client-0002');
          await tx.expected.putExpected(ev('e3', { storeId: 'b', until: 5_000 }), 3_000, null);
          await tx.expected.putExpected(ev('e4', { member: { id: 'm2', name: 'x', tier: 'basic' }, status: 'cancelled' }), 4_000, 'client-0001');
        });
        await store.read(async (r) => {
          expect(await r.expected.getExpected('e1')).toEqual(ev('e1'));
          expect(await r.expected.getExpected('nope')).toBeNull();
          // clientIds are per member: m2 used the same one.
          expect((await r.expected.byClientId('m1', 'client-0001'))?.id).toBe('e1');
          expect((await r.expected.byClientId('m2', 'client-0001'))?.id).toBe('e4');
          expect(await r.expected.byClientId('m1', 'client-9999')).toBeNull();
          // An arrival at 'a' at 9 000 fulfils both of m1's open ones there (oldest change first); at 15 000 only e2.
          expect(ids(await r.expected.openAtStore('a', 'm1', 9_000))).toEqual(['e1', 'e2']);
          expect(ids(await r.expected.openAtStore('a', 'm1', 15_000))).toEqual(['e2']);
          expect(ids(await r.expected.openAtStore('a', 'm2', 0))).toEqual([]);
          // A batch's read ahead: every open one of each pair whatever its until, oldest change
          // first; a pair given twice counts once; a cancelled one and a pair with none add nothing.
          const pairs = [
            { storeId: 'b', memberId: 'm1' },
            { storeId: 'a', memberId: 'm1' },
            { storeId: 'a', memberId: 'm2' },
            { storeId: 'a', memberId: 'm1' },
            { storeId: 'c', memberId: 'm1' },
          ];
          expect(ids(await r.expected.openAtStores(pairs))).toEqual(['e1', 'e2', 'e3']);
          expect(await r.expected.openAtStores([])).toEqual([]);
          // Each pair's part, filtered by `until > at`, is what openAtStore answers at that `at`.
          const ahead = await r.expected.openAtStores(pairs);
          for (const [storeId, memberId, at] of [['a', 'm1', 9_000], ['a', 'm1', 15_000], ['b', 'm1', 4_000], ['b', 'm1', 5_000], ['a', 'm2', 0]] as const) {
            const part = ahead.filter((e) => e.storeId === storeId && e.member.id === memberId && e.until > at);
            expect(part).toEqual(await r.expected.openAtStore(storeId, memberId, at));
          }
          expect(ids(await r.expected.openOfMember('m1'))).toEqual(['e3', 'e1', 'e2']);
          expect(await r.expected.dueExpected(10_000, 10)).toEqual([
            { storeId: 'b', id: 'e3' },
            { storeId: 'a', id: 'e1' },
          ]);
          expect(await r.expected.dueExpected(10_000, 1)).toEqual([{ storeId: 'b', id: 'e3' }]);
          // The store's: every open one, and settled ones changed at or after `since`.
          expect(ids(await r.expected.ofStore('a', 4_000, 100))).toEqual(['e1', 'e4', 'e2']);
          expect(ids(await r.expected.ofStore('a', 4_001, 100))).toEqual(['e1', 'e2']);
          expect(ids(await r.expected.ofStore('a', 0, 1))).toEqual(['e1']);
        });
        // Settling (same id) keeps its clientId and leaves the open lists.
        await store.withTx((tx) => tx.expected.putExpected(ev('e1', { status: 'arrived', visitId: 'v1', arrivedAt: 8_000 }), 8_000));
        await store.read(async (r) => {
          expect(await r.expected.getExpected('e1')).toMatchObject({ status: 'arrived', visitId: 'v1', arrivedAt: 8_000 });
          expect((await r.expected.byClientId('m1', 'client-0001'))?.id).toBe('e1');
          expect(ids(await r.expected.openAtStore('a', 'm1', 0))).toEqual(['e2']);
          expect(await r.expected.dueExpected(10_000, 10)).toEqual([{ storeId: 'b', id: 'e3' }]);
          expect(ids(await r.expected.ofStore('a', 8_000, 100))).toEqual(['e1', 'e2']);
        });
      } finally {
        await close();
      }
    });

    it('refuses a second expectation under one member’s clientId, and erasure drops the member’s', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertMember(member('m1'));
          await tx.upsertMember(member('m2'));
          await tx.expected.putExpected(ev('e1'), 1_000, 'client-0001');
          await tx.expected.putExpected(ev('e2', { member: { id: 'm2', name: 'm2', tier: 'basic' } }), 1_000, 'client-0002');
        });
        await expect(store.withTx((tx) => tx.expected.putExpected(ev('e5'), 1_000, 'client-0001'))).rejects.toThrow();
        expect(await store.read((r) => r.expected.getExpected('e5'))).toBeNull();
        expect(await store.withTx((tx) => tx.deleteMember('m1'))).toBe(true);
        await store.read(async (r) => {
          expect(await r.expected.getExpected('e1')).toBeNull();
          expect(await r.expected.byClientId('m1', 'client-0001')).toBeNull();
          expect((await r.expected.getExpected('e2'))?.id).toBe('e2');
        });
      } finally {
        await close();
      }
    });
  });
}
