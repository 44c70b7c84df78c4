// Holds at HQ over real desk sockets: the race for the last pair, expiry on two HQ nodes over one
// PostgreSQL, store isolation, a cross-store request while the asked store's desk is away, the
// stock read with held pairs, the member page's holds, and erasure.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHq } from '../../hq/server.ts';
import { type Hold, type HoldRequest, StyleStockResponse } from '../../shared/holds.ts';
import { type EvFrame } from '../../shared/protocol.ts';
import { type Position, TestHq } from '../support/hq.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { waitFor } from '../support/waitFor.ts';

const DAY = 24 * 60 * 60 * 1000;
let t: TestHq;
const desks: ProtocolDesk[] = [];

async function deskAt(storeId: string, name: string, resume?: Position): Promise<ProtocolDesk & { deviceId: string }> {
  const { token, deviceId } = await t.enroll(storeId, name);
  const d = new ProtocolDesk({ urls: [t.url], token, resume: resume ?? (await t.position(storeId)) });
  desks.push(d);
  await d.start();
  return Object.assign(d, { deviceId });
}

const place = (over: Record<string, unknown> = {}) => ({ holdId: randomUUID(), memberId: 'm1', styleId: 's1', color: 'BLK', size: 38, days: 3, ...over });
const eventsOf = (d: ProtocolDesk, type: EvFrame['type']) => d.events.filter((e) => e.type === type);

beforeEach(async () => {
  t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
});
afterEach(async () => {
  for (const d of desks.splice(0)) await d.close();
  await t.dispose();
});

describe('holds at HQ', () => {
  it('two counters holding the last pair at once: one wins, the other is refused out_of_stock', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const a2 = await deskAt('store-a', 'A2');
    // Two pairs of s1 BLK 38 at store A: one is held first, so one pair is left.
    expect((await a1.command('hold.place', place())).status).toBe('ok');
    const [x, y] = await Promise.all([a1.command('hold.place', place({ memberId: 'm1' })), a2.command('hold.place', place({ memberId: 'm2' }))]);
    expect([x.status, y.status].sort()).toEqual(['ok', 'rejected']);
    const lost = x.status === 'rejected' ? x : y;
    expect(lost.rejection).toMatchObject({ code: 'out_of_stock' });
    expect(lost.rejection!.message).toMatch(/already held/);
    const active = await t.hq.store.read((r) => r.holds.activeHolds('store-a'));
    expect(active).toHaveLength(2);
    // Both desks see exactly two holds placed; the refused one made no event.
    await waitFor(() => eventsOf(a2, 'hold.placed').length === 2);
    expect(eventsOf(a1, 'hold.placed')).toHaveLength(2);
    // Resending the winner's command (a lost ack) is a duplicate, not a third hold.
    const win = x.status === 'ok' ? x : y;
    const again = await (x.status === 'ok' ? a1 : a2).command('hold.place', place(), win.opId as ReturnType<typeof randomUUID>);
    expect(again.status).toBe('duplicate');
    // Releasing one frees a pair for the next counter.
    const first = (eventsOf(a1, 'hold.placed')[0]!.data as { hold: Hold }).hold;
    expect((await a2.command('hold.release', { holdId: first.id, reason: 'collected' })).status).toBe('ok');
    expect((await a2.command('hold.place', place({ memberId: 'm2' }))).status).toBe('ok');
  });

  it('a hold carries its style’s category and picture, so the desk can show the pair', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await t.hq.store.withTx((tx) => tx.styleImages.put({ styleId: 's1', color: '', id: 'a'.repeat(64), mime: 'image/png', bytes: png.length, data: png, updatedAt: Date.now() }));
    const a1 = await deskAt('store-a', 'A1');
    expect((await a1.command('hold.place', place())).status).toBe('ok');
    expect((await a1.command('hold.place', place({ styleId: 's2' }))).status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'hold.placed').length === 2);
    const [withPicture, without] = eventsOf(a1, 'hold.placed').map((e) => (e.data as { hold: Hold }).hold);
    expect(withPicture).toMatchObject({ styleId: 's1', image: { id: 'a'.repeat(64), mime: 'image/png' } });
    expect(withPicture!.category).toBeDefined();
    expect(without).toMatchObject({ styleId: 's2', image: null });
  });

  it('a hold’s (and a hold request’s) picture is its colour’s, else the style’s default', async () => {
    // s1 also comes in red here, with a pair of each colour at both stores.
    const pic = (byte: string) => Buffer.from(`89504e470d0a1a0a${byte}`, 'hex');
    const put = (color: string, byte: string) => ({ styleId: 's1', color, id: byte.repeat(64), mime: 'image/png' as const, bytes: 9, data: pic(byte), updatedAt: Date.now() });
    await t.hq.store.withTx(async (tx) => {
      const s1 = (await tx.listStyles()).find((s) => s.id === 's1')!;
      await tx.upsertStyle({ ...s1, colors: [...s1.colors, { code: 'RED', name: 'Red' }, { code: 'GRN', name: 'Green' }] });
      for (const storeId of ['store-a', 'store-b']) for (const color of ['RED', 'GRN']) await tx.setStock({ storeId, styleId: 's1', color, size: 38, qty: 2 });
      await tx.styleImages.put(put('', 'd'));
      await tx.styleImages.put(put('BLK', 'b'));
      await tx.styleImages.put(put('RED', 'e'));
    });
    const a1 = await deskAt('store-a', 'A1');
    for (const color of ['RED', 'BLK', 'GRN']) expect((await a1.command('hold.place', place({ color }))).status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'hold.placed').length === 3);
    const holds = eventsOf(a1, 'hold.placed').map((e) => (e.data as { hold: Hold }).hold);
    expect(holds.map((h) => [h.color, h.image?.id])).toEqual([
      ['RED', 'e'.repeat(64)],
      ['BLK', 'b'.repeat(64)],
      ['GRN', 'd'.repeat(64)], // no picture of its own: the style's default
    ]);
    expect((await a1.command('hold.request', { requestId: randomUUID(), toStoreId: 'store-b', memberId: 'm1', styleId: 's1', color: 'RED', size: 38, days: 2 })).status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'hold.requested').length === 1);
    expect((eventsOf(a1, 'hold.requested')[0]!.data as { request: HoldRequest }).request.image?.id).toBe('e'.repeat(64));
  });

  it('refuses a line not in stock, a colour the catalog does not have, and a member who does not exist', async () => {
    const a1 = await deskAt('store-a', 'A1');
    expect((await a1.command('hold.place', place({ size: 37 }))).rejection).toMatchObject({ code: 'out_of_stock' });
    expect((await a1.command('hold.place', place({ color: 'RED' }))).rejection).toMatchObject({ code: 'invalid' });
    expect((await a1.command('hold.place', place({ memberId: 'nobody' }))).rejection).toMatchObject({ code: 'not_found' });
    expect(await t.hq.store.read((r) => r.holds.activeHolds('store-a'))).toEqual([]);
  });

  it("store isolation: a desk cannot release another store's hold or answer a request addressed elsewhere", async () => {
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    const holdId = randomUUID();
    expect((await b1.command('hold.place', place({ holdId, memberId: 'm3' }))).status).toBe('ok');
    const release = await a1.command('hold.release', { holdId, reason: 'released' });
    expect(release).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
    // A's desk never saw B's hold, and the hold is still active.
    expect(eventsOf(a1, 'hold.placed')).toEqual([]);
    expect(await t.hq.store.read((r) => r.holds.getHold(holdId))).toMatchObject({ status: 'active' });
    // A asks B; only B may answer — A answering its own request is refused as unknown.
    const requestId = randomUUID();
    expect((await a1.command('hold.request', { requestId, toStoreId: 'store-b', memberId: 'm1', styleId: 's2', color: 'BLK', size: 38, days: 2 })).status).toBe('ok');
    expect(await a1.command('hold.answer', { requestId, accept: true })).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
    // A store cannot ask itself.
    expect((await a1.command('hold.request', { requestId: randomUUID(), toStoreId: 'store-a', memberId: 'm1', styleId: 's2', color: 'BLK', size: 38, days: 2 })).rejection).toMatchObject({
      code: 'invalid',
    });
  });

  it('a cross-store request waits in the asked store while its desk is away, and the answer reaches the asker', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    // B's desk goes away (its counter PC is off), remembering its position.
    await b1.close();
    const away: Position = { epoch: b1.epoch, seq: b1.seq };
    const requestId = randomUUID();
    const asked = await a1.command('hold.request', { requestId, toStoreId: 'store-b', memberId: 'm1', styleId: 's3', color: 'BLK', size: 38, days: 5 });
    expect(asked.status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'hold.requested').length === 1);
    const seenByA = (eventsOf(a1, 'hold.requested')[0]!.data as { request: HoldRequest; opId: string | null });
    expect(seenByA.opId).toBe(asked.opId);
    expect(seenByA.request).toMatchObject({ status: 'pending', fromStoreName: 'Store A', toStoreName: 'Store B', member: { id: 'm1', name: '王芳', tier: 'basic' } });

    // B's desk comes back and resumes: the request was waiting in B's log.
    const { token } = await t.enroll('store-b', 'B1 again');
    const back = new ProtocolDesk({ urls: [t.url], token, resume: away });
    desks.push(back);
    await back.start();
    await waitFor(() => eventsOf(back, 'hold.requested').length === 1);
    const toB = (eventsOf(back, 'hold.requested')[0]!.data as { request: HoldRequest; opId: string | null });
    expect(toB.opId).toBeNull();
    // Only what putting the pair aside needs: no phone, no purchases, no notes.
    expect(Object.keys(toB.request.member).sort()).toEqual(['id', 'name', 'tier']);
    expect(JSON.stringify(eventsOf(back, 'hold.requested')[0])).not.toMatch(/1380000/);

    const answer = await back.command('hold.answer', { requestId, accept: true });
    expect(answer.status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'hold.answered').length === 1);
    const answered = (eventsOf(a1, 'hold.answered')[0]!.data as { request: HoldRequest }).request;
    expect(answered).toMatchObject({ status: 'accepted', holdId: expect.any(String), until: expect.any(Number) });
    // The hold is at B, for A's member, for the requested days; A's log carries no hold of B's.
    const hold = await t.hq.store.read((r) => r.holds.getHold(answered.holdId!));
    expect(hold).toMatchObject({ storeId: 'store-b', member: { id: 'm1' }, requestId, status: 'active' });
    expect(hold!.until - hold!.placedAt).toBe(5 * DAY);
    expect(eventsOf(back, 'hold.placed')).toHaveLength(1);
    expect(eventsOf(a1, 'hold.placed')).toHaveLength(0);
    // The same answer again changes nothing; the opposite one is refused.
    expect((await back.command('hold.answer', { requestId, accept: true })).status).toBe('ok');
    expect((await back.command('hold.answer', { requestId, accept: false })).rejection).toMatchObject({ code: 'invalid' });
    // B's snapshot carries the hold and the request, A's the answered request.
    expect((await t.snapshot(token)).holds!.map((h) => h.id)).toEqual([hold!.id]);
  });

  it('a declined request is told to the asker; accepting a line that sold out meanwhile is refused and the request stays open', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    const r1 = randomUUID();
    const r2 = randomUUID();
    await a1.command('hold.request', { requestId: r1, toStoreId: 'store-b', memberId: 'm1', styleId: 's1', color: 'BLK', size: 38, days: 2 });
    await a1.command('hold.request', { requestId: r2, toStoreId: 'store-b', memberId: 'm2', styleId: 's1', color: 'BLK', size: 38, days: 2 });
    expect((await b1.command('hold.answer', { requestId: r1, accept: false })).status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'hold.answered').length === 1);
    expect((eventsOf(a1, 'hold.answered')[0]!.data as { request: HoldRequest }).request).toMatchObject({ id: r1, status: 'declined', holdId: null });
    // B's own counters take both pairs of the line before B answers r2.
    await b1.command('hold.place', place({ memberId: 'm3' }));
    await b1.command('hold.place', place({ memberId: 'm4' }));
    expect((await b1.command('hold.answer', { requestId: r2, accept: true })).rejection).toMatchObject({ code: 'out_of_stock' });
    expect(await t.hq.store.read((r) => r.holds.getRequest(r2))).toMatchObject({ status: 'pending' });
  });

  it('the stock read subtracts held pairs and carries no member data; the member page lists the member’s holds', async () => {
    const a1 = await deskAt('store-a', 'A1');
    await a1.command('hold.place', place({ memberId: 'm1', days: 4 }));
    const { token } = await t.enroll('store-b', 'B reader');
    const res = await fetch(`${t.url}/v1/desk/stock/s1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const stock = StyleStockResponse.parse(JSON.parse(text));
    expect(stock.stores.map((s) => [s.storeId, s.mine])).toEqual([
      ['store-b', true],
      ['store-a', false],
    ]);
    expect(stock.stores[1]!.lines).toEqual([{ color: 'BLK', size: 38, qty: 2, held: 1, available: 1 }]);
    expect(text).not.toMatch(/m1|王芳/);
    expect((await fetch(`${t.url}/v1/desk/stock/nope`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/desk/stock/s1`)).status).toBe(401);

    const member = (await (
      await fetch(`${t.url}/v1/integration/member-token`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey }, body: JSON.stringify({ memberId: 'm1', storeId: 'store-a' }) })
    ).json()) as { token: string };
    const holds = (await (await fetch(`${t.url}/v1/member/holds`, { headers: { authorization: `Bearer ${member.token}` } })).json()) as { holds: Array<Record<string, unknown>> };
    expect(holds.holds).toEqual([expect.objectContaining({ styleName: 'Style s1', colorName: 'Black', size: 38, storeName: 'Store A', city: 'Shanghai' })]);
  });

  it('erasing a member drops their holds and requests', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const holdId = randomUUID();
    await a1.command('hold.place', place({ holdId }));
    await a1.command('hold.request', { requestId: 'r-erase', toStoreId: 'store-b', memberId: 'm1', styleId: 's1', color: 'BLK', size: 38, days: 2 });
    const res = await fetch(`${t.url}/v1/ingest/members/m1`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    expect(await t.hq.store.read(async (r) => [await r.holds.getHold(holdId), await r.holds.getRequest('r-erase')])).toEqual([null, null]);
  });
});

describe('hold expiry', () => {
  it('releases a hold past its date once, with an expired event', async () => {
    const a1 = await deskAt('store-a', 'A1');
    await a1.command('hold.place', place({ days: 1 }));
    expect(await t.hq.sweepExpiredHolds(Date.now() + DAY / 2)).toBe(0);
    expect(await t.hq.sweepExpiredHolds(Date.now() + DAY + 1000)).toBe(1);
    expect(await t.hq.sweepExpiredHolds(Date.now() + DAY + 2000)).toBe(0);
    await waitFor(() => eventsOf(a1, 'hold.released').length === 1);
    expect((eventsOf(a1, 'hold.released')[0]!.data as { hold: Hold; by: unknown })).toMatchObject({ hold: { status: 'expired' }, by: null });
  });

  it('a day before a hold runs out, its clerk gets one "hold expiring" task; a collected hold gets none', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const kept = randomUUID();
    const collected = randomUUID();
    expect((await a1.command('hold.place', place({ holdId: kept, days: 2 }))).status).toBe('ok');
    expect((await a1.command('hold.place', place({ holdId: collected, memberId: 'm2', styleId: 's2', days: 2 }))).status).toBe('ok');
    expect((await a1.command('hold.release', { holdId: collected, reason: 'collected' })).status).toBe('ok');
    // Two days left: not yet.
    expect(await t.hq.remindExpiringHolds(Date.now())).toBe(0);
    // Within the last day: one task, however often the sweep runs.
    const soon = Date.now() + DAY + DAY / 2;
    expect(await t.hq.remindExpiringHolds(soon)).toBe(1);
    // Marked with its task: the next minutes' sweeps read nothing, rather than the hold again.
    expect(await t.hq.store.read((r) => r.holds.toRemind(soon, soon + DAY, 500))).toEqual([]);
    expect(await t.hq.remindExpiringHolds(soon + 60_000)).toBe(0);
    await waitFor(() => eventsOf(a1, 'task.created').length === 1);
    const { task } = eventsOf(a1, 'task.created')[0]!.data as { task: { id: string; kind: string; refId: string; memberId: string; dueAt: number; createdBy: unknown } };
    expect(task).toMatchObject({ kind: 'hold_expiring', refId: kept, memberId: 'm1', createdBy: null });
    expect(task.dueAt).toBe(soon);
    // Past its date the hold is released and no second task comes.
    expect(await t.hq.sweepExpiredHolds(Date.now() + 3 * DAY)).toBe(1);
    expect(await t.hq.remindExpiringHolds(Date.now() + 3 * DAY)).toBe(0);
  });

  it('a request nobody answers within a day lapses, told to both stores; an answer after that is refused and places nothing', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    const lapsing = randomUUID();
    const answered = randomUUID();
    const ask = (requestId: string) => a1.command('hold.request', { requestId, toStoreId: 'store-b', memberId: 'm1', styleId: 's2', color: 'BLK', size: 38, days: 2 });
    expect((await ask(lapsing)).status).toBe('ok');
    expect((await ask(answered)).status).toBe('ok');
    expect((await b1.command('hold.answer', { requestId: answered, accept: false })).status).toBe('ok');
    // Within the day: nothing lapses.
    expect(await t.hq.expireStaleRequests(Date.now() + DAY / 2)).toBe(0);
    // After it: the one still pending, once, whatever the number of sweeps.
    const later = Date.now() + DAY + 60_000;
    expect(await t.hq.expireStaleRequests(later)).toBe(1);
    expect(await t.hq.expireStaleRequests(later + 1000)).toBe(0);
    const lapsed = (d: ProtocolDesk) => eventsOf(d, 'hold.answered').map((e) => e.data as { request: HoldRequest; by: unknown }).filter((x) => x.request.id === lapsing);
    await waitFor(() => lapsed(a1).length === 1 && lapsed(b1).length === 1);
    expect(lapsed(a1)[0]).toMatchObject({ request: { status: 'expired', answeredBy: null }, by: null });
    expect(await t.hq.store.read((r) => r.holds.getRequest(answered))).toMatchObject({ status: 'declined' });
    // B's counter answers it late (queued offline, say): refused, and no hold is placed.
    const late = await b1.command('hold.answer', { requestId: lapsing, accept: true });
    expect(late).toMatchObject({ status: 'rejected', rejection: { code: 'invalid' } });
    expect(await t.hq.store.read((r) => r.holds.activeHolds('store-b'))).toEqual([]);
  });

  it('two HQ nodes sweeping one PostgreSQL database at once remind of and expire each hold once', async () => {
    const pgT = await TestHq.start({ adapter: 'postgres', seed: 'storesAB', unservedSweepMs: 0 });
    const [, pgUrl, , pgSchema] = pgT.adminArgs;
    const node2 = await startHq({ pgUrl, pgSchema, port: 0, log: () => {}, unservedSweepMs: 0 });
    const { token } = await pgT.enroll('store-a', 'A1');
    const d = new ProtocolDesk({ urls: [pgT.url], token, resume: await pgT.position('store-a') });
    try {
      await d.start();
      const ids: string[] = [];
      for (const [memberId, styleId] of [['m1', 's1'], ['m2', 's1'], ['m1', 's2'], ['m2', 's3']] as const) {
        const holdId = randomUUID();
        ids.push(holdId);
        expect((await d.command('hold.place', place({ holdId, memberId, styleId, days: 1 }))).status).toBe('ok');
      }
      // The day-before reminders, four sweeps at once on two nodes: one task per hold.
      const soon = Date.now() + DAY / 2;
      const reminded = await Promise.all([pgT.hq.remindExpiringHolds(soon), node2.remindExpiringHolds(soon), pgT.hq.remindExpiringHolds(soon), node2.remindExpiringHolds(soon)]);
      expect(reminded.reduce((a, b) => a + b, 0)).toBe(ids.length);
      // A request nobody answers lapses once, with four sweeps at once on two nodes.
      expect((await d.command('hold.request', { requestId: randomUUID(), toStoreId: 'store-b', memberId: 'm1', styleId: 's2', color: 'BLK', size: 38, days: 2 })).status).toBe('ok');
      const lapse = Date.now() + 2 * DAY;
      const lapsed = await Promise.all([pgT.hq.expireStaleRequests(lapse), node2.expireStaleRequests(lapse), pgT.hq.expireStaleRequests(lapse), node2.expireStaleRequests(lapse)]);
      expect(lapsed.reduce((a, b) => a + b, 0)).toBe(1);
      const later = Date.now() + 2 * DAY;
      const swept = await Promise.all([pgT.hq.sweepExpiredHolds(later), node2.sweepExpiredHolds(later), pgT.hq.sweepExpiredHolds(later), node2.sweepExpiredHolds(later)]);
      expect(swept.reduce((a, b) => a + b, 0)).toBe(ids.length);
      const released = (await pgT.readLog('store-a')).filter((e) => e.type === 'hold.released');
      expect(released.map((e) => (e.data as { hold: Hold }).hold.id).sort()).toEqual([...ids].sort());
      for (const id of ids) expect(await pgT.hq.store.read((r) => r.holds.getHold(id))).toMatchObject({ status: 'expired' });
    } finally {
      await d.close();
      await node2.close();
      await pgT.dispose();
    }
  });
});
