// What the clerk sees of live rooms: HQ's confirmed rooms, questions and polls with this desk's
// queued live actions laid over them (the outbox is never written into the confirmed tables, so a
// refusal simply stops being applied). Pure: rows in, views out.
//
// Queued live actions are filed in the outbox under the subject `live:<roomId>`.
import type { LiveConsole, LivePendingDraw, LivePollView, LiveQuestionView, LiveRefusal, LiveRoomView } from '../../../shared/deskLive.ts';
import type { Actor } from '../../../shared/domain.ts';
import type { LivePoll, LiveQuestion, LiveRoom } from '../../../shared/live.ts';
import type { OutboxOp } from '../cache/queries.ts';

export const liveSubject = (roomId: string) => `live:${roomId}`;
export const liveOfSubject = (subject: string) => (subject.startsWith('live:') ? subject.slice(5) : null);

export interface LiveViewInputs {
  storeId: string;
  self: Actor;
  ops: readonly OutboxOp[];
  linkOf(roomId: string): string;
}

const opsOf = (ops: readonly OutboxOp[], roomId: string) => ops.filter((o) => o.visitId === liveSubject(roomId));

/** One room as shown: confirmed (or queued: created here), with queued changes applied. */
export function roomView(confirmed: LiveRoom | null, roomId: string, i: LiveViewInputs): LiveRoomView | null {
  let v: LiveRoomView | null = confirmed ? { ...confirmed, sync: null, rejection: null, link: i.linkOf(roomId) } : null;
  for (const op of opsOf(i.ops, roomId)) {
    const rejected = op.state === 'rejected';
    const mark = () => {
      if (!v) return;
      v.sync = rejected ? 'rejected' : 'pending';
      v.rejection = rejected ? op.rejection : null;
    };
    if (op.type === 'live.create') {
      if (confirmed) continue; // HQ has it: the op is settling
      const d = op.data;
      v = {
        id: d.roomId,
        storeId: i.storeId,
        title: d.title,
        description: d.description ?? '',
        streamUrl: d.streamUrl,
        scheduledAt: d.scheduledAt,
        state: 'scheduled',
        startedAt: null,
        endedAt: null,
        createdAt: op.createdAt,
        createdBy: i.self,
        slowModeSec: 0,
        pinnedMessage: null,
        pinnedStyleId: null,
        peakViewers: 0,
        sync: null,
        rejection: null,
        link: i.linkOf(roomId),
      };
      mark();
      continue;
    }
    if (!v) continue;
    if (rejected) {
      if (op.type === 'live.update' || op.type === 'live.state' || op.type === 'live.pin') mark();
      continue;
    }
    switch (op.type) {
      case 'live.update': {
        const { roomId: _r, clerkId: _c, ...patch } = op.data;
        v = { ...v, ...patch };
        mark();
        break;
      }
      case 'live.state':
        if (v.state !== 'ended') v = { ...v, state: op.data.state, startedAt: v.startedAt ?? op.createdAt, endedAt: op.data.state === 'ended' ? op.createdAt : v.endedAt };
        mark();
        break;
      case 'live.pin':
        v = { ...v, pinnedStyleId: op.data.styleId !== undefined ? op.data.styleId : v.pinnedStyleId, pinnedMessage: op.data.message !== undefined ? op.data.message || null : v.pinnedMessage };
        mark();
        break;
      default:
        break;
    }
  }
  return v;
}

/** Every room as shown: live first, then scheduled (soonest first), then ended (newest first). */
export function roomViews(confirmed: readonly LiveRoom[], i: LiveViewInputs): LiveRoomView[] {
  const byId = new Map(confirmed.map((r) => [r.id, r]));
  const ids = confirmed.map((r) => r.id);
  for (const op of i.ops) if (op.type === 'live.create' && !byId.has(op.data.roomId)) ids.push(op.data.roomId);
  const rank = { live: 0, scheduled: 1, ended: 2 } as const;
  return ids
    .map((id) => roomView(byId.get(id) ?? null, id, i))
    .filter((v): v is LiveRoomView => v !== null)
    .sort((a, b) => rank[a.state] - rank[b.state] || (a.state === 'ended' ? (b.endedAt ?? 0) - (a.endedAt ?? 0) : a.scheduledAt - b.scheduledAt));
}

/** The console's durable parts with queued actions over them. */
export function consoleParts(
  room: LiveRoomView,
  rows: { questions: LiveQuestion[]; polls: LivePoll[] },
  ops: readonly OutboxOp[],
): Pick<LiveConsole, 'questions' | 'polls' | 'pendingDraws' | 'pendingMutes' | 'refusals'> {
  const mine = opsOf(ops, room.id);
  const questions: LiveQuestionView[] = rows.questions.map((x) => ({ ...x, pending: null }));
  const polls: LivePollView[] = rows.polls.map((p) => ({ ...p, pending: null }));
  const pendingDraws: LivePendingDraw[] = [];
  const pendingMutes: Record<string, number> = {};
  const refusals: LiveRefusal[] = [];
  for (const op of mine) {
    if (op.state === 'rejected') {
      if (op.rejection) refusals.push({ opId: op.opId, type: op.type, rejection: op.rejection });
      if (op.type === 'live.draw') pendingDraws.push({ lotteryId: op.data.lotteryId, prize: op.data.prize, eligibility: op.data.eligibility, winners: op.data.winners, rejection: op.rejection });
      continue;
    }
    switch (op.type) {
      case 'live.answer': {
        const q = questions.find((x) => x.id === op.data.questionId);
        if (q) q.pending = op.data.dismiss ? 'dismiss' : 'answer';
        break;
      }
      case 'live.poll':
        if (!polls.some((p) => p.id === op.data.pollId)) {
          polls.push({ id: op.data.pollId, roomId: room.id, question: op.data.question, options: op.data.options, state: 'open', openedAt: op.createdAt, closedAt: null, counts: op.data.options.map(() => 0), voters: 0, pending: 'open' });
        }
        break;
      case 'live.pollClose': {
        const p = polls.find((x) => x.id === op.data.pollId);
        if (p) p.pending = 'close';
        break;
      }
      case 'live.draw':
        pendingDraws.push({ lotteryId: op.data.lotteryId, prize: op.data.prize, eligibility: op.data.eligibility, winners: op.data.winners, rejection: null });
        break;
      case 'live.mute':
        pendingMutes[op.data.memberId ?? op.data.ref ?? ''] = op.data.minutes;
        break;
      default:
        break;
    }
  }
  return { questions, polls, pendingDraws, pendingMutes, refusals };
}
