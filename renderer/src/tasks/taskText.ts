// A task in the clerk's words and language: HQ's own tasks carry no text, only their kind and
// fields (a restock's style and size, a birthday's date), so both languages word them here. Pure.
import type { TaskView } from '../../../shared/deskApi.ts';
import type { Translate } from '../i18n/index.ts';

/** Snooze choices: an hour from now, tomorrow at 09:00, a week from today at 09:00 (the desk's time zone). */
export function snoozeUntil(choice: 'hour' | 'tomorrow' | 'week', now: number): number {
  if (choice === 'hour') return now + 3600_000;
  const d = new Date(now);
  d.setDate(d.getDate() + (choice === 'tomorrow' ? 1 : 7));
  d.setHours(9, 0, 0, 0);
  return d.getTime();
}

const memberName = (t: Translate, task: TaskView) => task.member?.name ?? (task.memberId ? t('task.someMember') : '');

/**
 * The task's headline. `arrived`: a call-back waiting for a size that is in store now (a restock
 * match's follow-up, 7/8) reads as HQ's restock task does, not "call when it arrives".
 */
export function taskTitle(t: Translate, task: TaskView, locale: string, arrived = false): string {
  const name = memberName(t, task);
  const size = task.want ? String(task.want.size) : '';
  const style = task.want?.styleName ?? task.want?.styleId ?? '';
  switch (task.kind) {
    case 'restock':
      return t('task.restockTitle', { size, style, name });
    case 'birthday': {
      const date = task.birthday ? birthdayText(task.birthday, locale) : '';
      return date ? t('task.birthdayTitle', { name, date }) : t('task.birthdayTitleNoDate', { name });
    }
    case 'hold_expiring':
      return t('task.holdTitle', { name });
    case 'call_back':
      if (task.want) return t(arrived ? 'task.restockTitle' : 'task.callBackWantTitle', { name, size, style });
      return name ? t('task.callBackTitle', { name }) : t('kind.call_back');
    case 'other':
      return task.text;
  }
}

/** The clerk's own words under the headline (none when they are the headline already). */
export function taskNote(task: TaskView): string | null {
  return task.kind === 'other' || !task.text ? null : task.text;
}

/** "3月12日" / "12 Mar": a birthday has no year. */
export function birthdayText(monthDay: string, locale: string): string {
  const [m, d] = monthDay.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(2000, m - 1, d));
}

/** When it is due, as the clerk reads it: "overdue since 12 Mar 15:00", "today 15:00", "14 Mar 10:00". */
export function dueText(t: Translate, task: TaskView, now: number, locale: string): { text: string; overdue: boolean } {
  const sameDay = new Date(task.dueAt).toDateString() === new Date(now).toDateString();
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(task.dueAt);
  const date = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(task.dueAt);
  const when = sameDay ? t('task.dueToday', { time }) : t('task.dueOn', { date, time });
  const overdue = task.dueAt < now && !sameDay;
  return { text: overdue ? t('task.overdue', { when: `${date} ${time}` }) : when, overdue };
}
