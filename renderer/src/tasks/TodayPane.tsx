// The Today pane (follow-up tasks): "Mine" and "Store" lists of what is due today or overdue, each
// task done or snoozed (1 h / tomorrow / next week) in one click, its member opened in one click,
// and the new-task form. Reached from the clerk bar's Today button, which shows the count.
import { useEffect, useState } from 'react';
import type { TaskView } from '../../../shared/deskApi.ts';
import { rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useClerk, useDesk, useStores } from '../state/StoresProvider.tsx';
import { TierBadge } from '../components/TierBadge.tsx';
import { NewTaskForm } from './NewTaskForm.tsx';
import { dueText, snoozeUntil, taskNote, taskTitle } from './taskText.ts';
import { useToday, useTodayStore } from './useToday.ts';
import './today.css';
import { ExpectedTodayList } from '../expected/ExpectedCue.tsx'; // 5/8 expected visits
import { RestockList } from '../restock/RestockList.tsx'; // 7/8 restock
import { useRestock } from '../restock/restockStore.ts'; // 7/8 restock2
import { isRestockFollowUp } from '../restock/restockText.ts'; // 7/8 restock2

/** The clerk bar's button: one click to the Today pane, with the count of the clerk's tasks due. */
export function TodayButton() {
  const t = useT();
  const open = useToday((s) => s.open);
  const mine = useToday((s) => s.mine.length);
  const store = useToday((s) => s.store.length);
  const { setOpen } = useTodayStore().getState();
  return (
    <button
      type="button"
      className="btn btn-small today-button"
      aria-pressed={open}
      // Only name the pane while it exists: aria-controls pointing at no element is invalid ARIA.
      aria-controls={open ? 'today-pane' : undefined}
      title={t('today.buttonTitle', { mine, store })}
      onClick={() => setOpen(!open)}
    >
      {t('today.button')}
      <span className={`today-badge${mine ? '' : ' today-badge-zero'}`} aria-label={t('today.badgeLabel', { n: mine })}>
        {mine}
      </span>
    </button>
  );
}

/** The member panel's "Follow up": the new-task form for this member. */
export function FollowUpButton({ memberId }: { memberId: string }) {
  const t = useT();
  const { openForm } = useTodayStore().getState();
  return (
    <button type="button" className="btn btn-small follow-up" onClick={() => openForm(memberId)}>
      {t('member.followUp')}
    </button>
  );
}

export function TodayPane() {
  const t = useT();
  const open = useToday((s) => s.open);
  const tab = useToday((s) => s.tab);
  const form = useToday((s) => s.form);
  const mine = useToday((s) => s.mine);
  const all = useToday((s) => s.store);
  const error = useToday((s) => s.error);
  const { setOpen, setTab, openForm } = useTodayStore().getState();

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);

  if (!open) return null;
  const list = tab === 'mine' ? mine : all;
  return (
    <aside id="today-pane" className="today" aria-labelledby="today-title">
      <header className="today-head">
        <h2 id="today-title">{t('today.title')}</h2>
        <button type="button" className="btn btn-small btn-primary today-new" onClick={() => openForm(null)}>
          {t('today.new')}
        </button>
        <button type="button" className="btn btn-small today-close" aria-label={t('today.close')} onClick={() => setOpen(false)}>
          ×
        </button>
      </header>
      {form ? (
        <NewTaskForm memberId={form.memberId} />
      ) : (
        <>
          <div className="today-tabs" role="tablist">
            <button type="button" role="tab" className="today-tab" aria-selected={tab === 'mine'} onClick={() => setTab('mine')}>
              {t('today.mine')} <span className="today-count">{mine.length}</span>
            </button>
            <button type="button" role="tab" className="today-tab" aria-selected={tab === 'store'} onClick={() => setTab('store')}>
              {t('today.store')} <span className="today-count">{all.length}</span>
            </button>
          </div>
          {error && (
            <p className="today-error" role="alert">
              {error}
            </p>
          )}
          {list.length === 0 ? (
            <p className="empty today-empty">{tab === 'mine' ? t('today.emptyMine') : t('today.emptyStore')}</p>
          ) : (
            <ul className="today-list" role="tabpanel" aria-label={tab === 'mine' ? t('today.mine') : t('today.store')}>
              {list.map((task) => (
                <TaskRow key={task.id} task={task} />
              ))}
            </ul>
          )}
          <ExpectedTodayList onOpenMember={() => setOpen(false)} />
          <RestockList onOpenMember={() => setOpen(false)} /> {/* 7/8 restock */}
        </>
      )}
    </aside>
  );
}

function TaskRow({ task }: { task: TaskView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  const clerks = useClerk((s) => s.clerks);
  const { openMember } = useStores().desk.getState();
  const { done, snooze, dismiss, setOpen } = useTodayStore().getState();
  const [busy, setBusy] = useState(false);
  const due = dueText(t, task, now, locale);
  const arrived = useRestock((s) => isRestockFollowUp(task, s.list)); // 7/8 restock2
  const note = taskNote(task);
  const assignee = task.assignee ? (clerks.find((c) => c.id === task.assignee)?.name ?? t('task.someClerk')) : t('task.wholeStore');
  const run = (fn: () => Promise<void>) => {
    setBusy(true);
    void fn().finally(() => setBusy(false));
  };
  return (
    <li className={`today-task today-kind-${task.kind}${due.overdue ? ' today-overdue' : ''}`} data-task-id={task.id} data-sync={task.sync ?? 'confirmed'}>
      <div className="today-task-head">
        <span className={`today-kind today-kind-chip-${task.kind}`}>{t(`kind.${task.kind}`)}</span>
        <span className="today-title">{taskTitle(t, task, locale, arrived)}</span>
      </div>
      {note && <p className="today-note">{note}</p>}
      <p className="today-meta">
        {task.member && (
          <span className="today-who">
            <button
              type="button"
              className="link today-member"
              onClick={() => {
                openMember(task.member!.id);
                setOpen(false);
              }}
            >
              <bdi>{task.member.name}</bdi> · {task.member.code}
            </button>
            <TierBadge tier={task.member.tier} />
          </span>
        )}
        <span className={due.overdue ? 'today-due today-due-over' : 'today-due'}>{due.text}</span>
        <span className="today-for">{t('task.for', { name: assignee })}</span>
        {task.sync === 'pending' && <span className="sync sync-pending">{t('sync.pending')}</span>}
      </p>
      {task.sync === 'rejected' && (
        <p className="today-rejected" role="status">
          {t(`task.refused.${task.pendingAction ?? 'create'}`)}: {rejectionText(t, task.rejection)}
          <button type="button" className="btn btn-small" onClick={() => run(() => dismiss(task.id))}>
            {t('task.dismiss')}
          </button>
        </p>
      )}
      <div className="today-actions">
        <button type="button" className="btn btn-small btn-primary today-done" disabled={busy} onClick={() => run(() => done(task.id))}>
          ✓ {t('task.done')}
        </button>
        <span className="today-snooze" role="group" aria-label={t('task.snooze')}>
          <span className="today-snooze-label">{t('task.snooze')}</span>
          {(['hour', 'tomorrow', 'week'] as const).map((c) => (
            <button key={c} type="button" className="btn btn-small" disabled={busy} onClick={() => run(() => snooze(task.id, snoozeUntil(c, Date.now())))}>
              {t(`task.snooze.${c}`)}
            </button>
          ))}
        </span>
      </div>
    </li>
  );
}
