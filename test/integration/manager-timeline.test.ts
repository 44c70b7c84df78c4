// A visit's timeline in the manager view carries the chat during the visit (arrival to close) —
// the member's messages and photos and the clerks' answers, each saying who sent it — online from
// HQ's GET /v1/reports/timeline (built in SQL) and offline from the desk cache, in the same order.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { adminKey } from '../../hq/app/clerks/service.ts';
import { type VisitTimeline } from '../../shared/kpis.ts';
import { TestHq } from '../support/hq.ts';
import { waitFor } from '../support/waitFor.ts';
import { MemberClient } from '../support/memberClient.ts';

let t: TestHq;
/** The smallest bytes HQ takes as a PNG (it checks the magic number). */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
let core: DeskCore;
const tick = () => new Promise((r) => setTimeout(r, 5));

beforeAll(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  const res = await t.ingestRaw('clerks', [
      { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'mia', storeId: 'store-a', name: 'Mia', role: 'manager', pin: '9999' },
    ]);
  expect(res.status).toBe(200);
  const { token } = await t.enroll('store-a');
  core = DeskCore.open({ dbPath: join(t.dir, 'desk.db'), hqUrls: [t.hq.url], token, reconnect: { minMs: 50, maxMs: 200 }, lockAfterMs: 60_000 });
  core.start();
  await waitFor(async () => (await core.getConnection()).status === 'online', 10_000, 'online');
  await waitFor(async () => (await core.listClerks()).length === 2, 5000, 'clerk list');
}, 30_000);

afterAll(async () => {
  await core?.close();
  await t?.dispose();
});

describe('manager timeline', () => {
  it('shows the chat between claim and close with its senders and the member’s photo, online (HQ) and offline (cache)', async () => {
    const member = await MemberClient.viaIntegration(t.hq.url, t.hq.integrationKey, 'store-a', 'm1');
    const say = async (text: string, clientId: string) => {
      const r = await member.http('/v1/member/messages', { body: { clientId, kind: 'text', text } });
      expect(r.status).toBe(201);
      await tick();
    };
    await say('before the visit', 'tl-msg-0');
    const { body } = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    await tick();
    expect((await core.signIn('ann', '1111')).ok).toBe(true);
    await waitFor(async () => (await core.getVisit(body.visitId)) !== null, 5000, 'arrival');
    await core.claimVisit(body.visitId);
    await waitFor(async () => (await t.hq.store.read((r) => r.getVisit(body.visitId)))?.claimedAt != null, 5000, 'claim at HQ');
    await tick();
    await say('do you have size 38?', 'tl-msg-1');
    await say('in black, please', 'tl-msg-2');
    const up = await member.http('/v1/member/images', { raw: PNG, type: 'image/png' });
    expect(up.status).toBe(201);
    const { image } = (await up.json()) as { image: { id: string; mime: string; bytes: number } };
    expect((await member.http('/v1/member/messages', { body: { clientId: 'tl-msg-photo', kind: 'image', imageId: image.id } })).status).toBe(201);
    await tick();
    await core.sendMessage('m1', { kind: 'text', text: 'here they are' });
    await waitFor(async () => (await core.getConnection()).queued === 0, 5000, 'reply sent');
    await tick();
    await core.closeVisit(body.visitId, 'purchased');
    await waitFor(async () => (await t.hq.store.read((r) => r.getVisit(body.visitId)))?.closedAt != null, 5000, 'close at HQ');
    await tick();
    await say('thanks, after the visit', 'tl-msg-3');
    await waitFor(async () => (await core.getConversation('m1', { limit: 100 })).messages.length === 6, 5000, 'messages cached');

    const expected = [
      { kind: 'arrival', text: null, from: null, image: null },
      { kind: 'claim', by: 'Ann', from: null },
      { kind: 'message', text: 'do you have size 38?', by: '王芳', from: 'member', image: null },
      { kind: 'message', text: 'in black, please', from: 'member' },
      { kind: 'message', text: null, by: '王芳', from: 'member', image },
      { kind: 'message', text: 'here they are', by: 'Ann', from: 'clerk', image: null },
      { kind: 'close', by: 'Ann', outcome: 'purchased', from: null },
    ];
    expect((await core.signIn('mia', '9999')).ok).toBe(true);
    const online = await core.managerTimeline(body.visitId);
    expect(online!.entries).toMatchObject(expected);
    expect(online!.visit).toMatchObject({ visitId: body.visitId, storeId: 'store-a', memberCode: 'M0001', source: 'door', outcome: 'purchased', clerkName: 'Ann' });

    // HQ's route itself (chain admin key): the same entries, built in SQL.
    const direct = await fetch(`${t.hq.url}/v1/reports/timeline?visit=${body.visitId}`, { headers: { 'x-admin-key': await adminKey(t.hq.store) } });
    expect(direct.status).toBe(200);
    expect(((await direct.json()) as VisitTimeline).entries).toEqual(online!.entries);
    expect((await fetch(`${t.hq.url}/v1/reports/timeline?visit=nope`, { headers: { 'x-admin-key': await adminKey(t.hq.store) } })).status).toBe(404);

    await core.stop();
    const offline = await core.managerTimeline(body.visitId);
    expect(offline!.entries).toMatchObject(expected);
    expect(offline!.entries).toEqual(online!.entries);
    expect(offline!.visit).toEqual(online!.visit);
  });
});
