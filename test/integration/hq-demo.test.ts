// The demo chain: fast, deterministic, idempotent, valid against the shared schemas, and the
// simulator really posts arrivals through the ingest endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import { Snapshot } from '../../shared/protocol.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { startSimulator } from '../../hq/demo/simulator.ts';
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
});
