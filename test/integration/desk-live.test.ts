// Live rooms on real desk cores (own cache files) against a real HQ with its room socket, viewers on
// plain `ws` clients: a clerk schedules a room (pending, then HQ's), goes live; the console's room
// socket brings viewers' comments, the viewer count and live poll counts as `liveStream` events; the
// host comments (viewers see it as the host's) and deletes a viewer's comment (gone for viewers);
// a viewer's question reaches the queue with the asker's member id, is answered on air and the asker
// muted; a poll runs and closes; a lottery among commenters is drawn and checkable; an action taken
// offline is queued, shown pending and delivered once; a mute from a comment (by its author's ref)
// goes out once; a desk enrolled later gets the room, its durable parts, its reservations and mutes
// from its snapshot; erasing the member drops their question, mute and reservation everywhere; the
// ended room's summary, the room's QR and the lottery's audit come from HQ.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import type { LiveStreamEvent } from '../../shared/deskLive.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { drawWinners, LotteryAudit } from '../../shared/live.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { LiveViewer } from '../support/liveViewer.ts';
import { MemberClient } from '../support/memberClient.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
const viewers: LiveViewer[] = [];
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'storesAB', unservedSweepMs: 0 });
  await t.ingest('clerks', [{ id: 'li-na', storeId: 'store-a', name: '李娜', role: 'clerk', pin: '1111' }]);
});
afterEach(async () => {
  for (const v of viewers.splice(0)) v.close();
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function started(name: string) {
  const c = await t.desk('store-a', name);
  c.desk.start();
  await waitFor(async () => (await online(c.desk)) && (await c.desk.listClerks()).length === 1, 5000, `${name} online with clerks`);
  expect((await c.desk.signIn('li-na', '1111')).ok).toBe(true);
  return c;
}

/** A room scheduled at the desk, confirmed by HQ, then live. */
async function liveRoom(desk: DeskCore) {
  const scheduledAt = Date.now() + 3_600_000;
  const { roomId } = await desk.createLiveRoom({ title: '春季新品发布', description: '跑鞋新款', streamUrl: 'https://video.example/spring', scheduledAt });
  const [queued] = await desk.listLiveRooms();
  expect(queued).toMatchObject({ id: roomId, title: '春季新品发布', state: 'scheduled', sync: 'pending', scheduledAt });
  expect(queued!.link).toBe(`${t.url}/m/live.html?room=${roomId}`);
  await waitFor(async () => (await desk.listLiveRooms())[0]?.sync === null, 5000, 'room confirmed');
  await desk.setLiveState(roomId, 'live');
  expect((await desk.getLiveConsole(roomId)).room).toMatchObject({ state: 'live', sync: 'pending' });
  await waitFor(async () => (await desk.getLiveConsole(roomId)).room.sync === null, 5000, 'live confirmed');
  expect((await desk.getLiveConsole(roomId)).room).toMatchObject({ state: 'live' });
  return roomId;
}

async function viewer(roomId: string, memberId: string, nickname: string) {
  const m = await MemberClient.viaIntegration(t.url, t.hq.integrationKey, 'store-a', memberId);
  const v = await LiveViewer.join(t.url, roomId, m.session.token, nickname);
  viewers.push(v);
  return v;
}

describe('live rooms on the desk', () => {
  it('hosts a room: comments, host comment and delete, a question answered and its asker muted, a poll, a lottery, the end', async () => {
    const { desk } = await started('A1');
    const roomId = await liveRoom(desk);
    const stream: LiveStreamEvent[] = [];
    desk.on('liveStream', (e) => stream.push(e));
    await desk.openLiveStream(roomId);
    await waitFor(() => stream.some((e) => e.kind === 'welcome'), 5000, 'console stream open');

    const v1 = await viewer(roomId, 'm1', '跑者');
    const anon = await LiveViewer.join(t.url, roomId);
    viewers.push(anon);
    await waitFor(() => stream.some((e) => e.kind === 'viewers' && e.n >= 2), 5000, 'viewer count');

    v1.comment('这双鞋有黑色吗？');
    await waitFor(() => stream.some((e) => e.kind === 'comments' && e.items.some((c) => c.text === '这双鞋有黑色吗？')), 5000, 'comment at the console');
    const c1 = stream.flatMap((e) => (e.kind === 'comments' ? e.items : [])).find((c) => c.text === '这双鞋有黑色吗？')!;
    expect(c1).toMatchObject({ nickname: '跑者', host: false });
    expect(c1).not.toHaveProperty('memberId');

    // The host's comment reaches viewers as the host's; a deletion removes a comment for everyone.
    await desk.sendLiveComment(roomId, '有的，黑白两色');
    await waitFor(() => anon.comments().some((c) => c.text === '有的，黑白两色' && c.host), 5000, 'host comment at the viewer');
    await desk.deleteLiveComment(roomId, c1.id);
    await waitFor(() => anon.frames.some((f) => f.t === 'deleted' && f.ids.includes(c1.id)), 5000, 'deleted at the viewer');
    await waitFor(() => stream.some((e) => e.kind === 'deleted' && e.ids.includes(c1.id)), 5000, 'deleted at the console');

    // A question: durable, in the queue with the asker's member id (desks only); answered on air.
    v1.ask('38码偏大吗？');
    await waitFor(async () => (await desk.getLiveConsole(roomId)).questions.length === 1, 5000, 'question queued');
    const [q] = (await desk.getLiveConsole(roomId)).questions;
    expect(q).toMatchObject({ n: 1, memberId: 'm1', nickname: '跑者', text: '38码偏大吗？', status: 'open', pending: null });
    await desk.answerLiveQuestion(roomId, q!.id, { onAir: true });
    expect((await desk.getLiveConsole(roomId)).questions[0]!.pending).toBe('answer');
    await waitFor(async () => (await desk.getLiveConsole(roomId)).questions[0]?.status === 'answered', 5000, 'answered');
    expect((await desk.getLiveConsole(roomId)).questions[0]).toMatchObject({ onAir: true, pending: null });
    await desk.muteLiveViewer(roomId, { memberId: 'm1' }, 10);
    expect((await desk.getLiveConsole(roomId)).pendingMutes).toEqual({ m1: 10 });
    await waitFor(async () => (await desk.getLiveConsole(roomId)).mutes.some((m) => m.memberId === 'm1'), 5000, 'muted');
    await expect(desk.muteLiveViewer(roomId, { memberId: 'm-unknown' }, 10)).rejects.toMatchObject({ code: 'not_found' });

    // A poll: opened (pending, then HQ's), a vote's live counts reach the console, closed.
    const { pollId } = await desk.openLivePoll(roomId, { question: '更喜欢哪个颜色？', options: ['黑', '白'] });
    expect((await desk.getLiveConsole(roomId)).polls[0]).toMatchObject({ id: pollId, pending: 'open', state: 'open' });
    await waitFor(async () => (await desk.getLiveConsole(roomId)).polls[0]?.pending === null, 5000, 'poll open at HQ');
    v1.send({ t: 'vote', pollId, option: 1 });
    await waitFor(() => stream.some((e) => e.kind === 'poll' && e.poll.id === pollId && e.poll.counts[1] === 1), 5000, 'live poll counts');
    await desk.closeLivePoll(roomId, pollId);
    await waitFor(async () => (await desk.getLiveConsole(roomId)).polls[0]?.state === 'closed', 5000, 'poll closed');

    // A lottery among commenters: drawn by HQ, checkable from its audit.
    await waitFor(async () => {
      await desk.drawLiveLottery(roomId, { prize: '限量袜子', eligibility: 'commented', winners: 1 });
      await waitFor(async () => (await desk.getLiveConsole(roomId)).pendingDraws.filter((d) => !d.rejection).length === 0, 5000, 'draw answered');
      const l = (await desk.getLiveConsole(roomId)).lotteries.at(-1);
      return (l?.winners.length ?? 0) === 1;
    }, 10_000, 'a lottery with a winner (participants are noted about once a second)');
    const lottery = (await desk.getLiveConsole(roomId)).lotteries.at(-1)!;
    expect(lottery.winners.map((w) => w.nickname)).toEqual(['跑者']);
    expect(lottery.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(lottery.winners[0]!.ref).toMatch(/^[0-9a-f]{16,64}$/);

    // The end: final; the console's stream closes.
    await desk.setLiveState(roomId, 'ended');
    await waitFor(async () => (await desk.getLiveConsole(roomId)).room.state === 'ended' && (await desk.getLiveConsole(roomId)).room.sync === null, 5000, 'ended');
    await expect(desk.setLiveState(roomId, 'live')).rejects.toMatchObject({ code: 'not_allowed' });
    await desk.closeLiveStream(roomId);
    await waitFor(() => stream.at(-1)?.kind === 'status' && (stream.at(-1) as { status: string }).status === 'closed', 2000, 'stream closed');

    // Bad arguments never reach the outbox.
    await expect(desk.createLiveRoom({ title: '', streamUrl: 'https://x.example', scheduledAt: 1 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(desk.createLiveRoom({ title: 'x', streamUrl: 'http://insecure.example', scheduledAt: 1 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(desk.getLiveConsole(uuidv7())).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the room’s QR, the lottery audit and the ended room’s summary come from HQ', async () => {
    const { desk } = await started('A1');
    const roomId = await liveRoom(desk);
    const v1 = await viewer(roomId, 'm1', '跑者');
    v1.comment('来了');
    v1.ask('有38码吗？');
    await waitFor(async () => (await desk.getLiveConsole(roomId)).questions.length === 1, 5000, 'question');
    await desk.answerLiveQuestion(roomId, (await desk.getLiveConsole(roomId)).questions[0]!.id, { answer: '有的' });
    expect(await desk.getLiveQr(roomId)).toMatch(/<svg[\s>]/);
    await waitFor(async () => {
      await desk.drawLiveLottery(roomId, { prize: '袜子', eligibility: 'commented', winners: 1 });
      await waitFor(async () => (await desk.getLiveConsole(roomId)).pendingDraws.filter((d) => !d.rejection).length === 0, 5000, 'draw answered');
      return ((await desk.getLiveConsole(roomId)).lotteries.at(-1)?.winners.length ?? 0) === 1;
    }, 10_000, 'a lottery with a winner');
    const lottery = (await desk.getLiveConsole(roomId)).lotteries.at(-1)!;
    const audit = LotteryAudit.parse(await (await fetch(`${t.url}/v1/live/rooms/${roomId}/lotteries/${lottery.id}/audit`)).json());
    expect(drawWinners(audit.lottery.seed, audit.eligible.map((e) => e.ref), 1, sha256)).toEqual(lottery.winners.map((w) => w.ref));
    await desk.setLiveState(roomId, 'ended');
    await waitFor(async () => (await desk.getLiveConsole(roomId)).room.sync === null && (await desk.getLiveConsole(roomId)).room.state === 'ended', 5000, 'ended');
    const summary = await desk.getLiveSummary(roomId);
    expect(summary).toMatchObject({ roomId, state: 'ended', questions: 1, questionsAnswered: 1, lotteries: 1 });
  });

  it('an action taken offline is queued, shown pending, and delivered once when HQ is back', async () => {
    const { desk } = await started('A1');
    const roomId = await liveRoom(desk);
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'offline');
    await desk.pinLive(roomId, { message: '下单满500减50' });
    const { pollId } = await desk.openLivePoll(roomId, { question: '几点开始抽奖？', options: ['8点', '9点'] });
    const offline = await desk.getLiveConsole(roomId);
    expect(offline.room).toMatchObject({ pinnedMessage: '下单满500减50', sync: 'pending' });
    expect(offline.polls).toEqual([expect.objectContaining({ id: pollId, pending: 'open' })]);
    expect((await desk.getConnection()).queued).toBe(2);
    expect(await desk.getLiveSummary(roomId)).toBeNull(); // HQ cannot be asked now
    await t.up();
    await waitFor(async () => (await desk.getConnection()).queued === 0 && (await desk.getLiveConsole(roomId)).polls[0]?.pending === null, 8000, 'delivered');
    const back = await desk.getLiveConsole(roomId);
    expect(back.room).toMatchObject({ pinnedMessage: '下单满500减50', sync: null });
    expect(back.polls.map((p) => p.id)).toEqual([pollId]); // once
  });

  it('a desk enrolled later gets the room, its durable parts, its reservations and mutes from its snapshot; a mute from a comment goes out once; erasure drops the member’s parts', async () => {
    const a1 = await started('A1');
    const roomId = await liveRoom(a1.desk);
    const stream: LiveStreamEvent[] = [];
    a1.desk.on('liveStream', (e) => stream.push(e));
    await a1.desk.openLiveStream(roomId);
    await waitFor(() => stream.some((e) => e.kind === 'welcome'), 5000, 'console stream open');
    const m1 = await MemberClient.viaIntegration(t.url, t.hq.integrationKey, 'store-a', 'm1');
    const v1 = await LiveViewer.join(t.url, roomId, m1.session.token, '跑者');
    viewers.push(v1);
    v1.ask('有没有宽楦？');
    await waitFor(async () => (await a1.desk.getLiveConsole(roomId)).questions.length === 1, 5000, 'question');
    const { pollId } = await a1.desk.openLivePoll(roomId, { question: '颜色？', options: ['黑', '白'] });
    await waitFor(async () => (await a1.desk.getLiveConsole(roomId)).polls[0]?.pending === null, 5000, 'poll at HQ');

    // A comment reaches the console with its author's ref; the mute from it is queued (pending by
    // that ref), goes out once, and comes back naming the member with the ref.
    v1.comment('刷屏刷屏');
    await waitFor(() => stream.some((e) => e.kind === 'comments' && e.items.some((c) => c.text === '刷屏刷屏')), 5000, 'comment at the console');
    const ref = stream.flatMap((e) => (e.kind === 'comments' ? e.items : [])).find((c) => c.text === '刷屏刷屏')!.ref!;
    expect(ref).toMatch(/^[0-9a-f]{16}$/);
    await expect(a1.desk.muteLiveViewer(roomId, { ref: '0123456789abcdef' }, 60)).rejects.toMatchObject({ code: 'not_found' }); // never shown here
    await expect(a1.desk.muteLiveViewer(roomId, { ref: 'not-a-ref' }, 60)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(a1.desk.muteLiveViewer(roomId, { ref, memberId: 'm1' } as never, 60)).rejects.toMatchObject({ code: 'invalid_argument' });
    // HQ learns who commented about once a second: mute once it does (before, HQ answers not_found, "try again").
    await waitFor(async () => (await t.hq.store.read((r) => r.live.participantByRef(roomId, ref))) !== null, 5000, 'HQ knows the ref');
    await a1.desk.muteLiveViewer(roomId, { ref }, 60);
    expect((await a1.desk.getLiveConsole(roomId)).pendingMutes).toEqual({ [ref]: 60 });
    await waitFor(async () => (await a1.desk.getLiveConsole(roomId)).mutes.length === 1, 5000, 'muted');
    const after = await a1.desk.getLiveConsole(roomId);
    expect(after.pendingMutes).toEqual({});
    expect(after.refusals).toEqual([]);
    expect(after.mutes).toEqual([{ roomId, memberId: 'm1', nickname: '跑者', until: expect.any(Number), ref }]);
    expect((await t.readLog('store-a')).filter((e) => e.type === 'live.muted')).toHaveLength(1);
    v1.comment('还能说吗');
    await waitFor(() => v1.frames.some((f) => f.t === 'refused' && f.code === 'muted'), 5000, 'the viewer is muted');

    // A reservation from the room (the member's hold at the store): the console shows it.
    await t.ingest('stock', [{ storeId: 'store-a', styleId: 's1', color: 'BLK', size: 38, qty: 2 }]);
    const hold = await m1.http('/v1/member/holds', { body: { clientId: `c-${uuidv7()}`, storeId: 'store-a', styleId: 's1', color: 'BLK', size: 38, source: { kind: 'live', id: roomId } } });
    expect(hold.status).toBe(201);
    const holdId = ((await hold.json()) as { hold: { id: string } }).hold.id;
    await waitFor(async () => (await a1.desk.getLiveConsole(roomId)).reservations.length === 1, 5000, 'reservation at the console');

    // A desk set up after all that knows them from its snapshot alone.
    const a2 = await started('A2');
    await waitFor(async () => (await a2.desk.listLiveRooms()).length === 1, 5000, 'snapshot rooms');
    const c = await a2.desk.getLiveConsole(roomId);
    expect(c.room).toMatchObject({ id: roomId, state: 'live', sync: null });
    expect(c.questions.map((x) => [x.nickname, x.text])).toEqual([['跑者', '有没有宽楦？']]);
    expect(c.polls.map((p) => p.id)).toEqual([pollId]);
    expect(c.mutes).toEqual(after.mutes);
    expect(c.reservations).toEqual([expect.objectContaining({ roomId, hold: expect.objectContaining({ id: holdId, storeId: 'store-a', status: 'active' }), storeName: 'Store A' })]);
    expect(c.reservations[0]!.expected).toMatchObject({ holdId, status: 'expected' });

    const res = await fetch(`${t.url}/v1/ingest/members/m1`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    for (const d of [a1.desk, a2.desk]) {
      await waitFor(async () => {
        const x = await d.getLiveConsole(roomId);
        return x.questions.length === 0 && x.mutes.length === 0 && x.reservations.length === 0;
      }, 5000, 'the member’s question, mute and reservation erased');
    }
  });
});
