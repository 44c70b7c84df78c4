// Check-in at the counter on a real desk core against a real HQ (4/8 part A): made offline, it is
// queued and shown at once as pending (with the member when the cache knows them; "HQ will match
// 138…" for a phone), then settled by HQ's event on reconnect — the phone gone from the desk's
// file with its op; refused ones say why until dismissed, their phone cut to the hint; the same
// check-in resent after a restart stays one visit.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { type PendingCheckinView } from '../../shared/deskApi.ts';
import { FAST, FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun', unservedSweepMs: 0 });
});
afterEach(async () => {
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
const offline = async (d: DeskCore) => (await d.getConnection()).status === 'offline';

async function onlineDesk() {
  const d = await t.desk(STORE_A, 'Counter 1');
  d.desk.start();
  await waitFor(() => online(d.desk), 5000, 'online');
  return d;
}

describe('check-in at the counter on the desk', () => {
  it('offline: queued and shown at once as pending, settled by HQ on reconnect into a counter visit', async () => {
    const { desk } = await onlineDesk();
    const heard: PendingCheckinView[][] = [];
    desk.on('checkins', ({ checkins }) => heard.push(checkins));
    await t.down();
    await waitFor(() => offline(desk), 5000, 'offline');

    const before = Date.now();
    const byCode = await desk.checkIn({ memberCode: 'm0000003' }); // a card typed in lower case: m3, cached (home member)
    const byPhone = await desk.checkIn({ phone: '138 0000 1004' }); // m4, at home in Beijing: not in this cache
    const pending = await desk.listCheckins();
    expect(pending.map((c) => c.checkinId)).toEqual([byCode.checkinId, byPhone.checkinId]);
    expect(pending[0]).toMatchObject({ sync: 'pending', member: { id: 'm3', name: '会员3' }, memberCode: 'M0000003', phoneHint: null });
    expect(pending[1]).toMatchObject({ sync: 'pending', member: null, phoneHint: '138…' });
    expect(JSON.stringify(pending)).not.toContain('13800001004');
    expect(heard.at(-1)).toHaveLength(2);
    expect((await desk.getConnection()).queued).toBe(2);
    const madeBy = Date.now();
    await new Promise((r) => setTimeout(r, 300)); // HQ gets them this much later

    await t.up();
    await waitFor(async () => (await desk.listCheckins()).length === 0, 8000, 'check-ins settled');
    const visits = await desk.listArrivals({});
    const m3 = visits.find((v) => v.memberId === 'm3')!;
    const m4 = visits.find((v) => v.memberId === 'm4')!;
    expect(m3).toMatchObject({ source: 'counter', status: 'open' });
    expect(m4).toMatchObject({ source: 'counter', status: 'open', member: { id: 'm4', phoneMasked: expect.not.stringContaining('13800001004') } });
    // Dated when the clerk checked in (offline), not when HQ got it (one machine: the clock offset is ~0).
    expect(m3.arrivedAt).toBeGreaterThanOrEqual(before - 50);
    expect(m3.arrivedAt).toBeLessThanOrEqual(madeBy + 50);
    expect(heard.at(-1)).toEqual([]);
    expect(desk.outbox()).toEqual([]);
    await desk.close();
  });

  it('a phone check-in leaves no full number in the desk file once settled, nor once refused', async () => {
    const { desk, dbPath } = await onlineDesk();
    await t.down();
    await waitFor(() => offline(desk), 5000, 'offline');
    await desk.checkIn({ phone: '13800001006' }); // m6
    await desk.checkIn({ phone: '13999999999' }); // nobody
    await t.up();
    await waitFor(async () => {
      const list = await desk.listCheckins();
      return list.length === 1 && list[0]!.sync === 'rejected';
    }, 8000, 'one settled, one refused');
    const [refused] = await desk.listCheckins();
    expect(refused).toMatchObject({ sync: 'rejected', rejection: { code: 'member_not_found' }, phoneHint: '139…' });
    expect((await desk.listArrivals({})).some((v) => v.memberId === 'm6' && v.source === 'counter')).toBe(true);
    // The refused op keeps only the hint: neither number is in the rows any more.
    const db = new Database(dbPath, { readonly: true });
    const rows = JSON.stringify(db.prepare('SELECT * FROM outbox').all());
    db.close();
    expect(rows).not.toContain('13999999999');
    expect(rows).not.toContain('13800001006');
    await desk.dismissCheckin(refused!.checkinId);
    expect(await desk.listCheckins()).toEqual([]);
    await desk.close();
  });

  it('a check-in of a member already in (door arrival) bumps that visit and settles; a restart resends a check-in HQ never answered as one visit', async () => {
    const { desk, dbPath, token } = await onlineDesk();
    const door = await t.arrival(STORE_A, 'm5');
    await waitFor(async () => (await desk.getVisit(door.visitId)) !== null, 5000, 'door arrival cached');
    await desk.checkIn({ memberId: 'm5' });
    await waitFor(async () => (await desk.listCheckins()).length === 0, 5000, 'settled');
    const v = await desk.getVisit(door.visitId);
    expect(v).toMatchObject({ arrivals: 2, source: 'door', sync: 'confirmed' });

    // Offline, a check-in of m7; the desk closes before HQ answers, and opens again on the same file.
    await t.down();
    await waitFor(() => offline(desk), 5000, 'offline');
    const made = await desk.checkIn({ memberCode: 'M0000007' });
    await desk.close();
    await t.up();
    const again = DeskCore.open({ dbPath, hqUrls: [t.url], token, ...FAST });
    expect((await again.listCheckins()).map((c) => c.checkinId)).toEqual([made.checkinId]);
    again.start();
    await waitFor(async () => (await again.listCheckins()).length === 0, 8000, 'settled after restart');
    const hqVisits = await t.hq.store.read((r) => r.visitsSince(STORE_A, 0));
    expect(hqVisits.filter((x) => x.memberId === 'm7')).toHaveLength(1);
    await again.close();
  });

  it('refuses bad input before it is queued', async () => {
    const { desk } = await onlineDesk();
    await expect(desk.checkIn({ phone: '12' } as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(desk.checkIn({ phone: '1 2 3 4' })).rejects.toMatchObject({ code: 'invalid_argument' }); // 4 digits
    await expect(desk.checkIn({ phone: '1'.repeat(21) + '00' })).rejects.toMatchObject({ code: 'invalid_argument' }); // 23 digits: HQ would refuse the frame
    await expect(desk.checkIn({ memberCode: 'M1', phone: '13800001001' } as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(desk.checkIn({ memberId: 'nobody-cached' })).rejects.toMatchObject({ code: 'not_found' });
    expect(desk.outbox()).toEqual([]);
    await desk.close();
  });
});
