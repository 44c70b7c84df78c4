// Assisted selling at a real HQ (7/8 attribution), over real HTTP and real desk sockets, on SQLite
// and PostgreSQL: an arrival records what its card showed; `suggest.mark` (ok, another store's visit
// not_found, a style never shown invalid, a resend one mark, a later verdict replaces); purchases
// ingested are attributed to a suggestion, the add-on or a clerk's chat product card — never to one
// marked not relevant, outside the window or at another store, and once however often ingested;
// the manager's report carries the figures; the snapshot the marks. Then the member's consent
// choices (GET/PUT /v1/member/consents): auth, bad bodies, and member.updated to the home store and
// to a store with an open visit.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminKey } from '../../hq/app/clerks/service.ts';
import { shownOf } from '../../hq/app/assist/marks.ts';
import { type AssistKpis, type SuggestionMark } from '../../shared/assist.ts';
import { type MemberProfile, type Visit } from '../../shared/domain.ts';
import { type EvFrame } from '../../shared/protocol.ts';
import { TestHq, type StoreAdapter } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { waitFor } from '../support/waitFor.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('shownOf (what a card shows)', () => {
  const visit = { id: 'v1', storeId: 'a', memberId: 'm1' };
  const base: MemberProfile = {
    member: {} as MemberProfile['member'],
    purchases: [],
    recommendations: [],
  };
  it('records the next best action’s styles and its add-on, nothing while `next` is absent', () => {
    expect(shownOf(visit, base, 5)).toEqual([]);
    const next: NonNullable<MemberProfile['next']> = {
      personalized: true,
      lastPurchase: null,
      styles: ['s1', 's2'],
      addOn: { styleId: 'acc', name: 'Socks', kind: 'socks', price: 5900, size: null, reason: { code: 'goes_with', styleId: 's1', styleName: 'Style s1' } as never },
      cues: [],
    };
    expect(shownOf(visit, { ...base, next }, 5)).toEqual([
      { storeId: 'a', visitId: 'v1', memberId: 'm1', styleId: 's1', role: 'style', at: 5 },
      { storeId: 'a', visitId: 'v1', memberId: 'm1', styleId: 's2', role: 'style', at: 5 },
      { storeId: 'a', visitId: 'v1', memberId: 'm1', styleId: 'acc', role: 'addon', at: 5 },
    ]);
    expect(shownOf(visit, { ...base, next: { ...next, addOn: null, styles: [] } }, 5)).toEqual([]);
  });
});

for (const adapter of ['sqlite', 'postgres'] as StoreAdapter[]) {
  describe(`assisted selling at HQ on ${adapter}`, () => {
    let t: TestHq;
    const desks: ProtocolDesk[] = [];
    beforeEach(async () => {
      t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0, adapter });
      const res = await t.ingestRaw('clerks', [
        { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
        { id: 'bo', storeId: 'store-a', name: 'Bo', role: 'clerk', pin: '2222' },
        { id: 'xu', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
      ]);
      expect(res.status).toBe(200);
    });
    afterEach(async () => {
      for (const d of desks.splice(0)) await d.close();
      await t.dispose();
    });
    const deskAt = async (storeId: string, name: string, clerkId: string): Promise<ProtocolDesk> => {
      const { token } = await t.enroll(storeId, name);
      const d = new ProtocolDesk({ urls: [t.url], token, resume: await t.position(storeId), clerkId });
      desks.push(d);
      await d.start();
      return d;
    };
    const evs = (d: ProtocolDesk, type: EvFrame['type']) => d.events.filter((e) => e.type === type);
    const member = (purchases: unknown[]) => ({
      id: 'm1',
      code: 'M0001',
      name: '王芳',
      phone: '13800000001',
      homeStoreId: 'store-a',
      sizes: { eu: 38, cn: 240 },
      preferences: ['running'],
      points: 0,
      purchases,
    });
    const purchase = (id: string, styleId: string, at: number, storeId = 'store-a', price = 59900) => ({
      id,
      styleId,
      styleName: `Style ${styleId}`,
      category: 'running',
      color: 'BLK',
      size: 38,
      storeId,
      at,
      price,
    });

    it('records what the card showed, takes marks on it only, attributes the sales and reports them', async () => {
      const a1 = await deskAt('store-a', 'A1', 'ann');
      const a2 = await deskAt('store-a', 'A2', 'bo');
      const b1 = await deskAt('store-b', 'B1', 'xu');

      // An arrival records its card's suggestions in its own transaction (none while the profile has no `next`).
      const arrived = await t.arrival('store-a', 'm1');
      await waitFor(() => evs(a1, 'arrival').length === 1);
      const { visit, profile } = evs(a1, 'arrival')[0]!.data as { visit: Visit; profile: MemberProfile };
      expect(visit.id).toBe(arrived.visitId);
      const recorded = await t.hq.store.read((r) => r.assist.shownOfVisit(visit.id));
      expect(recorded).toEqual(shownOf(visit, profile, visit.arrivedAt));
      // The rest works on a known card: two styles and an add-on shown on this visit (`putShown` keeps
      // a row the arrival recorded), and one shown 15 days ago, outside the window of today's sales.
      const now = Date.now();
      await t.hq.store.withTx((tx) =>
        tx.assist.putShown([
          { storeId: 'store-a', visitId: visit.id, memberId: 'm1', styleId: 's1', role: 'style', at: visit.arrivedAt },
          { storeId: 'store-a', visitId: visit.id, memberId: 'm1', styleId: 's2', role: 'style', at: visit.arrivedAt },
          { storeId: 'store-a', visitId: visit.id, memberId: 'm1', styleId: 'acc-socks', role: 'addon', at: visit.arrivedAt },
          { storeId: 'store-a', visitId: visit.id, memberId: 'm1', styleId: 's-old', role: 'style', at: now - 15 * DAY },
        ]),
      );
      expect((await a1.command('claim', { visitId: visit.id })).status).toBe('ok');

      // Marks.
      const mark = (d: ProtocolDesk, styleId: string, role: string, verdict: string, opId?: ReturnType<typeof randomUUID>) => d.command('suggest.mark', { visitId: visit.id, styleId, role, verdict }, opId);
      const opId = randomUUID();
      const ok = await mark(a1, 's1', 'style', 'used', opId);
      expect(ok.status).toBe('ok');
      expect(await mark(a1, 's1', 'style', 'used', opId)).toEqual({ ...ok, status: 'duplicate' }); // a resend: the same seq, one mark
      expect(await mark(b1, 's1', 'style', 'used')).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
      expect(await a1.command('suggest.mark', { visitId: randomUUID(), styleId: 's1', role: 'style', verdict: 'used' })).toMatchObject({ rejection: { code: 'not_found' } });
      const never = await mark(a1, 'zz-never-shown', 'style', 'used');
      expect(never).toMatchObject({ status: 'rejected', rejection: { code: 'invalid' } });
      expect(never.rejection!.message).toContain('was not suggested on this visit');
      expect(await mark(a1, 'acc-socks', 'style', 'used')).toMatchObject({ rejection: { code: 'invalid' } }); // shown as the add-on
      expect((await mark(a2, 's2', 'style', 'used')).status).toBe('ok');
      expect((await mark(a1, 's2', 'style', 'not_relevant')).status).toBe('ok'); // replaces Bo's
      expect((await mark(a1, 'acc-socks', 'addon', 'used')).status).toBe('ok');

      await waitFor(() => evs(a2, 'suggest.marked').length === 4);
      const marked = evs(a2, 'suggest.marked').map((e) => e.data as { mark: SuggestionMark; by: { clerkId?: string }; opId: string });
      expect(marked[0]).toMatchObject({ mark: { visitId: visit.id, styleId: 's1', role: 'style', verdict: 'used', by: { clerkId: 'ann' } }, opId });
      expect(marked.map((m) => [m.mark.styleId, m.mark.verdict, m.by.clerkId])).toEqual([
        ['s1', 'used', 'ann'],
        ['s2', 'used', 'bo'],
        ['s2', 'not_relevant', 'ann'],
        ['acc-socks', 'used', 'ann'],
      ]);
      expect(evs(b1, 'suggest.marked')).toHaveLength(0);
      const marks = await t.hq.store.read((r) => r.assist.marksOfVisits([visit.id]));
      expect(marks.map((m) => [m.styleId, m.verdict])).toEqual([
        ['acc-socks', 'used'],
        ['s1', 'used'],
        ['s2', 'not_relevant'],
      ]);
      // The snapshot carries the marks of its visits; another store's snapshot none of them.
      expect((await t.snapshot(a1.opts.token)).suggestionMarks).toEqual(marks);
      expect((await t.snapshot(b1.opts.token)).suggestionMarks).toEqual([]);

      // Bo sends m1 a product card in chat of a style the card never suggests (in stock only in 40, not
      // her 38, so the next best action cannot pick it: a suggestion shown would take the sale first).
      await t.ingest('catalog', [{ id: 's4', name: 'Style s4', category: 'casual', price: 45900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [38, 40], releasedAt: Date.now() - DAY }]);
      await t.ingest('stock', [{ storeId: 'store-a', styleId: 's4', color: 'BLK', size: 40, qty: 1 }]);
      expect((await a2.command('chat.send', { memberId: 'm1', clientId: randomUUID(), kind: 'product', styleId: 's4' })).status).toBe('ok');

      // The purchases, as the programme sends them.
      const at = Date.now();
      const buys = [
        purchase('p-sug', 's1', at), // suggestion, Ann claimed the visit
        purchase('p-add', 'acc-socks', at, 'store-a', 5900), // the add-on
        purchase('p-nr', 's2', at), // marked not relevant: none
        purchase('p-card', 's4', at, 'store-a', 45900), // Bo's chat card
        purchase('p-old', 's-old', at), // shown 15 days ago: none
        purchase('p-b', 's1', at, 'store-b'), // another store: none
      ];
      expect(await t.ingest('members', [member(buys)])).toMatchObject({ imported: 1, errors: [] });
      expect(await t.ingest('members', [member(buys.slice(0, 2))])).toMatchObject({ imported: 1 }); // ingested twice: counted once
      const attributions = await t.hq.store.read(async (r) => Promise.all(buys.map(async (b) => [b.id, await r.assist.getAttribution(b.id)] as const)));
      expect(Object.fromEntries(attributions.map(([id, a]) => [id, a && { source: a.source, clerkId: a.clerkId, visitId: a.visitId, price: a.price }]))).toEqual({
        'p-sug': { source: 'suggestion', clerkId: 'ann', visitId: visit.id, price: 59900 },
        'p-add': { source: 'addon', clerkId: 'ann', visitId: visit.id, price: 5900 },
        'p-nr': null,
        'p-card': { source: 'chat_card', clerkId: 'bo', visitId: null, price: 45900 },
        'p-old': null,
        'p-b': null,
      });

      // The manager's review: the chain admin over store A, and under a clerk filter.
      const admin = { 'x-admin-key': await adminKey(t.hq.store) };
      const range = `from=${visit.arrivedAt - DAY}&to=${Date.now() + 1000}&store=store-a`;
      const report = async (extra = '') => {
        const res = await fetch(`${t.url}/v1/reports/kpis?${range}${extra}`, { headers: admin });
        expect(res.status).toBe(200);
        return ((await res.json()) as { assist: AssistKpis }).assist;
      };
      const shownStyles = new Set([...recorded.filter((s) => s.role === 'style').map((s) => s.styleId), 's1', 's2', 's-old']).size;
      const shownAddons = new Set([...recorded.filter((s) => s.role === 'addon').map((s) => s.styleId), 'acc-socks']).size;
      expect(await report()).toEqual({
        visitsWithSuggestions: 1,
        suggestionsShown: shownStyles,
        addOnsShown: shownAddons,
        marked: { used: 2, notRelevant: 1 },
        sales: { suggestion: { count: 1, revenue: 59900 }, addon: { count: 1, revenue: 5900 }, chat_card: { count: 1, revenue: 45900 } },
      });
      expect(await report('&clerk=bo')).toEqual({
        visitsWithSuggestions: 0,
        suggestionsShown: 0,
        addOnsShown: 0,
        marked: { used: 0, notRelevant: 0 },
        sales: { suggestion: { count: 0, revenue: 0 }, addon: { count: 0, revenue: 0 }, chat_card: { count: 1, revenue: 45900 } },
      });
      expect((await report('&clerk=ann')).sales.suggestion).toEqual({ count: 1, revenue: 59900 });
      const storeB = await fetch(`${t.url}/v1/reports/kpis?from=${visit.arrivedAt - DAY}&to=${Date.now() + 1000}&store=store-b`, { headers: admin });
      expect(((await storeB.json()) as { assist: AssistKpis }).assist).toMatchObject({ visitsWithSuggestions: 0, sales: { suggestion: { count: 0 } } });
    });

    if (adapter === 'sqlite') {
      it('the member’s consent choices: GET and PUT, auth and bad bodies, member.updated to the home store and a store with an open visit', async () => {
        const b1 = await deskAt('store-b', 'B1', 'xu');
        const a1 = await deskAt('store-a', 'A1', 'ann');
        const m1 = await MemberClient.viaIntegration(t.url, t.hq.integrationKey, 'store-a', 'm1');
        await t.arrival('store-b', 'm1'); // an open visit at store B
        await waitFor(() => evs(b1, 'arrival').length === 1);

        expect((await fetch(`${t.url}/v1/member/consents`)).status).toBe(401);
        expect((await fetch(`${t.url}/v1/member/consents`, { method: 'PUT', body: '{"personalization":false}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
        const bad = async (body: string) => (await fetch(`${t.url}/v1/member/consents`, { method: 'PUT', body, headers: { authorization: `Bearer ${m1.session.token}`, 'content-type': 'application/json' } })).status;
        expect(await bad('{not json')).toBe(400);
        expect(await bad('{}')).toBe(422);
        expect(await bad('{"personalization":"no"}')).toBe(422);
        expect(await bad('{"personalization":true,"phone":"1"}')).toBe(422);
        expect((await m1.http('/v1/member/consents', { method: 'DELETE' })).status).toBe(405);

        const get = async () => (await (await m1.http('/v1/member/consents')).json()) as { consents: Record<string, boolean> };
        expect(await get()).toEqual({ consents: { marketing: false, personalization: false, contact: false } });
        const put = await m1.http('/v1/member/consents', { method: 'PUT', body: { personalization: true, contact: true } });
        expect(put.status).toBe(200);
        expect(await put.json()).toEqual({ consents: { marketing: false, personalization: true, contact: true } });
        expect(await get()).toEqual({ consents: { marketing: false, personalization: true, contact: true } });
        const updated = (d: ProtocolDesk) => evs(d, 'member.updated').map((e) => (e.data as { profile: MemberProfile }).profile);
        await waitFor(() => updated(a1).length === 1 && updated(b1).length === 1);
        for (const p of [updated(a1)[0]!, updated(b1)[0]!]) expect(p.member).toMatchObject({ id: 'm1', consents: { personalization: true, contact: true, marketing: false } });

        // Opting out of personalisation: both stores told; the card is no longer personalised (once HQ builds `next`).
        expect((await m1.http('/v1/member/consents', { method: 'PUT', body: { personalization: false } })).status).toBe(200);
        await waitFor(() => updated(a1).length === 2 && updated(b1).length === 2);
        const optedOut = updated(b1)[1]!;
        expect(optedOut.member.consents).toEqual({ marketing: false, personalization: false, contact: true });
        expect(optedOut.next?.personalized ?? false).toBe(false);
        expect(optedOut.member.phoneMasked).not.toContain('00000001');

        // The same choices again change nothing and tell nobody.
        const head = (await t.position('store-a')).seq;
        expect((await m1.http('/v1/member/consents', { method: 'PUT', body: { personalization: false, contact: true } })).status).toBe(200);
        expect((await t.position('store-a')).seq).toBe(head);
        // Another member's consents are untouched.
        expect((await t.hq.store.read((r) => r.getMember('m2')))!.consents).toEqual({ marketing: false, personalization: false, contact: false });
      });
    }
  });
}
