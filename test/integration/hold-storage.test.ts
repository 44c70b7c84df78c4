// The holds part of the store port (`tx.holds`), one suite on both adapters (SQLite file and a
// fresh PostgreSQL schema), as store-conformance.test.ts does for the rest: what hq/app/holds/
// relies on — the active count per stock line, the due holds, a member's holds, a store's
// requests in both directions, erasure — must come out the same on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { storedMember } from '../support/builders.ts';
import { type Hold, type HoldRequest } from '../../shared/holds.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-holds-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  { name: 'postgres', open: async () => freshPgStore({ poolSize: 2 }).then(({ store, cleanup }) => ({ store, close: cleanup })) },
];

const actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' };
const hold = (id: string, over: Partial<Hold> = {}): Hold => ({
  id,
  storeId: 'a',
  member: { id: 'm1', name: '王芳', tier: 'gold' },
  styleId: 's1',
  styleName: 'Style s1',
  color: 'BLK',
  colorName: 'Black',
  size: 38.5,
  placedAt: 1_000,
  until: 10_000,
  by: actor,
  status: 'active',
  endedAt: null,
  endedBy: null,
  requestId: null,
  ...over,
});
const request = (id: string, over: Partial<HoldRequest> = {}): HoldRequest => ({
  id,
  fromStoreId: 'a',
  fromStoreName: 'Store A',
  toStoreId: 'b',
  toStoreName: 'Store B',
  member: { id: 'm1', name: '王芳', tier: 'gold' },
  styleId: 's1',
  styleName: 'Style s1',
  color: 'BLK',
  colorName: 'Black',
  size: 38.5,
  days: 3,
  requestedAt: 5_000,
  by: actor,
  status: 'pending',
  answeredAt: null,
  answeredBy: null,
  holdId: null,
  until: null,
  ...over,
});
const member = storedMember;

for (const adapter of ADAPTERS) {
  describe(`hold storage on ${adapter.name}`, () => {
    it('keeps holds whole, counts a line’s active holds, finds the due, the expiring and a member’s', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.setStock({ storeId: 'a', styleId: 's1', color: 'BLK', size: 38.5, qty: 4 });
          await tx.setStock({ storeId: 'b', styleId: 's1', color: 'BLK', size: 38.5, qty: 1 });
          await tx.holds.putHold(hold('h1'));
          await tx.holds.putHold(hold('h2', { until: 20_000, member: { id: 'm2', name: 'x', tier: 'basic' } }));
          await tx.holds.putHold(hold('h3', { until: 5_000, status: 'collected', endedAt: 4_000, endedBy: actor }));
          await tx.holds.putHold(hold('h4', { storeId: 'b', until: 30_000 }));
        });
        await store.read(async (r) => {
          expect(await r.holds.getHold('h1')).toEqual(hold('h1'));
          expect(await r.holds.getHold('nope')).toBeNull();
          expect(await r.holds.heldQty('a', 's1', 'BLK', 38.5)).toBe(2);
          expect(await r.holds.heldQty('a', 's1', 'BLK', 38)).toBe(0);
          expect(await r.holds.stockQty('a', 's1', 'BLK', 38.5)).toBe(4);
          expect(await r.holds.stockQty('a', 's1', 'RED', 38.5)).toBe(0);
          expect((await r.holds.activeHolds('a')).map((h) => h.id)).toEqual(['h1', 'h2']);
          expect(await r.holds.dueHolds(20_000, 10)).toEqual([
            { storeId: 'a', id: 'h1' },
            { storeId: 'a', id: 'h2' },
          ]);
          expect(await r.holds.dueHolds(20_000, 1)).toEqual([{ storeId: 'a', id: 'h1' }]);
          // Every store's, soonest first: h4 is store b's; h3 is no longer active.
          expect(await r.holds.toRemind(10_001, 30_000, 10)).toEqual([{ storeId: 'a', id: 'h2' }]);
          expect((await r.holds.toRemind(0, 30_001, 10)).map((h) => h.id)).toEqual(['h1', 'h2', 'h4']);
          expect((await r.holds.toRemind(0, 30_001, 2)).map((h) => h.id)).toEqual(['h1', 'h2']);
          expect((await r.holds.activeHoldsOfMember('m1')).map((h) => h.id)).toEqual(['h1', 'h4']);
          expect((await r.holds.stockOfStyle('s1')).map((l) => [l.storeId, l.qty])).toEqual([
            ['a', 4],
            ['b', 1],
          ]);
          expect((await r.holds.heldOfStyle('s1')).sort((x, y) => x.storeId.localeCompare(y.storeId))).toEqual([
            { storeId: 'a', color: 'BLK', size: 38.5, held: 2 },
            { storeId: 'b', color: 'BLK', size: 38.5, held: 1 },
          ]);
        });
        // A reminded hold is not answered again, also after it is written again (a later `until`).
        await store.withTx((tx) => tx.holds.markReminded('h2'));
        await store.withTx((tx) => tx.holds.putHold(hold('h2', { until: 25_000, member: { id: 'm2', name: 'x', tier: 'basic' } })));
        expect((await store.read((r) => r.holds.toRemind(0, 30_001, 10))).map((h) => h.id)).toEqual(['h1', 'h4']);
        expect((await store.read((r) => r.holds.getHold('h2')))!.until).toBe(25_000);
        // Ending a hold (same id) frees its pair.
        await store.withTx((tx) => tx.holds.putHold(hold('h1', { status: 'expired', endedAt: 10_000 })));
        await store.read(async (r) => {
          expect(await r.holds.heldQty('a', 's1', 'BLK', 38.5)).toBe(1);
          expect((await r.holds.getHold('h1'))!.status).toBe('expired');
          expect((await r.holds.toRemind(0, 30_001, 10)).map((h) => h.id)).toEqual(['h4']);
        });
      } finally {
        await close();
      }
    });

    it('lists a store’s requests both ways (pending always, answered since), and erasure drops a member’s holds and requests', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertMember(member('m1'));
          await tx.holds.putRequest(request('r1'));
          await tx.holds.putRequest(request('r2', { fromStoreId: 'b', toStoreId: 'a', requestedAt: 6_000 }));
          await tx.holds.putRequest(request('r3', { status: 'declined', requestedAt: 1_000, member: { id: 'm2', name: 'y', tier: 'basic' } }));
          await tx.holds.putRequest(request('r4', { fromStoreId: 'b', toStoreId: 'c' }));
          await tx.holds.putHold(hold('h1'));
        });
        await store.read(async (r) => {
          expect((await r.holds.requestsOfStore('a', 2_000, 10)).map((x) => x.id)).toEqual(['r2', 'r1']);
          expect((await r.holds.requestsOfStore('a', 0, 10)).map((x) => x.id)).toEqual(['r2', 'r1', 'r3']);
          expect((await r.holds.requestsOfStore('c', 0, 10)).map((x) => x.id)).toEqual(['r4']);
          expect(await r.holds.getRequest('r1')).toEqual(request('r1'));
        });
        await store.withTx((tx) => tx.holds.putRequest(request('r1', { status: 'accepted', holdId: 'h9', until: 9_000 })));
        expect(await store.read((r) => r.holds.getRequest('r1'))).toMatchObject({ status: 'accepted', holdId: 'h9' });
        await store.withTx((tx) => tx.deleteMember('m1'));
        await store.read(async (r) => {
          expect(await r.holds.getHold('h1')).toBeNull();
          expect((await r.holds.requestsOfStore('a', 0, 10)).map((x) => x.id)).toEqual(['r3']);
        });
      } finally {
        await close();
      }
    });
  });
}
