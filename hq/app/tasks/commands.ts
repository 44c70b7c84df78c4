// Desk task commands (task.create, task.done, task.snooze), exactly-once in effect like every desk
// command: the (device, opId) pair is looked up and recorded in the transaction of the change and
// its event. The desk makes the taskId, so the same task sent again under another opId (a clerk's
// retry after a restart) is still one task.
//
// Store isolation: a task is its store's. Another store's task is answered exactly like an unknown
// one (`not_found`), and a task may only be assigned to a clerk of the device's store.
import { type Actor } from '../../../shared/domain.ts';
import { type CmdAckFrame, type Rejection, type TaskCmdFrame } from '../../../shared/protocol.ts';
import { MAX_SNOOZE_MS, type Task } from '../../../shared/tasks.ts';
import { type DeviceRecord, type HqTx, type OpRecord } from '../../ports/store.ts';
import { boundedActionTime, type DeskClock } from '../actionTime.ts';
import { okOp, rejectOp, runDeskCommand } from '../deskCommand.ts';
import { type Append, type EventLog } from '../eventLog.ts';

/** How far ahead a task may be due (two years): further is a typo, refused rather than lost from view. */
export const MAX_DUE_AHEAD_MS = 2 * 366 * 24 * 60 * 60 * 1000;
/** How far back a clerk's action time may reach for a task (a desk offline for a long weekend and more). */
const ACTION_FLOOR_MS = 30 * 24 * 60 * 60 * 1000;

type Outcome = OpRecord;
const reject = (code: Rejection['code'], message: string): Outcome => rejectOp(code, message);
const ok = (seq: number | null): Outcome => okOp(seq);

export function applyTaskCommand(log: EventLog, device: DeviceRecord, cmd: TaskCmdFrame, now = Date.now(), clock: DeskClock = { offsetMs: 0 }): Promise<CmdAckFrame> {
  // Read-then-write (does the task exist? is it open?) under the store's lock (deskCommand.ts).
  return runDeskCommand(log, device, cmd, now, (tx, append, actor) => execute(tx, append, device.storeId, actor, cmd, now, clock));
}

async function execute(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: TaskCmdFrame, now: number, clock: DeskClock): Promise<Outcome> {
  const at = boundedActionTime(cmd.at, clock.offsetMs, now, now - ACTION_FLOOR_MS);
  const cause = { by: actor, opId: cmd.opId };
  if (cmd.type === 'task.create') {
    const d = cmd.data;
    const existing = await tx.tasks.getTask(d.taskId);
    if (existing) return existing.storeId === storeId ? ok(null) : reject('invalid', 'That task id is already used');
    if (d.dueAt > now + MAX_DUE_AHEAD_MS) return reject('invalid', 'A task may be due at most two years ahead');
    if (d.memberId !== null && !(await tx.getMember(d.memberId))) return reject('not_found', 'No such member');
    if (d.assignee !== null) {
      const clerk = await tx.clerks.getClerk(d.assignee);
      // Another store's clerk is answered like an unknown one.
      if (!clerk || clerk.storeId !== storeId || !clerk.enabled) return reject('invalid', 'No such clerk in this store');
    }
    let want: Task['want'] = null;
    if (d.want) {
      const style = (await tx.listStyles()).find((s) => s.id === d.want!.styleId);
      if (!style) return reject('not_found', 'No such style in the catalog');
      want = { styleId: style.id, size: d.want.size, styleName: style.name };
    }
    const task: Task = {
      id: d.taskId,
      storeId,
      memberId: d.memberId,
      kind: d.kind,
      text: d.text,
      dueAt: d.dueAt,
      assignee: d.assignee,
      status: 'open',
      snoozedUntil: null,
      want,
      birthday: null,
      refId: null,
      createdBy: actor,
      createdAt: at,
      doneBy: null,
      doneAt: null,
      updatedAt: now,
    };
    await tx.tasks.putTask(task);
    return ok((await append(storeId, 'task.created', { task, ...cause }, now)).seq);
  }

  const current = await tx.tasks.getTask(cmd.data.taskId);
  if (!current || current.storeId !== storeId) return reject('not_found', 'No such task in this store');
  if (cmd.type === 'task.done') {
    if (current.status === 'done') return ok(null); // done already (here or at another counter): nothing changes
    const task: Task = { ...current, status: 'done', doneBy: actor, doneAt: at, snoozedUntil: null, updatedAt: now };
    await tx.tasks.putTask(task);
    return ok((await append(storeId, 'task.updated', { task, ...cause }, now)).seq);
  }
  // task.snooze
  if (current.status === 'done') return reject('invalid', 'The task is already done');
  const until = Math.min(cmd.data.until, now + MAX_SNOOZE_MS);
  const task: Task = { ...current, snoozedUntil: until, updatedAt: now };
  await tx.tasks.putTask(task);
  return ok((await append(storeId, 'task.updated', { task, ...cause }, now)).seq);
}
