// The member-side assistant against a real HQ, a real member socket and real desk sockets: stock at
// this store and at another store named in the question (numbers equal the stock rows less holds),
// hours, hold status, conversion, a hand-over asked for and one when unsure, settled by a clerk's
// message over a desk socket, quiet while a clerk talks, a resend answered once, the store's switch
// off, and the hand-over storage itself on SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSISTANT_QUIET_AFTER_CLERK_MS, type Handover } from '../../shared/assist.ts';
import { ASSISTANT_DEVICE_ID } from '../../shared/actors.ts';
import { type Message } from '../../shared/domain.ts';
import { type Hold } from '../../shared/holds.ts';
import { type EvFrame } from '../../shared/protocol.ts';
import { FAST_HQ, type StoreAdapter, TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';
import { Cluster } from '../support/cluster.ts';
import { TEST_PG_URL } from '../support/pg.ts';
import { waitFor } from '../support/waitFor.ts';

const DAY = 24 * 60 * 60 * 1000;
let t: TestHq | null = null;
let clock = Date.now();
const closers: Array<() => unknown> = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await t?.dispose();
  t = null;
});

async function start(adapter?: StoreAdapter, settings: Record<string, unknown> = { opensAt: '10:00', closesAt: '22:00' }, at = Date.UTC(2026, 2, 2, 4, 0) /* 12:00 in Shanghai */) {
  clock = at;
  t = await TestHq.start({ ...FAST_HQ, now: () => clock, seed: 'nanjingSanlitun', adapter, assistant: true });
  // The stores' hours (and the switch) as a chain's systems send them.
  await t.ingest('stores', [
    { id: STORE_A, name: '上海南京路店', city: '上海', settings },
    { id: STORE_B, name: '北京三里屯店', city: '北京', settings: { opensAt: '09:30', closesAt: '21:00' } },
  ]);
  const member = await MemberClient.login(t.url, STORE_A, 'M0000001', '1001');
  closers.push(() => member.close());
  await member.connect();
  return member;
}

async function deskA(): Promise<ProtocolDesk> {
  const { token } = await t!.enroll(STORE_A, 'Counter 1');
  const d = new ProtocolDesk({ urls: [t!.url], token, resume: await t!.position(STORE_A) });
  closers.push(() => d.close());
  await d.start();
  return d;
}

/** A hold put aside at HQ (as hold.place stores it), for the stock and hold-status answers. */
async function hold(storeId: string, memberId: string, styleId: string, color: string, size: number, until: number): Promise<void> {
  const h: Hold = {
    id: randomUUID(),
    storeId,
    member: { id: memberId, name: '张伟', tier: 'gold' },
    styleId,
    styleName: styleId === 'st-run' ? 'Cloud Runner' : 'Court 84',
    color,
    colorName: color === 'BLK' ? 'Black' : 'White',
    size,
    placedAt: clock,
    until,
    by: { deviceId: 'd-test', deviceName: 'Counter 9' },
    status: 'active',
    endedAt: null,
    endedBy: null,
    requestId: null,
  };
  await t!.hq.store.withTx((tx) => tx.holds.putHold(h));
}

let seq = 0;
/** Sends a text as the member over the socket; returns the store's messages that came after it (waits for `expectReplies`). */
async function ask(member: MemberClient, text: string, expectReplies = 1, clientId = `client-${String(++seq).padStart(4, "0")}`): Promise<Message[]> {
  const seen = new Set((await member.history()).messages.map((m) => m.id));
  member.send({ t: 'send', message: { clientId, kind: 'text', text } });
  let fresh: Message[] = [];
  await waitFor(
    async () => {
      const all = (await member.history()).messages;
      const mine = all.find((m) => m.from === 'member' && m.clientId === clientId);
      fresh = mine ? all.filter((m) => m.n > mine.n && m.from === 'clerk' && !seen.has(m.id)) : [];
      return mine !== undefined && fresh.length >= expectReplies;
    },
    5000,
    `reply to ${text}`,
  );
  if (expectReplies === 0) {
    // A reply is written in the member message's own transaction: were there one, it is here already.
    const all = (await member.history()).messages;
    const mine = all.find((m) => m.from === 'member' && m.clientId === clientId)!;
    fresh = all.filter((m) => m.n > mine.n && m.from === 'clerk' && !seen.has(m.id));
  }
  return fresh;
}
const handovers = (d: ProtocolDesk) => d.events.filter((e): e is Extract<EvFrame, { type: 'assist.handover' }> => e.type === 'assist.handover').map((e) => e.data);

describe('the member-side assistant', () => {
  it('answers stock here and at a named store from stock less holds, hours, holds and conversions, labelled as the assistant', async () => {
    const member = await start();
    // One of the three Cloud Runner 42 pairs at A is held for someone else: two are offered.
    await hold(STORE_A, 'm3', 'st-run', 'BLK', 42, clock + 2 * DAY);
    const [stockHere] = await ask(member, 'Cloud Runner 有42码吗？');
    expect(stockHere!.by?.deviceId).toBe(ASSISTANT_DEVICE_ID);
    expect(stockHere!.body).toBe('上海南京路店的 Cloud Runner 42码现有 2 双（Black 2 双）。');
    // Another store, named in English; the size given in US (8 = EU 41 is not in stock there, 40 is).
    expect((await ask(member, 'is size 40 of Cloud Runner in stock at Sanlitun?'))[0]!.body).toBe('Cloud Runner in EU 40 at 北京三里屯店: 2 pair(s) in stock (Black: 2).');
    expect((await ask(member, 'Cloud Runner US 8 at Sanlitun?'))[0]!.body).toBe('Cloud Runner in EU 41 (US men 8 ≈ EU 41) is not in stock at 北京三里屯店 right now. In stock there: EU 40.');
    // A style named without a size: the sizes in stock here.
    expect((await ask(member, 'Court 84 有货吗')).at(-1)!.body).toBe('上海南京路店的 Court 84 现有这些尺码：42码。您穿多大码？');
    // Hours of this store and of another.
    expect((await ask(member, '几点关门？'))[0]!.body).toBe('上海南京路店的营业时间是 10:00–22:00（当地时间）。');
    expect((await ask(member, 'when does Sanlitun open?'))[0]!.body).toBe('北京三里屯店 is open 09:30–21:00 (local time).');
    // Hold status: the member's own active holds at every store, in the store's zone (UTC+8).
    expect((await ask(member, '我的预留还在吗'))[0]!.body).toBe('您目前没有预留的鞋。');
    await hold(STORE_B, 'm1', 'st-run', 'BLK', 40, Date.UTC(2026, 2, 4, 10, 0));
    expect((await ask(member, 'is my hold still there?'))[0]!.body).toBe('You have 1 pair(s) on hold:\n· Cloud Runner (Black) size 40 at 北京三里屯店, held until Mar 4, 18:00');
    // Conversion from the chart.
    expect((await ask(member, '38码是多少毫米'))[0]!.body).toBe('欧码 38 ≈ 240 毫米（常用尺码表，各品牌可能差半码）。');
    expect((await ask(member, 'EU 42 in US'))[0]!.body).toBe('EU 42 ≈ US men 8.5 (a common chart; brands differ by up to half a size).');
    // The member's history at HQ has them all, in order, each reply right after its question.
    const history = (await member.history()).messages;
    expect(history.map((m) => m.from)).toEqual(Array.from({ length: history.length }, (_, i) => (i % 2 ? 'clerk' : 'member')));
    expect(history.every((m) => m.from === 'member' || m.by?.deviceId === ASSISTANT_DEVICE_ID)).toBe(true);
  });

  it('hands over when asked and when unsure, stays quiet while waiting and while a clerk talks; a clerk message settles it', async () => {
    const member = await start(undefined, undefined, Date.now()); // GET /v1/snapshot reads the wall clock
    const desk = await deskA();
    // Unsure: a question it has no rule for. The reply says a clerk will answer; the hand-over quotes the question.
    const [greeting] = await ask(member, '你好');
    expect(greeting!.body).toContain('智能助手');
    const [unsure] = await ask(member, '你们的鞋子防水吗');
    expect(unsure!.body).toContain('请店员');
    await waitFor(() => handovers(desk).length === 1, 5000, 'hand-over on the desk');
    const h1 = handovers(desk)[0]!;
    expect(h1).toMatchObject({ by: null, opId: null, handover: { storeId: STORE_A, memberId: 'm1', reason: 'unsure', question: '你们的鞋子防水吗', settledAt: null, settledBy: null } });
    expect(h1.handover.answered).toEqual([
      { intent: 'greeting', messageId: greeting!.id },
      { intent: 'unknown', messageId: unsure!.id },
    ]);
    // While it waits, the assistant answers nothing.
    expect(await ask(member, 'Cloud Runner 42码？', 0)).toEqual([]);
    // A clerk answers over the desk socket: the hand-over is settled by them, in the same transaction.
    const ack = await desk.command('chat.send', { memberId: 'm1', clientId: randomUUID(), kind: 'text', text: '您好，这款是防泼水的' });
    expect(ack.status).toBe('ok');
    await waitFor(() => handovers(desk).length === 2, 5000, 'settled');
    const settled = handovers(desk)[1]!;
    expect(settled.handover).toMatchObject({ id: h1.handover.id, settledAt: clock, settledBy: { deviceName: 'Counter 1' } });
    expect(settled.by).toMatchObject({ deviceName: 'Counter 1' });
    // The op's own event is the chat.message; the settled hand-over names no op (one op, one event).
    expect(settled.opId).toBeNull();
    expect(desk.events.filter((e) => (e.data as { opId?: string | null }).opId === ack.opId)).toHaveLength(1);
    // The clerk is talking: the assistant keeps quiet for ASSISTANT_QUIET_AFTER_CLERK_MS.
    expect(await ask(member, 'Cloud Runner 42码？', 0)).toEqual([]);
    clock += ASSISTANT_QUIET_AFTER_CLERK_MS + 1;
    // Then it answers again; asked for a person, it hands over (reason asked).
    expect((await ask(member, 'Cloud Runner 42码？'))[0]!.body).toContain('现有 3 双');
    expect((await ask(member, '转人工'))[0]!.body).toContain('转接店员');
    await waitFor(() => handovers(desk).length === 3, 5000, 'asked');
    expect(handovers(desk)[2]!.handover).toMatchObject({ reason: 'asked', question: '转人工', settledAt: null });
    // The snapshot carries the waiting one and the one settled today.
    const snap = (await (await fetch(`${t!.url}/v1/snapshot`, { headers: { authorization: `Bearer ${desk.token}` } })).json()) as { handovers?: Handover[] };
    expect(snap.handovers?.map((h) => [h.reason, h.settledAt === null])).toEqual([
      ['unsure', false],
      ['asked', true],
    ]);
  });

  it('reaches a desk core: the waiting hand-over on the conversation and its list, from events and from a snapshot; a clerk reply settles it', async () => {
    const member = await start(undefined, undefined, Date.now());
    // A desk that is online while it happens (events), and one that starts after (snapshot).
    const live = await t!.desk(STORE_A, 'Counter 1');
    live.desk.start();
    await waitFor(async () => (await live.desk.getConnection()).status === 'online', 5000, 'desk online');
    await ask(member, 'Cloud Runner 42码？');
    await ask(member, '我想找真人');
    await waitFor(async () => (await live.desk.listHandovers()).length === 1, 5000, 'hand-over on the desk');
    const [waiting] = await live.desk.listHandovers();
    expect(waiting).toMatchObject({ memberId: 'm1', reason: 'asked', question: '我想找真人', settledAt: null });
    expect(waiting!.answered.map((a) => a.intent)).toEqual(['stock', 'handover']);
    expect((await live.desk.getConversation('m1')).handover?.id).toBe(waiting!.id);
    expect((await live.desk.listConversations({ limit: 10 })).find((c) => c.memberId === 'm1')?.handover?.id).toBe(waiting!.id);
    // The desk shows the assistant's replies as the assistant's, and the member's messages stay
    // unread: the assistant answering is not a clerk reading them.
    const shown = await live.desk.getConversation('m1');
    expect(shown.messages.filter((m) => m.by?.deviceId === ASSISTANT_DEVICE_ID)).toHaveLength(2);
    expect(shown.unread).toBe(2);
    expect(shown.receipts.storeRead).toBe(0);
    const later = await t!.desk(STORE_A, 'Counter 2');
    later.desk.start();
    await waitFor(async () => (await later.desk.listHandovers()).length === 1, 5000, 'hand-over from the snapshot');
    // The clerk answers from the desk: settled at HQ, gone from both desks.
    await live.desk.sendMessage('m1', { kind: 'text', text: '您好，我是店员小王' });
    await waitFor(async () => (await live.desk.listHandovers()).length === 0 && (await later.desk.listHandovers()).length === 0, 5000, 'settled on both desks');
    expect((await live.desk.getConversation('m1')).handover).toBeNull();
    expect(await t!.hq.store.read((r) => r.handovers.getHandover(waiting!.id))).toMatchObject({ settledBy: { deviceName: 'Counter 1' } });
  });

  it('answers a resend once, is silent when the store turns it off, and never answers another member', async () => {
    const member = await start();
    const first = await ask(member, 'Cloud Runner 42码？', 1, 'same-client-id');
    expect(first).toHaveLength(1);
    expect(await ask(member, 'Cloud Runner 42码？', 0, 'same-client-id')).toEqual([]);
    expect((await member.history()).messages).toHaveLength(2);
    // The store turns it off.
    await t!.ingest('stores', [{ id: STORE_A, name: '上海南京路店', city: '上海', settings: { assistant: false } }]);
    expect(await ask(member, 'Cloud Runner 42码？', 0)).toEqual([]);
    expect((await member.history()).messages).toHaveLength(3);
  });

  it('says when hours are not set, and hands over', async () => {
    const member = await start(undefined, {});
    expect((await ask(member, 'what are your opening hours?'))[0]!.body).toBe("上海南京路店 has not set its opening hours here. I'll ask a clerk to answer you — one moment, please.");
    const waiting = await t!.hq.store.read((r) => r.handovers.waiting(STORE_A, 'm1'));
    expect(waiting).toMatchObject({ reason: 'unsure', question: 'what are your opening hours?' });
  });
});

describe.each(['sqlite', 'postgres'] as const)('hand-over storage on %s', (adapter) => {
  it('keeps one waiting hand-over per conversation, reads a store’s waiting and recent ones, and erases a member’s', async () => {
    clock = Date.now();
    t = await TestHq.start({ adapter, now: () => clock, seed: 'nanjingSanlitun' });
    const store = t.hq.store;
    const h = (id: string, memberId: string, at: number, settledAt: number | null = null): Handover => ({
      id, storeId: STORE_A, memberId, reason: 'asked', question: `q ${id}`, answered: [{ intent: 'handover', messageId: `msg-${id}` }], at, settledAt, settledBy: settledAt ? { deviceId: 'd1', deviceName: 'Counter 1' } : null,
    });
    await store.withTx((tx) => tx.handovers.putHandover(h('h1', 'm1', 1000)));
    expect(await store.read((r) => r.handovers.getHandover('h1'))).toEqual(h('h1', 'm1', 1000));
    expect(await store.read((r) => r.handovers.waiting(STORE_A, 'm1'))).toEqual(h('h1', 'm1', 1000));
    expect(await store.read((r) => r.handovers.waiting(STORE_B, 'm1'))).toBeNull();
    // A second waiting one for the same conversation is refused by the database.
    await expect(store.withTx((tx) => tx.handovers.putHandover(h('h2', 'm1', 2000)))).rejects.toThrow();
    // Settled, it is replaced whole; then a new one may wait.
    await store.withTx((tx) => tx.handovers.putHandover(h('h1', 'm1', 1000, 5000)));
    await store.withTx((tx) => tx.handovers.putHandover(h('h2', 'm1', 6000)));
    await store.withTx((tx) => tx.handovers.putHandover(h('h3', 'm3', 500, 900)));
    expect((await store.read((r) => r.handovers.ofStore(STORE_A, 4000, 10))).map((x) => x.id)).toEqual(['h1', 'h2']);
    expect((await store.read((r) => r.handovers.ofStore(STORE_A, 0, 10))).map((x) => x.id)).toEqual(['h3', 'h1', 'h2']);
    expect((await store.read((r) => r.handovers.ofStore(STORE_A, 0, 1))).map((x) => x.id)).toEqual(['h3']);
    expect(await store.read((r) => r.handovers.ofStore(STORE_B, 0, 10))).toEqual([]);
    // Erasure: the member's hand-overs (they quote the member) go.
    await store.withTx((tx) => tx.deleteMember('m1'));
    expect((await store.read((r) => r.handovers.ofStore(STORE_A, 0, 10))).map((x) => x.id)).toEqual(['h3']);
  });

  it('answers and hands over on this storage', async () => {
    const member = await start(adapter);
    expect((await ask(member, '转人工'))[0]!.body).toContain('转接店员');
    expect(await t!.hq.store.read((r) => r.handovers.waiting(STORE_A, 'm1'))).toMatchObject({ reason: 'asked' });
  });
});

describe('the assistant on two HQ nodes', () => {
  it('answers a member message once when the same message reaches both nodes at once', async () => {
    const cluster = await Cluster.start({ nodes: 2, pgUrl: TEST_PG_URL, natsUrl: process.env.FOOTFALL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', node: { assistant: true } });
    closers.push(() => cluster.dispose());
    await cluster.seed();
    const login = await fetch(`${cluster.urls[0]}/v1/member/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: STORE_A, memberCode: 'M0000001', phoneLast4: '1001' }),
    });
    const { token } = (await login.json()) as { token: string };
    const send = (node: number) =>
      fetch(`${cluster.urls[node]}/v1/member/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId: 'twice-on-two-nodes', kind: 'text', text: 'Cloud Runner 42码有吗' }),
      });
    const answers = await Promise.all([send(0), send(1)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
    const history = (await (await fetch(`${cluster.urls[1]}/v1/member/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: Message[] };
    expect(history.messages.map((m) => [m.from, m.by?.deviceId ?? null])).toEqual([
      ['member', null],
      ['clerk', ASSISTANT_DEVICE_ID],
    ]);
    expect(history.messages[1]!.body).toBe('上海南京路店的 Cloud Runner 42码现有 3 双（Black 3 双）。');
  });
});
