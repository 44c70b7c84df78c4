// The room socket of live launch rooms (6/8) against real HQ nodes and real WebSockets: roles at
// hello, comments batched to every viewer, every refusal (not signed in, rate, slow mode, mute,
// keyword, ended), retries, host deletion, reactions aggregated into counts, questions to their
// asker only, the viewer count, bad frames — then two nodes on PostgreSQL + NATS (comments and
// reactions across the bus) with one node killed -9 mid-stream: its viewers reconnect to the
// other, keep receiving comments, and find their questions (durable) still there.
//
// The first and last tests write the room's durable state through the event log (tx.live + a
// `live.*` event, as the desk commands do), so the sockets learn of it from the store feed like from
// any host; the middle one runs the room from a real host desk's commands (create, go live, poll,
// draw, mute from a comment by its author's ref) and checks live poll counts, the lottery's `won`
// per viewer, and that only host sockets get comments' refs.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventLog } from '../../hq/app/eventLog.ts';
import { FromLive, type LiveRoom } from '../../shared/live.ts';
import { LIVE_BACKLOG } from '../../shared/limits.ts';
import { MemberClient } from '../support/memberClient.ts';
import { TestHq } from '../support/hq.ts';
import { liveHost, twoLiveNodes } from '../support/liveHost.ts';
import { waitFor } from '../support/waitFor.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

type Frame<T extends FromLive['t']> = Extract<FromLive, { t: T }>;

/** A room socket client: every frame it gets must pass the `FromLive` schema. */
class LiveClient {
  readonly frames: FromLive[] = [];
  readonly bad: string[] = [];
  closed: { code: number; reason: string } | null = null;
  ws!: WebSocket;

  constructor(public url: string) {}

  static async open(url: string, hello: Record<string, unknown> | null): Promise<LiveClient> {
    const c = new LiveClient(url);
    await c.connect(hello);
    return c;
  }

  /** (Re)connects, to `url` when given (a viewer moving to another node). */
  async connect(hello: Record<string, unknown> | null, url = this.url): Promise<void> {
    this.url = url;
    this.closed = null;
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/v1/live/socket`);
    this.ws = ws;
    cleanups.push(async () => ws.terminate());
    ws.on('message', (data) => {
      const text = String(data);
      const parsed = FromLive.safeParse(JSON.parse(text));
      if (parsed.success) this.frames.push(parsed.data);
      else this.bad.push(text);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (hello) {
      const before = this.of('welcome').length;
      this.send({ t: 'hello', v: 1, ...hello });
      await waitFor(() => this.of('welcome').length > before || this.closed !== null, 10_000, 'welcome');
    }
  }

  send(f: unknown): void {
    this.ws.send(typeof f === 'string' ? f : JSON.stringify(f));
  }

  of<T extends FromLive['t']>(t: T): Frame<T>[] {
    return this.frames.filter((f): f is Frame<T> => f.t === t);
  }

  comments(): string[] {
    return this.of('comments').flatMap((f) => f.items.map((c) => c.text));
  }

  welcome(): Frame<'welcome'> {
    return this.of('welcome').at(-1)!;
  }
}

function room(storeId: string, over: Partial<LiveRoom> = {}): LiveRoom {
  const now = Date.now();
  return {
    id: randomUUID(),
    storeId,
    title: '春季新品发布',
    description: '',
    streamUrl: 'https://live.example.com/s/1',
    scheduledAt: now,
    state: 'live',
    startedAt: now,
    endedAt: null,
    createdAt: now,
    createdBy: { deviceId: 'dev-live', deviceName: 'Live desk' },
    slowModeSec: 0,
    pinnedMessage: null,
    pinnedStyleId: null,
    peakViewers: 0,
    ...over,
  };
}

/** The room's durable change as a host's command makes it: state + `live.updated`. */
async function putRoom(log: EventLog, r: LiveRoom): Promise<void> {
  await log.write(async (tx, append) => {
    await tx.live.putRoom(r, randomUUID().replace(/-/g, ''));
    await append(r.storeId, 'live.updated', { room: r, by: null, opId: null });
  });
}

async function mute(log: EventLog, r: LiveRoom, memberId: string, until: number | null): Promise<void> {
  await log.write(async (tx, append) => {
    await tx.live.setMute(r.id, memberId, until);
    await append(r.storeId, 'live.muted', { roomId: r.id, memberId, nickname: 'x', until, by: null, opId: null });
  });
}

const token = async (url: string, key: string, storeId: string, memberId: string) => (await MemberClient.viaIntegration(url, key, storeId, memberId)).session.token;

describe('the room socket on one HQ', () => {
  it('roles, batched comments, every refusal, retries, deletion, reactions as counts, questions, viewers, bad frames', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const key = t.hq.integrationKey;
    // The chain's blocked words (read by LiveService, cached briefly: set before the first comment).
    await t.hq.store.withTx((tx) => tx.groups.putCommunitySettings({ pushCapPerMonth: 4, keywords: ['微信号'] }));
    const r = room('store-a');
    await putRoom(t.hq.eventLog, r);

    const m1 = await LiveClient.open(t.url, { roomId: r.id, token: await token(t.url, key, 'store-a', 'm1'), nickname: '小鹿' });
    const m2 = await LiveClient.open(t.url, { roomId: r.id, token: await token(t.url, key, 'store-a', 'm2') });
    const m3 = await LiveClient.open(t.url, { roomId: r.id, token: await token(t.url, key, 'store-b', 'm3'), nickname: '阿伟' });
    const host = await LiveClient.open(t.url, { roomId: r.id, token: (await t.enroll('store-a', 'Live desk')).token });
    const viewer = await LiveClient.open(t.url, { roomId: r.id });
    expect([m1, m2, m3, host, viewer].map((c) => c.welcome().role)).toEqual(['member', 'member', 'member', 'host', 'viewer']);
    expect(m1.welcome()).toMatchObject({ nickname: '小鹿', storeName: 'Store A', room: { id: r.id, state: 'live' }, comments: [] });
    // No nickname given: a neutral one, never the member's name (李娜).
    expect(m2.welcome().nickname).toMatch(/^观众[0-9a-f]{4}$/);
    expect('createdBy' in m1.welcome().room).toBe(false);
    expect(viewer.welcome().nickname).toBeNull();

    // A device of another store is no host here; an unknown token is refused; an unknown room too.
    const other = await LiveClient.open(t.url, { roomId: r.id, token: (await t.enroll('store-b', 'B desk')).token });
    await waitFor(() => other.closed !== null, 5000, 'foreign device closed');
    expect(other.closed!.code).toBe(4001);
    const nobody = await LiveClient.open(t.url, { roomId: randomUUID() });
    await waitFor(() => nobody.closed !== null, 5000, 'unknown room closed');
    expect(nobody.closed!.code).toBe(4404);

    // A comment reaches every viewer (the sender too), by nickname; a retry of it is not a second one.
    m1.send({ t: 'comment', clientId: 'c-m1-00001', text: '好看！' });
    m1.send({ t: 'comment', clientId: 'c-m1-00001', text: '好看！' });
    await waitFor(() => [m1, m2, m3, host, viewer].every((c) => c.comments().includes('好看！')), 5000, 'the comment everywhere');
    await sleep(300);
    for (const c of [m1, viewer]) expect(c.comments().filter((x) => x === '好看！')).toHaveLength(1);
    const first = viewer.of('comments')[0]!.items[0]!;
    expect(first).toMatchObject({ nickname: '小鹿', host: false });
    expect(JSON.stringify(viewer.frames)).not.toContain('m1');

    // Read-only viewers do not write.
    viewer.send({ t: 'comment', clientId: 'c-viewer-01', text: 'hi' });
    viewer.send({ t: 'ask', clientId: 'c-viewer-02', text: 'hi?' });
    await waitFor(() => viewer.of('refused').length === 2, 5000, 'viewer refused');
    expect(viewer.of('refused').map((f) => [f.clientId, f.code])).toEqual([
      ['c-viewer-01', 'unauthorized'],
      ['c-viewer-02', 'unauthorized'],
    ]);

    // Rate: three in 10 s, the fourth refused.
    for (let i = 0; i < 4; i++) m2.send({ t: 'comment', clientId: `c-m2-rate-${i}`, text: `快${i}` });
    await waitFor(() => m2.of('refused').length === 1, 5000, 'rate refusal');
    expect(m2.of('refused')[0]).toMatchObject({ clientId: 'c-m2-rate-3', code: 'rate_limited' });
    await waitFor(() => viewer.comments().includes('快2'), 5000, 'three went through');
    expect(viewer.comments()).not.toContain('快3');

    // A blocked word.
    m3.send({ t: 'comment', clientId: 'c-m3-kw-001', text: '加我微信号 abc' });
    await waitFor(() => m3.of('refused').length === 1, 5000, 'keyword refusal');
    expect(m3.of('refused')[0]).toMatchObject({ code: 'blocked_word' });

    // Muted (the `live.muted` event reaches the node at once), then lifted.
    await mute(t.hq.eventLog, r, 'm1', Date.now() + 60_000);
    await sleep(300);
    m1.send({ t: 'comment', clientId: 'c-m1-muted1', text: '我被禁言了吗' });
    await waitFor(() => m1.of('refused').length === 1, 5000, 'mute refusal');
    expect(m1.of('refused')[0]).toMatchObject({ clientId: 'c-m1-muted1', code: 'muted' });
    await mute(t.hq.eventLog, r, 'm1', null);
    await sleep(300);
    m1.send({ t: 'comment', clientId: 'c-m1-unmute', text: '又能说话了' });
    await waitFor(() => viewer.comments().includes('又能说话了'), 5000, 'after the mute');

    // Slow mode: the room frame reaches everyone; a second comment within it is refused.
    const slow = { ...r, slowModeSec: 30 };
    await putRoom(t.hq.eventLog, slow);
    await waitFor(() => viewer.of('room').some((f) => f.room.slowModeSec === 30), 5000, 'room frame');
    m3.send({ t: 'comment', clientId: 'c-m3-slow01', text: '第一条' });
    await waitFor(() => viewer.comments().includes('第一条'), 5000, 'first under slow mode');
    m3.send({ t: 'comment', clientId: 'c-m3-slow02', text: '第二条' });
    await waitFor(() => m3.of('refused').length === 2, 5000, 'slow mode refusal');
    expect(m3.of('refused')[1]).toMatchObject({ clientId: 'c-m3-slow02', code: 'slow_mode' });

    // Hosts always get through (slow mode or not), marked as the host; they delete for everyone.
    for (let i = 0; i < 5; i++) host.send({ t: 'comment', clientId: `c-host-0000${i}`, text: `主播${i}` });
    await waitFor(() => viewer.comments().includes('主播4'), 5000, 'host comments');
    expect(viewer.of('comments').flatMap((f) => f.items).find((c) => c.text === '主播0')).toMatchObject({ host: true, nickname: 'Store A' });
    m2.send({ t: 'delete', commentId: first.id });
    await waitFor(() => m2.of('refused').length === 2, 5000, 'member may not delete');
    expect(m2.of('refused')[1]).toMatchObject({ code: 'forbidden' });
    host.send({ t: 'delete', commentId: first.id });
    await waitFor(() => [m1, m2, viewer].every((c) => c.of('deleted').some((f) => f.ids.includes(first.id))), 5000, 'deleted everywhere');

    // Batching: comments come in frames, never more than the comments, and a late viewer's welcome
    // holds the newest of them (the deleted one gone).
    const late = await LiveClient.open(t.url, { roomId: r.id });
    const backlog = late.welcome().comments.map((c) => c.text);
    expect(backlog).toContain('主播4');
    expect(backlog).not.toContain('好看！');
    expect(backlog.length).toBeLessThanOrEqual(LIVE_BACKLOG);

    // 100 reactions from four sockets: a few `reactions` frames whose counts add up to 100.
    const reactors = [m1, m2, m3, viewer];
    for (let i = 0; i < 25; i++) for (const c of reactors) c.send({ t: 'react', kind: i % 5 === 0 ? 'fire' : 'like' });
    const sum = (c: LiveClient, k: 'like' | 'fire') => c.of('reactions').reduce((a, f) => a + (f.counts[k] ?? 0), 0);
    await waitFor(() => sum(late, 'like') + sum(late, 'fire') === 100, 5000, '100 reactions counted');
    expect(sum(late, 'fire')).toBe(20);
    expect(late.of('reactions').length).toBeLessThan(10);

    // A question: durable, answered to its asker only (open questions are nobody else's).
    m2.send({ t: 'ask', clientId: 'q-m2-000001', text: '有 39 码吗？' });
    await waitFor(() => m2.of('question').some((f) => f.question.mine && f.question.text === '有 39 码吗？'), 5000, 'question to the asker');
    await sleep(500);
    expect(viewer.of('question')).toEqual([]);
    expect(m1.of('question')).toEqual([]);
    const questions = await t.hq.store.read((rd) => rd.live.questionsOfRoom(r.id));
    expect(questions.map((q) => [q.memberId, q.text, q.status])).toEqual([['m2', '有 39 码吗？', 'open']]);

    // The viewer count (presence, every ~2 s): 6 sockets on this node, one of them the host's
    // console, which is no audience.
    await waitFor(() => late.of('viewers').at(-1)?.n === 5, 8000, 'viewer count 5');

    // Bad frames: each closes its own socket with a clear code; the node keeps serving.
    const cases: Array<[unknown, number]> = [
      ['not json', 4000],
      [{ t: 'comment', clientId: 'c-bad-00001', text: 'before hello' }, 4003],
      [{ t: 'hello', v: 1, roomId: r.id, token: 'x'.repeat(500) }, 4000],
      [{ t: 'hello', v: 2, roomId: r.id }, 4000],
      [{ t: 'shout' }, 4000],
      ['x'.repeat(10_000), 1009],
      [{ t: 'hello', v: 1, roomId: r.id, nickname: '' }, 4000],
    ];
    for (const [frame, code] of cases) {
      const c = await LiveClient.open(t.url, null);
      c.send(frame);
      await waitFor(() => c.closed !== null, 5000, `closed for ${JSON.stringify(frame).slice(0, 40)}`);
      expect(c.closed!.code, JSON.stringify(frame).slice(0, 60)).toBe(code);
    }
    const binary = await LiveClient.open(t.url, null);
    binary.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(() => binary.closed !== null, 5000, 'binary closed');
    expect(binary.closed!.code).toBe(4000);
    // After hello: a bad comment and a flood close only that socket.
    const flood = await LiveClient.open(t.url, { roomId: r.id, token: await token(t.url, key, 'store-a', 'm1') });
    flood.send({ t: 'comment', clientId: 'x', text: 'short id' });
    await waitFor(() => flood.closed !== null, 5000, 'bad comment closed');
    expect(flood.closed!.code).toBe(4000);
    const flood2 = await LiveClient.open(t.url, { roomId: r.id });
    for (let i = 0; i < 100; i++) flood2.send({ t: 'react', kind: 'like' });
    await waitFor(() => flood2.closed !== null, 5000, 'flood closed');
    expect(flood2.closed!.code).toBe(4029);
    host.send({ t: 'comment', clientId: 'c-host-after', text: '还在' });
    await waitFor(() => viewer.comments().includes('还在'), 5000, 'node still serving');

    // The room ends: members' comments are refused, the room frame says so.
    await putRoom(t.hq.eventLog, { ...slow, state: 'ended', endedAt: Date.now() });
    await waitFor(() => m1.of('room').some((f) => f.room.state === 'ended'), 5000, 'ended frame');
    m1.send({ t: 'comment', clientId: 'c-m1-ended1', text: '结束了？' });
    await waitFor(() => m1.of('refused').some((f) => f.code === 'closed'), 5000, 'closed refusal');

    // HQ's counters got the comments and the viewers (noteStats, batched).
    for (const c of [m1, m2, m3, host, viewer, late]) expect(c.bad).toEqual([]);
  }, 60_000);
});

describe('slow mode longer than the rate window', () => {
  it('refuses a second comment until the whole slow-mode interval has passed, not only the 10 s rate window', async () => {
    let clock = Date.now();
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0, now: () => clock });
    cleanups.push(() => t.dispose());
    const r = room('store-a', { slowModeSec: 60 });
    await putRoom(t.hq.eventLog, r);
    const m1 = await LiveClient.open(t.url, { roomId: r.id, token: await token(t.url, t.hq.integrationKey, 'store-a', 'm1'), nickname: '慢慢来' });
    const viewer = await LiveClient.open(t.url, { roomId: r.id });
    m1.send({ t: 'comment', clientId: 'c-slow-0001', text: '第一条' });
    await waitFor(() => viewer.comments().includes('第一条'), 5000, 'first comment');
    clock += 15_000; // past the 10 s rate window, inside the 60 s slow mode
    m1.send({ t: 'comment', clientId: 'c-slow-0002', text: '第二条' });
    await waitFor(() => m1.of('refused').length === 1, 5000, 'slow mode refusal after 15 s');
    expect(m1.of('refused')[0]).toMatchObject({ clientId: 'c-slow-0002', code: 'slow_mode' });
    clock += 46_000; // 61 s after the first
    m1.send({ t: 'comment', clientId: 'c-slow-0003', text: '第三条' });
    await waitFor(() => viewer.comments().includes('第三条'), 5000, 'a comment after the interval');
    expect(viewer.comments()).not.toContain('第二条');
  }, 30_000);
});

describe('the room socket with a host desk’s commands (one HQ)', () => {
  it('a room made and run by desk commands: going live, a poll with live counts, a lottery telling its winner, a mute', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const key = t.hq.integrationKey;
    const { desk, token: deskToken, ok } = await liveHost(t, (close) => cleanups.push(close));
    const roomId = randomUUID();
    await ok('live.create', { roomId, title: '新品发布', streamUrl: 'https://live.example.com/x', scheduledAt: Date.now() + 60_000 });

    const m1 = await LiveClient.open(t.url, { roomId, token: await token(t.url, key, 'store-a', 'm1'), nickname: '小鹿' });
    const m2 = await LiveClient.open(t.url, { roomId, token: await token(t.url, key, 'store-a', 'm2'), nickname: '阿娜' });
    const viewer = await LiveClient.open(t.url, { roomId });
    expect(m1.welcome().room.state).toBe('scheduled');
    // Not live yet: comments refused.
    m1.send({ t: 'comment', clientId: 'c-m1-early01', text: '开始了吗' });
    await waitFor(() => m1.of('refused').some((f) => f.code === 'closed'), 5000, 'not live yet');

    await ok('live.state', { roomId, state: 'live' });
    await waitFor(() => viewer.of('room').some((f) => f.room.state === 'live'), 5000, 'live room frame');
    m1.send({ t: 'comment', clientId: 'c-m1-live001', text: '开始啦' });
    await waitFor(() => viewer.comments().includes('开始啦'), 5000, 'comment once live');

    // A poll: everyone gets it; votes move the counts for everyone (about once a second).
    const pollId = randomUUID();
    await ok('live.poll', { roomId, pollId, question: '哪个颜色？', options: ['黑', '白'] });
    await waitFor(() => viewer.of('poll').some((f) => f.poll.id === pollId), 5000, 'poll frame');
    m1.send({ t: 'vote', pollId, option: 1 });
    m2.send({ t: 'vote', pollId, option: 1 });
    await waitFor(() => viewer.of('poll').some((f) => f.poll.id === pollId && f.poll.counts[1] === 2), 5000, 'live counts');
    viewer.send({ t: 'vote', pollId, option: 0 });
    await waitFor(() => viewer.of('refused').some((f) => f.code === 'unauthorized'), 5000, 'viewer may not vote');

    // A lottery among those who commented (m1 only; joins and comments reach HQ about once a second).
    await sleep(1500);
    const lotteryId = randomUUID();
    await ok('live.draw', { roomId, lotteryId, prize: '新款跑鞋', eligibility: 'commented', winners: 1 });
    await waitFor(() => [m1, m2, viewer].every((c) => c.of('lottery').some((f) => f.lottery.id === lotteryId)), 5000, 'lottery frames');
    const won = (c: LiveClient) => c.of('lottery').find((f) => f.lottery.id === lotteryId)!.lottery.won;
    expect([won(m1), won(m2), won(viewer)]).toEqual([true, false, false]);
    expect(m1.of('lottery')[0]!.lottery.winners.map((w) => w.nickname)).toEqual(['小鹿']);

    // Comments carry their author's per-room ref to HOST sockets only (the batch and a late
    // welcome's backlog alike); viewers and members get the same comments without it.
    const host = await LiveClient.open(t.url, { roomId, token: deskToken });
    expect(host.welcome().role).toBe('host');
    const refOf = async (m: string) => (await t.hq.store.read((r) => r.live.participant(roomId, m)))?.ref ?? null;
    expect(host.welcome().comments.find((c) => c.text === '开始啦')!.ref).toBe(await refOf('m1'));
    m2.send({ t: 'comment', clientId: 'c-m2-live001', text: '我也想要' });
    await waitFor(() => [host, viewer, m1, m2].every((c) => c.comments().includes('我也想要')), 5000, 'm2’s comment everywhere');
    const seenBy = (c: LiveClient) => c.of('comments').flatMap((f) => f.items).find((x) => x.text === '我也想要')!;
    const m2Ref = seenBy(host).ref!;
    expect(m2Ref).toMatch(/^[0-9a-f]{16}$/);
    for (const c of [viewer, m1, m2]) expect(seenBy(c).ref).toBeUndefined();
    for (const c of [viewer, m1, m2]) expect(JSON.stringify(c.frames)).not.toContain(m2Ref);
    const lateViewer = await LiveClient.open(t.url, { roomId });
    const lateHost = await LiveClient.open(t.url, { roomId, token: deskToken });
    expect(lateViewer.welcome().comments.map((c) => c.ref)).toEqual(lateViewer.welcome().comments.map(() => undefined));
    expect(lateHost.welcome().comments.find((c) => c.text === '我也想要')!.ref).toBe(m2Ref);

    // A ref HQ does not know: not_found. Another room's ref (m1 there): not_found. Nothing muted.
    const unknown = await desk.command('live.mute', { roomId, ref: 'fedcba9876543210', minutes: 10 });
    expect(unknown).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
    const otherRoom = randomUUID();
    await ok('live.create', { roomId: otherRoom, title: '另一场', streamUrl: 'https://live.example.com/y', scheduledAt: Date.now() });
    await ok('live.state', { roomId: otherRoom, state: 'live' });
    const otherHost = await LiveClient.open(t.url, { roomId: otherRoom, token: deskToken });
    const m1There = await LiveClient.open(t.url, { roomId: otherRoom, token: await token(t.url, key, 'store-a', 'm1'), nickname: '小鹿' });
    m1There.send({ t: 'comment', clientId: 'c-m1-other01', text: '两边都在' });
    await waitFor(() => otherHost.comments().includes('两边都在'), 5000, 'comment in the other room');
    const otherRef = otherHost.of('comments').flatMap((f) => f.items).find((x) => x.text === '两边都在')!.ref!;
    expect(otherRef).not.toBe(await refOf('m1'));
    await waitFor(async () => (await t.hq.store.read((r) => r.live.participantByRef(otherRoom, otherRef))) !== null, 5000, 'the other room’s participants flushed');
    expect(await desk.command('live.mute', { roomId, ref: otherRef, minutes: 10 })).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });

    // A host's mute from m2's comment (by its ref, a desk command) takes effect on the socket at once.
    await waitFor(async () => (await t.hq.store.read((r) => r.live.participantByRef(roomId, m2Ref))) !== null, 5000, 'm2 known by ref');
    await ok('live.mute', { roomId, ref: m2Ref, minutes: 10 });
    await sleep(300);
    m2.send({ t: 'comment', clientId: 'c-m2-muted01', text: '嗯？' });
    await waitFor(() => m2.of('refused').some((f) => f.code === 'muted'), 5000, 'muted by the desk');
    expect(viewer.comments()).not.toContain('嗯？');
    // m1 was not muted (neither by the unknown nor by the other room's ref).
    m1.send({ t: 'comment', clientId: 'c-m1-after01', text: '我还能说' });
    await waitFor(() => viewer.comments().includes('我还能说'), 5000, 'm1 still speaks');
    for (const c of [m1, m2, viewer, host, lateViewer, lateHost, otherHost, m1There]) expect(c.bad).toEqual([]);
  }, 60_000);
});

describe('the room socket across two HQ nodes (PostgreSQL + NATS), one killed mid-stream', () => {
  it('comments and reactions cross nodes; the killed node’s viewers reconnect to the other and keep going; questions survive', async () => {
    const { t, node2 } = await twoLiveNodes((close) => cleanups.push(close));
    const key = t.hq.integrationKey;
    const r = room('store-a');
    await putRoom(t.hq.eventLog, r);

    const a1 = await LiveClient.open(t.url, { roomId: r.id, token: await token(t.url, key, 'store-a', 'm1'), nickname: '一号' });
    const aViewer = await LiveClient.open(t.url, { roomId: r.id });
    const b1 = await LiveClient.open(node2.url, { roomId: r.id, token: await token(t.url, key, 'store-a', 'm2'), nickname: '二号' });
    const bViewer = await LiveClient.open(node2.url, { roomId: r.id });
    const host = await LiveClient.open(node2.url, { roomId: r.id, token: (await t.enroll('store-a', 'Live desk')).token });
    expect([a1, aViewer, b1, bViewer, host].map((c) => c.welcome().role)).toEqual(['member', 'viewer', 'member', 'viewer', 'host']);

    // Node 1 → node 2 and back.
    a1.send({ t: 'comment', clientId: 'c-a1-000001', text: '来自一号节点' });
    b1.send({ t: 'comment', clientId: 'c-b1-000001', text: '来自二号节点' });
    for (const c of [a1, aViewer, b1, bViewer, host]) await waitFor(() => c.comments().includes('来自一号节点') && c.comments().includes('来自二号节点'), 10_000, 'comments across nodes');
    // The author's ref crosses the bus to the host on node 2; node 2's viewer gets the comment without it.
    const fromNode1 = (c: LiveClient) => c.of('comments').flatMap((f) => f.items).find((x) => x.text === '来自一号节点')!;
    expect(fromNode1(host).ref).toMatch(/^[0-9a-f]{16}$/);
    expect(fromNode1(bViewer).ref).toBeUndefined();
    // Host on node 2 deletes node 1's comment: gone on node 1 too.
    const id = aViewer.of('comments').flatMap((f) => f.items).find((c) => c.text === '来自一号节点')!.id;
    host.send({ t: 'delete', commentId: id });
    await waitFor(() => aViewer.of('deleted').some((f) => f.ids.includes(id)), 10_000, 'deleted across nodes');
    // Reactions on both nodes add up everywhere.
    for (let i = 0; i < 20; i++) {
      aViewer.send({ t: 'react', kind: 'clap' });
      bViewer.send({ t: 'react', kind: 'clap' });
    }
    const claps = (c: LiveClient) => c.of('reactions').reduce((n, f) => n + (f.counts.clap ?? 0), 0);
    await waitFor(() => claps(aViewer) === 40 && claps(bViewer) === 40, 10_000, '40 claps on both nodes');
    // The viewer count covers both nodes (the host's console on node 2 is not counted).
    await waitFor(() => aViewer.of('viewers').at(-1)?.n === 4, 10_000, '4 viewers seen from node 1');

    // A question asked on node 2 before the kill.
    b1.send({ t: 'ask', clientId: 'q-b1-000001', text: '什么时候发货？' });
    // (The asker gets it as the answer to `ask` and again from the log's event: one question, by id.)
    await waitFor(() => b1.of('question').length >= 1, 10_000, 'question accepted');
    expect(new Set(b1.of('question').map((f) => f.question.id)).size).toBe(1);

    // Node 2 dies mid-stream, with comments flowing.
    await node2.kill9();
    await waitFor(() => b1.closed !== null && bViewer.closed !== null && host.closed !== null, 10_000, 'node 2 sockets gone');
    // Its viewers reconnect to node 1 (their client would try the next address).
    const b1Token = await token(t.url, key, 'store-a', 'm2');
    await b1.connect({ roomId: r.id, token: b1Token, nickname: '二号' }, t.url);
    await bViewer.connect({ roomId: r.id }, t.url);
    expect(b1.welcome().role).toBe('member');
    // The question is durable: still theirs.
    expect(b1.welcome().questions.map((q) => [q.text, q.mine])).toEqual([['什么时候发货？', true]]);
    // The backlog of node 1 holds what was said before the kill (from both nodes).
    expect(bViewer.welcome().comments.map((c) => c.text)).toContain('来自二号节点');
    // Comments keep flowing to everyone, now all on node 1.
    for (let i = 0; i < 2; i++) a1.send({ t: 'comment', clientId: `c-a1-after-${i}`, text: `之后${i}` });
    b1.send({ t: 'comment', clientId: 'c-b1-after-0', text: '我回来了' });
    for (const c of [a1, aViewer, b1, bViewer]) await waitFor(() => ['之后1', '我回来了'].every((x) => c.comments().includes(x)), 10_000, 'comments after the kill');
    // One more viewer on node 1, then node 2's presence entry ages out: the count is node 1's five
    // sockets alone (the host's console on node 2 was never counted; 5 is neither the 4 before the
    // kill nor node 1's 5 plus node 2's stale 2).
    const extra = await LiveClient.open(t.url, { roomId: r.id });
    await waitFor(() => aViewer.of('viewers').at(-1)?.n === 5, 15_000, '5 viewers after node 2 aged out');
    for (const c of [a1, aViewer, b1, bViewer, extra]) expect(c.bad).toEqual([]);
  }, 90_000);
});
