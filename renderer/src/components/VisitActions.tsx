// What the clerk can do with the visit: claim it or mark it left while it waits; release it or
// close it with an outcome the clerk picks (there is no default) while it is theirs; take it over
// when another clerk holds it; add a note. Every action shows "Sending…" until HQ confirms, and a
// notice of what HQ decided against it (a claim another counter won) stays until dismissed.
import { useState } from 'react';
import type { VisitView } from '../../../shared/deskApi.ts';
import type { ServedOutcome } from '../../../shared/domain.ts';
import { actorName, formatAge, noticeText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/StoresProvider.tsx';
import { useHeldHere } from './claimHolder.ts';
import { SyncMark } from './SyncMark.tsx';

const OUTCOMES: ServedOutcome[] = ['purchased', 'tried', 'browsed'];

export function VisitActions({ visit }: { visit: VisitView | null }) {
  const t = useT();
  const actionError = useDesk((s) => s.actionError);
  if (!visit) {
    return (
      <section className="visit" aria-label={t('visit.status')}>
        <p className="muted">{t('visit.noOpenVisit')}</p>
      </section>
    );
  }
  return (
    <section className="visit" aria-label={t('visit.status')} data-visit-id={visit.id} data-status={visit.status}>
      <VisitNotice visit={visit} />
      <VisitStatusLine visit={visit} />
      <NoteFormIfAllowed visit={visit} />
      {actionError && (
        <p className="action-error" role="alert">
          {t('error.action', { message: actionError })}
        </p>
      )}
    </section>
  );
}

/** What HQ decided against this counter's action, until a clerk dismisses it. */
function VisitNotice({ visit }: { visit: VisitView }) {
  const t = useT();
  const dismiss = useDesk((s) => s.dismissNotice);
  if (!visit.notice) return null;
  return (
    <div className="visit-notice" role="status" aria-label={t('notice.label')} data-code={visit.notice.code}>
      <span className="visit-notice-text">{noticeText(t, visit.notice)}</span>
      <button type="button" className="btn btn-small" data-action="dismiss-notice" onClick={() => void dismiss(visit.id)}>
        {t('notice.dismiss')}
      </button>
    </div>
  );
}

/** Notes go on a visit that is waiting or this clerk's; another clerk's visit is taken over first. */
function NoteFormIfAllowed({ visit }: { visit: VisitView }) {
  const heldHere = useHeldHere(visit);
  if (visit.status === 'closed' || (visit.status === 'claimed' && !heldHere)) return null;
  return <NoteForm visit={visit} />;
}

function VisitStatusLine({ visit }: { visit: VisitView }) {
  const t = useT();
  const now = useDesk((s) => s.now);
  const claim = useDesk((s) => s.claim);
  const release = useDesk((s) => s.release);
  const takeOver = useDesk((s) => s.takeOver);
  const markLeft = useDesk((s) => s.markLeft);
  const mine = useHeldHere(visit);
  const heldElsewhere = visit.status === 'claimed' && !mine;
  const holder = actorName(visit.claimedBy);
  const age = formatAge(t, visit.arrivedAt, now);
  const arrived = now - visit.arrivedAt < 60_000 ? t('visit.arrivedJustNow') : t('visit.arrived', { age });

  return (
    <div className="visit-line">
      <div className="visit-facts">
        <span className="visit-arrived">{arrived}</span>
        <span className="muted">{t(`source.${visit.source}`)}</span>
        {heldElsewhere && <span className="visit-holder">{t('visit.claimedByOther', { name: holder })}</span>}
        {visit.status === 'closed' && visit.outcome && (
          <span className="visit-holder">{visit.outcome === 'left' ? t('queue.left') : t('visit.closedWith', { outcome: t(`outcome.${visit.outcome}`) })}</span>
        )}
        {/* A refusal that became a notice is said once, by the notice. */}
        {!(visit.notice && visit.sync === 'rejected') && <SyncMark sync={visit.sync} rejection={visit.rejection} />}
      </div>
      <div className="visit-buttons">
        {visit.status === 'open' && (
          <>
            <button type="button" className="btn btn-primary" data-action="claim" onClick={() => void claim(visit.id)}>
              {t('visit.claim')}
            </button>
            <button type="button" className="btn" data-action="left" onClick={() => void markLeft(visit.id)}>
              {t('visit.markLeft')}
            </button>
          </>
        )}
        {mine && (
          <button type="button" className="btn" data-action="release" onClick={() => void release(visit.id)}>
            {t('visit.release')}
          </button>
        )}
        {heldElsewhere && (
          <button type="button" className="btn" data-action="takeover" onClick={() => void takeOver(visit.id)}>
            {t('visit.takeOver')}
          </button>
        )}
      </div>
      {heldElsewhere && <p className="muted take-over-hint">{t('visit.takeOverHint', { name: holder })}</p>}
      {mine && <CloseForm key={visit.id} visit={visit} />}
    </div>
  );
}

function CloseForm({ visit }: { visit: VisitView }) {
  const t = useT();
  const closeVisit = useDesk((s) => s.closeVisit);
  // Nothing is picked until the clerk picks: one click must never record a sale.
  const [outcome, setOutcome] = useState<ServedOutcome | null>(null);
  const [note, setNote] = useState('');
  return (
    <form
      className="close-form"
      aria-label={t('visit.closeTitle')}
      onSubmit={(e) => {
        e.preventDefault();
        if (!outcome) return;
        void closeVisit(visit.id, outcome, note);
        setNote('');
      }}
    >
      <fieldset className="outcomes">
        <legend className="visually-hidden">{t('visit.outcome')}</legend>
        {OUTCOMES.map((o) => (
          <label key={o} className={`outcome ${o === outcome ? 'is-checked' : ''}`}>
            <input type="radio" name={`outcome-${visit.id}`} value={o} checked={o === outcome} onChange={() => setOutcome(o)} />
            {t(`outcome.${o}`)}
          </label>
        ))}
      </fieldset>
      <label className="visually-hidden" htmlFor={`close-note-${visit.id}`}>
        {t('visit.closeNote')}
      </label>
      <input
        id={`close-note-${visit.id}`}
        className="close-note"
        type="text"
        maxLength={2000}
        placeholder={t('visit.closeNote')}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" className="btn" data-action="close" disabled={outcome === null} title={outcome === null ? t('visit.pickOutcome') : undefined}>
        {t('visit.close')}
      </button>
    </form>
  );
}

function NoteForm({ visit }: { visit: VisitView }) {
  const t = useT();
  const addNote = useDesk((s) => s.addNote);
  // Kept per visit while the clerk types; cleared only when the desk accepted the note.
  const [text, setText] = useState('');
  const submit = async () => {
    const trimmed = text.trim();
    if (!trimmed) return;
    if (await addNote(visit.id, trimmed)) setText('');
  };
  return (
    <form
      className="note-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label className="visually-hidden" htmlFor={`note-${visit.id}`}>
        {t('visit.noteLabel')}
      </label>
      <textarea
        id={`note-${visit.id}`}
        rows={1}
        maxLength={2000}
        placeholder={t('visit.notePlaceholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl/⌘+Enter saves, plain Enter keeps a newline.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <button type="submit" className="btn" data-action="note" disabled={text.trim() === ''}>
        {t('visit.addNote')}
      </button>
    </form>
  );
}
