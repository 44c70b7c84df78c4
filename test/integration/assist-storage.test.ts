// The assisted-selling part of the store port (`tx.assist`, 7/8), one suite on both adapters (SQLite
// file and a fresh PostgreSQL schema), as group-storage.test.ts does for groups: what
// hq/app/assist/ relies on — a (visit, style) shown once, one mark per (visit, style) that a later
// verdict replaces, a sale's look-back with the mark and the visit's claimer, the product cards a
// clerk sent (not recalled, in the window), one attribution per purchase, the manager's figures,
// erasure — must come out the same on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type SaleAttribution, type ShownSuggestion } from '../../hq/ports/assistStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { type SuggestionMark } from '../../shared/assist.ts';
import { type Message } from '../../shared/domain.ts';
import { storedMember } from '../support/builders.ts';
import { visit } from '../support/builders.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-assist-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  { name: 'postgres', open: async () => freshPgStore({ poolSize: 2 }).then(({ store, cleanup }) => ({ store, close: cleanup })) },
];

const lina = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' };
const wang = { deviceId: 'd2', deviceName: 'Counter 2', clerkId: 'c2', clerkName: '王芳' };
const T0 = 1_700_000_000_000;

const shown = (visitId: string, styleId: string, role: ShownSuggestion['role'], over: Partial<ShownSuggestion> = {}): ShownSuggestion => ({
  storeId: 'a',
  visitId,
  memberId: 'm1',
  styleId,
  role,
  at: T0,
  ...over,
});
const mark = (visitId: string, styleId: string, verdict: SuggestionMark['verdict'], over: Partial<SuggestionMark> = {}): SuggestionMark => ({
  storeId: 'a',
  visitId,
  memberId: 'm1',
  styleId,
  role: 'style',
  verdict,
  by: lina,
  at: T0 + 1000,
  ...over,
});
const card = (n: number, styleId: string, at: number, over: Partial<Message> = {}): Message => ({
  id: `msg-${n}`,
  clientId: `cl-${n}`,
  storeId: 'a',
  memberId: 'm1',
  n,
  from: 'clerk',
  by: wang,
  kind: 'product',
  body: '',
  product: { styleId, name: `Style ${styleId}`, category: 'running', price: 59900, colors: [], sizes: [] },
  image: null,
  at,
  recalledAt: null,
  ...over,
});
const attribution = (purchaseId: string, over: Partial<SaleAttribution> = {}): SaleAttribution => ({
  purchaseId,
  storeId: 'a',
  memberId: 'm1',
  styleId: 's1',
  source: 'suggestion',
  visitId: 'v1',
  clerkId: 'c1',
  price: 59900,
  at: T0 + 5000,
  ...over,
});

for (const adapter of ADAPTERS) {
  describe(`assist storage on ${adapter.name}`, () => {
    it('takes a card of suggestions in one call: a (visit, style) repeated in it keeps its first row; an empty card writes nothing', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertStore({ id: 'a', name: 'Nanjing West Rd', city: 'Shanghai' }, 'ep-a');
          await tx.upsertMember(storedMember('m1'));
          const { notes: _n, ...v1 } = visit('v1', 'm1', { storeId: 'a', arrivedAt: T0 });
          await tx.insertVisit(v1);
          await tx.assist.putShown([]);
          await tx.assist.putShown([shown('v1', 's2', 'style'), shown('v1', 's1', 'style', { at: T0 + 1 }), shown('v1', 's1', 'addon', { at: T0 + 2 }), shown('v1', 'acc', 'addon')]);
        });
        expect(await store.read((r) => r.assist.shownOfVisit('v1'))).toEqual([shown('v1', 's1', 'style', { at: T0 + 1 }), shown('v1', 's2', 'style'), shown('v1', 'acc', 'addon')]);
      } finally {
        await close();
      }
    });

    it('keeps shown suggestions, marks, card look-ups, attributions and the figures alike', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertStore({ id: 'a', name: 'Nanjing West Rd', city: 'Shanghai' }, 'ep-a');
          await tx.upsertStore({ id: 'b', name: 'Xintiandi', city: 'Shanghai' }, 'ep-b');
          await tx.upsertMember(storedMember('m1'));
          await tx.upsertMember(storedMember('m2'));
          const { notes: _n, ...v1 } = visit('v1', 'm1', { storeId: 'a', arrivedAt: T0, status: 'claimed', claimedBy: lina, claimedAt: T0 + 500 });
          const { notes: _n2, ...v2 } = visit('v2', 'm1', { storeId: 'a', arrivedAt: T0 + 60_000 });
          const { notes: _n3, ...v3 } = visit('v3', 'm2', { storeId: 'b', arrivedAt: T0 });
          for (const v of [v1, v2, v3]) await tx.insertVisit(v);
          await tx.assist.putShown([shown('v1', 's1', 'style'), shown('v1', 's2', 'style'), shown('v1', 'acc', 'addon')]);
          // The same (visit, style) again keeps the first row.
          await tx.assist.putShown([shown('v1', 's1', 'addon', { at: T0 + 9 })]);
          await tx.assist.putShown([shown('v2', 's1', 'style', { at: T0 + 60_000 })]);
          await tx.assist.putShown([shown('v3', 's1', 'style', { storeId: 'b', memberId: 'm2' })]);
          await tx.assist.putMark(mark('v1', 's1', 'used'));
          await tx.assist.putMark(mark('v1', 's2', 'used'));
          // A later verdict replaces the earlier one (one row).
          await tx.assist.putMark(mark('v1', 's2', 'not_relevant', { by: wang, at: T0 + 2000 }));
          await tx.assist.putMark(mark('v1', 'acc', 'used', { role: 'addon' }));
          await tx.chat.insertMessage(card(1, 's3', T0 + 100), 1);
          await tx.chat.insertMessage(card(2, 's3', T0 + 200, { recalledAt: T0 + 300 }), 2);
          await tx.chat.insertMessage(card(3, 's4', T0 + 300), 3);
          await tx.chat.insertMessage(card(4, 's3', T0 + 400, { from: 'member', by: null }), 4);
        });

        await store.read(async (r) => {
          expect(await r.assist.shownOfVisit('v1')).toEqual([shown('v1', 's1', 'style'), shown('v1', 's2', 'style'), shown('v1', 'acc', 'addon')]);
          expect(await r.assist.shownOfVisit('nope')).toEqual([]);
          const marks = await r.assist.marksOfVisits(['v1', 'v2', 'v3']);
          expect(marks).toEqual([mark('v1', 'acc', 'used', { role: 'addon' }), mark('v1', 's1', 'used'), mark('v1', 's2', 'not_relevant', { by: wang, at: T0 + 2000 })]);
          expect(await r.assist.marksOfVisits([])).toEqual([]);

          // Newest first, with the mark's verdict and the visit's claimer; other stores and members not.
          const forSale = await r.assist.shownForSale('a', 'm1', 's1', T0 - 1, T0 + 100_000);
          expect(forSale.map((s) => [s.visitId, s.verdict, s.claimedBy?.clerkId ?? null])).toEqual([
            ['v2', null, null],
            ['v1', 'used', 'c1'],
          ]);
          expect(await r.assist.shownForSale('a', 'm1', 's1', T0 + 1, T0 + 59_999)).toEqual([]);
          expect((await r.assist.shownForSale('a', 'm1', 's2', T0, T0))[0]?.verdict).toBe('not_relevant');

          // Clerk product cards of the style, not recalled, not the member's own, in the window.
          const cards = await r.assist.cardsSent('a', 'm1', 's3', T0, T0 + 1000);
          expect(cards).toEqual([{ messageId: 'msg-1', styleId: 's3', by: wang, at: T0 + 100 }]);
          expect(await r.assist.cardsSent('a', 'm1', 's3', T0 + 101, T0 + 1000)).toEqual([]);
          expect(await r.assist.cardsSent('b', 'm1', 's3', T0, T0 + 1000)).toEqual([]);
        });

        // One attribution per purchase id: the second insert is refused and changes nothing.
        await store.withTx(async (tx) => {
          expect(await tx.assist.putAttribution(attribution('p1'))).toBe(true);
          expect(await tx.assist.putAttribution(attribution('p1', { source: 'chat_card', price: 1 }))).toBe(false);
          expect(await tx.assist.putAttribution(attribution('p2', { source: 'addon', styleId: 'acc', price: 9900, clerkId: 'c2' }))).toBe(true);
          expect(await tx.assist.putAttribution(attribution('p3', { source: 'chat_card', visitId: null, clerkId: null, price: 30000 }))).toBe(true);
          expect(await tx.assist.putAttribution(attribution('p4', { storeId: 'b', memberId: 'm2' }))).toBe(true);
          // Outside the report's range below.
          expect(await tx.assist.putAttribution(attribution('p5', { at: T0 + 10_000_000 }))).toBe(true);
        });
        expect(await store.read((r) => r.assist.getAttribution('p1'))).toEqual(attribution('p1'));
        expect(await store.read((r) => r.assist.getAttribution('p3'))).toEqual(attribution('p3', { source: 'chat_card', visitId: null, clerkId: null, price: 30000 }));
        expect(await store.read((r) => r.assist.getAttribution('none'))).toBeNull();

        const q = { from: T0 - 1000, to: T0 + 1_000_000, tzOffsetMin: 480, limit: 100 };
        expect(await store.read((r) => r.assist.kpis(['a'], q))).toEqual({
          visitsWithSuggestions: 2,
          suggestionsShown: 3,
          addOnsShown: 1,
          marked: { used: 2, notRelevant: 1 },
          sales: { suggestion: { count: 1, revenue: 59900 }, addon: { count: 1, revenue: 9900 }, chat_card: { count: 1, revenue: 30000 } },
        });
        // The clerk filter: the visits that clerk claimed, the sales credited to them.
        expect(await store.read((r) => r.assist.kpis(['a'], { ...q, clerkId: 'c2' }))).toEqual({
          visitsWithSuggestions: 0,
          suggestionsShown: 0,
          addOnsShown: 0,
          marked: { used: 0, notRelevant: 0 },
          sales: { suggestion: { count: 0, revenue: 0 }, addon: { count: 1, revenue: 9900 }, chat_card: { count: 0, revenue: 0 } },
        });
        expect((await store.read((r) => r.assist.kpis(['a'], { ...q, clerkId: 'c1' }))).visitsWithSuggestions).toBe(1);
        // Two stores together; no store at all.
        expect((await store.read((r) => r.assist.kpis(['a', 'b'], q))).sales.suggestion).toEqual({ count: 2, revenue: 119800 });
        expect((await store.read((r) => r.assist.kpis([], q))).visitsWithSuggestions).toBe(0);

        // Erasure takes every row of the member, and only theirs.
        await store.withTx((tx) => tx.deleteMember('m1'));
        await store.read(async (r) => {
          expect(await r.assist.shownOfVisit('v1')).toEqual([]);
          expect(await r.assist.marksOfVisits(['v1'])).toEqual([]);
          expect(await r.assist.getAttribution('p1')).toBeNull();
          expect(await r.assist.getAttribution('p4')).not.toBeNull();
          expect(await r.assist.shownOfVisit('v3')).toHaveLength(1);
        });
      } finally {
        await close();
      }
    });
  });
}
