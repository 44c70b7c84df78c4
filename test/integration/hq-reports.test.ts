// Clerks and reports at HQ: clerk import, sign-in with lockout, commands recorded under the clerk, and the
// manager's reports — HQ's SQL agrees with shared/kpis.ts, and only managers (or the chain admin
// key) get them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportArgs } from '../../shared/kpis.ts';
import { adminKey } from '../../hq/app/clerks/service.ts';
import { TestHq } from '../support/hq.ts';
import { DAY_FROM, DAY_TO, kpiNotes, kpiRoster, kpiVisits } from '../support/kpiVisits.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

let t: TestHq;
/** The fixture's day at store A, with the seeded members' card codes. */
const KPI_VISITS = kpiVisits({ id: 'store-a', name: 'Store A', codes: { m1: 'M0001', m2: 'M0002' } });
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
        source: f.source,
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
    for (const n of kpiNotes(KPI_VISITS)) await s.insertNote(n);
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
      { id: 'clerk-C', storeId: 'store-a', name: 'Cy', role: 'clerk', pin: '5555' },
      { id: 'mgr-A', storeId: 'store-a', name: 'Mia', role: 'manager', pin: '9999' },
      { id: 'clerk-X', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
      { id: 'clerk-Z', storeId: 'store-a', name: 'Zed', role: 'clerk', pin: '4444', enabled: false },
    ],
  });
  expect(imported.status).toBe(200);
  expect(imported.json.saved).toBe(6);
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
    expect(clerks.map((c) => c.id).sort()).toEqual(['clerk-A', 'clerk-B', 'clerk-C', 'clerk-Z', 'mgr-A']);
    expect(clerks.find((c) => c.id === 'clerk-Z')!.enabled).toBe(false);
    expect(new Set(clerks.map((c) => c.pinHash.salt)).size).toBe(5); // a salt per clerk
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
    const filters: Partial<ReportArgs>[] = [
      {},
      { clerkId: 'clerk-A' },
      { clerkId: 'clerk-B' },
      { clerkId: 'clerk-C' },
      { tier: 'gold' },
      { outcome: 'open' },
      { outcome: 'purchased' },
      { served: true },
      { served: false },
      { tzOffsetMin: 0 },
      { from: DAY_FROM - 6 * 24 * 3600 * 1000 },
    ];
    for (const f of filters) {
      const args: ReportArgs = { from: DAY_FROM, to: DAY_TO, tzOffsetMin: 480, ...f };
      const qs = new URLSearchParams({ from: String(args.from), to: String(args.to), tz: String(args.tzOffsetMin) });
      if (f.clerkId) qs.set('clerk', f.clerkId);
      if (f.tier) qs.set('tier', f.tier);
      if (f.outcome) qs.set('outcome', f.outcome);
      if (f.served !== undefined) qs.set('served', String(f.served));
      const expected = buildReport(KPI_VISITS, args, 'hq', null, kpiRoster('store-a'));
      const kpis = await http(`/v1/reports/kpis?${qs}`, { headers });
      expect(kpis.status).toBe(200);
      expect({ kpis: kpis.json.kpis, perClerk: kpis.json.perClerk, byHour: kpis.json.byHour, byDay: kpis.json.byDay }, JSON.stringify(f)).toEqual({
        kpis: expected.kpis,
        perClerk: expected.perClerk,
        byHour: expected.byHour,
        byDay: expected.byDay,
      });
      const visits = await http(`/v1/reports/visits?${qs}`, { headers });
      expect(visits.json.visits, JSON.stringify(f)).toEqual(expected.visits);
    }
    // And the hand-worked figures of test/unit/kpis.test.ts:
    const all = await http(`/v1/reports/kpis?${range}`, { headers });
    expect(all.json.kpis).toEqual({ arrivals: 8, served: 6, servedRate: 0.75, purchased: 3, conversion: 0.5, claimMedianMs: 60_000, claimP90Ms: 300_000 });
  });

  it('lists every clerk of the store, zero served included; under a clerk filter, served is that clerk’s share of the arrivals', async () => {
    const mia = await signIn(deskA.token, 'mgr-A', '9999');
    const headers = device(deskA.token, mia.json.session as string);
    const all = await http(`/v1/reports/kpis?${range}`, { headers });
    expect((all.json.perClerk as { clerkName: string | null; served: number }[]).map((c) => [c.clerkName, c.served])).toEqual([
      ['Ann', 3],
      ['Bo', 2],
      [null, 1],
      ['Cy', 0],
    ]);
    const ann = await http(`/v1/reports/kpis?${range}&clerk=clerk-A`, { headers });
    expect(ann.json.kpis).toMatchObject({ arrivals: 8, served: 3, servedRate: 3 / 8, purchased: 2 });
    const cy = await http(`/v1/reports/kpis?${range}&clerk=clerk-C`, { headers });
    expect(cy.json.kpis).toMatchObject({ arrivals: 8, served: 0, servedRate: 0 });
    expect(cy.json.perClerk).toEqual([{ storeId: 'store-a', clerkId: 'clerk-C', clerkName: 'Cy', served: 0, purchased: 0, conversion: null, claimMedianMs: null }]);
    // The visit list under a clerk filter is the clerk's; `truncated` says whether that list was cut.
    const cut = await http(`/v1/reports/visits?${range}&clerk=clerk-A&limit=2`, { headers });
    expect(cut.json).toMatchObject({ truncated: true, visits: [{ visitId: 'v6' }, { visitId: 'v2' }] });
    expect((await http(`/v1/reports/visits?${range}&clerk=clerk-A&limit=3`, { headers })).json.truncated).toBe(false);
  });

  it('the CSV: the store’s wall clock with its zone named, words in the asked language, store, card code, source and notes', async () => {
    const mia = await signIn(deskA.token, 'mgr-A', '9999');
    const headers = device(deskA.token, mia.json.session as string);
    // The zone gives the offset too (no tz): Shanghai's +08:00.
    const zh = await http(`/v1/reports/visits.csv?from=${DAY_FROM}&to=${DAY_TO}&zone=Asia/Shanghai&lang=zh-CN`, { headers });
    expect(zh.status).toBe(200);
    const lines = zh.text.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(9); // header + 8 visits
    expect(lines[0]).toBe('门店,到店记录,到店时间（Asia/Shanghai）,会员卡号,会员,会员等级,来源,状态,已接待,认领时间（Asia/Shanghai）,认领用时（秒）,店员,柜台,结果,结束时间（Asia/Shanghai）,备注');
    expect(lines.at(-1)).toBe('Store A,v1,2025-01-06 10:00:00,M0001,王芳,会员,门禁,已结束,是,2025-01-06 10:00:30,30,Ann,Counter 1,已购买,2025-01-06 10:05:30,took the grey pair');
    expect(lines).toContain('Store A,v3,2025-01-06 10:40:00,M0002,李娜,金卡,小程序,已结束,是,2025-01-06 10:41:30,90,Bo,Counter 1,已购买,2025-01-06 10:46:30,');
    expect(lines).toContain('Store A,v5,2025-01-06 11:30:00,M0001,王芳,会员,门禁,已结束,是,2025-01-06 11:32:00,120,Bo,Counter 1,随便看看,2025-01-06 11:37:00,"wants 38.5, call when in | prefers white"');
    const en = await http(`/v1/reports/visits.csv?${range}`, { headers });
    expect(en.text.split('\r\n')[0]).toContain('Arrived (UTC+08:00)');
    expect(en.text).toContain('Store A,v4,2025-01-06 11:05:00,M0001,王芳,Member,Door,Waiting,No,');
    expect((await http(`/v1/reports/visits.csv?${range}&lang=fr`, { headers })).status).toBe(400);
    expect((await http(`/v1/reports/visits.csv?${range}&zone=Mars/Olympus`, { headers })).status).toBe(400);
  });

  it('the chain admin key sees every store, per store and in total, each row saying its store', async () => {
    const admin = { 'x-admin-key': await adminKey(t.hq.store) };
    const res = await http(`/v1/reports/kpis?${range}`, { headers: admin });
    expect(res.status).toBe(200);
    expect(res.json.stores).toEqual(['store-a', 'store-b']);
    expect((res.json.kpis as { arrivals: number }).arrivals).toBe(9);
    expect(res.json.perStore).toEqual([
      { storeId: 'store-a', storeName: 'Store A', kpis: expect.objectContaining({ arrivals: 8 }) },
      { storeId: 'store-b', storeName: 'Store B', kpis: expect.objectContaining({ arrivals: 1, served: 0 }) },
    ]);
    expect((res.json.perClerk as { storeId: string; clerkName: string | null }[]).map((c) => `${c.storeId}:${c.clerkName}`)).toEqual([
      'store-a:Ann',
      'store-a:Bo',
      'store-a:null',
      'store-a:Cy',
      'store-b:Xu',
    ]);
    const visits = await http(`/v1/reports/visits?${range}`, { headers: admin });
    expect((visits.json.visits as { storeId: string; storeName: string }[]).map((v) => `${v.storeId}:${v.storeName}`).sort()[8]).toBe('store-b:Store B');
    const csv = await http(`/v1/reports/visits.csv?${range}`, { headers: admin });
    expect(csv.text).toMatch(/\r\nStore B,[^,]+,2025-01-06 00:00:01,M0003,张伟,/);
  });
});
