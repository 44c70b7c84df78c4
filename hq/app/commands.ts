// Desk commands (claim, release, note, close, takeover, left), exactly-once in effect: the
// (deviceId, opId) pair is looked up and recorded in the same transaction as the change and its
// event, so a resend after a lost cmdAck gets the original answer ('duplicate', or the same
// rejection) and nothing happens twice.
//
// A claim belongs to the clerk who made it (holdsClaim): another clerk, even at the same counter,
// closes or releases it only after an explicit `takeover`, which the visit records. Times are the
// clerks' action times (actionTime.ts). Two claims of one visit: the earlier action time wins while
// the visit is not closed — a claim made offline before the one HQ recorded displaces it, and the
// event names the displaced claim (`from`) so that desk tells its clerk; equal times, and claims
// without an action time, keep HQ's order.
import { type Actor, type Note, type Visit } from '../../shared/domain.ts';
import { holdsClaim } from '../../shared/actors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type CmdAckFrame, type Rejection, type VisitCmdFrame } from '../../shared/protocol.ts';
import { type DeviceRecord, type HqTx, type OpRecord } from '../ports/store.ts';
import { boundedActionTime, type DeskClock } from './actionTime.ts';
import { type Append, type EventLog } from './eventLog.ts';
import { okOp, rejectOp, runDeskCommand } from './deskCommand.ts';

type Outcome = { op: OpRecord };

const reject = (code: Rejection['code'], message: string, by?: Actor | null): Outcome => ({ op: rejectOp(code, message, by) });
const ok = (seq: number | null): Outcome => ({ op: okOp(seq) });

const holderName = (visit: Visit) => visit.claimedBy?.clerkName ?? visit.claimedBy?.deviceName ?? 'another clerk';

export function applyCommand(log: EventLog, device: DeviceRecord, cmd: VisitCmdFrame, now = Date.now(), clock: DeskClock = { offsetMs: 0 }): Promise<CmdAckFrame> {
  // Under the store's lock (deskCommand.ts): two counters on two nodes cannot both read "open" and both claim.
  return runDeskCommand(log, device, cmd, now, async (tx, append, actor) => (await execute(tx, append, device.storeId, actor, cmd, now, clock)).op);
}

async function execute(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: VisitCmdFrame, now: number, clock: DeskClock): Promise<Outcome> {
  const current = await tx.getVisit(cmd.data.visitId);
  // Another store's visit is answered exactly like an unknown one: a token sees only its store.
  if (!current || current.storeId !== storeId) return reject('not_found', 'No such visit in this store');
  const cause = { by: actor, opId: cmd.opId };
  /** The clerk's action time, never before `floor` (default: the arrival) nor after now. */
  const actedAt = (floor = current.arrivedAt) => boundedActionTime(cmd.at, clock.offsetMs, now, floor);
  const mine = holdsClaim(current.claimedBy, actor);
  const closed = () => reject('visit_closed', 'The visit is already closed', current.claimedBy);

  switch (cmd.type) {
    case 'claim': {
      if (current.status === 'closed') return closed();
      const at = actedAt();
      if (current.status === 'claimed') {
        if (mine) return ok(null); // already ours: nothing changes
        // The earlier action wins: a claim made (offline) before the recorded one displaces it. A
        // claim without an action time (an older desk) is HQ's now, never an earlier action: HQ's
        // order settles it, as before — its `now` was read on arrival, possibly before the
        // recorded claim committed on another node, so comparing it would let the later one win.
        const earlier = cmd.at !== undefined && current.claimedAt !== null && at < current.claimedAt;
        if (!earlier) return reject('already_claimed', `Already claimed by ${holderName(current)}`, current.claimedBy);
      }
      const visit: Visit = { ...current, status: 'claimed', claimedBy: actor, claimedAt: at };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.claimed', { visit, ...cause, from: current.status === 'claimed' ? current.claimedBy : null }, now)).seq);
    }
    case 'takeover': {
      if (current.status === 'closed') return closed();
      if (current.status === 'open') {
        // Nobody holds it any more (released meanwhile): taking it over is claiming it.
        const visit: Visit = { ...current, status: 'claimed', claimedBy: actor, claimedAt: actedAt() };
        await tx.updateVisit(visit);
        return ok((await append(storeId, 'visit.claimed', { visit, ...cause, from: null }, now)).seq);
      }
      if (mine) return ok(null);
      const from = current.claimedBy!;
      // The claim time stays the first claim's: the member has been served since then.
      const at = actedAt(Math.max(current.arrivedAt, current.claimedAt ?? current.arrivedAt));
      const visit: Visit = { ...current, claimedBy: actor, takeovers: [...(current.takeovers ?? []), { from, by: actor, at }] };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.takenOver', { visit, from, ...cause }, now)).seq);
    }
    case 'release': {
      if (current.status === 'closed') return closed();
      if (current.status !== 'claimed' || !mine) {
        return reject('not_claimed_by_you', 'Only the clerk who claimed the visit can release it', current.claimedBy);
      }
      const visit: Visit = { ...current, status: 'open', claimedBy: null, claimedAt: null };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.released', { visit, ...cause }, now)).seq);
    }
    case 'note': {
      // The desk makes the note id, so the same note sent under another opId is still one note.
      const existing = await tx.getNote(cmd.data.noteId);
      if (existing) {
        return existing.visitId === current.id ? ok(null) : reject('invalid', 'That note id belongs to another visit');
      }
      const note: Note = { id: cmd.data.noteId, visitId: current.id, memberId: current.memberId, text: cmd.data.text, by: actor, at: actedAt() };
      await tx.insertNote(note);
      const visit: Visit = { ...current, notes: [...current.notes, note] };
      return ok((await append(storeId, 'visit.noted', { visit, note, ...cause }, now)).seq);
    }
    case 'close': {
      if (current.status === 'closed') return closed();
      if (current.status === 'claimed' && !mine) {
        return reject('not_claimed_by_you', `Claimed by ${holderName(current)}`, current.claimedBy);
      }
      const at = actedAt(Math.max(current.arrivedAt, current.claimedAt ?? current.arrivedAt));
      const notes = [...current.notes];
      if (cmd.data.note) {
        const note: Note = { id: uuidv7(now), visitId: current.id, memberId: current.memberId, text: cmd.data.note, by: actor, at };
        await tx.insertNote(note);
        notes.push(note);
      }
      // Closing an open visit makes this clerk its owner, so reports show who served the member.
      const visit: Visit = {
        ...current,
        status: 'closed',
        outcome: cmd.data.outcome,
        closedAt: at,
        claimedBy: current.claimedBy ?? actor,
        claimedAt: current.claimedAt ?? at,
        notes,
      };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.closed', { visit, ...cause }, now)).seq);
    }
    case 'left': {
      if (current.status === 'closed') return closed();
      // Only a waiting visit: one somebody holds was served (its holder closes it with an outcome).
      if (current.status === 'claimed') return reject('already_claimed', `Claimed by ${holderName(current)}`, current.claimedBy);
      // No claim: a visit left unserved is not served in any report.
      const visit: Visit = { ...current, status: 'closed', outcome: 'left', closedAt: actedAt() };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.closed', { visit, ...cause }, now)).seq);
    }
  }
}
