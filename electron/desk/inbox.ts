// The inbox: HQ's `ev` and `cmdAck` frames in, a change set out.
//
// Invariant: a batch commits in one transaction or not at all (applyBatch) — each event still
// moving the position in order (sync.ts), never past a gap — so after any failure the position says
// exactly what the cache holds and resuming replays exactly what is missing. What a committed batch
// changed is then a plain value (changeSet, pure): the desk core turns it into views and events.
// Nothing here emits or keeps state.
import type { Member, Visit } from '../../shared/domain.ts';
import { type CmdAckFrame, type CommandType, type EvFrame, isVisitCommand, type Position } from '../../shared/protocol.ts';
import type { CacheQueries, OutboxOp } from './cache/queries.ts';
import { memberOfSubject } from './chat/views.ts';
import { memberOfNoteSubject } from './history/historyQueries.ts';
import { mootTaskRefusal, taskOfSubject } from './tasks/views.ts';
import { holdOfSubject } from './holds/holdViews.ts'; // 4/8 part C
import { restockOfSubject } from './restock/deskRestock.ts'; // 7/8 restock
import { groupOfSubject } from './groups/groupViews.ts'; // 5/8 groups
import { liveOfSubject } from './live/liveViews.ts'; // 6/8 live rooms
import { visitOfMarkSubject } from './assist/markViews.ts'; // 7/8 card: suggestion marks
import { applyAt, type ApplyOutcome, settleAckedUpTo } from './sync.ts';

export type InboxFrame = EvFrame | CmdAckFrame;

/**
 * What happened to one frame of a committed batch. Of an event only its type and seq are kept: the frame
 * itself (an arrival's profile is ~4 KB) is garbage once applied, not carried to the batch's end.
 */
export type FrameOutcome = { ev: Pick<EvFrame, 'type' | 'seq'>; out: ApplyOutcome } | { ack: CmdAckFrame; op: OutboxOp; settled: boolean };

export type AppliedBatch =
  | { committed: true; outcomes: FrameOutcome[] }
  /**
   * Nothing of the batch was applied: an event failed (`cause`, `error` the same) or the commit did
   * (SQLite rolls back by itself on SQLITE_FULL, and the commit then fails with "no transaction is
   * active": the event's own error is the cause). The position did not move: resuming replays all of it.
   */
  | { committed: false; cause: unknown; error: unknown };

/**
 * Applies a batch of frames in one transaction, in arrival order: events through applyAt, acks
 * through settleAck. Stops at a gap. The position is held in memory through the batch and written
 * once, last, in the same transaction (one row read and one written per batch, not per event); an
 * event that fails rolls the whole batch back, so no event is ever half applied and the cache is
 * still exactly "every event up to position" (a savepoint per event cost more than the position).
 */
export function applyBatch(q: CacheQueries, frames: Iterable<InboxFrame>): AppliedBatch {
  const outcomes: FrameOutcome[] = [];
  let failure: unknown = null;
  try {
    q.tx(() => {
      const start = q.getPosition();
      let position = start;
      for (const f of frames) {
        if (f.t === 'cmdAck') {
          const settled = settleAck(q, f, Date.now(), position.seq);
          if (settled) outcomes.push({ ack: f, ...settled });
          continue;
        }
        let out;
        try {
          out = applyAt(q, position, f);
        } catch (err) {
          failure = err;
          throw err; // rolls back everything the batch wrote
        }
        outcomes.push({ ev: { type: f.type, seq: f.seq }, out });
        if (out.kind === 'gap') break; // never apply past a hole
        if (out.kind === 'applied') position = { epoch: f.epoch, seq: f.seq };
      }
      if (position !== start) {
        settleAckedUpTo(q, position);
        q.setPosition(position);
      }
    });
  } catch (err) {
    return { committed: false, cause: failure ?? err, error: err };
  }
  return { committed: true, outcomes };
}

/**
 * Settles an op HQ answered, inside the batch's transaction. Null when it was already settled by
 * its event; `settled` when it left the outbox (its effect is in the confirmed state).
 */
export function settleAck(q: CacheQueries, ack: CmdAckFrame, now = Date.now(), positionSeq = q.getPosition().seq): { op: OutboxOp; settled: boolean } | null {
  const op = q.getOp(ack.opId);
  if (!op) return null; // already settled by its event
  if (ack.status === 'rejected') {
    const rejection = ack.rejection ?? { code: 'invalid' as const, message: 'HQ refused this action' };
    // A refused done/snooze of a task done meanwhile (at another counter) tells the clerk nothing: settled.
    if (mootTaskRefusal(q, op)) return (q.deleteOp(op.opId), { op, settled: true });
    q.markRejected(op.opId, rejection);
    // The clerk is told until dismissed, not only until the visit's next event (visit actions only:
    // a refused chat message shows as failed in its conversation, a refused check-in in the pending check-ins).
    if (isVisitCommand(op.type)) q.putNotice(op.opId, op.visitId, { action: op.type, code: rejection.code, by: rejection.by ?? null, at: now });
    return { op, settled: false };
  }
  if (ack.status === 'duplicate' || ack.seq == null || ack.seq <= positionSeq) {
    // duplicate: HQ applied it on an earlier send; its event was delivered or will be replayed.
    q.deleteOp(op.opId);
    return { op, settled: true };
  }
  // ok, but its event is still on the way: keep overlaying until it is applied.
  q.markAcked(op.opId, ack.seq);
  return { op, settled: false };
}

/** Something listeners hear about, in the order HQ's frames said it. */
export type Notice =
  /** HQ answered a local action on this visit: its view changed; `confirmed` true/false sets whether HQ confirmed it, null leaves that as it was. */
  | { t: 'answered'; visitId: string; confirmed: boolean | null }
  /** A new visit (raise an alert unless this process already did). */
  | { t: 'arrival'; visitId: string }
  | { t: 'member'; memberId: string }
  /** A conversation changed; `messageId` is the new member message when `incoming`. */
  | { t: 'chat'; memberId: string; messageId: string | null; incoming: boolean };

/** What a committed batch changed. */
export interface InboxChange {
  notices: Notice[];
  /** Visits to show again once the batch is done, in first-change order. */
  visits: string[];
  /** Conversations to show again once the batch is done (an ack of a chat op). */
  chats: string[];
  /** Ops settled or refused: no longer in flight on this link. */
  answered: string[];
  /** Ops HQ refused, for the log. */
  rejected: { type: CommandType; subject: string; message: string }[];
  /** The store's clerk list changed at HQ: refetch it. */
  clerks: boolean;
  /** Follow-up tasks changed (an event, or an answer to a task op): the task lists are shown again. */
  tasks?: boolean;
  /** A hold or hold request changed, or HQ answered a hold action (4/8 part C). */
  holds?: boolean;
  /** 5/8: an expected visit changed. */
  expected?: boolean;
  /** Groups that changed, or whose actions HQ answered (5/8). */
  groups?: string[];
  /** Live rooms that changed, or whose actions HQ answered (6/8); `reserved`: a viewer reserved their size. */
  live?: string[];
  reserved?: boolean;
  /** 7/8 restock: a restock match changed, or HQ answered an act on one. */
  restock?: boolean;
  /** 7/8 card: visits whose suggestion marks changed, or whose marks HQ answered. */
  marks?: string[];
  /**
   * The visits and members the batch wrote, each as its last event wrote it — their rows as the
   * batch committed them, so the desk builds their views without reading them back (visits.ts).
   * Absent when the batch erased a member (its rows are gone, whatever was written before).
   */
  written?: { visits: ReadonlyMap<string, Visit>; members: ReadonlyMap<string, Member> };
  /** Applied while catching up on missed events (session.ts sets it): old arrivals are not alerted (visits.ts). */
  catchingUp?: boolean;
  /** Event frames looked at (applied, duplicate or the gap). */
  events: number;
  applied: number;
  duplicates: number;
  /** The highest seq applied (0: none). */
  head: number;
  /** Events skipped ahead: nothing after `position` was applied; resume from it. */
  gap: { position: Position; got: { epoch: string; seq: number } } | null;
}

/** Folds a committed batch's outcomes into what it changed. Pure. */
export function changeSet(outcomes: readonly FrameOutcome[]): InboxChange {
  const c: InboxChange = { notices: [], visits: [], chats: [], answered: [], rejected: [], clerks: false, events: 0, applied: 0, duplicates: 0, head: 0, gap: null };
  const visits = new Set<string>();
  const chats = new Set<string>();
  const groups = new Set<string>(); // 5/8
  const live = new Set<string>(); // 6/8
  const marks = new Set<string>(); // 7/8 card
  // The rows as last written in the batch: an event that changed a visit or member without
  // handing over what it wrote (a member note) takes it out, and an erasure drops them all.
  const wroteVisits = new Map<string, Visit>();
  const wroteMembers = new Map<string, Member>();
  let erased = false;
  for (const o of outcomes) {
    if ('ack' in o) {
      const { ack, op, settled } = o;
      c.answered.push(ack.opId);
      if (ack.status === 'rejected') c.rejected.push({ type: op.type, subject: op.visitId, message: ack.rejection?.message ?? '' });
      const chatMember = memberOfSubject(op.visitId);
      const notedMember = memberOfNoteSubject(op.visitId); // 4/8 member page
      if (chatMember) chats.add(chatMember);
      else if (notedMember) c.notices.push({ t: 'member', memberId: notedMember });
      else if (taskOfSubject(op.visitId)) c.tasks = true;
      else if (holdOfSubject(op.visitId)) c.holds = true; // 4/8 part C
      else if (groupOfSubject(op.visitId)) groups.add(groupOfSubject(op.visitId)!); // 5/8 groups
      else if (liveOfSubject(op.visitId)) live.add(liveOfSubject(op.visitId)!); // 6/8 live rooms
      else if (restockOfSubject(op.visitId)) c.restock = true; // 7/8 restock
      else if (visitOfMarkSubject(op.visitId)) marks.add(visitOfMarkSubject(op.visitId)!); // 7/8 card: suggestion marks
      else if (op.visitId.startsWith('checkin:')) continue; // 4/8 part A: not a visit (the pending check-ins are refreshed after each batch)
      else {
        c.notices.push({ t: 'answered', visitId: op.visitId, confirmed: ack.status === 'rejected' ? false : settled ? true : null });
        visits.add(op.visitId);
      }
      continue;
    }
    const { out } = o;
    c.events++;
    if (out.kind === 'duplicate') {
      c.duplicates++;
      continue;
    }
    if (out.kind === 'gap') {
      c.gap = { position: out.position, got: out.got };
      break;
    }
    c.applied++;
    c.head = Math.max(c.head, out.seq);
    if (out.holds) c.holds = true; // 4/8 part C
    if (out.expected) c.expected = true; // 5/8
    if (out.group) groups.add(out.group); // 5/8 groups
    if (out.live) live.add(out.live); // 6/8 live rooms
    if (out.reserved) c.reserved = true;
    if (out.restock) c.restock = true; // 7/8 restock
    if (out.marks) marks.add(out.marks); // 7/8 card
    if (out.settledOpId) {
      c.answered.push(out.settledOpId);
      for (const id of out.visitIds) c.notices.push({ t: 'answered', visitId: id, confirmed: true });
    }
    for (const id of out.visitIds) visits.add(id);
    if (o.ev.type === 'member.deleted') erased = true;
    for (const id of out.visitIds) {
      if (out.visit?.id === id) wroteVisits.set(id, out.visit);
      else wroteVisits.delete(id);
    }
    for (const id of out.memberIds) {
      if (out.member?.id === id) wroteMembers.set(id, out.member);
      else wroteMembers.delete(id);
    }
    if (out.arrivalVisitId) c.notices.push({ t: 'arrival', visitId: out.arrivalVisitId });
    for (const memberId of out.memberIds) c.notices.push({ t: 'member', memberId });
    if (out.clerks) c.clerks = true;
    if (out.task) c.tasks = true;
    if (out.chat) c.notices.push({ t: 'chat', memberId: out.chat.memberId, messageId: out.chat.incoming ? out.chat.messageId : null, incoming: out.chat.incoming });
  }
  c.visits = [...visits];
  c.chats = [...chats];
  if (groups.size) c.groups = [...groups];
  if (live.size) c.live = [...live];
  if (marks.size) c.marks = [...marks]; // 7/8 card
  if (!erased && (wroteVisits.size || wroteMembers.size)) c.written = { visits: wroteVisits, members: wroteMembers };
  return c;
}
