// What the clerk can do with the visit: claim it, release it, close it with an outcome and a note,
// or add a note. Every action shows "Sending…" until HQ confirms, and why when HQ refuses.
import { useState } from 'react';
import type { VisitView } from '../../../shared/deskApi.ts';
import type { Outcome } from '../../../shared/domain.ts';
import { formatAge } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/StoresProvider.tsx';
import { SyncMark } from './SyncMark.tsx';

const OUTCOMES: Outcome[] = ['purchased', 'tried', 'browsed'];

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
      <VisitStatusLine visit={visit} />
      {visit.status !== 'closed' && <NoteForm visit={visit} />}
      {actionError && (
        <p className="action-error" role="alert">
          {t('error.action', { message: actionError })}
        </p>
      )}
    </section>
  );
}

function VisitStatusLine({ visit }: { visit: VisitView }) {
  const t = useT();
  const now = useDesk((s) => s.now);
  const myDevice = useDesk((s) => s.identity?.deviceId);
  const claim = useDesk((s) => s.claim);
  const release = useDesk((s) => s.release);
  const mine = visit.status === 'claimed' && visit.claimedBy?.deviceId === myDevice;
  const age = formatAge(t, visit.arrivedAt, now);
  const arrived = now - visit.arrivedAt < 60_000 ? t('visit.arrivedJustNow') : t('visit.arrived', { age });

  return (
    <div className="visit-line">
      <div className="visit-facts">
        <span className="visit-arrived">{arrived}</span>
        <span className="muted">{t(`source.${visit.source}`)}</span>
        {visit.status === 'claimed' && !mine && (
          <span className="visit-holder">{t('visit.claimedByOther', { name: visit.claimedBy?.clerkName ?? visit.claimedBy?.deviceName ?? '' })}</span>
        )}
        {visit.status === 'closed' && visit.outcome && <span className="visit-holder">{t('visit.closedWith', { outcome: t(`outcome.${visit.outcome}`) })}</span>}
        <SyncMark sync={visit.sync} rejection={visit.rejection} />
      </div>
      <div className="visit-buttons">
        {visit.status === 'open' && (
          <button type="button" className="btn btn-primary" data-action="claim" onClick={() => void claim(visit.id)}>
            {t('visit.claim')}
          </button>
        )}
        {mine && (
          <button type="button" className="btn" data-action="release" onClick={() => void release(visit.id)}>
            {t('visit.release')}
          </button>
        )}
      </div>
      {mine && <CloseForm visit={visit} />}
    </div>
  );
}

function CloseForm({ visit }: { visit: VisitView }) {
  const t = useT();
  const closeVisit = useDesk((s) => s.closeVisit);
  const [outcome, setOutcome] = useState<Outcome>('purchased');
  const [note, setNote] = useState('');
  return (
    <form
      className="close-form"
      aria-label={t('visit.closeTitle')}
      onSubmit={(e) => {
        e.preventDefault();
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
      <button type="submit" className="btn" data-action="close">
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
