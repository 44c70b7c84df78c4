// Follow-up tasks as the clerk sees them: HQ's confirmed tasks plus the outbox replayed on top (a
// queued create shows as a pending task, a queued done hides it from Today, a queued snooze moves
// it) — the same "never write optimism into the confirmed tables" rule as visits (../overlay.ts).
// Pure (but mootTaskRefusal, a one-row read): the rows and ops go in, views come out.
import type { TaskView } from '../../../shared/deskApi.ts';
import type { Actor } from '../../../shared/domain.ts';
import { isDueToday, type Task } from '../../../shared/tasks.ts';
import type { CacheQueries, OutboxOp } from '../cache/queries.ts';

/** Outbox ops of a task are filed under this subject (the outbox's visit_id column). */
export const taskSubject = (taskId: string) => `task:${taskId}`;
export const taskOfSubject = (subject: string) => (subject.startsWith('task:') ? subject.slice(5) : null);

type TaskOp = Extract<OutboxOp, { type: 'task.create' | 'task.done' | 'task.snooze' }>;
const isTaskOp = (op: OutboxOp): op is TaskOp => op.type === 'task.create' || op.type === 'task.done' || op.type === 'task.snooze';

/**
 * Whether HQ's refusal of this op needs no telling: a done or snooze of a task the cache already
 * has as done (another counter finished it while this one was offline). Its task leaves every list,
 * so the refusal would never be seen, and the op would stay in the outbox for nothing.
 */
export function mootTaskRefusal(q: Pick<CacheQueries, 'tasks'>, op: OutboxOp): boolean {
  if (op.type !== 'task.done' && op.type !== 'task.snooze') return false;
  return q.tasks.get(op.data.taskId)?.status === 'done';
}

export interface OverlayContext {
  storeId: string;
  self: Actor;
  clerkName(clerkId: string): string | null;
}

/** Every task the desk knows (confirmed, or only queued) with its ops applied, without member data. */
export function overlayTasks(confirmed: readonly Task[], ops: readonly OutboxOp[], ctx: OverlayContext): Omit<TaskView, 'member'>[] {
  const byId = new Map<string, Omit<TaskView, 'member'>>();
  for (const t of confirmed) byId.set(t.id, { ...t, sync: null, pendingAction: null, rejection: null });
  for (const op of ops) {
    if (!isTaskOp(op)) continue;
    const id = op.data.taskId;
    const actor: Actor = op.data.clerkId ? { ...ctx.self, clerkId: op.data.clerkId, clerkName: ctx.clerkName(op.data.clerkId) ?? undefined } : ctx.self;
    let view = byId.get(id);
    if (op.type === 'task.create') {
      if (view) continue; // HQ has it (a resend): the confirmed task wins
      const d = op.data;
      view = {
        id,
        storeId: ctx.storeId,
        memberId: d.memberId,
        kind: d.kind,
        text: d.text,
        dueAt: d.dueAt,
        assignee: d.assignee,
        status: 'open',
        snoozedUntil: null,
        want: d.want ?? null,
        birthday: null,
        refId: null,
        createdBy: actor,
        createdAt: op.createdAt,
        doneBy: null,
        doneAt: null,
        updatedAt: op.createdAt,
        sync: null,
        pendingAction: null,
        rejection: null,
      };
      byId.set(id, view);
    }
    if (!view) continue; // a done/snooze of a task this cache no longer has (erased): nothing to show
    const action = op.type === 'task.create' ? 'create' : op.type === 'task.done' ? 'done' : 'snooze';
    if (op.state === 'rejected') {
      // Refused: the op stops applying; the task shows HQ's state with the refusal until dismissed.
      view.sync = 'rejected';
      view.pendingAction = action;
      view.rejection = op.rejection;
      continue;
    }
    view.sync = 'pending';
    view.pendingAction = action;
    view.rejection = null;
    if (op.type === 'task.done') Object.assign(view, { status: 'done', doneBy: actor, doneAt: op.createdAt, snoozedUntil: null });
    else if (op.type === 'task.snooze') view.snoozedUntil = op.data.until;
  }
  return [...byId.values()];
}

export interface TodayFilter {
  scope: 'mine' | 'store' | 'member';
  /** The signed-in clerk (mine: their tasks; none signed in: nothing is "mine"). */
  clerkId: string | null;
  memberId?: string;
  now: number;
  dueBy: number;
}

/**
 * A "Today" list: open, due by `dueBy`, not snoozed past now — plus a task whose last action HQ
 * refused (the clerk must see that). `member` lists every open task of the member, whatever its due
 * time. Oldest due first.
 */
export function todayList<T extends Omit<TaskView, 'member'>>(views: readonly T[], f: TodayFilter): T[] {
  return views
    .filter((t) => {
      if (f.scope === 'member') return t.memberId === f.memberId && (t.status === 'open' || t.sync === 'rejected');
      if (f.scope === 'mine' && (f.clerkId === null || t.assignee !== f.clerkId)) return false;
      return isDueToday(t, f.now, f.dueBy) || (t.sync === 'rejected' && t.status === 'open');
    })
    .sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
}

/** The end of the local day of `now` on this machine (the desk's time zone). */
export function endOfLocalDay(now: number): number {
  const d = new Date(now);
  d.setHours(23, 59, 59, 999);
  return d.getTime();
}
