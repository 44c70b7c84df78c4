// Clerks on the desk: the clerk list from HQ (with hashes), online sign-in, offline sign-in from
// the cached hash with a wrong-PIN lockout that survives a restart, commands recorded under the
// clerk, and the manager-only calls (DeskError 'not_allowed' for a clerk).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { DeskError } from '../../shared/deskApi.ts';
import { TestHq } from '../support/hq.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
let token: string;
let core: DeskCore;
const dbPath = () => join(t.dir, 'desk.db');
const open = () => DeskCore.open({ dbPath: dbPath(), hqUrls: [t.hq.url], token, reconnect: { minMs: 50, maxMs: 200 }, lockAfterMs: 60_000 });

beforeAll(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  const res = await t.ingestRaw('clerks', [
      { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'mia', storeId: 'store-a', name: 'Mia', role: 'manager', pin: '9999' },
      { id: 'xu', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
    ]);
  expect(res.status).toBe(200);
  token = (await t.enroll('store-a')).token;
  core = open();
  core.start();
  await waitFor(async () => (await core.getConnection()).status === 'online', 10_000, 'online');
  await waitFor(async () => (await core.listClerks()).length === 2, 5000, 'clerk list');
}, 30_000);

afterAll(async () => {
  await core?.close();
  await t?.dispose();
});

describe('desk clerks', () => {
  it('lists only its own store’s clerks, managers first', async () => {
    expect(await core.listClerks()).toEqual([
      { id: 'mia', name: 'Mia', role: 'manager' },
      { id: 'ann', name: 'Ann', role: 'clerk' },
    ]);
  });

  it('a clerk signs in online, acts under their name, and cannot open the manager view', async () => {
    const events: unknown[] = [];
    const off = core.on('clerk', (s) => events.push(s));
    const r = await core.signIn('ann', '1111');
    expect(r).toMatchObject({ ok: true, state: { clerk: { id: 'ann', role: 'clerk' }, locked: false, verifiedOnline: true, lockAfterMs: 60_000 } });
    expect(events).toHaveLength(1);
    off();
    const { body } = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    await waitFor(async () => (await core.getVisit(body.visitId)) !== null, 5000, 'arrival');
    await core.claimVisit(body.visitId);
    await waitFor(async () => (await t.hq.store.read((r) => r.getVisit(body.visitId)))?.claimedBy?.clerkName === 'Ann', 5000, 'claim by Ann at HQ');
    await expect(core.managerReport({ from: 0, to: Date.now() + 1000 })).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(core.managerTimeline(body.visitId)).rejects.toBeInstanceOf(DeskError);
    // Locked: actions no longer carry the clerk, and nobody is "active".
    expect((await core.lock()).locked).toBe(true);
    expect((await core.currentClerk()).clerk?.id).toBe('ann');
  });

  it('a manager gets the report from HQ online', async () => {
    expect((await core.signIn('mia', '9999')).ok).toBe(true);
    const report = await core.managerReport({ from: 0, to: Date.now() + 1000 });
    expect(report.source).toBe('hq');
    expect(report.kpis).toMatchObject({ arrivals: 1, served: 1 });
    expect(report.perClerk).toEqual([expect.objectContaining({ clerkId: 'ann', clerkName: 'Ann', served: 1 })]);
    const timeline = await core.managerTimeline(report.visits[0]!.visitId);
    expect(timeline!.entries.map((e) => e.kind)).toEqual(['arrival', 'claim']);
    expect(timeline!.entries[1]!.by).toBe('Ann');
  });

  it('offline: signs in from the cached hash, locks out after 5 wrong PINs, and the lockout survives a restart', async () => {
    await core.signOut();
    await core.stop();
    expect((await core.getConnection()).status).toBe('offline');
    const mia = await core.signIn('mia', '9999');
    expect(mia).toMatchObject({ ok: true, state: { clerk: { id: 'mia' }, verifiedOnline: false } });
    const report = await core.managerReport({ from: 0, to: Date.now() + 1000 });
    expect(report.source).toBe('cache');
    expect(report.cacheRange!.from).toBeGreaterThan(0);
    expect(report.kpis).toMatchObject({ arrivals: 1, served: 1 });

    expect(await core.signIn('xu', '3333')).toEqual({ ok: false, reason: 'unknown_clerk' }); // another store's clerk
    for (let i = 1; i <= 4; i++) expect(await core.signIn('ann', '0000')).toEqual({ ok: false, reason: 'wrong_pin', attemptsLeft: 5 - i });
    const fifth = await core.signIn('ann', '0000');
    expect(fifth).toMatchObject({ ok: false, reason: 'locked_out' });
    expect(await core.signIn('ann', '1111')).toMatchObject({ ok: false, reason: 'locked_out' }); // even the right PIN
    expect((await core.currentClerk()).clerk?.id).toBe('mia'); // failed attempts do not sign Mia out

    await core.close();
    core = open(); // restart, still offline
    expect((await core.currentClerk()).clerk).toBeNull(); // a restart signs out
    expect(await core.signIn('ann', '1111')).toMatchObject({ ok: false, reason: 'locked_out' });
    expect(await core.signIn('mia', '9999')).toMatchObject({ ok: true });
  });

  it('a clerk signed in offline is verified at HQ when the link returns: "signed in offline" goes, the manager gets HQ figures', async () => {
    await core.close();
    core = open(); // offline: not started
    expect(await core.signIn('mia', '9999')).toMatchObject({ ok: true, state: { verifiedOnline: false } });
    const states: boolean[] = [];
    core.on('clerk', (s) => states.push(s.verifiedOnline));
    core.start();
    await waitFor(async () => (await core.currentClerk()).verifiedOnline, 10_000, 'verified at HQ');
    expect(await core.currentClerk()).toMatchObject({ clerk: { id: 'mia' }, locked: false, verifiedOnline: true });
    expect(states).toContain(true);
    expect((await core.managerReport({ from: 0, to: Date.now() + 1000 })).source).toBe('hq');
  });
});

