// The live room family's desk commands (6/8): a store's desks create and host its live rooms. Each
// command runs through runDeskCommand — exactly once per (device, opId), under the store's lock,
// its state change and its `live.*` events in one transaction of the store's log.
//
// Invariants:
// - Store isolation: a desk acts only on its own store's rooms; another store's room is answered as
//   unknown (`not_found`), exactly like an id that does not exist.
// - The host rule: any signed-in clerk of the room's store hosts; a desk with no clerk signed in is
//   refused (`forbidden`), so every host action names the clerk who took it.
// - An ended room is final: only answering questions and drawing (after the stream) still work.
// - Every refusal is decided before anything is written, so a rejected op leaves only its op row.
// - A lottery is drawn once per lotteryId, with a fresh 32-byte seed from HQ, over the eligible refs
//   as they are at the draw; the list, its digest and the seed are kept so anyone can recompute it
//   (shared/live.ts `drawWinners`). Winners are told in their 1:1 chat with the store, in the same
//   transaction as the draw.
// - A mute names the member by id, or by the per-room ref a host console sees on a comment; a ref
//   resolves only among the room's own participants (another room's: `not_found`).
import { randomBytes } from 'node:crypto';
import { type Actor } from '../../../shared/domain.ts';
import { drawWinners, LOTTERY_ALGORITHM, type LiveLottery, type LivePoll, type LiveQuestion, type LiveRoom } from '../../../shared/live.ts';
import { type CmdAckFrame, type LiveCmdFrame } from '../../../shared/protocol.ts';
import { type DeviceRecord, type HqTx } from '../../ports/store.ts';
import { type LiveParticipant } from '../../ports/liveStore.ts';
import { commitStoreText } from '../chat/service.ts';
import { okOp, rejectOp, runDeskCommand } from '../deskCommand.ts';
import { type Append, type EventLog } from '../eventLog.ts';
import { LiveError, sha256Hex } from './service.ts';

const MINUTE_MS = 60 * 1000;

export function applyLiveCommand(log: EventLog, device: DeviceRecord, cmd: LiveCmdFrame, now: number = Date.now()): Promise<CmdAckFrame> {
  return runDeskCommand(log, device, cmd, now, async (tx, append, actor) => {
    try {
      return okOp(await execute(tx, append, device.storeId, actor, cmd, now));
    } catch (err) {
      if (err instanceof LiveError) {
        // Only the codes a desk knows: a member-side `gone`/`unauthorized` never comes from here.
        const code = err.code === 'gone' || err.code === 'unauthorized' ? 'not_found' : err.code;
        return rejectOp(code, err.message);
      }
      throw err;
    }
  });
}

/** The winners' chat message, in both languages (the member's language is not known to HQ). */
export function lotteryWinText(roomTitle: string, prize: string): string {
  return `恭喜！你在直播间「${roomTitle}」的抽奖中获得：${prize}。请到店领取，或在此回复我们。\nCongratulations! You won ${prize} in the live room "${roomTitle}". Collect it at the store, or reply here.`;
}

/** The seq of the command's last event in the store's log (null: nothing changed). Throws LiveError to refuse. */
async function execute(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: LiveCmdFrame, now: number): Promise<number | null> {
  const cause = { by: actor, opId: cmd.opId };
  if (actor.clerkId === undefined) throw new LiveError('forbidden', 'Sign in as a clerk to host a live room');
  const updated = async (room: LiveRoom) => {
    await tx.live.putRoom(room, '');
    return (await append(storeId, 'live.updated', { room, ...cause }, now)).seq;
  };

  if (cmd.type === 'live.create') {
    const d = cmd.data;
    const existing = await tx.live.getRoom(d.roomId);
    // The same room again (another opId after a restart): one room. Someone else's id: refused.
    if (existing) {
      if (existing.storeId === storeId) return null;
      throw new LiveError('invalid', 'That room id is taken');
    }
    const room: LiveRoom = {
      id: d.roomId,
      storeId,
      title: d.title,
      description: d.description,
      streamUrl: d.streamUrl,
      scheduledAt: d.scheduledAt,
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
      createdAt: now,
      createdBy: actor,
      slowModeSec: 0,
      pinnedMessage: null,
      pinnedStyleId: null,
      peakViewers: 0,
    };
    // The per-room salt of participants' refs: 16 random bytes that never leave HQ.
    await tx.live.putRoom(room, randomBytes(16).toString('hex'));
    return (await append(storeId, 'live.updated', { room, ...cause }, now)).seq;
  }

  const room = await tx.live.getRoom(cmd.data.roomId);
  if (!room || room.storeId !== storeId) throw new LiveError('not_found', 'No such live room in this store');
  const notEnded = () => {
    if (room.state === 'ended') throw new LiveError('closed', 'This live room has ended');
  };

  switch (cmd.type) {
    case 'live.update': {
      notEnded();
      const d = cmd.data;
      const next: LiveRoom = {
        ...room,
        title: d.title ?? room.title,
        description: d.description ?? room.description,
        streamUrl: d.streamUrl ?? room.streamUrl,
        scheduledAt: d.scheduledAt ?? room.scheduledAt,
        slowModeSec: d.slowModeSec ?? room.slowModeSec,
      };
      const same = (['title', 'description', 'streamUrl', 'scheduledAt', 'slowModeSec'] as const).every((k) => next[k] === room[k]);
      return same ? null : updated(next);
    }
    case 'live.state': {
      if (cmd.data.state === room.state) return null;
      notEnded();
      if (cmd.data.state === 'live') return updated({ ...room, state: 'live', startedAt: now });
      // The stream is over: a poll still open closes with it (its counts final as of now), each
      // with its `live.poll`, so viewers and the console stop offering a vote nobody can cast.
      for (const poll of await tx.live.pollsOfRoom(room.id)) {
        if (poll.state !== 'open') continue;
        const closed: LivePoll = { ...poll, state: 'closed', closedAt: now };
        await tx.live.putPoll(closed);
        // opId null: the op's own event is the room's live.updated (one op, one event naming it).
        await append(storeId, 'live.poll', { poll: closed, by: cause.by, opId: null }, now);
      }
      return updated({ ...room, state: 'ended', endedAt: now });
    }
    case 'live.pin': {
      notEnded();
      const d = cmd.data;
      if (d.styleId) {
        const exists = (await tx.listStyles()).some((s) => s.id === d.styleId);
        if (!exists) throw new LiveError('not_found', 'No such style in the catalog');
      }
      const next: LiveRoom = {
        ...room,
        pinnedStyleId: d.styleId === undefined ? room.pinnedStyleId : d.styleId,
        // '' unpins the message like null does.
        pinnedMessage: d.message === undefined ? room.pinnedMessage : d.message ? d.message : null,
      };
      return next.pinnedStyleId === room.pinnedStyleId && next.pinnedMessage === room.pinnedMessage ? null : updated(next);
    }
    case 'live.answer': {
      const d = cmd.data;
      const q = await tx.live.getQuestion(d.questionId);
      if (!q || q.roomId !== room.id) throw new LiveError('not_found', 'No such question in this room');
      let next: LiveQuestion;
      if (d.dismiss) {
        if (q.status === 'dismissed') return null;
        next = { ...q, status: 'dismissed', answeredAt: now, answeredBy: actor };
      } else {
        const answer = d.answer ? d.answer : null;
        if (!d.onAir && answer === null) throw new LiveError('invalid', 'Answer in writing, or mark it answered on air');
        if (q.status === 'answered' && q.onAir === d.onAir && q.answer === answer) return null;
        next = { ...q, status: 'answered', onAir: d.onAir, answer, answeredAt: now, answeredBy: actor };
      }
      await tx.live.updateQuestion(next);
      return (await append(storeId, 'live.question', { question: next, ...cause }, now)).seq;
    }
    case 'live.poll': {
      const d = cmd.data;
      const existing = await tx.live.getPoll(d.pollId);
      if (existing) {
        if (existing.roomId === room.id) return null;
        throw new LiveError('invalid', 'That poll id is taken');
      }
      notEnded();
      const poll: LivePoll = { id: d.pollId, roomId: room.id, question: d.question, options: d.options, state: 'open', openedAt: now, closedAt: null, counts: d.options.map(() => 0), voters: 0 };
      await tx.live.putPoll(poll);
      return (await append(storeId, 'live.poll', { poll, ...cause }, now)).seq;
    }
    case 'live.pollClose': {
      const poll = await tx.live.getPoll(cmd.data.pollId);
      if (!poll || poll.roomId !== room.id) throw new LiveError('not_found', 'No such poll in this room');
      if (poll.state === 'closed') return null;
      const closed: LivePoll = { ...poll, state: 'closed', closedAt: now };
      await tx.live.putPoll(closed);
      return (await append(storeId, 'live.poll', { poll: closed, ...cause }, now)).seq;
    }
    case 'live.draw':
      return draw(tx, append, room, actor, cmd.data, cause, now);
    case 'live.mute': {
      const d = cmd.data;
      const memberId = d.ref !== undefined ? await memberOfRef(tx, room.id, d.ref) : d.memberId!;
      const member = await tx.getMember(memberId);
      if (!member) throw new LiveError('not_found', 'No such member');
      const until = d.minutes === 0 ? null : now + d.minutes * MINUTE_MS;
      const current = await tx.live.muteOf(room.id, memberId);
      if (until === null && (current === null || current <= now)) return null;
      await tx.live.setMute(room.id, memberId, until);
      const p = await tx.live.participant(room.id, memberId);
      return (await append(storeId, 'live.muted', { roomId: room.id, memberId, nickname: p?.nickname ?? '', until, ...(p ? { ref: p.ref } : {}), ...cause }, now)).seq;
    }
    default:
      return null;
  }
}

/**
 * A comment's author, from the ref host consoles see on it: resolved only among THIS room's
 * participants, so another room's ref is unknown here like a made-up one. The nodes record who
 * commented about once a second (liveHub's participants flush), so a ref seen a moment ago may not
 * be known yet: the refusal says to try again.
 */
async function memberOfRef(tx: HqTx, roomId: string, ref: string): Promise<string> {
  const p = await tx.live.participantByRef(roomId, ref);
  if (!p) throw new LiveError('not_found', 'No such viewer in this room (a viewer who just joined is known a moment later: try again in a moment)');
  return p.memberId;
}

type DrawData = Extract<LiveCmdFrame, { type: 'live.draw' }>['data'];

/** Who may win a draw, as (member, ref, nickname), ordered by ref; `voted` needs a poll of the room and means its voters. */
async function eligibleFor(tx: HqTx, room: LiveRoom, d: DrawData): Promise<LiveParticipant[]> {
  if (d.eligibility !== 'voted') return tx.live.participants(room.id, d.eligibility);
  const poll = d.pollId ? await tx.live.getPoll(d.pollId) : null;
  if (!poll || poll.roomId !== room.id) throw new LiveError('not_found', 'No such poll in this room');
  const voters = new Set(await tx.live.pollVoters(poll.id));
  return (await tx.live.participants(room.id, 'voted')).filter((p) => voters.has(p.memberId));
}

async function draw(tx: HqTx, append: Append, room: LiveRoom, actor: Actor, d: DrawData, cause: { by: Actor; opId: string }, now: number): Promise<number | null> {
  const existing = await tx.live.getLottery(d.lotteryId);
  if (existing) {
    if (existing.roomId === room.id) return null;
    throw new LiveError('invalid', 'That lottery id is taken');
  }
  const eligible = await eligibleFor(tx, room, d);
  if (eligible.length === 0) throw new LiveError('invalid', 'Nobody is eligible for this draw yet');
  const refs = eligible.map((p) => p.ref).sort();
  const seed = randomBytes(32).toString('hex');
  const winnerRefs = drawWinners(seed, refs, d.winners, sha256Hex);
  const rank = new Map(winnerRefs.map((ref, i) => [ref, i]));
  const byRef = new Map(eligible.map((p) => [p.ref, p]));
  const lottery: LiveLottery = {
    id: d.lotteryId,
    roomId: room.id,
    prize: d.prize,
    eligibility: d.eligibility,
    pollId: d.pollId ?? null,
    winnersWanted: d.winners,
    eligibleCount: refs.length,
    eligibleDigest: sha256Hex(refs.join('\n')),
    seed,
    algorithm: LOTTERY_ALGORITHM,
    winners: winnerRefs.map((ref) => ({ ref, nickname: byRef.get(ref)!.nickname })),
    drawnAt: now,
    by: actor,
  };
  await tx.live.insertLottery(lottery, eligible.map((p) => ({ ...p, rank: rank.get(p.ref) ?? null })));
  let seq = (await append(room.storeId, 'live.lottery', { lottery, ...cause }, now)).seq;
  // Winners are told in their 1:1 chat with the store (a winner erased meanwhile has no member row).
  for (const ref of winnerRefs) {
    const memberId = byRef.get(ref)!.memberId;
    if (!(await tx.getMember(memberId))) continue;
    await commitStoreText(tx, append, room.storeId, memberId, actor, `live-${d.lotteryId}`.slice(0, 64), lotteryWinText(room.title, d.prize), now);
    seq = (await tx.getStore(room.storeId))!.head;
  }
  return seq;
}
