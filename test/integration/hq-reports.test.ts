// Clerks and reports at HQ: clerk import, sign-in with lockout, commands recorded under the clerk, and the
// manager's reports — HQ's SQL agrees with shared/kpis.ts, and only managers (or the chain admin
// key) get them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportArgs } from '../../shared/kpis.ts';
import { adminKey } from '../../hq/app/clerks/service.ts';
import { TestHq } from '../support/hq.ts';
import { DAY_FROM, DAY_TO, KPI_VISITS } from '../support/kpiVisits.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

let t: TestHq;
let deskA: { token: string; deviceId: string };
let deskB: { token: string; deviceId: string };

const http = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
  const res = await fetch(`${t.hq.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* CSV */
  }
  return { status: res.status, json: json as Record<string, unknown>, text };
};
const ingestKey = () => ({ 'x-integration-key': t.hq.integrationKey });
const device = (token: string, session?: string) => ({ authorization: `Bearer ${token}`, ...(session ? { 'x-clerk-session': session } : {}) });
const signIn = async (token: string, clerkId: string, pin: string) =>
  http('/v1/clerks/signin', { method: 'POST', headers: device(token), body: { clerkId, pin } });

/**
 * The day of test/support/kpiVisits.ts at store A, written to the store directly: the one seed of
 * this test that is not HTTP. They are visits in the past, claimed and closed at chosen times under
 * chosen clerks; no route takes that (arrivals may be back-dated, but claims and closes happen at
 * HQ's clock), and the figures are checked against exactly these times. Written through the store
 * port, so it holds on every adapter.
 */
async function insertKpiVisitsDirectly(): Promise<void> {
  await t.hq.store.withTx(async (s) => {
    for (const f of KPI_VISITS) {
      await s.insertVisit({
        id: f.visitId,
        storeId: 'store-a',
        memberId: f.memberId,
        source: 'door',
        status: f.status,
        arrivedAt: f.arrivedAt,
        lastSeenAt: f.arrivedAt,
        arrivals: 1,
        claimedBy: f.claimedAt === null ? null : { deviceId: 'd1', deviceName: f.deviceName!, ...(f.clerkId ? { clerkId: f.clerkId, clerkName: f.clerkName! } : {}) },
        claimedAt: f.claimedAt,
        closedAt: f.closedAt,
        outcome: f.outcome,
      });
    }
  });
}

beforeAll(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  const m2 = t.seeded!.members.find((m) => m.id === 'm2')!;
  await t.ingest('members', [{ ...m2, tier: 'gold' }]);
  await insertKpiVisitsDirectly();
  // A visit at the other store, in range: never in store A's figures.
  await t.ingest('arrivals', { storeId: 'store-b', memberId: 'm3', source: 'door', at: DAY_FROM + 1000 });
  deskA = await t.enroll('store-a');
  deskB = await t.enroll('store-b');
  const imported = await http('/v1/ingest/clerks', {
    method: 'POST',
    headers: ingestKey(),
    body: [
      { id: 'clerk-A', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'clerk-B', storeId: 'store-a', name: 'Bo', role: 'clerk', pin: '2222' },
      { id: 'mgr-A', storeId: 'store-a', name: 'Mia', role: 'manager', pin: '9999' },
      { id: 'clerk-X', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
      { id: 'clerk-Z', storeId: 'store-a', name: 'Zed', role: 'clerk', pin: '4444', enabled: false },
    ],
  });
  expect(imported.status).toBe(200);
  expect(imported.json.saved).toBe(5);
}, 30_000);

afterAll(async () => {
  await t?.dispose();
});

describe('clerks at HQ', () => {
  it('imports by CSV too, and never stores a PIN in clear', async () => {
    const csv = 'store_id,name,role,pin,id\nstore-b,Yan,manager,5555,mgr-B\nstore-b,Bad,clerk,12,\n';
    const res = await http('/v1/ingest/clerks.csv', { method: 'POST', headers: { ...ingestKey(), 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ saved: 1, errors: [{ line: 3 }] });
    const noKey = await http('/v1/ingest/clerks', { method: 'POST', body: [{ storeId: 'store-a', name: 'Q', pin: '1234' }] });
    expect(noKey.status).toBe(401);
    const stored = (await t.hq.store.read((r) => r.clerks.getClerk('mgr-B')))!;
    expect(stored.pinHash).toMatchObject({ alg: 'scrypt', N: 16384, r: 8, p: 1, keyLen: 32 });
    expect(JSON.stringify(stored)).not.toContain('5555');
  });

  it('gives a desk its own store’s clerks with hashes, and nobody else', async () => {
    const res = await http('/v1/clerks', { headers: device(deskA.token) });
    expect(res.status).toBe(200);
    const clerks = res.json.clerks as { id: string; enabled: boolean; pinHash: { salt: string } }[];
    expect(clerks.map((c) => c.id).sort()).toEqual(['clerk-A', 'clerk-B', 'clerk-Z', 'mgr-A']);
    expect(clerks.find((c) => c.id === 'clerk-Z')!.enabled).toBe(false);
    expect(new Set(clerks.map((c) => c.pinHash.salt)).size).toBe(4); // a salt per clerk
    expect((await http('/v1/clerks')).status).toBe(401);
  });

  it('signs in with the right PIN, refuses other stores’ and disabled clerks, and locks out after 5 wrong PINs', async () => {
    const ok = await signIn(deskA.token, 'clerk-A', '1111');
    expect(ok.status).toBe(200);
    expect(ok.json.clerk).toEqual({ id: 'clerk-A', name: 'Ann', role: 'clerk' });
    expect((await signIn(deskA.token, 'clerk-X', '3333')).status).toBe(404); // store B's clerk
    expect((await signIn(deskA.token, 'clerk-Z', '4444')).status).toBe(404); // disabled
    for (let i = 1; i <= 4; i++) {
      const wrong = await signIn(deskA.token, 'clerk-B', '0000');
      expect(wrong.status).toBe(401);
      expect(wrong.json.attemptsLeft).toBe(5 - i);
    }
    expect((await signIn(deskA.token, 'clerk-B', '0000')).status).toBe(423);
    const locked = await signIn(deskA.token, 'clerk-B', '2222'); // even the right PIN, until the lockout ends
    expect(locked.status).toBe(423);
    expect(locked.json.retryAt).toBeGreaterThan(Date.now());
  });
});

describe('commands record the clerk', () => {
  it('fills Actor.clerkId/clerkName, and rejects a clerk of another store', async () => {
    const desk = await RecordingDesk.connect(t.hq, deskA.token);
    const vc = (await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' })).body.visitId;
    desk.send({ t: 'cmd', opId: 'op-x', type: 'claim', data: { visitId: vc }, clerkId: 'clerk-X' });
    const rejected = await desk.waitFor((f) => f.t === 'cmdAck' && f.opId === 'op-x');
    expect(rejected).toMatchObject({ status: 'rejected', rejection: { code: 'invalid' } });
    desk.send({ t: 'cmd', opId: 'op-1', type: 'claim', data: { visitId: vc }, clerkId: 'clerk-A' });
    const ev = await desk.waitFor((f) => f.t === 'ev' && f.type === 'visit.claimed');
    expect(ev).toMatchObject({ data: { by: { deviceId: deskA.deviceId, clerkId: 'clerk-A', clerkName: 'Ann' }, visit: { claimedBy: { clerkId: 'clerk-A' } } } });
    desk.send({ t: 'cmd', opId: 'op-2', type: 'close', data: { visitId: vc, outcome: 'purchased', note: 'bought two pairs' }, clerkId: 'clerk-A' });
    const closed = await desk.waitFor((f) => f.t === 'ev' && f.type === 'visit.closed');
    expect(closed).toMatchObject({ data: { by: { clerkName: 'Ann' }, visit: { notes: [{ by: { clerkId: 'clerk-A' } }] } } });
    desk.close();
  });
});

describe('manager reports', () => {
  const range = `from=${DAY_FROM}&to=${DAY_TO}&tz=480`;

  it('refuses clerks (403), no session (401), another store (403)', async () => {
    const ann = await signIn(deskA.token, 'clerk-A', '1111');
    expect((await http(`/v1/reports/kpis?${range}`, { headers: device(deskA.token, ann.json.session as string) })).status).toBe(403);
    expect((await http(`/v1/reports/visits?${range}`, { headers: device(deskA.token, ann.json.session as string) })).status).toBe(403);
    expect((await http(`/v1/reports/kpis?${range}`, { headers: device(deskA.token) })).status).toBe(401);
    const mia = await signIn(deskA.token, 'mgr-A', '9999');
    expect((await http(`/v1/reports/kpis?${range}&store=store-b`, { headers: device(deskA.token, mia.json.session as string) })).status).toBe(403);
    // A session is bound to the device it was made at.
    expect((await http(`/v1/reports/kpis?${range}`, { headers: device(deskB.token, mia.json.session as string) })).status).toBe(401);
    expect((await http(`/v1/reports/kpis?${range}`, { headers: { 'x-admin-key': 'nope' } })).status).toBe(401);
  });

  it('HQ’s SQL agrees with shared/kpis.ts, under every filter', async () => {
    const mia = await signIn(deskA.token, 'mgr-A', '9999');
    const headers = device(deskA.token, mia.json.session as string);
    const filters: Partial<ReportArgs>[] = [{}, { clerkId: 'clerk-A' }, { clerkId: 'clerk-B' }, { tier: 'gold' }, { outcome: 'open' }, { outcome: 'purchased' }, { served: true }, { served: false }, { tzOffsetMin: 0 }];
    for (const f of filters) {
      const qs = new URLSearchParams({ from: String(DAY_FROM), to: String(DAY_TO), tz: String(f.tzOffsetMin ?? 480) });
      if (f.clerkId) qs.set('clerk', f.clerkId);
      if (f.tier) qs.set('tier', f.tier);
      if (f.outcome) qs.set('outcome', f.outcome);
      if (f.served !== undefined) qs.set('served', String(f.served));
      const expected = buildReport(KPI_VISITS, { from: DAY_FROM, to: DAY_TO, tzOffsetMin: 480, ...f }, 'hq', null);
      const kpis = await http(`/v1/reports/kpis?${qs}`, { headers });
      expect(kpis.status).toBe(200);
      expect({ kpis: kpis.json.kpis, perClerk: kpis.json.perClerk, byHour: kpis.json.byHour }, JSON.stringify(f)).toEqual({
        kpis: expected.kpis,
        perClerk: expected.perClerk,
        byHour: expected.byHour,
      });
      const visits = await http(`/v1/reports/visits?${qs}`, { headers });
      expect(visits.json.visits, JSON.stringify(f)).toEqual(expected.visits);
    }
    // And the hand-worked figures of test/unit/kpis.test.ts:
    const all = await http(`/v1/reports/kpis?${range}`, { headers });
    expect(all.json.kpis).toEqual({ arrivals: 8, served: 6, servedRate: 0.75, purchased: 3, conversion: 0.5, claimMedianMs: 60_000, claimP90Ms: 300_000 });
    const csv = await http(`/v1/reports/visits.csv?${range}`, { headers });
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(9); // header + 8 visits
  });

  it('the chain admin key sees every store, per store and in total', async () => {
    const res = await http(`/v1/reports/kpis?${range}`, { headers: { 'x-admin-key': await adminKey(t.hq.store) } });
    expect(res.status).toBe(200);
    expect(res.json.stores).toEqual(['store-a', 'store-b']);
    expect((res.json.kpis as { arrivals: number }).arrivals).toBe(9);
    expect(res.json.perStore).toEqual([
      { storeId: 'store-a', storeName: 'Store A', kpis: expect.objectContaining({ arrivals: 8 }) },
      { storeId: 'store-b', storeName: 'Store B', kpis: expect.objectContaining({ arrivals: 1, served: 0 }) },
    ]);
  });
});
