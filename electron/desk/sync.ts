// Applying HQ's log to the cache. Each event and the position it moves to commit in one
// transaction (an event alone, or a batch of them with the position of its last), so after a crash
// the cache is exactly "every event up to position", never more or less, and resuming from that
// position neither skips nor repeats anything.
import type { Member, Visit } from '../../shared/domain.ts';
import type { EvFrame, Position, Snapshot } from '../../shared/protocol.ts';
import { deleteMemberData } from './cache/privacy.ts';
import { putMemberNote, wipeHistories } from './history/historyQueries.ts';
import type { CacheQueries } from './cache/queries.ts';
import { taskSubject } from './tasks/views.ts';
import { applyHoldEvent, applyHoldSnapshot } from './holds/holdSync.ts'; // 4/8 part C
import { applyGroupEvent, applyGroupSnapshot } from './groups/groupSync.ts'; // 5/8 groups
import { applyLiveEvent, applyLiveSnapshot } from './live/liveSync.ts'; // 6/8 live rooms
import { applyRestockEvent, applyRestockSnapshot } from './restock/restockSync.ts'; // 7/8 restock
import { applyMarkEvent, applyMarkSnapshot } from './assist/markSync.ts'; // 7/8 card: suggestion marks

export type ApplyOutcome =
  | {
      kind: 'applied';
      seq: number;
      /** Visits whose confirmed state changed. */
      visitIds: string[];
      /** Members whose record or profile changed. */
      memberIds: string[];
      /** Set for an `arrival` event: a new visit to alert about. */
      arrivalVisitId: string | null;
      /** The desk's own op that this event confirms, if any. */
      settledOpId: string | null;
      /** Chat: the conversation that changed, and the new member message if this is one. */
      chat: { memberId: string; messageId: string | null; incoming: boolean } | null;
      /** The store's clerk list changed at HQ: refetch it (the event carries no hashes). */
      clerks: boolean;
      /** A follow-up task changed (its id). */
      task?: string;
      /** A hold or hold request changed (4/8 part C). */
      holds?: boolean;
      /** An expected visit changed (5/8). */
      expected?: boolean;
      /** A group changed (5/8): its id. */
      group?: string;
      /** A live room changed (6/8): its id; `reserved` when a viewer reserved their size from it. */
      live?: string;
      reserved?: boolean;
      /** 7/8 restock: a restock match came or changed. */
      restock?: boolean;
      /** 7/8 card: a visit whose suggestion marks changed. */
      marks?: string;
      /** The visit this event wrote (putVisit), exactly as written: its confirmed state now. */
      visit?: Visit;
      /** The member this event wrote (with its profile), exactly as written. */
      member?: Member;
    }
  /** seq ≤ position: already applied; ignored. */
  | { kind: 'duplicate'; seq: number }
  /** seq > position + 1, or an epoch we are not in: not applied; resume from position. */
  | { kind: 'gap'; position: Position; got: { epoch: string; seq: number } };

/** Where an event stands relative to the position, without touching anything. */
export function classify(position: Position, ev: { epoch: string; seq: number }): 'next' | 'duplicate' | 'gap' {
  if (ev.epoch !== position.epoch) return 'gap';
  if (ev.seq <= position.seq) return 'duplicate';
  if (ev.seq === position.seq + 1) return 'next';
  return 'gap';
}

/** One event in its own transaction: read the position, apply the event, move the position. */
export function applyEvent(q: CacheQueries, ev: EvFrame, now: number = Date.now()): ApplyOutcome {
  return q.tx((): ApplyOutcome => {
    // Read the position inside the transaction: it is the one this event will advance.
    const out = applyAt(q, q.getPosition(), ev, now);
    if (out.kind === 'applied') {
      const position = { epoch: ev.epoch, seq: ev.seq };
      settleAckedUpTo(q, position);
      q.setPosition(position);
    }
    return out;
  });
}

/**
 * Applies `ev` if it is the next event after `position`, inside the caller's open transaction, and
 * leaves the position row (and settleAckedUpTo) to the caller: applyBatch holds the position of a
 * batch in memory and writes it once, as the batch's last statement, in the same transaction — so
 * what commits is still exactly "every event up to position". No savepoint: an event that throws may
 * leave part of its writes behind, so the caller must roll the whole transaction back (applyBatch does).
 */
export function applyAt(q: CacheQueries, position: Position, ev: EvFrame, now: number = Date.now()): ApplyOutcome {
  const where = classify(position, ev);
  if (where === 'duplicate') return { kind: 'duplicate', seq: ev.seq };
  if (where === 'gap') return { kind: 'gap', position, got: { epoch: ev.epoch, seq: ev.seq } };

  const out: Extract<ApplyOutcome, { kind: 'applied' }> = { kind: 'applied' as const, seq: ev.seq, visitIds: [] as string[], memberIds: [] as string[], arrivalVisitId: null as string | null, settledOpId: null as string | null, chat: null as { memberId: string; messageId: string | null; incoming: boolean } | null, clerks: false, task: undefined as string | undefined, holds: false, expected: false, group: undefined as string | undefined, live: undefined as string | undefined, reserved: false, restock: false, marks: undefined as string | undefined };
  switch (ev.type) {
    case 'arrival':
      q.upsertProfile(ev.data.profile, now);
      q.putVisit(ev.data.visit, true); // a new visit at HQ (hq/app/arrivals.ts inserts it)
      out.visit = ev.data.visit;
      out.member = ev.data.profile.member;
      out.visitIds.push(ev.data.visit.id);
      out.memberIds.push(ev.data.profile.member.id);
      out.arrivalVisitId = ev.data.visit.id;
      // 5/8: the member said they would come; the cue is read back by visit id.
      if (ev.data.expected) {
        q.expected.put(ev.data.expected, now);
        out.expected = true;
      }
      // 4/8 part A: a counter check-in of ours (its event names the op) is settled.
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      break;
    case 'visit.updated':
      q.putVisit(ev.data.visit);
      out.visit = ev.data.visit;
      out.visitIds.push(ev.data.visit.id);
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId; // 4/8 part A: a check-in that bumped the visit
      break;
    case 'visit.claimed':
    case 'visit.takenOver':
    case 'visit.released':
    case 'visit.noted':
    case 'visit.closed': {
      const visit = ev.data.visit;
      noticeLostClaim(q, ev, now);
      q.putVisit(visit);
      out.visit = visit;
      out.visitIds.push(visit.id);
      // Our own op: its effect is now in the confirmed state, so the overlay must stop applying it.
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      // A rejection is shown until the next event for its visit (it may have made it moot).
      q.deleteRejectedOfVisit(visit.id);
      break;
    }
    case 'member.updated':
      q.upsertProfile(ev.data.profile, now);
      out.member = ev.data.profile.member;
      out.memberIds.push(ev.data.profile.member.id);
      break;
    case 'chat.message':
    case 'chat.recalled': {
      const m = ev.data.message;
      q.chat.putMessage(m);
      if (ev.type === 'chat.message') q.chat.setReceipts(m.memberId, ev.data.receipts);
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      out.chat = { memberId: m.memberId, messageId: m.id, incoming: ev.type === 'chat.message' && m.from === 'member' };
      break;
    }
    case 'member.deleted':
      // Erased at HQ: nothing of the member stays in this cache.
      deleteMemberData(q.db, ev.data.memberId);
      out.memberIds.push(ev.data.memberId);
      break;
    case 'chat.receipt':
      q.chat.setReceipts(ev.data.memberId, ev.data.receipts);
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      out.chat = { memberId: ev.data.memberId, messageId: null, incoming: false };
      break;
    case 'clerks.updated':
      out.clerks = true;
      break;
    // 4/8 member page: a member-level note, written here or at another store
    case 'member.noted':
      putMemberNote(q.db, ev.data.note);
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      out.memberIds.push(ev.data.note.memberId);
      break;
    // Follow-up tasks (part D): the task as HQ has it now; our op on it is settled, a refusal shown until now is moot.
    case 'task.created':
    case 'task.updated':
      q.tasks.put(ev.data.task);
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      q.deleteRejectedOfVisit(taskSubject(ev.data.task.id));
      out.task = ev.data.task.id;
      break;
    // 4/8 part C: holds and cross-store hold requests
    case 'hold.placed':
    case 'hold.released':
    case 'hold.requested':
    case 'hold.answered': {
      const settled = applyHoldEvent(q, ev);
      if (settled) out.settledOpId = settled;
      out.holds = true;
      break;
    }
    // 5/8: an expected visit made, fulfilled, cancelled or lapsed
    case 'expect.updated':
      q.expected.put(ev.data.expected, now);
      out.expected = true;
      break;
    // 5/8: groups
    case 'group.updated':
    case 'group.message':
    case 'group.messageChanged':
    case 'group.membership':
    case 'group.read':
    case 'group.invite': {
      const { groupId, settledOpId } = applyGroupEvent(q, ev);
      if (settledOpId) out.settledOpId = settledOpId;
      out.group = groupId;
      break;
    }
    // 6/8: live rooms
    case 'live.updated':
    case 'live.question':
    case 'live.poll':
    case 'live.lottery':
    case 'live.muted':
    case 'live.reserved': {
      const { roomId, settledOpId, reserved } = applyLiveEvent(q, ev);
      if (settledOpId) out.settledOpId = settledOpId;
      out.live = roomId;
      out.reserved = reserved;
      break;
    }
    // 7/8 restock: a size arrived and its members; a clerk acted on one
    case 'restock.matched':
    case 'restock.updated': {
      const settled = applyRestockEvent(q, ev);
      if (settled) out.settledOpId = settled;
      out.restock = true;
      break;
    }
    // 7/8 card: a clerk's mark on a suggestion of a visit
    case 'suggest.marked': {
      const { visitId, settledOpId } = applyMarkEvent(q, ev);
      if (settledOpId) out.settledOpId = settledOpId;
      out.marks = visitId;
      break;
    }
    // 7/8 assistant: a conversation handed to the clerks, or settled by a clerk's answer; the chat list and pane show it
    case 'assist.handover':
      q.handovers.put(ev.data.handover);
      if (ev.data.opId && q.deleteOp(ev.data.opId)) out.settledOpId = ev.data.opId;
      out.chat = { memberId: ev.data.handover.memberId, messageId: null, incoming: false };
      break;
  }
  return out;
}

/**
 * Ops HQ acked with a seq at or below the new position are settled even if their event did not
 * name them (defensive: an event always names its op, but the ack's seq is the stronger promise).
 * Called once per transaction that moved the position, after its last event — not per event: a
 * 10,000-event resume ran this delete of nothing 10,000 times (round 21, docs/benchmarks.md).
 */
export function settleAckedUpTo(q: CacheQueries, position: Position): void {
  q.deleteAckedUpTo(position.seq);
}

/**
 * A claim this desk held went to someone else — a claim made earlier offline won it, or a clerk at
 * another counter took it over: the clerk here is told until they dismiss it. A take-over made at
 * this counter needs no telling (it was chosen here).
 */
function noticeLostClaim(q: CacheQueries, ev: EvFrame, now: number): void {
  if (ev.type !== 'visit.claimed' && ev.type !== 'visit.takenOver') return;
  const { from, by } = ev.data;
  const self = q.getIdentity()?.deviceId;
  if (!from || !self || from.deviceId !== self || by?.deviceId === self) return;
  q.putNotice(ev.id, ev.data.visit.id, { action: 'claim', code: ev.type === 'visit.takenOver' ? 'taken_over' : 'already_claimed', by: by ?? null, at: now });
}

/**
 * Replaces everything HQ owns with a snapshot and moves the position to the snapshot's, in one
 * transaction. The outbox is kept: the clerk's queued actions are still to be sent.
 */
export function applySnapshot(q: CacheQueries, snap: Snapshot, now: number = Date.now()): void {
  q.tx(() => {
    q.wipeHqState();
    wipeHistories(q.db); // 4/8 member page: refetched when opened; may name a member erased meanwhile
    for (const m of snap.members) q.upsertMember(m);
    for (const p of snap.profiles) q.upsertProfile(p, now);
    for (const v of snap.visits) q.putVisit(v);
    for (const c of snap.conversations ?? []) {
      for (const m of c.messages) q.chat.putMessage(m);
      q.chat.setReceipts(c.memberId, c.receipts);
    }
    for (const t of snap.tasks ?? []) q.tasks.put(t);
    applyHoldSnapshot(q, snap); // 4/8 part C
    for (const e of snap.expected ?? []) q.expected.put(e, now); // 5/8
    applyGroupSnapshot(q, snap); // 5/8 groups
    applyLiveSnapshot(q, snap); // 6/8 live rooms
    applyRestockSnapshot(q, snap); // 7/8 restock
    applyMarkSnapshot(q, snap); // 7/8 card: suggestion marks
    for (const h of snap.handovers ?? []) q.handovers.put(h); // 7/8 assistant
    // HQ commits a command's effect before acking it, and we fetch the snapshot after every ack we
    // have seen, so each acked op is inside the snapshot — whatever epoch its ack's seq was in.
    q.deleteAckedUpTo(Number.MAX_SAFE_INTEGER);
    q.setPosition(snap.position);
  });
}
