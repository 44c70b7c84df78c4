// How the Today pane words a task in each language (renderer/src/tasks/taskText.ts): HQ's own tasks
// carry no text, so the restock, birthday and hold wordings come from their fields; due times and
// snooze choices follow the desk's clock.
import { describe, expect, it } from 'vitest';
import { translator } from '../../renderer/src/i18n/index.ts';
import { birthdayText, dueText, snoozeUntil, taskNote, taskTitle } from '../../renderer/src/tasks/taskText.ts';
import { type TaskView } from '../../shared/deskApi.ts';

const view = (over: Partial<TaskView>): TaskView => ({
  id: 't',
  storeId: 's',
  memberId: 'm1',
  kind: 'call_back',
  text: '',
  dueAt: 0,
  assignee: null,
  status: 'open',
  snoozedUntil: null,
  want: null,
  birthday: null,
  refId: null,
  createdBy: null,
  createdAt: 0,
  doneBy: null,
  doneAt: null,
  updatedAt: 0,
  sync: null,
  pendingAction: null,
  rejection: null,
  member: { id: 'm1', code: 'M1', name: '张伟', nameEn: 'Zhang Wei', tier: 'gold' },
  ...over,
});

describe('task wording', () => {
  const zh = translator('zh-CN');
  const en = translator('en');
  it('words HQ’s tasks from their fields, in both languages', () => {
    const restock = view({ kind: 'restock', want: { styleId: 'st', size: 39, styleName: 'Cloud Runner' } });
    expect(taskTitle(zh, restock, 'zh-CN')).toBe('Cloud Runner 39 码到货了：致电 张伟');
    expect(taskTitle(en, restock, 'en')).toBe('Size 39 of Cloud Runner has arrived: call 张伟');
    const bday = view({ kind: 'birthday', birthday: '03-12' });
    expect(taskTitle(zh, bday, 'zh-CN')).toBe('张伟 的生日在 3月12日');
    expect(taskTitle(en, bday, 'en')).toBe('张伟’s birthday on Mar 12');
    expect(taskTitle(en, view({ kind: 'hold_expiring' }), 'en')).toBe('张伟’s hold expires soon');
    expect(taskTitle(zh, view({ kind: 'call_back', want: { styleId: 'st', size: 39.5 } }), 'zh-CN')).toBe('st 39.5 码到货后致电 张伟');
    expect(taskTitle(en, view({ kind: 'call_back', member: null, memberId: 'gone' }), 'en')).toBe('Call back a member');
    expect(taskTitle(en, view({ kind: 'other', text: 'Tidy the wall' }), 'en')).toBe('Tidy the wall');
    expect(taskNote(view({ kind: 'other', text: 'Tidy' }))).toBeNull();
    expect(taskNote(view({ kind: 'call_back', text: '六点后' }))).toBe('六点后');
    expect(birthdayText('12-31', 'en')).toBe('Dec 31');
  });

  it('says when it is due, overdue from an earlier day, and snoozes to 1 h, tomorrow 09:00, next week 09:00', () => {
    const now = new Date(2026, 2, 12, 15, 0).getTime();
    expect(dueText(en, view({ dueAt: new Date(2026, 2, 12, 10, 5).getTime() }), now, 'en')).toEqual({ text: 'today 10:05 AM', overdue: false });
    expect(dueText(zh, view({ dueAt: new Date(2026, 2, 10, 9, 0).getTime() }), now, 'zh-CN')).toEqual({ text: '已逾期（3月10日 09:00）', overdue: true });
    expect(dueText(en, view({ dueAt: new Date(2026, 2, 14, 9, 30).getTime() }), now, 'en').text).toBe('Mar 14 09:30 AM');
    expect(snoozeUntil('hour', now)).toBe(now + 3600_000);
    expect(snoozeUntil('tomorrow', now)).toBe(new Date(2026, 2, 13, 9, 0).getTime());
    expect(snoozeUntil('week', now)).toBe(new Date(2026, 2, 19, 9, 0).getTime());
  });
});
