// The member page across the chain: a member homed in Beijing walks into Shanghai and the Shanghai
// desk reads her history from HQ — visits at both stores (store, clerk, outcome, notes), purchases
// with colour names, member notes, consents — and never her full phone or any store's chat. Member
// notes are desk commands: idempotent by opId and by noteId, announced in the writing store's log
// and the member's home store's, queued offline and settled by the event; erasure removes them.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { MemberHistoryResponse } from '../../shared/memberHistory.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { DAY, type SeedSet, STORE_A, STORE_B } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

const PHONE = '13800004321';

function chain(now: number): SeedSet {
  return {
    stores: [
      { id: STORE_A, name: '上海南京路店', city: '上海' },
      { id: STORE_B, name: '北京三里屯店', city: '北京' },
    ],
    catalog: [
      { id: 'st-1', name: 'Cloud Runner', category: 'running', price: 69900, colors: [{ code: 'PNK', name: 'Blush Pink' }, { code: 'BLK', name: 'Night Black' }], sizes: [38, 39], releasedAt: now - 400 * DAY },
    ],
    stock: [{ storeId: STORE_A, styleId: 'st-1', color: 'PNK', size: 39, qty: 2 }],
    members: [
      {
        id: 'renee',
        code: 'B0000002',
        name: '周蕾',
        nameEn: 'Zhou Lei',
        tier: 'platinum',
        phone: PHONE,
        homeStoreId: STORE_B,
        sizes: { eu: 39, cn: 245 },
        points: 12000,
        birthday: '06-15',
        consents: { marketing: false, personalization: true, contact: true },
        purchases: [
          { id: 'p-b', styleId: 'st-1', styleName: 'Cloud Runner', category: 'running', color: 'BLK', size: 39, storeId: STORE_B, at: now - 30 * DAY, price: 69900 },
          { id: 'p-a', styleId: 'st-1', styleName: 'Cloud Runner', category: 'running', color: 'PNK', size: 38.5, storeId: STORE_A, at: now - 5 * DAY, price: 59900 },
        ],
      },
    ],
  } as SeedSet;
}

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ });
  await t.seed(chain(Date.now()));
});
afterEach(async () => {
  await t.dispose();
});

const online = async (desk: DeskCore) => (await desk.getConnection()).status === 'online';
const history = (token: string, id = 'renee') => fetch(`${t.url}/v1/desk/members/${encodeURIComponent(id)}/history`, { headers: { authorization: `Bearer ${token}` } });

/** A served visit at `storeId`, closed by `desk` with an outcome and a note. */
async function servedVisit(desk: DeskCore, storeId: string, note: string): Promise<string> {
  const { visitId } = await t.arrival(storeId, 'renee');
  await waitFor(async () => (await desk.getVisit(visitId)) !== null, 5000, 'arrival on the desk');
  await desk.claimVisit(visitId);
  await desk.closeVisit(visitId, 'tried', note);
  await waitFor(async () => (await desk.getVisit(visitId))?.status === 'closed' && desk.outbox().length === 0, 5000, 'closed at HQ');
  return visitId;
}

describe('a chain member’s history', () => {
  it('shows visits and purchases from two stores to a desk of either, with no full phone and no chat', async () => {
    const beijing = await t.desk(STORE_B, 'Beijing 1');
    const shanghai = await t.desk(STORE_A, 'Shanghai 1');
    beijing.desk.start();
    shanghai.desk.start();
    await waitFor(async () => (await online(beijing.desk)) && (await online(shanghai.desk)), 5000, 'desks online');

    const inBeijing = await servedVisit(beijing.desk, STORE_B, 'Wants a wider toe box');
    // Beijing chats with her (a conversation is between the member and one store).
    await beijing.desk.sendMessage('renee', { kind: 'text', text: 'chat-only-for-beijing' });
    await waitFor(async () => (await beijing.desk.getConversation('renee')).messages.some((m) => !m.pending), 5000, 'chat sent');
    const inShanghai = await servedVisit(shanghai.desk, STORE_A, 'Tried the pink pair');

    const res = await history(shanghai.token);
    expect(res.status).toBe(200);
    const text = await res.text();
    const h = MemberHistoryResponse.parse(JSON.parse(text)).history;
    expect(h.member).toMatchObject({ name: '周蕾', phoneMasked: '138****4321', points: 12000, birthday: '06-15', consents: { marketing: false, personalization: true, contact: true } });
    expect(h.visits.map((v) => [v.id, v.storeName, v.outcome, v.clerkName])).toEqual([
      [inShanghai, '上海南京路店', 'tried', 'Shanghai 1'],
      [inBeijing, '北京三里屯店', 'tried', 'Beijing 1'],
    ]);
    expect(h.visits[1]!.notes.map((n) => n.text)).toEqual(['Wants a wider toe box']);
    expect(h.purchases.map((p) => [p.id, p.colorName, p.size, p.storeName])).toEqual([
      ['p-a', 'Blush Pink', 38.5, '上海南京路店'],
      ['p-b', 'Night Black', 39, '北京三里屯店'],
    ]);
    expect(h.anniversary).toMatch(/^\d\d-\d\d$/);
    // What it never carries: the full phone, any store's chat.
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain('chat-only-for-beijing');

    // The route: a device token, a valid id, 404 for an unknown member (as for another chain's).
    expect((await fetch(`${t.url}/v1/desk/members/renee/history`)).status).toBe(401);
    expect((await history(shanghai.token, 'nobody')).status).toBe(404);
    expect((await fetch(`${t.url}/v1/desk/members/%E0%A4%A/history`, { headers: { authorization: `Bearer ${shanghai.token}` } })).status).toBe(400);

    // The desk's page: the same, cached; offline it is shown from the cache and says so.
    const page = await shanghai.desk.getMemberPage('renee');
    expect(page).toMatchObject({ fromCache: false, member: { name: '周蕾' } });
    expect(page?.visits.map((v) => v.storeName)).toEqual(['上海南京路店', '北京三里屯店']);
    await t.down();
    await waitFor(async () => !(await online(shanghai.desk)), 5000, 'desk offline');
    const cached = await shanghai.desk.getMemberPage('renee');
    expect(cached).toMatchObject({ fromCache: true, fetchedAt: page?.fetchedAt });
    expect(cached?.visits.map((v) => v.id)).toEqual([inShanghai, inBeijing]);
    expect(cached?.purchases.map((p) => p.colorName)).toEqual(['Blush Pink', 'Night Black']);
  });

  it('takes a member note once per opId and per noteId, announced to the writing store and the home store', async () => {
    const shanghai = await t.enroll(STORE_A, 'Shanghai raw');
    const other = await t.enroll(STORE_A, 'Shanghai raw 2');
    const raw = new ProtocolDesk({ urls: [t.url], token: shanghai.token });
    const raw2 = new ProtocolDesk({ urls: [t.url], token: other.token });
    await raw.start();
    await raw2.start();
    try {
      const noteId = randomUUID();
      const opId = randomUUID();
      const data = { memberId: 'renee', noteId, text: '  Buys for her son too (EU 35)  ' };
      const first = await raw.command('member.note', data, opId);
      expect(first).toMatchObject({ status: 'ok' });
      expect(first.seq).toBeGreaterThan(0);
      expect(await raw.command('member.note', data, opId)).toMatchObject({ status: 'duplicate', seq: first.seq });
      // The same note under another opId, from another counter: still one note, no new event.
      expect(await raw2.command('member.note', data)).toMatchObject({ status: 'ok', seq: null });
      // A note id that is another member's is refused; an unknown member is answered not_found.
      expect(await raw.command('member.note', { memberId: 'nobody', noteId: randomUUID(), text: 'x' })).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
      // Bad input is refused at the frame: an empty text never reaches a use case.
      const a = (await t.readLog(STORE_A)).filter((e) => e.type === 'member.noted');
      const b = (await t.readLog(STORE_B)).filter((e) => e.type === 'member.noted');
      expect(a).toHaveLength(1);
      expect(b).toHaveLength(1);
      for (const ev of [...a, ...b]) expect(ev.data).toMatchObject({ note: { id: noteId, memberId: 'renee', storeId: STORE_A, text: 'Buys for her son too (EU 35)' } });
      expect(a[0]!.data).toMatchObject({ opId });
      expect(b[0]!.data).toMatchObject({ opId: null });

      const h = MemberHistoryResponse.parse(await (await history(shanghai.token)).json()).history;
      expect(h.notes.map((n) => [n.id, n.text, n.by.deviceName])).toEqual([[noteId, 'Buys for her son too (EU 35)', 'Shanghai raw']]);
    } finally {
      await raw.close();
      await raw2.close();
    }
  });

  it('queues a note offline, shows it pending at once, settles it by the event; the home store’s desk hears of it', async () => {
    const shanghai = await t.desk(STORE_A, 'Shanghai 1');
    const beijing = await t.desk(STORE_B, 'Beijing 1');
    shanghai.desk.start();
    beijing.desk.start();
    await waitFor(async () => (await online(shanghai.desk)) && (await online(beijing.desk)), 5000, 'desks online');
    expect((await shanghai.desk.getMemberPage('renee'))?.notes).toEqual([]);

    await t.down();
    await waitFor(async () => !(await online(shanghai.desk)), 5000, 'desk offline');
    const { opId } = await shanghai.desk.addMemberNote('renee', 'Prefers the pink colourway');
    const pending = await shanghai.desk.getMemberPage('renee');
    expect(pending?.notes.map((n) => [n.text, n.sync])).toEqual([['Prefers the pink colourway', 'pending']]);
    expect(shanghai.desk.outbox().map((o) => [o.opId, o.type, o.visitId])).toEqual([[opId, 'member.note', 'mnote:renee']]);
    // Bad input harms nothing.
    await expect(shanghai.desk.addMemberNote('renee', '   ')).rejects.toMatchObject({ code: 'invalid_argument' });

    await t.up();
    await waitFor(async () => shanghai.desk.outbox().length === 0, 10_000, 'note settled');
    const settled = await shanghai.desk.getMemberPage('renee');
    expect(settled?.notes.map((n) => [n.text, n.sync, n.storeId])).toEqual([['Prefers the pink colourway', 'confirmed', STORE_A]]);
    // Beijing (her home store) got the event into its cache: offline it shows the note.
    await waitFor(async () => (await beijing.desk.getConnection()).position >= (await t.position(STORE_B)).seq && (await t.position(STORE_B)).seq > 0, 5000, 'home desk caught up');
    await t.down();
    await waitFor(async () => !(await online(beijing.desk)), 5000, 'home desk offline');
    expect((await beijing.desk.getMemberPage('renee'))?.notes.map((n) => n.text)).toEqual(['Prefers the pink colourway']);
  });

  it('erases member notes and cached histories with the member', async () => {
    const shanghai = await t.desk(STORE_A, 'Shanghai 1');
    shanghai.desk.start();
    await waitFor(() => online(shanghai.desk), 5000, 'desk online');
    expect((await shanghai.desk.getMemberPage('renee'))?.fetchedAt).not.toBeNull(); // found through HQ, then cached
    await shanghai.desk.addMemberNote('renee', 'Note to be erased');
    await waitFor(async () => shanghai.desk.outbox().length === 0, 5000, 'note settled');
    expect((await shanghai.desk.getMemberPage('renee'))?.notes).toHaveLength(1);

    const res = await fetch(`${t.url}/v1/ingest/members/renee`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    expect(await t.hq.store.read((r) => r.memberHistory.notesOf('renee', 10))).toEqual([]);
    expect((await history(shanghai.token)).status).toBe(404);
    // The desk dropped its copy on the member.deleted event: nothing of her is shown, online or not.
    await waitFor(async () => (await shanghai.desk.getMemberPage('renee')) === null, 5000, 'erased on the desk');
    // The note's text is gone from the store's log too (trimmed with the member's data).
    const log = await t.hq.store.read((r) => r.readEvents(STORE_A, 0, 10_000));
    expect(log.some((e) => e.type === 'member.deleted')).toBe(true);
    expect(log.map((e) => e.data).join('\n')).not.toContain('Note to be erased');
    await t.down();
    await waitFor(async () => !(await online(shanghai.desk)), 5000, 'desk offline');
    expect(await shanghai.desk.getMemberPage('renee')).toBeNull();
  });
});
