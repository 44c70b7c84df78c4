// Holds on the desk (4/8 part C): the button in the clerk bar (how many pairs are held, how many
// requests wait for an answer) and the panel it opens — the store's active holds (member, style,
// colour, size, until; collected / release) and the requests between stores (accept / decline
// those addressed here; the answer to those sent from here). A refused action says why until read.
import type { HoldRequestView, HoldView } from '../../../shared/holds.ts';
import { actorName, colorName, formatDate, rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useHolds, useStores } from '../state/StoresProvider.tsx';
import { TierBadge } from '../components/TierBadge.tsx';
import { StylePicture } from '../pictures/StylePicture.tsx';
import './holds.css';
import { MEMBER_ACTOR } from '../../../shared/actors.ts'; // 5/8: member-made holds

export function HoldsButton() {
  const t = useT();
  const holds = useHolds((s) => s.holds);
  const toAnswer = useHolds((s) => s.requests.filter((r) => r.direction === 'in' && r.status === 'pending' && r.pendingAnswer === null).length);
  const setPanel = useStores().holds.getState().setPanel;
  const active = holds.filter((h) => h.sync !== 'rejected').length;
  return (
    <button type="button" className="btn btn-small holds-button" data-action="open-holds" aria-haspopup="dialog" onClick={() => setPanel(true)}>
      {t('holds.open', { n: active })}
      {toAnswer > 0 && (
        <span className="holds-badge" data-to-answer={toAnswer}>
          {t('holds.toAnswer', { n: toAnswer })}
        </span>
      )}
    </button>
  );
}

export function HoldsPanel() {
  const t = useT();
  const open = useHolds((s) => s.panelOpen);
  const holds = useHolds((s) => s.holds);
  const requests = useHolds((s) => s.requests);
  const setPanel = useStores().holds.getState().setPanel;
  if (!open) return null;
  return (
    <div className="holds-backdrop" onClick={(e) => e.target === e.currentTarget && setPanel(false)}>
      <div className="holds-panel" role="dialog" aria-modal="true" aria-labelledby="holds-title">
        <header className="holds-head">
          <h2 id="holds-title">{t('holds.title')}</h2>
          <button type="button" className="btn btn-small" onClick={() => setPanel(false)}>
            {t('holds.close')}
          </button>
        </header>
        {holds.length === 0 ? (
          <p className="muted">{t('holds.empty')}</p>
        ) : (
          <ul className="hold-list">
            {holds.map((h) => (
              <HoldRow key={h.id} hold={h} />
            ))}
          </ul>
        )}
        <h3 className="holds-sub">{t('holds.requests')}</h3>
        {requests.length === 0 ? (
          <p className="muted">{t('holds.requestsEmpty')}</p>
        ) : (
          <ul className="hold-list">
            {requests.map((r) => (
              <RequestRow key={r.id} request={r} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function LineText({ styleName, color, colorName: catalogColor, size }: { styleName: string; color: string; colorName: string; size: number }) {
  const t = useT();
  return <span className="hold-line">{t('holds.line', { style: styleName, color: colorName(t, color, catalogColor), size })}</span>;
}

function HoldRow({ hold: h }: { hold: HoldView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const { release, dismiss } = useStores().holds.getState();
  return (
    <li className="hold-row" data-hold-id={h.id} data-sync={h.sync ?? 'none'}>
      <StylePicture image={h.image} category={h.category ?? 'casual'} name={h.styleName} size="thumb" />
      <div className="hold-main">
        <span className="hold-member">
          <bdi>{h.member.name}</bdi> <TierBadge tier={h.member.tier} />
        </span>
        <LineText {...h} />
        <span className="hold-meta muted">
          {t('holds.until', { date: formatDate(h.until, locale) })}
          {/* 5/8: a member's own hold ("hold a pair for me") is said so, not as a counter named "member". */}
          {h.by.deviceId === MEMBER_ACTOR.deviceId ? ` · ${t('holds.byMember')}` : actorName(h.by) && ` · ${t('holds.by', { name: actorName(h.by) })}`}
        </span>
        {h.sync === 'pending' && <span className="hold-sync">{t('sync.pending')}</span>}
        {h.sync === 'rejected' && (
          <span className="hold-refused" role="alert">
            {t('holds.refused', { reason: rejectionText(t, h.rejection ? { code: h.rejection.code as never, message: h.rejection.message } : null) })}
          </span>
        )}
      </div>
      <div className="hold-actions">
        {h.sync === 'rejected' ? (
          <button type="button" className="btn btn-small" data-action="dismiss-hold" onClick={() => void dismiss(h.id)}>
            {t('holds.dismiss')}
          </button>
        ) : (
          <>
            <button type="button" className="btn btn-small" data-action="collect-hold" disabled={h.sync === 'pending'} onClick={() => void release(h.id, 'collected')}>
              {t('holds.collected')}
            </button>
            <button type="button" className="btn btn-small" data-action="release-hold" disabled={h.sync === 'pending'} onClick={() => void release(h.id, 'released')}>
              {t('holds.release')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

function RequestRow({ request: r }: { request: HoldRequestView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const { answer, dismiss } = useStores().holds.getState();
  const incoming = r.direction === 'in';
  let state: string;
  if (r.status === 'accepted') state = t(incoming ? 'holds.req.acceptedHere' : 'holds.req.accepted', { date: r.until ? formatDate(r.until, locale) : '' });
  else if (r.status === 'declined') state = t('holds.req.declined');
  else if (r.status === 'expired') state = t(incoming ? 'holds.req.expiredHere' : 'holds.req.expired');
  else if (r.pendingAnswer !== null && r.sync === 'pending') state = t('holds.answering');
  else state = t('holds.req.pending');
  return (
    <li className="hold-row" data-request-id={r.id} data-direction={r.direction} data-status={r.status} data-sync={r.sync ?? 'none'}>
      <StylePicture image={r.image} category={r.category ?? 'casual'} name={r.styleName} size="thumb" />
      <div className="hold-main">
        <span className="hold-store">{incoming ? t('holds.req.in', { store: r.fromStoreName }) : t('holds.req.out', { store: r.toStoreName })}</span>
        <span className="hold-member">
          <bdi>{r.member.name}</bdi> <TierBadge tier={r.member.tier} />
        </span>
        <LineText {...r} />
        <span className="hold-meta muted">
          {t('holds.forDays', { n: r.days })} · <span className="hold-state">{state}</span>
        </span>
        {r.sync === 'rejected' && (
          <span className="hold-refused" role="alert">
            {t('holds.refused', { reason: rejectionText(t, r.rejection ? { code: r.rejection.code as never, message: r.rejection.message } : null) })}
          </span>
        )}
      </div>
      <div className="hold-actions">
        {r.sync === 'rejected' && (
          <button type="button" className="btn btn-small" data-action="dismiss-hold" onClick={() => void dismiss(r.id)}>
            {t('holds.dismiss')}
          </button>
        )}
        {incoming && r.status === 'pending' && r.pendingAnswer === null && r.sync !== 'rejected' && (
          <>
            <button type="button" className="btn btn-small btn-primary" data-action="accept-request" onClick={() => void answer(r.id, true)}>
              {t('holds.accept')}
            </button>
            <button type="button" className="btn btn-small" data-action="decline-request" onClick={() => void answer(r.id, false)}>
              {t('holds.decline')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}
