// Styles to suggest, each with the reason a clerk can say aloud and the stock per size, the
// member's own size marked.
import type { Recommendation } from '../../../shared/domain.ts';
import { categoryName, formatReasons } from '../../../shared/reasons.ts';
import { SendCardButton } from '../chat/ChatBits.tsx';
import { colorName, formatPrice, nearSize } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useHolds, useStores } from '../state/StoresProvider.tsx';
import { heldBy } from '../holds/holdsStore.ts'; // 4/8 part C
import { StylePicture } from '../pictures/StylePicture.tsx';

export function Recommendations({ recommendations, memberSize, title }: { recommendations: Recommendation[]; memberSize: number; title?: string }) {
  const t = useT();
  return (
    <section className="recs" aria-labelledby="recs-title">
      <h3 id="recs-title">{title ?? t('member.recommended')}</h3>
      {recommendations.length === 0 ? (
        <p className="muted">{t('member.noRecommendations')}</p>
      ) : (
        <ul className="rec-list">
          {recommendations.map((r) => (
            <RecItem key={r.styleId} r={r} memberSize={memberSize} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * One suggested style: picture, name and price, colours, the reason to say aloud, stock by size
 * (`memberSize` marked; held pairs subtracted), the product card and hold actions.
 */
export function RecItem({ r, memberSize }: { r: Recommendation; memberSize: number }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  // 4/8 part C: the member's id for the hold actions.
  const memberId = useDesk((s) => s.member?.member.id ?? null);
  const holdActions = useStores().holds.getState();
  return (
    <li className="rec" data-style-id={r.styleId}>
      <StylePicture image={r.image} category={r.category} name={r.name} />
      <div className="rec-head">
        <bdi className="rec-name">{r.name}</bdi>
        <span className="rec-price">{formatPrice(r.price, locale)}</span>
      </div>
      <p className="rec-cat muted">
        {categoryName(r.category, locale)}
        {r.colors.length > 0 && ` · ${r.colors.map((c) => colorName(t, c.code, c.name)).join(', ')}`}
      </p>
      <p className="rec-reason">{formatReasons(r.reasons, locale)}</p>
      <div className="rec-foot">
        <StockSizes r={r} memberSize={memberSize} />
        {/* In the footer, not the heading, so a long style name and its price keep one line. */}
        <SendCardButton styleId={r.styleId} />
      </div>
      {memberId && (
        <div className="rec-holds">
          <button
            type="button"
            className="btn btn-small"
            data-action="hold-style"
            onClick={() => void holdActions.openForm(memberId, { prefill: { styleId: r.styleId, name: r.name, colors: r.colors, sizes: r.stockBySize.map((s) => s.size), size: memberSize } })}
          >
            {t('holds.rec.hold')}
          </button>
          <button type="button" className="btn btn-small" data-action="other-stores" onClick={() => void holdActions.openStock({ styleId: r.styleId, name: r.name }, { id: memberId, size: memberSize })}>
            {t('holds.rec.otherStores')}
          </button>
        </div>
      )}
    </li>
  );
}

/** A style's stock by size near `memberSize` (marked), pairs held at this store subtracted (4/8 part C). */
export function StockSizes({ r, memberSize }: { r: Pick<Recommendation, 'styleId' | 'stockBySize'>; memberSize: number }) {
  const t = useT();
  const holds = useHolds((s) => s.holds);
  return (
    <ul className="stock" aria-label={t('member.stock')}>
      {nearSize(r.stockBySize, memberSize).map((s) => {
        const held = Math.min(s.qty, heldBy(holds, r.styleId, s.size));
        const qty = s.qty - held;
        return (
          <li
            key={s.size}
            className={['stock-size', s.size === memberSize ? 'is-member-size' : '', qty === 0 ? 'is-out' : '', held > 0 ? 'has-held' : ''].filter(Boolean).join(' ')}
            title={held > 0 ? t('holds.rec.sizeHeld', { size: s.size, qty, held }) : t('member.stockSize', { size: s.size, qty })}
            data-held={held}
          >
            <span className="stock-eu">{s.size}</span>
            <span className="stock-qty">{qty}</span>
            {held > 0 && <span className="stock-held">{t('holds.rec.held', { n: held })}</span>}
          </li>
        );
      })}
    </ul>
  );
}
