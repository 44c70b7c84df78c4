// Desk commands (claim, release, note, close), exactly-once in effect: the (deviceId, opId) pair
// is looked up and recorded in the same transaction as the change and its event, so a resend
// after a lost cmdAck gets the original answer ('duplicate', or the same rejection) and nothing
// happens twice. HQ's order settles conflicts: the first claim to commit wins.
import { type Actor, type Note, type Visit } from '../../shared/domain.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type CmdAckFrame, type Rejection, type VisitCmdFrame } from '../../shared/protocol.ts';
import { type DeviceRecord, type HqTx, type OpRecord } from '../ports/store.ts';
import { type Append, type EventLog } from './eventLog.ts';
import { commandActor, isRejection } from './clerks/service.ts';

type Outcome = { op: OpRecord };

const reject = (code: Rejection['code'], message: string, by?: Actor | null): Outcome => ({
  op: { status: 'rejected', seq: null, rejection: by ? { code, message, by } : { code, message } },
});
const ok = (seq: number | null): Outcome => ({ op: { status: 'ok', seq, rejection: null } });

const isMine = (visit: Visit, actor: Actor) => visit.claimedBy?.deviceId === actor.deviceId;

export function applyCommand(log: EventLog, device: DeviceRecord, cmd: VisitCmdFrame, now = Date.now()): Promise<CmdAckFrame> {
  return log.write(async (tx, append) => {
    // Read-then-write (is the visit still open?): serialised with the store's other writers, so
    // two counters on two nodes cannot both read "open" and both claim.
    await tx.lockStore(device.storeId);
    const seen = await tx.getOp(device.id, cmd.opId);
    if (seen) {
      // Rejections keep their status so the desk can settle the op the same way it would have.
      return ackFrame(cmd.opId, seen.status === 'rejected' ? 'rejected' : 'duplicate', seen);
    }
    // The signed-in clerk the desk names, checked against the device's store.
    const actor = await commandActor(tx, device, cmd.clerkId);
    const { op } = isRejection(actor) ? reject(actor.code, actor.message) : await execute(tx, append, device.storeId, actor, cmd, now);
    await tx.putOp(device.id, cmd.opId, op, now);
    return ackFrame(cmd.opId, op.status, op);
  });
}

function ackFrame(opId: string, status: CmdAckFrame['status'], op: OpRecord): CmdAckFrame {
  const frame: CmdAckFrame = { t: 'cmdAck', opId, status, seq: op.seq };
  if (op.rejection) frame.rejection = op.rejection;
  return frame;
}

async function execute(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: VisitCmdFrame, now: number): Promise<Outcome> {
  const current = await tx.getVisit(cmd.data.visitId);
  // Another store's visit is answered exactly like an unknown one: a token sees only its store.
  if (!current || current.storeId !== storeId) return reject('not_found', 'No such visit in this store');
  const cause = { by: actor, opId: cmd.opId };

  switch (cmd.type) {
    case 'claim': {
      if (current.status === 'closed') return reject('visit_closed', 'The visit is already closed', current.claimedBy);
      if (current.status === 'claimed') {
        if (isMine(current, actor)) return ok(null); // already ours: nothing changes
        return reject('already_claimed', `Already claimed by ${current.claimedBy?.deviceName ?? 'another desk'}`, current.claimedBy);
      }
      const visit: Visit = { ...current, status: 'claimed', claimedBy: actor, claimedAt: now };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.claimed', { visit, ...cause }, now)).seq);
    }
    case 'release': {
      if (current.status === 'closed') return reject('visit_closed', 'The visit is already closed', current.claimedBy);
      if (current.status !== 'claimed' || !isMine(current, actor)) {
        return reject('not_claimed_by_you', 'Only the desk that claimed the visit can release it', current.claimedBy);
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
      const note: Note = { id: cmd.data.noteId, visitId: current.id, memberId: current.memberId, text: cmd.data.text, by: actor, at: now };
      await tx.insertNote(note);
      const visit: Visit = { ...current, notes: [...current.notes, note] };
      return ok((await append(storeId, 'visit.noted', { visit, note, ...cause }, now)).seq);
    }
    case 'close': {
      if (current.status === 'closed') return reject('visit_closed', 'The visit is already closed', current.claimedBy);
      if (current.status === 'claimed' && !isMine(current, actor)) {
        return reject('not_claimed_by_you', `Claimed by ${current.claimedBy?.deviceName ?? 'another desk'}`, current.claimedBy);
      }
      const notes = [...current.notes];
      if (cmd.data.note) {
        const note: Note = { id: uuidv7(now), visitId: current.id, memberId: current.memberId, text: cmd.data.note, by: actor, at: now };
        await tx.insertNote(note);
        notes.push(note);
      }
      // Closing an open visit makes this desk its owner, so reports show who served the member.
      const visit: Visit = {
        ...current,
        status: 'closed',
        outcome: cmd.data.outcome,
        closedAt: now,
        claimedBy: current.claimedBy ?? actor,
        claimedAt: current.claimedAt ?? now,
        notes,
      };
      await tx.updateVisit(visit);
      return ok((await append(storeId, 'visit.closed', { visit, ...cause }, now)).seq);
    }
  }
}
