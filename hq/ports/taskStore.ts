// The follow-up tasks part of the store port (reached as `tx.tasks`): it runs in the caller's
// transaction, so a task and the event that announces it commit together. Tables from HQ migration 12.
import { type Task } from '../../shared/tasks.ts';

export interface TaskOps {
  /** Inserts the task, or replaces it (same id): a done or snoozed task is written whole. */
  putTask(task: Task): Promise<void>;
  getTask(id: string): Promise<Task | null>;
  /** The store's open tasks and those updated at or after `since`, by due time. */
  tasksOfStore(storeId: string, since: number, limit: number): Promise<Task[]>;
  /** The store's open tasks waiting for a style and size (wants: call back when it arrives), oldest first. */
  openWants(storeId: string): Promise<Task[]>;
  /** The store's quantity of a style in one size, over every colour (0 when it has no line). */
  sizeQty(storeId: string, styleId: string, size: number): Promise<number>;
}
