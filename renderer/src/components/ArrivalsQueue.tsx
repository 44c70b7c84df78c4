// Left column: today's arrivals, newest first. A listbox: ↑/↓ move the selection (handled in
// App so it also works before the list has focus), Enter claims the selected visit.
// Windowed: rows have a fixed height (ROW_PITCH, kept in step with `.queue-list .arrival` in
// styles.css), only the rows in view plus OVERSCAN either side are in the DOM, and two hidden
// spacer items stand in for the rest (not padding: a box cannot shrink below its padding, so the
// list would stop scrolling), so 10,000 visits scroll like 30 (docs/benchmarks.md, round 3). Options carry aria-setsize/aria-posinset since most are not in the DOM.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { VisitView } from '../../../shared/deskApi.ts';
import { actorName, formatAge, noticeText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useStores } from '../state/StoresProvider.tsx';
import { UnreadBadge } from '../chat/ChatBits.tsx';
import { useHeldHere } from './claimHolder.ts';
import { SyncMark } from './SyncMark.tsx';
import { TierBadge } from './TierBadge.tsx';
// 4/8 part A: check-in, VIP cues, who is in the store now
import { CheckinButton } from '../checkin/CheckinDialog.tsx';
import { InStoreList, useInStoreNow } from '../checkin/InStoreNow.tsx';
import { PendingCheckins } from '../checkin/PendingCheckins.tsx';
import { BirthdayFlag, VipBadge } from '../checkin/VipCues.tsx';
import { vipTier } from '../checkin/vip.ts';
import { ExpectedChip } from '../expected/ExpectedCue.tsx'; // 5/8 expected visits

export const ARRIVALS_LIST_ID = 'arrivals';
export const optionId = (visitId: string) => `arrival-${visitId}`;

/** Row height plus the gap under it, px: `.queue-list .arrival` is 68px high with a 4px margin. */
export const ROW_PITCH = 72;
const ROW_HEIGHT = 68;
const OVERSCAN = 8;

/** The rows [first, last) to render for a viewport at `scrollTop` of `height` px over `count` rows. */
export function windowOf(scrollTop: number, height: number, count: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / ROW_PITCH) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / ROW_PITCH) + OVERSCAN);
  return { first, last: Math.max(first, last) };
}

export function ArrivalsQueue() {
  const t = useT();
  const arrivals = useDesk((s) => s.arrivals);
  const selectedVisitId = useDesk((s) => s.selectedVisitId);
  const selectVisit = useDesk((s) => s.selectVisit);
  const { desk } = useStores();
  const listRef = useRef<HTMLUListElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(1200);
  const [tab, setTab] = useState<'arrivals' | 'instore'>('arrivals'); // 4/8 part A
  const inStoreCount = useInStoreNow().length;
  const hasList = arrivals.length > 0;

  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    setViewHeight(list.clientHeight || 1200);
    setScrollTop(list.scrollTop);
    const ro = new ResizeObserver(() => setViewHeight(list.clientHeight || 1200));
    ro.observe(list);
    return () => ro.disconnect();
  }, [hasList, tab]);

  useEffect(() => {
    // Scroll the selected row into view by its index (it may not be in the DOM yet).
    const list = listRef.current;
    if (!selectedVisitId || !list) return;
    const index = desk.getState().arrivals.findIndex((v) => v.id === selectedVisitId);
    if (index === -1) return;
    const top = index * ROW_PITCH;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
  }, [selectedVisitId, desk]);

  const waiting = arrivals.filter((v) => v.status === 'open').length;
  const { first, last } = windowOf(scrollTop, viewHeight, arrivals.length);
  const selectedIndex = selectedVisitId ? arrivals.findIndex((v) => v.id === selectedVisitId) : -1;
  // Only point at the selected option while it is in the DOM (an id reference must resolve).
  const activeDescendant = selectedIndex >= first && selectedIndex < last ? optionId(selectedVisitId!) : undefined;

  return (
    <section className="queue" aria-labelledby="queue-title">
      <div className="column-head">
        <h2 id="queue-title">{t('queue.title')}</h2>
        <span className="queue-count" aria-live="polite">
          {waiting > 0 ? `${t('queue.unclaimed')} ${waiting}` : ''}
        </span>
        <CheckinButton />
      </div>
      <div className="queue-tabs" role="tablist" aria-label={t('queue.title')}>
        <button type="button" role="tab" aria-selected={tab === 'arrivals'} onClick={() => setTab('arrivals')}>
          {t('queue.tabArrivals')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'instore'} onClick={() => setTab('instore')} data-count={inStoreCount}>
          {t('instore.tab', { n: inStoreCount })}
        </button>
      </div>
      <PendingCheckins />
      {tab === 'instore' ? (
        <InStoreList />
      ) : arrivals.length === 0 ? (
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
          aria-activedescendant={activeDescendant}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        >
          {first > 0 && <li className="queue-spacer" role="presentation" aria-hidden="true" style={{ height: first * ROW_PITCH }} />}
          {arrivals.slice(first, last).map((visit, i) => (
            <ArrivalItem
              key={visit.id}
              visit={visit}
              position={first + i + 1}
              size={arrivals.length}
              selected={visit.id === selectedVisitId}
              onPick={() => selectVisit(visit.id)}
            />
          ))}
          {last < arrivals.length && <li className="queue-spacer" role="presentation" aria-hidden="true" style={{ height: (arrivals.length - last) * ROW_PITCH }} />}
        </ul>
      )}
      <p id="queue-hint" className="queue-hint">
        {t('queue.hint')}
      </p>
    </section>
  );
}

function ArrivalItem({ visit, position, size, selected, onPick }: { visit: VisitView; position: number; size: number; selected: boolean; onPick: () => void }) {
  const t = useT();
  const now = useDesk((s) => s.now);
  const fresh = useDesk((s) => visit.id in s.fresh);
  const locale = useDesk((s) => s.locale);
  // A claim is the clerk's, not the counter's: after "Switch clerk" the previous clerk's visits are "With 王芳".
  const mine = useHeldHere(visit);
  const m = visit.member;
  const secondary = locale === 'en' ? m.nameEn : '';

  let state: string;
  if (visit.status === 'open') state = t('queue.unclaimed');
  else if (visit.status === 'closed') state = visit.outcome === 'left' ? t('queue.left') : t('queue.closed');
  else if (mine) state = t('queue.claimedByMe');
  else state = t('queue.claimedBy', { name: actorName(visit.claimedBy) });

  const vip = vipTier(m.tier);
  const classes = ['arrival', `arrival-${visit.status}`, vip ? `arrival-vip arrival-vip-${vip}` : '', mine ? 'is-mine' : '', visit.notice ? 'has-notice' : '', selected ? 'is-selected' : '', fresh ? 'is-fresh' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li
      id={optionId(visit.id)}
      role="option"
      aria-selected={selected}
      aria-posinset={position}
      aria-setsize={size}
      className={classes}
      data-visit-id={visit.id}
      data-status={visit.status}
      data-sync={visit.sync ?? 'none'}
      data-notice={visit.notice?.code ?? 'none'}
      onClick={onPick}
    >
      <div className="arrival-line">
        <bdi className="arrival-name" title={m.name}>
          {m.name}
        </bdi>
        {secondary && secondary !== m.name && <bdi className="arrival-name-en">{secondary}</bdi>}
        {/* On the name line, so the meta line keeps room for the visit's state (4/8 part A). */}
        <BirthdayFlag birthday={m.birthday} />
        {visit.expected && <ExpectedChip expected={visit.expected} />}
        <span className="arrival-age">{formatAge(t, visit.arrivedAt, now)}</span>
      </div>
      <div className="arrival-line arrival-meta">
        {/* A Gold or Platinum member's tier is said once, by the VIP badge (4/8 part A). */}
        {vip ? <VipBadge tier={m.tier} /> : <TierBadge tier={m.tier} />}
        {/* A notice ("Claimed by 李娜 first") says who holds the visit too: it takes the state's place. */}
        {visit.notice ? (
          <span className="arrival-notice" data-code={visit.notice.code} title={noticeText(t, visit.notice)}>
            <bdi>{noticeText(t, visit.notice)}</bdi>
          </span>
        ) : (
          <span className="arrival-state" title={state}>
            <bdi>{state}</bdi>
          </span>
        )}
        {visit.arrivals > 1 && <span className="arrival-repeat">{t('queue.repeat', { n: visit.arrivals })}</span>}
        {/* A refusal that became a notice is said once, by the notice. */}
        {!(visit.notice && visit.sync === 'rejected') && <SyncMark sync={visit.sync} rejection={visit.rejection} />}
        <UnreadBadge memberId={visit.memberId} />
      </div>
    </li>
  );
}
