// Follow-up tasks on the desk: the Today lists (mine, the store's, a member's) read from the cache
// with the outbox laid over them, and the clerk's actions (create, done, snooze) queued in the
// outbox under the subject task:<id> and shown at once. Works the same offline: HQ settles the ops
// when the link is back, and its `task.created` / `task.updated` events settle them (sync.ts).
import { DeskError, type TaskView } from '../../../shared/deskApi.ts';
import type { Actor } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { CommandType } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import { endOfLocalDay, overlayTasks, taskSubject, todayList } from './views.ts';

export interface DeskTasksOptions {
  self(): Actor;
  /** The signed-in clerk ("mine"). */
  clerkId(): string | null;
  clerkName(clerkId: string): string | null;
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string;
  /** A clerk action was queued: counts, connection and (when live) the flush follow. */
  queued(): void;
  /** Tell the UI the task lists changed. */
  changed(): void;
}

export interface ListArgs {
  scope: 'mine' | 'store' | 'member';
  memberId?: string;
  dueBy?: number;
}

export interface NewTask {
  memberId: string | null;
  kind: 'call_back' | 'birthday' | 'other';
  text: string;
  dueAt: number;
  assignee: string | null;
  want?: { styleId: string; size: number } | null;
}

export class DeskTasks {
  constructor(
    private readonly q: CacheQueries,
    private readonly opts: DeskTasksOptions,
  ) {}

  list(args: ListArgs, now = Date.now()): TaskView[] {
    const views = this.views();
    const list = todayList(views, { scope: args.scope, memberId: args.memberId, clerkId: this.opts.clerkId(), now, dueBy: args.dueBy ?? endOfLocalDay(now) });
    return list.map((t) => ({ ...t, member: this.memberOf(t.memberId) }));
  }

  create(t: NewTask): { opId: string; taskId: string } {
    const taskId = uuidv7();
    const opId = this.opts.enqueue('task.create', taskSubject(taskId), {
      taskId,
      memberId: t.memberId,
      kind: t.kind,
      text: t.text,
      dueAt: t.dueAt,
      assignee: t.assignee,
      ...(t.want ? { want: t.want } : {}),
    });
    this.acted();
    return { opId, taskId };
  }

  done(taskId: string): { opId: string } {
    this.known(taskId);
    const opId = this.opts.enqueue('task.done', taskSubject(taskId), { taskId });
    this.acted();
    return { opId };
  }

  snooze(taskId: string, until: number): { opId: string } {
    this.known(taskId);
    const opId = this.opts.enqueue('task.snooze', taskSubject(taskId), { taskId, until });
    this.acted();
    return { opId };
  }

  /** Stop showing HQ's refusal of an action on this task (the refused ops leave the outbox). */
  dismissRejection(taskId: string): void {
    if (this.q.deleteRejectedOfVisit(taskSubject(taskId)) > 0) this.opts.changed();
  }

  private views() {
    const identity = this.q.getIdentity();
    return overlayTasks(this.q.tasks.open(), this.q.listOps(), { storeId: identity?.storeId ?? '', self: this.opts.self(), clerkName: (id) => this.opts.clerkName(id) });
  }

  /** A task the clerk can act on: confirmed here, or queued here. */
  private known(taskId: string): void {
    if (this.q.tasks.get(taskId) || this.q.opsOfVisit(taskSubject(taskId)).some((o) => o.type === 'task.create')) return;
    throw new DeskError('not_found', `no task ${taskId} at this desk`);
  }

  private memberOf(memberId: string | null): TaskView['member'] {
    if (!memberId) return null;
    const m = this.q.getMember(memberId);
    return m ? { id: m.id, code: m.code, name: m.name, nameEn: m.nameEn, tier: m.tier } : null;
  }

  private acted(): void {
    this.opts.queued();
    this.opts.changed();
  }
}
