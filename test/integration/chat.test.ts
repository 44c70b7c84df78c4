// Chat end to end against a real HQ, real desk cores on temp files and a real member
// client (HTTP + WebSocket): order, idempotent resends, receipts both ways, recall with an
// injectable clock, the offline queue across a desk restart, and scoping of member tokens.
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { DeskCore as Desk } from '../../electron/desk/deskCore.ts';
import { type CmdAckFrame } from '../../shared/protocol.ts';
import { FAST, FAST_HQ, type StoreAdapter, TestHq } from '../support/hq.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';
import { MemberClient } from '../support/memberClient.ts';

let t: TestHq;
let clock = Date.now();
const members: MemberClient[] = [];

/** HQ with the test's clock; `adapter` pins one for a test that depends on it. */
const startHq = (adapter?: StoreAdapter) => TestHq.start({ ...FAST_HQ, now: () => clock, seed: 'nanjingSanlitun', adapter });

beforeEach(async () => {
  clock = Date.now();
  t = await startHq();
});
afterEach(async () => {
  for (const m of members.splice(0)) m.close();
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
// Seeded member m1: home store A, card M0000001, phone 13800001001. m2: home store B.
const loginM1 = async () => {
  const m = await MemberClient.login(t.url, STORE_A, 'M0000001', '1001');
  members.push(m);
  return m;
};
const texts = async (d: DeskCore, memberId = 'm1') => (await d.getConversation(memberId, { limit: 100 })).messages.map((m) => m.body);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

async function twoDesks() {
  const a1 = await t.desk(STORE_A, 'Counter 1');
  const a2 = await t.desk(STORE_A, 'Counter 2');
  a1.desk.start();
  a2.desk.start();
  await waitFor(async () => (await online(a1.desk)) && (await online(a2.desk)), 5000, 'desks online');
  return { a1, a2 };
}

describe('chat', () => {
  it('keeps one server order for a member and two desks, and names the desk that answered', async () => {
    const { a1, a2 } = await twoDesks();
    const member = await loginM1();
    const welcome = await member.connect();
    expect(welcome).toMatchObject({ memberId: 'm1', storeId: STORE_A, storeOnline: true, lastN: 0 });

    member.send({ t: 'send', message: { clientId: 'member-0001', kind: 'text', text: '你好，有42码吗？' } });
    await waitFor(async () => (await texts(a1.desk)).length === 1 && (await texts(a2.desk)).length === 1, 5000, 'member message on both desks');
    await a1.desk.sendMessage('m1', { kind: 'text', text: '有的，黑色还有3双' });
    await a2.desk.sendMessage('m1', { kind: 'product', styleId: 'st-run' });
    member.send({ t: 'send', message: { clientId: 'member-0002', kind: 'text', text: '太好了' } });
    await waitFor(async () => (await a1.desk.getConversation('m1')).messages.filter((m) => !m.pending).length === 4, 5000, 'four messages');
    await waitFor(async () => (await a2.desk.getConversation('m1')).messages.filter((m) => !m.pending).length === 4, 5000, 'four on desk 2');

    const hq = await member.history();
    expect(hq.messages.map((m) => m.n)).toEqual([1, 2, 3, 4]);
    const page1 = (await a1.desk.getConversation('m1')).messages;
    const page2 = (await a2.desk.getConversation('m1')).messages;
    expect(page1.map((m) => m.id)).toEqual(hq.messages.map((m) => m.id));
    expect(page2.map((m) => m.id)).toEqual(hq.messages.map((m) => m.id));
    // Clerk messages name their desk; the product card carries price and this store's stock.
    const clerk = hq.messages.filter((m) => m.from === 'clerk');
    expect(clerk.map((m) => m.by?.deviceName).sort()).toEqual(['Counter 1', 'Counter 2']);
    expect(clerk.find((m) => m.kind === 'product')!.product).toMatchObject({ styleId: 'st-run', price: 89900, sizes: [{ size: 42, qty: 3 }] });
    expect(page1.find((m) => m.body === '有的，黑色还有3双')).toMatchObject({ mine: true });
    expect(page2.find((m) => m.body === '有的，黑色还有3双')).toMatchObject({ mine: false });
    // The member got the clerk messages live, in order.
    await waitFor(() => member.live().length === 4, 5000, 'member live messages');
    expect(member.live().map((m) => m.n)).toEqual([1, 2, 3, 4]);
    // History pages from the desk's cache.
    const older = await a1.desk.getConversation('m1', { before: 3, limit: 10 });
    expect(older.messages.map((m) => m.n)).toEqual([1, 2]);
    expect(older.hasMore).toBe(false);
  });

  it('makes a resend idempotent: desk after a dropped cmdAck, member by clientId', async () => {
    // The first send is handled although its socket may be gone by then: HQ applies commands it
    // received before a close (on PostgreSQL the round trips of hello often let the close in first).
    const { token } = await t.enroll(STORE_A, 'Raw counter');
    const cmd = { t: 'cmd', opId: '0190aaaa-0000-7000-8000-000000000001', type: 'chat.send', data: { memberId: 'm1', clientId: 'desk-msg-1', kind: 'text', text: '在吗' } };
    // First send: the socket is dropped before the cmdAck can be read.
    const first = new WebSocket(`${t.url.replace('http', 'ws')}/v1/desk`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => first.once('open', r));
    first.send(JSON.stringify({ t: 'hello', v: 1 }));
    first.send(JSON.stringify(cmd));
    first.terminate();
    // Resend the same op on a new socket, and the same clientId under a new opId.
    const acks: CmdAckFrame[] = [];
    const second = new WebSocket(`${t.url.replace('http', 'ws')}/v1/desk`, { headers: { authorization: `Bearer ${token}` } });
    second.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { t: string };
      if (f.t === 'cmdAck') acks.push(f as CmdAckFrame);
    });
    await new Promise((r) => second.once('open', r));
    second.send(JSON.stringify({ t: 'hello', v: 1 }));
    await waitFor(async () => (await t.hq.chat.history(STORE_A, 'm1', null, 10)).messages.length === 1, 5000, 'first send applied');
    second.send(JSON.stringify(cmd));
    second.send(JSON.stringify({ ...cmd, opId: '0190aaaa-0000-7000-8000-000000000002' }));
    await waitFor(() => acks.length === 2, 5000, 'two acks');
    second.close();
    expect(acks[0]).toMatchObject({ status: 'duplicate' });
    expect(acks[1]).toMatchObject({ status: 'ok', seq: null });
    expect((await t.hq.chat.history(STORE_A, 'm1', null, 10)).messages).toHaveLength(1);

    const member = await loginM1();
    const body = { clientId: 'member-dup-1', kind: 'text', text: '重复发送' };
    const r1 = await member.http('/v1/member/messages', { body });
    const r2 = await member.http('/v1/member/messages', { body });
    expect([r1.status, r2.status]).toEqual([201, 200]);
    const [j1, j2] = [(await r1.json()) as { message: { id: string } }, (await r2.json()) as { status: string; message: { id: string } }];
    expect(j2).toMatchObject({ status: 'duplicate', message: { id: j1.message.id } });
    expect((await member.history()).messages).toHaveLength(2);
    // Only the readLog auditor sees the log: exactly two chat.message events.
    expect((await t.readLog(STORE_A)).filter((e) => e.type === 'chat.message')).toHaveLength(2);
  });

  it('refuses an ack beyond the head, and one desk\'s acks never stop delivered receipts for the others', async () => {
    const { a1 } = await twoDesks();
    const member = await loginM1();
    await member.connect();
    // A raw desk of the same store acks far beyond anything the store has.
    const { token } = await t.enroll(STORE_A, 'Rogue counter');
    const frames: { t: string; code?: string; message?: string }[] = [];
    const rogue = new WebSocket(`${t.url.replace('http', 'ws')}/v1/desk`, { headers: { authorization: `Bearer ${token}` } });
    rogue.on('message', (d) => frames.push(JSON.parse(d.toString()) as { t: string }));
    await new Promise((r) => rogue.once('open', r));
    rogue.send(JSON.stringify({ t: 'hello', v: 1 }));
    await waitFor(() => frames.some((f) => f.t === 'welcome'), 5000, 'welcome');
    rogue.send(JSON.stringify({ t: 'ack', seq: 1_000_000_000 }));
    await waitFor(() => frames.some((f) => f.t === 'error'), 5000, 'error frame');
    expect(frames.find((f) => f.t === 'error')).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('beyond') });
    expect(rogue.readyState).toBe(WebSocket.OPEN); // refused, not cut: a desk that raced a snapshot recovers with its next ack

    // A member message after that is still marked delivered by the real desks' acks, and again later.
    member.send({ t: 'send', message: { clientId: 'member-h-1', kind: 'text', text: '在吗？' } });
    await waitFor(() => member.lastReceipts()?.storeDelivered === 1, 5000, 'delivered after the rogue ack');
    rogue.send(JSON.stringify({ t: 'ack', seq: 2_000_000_000 }));
    member.send({ t: 'send', message: { clientId: 'member-h-2', kind: 'text', text: '还在吗？' } });
    await waitFor(() => member.lastReceipts()?.storeDelivered === 2, 5000, 'second message delivered');
    expect(await texts(a1.desk)).toEqual(['在吗？', '还在吗？']);
    rogue.close();
  });

  it('reports delivery and read both ways', async () => {
    const { a1, a2 } = await twoDesks();
    const member = await loginM1();
    await member.connect();

    // Member → store: delivered once a desk has the message (its ack), read once a clerk reads it.
    member.send({ t: 'send', message: { clientId: 'member-r-1', kind: 'text', text: '请问营业到几点？' } });
    await waitFor(() => member.lastReceipts()?.storeDelivered === 1, 5000, 'store delivered');
    expect(member.lastReceipts()?.storeRead).toBe(0);
    expect((await a2.desk.getConversation('m1')).unread).toBe(1);
    expect(await a1.desk.markRead('m1')).not.toBeNull();
    await waitFor(() => member.lastReceipts()?.storeRead === 1, 5000, 'store read');
    await waitFor(async () => (await a2.desk.getConversation('m1')).unread === 0, 5000, 'read on the other desk too');
    expect(await a1.desk.markRead('m1')).toBeNull(); // nothing new to read

    // Store → member: sent, then delivered and read as the member's client says so.
    await a1.desk.sendMessage('m1', { kind: 'text', text: '晚上十点' });
    const stateOf = async (d: DeskCore) => (await d.getConversation('m1')).messages.find((m) => m.body === '晚上十点')?.state;
    await waitFor(async () => (await stateOf(a1.desk)) === 'sent', 5000, 'sent');
    await waitFor(() => member.live().some((m) => m.n === 2), 5000, 'member got it');
    member.send({ t: 'receipt', delivered: 2 });
    await waitFor(async () => (await stateOf(a1.desk)) === 'delivered' && (await stateOf(a2.desk)) === 'delivered', 5000, 'delivered');
    const res = await member.http('/v1/member/receipts', { body: { read: 2 } });
    expect(res.status).toBe(200);
    await waitFor(async () => (await stateOf(a1.desk)) === 'read', 5000, 'read');
  });

  it('recalls within 2 minutes and refuses after (injected clock)', async () => {
    const { a1, a2 } = await twoDesks();
    const member = await loginM1();
    await member.connect();
    await a1.desk.sendMessage('m1', { kind: 'text', text: '发错了' });
    await waitFor(async () => (await a1.desk.getConversation('m1')).messages.some((m) => !m.pending), 5000, 'sent');
    const [msg] = (await a1.desk.getConversation('m1')).messages;
    // Another counter may not recall it.
    await expect(a2.desk.recallMessage('m1', msg!.id)).rejects.toMatchObject({ code: 'not_allowed' });
    clock += 119_000;
    await a1.desk.recallMessage('m1', msg!.id);
    await waitFor(async () => (await a2.desk.getConversation('m1')).messages[0]?.recalledAt !== null, 5000, 'recalled on desk 2');
    expect((await a2.desk.getConversation('m1')).messages[0]).toMatchObject({ body: '', recalledAt: clock });
    await waitFor(() => member.frames.some((f) => f.t === 'recalled'), 5000, 'member told');

    await a1.desk.sendMessage('m1', { kind: 'text', text: '两分钟后' });
    await waitFor(async () => (await a1.desk.getConversation('m1')).messages.filter((m) => !m.pending).length === 2, 5000, 'second sent');
    const second = (await a1.desk.getConversation('m1')).messages[1]!;
    clock += 121_000;
    await a1.desk.recallMessage('m1', second.id);
    await waitFor(async () => (await a1.desk.getConversation('m1')).messages[1]?.rejection?.code === 'recall_expired', 5000, 'recall rejected');
    expect((await a1.desk.getConversation('m1')).messages[1]).toMatchObject({ body: '两分钟后', recalledAt: null });

    // The member side follows the same rule.
    const sent = (await (await member.http('/v1/member/messages', { body: { clientId: 'member-rc-1', kind: 'text', text: 'oops' } })).json()) as { message: { id: string } };
    clock += 121_000;
    const late = await member.http(`/v1/member/messages/${sent.message.id}/recall`, { method: 'POST' });
    expect(late.status).toBe(409);
  });

  it('queues messages written offline and sends them once, in order, after a desk restart', async () => {
    const a1 = await t.desk(STORE_A, 'Counter 1');
    a1.desk.start();
    await waitFor(() => online(a1.desk), 5000, 'online');
    const member = await loginM1();
    await member.connect();
    // The desk needs the member in its cache: an arrival brings the profile.
    await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await a1.desk.getMember('m1')) !== null, 5000, 'member cached');
    await a1.desk.stop();

    await a1.desk.sendMessage('m1', { kind: 'text', text: '第一条' });
    await a1.desk.sendMessage('m1', { kind: 'product', styleId: 'st-retro' });
    await a1.desk.sendMessage('m1', { kind: 'image', mime: 'image/png', dataBase64: Buffer.from(PNG).toString('base64') });
    await a1.desk.sendMessage('m1', { kind: 'text', text: '第四条' });
    const queued = (await a1.desk.getConversation('m1')).messages;
    expect(queued.map((m) => [m.kind, m.state])).toEqual([
      ['text', 'sending'],
      ['product', 'sending'],
      ['image', 'sending'],
      ['text', 'sending'],
    ]);
    expect(await a1.desk.getImage(queued[2]!.image!.id)).toMatchObject({ mime: 'image/png' });
    await a1.desk.close();

    const reopened = Desk.open({ dbPath: a1.dbPath, hqUrls: [t.url], token: a1.token, ...FAST });
    t.desks.push(reopened);
    expect((await reopened.getConnection()).queued).toBe(4);
    reopened.start();
    await waitFor(async () => (await reopened.getConnection()).queued === 0, 8000, 'outbox drained');
    await waitFor(() => member.live().length === 4, 5000, 'member got four');
    const hq = (await member.history()).messages;
    expect(hq.map((m) => m.kind)).toEqual(['text', 'product', 'image', 'text']);
    expect(hq.map((m) => m.clientId)).toEqual(queued.map((m) => m.clientId));
    expect(member.live().map((m) => m.id)).toEqual(hq.map((m) => m.id));
    // The member can fetch the image that was queued offline.
    const img = await member.http(`/v1/chat/images/${hq[2]!.image!.id}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const view = (await reopened.getConversation('m1')).messages;
    expect(view.map((m) => m.pending)).toEqual([false, false, false, false]);
  });

  it('keeps members to their own store and conversation', async () => {
    // m1 belongs to store A and never visited B.
    const denied = await fetch(`${t.url}/v1/member/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: STORE_B, memberCode: 'M0000001', phoneLast4: '1001' }),
    });
    expect(denied.status).toBe(401);
    const wrongPhone = await fetch(`${t.url}/v1/member/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: STORE_A, memberCode: 'M0000001', phoneLast4: '9999' }),
    });
    expect(wrongPhone.status).toBe(401);
    const viaIntegration = await fetch(`${t.url}/v1/integration/member-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey },
      body: JSON.stringify({ storeId: STORE_B, memberId: 'm1' }),
    });
    expect(viaIntegration.status).toBe(403);

    const m1 = await loginM1();
    const m2 = await MemberClient.viaIntegration(t.url, t.hq.integrationKey, STORE_B, 'm2');
    members.push(m2);
    await m2.http('/v1/member/messages', { body: { clientId: 'member-b-0001', kind: 'text', text: 'store B only' } });
    const up = await m2.http('/v1/member/images', { raw: PNG, type: 'image/png' });
    expect(up.status).toBe(201);
    const { image } = (await up.json()) as { image: { id: string } };
    // m1's token sees only m1's conversation at A, and not m2's image.
    expect((await m1.history()).messages).toEqual([]);
    expect((await m1.http(`/v1/chat/images/${image.id}`)).status).toBe(404);
    // Not even by sending m2's image id as its own.
    const steal = await m1.http('/v1/member/messages', { body: { clientId: 'member-a-steal', kind: 'image', imageId: image.id } });
    expect(steal.status).toBe(404);
    // Uploads are checked by magic bytes and size.
    expect((await m1.http('/v1/member/images', { raw: new TextEncoder().encode('<svg onload=alert(1)>'), type: 'image/png' })).status).toBe(415);
    expect((await m1.http('/v1/member/images', { raw: new Uint8Array(2 * 1024 * 1024 + 10).fill(0xff), type: 'image/jpeg' })).status).toBe(413);
    // No token, no API.
    expect((await fetch(`${t.url}/v1/member/messages`)).status).toBe(401);

    // A desk of store B cannot reach m1; a desk of store A does not see store B's conversation.
    const b1 = await t.desk(STORE_B, 'B counter');
    const a1 = await t.desk(STORE_A, 'A counter');
    b1.desk.start();
    a1.desk.start();
    await waitFor(async () => (await online(b1.desk)) && (await online(a1.desk)), 5000, 'online');
    await waitFor(async () => (await b1.desk.listConversations({})).length === 1, 5000, 'B sees its conversation');
    expect(await a1.desk.listConversations({})).toEqual([]);
    const hist = await fetch(`${t.url}/v1/desk/messages?memberId=m2`, { headers: { authorization: `Bearer ${a1.token}` } });
    expect(hist.status).toBe(404);
  });

  it('relays typing and presence without storing them', async () => {
    const { a1 } = await twoDesks();
    const presence: boolean[] = [];
    const typing: boolean[] = [];
    a1.desk.on('chatPresence', (p) => p.memberId === 'm1' && presence.push(p.online));
    a1.desk.on('chatTyping', (p) => p.memberId === 'm1' && typing.push(p.typing));
    const member = await loginM1();
    await member.connect();
    await waitFor(() => presence.includes(true), 5000, 'online');
    member.send({ t: 'typing', on: true });
    await waitFor(() => typing.includes(true), 5000, 'typing');
    expect((await a1.desk.getConversation('m1')).typing).toBe(true);
    await a1.desk.setTyping('m1', true);
    await waitFor(() => member.frames.some((f) => f.t === 'typing' && f.on && f.by === 'Counter 1'), 5000, 'desk typing at the member');
    member.close();
    await waitFor(() => presence[presence.length - 1] === false, 5000, 'offline');
    expect((await t.readLog(STORE_A)).filter((e) => e.type.startsWith('chat.'))).toEqual([]);
  });
});
