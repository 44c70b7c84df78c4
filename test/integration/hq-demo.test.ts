// The demo chain: fast, deterministic, idempotent, valid against the shared schemas, and the
// simulator really posts arrivals through the ingest endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import { Snapshot } from '../../shared/protocol.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { startSimulator } from '../../hq/demo/simulator.ts';
import { startChatSimulator } from '../../hq/demo/chatSimulator.ts';
import { MemberClient } from '../support/memberClient.ts';
import { waitFor } from '../support/waitFor.ts';
import { type HqHandle } from '../../hq/server.ts';
import { type StoreAdapter, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

// Each an empty HQ: the demo seed is what is under test.
const hqs: TestHq[] = [];
async function fresh(adapter?: StoreAdapter): Promise<TestHq> {
  const t = await TestHq.start({ adapter });
  hqs.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(hqs.splice(0).map((t) => t.dispose()));
});

describe('demo seed', () => {
  it('seeds the full chain in under 3 s, once', async () => {
    // SQLite: the 3 s budget is the embedded demo's (`npm run hq -- --demo`). On PostgreSQL the
    // seed's row-at-a-time writes, one round trip each, take several times as long.
    const { hq } = await fresh('sqlite');
    const started = performance.now();
    const first = await seedDemo(hq);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(first).toMatchObject({ seeded: true, members: 2000, styles: 150 });
    expect((await hq.store.read((r) => r.listStores())).map((s) => s.id).sort()).toEqual(['bj-sanlitun', 'sh-nanjing', 'sz-mixc']);
    expect(await hq.store.read((r) => r.countMembers())).toBe(2000);
    expect((await seedDemo(hq)).seeded).toBe(false);
    expect(await hq.store.read((r) => r.countMembers())).toBe(2000);
    const styles = await hq.store.read((r) => r.listStyles());
    expect(styles.some((s) => Date.now() - s.releasedAt < 7 * 24 * 60 * 60 * 1000)).toBe(true);
    const m = (await hq.store.read((r) => r.listHomeMembers('sh-nanjing')))[0]!;
    expect(m.phone).toMatch(/^1\d{10}$/);
    expect(m.sizes.cn).toBe(Math.round((m.sizes.eu + 10) * 5));
  });

  it('is deterministic for a seed, and its snapshot passes the shared schema', async () => {
    const ta = await fresh();
    const { hq: a } = ta;
    const { hq: b } = await fresh();
    await seedDemo(a, { members: 60, styles: 20, seed: 7 });
    await seedDemo(b, { members: 60, styles: 20, seed: 7 });
    const names = async (hq: HqHandle) => (await hq.store.read((r) => r.listHomeMembers('sz-mixc'))).map((m) => `${m.name}/${m.nameEn}/${m.sizes.eu}`);
    expect(await names(a)).toEqual(await names(b));
    const styleNames = async (hq: HqHandle) => (await hq.store.read((r) => r.listStyles())).map((s) => s.name);
    expect(await styleNames(a)).toEqual(await styleNames(b));

    const sim = await startSimulator(a, { everyMs: 20, storeIds: ['sh-nanjing'] });
    const { token } = await ta.enroll('sh-nanjing');
    const desk = await RecordingDesk.connect(a, token);
    const ev = await desk.waitFor((f) => f.t === 'ev' && f.type === 'arrival');
    sim.stop();
    expect(ev.t === 'ev' && ev.type === 'arrival' && ev.data.visit.storeId).toBe('sh-nanjing');
    const snap = await (await fetch(`${a.url}/v1/snapshot`, { headers: { authorization: `Bearer ${token}` } })).json();
    const parsed = Snapshot.safeParse(snap);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
    expect(parsed.data!.profiles.length).toBeGreaterThan(0);
    desk.close();
  });

  it('tells a true story: no purchase is dated before its style came out, or before the member joined', async () => {
    const { hq } = await fresh('sqlite');
    await seedDemo(hq, { members: 400, styles: 60, seed: 3 });
    const { styles, members } = await hq.store.read(async (r) => ({
      styles: new Map((await r.listStyles()).map((st) => [st.id, st])),
      members: (await r.listStores()).length ? await Promise.all(['sh-nanjing', 'bj-sanlitun', 'sz-mixc'].map((id) => r.listHomeMembers(id))) : [],
    }));
    let purchases = 0;
    const now = Date.now();
    for (const m of members.flat()) {
      for (const p of await hq.store.read((r) => r.purchasesOf(m.id, 50))) {
        purchases++;
        expect(p.at, `${p.id} of ${p.styleId}`).toBeGreaterThanOrEqual(styles.get(p.styleId)!.releasedAt);
        expect(p.at).toBeGreaterThanOrEqual(m.joinedAt);
        expect(p.at).toBeLessThanOrEqual(now);
      }
    }
    expect(purchases).toBeGreaterThan(400);
  });
});

describe('demo accessories and add-ons (7/8)', () => {
  it('seeds accessories with stock at every store; the simulator’s members take add-ons offered, bought through the member ingest', async () => {
    const t = await fresh('sqlite');
    await seedDemo(t.hq, { members: 120, styles: 30, seed: 7 });
    const styles = await t.hq.store.read((r) => r.listStyles());
    const accessories = styles.filter((s) => s.kind && s.kind !== 'shoe');
    expect(accessories.map((a) => a.kind).sort()).toEqual(['care', 'insoles', 'socks', 'socks', 'socks', 'socks']);
    for (const storeId of ['sh-nanjing', 'bj-sanlitun', 'sz-mixc']) {
      const stock = await t.hq.store.read((r) => r.stockForStore(storeId));
      for (const a of accessories) expect(stock.some((l) => l.styleId === a.id && l.qty > 0), `${a.id} at ${storeId}`).toBe(true);
    }
    const before = await t.hq.store.read((r) => r.listHomeMembers('sh-nanjing'));
    // Every draw says yes: each add-on offered is bought, as a purchase of the member at that store.
    const sim = await startSimulator(t.hq, { everyMs: 10, storeIds: ['sh-nanjing'], chatEveryMs: 0, takeDraw: () => 0 });
    try {
      await waitFor(() => sim.addOns().taken >= 2, 20_000, 'two add-ons taken');
    } finally {
      sim.stop();
    }
    const counts = sim.addOns();
    expect(counts.taken).toBeLessThanOrEqual(counts.offered);
    let bought = 0;
    for (const m of before) {
      for (const p of await t.hq.store.read((r) => r.purchasesOf(m.id, 100))) {
        if (!p.id.startsWith('sim-')) continue;
        bought++;
        expect(accessories.map((a) => a.id)).toContain(p.styleId);
        expect(p.storeId).toBe('sh-nanjing');
      }
    }
    expect(bought).toBeGreaterThanOrEqual(2);
    // The purchase came with the member record as HQ had it: nobody's preferences, points, consents or birthday were reset.
    const after = new Map((await t.hq.store.read((r) => r.listHomeMembers('sh-nanjing'))).map((m) => [m.id, m]));
    for (const m of before) expect(after.get(m.id)).toMatchObject({ preferences: m.preferences, points: m.points, consents: m.consents, birthday: m.birthday, sizes: m.sizes });
  });
});

describe('demo chat simulator', () => {
  it('never reads or answers for a member whom a person is playing on the member page', async () => {
    const t = await fresh();
    // One store whose only home member is on the member page: any opener or reply would be theirs.
    await t.seed({
      stores: [{ id: 'solo', name: 'Solo Store', city: '上海' }],
      catalog: [{ id: 'st-1', name: 'Runner', category: 'running', price: 59900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40], releasedAt: Date.now() - 86_400_000 }],
      stock: [{ storeId: 'solo', styleId: 'st-1', color: 'BLK', size: 40, qty: 1 }],
      members: [
        { id: 'played', code: 'P0000001', name: '真人', nameEn: 'Real Person', tier: 'gold', phone: '13900001234', homeStoreId: 'solo', sizes: { eu: 40, cn: 250 } },
        { id: 'simulated', code: 'P0000002', name: '模拟', nameEn: 'Simulated', tier: 'basic', phone: '13900005678', homeStoreId: 'solo', sizes: { eu: 40, cn: 250 } },
      ],
    });
    const person = await MemberClient.login(t.url, 'solo', 'P0000001', '1234');
    await person.connect();
    await waitFor(async () => (await t.hq.onlineMembers('solo')).includes('played'), 5000, 'member page online');
    // The clerk writes to both; the simulator answers only the one nobody is playing.
    const { desk } = await t.desk('solo', 'Counter 1');
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'desk online');
    for (const memberId of ['played', 'simulated']) await desk.sendMessage(memberId, { kind: 'text', text: 'Hello from the store' });
    await waitFor(async () => (await t.hq.store.read((r) => r.chat.messages('solo', 'simulated', null, 10))).length === 1, 5000, 'clerk messages at HQ');
    const sim = await startChatSimulator(t.hq, { everyMs: 20, storeIds: ['solo'] });
    try {
      await waitFor(async () => (await t.hq.store.read((r) => r.chat.getConversation('solo', 'simulated')))!.receipts.memberRead > 0, 5000, 'the simulated member reads');
      await new Promise((r) => setTimeout(r, 800)); // dozens of ticks
    } finally {
      sim.stop();
    }
    const played = await t.hq.store.read(async (r) => ({ conversation: await r.chat.getConversation('solo', 'played'), messages: await r.chat.messages('solo', 'played', null, 100) }));
    expect(played.messages.filter((m) => m.from === 'member')).toEqual([]);
    expect(played.conversation!.receipts.memberRead).toBe(0);
    const simulated = await t.hq.store.read((r) => r.chat.messages('solo', 'simulated', null, 100));
    expect(simulated.filter((m) => m.from === 'member').length).toBeGreaterThan(0);
    person.close();
  });
});

