// The demo chain: fast, deterministic, idempotent, valid against the shared schemas, and the
// simulator really posts arrivals through the ingest endpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Snapshot } from '../../shared/protocol.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { startSimulator } from '../../hq/demo/simulator.ts';
import { type HqHandle, startHq } from '../../hq/server.ts';
import { enroll, TestDesk } from './hq-support.ts';

const handles: HqHandle[] = [];
const dirs: string[] = [];
async function fresh(): Promise<HqHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-demo-'));
  dirs.push(dir);
  const hq = await startHq({ dbPath: join(dir, 'hq.db'), log: () => undefined });
  handles.push(hq);
  return hq;
}
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('demo seed', () => {
  it('seeds the full chain in under 3 s, once', async () => {
    const hq = await fresh();
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
    const a = await fresh();
    const b = await fresh();
    await seedDemo(a, { members: 60, styles: 20, seed: 7 });
    await seedDemo(b, { members: 60, styles: 20, seed: 7 });
    const names = async (hq: HqHandle) => (await hq.store.read((r) => r.listHomeMembers('sz-mixc'))).map((m) => `${m.name}/${m.nameEn}/${m.sizes.eu}`);
    expect(await names(a)).toEqual(await names(b));
    const styleNames = async (hq: HqHandle) => (await hq.store.read((r) => r.listStyles())).map((s) => s.name);
    expect(await styleNames(a)).toEqual(await styleNames(b));

    const sim = await startSimulator(a, { everyMs: 20, storeIds: ['sh-nanjing'] });
    const { token } = await enroll(a, 'sh-nanjing');
    const desk = await TestDesk.connect(a, token);
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
