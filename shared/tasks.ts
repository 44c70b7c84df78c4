// Follow-up tasks (issue 14, part D): what a clerk must do later, usually about a member — call back
// when a size arrives, a birthday next week, a hold about to expire, or free text.
//
// Invariants:
// - A task belongs to one store; only that store's desks see it or change it (HQ answers another
//   store's task like an unknown one).
// - A task is `open` until done; snoozing moves when it shows again (`snoozedUntil`), never its due
//   time, so "overdue since" stays true.
// - Tasks HQ makes by itself (restock, birthday week, hold expiring) have a deterministic id made
//   from their trigger (systemTaskId), so a trigger seen twice — twice on one node, or once on each
//   of two nodes — makes one task.
// - What a task names of a member is the member id: the desk shows the name from its own cache,
//   and the task carries no phone or other member data (PIPL: only what the follow-up needs).
import { z } from 'zod';
import { Actor, EuSize, Id, Millis, MonthDay } from './domain.ts';

/** call_back: the clerk promised to call (optionally when a wanted size arrives); restock: that size arrived. */
export const TaskKind = z.enum(['call_back', 'birthday', 'hold_expiring', 'restock', 'other']);
export type TaskKind = z.infer<typeof TaskKind>;

/** A wanted style and size: when the store's stock of it goes from 0 to more, HQ makes a `restock` task. */
export const TaskWant = z.object({
  styleId: Id,
  size: EuSize,
  /** The style's name when the want was recorded (HQ fills it from the catalog), for the task's text. */
  styleName: z.string().max(80).optional(),
});
export type TaskWant = z.infer<typeof TaskWant>;

export const TaskText = z.string().trim().max(500);

export const Task = z.object({
  id: Id,
  storeId: Id,
  memberId: Id.nullable(),
  kind: TaskKind,
  /** The clerk's own words (may be empty for a system task: the desk words it from kind and fields). */
  text: TaskText,
  dueAt: Millis,
  /** The clerk it is for; null = the whole store. */
  assignee: Id.nullable(),
  status: z.enum(['open', 'done']),
  /** Shown again only from this time on (null: not snoozed). */
  snoozedUntil: Millis.nullable(),
  want: TaskWant.nullable(),
  /** birthday: the member's "MM-DD". */
  birthday: MonthDay.nullable(),
  /** What triggered a system task (a want task's id, a hold's id); null for a clerk's task. */
  refId: Id.nullable(),
  /** Who set it; null = HQ by itself. */
  createdBy: Actor.nullable(),
  createdAt: Millis,
  doneBy: Actor.nullable(),
  doneAt: Millis.nullable(),
  updatedAt: Millis,
});
export type Task = z.infer<typeof Task>;

/** The deterministic id of a task HQ makes by itself from a trigger (at most 64 characters, as every Id). */
export function systemTaskId(kind: 'restock' | 'birthday' | 'hold_expiring', ...parts: string[]): string {
  const id = [kind === 'birthday' ? 'bday' : kind === 'restock' ? 'rstk' : 'hold', ...parts].join(':');
  if (id.length <= 64) return id;
  // Long ids (uuid want ids inside) are shortened by a stable hash so the id stays deterministic.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    h1 = Math.imul(h1 ^ id.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ id.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return `${id.slice(0, 46)}~${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** How long a snooze may reach (a year): a typo cannot hide a task for ever. */
export const MAX_SNOOZE_MS = 366 * 24 * 60 * 60 * 1000;

/** Whether a task shows on a "Today" list at `now`: open, due by `dueBy`, not snoozed past now. Pure. */
export function isDueToday(t: Pick<Task, 'status' | 'dueAt' | 'snoozedUntil'>, now: number, dueBy: number): boolean {
  return t.status === 'open' && t.dueAt <= dueBy && (t.snoozedUntil === null || t.snoozedUntil <= now);
}

/**
 * Every "MM-DD" (29 February included) that `birthdayWithin` places in the `days` days starting on
 * `today`: what a store's birthday sweep asks its index for, instead of reading every member.
 * Derived from `birthdayWithin` itself, so the two cannot disagree (29 February in a year without
 * it, the turn of the year).
 */
export function birthdayKeysWithin(today: { year: number; month: number; day: number }, days = 7): string[] {
  const keys: string[] = [];
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= 31; day++) {
      if (day > new Date(Date.UTC(2000, month, 0)).getUTCDate()) break; // 2000: a leap year, so 02-29 is asked
      const key = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      if (birthdayWithin(key, today, days) !== null) keys.push(key);
    }
  }
  return keys;
}

/** The birthday week: whether "MM-DD" falls within the `days` days starting on `today` (a local date). Answers the year it falls in, or null. */
export function birthdayWithin(birthday: string, today: { year: number; month: number; day: number }, days = 7): number | null {
  const [mm, dd] = birthday.split('-').map(Number) as [number, number];
  const start = Date.UTC(today.year, today.month - 1, today.day);
  for (const year of [today.year, today.year + 1]) {
    // 29 Feb in a year without it is celebrated on 28 Feb.
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const at = Date.UTC(year, mm - 1, mm === 2 && dd === 29 && !leap ? 28 : dd);
    const diff = (at - start) / 86_400_000;
    if (diff >= 0 && diff < days) return year;
  }
  return null;
}
