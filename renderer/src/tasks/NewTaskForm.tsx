// The new-task form: what (call back, optionally when a style and size arrives; birthday; other),
// about whom (the member opened, or one found by search), when, and for whom (me, another clerk, the
// whole store). Saved through the outbox like any clerk action: it shows at once, offline too.
import { useEffect, useMemo, useState } from 'react';
import type { MemberSearchHit, MemberView } from '../../../shared/deskApi.ts';
import { useT } from '../i18n/useT.ts';
import { useClerk, useDeskClient } from '../state/StoresProvider.tsx';
import { useToday, useTodayStore } from './useToday.ts';

type Kind = 'call_back' | 'birthday' | 'other';
type Due = 'today' | 'tomorrow' | 'week' | 'custom';

/** A due time for a quick choice: later today (in 2 h, at most 21:00), tomorrow 10:00, a week from today 10:00 — the desk's time zone. */
export function dueFor(choice: Exclude<Due, 'custom'>, now: number): number {
  const d = new Date(now);
  if (choice === 'today') {
    const end = new Date(now);
    end.setHours(21, 0, 0, 0);
    return Math.max(now, Math.min(now + 2 * 3600_000, end.getTime()));
  }
  d.setDate(d.getDate() + (choice === 'tomorrow' ? 1 : 7));
  d.setHours(10, 0, 0, 0);
  return d.getTime();
}

/** "YYYY-MM-DDTHH:MM" in local time, for a datetime-local input. */
const localInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export function NewTaskForm({ memberId: initialMember }: { memberId: string | null }) {
  const t = useT();
  const api = useDeskClient();
  const clerk = useClerk((s) => s.state?.clerk ?? null);
  const clerks = useClerk((s) => s.clerks);
  const error = useToday((s) => s.error);
  const { create, closeForm } = useTodayStore().getState();

  const [memberId, setMemberId] = useState<string | null>(initialMember);
  const [member, setMember] = useState<MemberView | null>(null);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<MemberSearchHit[]>([]);
  const [kind, setKind] = useState<Kind>('call_back');
  const [text, setText] = useState('');
  const [styleId, setStyleId] = useState('');
  const [size, setSize] = useState('');
  const [due, setDue] = useState<Due>('tomorrow');
  const [custom, setCustom] = useState(() => localInput(dueFor('tomorrow', Date.now())));
  const [assignee, setAssignee] = useState<string>(clerk?.id ?? '');
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!memberId) return setMember(null);
    let live = true;
    void api.getMember(memberId).then((m) => {
      if (!live) return;
      setMember(m);
      if (m) setSize((s) => s || String(m.member.sizes.eu));
    });
    return () => {
      live = false;
    };
  }, [api, memberId]);

  useEffect(() => {
    const q = query.trim();
    if (memberId || q.length === 0) return setHits([]);
    let live = true;
    void api.searchMembers({ query: q, limit: 5 }).then((h) => live && setHits(h));
    return () => {
      live = false;
    };
  }, [api, query, memberId]);

  // Styles the member may wait for: suggested here, or bought before.
  const styles = useMemo(() => {
    const seen = new Map<string, string>();
    for (const r of member?.recommendations ?? []) seen.set(r.styleId, r.name);
    for (const p of member?.purchases ?? []) if (!seen.has(p.styleId)) seen.set(p.styleId, p.styleName);
    return [...seen];
  }, [member]);

  const sizeNumber = Number(size);
  const wantOk = !styleId || (Number.isFinite(sizeNumber) && sizeNumber >= 16 && sizeNumber <= 52 && Number.isInteger(sizeNumber * 2));
  const dueAt = due === 'custom' ? new Date(custom).getTime() : dueFor(due, Date.now());
  const canSave = !saving && wantOk && Number.isFinite(dueAt) && (kind !== 'other' || text.trim().length > 0) && (kind === 'other' || memberId !== null);

  const save = async () => {
    setSaving(true);
    const ok = await create({
      memberId,
      kind,
      text: text.trim(),
      dueAt,
      assignee: assignee || null,
      want: kind === 'call_back' && styleId ? { styleId, size: sizeNumber } : null,
    });
    if (!ok) setSaving(false);
  };

  return (
    <form
      className="task-form"
      aria-label={t('taskForm.title')}
      onSubmit={(e) => {
        e.preventDefault();
        if (canSave) void save();
      }}
    >
      <h3>{t('taskForm.title')}</h3>
      <fieldset className="task-kinds">
        <legend>{t('taskForm.kind')}</legend>
        {(['call_back', 'birthday', 'other'] as const).map((k) => (
          <label key={k} className="task-kind">
            <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
            {t(`kind.${k}`)}
          </label>
        ))}
      </fieldset>

      <div className="task-field">
        <span className="task-label">{t('taskForm.member')}</span>
        {memberId ? (
          <span className="task-member">
            <bdi>{member?.member.name ?? memberId}</bdi>
            {member && <span className="task-member-code">{member.member.code}</span>}
            <button type="button" className="btn btn-small" onClick={() => (setMemberId(null), setStyleId(''))}>
              {t('taskForm.changeMember')}
            </button>
          </span>
        ) : (
          <>
            <input type="search" value={query} placeholder={t('top.searchPlaceholder')} aria-label={t('taskForm.member')} onChange={(e) => setQuery(e.target.value)} />
            {hits.length > 0 && (
              <ul className="task-hits">
                {hits.map((h) => (
                  <li key={h.id}>
                    <button type="button" className="btn btn-small task-hit" onClick={() => (setMemberId(h.id), setQuery(''))}>
                      <bdi>{h.name}</bdi> · {h.code}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>

      {kind === 'call_back' && memberId && (
        <div className="task-field task-want">
          <label className="task-label" htmlFor="task-style">
            {t('taskForm.want')}
          </label>
          <select id="task-style" value={styleId} onChange={(e) => setStyleId(e.target.value)}>
            <option value="">{t('taskForm.noWant')}</option>
            {styles.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
          {styleId && (
            <label className="task-size">
              {t('taskForm.size')}
              <input type="number" min={16} max={52} step={0.5} value={size} onChange={(e) => setSize(e.target.value)} aria-invalid={!wantOk} />
            </label>
          )}
        </div>
      )}

      <label className="task-field">
        <span className="task-label">{kind === 'other' ? t('taskForm.whatToDo') : t('taskForm.note')}</span>
        <textarea rows={2} maxLength={500} value={text} placeholder={t('taskForm.notePlaceholder')} onChange={(e) => setText(e.target.value)} />
      </label>

      <div className="task-field">
        <span className="task-label">{t('taskForm.due')}</span>
        <span className="task-due" role="group">
          {(['today', 'tomorrow', 'week', 'custom'] as const).map((d) => (
            <button key={d} type="button" className="btn btn-small" aria-pressed={due === d} onClick={() => setDue(d)}>
              {t(`taskForm.due.${d}`)}
            </button>
          ))}
        </span>
        {due === 'custom' && <input type="datetime-local" value={custom} aria-label={t('taskForm.due')} onChange={(e) => setCustom(e.target.value)} />}
      </div>

      <label className="task-field">
        <span className="task-label">{t('taskForm.for')}</span>
        <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
          {clerk && <option value={clerk.id}>{t('taskForm.forMe', { name: clerk.name })}</option>}
          <option value="">{t('task.wholeStore')}</option>
          {clerks
            .filter((c) => c.id !== clerk?.id)
            .map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
        </select>
      </label>

      {error && (
        <p className="today-error" role="alert">
          {error}
        </p>
      )}
      <div className="task-form-actions">
        <button type="button" className="btn" onClick={closeForm}>
          {t('taskForm.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={!canSave}>
          {t('taskForm.save')}
        </button>
      </div>
    </form>
  );
}
