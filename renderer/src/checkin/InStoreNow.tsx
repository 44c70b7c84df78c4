// Who is in the store now (4/8 part A): members arrived today and not left, with time in store,
// from the cache (works offline), ticking with the desk's clock. The count sits in the top bar.
import { formatAge } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { TierBadge } from '../components/TierBadge.tsx';
import { useDesk } from '../state/StoresProvider.tsx';
import { inStoreNow } from './inStore.ts';
import { BirthdayFlag, VipBadge } from './VipCues.tsx';
import { vipTier } from './vip.ts';

export function useInStoreNow() {
  const arrivals = useDesk((s) => s.arrivals);
  const now = useDesk((s) => s.now);
  return inStoreNow(arrivals, now);
}

export function InStoreCount() {
  const t = useT();
  const n = useInStoreNow().length;
  return (
    <span className="instore-count" data-count={n} title={t('instore.title')}>
      {t('instore.count', { n })}
    </span>
  );
}

export function InStoreList() {
  const t = useT();
  const list = useInStoreNow();
  const now = useDesk((s) => s.now);
  const selectVisit = useDesk((s) => s.selectVisit);
  if (list.length === 0) return <p className="empty">{t('instore.empty')}</p>;
  return (
    <ul className="instore-list" aria-label={t('instore.title')}>
      {list.map(({ visit, inStoreMs }) => (
        <li key={visit.id} className={`instore-item vip-${visit.member.tier}`} data-visit-id={visit.id}>
          <button type="button" onClick={() => selectVisit(visit.id)}>
            <span className="arrival-line">
              <bdi className="arrival-name">{visit.member.name}</bdi>
              <span className="instore-time" data-minutes={Math.floor(inStoreMs / 60_000)}>
                {inStoreMs < 60_000 ? t('instore.justArrived') : t('instore.time', { age: formatAge(t, visit.arrivedAt, now) })}
              </span>
            </span>
            <span className="arrival-line arrival-meta">
              {vipTier(visit.member.tier) ? <VipBadge tier={visit.member.tier} /> : <TierBadge tier={visit.member.tier} />}
              <span className="arrival-state">{visit.status === 'open' ? t('queue.unclaimed') : t('instore.served')}</span>
              <BirthdayFlag birthday={visit.member.birthday} />
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
