// Live rooms at HQ (6/8): a real HQ, real desk sockets for the hosts' commands, the room socket's
// use cases (LiveService) on the same event log, and the public and desk HTTP routes. The core —
// the host rule, questions and answers, votes that replace, the lottery (its audit recomputed here
// independently with node:crypto and drawWinners, eligibility, winners told in their chat), and the
// reserve race on the last pair through to the manager's summary, a mute by a comment's ref, and the
// snapshot's reservations and mutes — runs on SQLite and PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drawWinners, type LiveRoom, LiveSummary, LotteryAudit } from '../../shared/live.ts';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { type Hold } from '../../shared/holds.ts';
import { type CmdAckFrame, CommandData, type CommandType, type EvFrame } from '../../shared/protocol.ts';
import { defaultAdapter, type StoreAdapter, TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

type Desk = RecordingDesk & { deviceId: string; token: string };
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function setup(adapter: StoreAdapter) {
  const ctx = {} as { t: TestHq; desks: Desk[] };
  beforeEach(async () => {
    ctx.t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0, adapter });
    const res = await ctx.t.ingestRaw('clerks', [
      { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'xu', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
    ]);
    expect(res.status).toBe(200);
    ctx.desks = [];
  });
  afterEach(async () => {
    for (const d of ctx.desks.splice(0)) d.close();
    await ctx.t.dispose();
  });
  const deskAt = async (storeId: string, name: string): Promise<Desk> => {
    const e = await ctx.t.enroll(storeId, name);
    const d = Object.assign(await RecordingDesk.connect(ctx.t.hq, e.token), { deviceId: e.deviceId, token: e.token });
    ctx.desks.push(d);
    return d;
  };
  const cmd = async (d: Desk, type: CommandType, data: Record<string, unknown>, clerkId?: string, opId: string = randomUUID()): Promise<CmdAckFrame> => {
    d.send({ t: 'cmd', opId, type, ...(clerkId ? { clerkId } : {}), data });
    await d.waitFor((f) => f.t === 'cmdAck' && (f as { opId?: string }).opId === opId);
    return d.frames.find((f) => f.t === 'cmdAck' && (f as { opId?: string }).opId === opId) as CmdAckFrame;
  };
  const evs = <T extends EvFrame['type']>(d: Desk, type: T) => d.events().filter((e): e is Extract<EvFrame, { type: T }> => e.type === type);
  /** A live room of store A (Ann hosting), live now. */
  const liveRoom = async (d: Desk, over: Record<string, unknown> = {}): Promise<string> => {
    const roomId = randomUUID();
    expect(await cmd(d, 'live.create', { roomId, title: '春季新品发布', streamUrl: 'https://live.example.com/r/1', scheduledAt: Date.now() + 60_000, ...over }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(d, 'live.state', { roomId, state: 'live' }, 'ann')).toMatchObject({ status: 'ok' });
    return roomId;
  };
  const get = async <T = unknown>(path: string, token?: string): Promise<{ status: number; body: T; type: string }> => {
    const res = await fetch(`${ctx.t.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: (type.includes('json') ? await res.json() : await res.text()) as T };
  };
  return { ctx, deskAt, cmd, evs, liveRoom, get };
}

describe.each(['sqlite', 'postgres'] as StoreAdapter[])('live rooms at HQ, the core (%s)', (adapter) => {
  const { ctx, deskAt, cmd, evs, liveRoom, get } = setup(adapter);

  it('the host rule and the room’s life: any clerk of the store hosts, nobody without a clerk, no other store', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const a2 = await deskAt('store-a', 'A2');
    const b1 = await deskAt('store-b', 'B1');
    const roomId = randomUUID();
    const create = { roomId, title: '春季新品发布', streamUrl: 'https://live.example.com/r/1', scheduledAt: Date.now() + 60_000 };
    expect(await cmd(a1, 'live.create', create)).toMatchObject({ status: 'rejected', rejection: { code: 'forbidden' } });
    const created = await cmd(a1, 'live.create', create, 'ann');
    expect(created.status).toBe('ok');
    expect(await cmd(a1, 'live.create', create, 'ann')).toMatchObject({ status: 'ok', seq: null });
    expect(await cmd(b1, 'live.create', create, 'xu')).toMatchObject({ rejection: { code: 'invalid' } });
    await a2.waitFor((f) => f.t === 'ev' && f.type === 'live.updated');
    expect(evs(a2, 'live.updated')[0]!.data).toMatchObject({ room: { id: roomId, storeId: 'store-a', state: 'scheduled', createdBy: { clerkId: 'ann' } }, opId: created.opId });

    // Another store's desk: as unknown. A desk with nobody signed in: forbidden.
    expect(await cmd(b1, 'live.update', { roomId, title: '抢来的' }, 'xu')).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await cmd(a2, 'live.update', { roomId, slowModeSec: 10 })).toMatchObject({ rejection: { code: 'forbidden' } });
    expect(await cmd(a2, 'live.update', { roomId, slowModeSec: 10, description: '新款跑鞋' }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a2, 'live.update', { roomId, slowModeSec: 10 }, 'ann')).toMatchObject({ status: 'ok', seq: null });
    expect(await cmd(a1, 'live.pin', { roomId, styleId: 'nope' }, 'ann')).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await cmd(a1, 'live.pin', { roomId, styleId: 's1', message: '今晚 8 折' }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.state', { roomId, state: 'live' }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.state', { roomId, state: 'live' }, 'ann')).toMatchObject({ status: 'ok', seq: null });
    let room = (await ctx.t.hq.store.read((r) => r.live.getRoom(roomId)))!;
    expect(room).toMatchObject({ state: 'live', slowModeSec: 10, description: '新款跑鞋', pinnedStyleId: 's1', pinnedMessage: '今晚 8 折' });
    expect(room.startedAt).toBeGreaterThan(0);
    expect(await cmd(a1, 'live.pin', { roomId, message: null }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.state', { roomId, state: 'ended' }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.state', { roomId, state: 'live' }, 'ann')).toMatchObject({ rejection: { code: 'closed' } });
    expect(await cmd(a1, 'live.update', { roomId, title: 'again' }, 'ann')).toMatchObject({ rejection: { code: 'closed' } });
    room = (await ctx.t.hq.store.read((r) => r.live.getRoom(roomId)))!;
    expect(room).toMatchObject({ state: 'ended', pinnedMessage: null, pinnedStyleId: 's1' });
    expect(b1.events().filter((e) => e.type.startsWith('live.'))).toEqual([]);

    // The snapshot carries the store's rooms with their durable parts; the other store's has none.
    const snap = await ctx.t.snapshot(a1.token);
    expect(snap.liveRooms).toEqual([{ room, questions: [], polls: [], lotteries: [], reservations: [], mutes: [] }]);
    expect((await ctx.t.snapshot(b1.token)).liveRooms).toEqual([]);
  });

  it('questions: refused before live, muted or with a blocked word; idempotent; answered and seen by the asker', async () => {
    const live = ctx.t.hq.live;
    const a1 = await deskAt('store-a', 'A1');
    await ctx.t.hq.store.withTx((tx) => tx.groups.putCommunitySettings({ pushCapPerMonth: 4, keywords: ['代购'] }));
    const roomId = randomUUID();
    expect(await cmd(a1, 'live.create', { roomId, title: 'R', streamUrl: 'https://live.example.com/r', scheduledAt: Date.now() }, 'ann')).toMatchObject({ status: 'ok' });
    await expect(live.ask(roomId, 'm1', '小芳', 'client-0001', '有 38 码吗？')).rejects.toMatchObject({ code: 'closed' });
    expect(await cmd(a1, 'live.state', { roomId, state: 'live' }, 'ann')).toMatchObject({ status: 'ok' });
    await expect(live.ask('nope', 'm1', '小芳', 'client-0001', 'x')).rejects.toMatchObject({ code: 'not_found' });
    await expect(live.ask(roomId, 'm1', '小芳', 'client-0002', '找代购吗')).rejects.toMatchObject({ code: 'blocked_word' });
    await expect(live.ask(roomId, 'm1', '小芳', 'client-0002', 'x'.repeat(301))).rejects.toMatchObject({ code: 'invalid' });
    await expect(live.ask(roomId, 'm1', '小芳', 'bad id!', 'ok?')).rejects.toMatchObject({ code: 'invalid' });
    await expect(live.ask(roomId, 'm1', '小芳', 'client-0002', '   ')).rejects.toMatchObject({ code: 'invalid' });
    const q1 = await live.ask(roomId, 'm1', '小芳', 'client-0001', '有 38 码吗？');
    expect(q1).toMatchObject({ n: 1, memberId: 'm1', nickname: '小芳', status: 'open' });
    expect((await live.ask(roomId, 'm1', '小芳', 'client-0001', '有 38 码吗？')).id).toBe(q1.id);
    const q2 = await live.ask(roomId, 'm2', 'Bo', 'client-0001', 'Colours?');
    expect(q2.n).toBe(2);
    await a1.waitFor(() => evs(a1, 'live.question').length === 2);
    expect(evs(a1, 'live.question')[0]!.data).toMatchObject({ question: { id: q1.id }, by: null, opId: null });

    // A mute refuses their questions until it ends; 0 lifts it.
    expect(await cmd(a1, 'live.mute', { roomId, memberId: 'm2', minutes: 10 }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await live.mutedUntil(roomId, 'm2')).toBeGreaterThan(Date.now());
    await expect(live.ask(roomId, 'm2', 'Bo', 'client-0003', 'again?')).rejects.toMatchObject({ code: 'muted' });
    expect(await cmd(a1, 'live.mute', { roomId, memberId: 'm2', minutes: 0 }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await live.mutedUntil(roomId, 'm2')).toBeNull();
    expect(evs(a1, 'live.muted').map((e) => e.data.until === null)).toEqual([false, true]);

    expect(await cmd(a1, 'live.answer', { roomId, questionId: q1.id, onAir: false }, 'ann')).toMatchObject({ rejection: { code: 'invalid' } });
    expect(await cmd(a1, 'live.answer', { roomId, questionId: q1.id, answer: '有的，黑白两色' }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.answer', { roomId, questionId: q2.id, dismiss: true }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.answer', { roomId, questionId: 'nope' }, 'ann')).toMatchObject({ rejection: { code: 'not_found' } });
    // A viewer sees answered questions, and their own; never a member id.
    const forM2 = await live.welcomeState(roomId, 'm2');
    expect(forM2.questions).toEqual([expect.objectContaining({ id: q1.id, status: 'answered', answer: '有的，黑白两色', mine: false }), expect.objectContaining({ id: q2.id, status: 'dismissed', mine: true })]);
    expect(JSON.stringify(forM2)).not.toContain('"memberId"');
    expect((await live.welcomeState(roomId, null)).questions.map((q) => q.id)).toEqual([q1.id]);
  });

  it('mute by ref (a comment’s author): only this room’s participants; unknown yet or another room’s is not_found; the snapshot carries the mute', async () => {
    const live = ctx.t.hq.live;
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    const roomId = await liveRoom(a1);
    const other = await liveRoom(a1);
    // The nodes record who joined and commented (as liveHub's participants flush does).
    await live.noteParticipants(roomId, [
      { memberId: 'm1', nickname: '小芳', what: 'joined' },
      { memberId: 'm2', nickname: 'Bo', what: 'commented' },
    ]);
    await live.noteParticipants(other, [{ memberId: 'm3', nickname: '阿伟', what: 'commented' }, { memberId: 'm2', nickname: 'Bo', what: 'joined' }]);
    const refOf = async (room: string, m: string) => (await ctx.t.hq.store.read((r) => r.live.participant(room, m)))!.ref;
    const bo = await refOf(roomId, 'm2');
    // Refs are per room: the same member has another one in the other room.
    expect(await refOf(other, 'm2')).not.toBe(bo);

    // Exactly one of memberId and ref (the command's schema).
    const schema = CommandData['live.mute'];
    expect(schema.safeParse({ roomId, ref: bo, minutes: 10 }).success).toBe(true);
    expect(schema.safeParse({ roomId, memberId: 'm2', ref: bo, minutes: 10 }).success).toBe(false);
    expect(schema.safeParse({ roomId, minutes: 10 }).success).toBe(false);
    expect(schema.safeParse({ roomId, ref: 'M2', minutes: 10 }).success).toBe(false);

    // By ref: the event names the member (id, nickname) and the ref; their questions are refused.
    const muted = await cmd(a1, 'live.mute', { roomId, ref: bo, minutes: 60 }, 'ann');
    expect(muted).toMatchObject({ status: 'ok' });
    await a1.waitFor(() => evs(a1, 'live.muted').length === 1);
    const ev = evs(a1, 'live.muted')[0]!.data;
    expect(ev).toMatchObject({ roomId, memberId: 'm2', nickname: 'Bo', ref: bo, by: { clerkId: 'ann' }, opId: muted.opId });
    expect(ev.until! - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(await live.mutedUntil(roomId, 'm2')).toBe(ev.until);
    await expect(live.ask(roomId, 'm2', 'Bo', 'client-0001', '还能问吗？')).rejects.toMatchObject({ code: 'muted' });
    // Not in the other room, where the same member is not muted.
    expect(await live.mutedUntil(other, 'm2')).toBeNull();

    // A ref HQ does not know (yet): not_found, saying to try again; another room's ref: not_found;
    // another store's desk: the room is unknown to it. Nothing written by any of them.
    const unknown = await cmd(a1, 'live.mute', { roomId, ref: '0123456789abcdef', minutes: 10 }, 'ann');
    expect(unknown).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
    expect(unknown.rejection!.message).toMatch(/try again in a moment/);
    expect(await cmd(a1, 'live.mute', { roomId, ref: await refOf(other, 'm3'), minutes: 10 }, 'ann')).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await cmd(b1, 'live.mute', { roomId, ref: bo, minutes: 10 }, 'xu')).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await live.mutedUntil(roomId, 'm3')).toBeNull();

    // By member id (from the queue) as before; the event carries the ref HQ knows.
    expect(await cmd(a1, 'live.mute', { roomId, memberId: 'm1', minutes: 10 }, 'ann')).toMatchObject({ status: 'ok' });
    await a1.waitFor(() => evs(a1, 'live.muted').length === 2);
    expect(evs(a1, 'live.muted')[1]!.data).toMatchObject({ memberId: 'm1', nickname: '小芳', ref: await refOf(roomId, 'm1') });

    // The snapshot: the mutes in force, longest first, with nickname and ref; none in the other room.
    const snap = await ctx.t.snapshot(a1.token);
    const entry = (id: string) => snap.liveRooms!.find((x) => x.room.id === id)!;
    expect(entry(roomId).mutes).toEqual([
      { roomId, memberId: 'm2', nickname: 'Bo', until: ev.until, ref: bo },
      { roomId, memberId: 'm1', nickname: '小芳', until: expect.any(Number), ref: await refOf(roomId, 'm1') },
    ]);
    expect(entry(other).mutes).toEqual([]);
    // Lifted (by ref too): gone from the snapshot.
    expect(await cmd(a1, 'live.mute', { roomId, ref: bo, minutes: 0 }, 'ann')).toMatchObject({ status: 'ok' });
    expect((await ctx.t.snapshot(a1.token)).liveRooms!.find((x) => x.room.id === roomId)!.mutes.map((m) => m.memberId)).toEqual(['m1']);
  });

  it('votes replace a member’s earlier one; a closed poll refuses', async () => {
    const live = ctx.t.hq.live;
    const a1 = await deskAt('store-a', 'A1');
    const roomId = await liveRoom(a1);
    const pollId = randomUUID();
    expect(await cmd(a1, 'live.poll', { roomId, pollId, question: '哪个颜色？', options: ['黑', '白', '红'] }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.poll', { roomId, pollId, question: '哪个颜色？', options: ['黑', '白'] }, 'ann')).toMatchObject({ status: 'ok', seq: null });
    await live.vote(roomId, pollId, 'm1', 0);
    await live.vote(roomId, pollId, 'm2', 0);
    expect(await live.vote(roomId, pollId, 'm1', 2)).toMatchObject({ counts: [1, 0, 1], voters: 2 });
    await expect(live.vote(roomId, pollId, 'm1', 5)).rejects.toMatchObject({ code: 'invalid' });
    expect(await cmd(a1, 'live.pollClose', { roomId, pollId }, 'ann')).toMatchObject({ status: 'ok' });
    await expect(live.vote(roomId, pollId, 'm3', 1)).rejects.toMatchObject({ code: 'closed' });
    await a1.waitFor(() => evs(a1, 'live.poll').length === 2);
    expect(evs(a1, 'live.poll')[1]!.data.poll).toMatchObject({ state: 'closed', counts: [1, 0, 1], voters: 2 });
    expect((await live.welcomeState(roomId, null)).polls).toEqual([expect.objectContaining({ id: pollId, state: 'closed', counts: [1, 0, 1] })]);
  });

  it('ending the room closes a poll still open, with its final counts, in the same transaction', async () => {
    const live = ctx.t.hq.live;
    const a1 = await deskAt('store-a', 'A1');
    const roomId = await liveRoom(a1);
    const open = randomUUID();
    const done = randomUUID();
    expect(await cmd(a1, 'live.poll', { roomId, pollId: done, question: '颜色？', options: ['黑', '白'] }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.pollClose', { roomId, pollId: done }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.poll', { roomId, pollId: open, question: '尺码？', options: ['38', '39'] }, 'ann')).toMatchObject({ status: 'ok' });
    await live.vote(roomId, open, 'm1', 1);
    const ended = await cmd(a1, 'live.state', { roomId, state: 'ended' }, 'ann');
    expect(ended.status).toBe('ok');
    await a1.waitFor(() => evs(a1, 'live.updated').some((e) => e.data.room.state === 'ended'));
    const polls = evs(a1, 'live.poll');
    // One more live.poll (the open one closing), none for the poll closed before; it precedes the room's end.
    expect(polls.map((e) => [e.data.poll.id, e.data.poll.state])).toEqual([[done, 'open'], [done, 'closed'], [open, 'open'], [open, 'closed']]);
    expect(polls[3]!.data.poll).toMatchObject({ counts: [0, 1], voters: 1, closedAt: expect.any(Number) });
    const endedEv = evs(a1, 'live.updated').find((e) => e.data.room.state === 'ended')!;
    expect(polls[3]!.seq).toBe(endedEv.seq - 1);
    await expect(live.vote(roomId, open, 'm2', 0)).rejects.toMatchObject({ code: 'closed' });
  });

  it('the lottery: eligibility, a draw anyone can recompute from the audit, winners told in their chat', async () => {
    const live = ctx.t.hq.live;
    const a1 = await deskAt('store-a', 'A1');
    const roomId = await liveRoom(a1);
    await live.noteParticipants(roomId, [
      { memberId: 'm1', nickname: '小芳', what: 'joined' },
      { memberId: 'm1', nickname: '小芳', what: 'commented' },
      { memberId: 'm2', nickname: 'Bo', what: 'commented' },
      { memberId: 'm3', nickname: '阿伟', what: 'commented' },
      { memberId: 'm4', nickname: 'Dee', what: 'joined' },
    ]);
    const pollId = randomUUID();
    expect(await cmd(a1, 'live.poll', { roomId, pollId, question: 'Q', options: ['a', 'b'] }, 'ann')).toMatchObject({ status: 'ok' });
    await live.vote(roomId, pollId, 'm4', 1);

    expect(await cmd(a1, 'live.draw', { roomId, lotteryId: randomUUID(), prize: 'Socks', eligibility: 'asked', winners: 1 }, 'ann')).toMatchObject({ rejection: { code: 'invalid' } });
    expect(await cmd(a1, 'live.draw', { roomId, lotteryId: randomUUID(), prize: 'Socks', eligibility: 'voted', winners: 1 }, 'ann')).toMatchObject({ rejection: { code: 'not_found' } });
    const lotteryId = randomUUID();
    const draw = { roomId, lotteryId, prize: '跑步袜一双', eligibility: 'commented', winners: 2 };
    expect(await cmd(a1, 'live.draw', draw, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'live.draw', draw, 'ann')).toMatchObject({ status: 'ok', seq: null });

    // The audit, over public HTTP, recomputed here with node:crypto: the same digest and winners.
    const audit = await get<LotteryAudit>(`/v1/live/rooms/${roomId}/lotteries/${lotteryId}/audit`);
    expect(audit.status).toBe(200);
    const a = LotteryAudit.parse(audit.body);
    expect(a.eligible.map((e) => e.nickname).sort()).toEqual(['Bo', '小芳', '阿伟'].sort());
    const refs = a.eligible.map((e) => e.ref).sort();
    expect(a.lottery.eligibleCount).toBe(3);
    expect(a.lottery.eligibleDigest).toBe(sha256(refs.join('\n')));
    expect(a.lottery.seed).toMatch(/^[0-9a-f]{64}$/);
    const recomputed = drawWinners(a.lottery.seed, refs, a.lottery.winnersWanted, sha256);
    expect(a.lottery.winners.map((w) => w.ref)).toEqual(recomputed);
    // Refs are opaque: no member id in the audit.
    expect(JSON.stringify(a)).not.toMatch(/"m[1-4]"/);

    // Winners: told in their 1:1 chat (both languages), `won` in their welcome; nobody else.
    const winnerIds = await ctx.t.hq.store.read((r) => r.live.lotteryWinnerIds(lotteryId));
    expect(winnerIds).toHaveLength(2);
    for (const m of ['m1', 'm2', 'm3']) {
      const chat = await ctx.t.hq.store.read((r) => r.chat.messages('store-a', m, null, 10));
      const told = chat.filter((x) => x.body.includes('跑步袜一双') && x.body.includes('Congratulations'));
      expect(told.length, m).toBe(winnerIds.includes(m) ? 1 : 0);
      const w = await live.welcomeState(roomId, m);
      expect(w.lotteries[0]!.won, m).toBe(winnerIds.includes(m));
    }
    await a1.waitFor(() => evs(a1, 'live.lottery').length === 1);
    expect(evs(a1, 'live.lottery')[0]!.data.lottery).toMatchObject({ id: lotteryId, prize: '跑步袜一双', by: { clerkId: 'ann' } });

    // `voted` with the poll: only its voters (m4).
    const second = randomUUID();
    expect(await cmd(a1, 'live.draw', { roomId, lotteryId: second, prize: 'Cap', eligibility: 'voted', pollId, winners: 3 }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await ctx.t.hq.store.read((r) => r.live.lotteryWinnerIds(second))).toEqual(['m4']);
    expect((await get<LotteryAudit>(`/v1/live/rooms/${roomId}/lotteries/nope/audit`)).status).toBe(404);
  });

  it('the reserve race on the last pair: one wins, live.reserved reaches the room’s store; the arrival and the purchase count in the summary', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    const roomId = await liveRoom(a1, { title: '新品首发' });
    expect(await cmd(a1, 'live.pin', { roomId, styleId: 's1' }, 'ann')).toMatchObject({ status: 'ok' });
    // The last pair of s1 BLK 38 at store B.
    await ctx.t.ingest('stock', [{ storeId: 'store-b', styleId: 's1', color: 'BLK', size: 38, qty: 1 }]);
    const card = await get<{ card: { sizes: Array<{ size: number; qty: number }> } }>(`/v1/live/rooms/${roomId}/product?store=store-b`);
    expect(card.status).toBe(200);
    expect(card.body.card.sizes).toEqual([{ size: 38, qty: 1 }]);

    const [m1, m2] = await Promise.all(['m1', 'm2'].map((m) => MemberClient.viaIntegration(ctx.t.url, ctx.t.hq.integrationKey, 'store-a', m)));
    const body = (c: string) => ({ clientId: `c-${c}-${randomUUID()}`, storeId: 'store-b', styleId: 's1', color: 'BLK', size: 38, source: { kind: 'live', id: roomId } });
    const answers = await Promise.all([m1!.http('/v1/member/holds', { body: body('1') }), m2!.http('/v1/member/holds', { body: body('2') })]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    const loser = answers.find((r) => r.status === 409)!;
    expect(await loser.json()).toMatchObject({ error: { code: 'out_of_stock' } });
    const won = (await answers.find((r) => r.status === 201)!.json()) as { hold: Hold; expected: ExpectedVisit };
    const winner = won.hold.member.id;
    expect(won.expected.source).toEqual({ kind: 'live', id: roomId, title: '新品首发' });
    // Sold out now: the card says so.
    expect((await get(`/v1/live/rooms/${roomId}/product?store=store-b`)).status).toBe(409);

    // live.reserved in the ROOM's store's log (store A), the hold itself in store B's.
    await a1.waitFor(() => evs(a1, 'live.reserved').length === 1);
    expect(evs(a1, 'live.reserved')[0]!.data).toMatchObject({ roomId, hold: { id: won.hold.id, storeId: 'store-b' }, storeName: expect.any(String), expected: { id: won.expected.id } });
    await b1.waitFor(() => evs(b1, 'hold.placed').length === 1);
    expect(evs(b1, 'live.reserved')).toEqual([]);
    // A desk set up after it (its snapshot) knows the reservation too; store B's snapshot has no rooms.
    const reservation = (await ctx.t.snapshot(a1.token)).liveRooms!.find((x) => x.room.id === roomId)!.reservations;
    expect(reservation).toEqual([{ roomId, hold: won.hold, storeName: evs(a1, 'live.reserved')[0]!.data.storeName, expected: won.expected }]);
    expect((await ctx.t.snapshot(b1.token)).liveRooms).toEqual([]);

    // The winner walks into store B: the expectation is fulfilled; then buys there.
    await ctx.t.arrival('store-b', winner);
    const seeded = ctx.t.seeded!.members.find((m) => m.id === winner)!;
    await ctx.t.ingest('members', [{ ...seeded, purchases: [{ id: `p-${randomUUID()}`, styleId: 's1', styleName: 'Style s1', category: 'running', color: 'BLK', size: 38, storeId: 'store-b', at: Date.now() + 1000, price: 59900 }] }]);
    await ctx.t.hq.live.noteStats(roomId, { comments: 40, viewerKeys: ['k1', 'k2', 'k3'], viewersNow: 3, nodeId: 'n1' });
    // The snapshot's reservation is as things are now: the expected visit arrived.
    expect((await ctx.t.snapshot(a1.token)).liveRooms!.find((x) => x.room.id === roomId)!.reservations).toEqual([
      expect.objectContaining({ hold: expect.objectContaining({ id: won.hold.id, storeId: 'store-b' }), expected: expect.objectContaining({ id: won.expected.id, status: 'arrived' }) }),
    ]);

    const summary = await get<LiveSummary>(`/v1/desk/live/rooms/${roomId}/summary`, a1.token);
    expect(summary.status).toBe(200);
    expect(LiveSummary.parse(summary.body)).toMatchObject({ roomId, title: '新品首发', state: 'live', viewers: 3, peakViewers: 3, comments: 40, holds: 1, holdsCollected: 0, expected: 1, visits: 1, purchases: 1 });
    // Another store's desk learns nothing; no token is 401.
    expect((await get(`/v1/desk/live/rooms/${roomId}/summary`, b1.token)).status).toBe(404);
    expect((await get(`/v1/desk/live/rooms/${roomId}/summary`)).status).toBe(401);
  });
});

describe('live rooms at HQ: the public routes', () => {
  const { ctx, deskAt, cmd, evs, liveRoom, get } = setup(defaultAdapter());

  it('counters from the nodes: totals, distinct viewers, the peak over nodes, announced only when it moved ≥ 10 %', async () => {
    const live = ctx.t.hq.live;
    const a1 = await deskAt('store-a', 'A1');
    const roomId = await liveRoom(a1);
    await a1.waitFor(() => evs(a1, 'live.updated').length === 2);
    const peaks = () => evs(a1, 'live.updated').slice(2).map((e) => [e.data.room.peakViewers, e.data.by]);
    await live.noteStats(roomId, { comments: 10, viewerKeys: ['a', 'b'], viewersNow: 60, nodeId: 'n1' });
    await live.noteStats(roomId, { comments: 5, viewerKeys: ['b', 'c'], viewersNow: 40, nodeId: 'n2' }); // 100 over both nodes
    await live.noteStats(roomId, { comments: 0, viewerKeys: [], viewersNow: 65, nodeId: 'n1' }); // 105: kept, not announced
    await live.noteStats(roomId, { comments: 1, viewerKeys: [], viewersNow: 80, nodeId: 'n1' }); // 120: announced
    await live.noteStats(roomId, { comments: 0, viewerKeys: [], viewersNow: 10, nodeId: 'n1' }); // down: the peak stays
    await a1.waitFor(() => peaks().length === 3);
    expect(peaks()).toEqual([
      [60, null],
      [100, null],
      [120, null],
    ]);
    expect((await live.room(roomId))!.room.peakViewers).toBe(120);
    expect(await ctx.t.hq.store.read((r) => r.live.stats(roomId))).toEqual({ comments: 16, viewers: 3 });
    // Once the room has ended, any rise is announced: a node's count at the end (liveHub) may land
    // after the console read the summary, and the console reads it again on the event.
    expect(await cmd(a1, 'live.state', { roomId, state: 'ended' }, 'ann')).toMatchObject({ status: 'ok' });
    await live.noteStats(roomId, { comments: 0, viewerKeys: [], viewersNow: 111, nodeId: 'n2' }); // 10 + 111 = 121: under the step from 120, announced (ended)
    await live.noteStats(roomId, { comments: 0, viewerKeys: [], viewersNow: 100, nodeId: 'n2' }); // down: the peak stays, nothing announced
    await a1.waitFor(() => peaks().length === 5); // + the end itself
    const statsPeaks = () => evs(a1, 'live.updated').filter((e) => e.data.by === null).map((e) => e.data.room.peakViewers);
    expect(statsPeaks()).toEqual([60, 100, 120, 121]);
    expect(evs(a1, 'live.updated').at(-1)!.data.room).toMatchObject({ state: 'ended', peakViewers: 121 });
    // Unknown rooms are ignored (a node reporting a room deleted meanwhile), not an error.
    await live.noteStats('nope', { comments: 1, viewerKeys: ['x'], viewersNow: 1, nodeId: 'n1' });
    await live.noteParticipants('nope', [{ memberId: 'm1', nickname: 'x', what: 'joined' }]);
  });

  it('room list, one room, its QR, the product card; bad ids and methods; nothing of who created it', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const b1 = await deskAt('store-b', 'B1');
    const roomA = await liveRoom(a1);
    // The list is newest first (created_at, then id): on a fast machine both rooms could share a
    // millisecond, and the tie would fall to their random ids.
    const createdA = Date.now();
    while (Date.now() <= createdA) await new Promise((resolve) => setTimeout(resolve, 1));
    const roomB = randomUUID();
    expect(await cmd(b1, 'live.create', { roomId: roomB, title: 'B room', streamUrl: 'https://live.example.com/b', scheduledAt: Date.now() + 3_600_000 }, 'xu')).toMatchObject({ status: 'ok' });
    const list = await get<{ rooms: Array<Omit<LiveRoom, 'createdBy'> & { storeName: string }> }>('/v1/live/rooms');
    expect(list.status).toBe(200);
    expect(list.body.rooms.map((r) => r.id)).toEqual([roomB, roomA]);
    expect(JSON.stringify(list.body)).not.toContain('createdBy');
    expect((await get<{ rooms: Array<{ id: string }> }>('/v1/live/rooms?store=store-a')).body.rooms.map((r) => r.id)).toEqual([roomA, roomB]);
    expect((await get(`/v1/live/rooms?store=${'x'.repeat(80)}`)).status).toBe(400);

    const one = await get<{ room: { id: string; state: string }; storeName: string }>(`/v1/live/rooms/${roomA}`);
    expect(one).toMatchObject({ status: 200, body: { room: { id: roomA, state: 'live' } } });
    expect(one.body.storeName.length).toBeGreaterThan(0);
    expect((await get(`/v1/live/rooms/nope`)).status).toBe(404);
    const qr = await get<string>(`/v1/live/rooms/${roomA}/qr.svg`);
    expect(qr.status).toBe(200);
    expect(qr.type).toContain('image/svg+xml');
    expect(qr.body).toContain('<svg');
    expect((await get(`/v1/live/rooms/nope/qr.svg`)).status).toBe(404);

    expect((await get(`/v1/live/rooms/${roomA}/product?store=store-a`)).status).toBe(404); // nothing pinned
    expect(await cmd(a1, 'live.pin', { roomId: roomA, styleId: 's2' }, 'ann')).toMatchObject({ status: 'ok' });
    expect((await get(`/v1/live/rooms/${roomA}/product`)).status).toBe(400);
    expect((await get(`/v1/live/rooms/${roomA}/product?store=nope`)).status).toBe(404);
    expect(await get(`/v1/live/rooms/${roomA}/product?store=store-a`)).toMatchObject({ status: 200, body: { roomId: roomA, storeId: 'store-a', card: { styleId: 's2' } } });
    expect((await fetch(`${ctx.t.url}/v1/live/rooms`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await get(`/v1/live/rooms/${'%E0%A4%A'}`)).status).toBe(400);
  });
});
