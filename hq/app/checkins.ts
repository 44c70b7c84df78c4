// Check-in at the counter (4/8 part A): the member gives a phone number, shows the card or its QR,
// and the clerk starts a visit with source `counter`.
//
// Invariant: a check-in is an arrival like the door's — the same member lookup (a phone by its full
// number, resolved here at HQ only: desks never hold full phones) and the same rule (applyArrival:
// one visit within the 30-minute repeat window, a repeat only bumps it) — and it happens once,
// whatever is resent: the (device, opId) pair like every desk command, and the desk-made
// `checkinId` across opIds (a clerk retrying under a new op), both recorded in the transaction of
// the visit and its event. The event names `by`, `opId` and `checkinId` so the desk settles its op.
// A member of any store of the chain may check in anywhere.
import { type CheckinCmdFrame, type CmdAckFrame, type Rejection } from '../../shared/protocol.ts';
import { type DeviceRecord, type OpRecord } from '../ports/store.ts';
import { boundedActionTime, type DeskClock } from './actionTime.ts';
import { applyArrival, findMember } from './arrivals.ts';
import { okOp, rejectOp, runDeskCommand } from './deskCommand.ts';
import { type EventLog } from './eventLog.ts';

/**
 * How far back a check-in's action time may go: a check-in queued offline that reaches HQ the next
 * morning is dated when the clerk made it, but no earlier than this before HQ's now — the visit
 * must still land in a day a desk's queue shows.
 */
export const CHECKIN_MAX_BACKDATE_MS = 24 * 60 * 60 * 1000;

const rejected = (code: Rejection['code'], message: string): OpRecord => rejectOp(code, message);

export function applyCheckin(log: EventLog, device: DeviceRecord, cmd: CheckinCmdFrame, now = Date.now(), clock: DeskClock = { offsetMs: 0 }): Promise<CmdAckFrame> {
  // Read-then-write (was this op or this check-in seen? is the member in already?) under the
  // store's lock (deskCommand.ts), so a resend racing on another node finds the first one.
  return runDeskCommand(log, device, cmd, now, async (tx, append, actor) => {
    // The same check-in under another opId: it happened already; nothing happens twice.
    if (await tx.checkins.get(device.storeId, cmd.data.checkinId)) return okOp(null);
    const { memberId, memberCode, phone } = cmd.data;
    const member = await findMember(tx, { memberId, memberCode, phone });
    if (!member) return rejected('member_not_found', 'No member of the chain matches this phone number or card');
    const at = boundedActionTime(cmd.at, clock.offsetMs, now, now - CHECKIN_MAX_BACKDATE_MS);
    const cause = { by: actor, opId: cmd.opId, checkinId: cmd.data.checkinId };
    const result = await applyArrival(log.store, tx, append, { storeId: device.storeId, member, source: 'counter', at, cause });
    await tx.checkins.insert({
      storeId: device.storeId,
      checkinId: cmd.data.checkinId,
      visitId: result.visitId,
      memberId: member.id,
      deviceId: device.id,
      clerkId: actor.clerkId ?? null,
      status: result.status,
      seq: result.seq,
      at: now,
    });
    return okOp(result.seq);
  });
}
