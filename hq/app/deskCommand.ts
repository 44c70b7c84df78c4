// One desk command, exactly once in effect: the part every command family shares (visits, chat,
// member notes, holds, tasks, check-ins). In ONE transaction of the store's log: the stores the
// command reads and writes are locked, the (device, opId) pair is looked up — a resend after a lost
// cmdAck gets the answer it got the first time ('duplicate', or the same rejection) and changes
// nothing —, the signed-in clerk the desk names is checked against the device's store, the family's
// rule runs, and its answer is remembered under the opId with the change and its events.
import { type Actor } from '../../shared/domain.ts';
import { type CmdAckFrame, type CmdFrame, type Rejection } from '../../shared/protocol.ts';
import { type DeviceRecord, type HqTx, type OpRecord } from '../ports/store.ts';
import { commandActor, isRejection } from './clerks/service.ts';
import { type Append, type EventLog } from './eventLog.ts';

/** The command changed something (`seq`: its event in the device's store) or nothing (null). */
export const okOp = (seq: number | null): OpRecord => ({ status: 'ok', seq, rejection: null });
/** The command is refused; `by` names who holds what it wanted, when that is the reason. */
export const rejectOp = (code: Rejection['code'], message: string, by?: Actor | null): OpRecord => ({
  status: 'rejected',
  seq: null,
  rejection: by ? { code, message, by } : { code, message },
});

export function ackFrame(opId: string, status: CmdAckFrame['status'], op: OpRecord): CmdAckFrame {
  const frame: CmdAckFrame = { t: 'cmdAck', opId, status, seq: op.seq };
  if (op.rejection) frame.rejection = op.rejection;
  return frame;
}

export interface DeskCommandOptions {
  /**
   * Other stores the command writes to (a cross-store hold request writes both logs). All of them
   * and the device's store are locked in id order, whichever store asks, so two stores' commands
   * cannot deadlock; read before the lookup, so only what cannot change may decide them.
   */
  alsoLock?: (tx: HqTx) => Promise<readonly string[]>;
}

/** Runs `rule` as the device's command `cmd`, exactly once in effect (see the top of this file). */
export function runDeskCommand(
  log: EventLog,
  device: DeviceRecord,
  cmd: Pick<CmdFrame, 'opId' | 'clerkId'>,
  now: number,
  rule: (tx: HqTx, append: Append, actor: Actor) => Promise<OpRecord>,
  opts: DeskCommandOptions = {},
): Promise<CmdAckFrame> {
  return log.write(async (tx, append) => {
    // Read-then-write (is it still open? was this op seen?): serialised with the stores' other writers.
    const others = opts.alsoLock ? await opts.alsoLock(tx) : [];
    for (const id of [...new Set([device.storeId, ...others])].sort()) await tx.lockStore(id);
    const seen = await tx.getOp(device.id, cmd.opId);
    // Rejections keep their status so the desk settles the op the same way it would have.
    if (seen) return ackFrame(cmd.opId, seen.status === 'rejected' ? 'rejected' : 'duplicate', seen);
    const actor = await commandActor(tx, device, cmd.clerkId);
    const op = isRejection(actor) ? rejectOp(actor.code, actor.message) : await rule(tx, append, actor);
    await tx.putOp(device.id, cmd.opId, op, now);
    return ackFrame(cmd.opId, op.status, op);
  });
}
