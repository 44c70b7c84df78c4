// Check-ins still in the outbox (4/8 part A), at the top of the arrivals: the member when the cache
// knows them, "HQ will match 138…" for a phone number it cannot resolve; refused ones say why until
// dismissed. They leave when HQ's arrival (or the bump of a visit already open) settles them.
import type { PendingCheckinView } from '../../../shared/deskApi.ts';
import { formatAge, rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { TierBadge } from '../components/TierBadge.tsx';
import { useDesk } from '../state/StoresProvider.tsx';
import { useCheckin } from './useCheckin.ts';

export function PendingCheckins() {
  const t = useT();
  const pending = useCheckin((s) => s.pending);
  if (pending.length === 0) return null;
  return (
    <ul className="checkins-pending" aria-label={t('checkin.pendingTitle')}>
      {pending.map((c) => (
        <PendingCheckin key={c.checkinId} checkin={c} />
      ))}
    </ul>
  );
}

function PendingCheckin({ checkin: c }: { checkin: PendingCheckinView }) {
  const t = useT();
  const now = useDesk((s) => s.now);
  const dismiss = useCheckin((s) => s.dismiss);
  const who = c.member ? c.member.name : c.phoneHint ? t('checkin.hqWillMatch', { hint: c.phoneHint }) : t('checkin.byCode', { code: c.memberCode ?? '' });
  return (
    <li className={`checkin-pending is-${c.sync}`} data-checkin-id={c.checkinId} data-sync={c.sync}>
      <div className="arrival-line">
        <bdi className="arrival-name" title={who}>
          {who}
        </bdi>
        <span className="arrival-age">{formatAge(t, c.createdAt, now)}</span>
      </div>
      <div className="arrival-line arrival-meta">
        {c.member && <TierBadge tier={c.member.tier} />}
        {c.sync === 'rejected' ? (
          <>
            <span className="checkin-refused" role="status">
              {c.rejection ? rejectionText(t, c.rejection) : t('checkin.refused')}
            </span>
            <button type="button" className="link-button" onClick={() => void dismiss(c.checkinId)}>
              {t('checkin.dismiss')}
            </button>
          </>
        ) : (
          <span className="checkin-state">{t('checkin.pending')}</span>
        )}
      </div>
    </li>
  );
}
