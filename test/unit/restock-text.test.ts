// How the Today pane's restock matches word why a member matches (renderer/src/restock/restockText.ts),
// in both languages and for every category — "买过" + a category's shoes, never "童鞋鞋" — and which
// follow-up tasks are a match's (their size has arrived, so they read as a restock, not a wait).
import { describe, expect, it } from 'vitest';
import { translator } from '../../renderer/src/i18n/index.ts';
import { isRestockFollowUp, restockDoneBy, restockWhy } from '../../renderer/src/restock/restockText.ts';
import { taskTitle } from '../../renderer/src/tasks/taskText.ts';
import { type RestockMatchView, type TaskView } from '../../shared/deskApi.ts';
import { Category } from '../../shared/domain.ts';

const zh = translator('zh-CN');
const en = translator('en');

describe('why a member matches', () => {
  it('says the liked category or the shoes bought, in both languages', () => {
    expect(restockWhy(zh, 'preference', 'running')).toBe('偏好跑步');
    expect(restockWhy(zh, 'bought', 'running')).toBe('买过跑鞋');
    expect(restockWhy(zh, 'bought', 'kids')).toBe('买过童鞋');
    expect(restockWhy(zh, 'preference', 'kids')).toBe('偏好童鞋');
    expect(restockWhy(en, 'preference', 'basketball')).toBe('likes basketball');
    expect(restockWhy(en, 'bought', 'retro')).toBe('bought retro shoes');
    expect(restockWhy(en, 'preference', 'kids')).toBe("likes kids' shoes");
  });
  it('has words for every category: no key shown raw, no doubled 鞋', () => {
    for (const c of Category.options) {
      for (const t of [zh, en]) {
        for (const why of ['preference', 'bought'] as const) {
          const text = restockWhy(t, why, c);
          expect(text, `${c} ${why}`).not.toMatch(/restock\.|\{/);
          expect(text).not.toContain('鞋鞋');
        }
      }
    }
  });
});

describe('a restock follow-up', () => {
  const member = (memberId: string, how: 'message' | 'task' | 'dismissed' | null) => ({
    memberId,
    name: memberId,
    tier: 'gold' as const,
    why: 'preference' as const,
    lastVisitAt: null,
    done: how ? { how, by: null, at: 0, pending: false } : null,
    refused: null,
  });
  const matches: Pick<RestockMatchView, 'styleId' | 'size' | 'members'>[] = [{ styleId: 'st', size: 40, members: [member('m1', 'task'), member('m2', 'message'), member('m3', null)] }];
  const task = (over: Partial<Pick<TaskView, 'kind' | 'memberId' | 'want'>>) => ({ kind: 'call_back', memberId: 'm1', want: { styleId: 'st', size: 40 }, ...over });

  it('is the call-back a match set for that member, style and size', () => {
    expect(isRestockFollowUp(task({}), matches)).toBe(true);
    expect(isRestockFollowUp(task({ memberId: 'm2' }), matches)).toBe(false); // sent a card instead
    expect(isRestockFollowUp(task({ memberId: 'm3' }), matches)).toBe(false); // nothing done yet
    expect(isRestockFollowUp(task({ want: { styleId: 'st', size: 41 } }), matches)).toBe(false);
    expect(isRestockFollowUp(task({ want: { styleId: 'other', size: 40 } }), matches)).toBe(false);
    expect(isRestockFollowUp(task({ want: null }), matches)).toBe(false);
    expect(isRestockFollowUp(task({ kind: 'other' }), matches)).toBe(false);
    expect(isRestockFollowUp(task({ memberId: null }), matches)).toBe(false);
    expect(isRestockFollowUp(task({}), [])).toBe(false);
  });
  it('reads as arrived, not as a wait', () => {
    const view = { id: 't', storeId: 's', memberId: 'm1', kind: 'call_back', text: '', dueAt: 0, assignee: null, status: 'open', snoozedUntil: null, want: { styleId: 'st', size: 40, styleName: 'Cloud Runner 2' }, birthday: null, refId: null, createdBy: null, createdAt: 0, doneBy: null, doneAt: null, updatedAt: 0, sync: null, pendingAction: null, rejection: null, member: { id: 'm1', code: 'M1', name: '张伟', nameEn: '', tier: 'gold' } } satisfies TaskView;
    expect(taskTitle(zh, view, 'zh-CN', true)).toBe('Cloud Runner 2 40 码到货了：致电 张伟');
    expect(taskTitle(en, view, 'en', true)).toBe('Size 40 of Cloud Runner 2 has arrived: call 张伟');
    expect(taskTitle(zh, view, 'zh-CN')).toBe('Cloud Runner 2 40 码到货后致电 张伟');
  });
});

describe('who acted', () => {
  const at = new Date(2026, 2, 12, 15, 42).getTime(); // the desk's zone
  const by = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '王芳' };
  it('names the clerk (or the counter) and the time; nothing while it waits for HQ', () => {
    expect(restockDoneBy({ how: 'message', by, at, pending: false }, at + 60_000, 'zh-CN')).toBe('王芳 · 15:42');
    expect(restockDoneBy({ how: 'task', by: { deviceId: 'd1', deviceName: 'Counter 1' }, at, pending: false }, at, 'zh-CN')).toBe('Counter 1 · 15:42');
    expect(restockDoneBy({ how: 'dismissed', by: null, at, pending: false }, at + 2 * 86_400_000, 'en')).toBe('Mar 12, 2026');
    expect(restockDoneBy({ how: 'dismissed', by: null, at, pending: true }, at, 'en')).toBeNull();
    expect(restockDoneBy(null, at, 'en')).toBeNull();
  });
});
