// Left column: today's arrivals, newest first. A listbox: ↑/↓ move the selection (handled in
// App so it also works before the list has focus), Enter claims the selected visit.
import { useEffect, useRef } from 'react';
import type { VisitView } from '../../../shared/deskApi.ts';
import { formatAge } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/store.ts';
import { UnreadBadge } from '../chat/ChatBits.tsx';
import { SyncMark } from './SyncMark.tsx';
import { TierBadge } from './TierBadge.tsx';

export const ARRIVALS_LIST_ID = 'arrivals';
export const optionId = (visitId: string) => `arrival-${visitId}`;

export function ArrivalsQueue() {
  const t = useT();
  const arrivals = useDesk((s) => s.arrivals);
  const selectedVisitId = useDesk((s) => s.selectedVisitId);
  const selectVisit = useDesk((s) => s.selectVisit);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (!selectedVisitId) return;
    document.getElementById(optionId(selectedVisitId))?.scrollIntoView({ block: 'nearest' });
  }, [selectedVisitId]);

  const waiting = arrivals.filter((v) => v.status === 'open').length;

  return (
    <section className="queue" aria-labelledby="queue-title">
      <div className="column-head">
        <h2 id="queue-title">{t('queue.title')}</h2>
        <span className="queue-count" aria-live="polite">
          {waiting > 0 ? `${t('queue.unclaimed')} ${waiting}` : ''}
        </span>
      </div>
      {arrivals.length === 0 ? (
        <p className="empty">{t('queue.empty')}</p>
      ) : (
        <ul
          id={ARRIVALS_LIST_ID}
          ref={listRef}
          className="queue-list"
          role="listbox"
          tabIndex={0}
          aria-labelledby="queue-title"
          aria-describedby="queue-hint"
          aria-activedescendant={selectedVisitId ? optionId(selectedVisitId) : undefined}
        >
          {arrivals.map((visit) => (
            <ArrivalItem key={visit.id} visit={visit} selected={visit.id === selectedVisitId} onPick={() => selectVisit(visit.id)} />
          ))}
        </ul>
      )}
      <p id="queue-hint" className="queue-hint">
        {t('queue.hint')}
      </p>
    </section>
  );
}

function ArrivalItem({ visit, selected, onPick }: { visit: VisitView; selected: boolean; onPick: () => void }) {
  const t = useT();
  const now = useDesk((s) => s.now);
  const fresh = useDesk((s) => visit.id in s.fresh);
  const locale = useDesk((s) => s.locale);
  const myDevice = useDesk((s) => s.identity?.deviceId);
  const m = visit.member;
  const secondary = locale === 'en' ? m.nameEn : '';

  let state: string;
  if (visit.status === 'open') state = t('queue.unclaimed');
  else if (visit.status === 'closed') state = t('queue.closed');
  else if (visit.claimedBy?.deviceId === myDevice) state = t('queue.claimedByMe');
  else state = t('queue.claimedBy', { name: visit.claimedBy?.clerkName ?? visit.claimedBy?.deviceName ?? '' });

  const mine = visit.status === 'claimed' && visit.claimedBy?.deviceId === myDevice;
  const classes = ['arrival', `arrival-${visit.status}`, mine ? 'is-mine' : '', selected ? 'is-selected' : '', fresh ? 'is-fresh' : ''].filter(Boolean).join(' ');
  return (
    <li
      id={optionId(visit.id)}
      role="option"
      aria-selected={selected}
      className={classes}
      data-visit-id={visit.id}
      data-status={visit.status}
      data-sync={visit.sync ?? 'none'}
      onClick={onPick}
    >
      <div className="arrival-line">
        <span className="arrival-name">{m.name}</span>
        {secondary && secondary !== m.name && <span className="arrival-name-en">{secondary}</span>}
        <span className="arrival-age">{formatAge(t, visit.arrivedAt, now)}</span>
      </div>
      <div className="arrival-line arrival-meta">
        <TierBadge tier={m.tier} />
        <span className="arrival-state">{state}</span>
        {visit.arrivals > 1 && <span className="arrival-repeat">{t('queue.repeat', { n: visit.arrivals })}</span>}
        <SyncMark sync={visit.sync} rejection={visit.rejection} />
        <UnreadBadge memberId={visit.memberId} />
      </div>
    </li>
  );
}
