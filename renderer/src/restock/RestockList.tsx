// Restock matches (7/8) on screen: the Today pane's "到货提醒 / Restock matches" section. It sits
// in Today because it is the same work as the follow-up list — people to reach today — and the top
// bar's Today button is where a clerk already looks between customers. Per match: the style, the
// size, the pairs and when it arrived; per member: name, tier, why they match, when last seen here,
// and three one-click acts (send the card, set a follow-up, pass) that turn into where it stands.
import type { RestockMatchView, RestockMemberView } from '../../../shared/deskApi.ts';
import { TierBadge } from '../components/TierBadge.tsx';
import { formatAgo, formatWhen } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useStores } from '../state/StoresProvider.tsx';
import { useRestock, useRestockStore } from './restockStore.ts';
import { restockDoneBy, restockWhy } from './restockText.ts';
import './restock.css';

export function RestockList({ onOpenMember }: { onOpenMember?: () => void }) {
  const t = useT();
  const list = useRestock((s) => s.list);
  const open = list.filter((m) => m.members.length > 0);
  return (
    <section className="restock" aria-labelledby="restock-title">
      <h3 id="restock-title">
        {t('restock.title')} <span className="today-count">{open.length}</span>
      </h3>
      {open.length === 0 ? (
        <p className="empty restock-empty">{t('restock.empty')}</p>
      ) : (
        <ul className="restock-matches">
          {open.map((m) => (
            <MatchRow key={m.id} match={m} onOpenMember={onOpenMember} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MatchRow({ match: m, onOpenMember }: { match: RestockMatchView; onOpenMember?: () => void }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  return (
    <li className="restock-match" data-match-id={m.id}>
      <div className="restock-match-head">
        <span className="restock-style">
          <bdi>{m.styleName}</bdi>
        </span>
        <span className="restock-size">{t('restock.size', { size: m.size })}</span>
      </div>
      <p className="today-meta">
        <span>{t('restock.pairs', { n: m.qty })}</span>
        <span>{t('restock.arrived', { when: formatWhen(m.at, now, locale) })}</span>
      </p>
      <ul className="restock-members">
        {m.members.map((x) => (
          <MemberRow key={x.memberId} match={m} member={x} onOpenMember={onOpenMember} />
        ))}
      </ul>
    </li>
  );
}

function MemberRow({ match: m, member: x, onOpenMember }: { match: RestockMatchView; member: RestockMemberView; onOpenMember?: () => void }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  const { openMember } = useStores().desk.getState();
  const error = useRestock((s) => (s.error?.key === `${m.id}:${x.memberId}` ? s.error.message : null));
  const { act } = useRestockStore().getState();
  const why = restockWhy(t, x.why, m.category);
  const seen = x.lastVisitAt === null ? t('restock.neverSeen') : t('restock.seen', { ago: formatAgo(x.lastVisitAt, now, locale) });
  const state = x.done ? t(`restock.done.${x.done.how}`) : null;
  const by = restockDoneBy(x.done, now, locale);
  return (
    <li className={`restock-member${x.done ? ' restock-member-done' : ''}`} data-member-id={x.memberId} data-done={x.done?.how ?? ''} data-pending={x.done?.pending ? 'true' : 'false'}>
      <div className="restock-member-head">
        <button
          type="button"
          className="link today-member"
          onClick={() => {
            openMember(x.memberId);
            onOpenMember?.();
          }}
        >
          <bdi>{x.name}</bdi>
        </button>
        <TierBadge tier={x.tier} />
        <span className="restock-why">{why}</span>
      </div>
      <p className="today-meta">
        <span>{seen}</span>
      </p>
      {x.done ? (
        <p className={`restock-state restock-state-${x.done.how}`} role="status">
          <span className="restock-state-text">{state}</span>
          {x.done.pending && <span className="restock-pending"> · {t('restock.pending')}</span>}
          {by && <span className="restock-by"> · {by}</span>}
        </p>
      ) : (
        <div className="restock-actions" role="group" aria-label={t('restock.actions', { name: x.name })}>
          <button type="button" className="btn btn-small btn-primary" onClick={() => void act({ matchId: m.id, memberId: x.memberId, how: 'message' })}>
            {t('restock.act.message')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => void act({ matchId: m.id, memberId: x.memberId, how: 'task' })}>
            {t('restock.act.task')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => void act({ matchId: m.id, memberId: x.memberId, how: 'dismissed' })}>
            {t('restock.act.dismissed')}
          </button>
        </div>
      )}
      {(x.refused || error) && (
        <p className="today-rejected" role="alert">
          {t('restock.refused', { why: x.refused ?? error ?? '' })}
        </p>
      )}
    </li>
  );
}
