// Styles to suggest, each with the reason a clerk can say aloud and the stock per size, the
// member's own size marked.
import type { Recommendation } from '../../../shared/domain.ts';
import { categoryName, formatReasons } from '../../../shared/reasons.ts';
import { SendCardButton } from '../chat/ChatBits.tsx';
import { colorName, formatPrice, nearSize } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { StylePicture } from '../pictures/StylePicture.tsx';
import { useDesk } from '../state/StoresProvider.tsx';

export function Recommendations({ recommendations, memberSize }: { recommendations: Recommendation[]; memberSize: number }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  return (
    <section className="recs" aria-labelledby="recs-title">
      <h3 id="recs-title">{t('member.recommended')}</h3>
      {recommendations.length === 0 ? (
        <p className="muted">{t('member.noRecommendations')}</p>
      ) : (
        <ul className="rec-list">
          {recommendations.map((r) => (
            <li key={r.styleId} className="rec">
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
                <ul className="stock" aria-label={t('member.stock')}>
                  {nearSize(r.stockBySize, memberSize).map((s) => (
                    <li
                      key={s.size}
                      className={['stock-size', s.size === memberSize ? 'is-member-size' : '', s.qty === 0 ? 'is-out' : ''].filter(Boolean).join(' ')}
                      title={t('member.stockSize', { size: s.size, qty: s.qty })}
                    >
                      <span className="stock-eu">{s.size}</span>
                      <span className="stock-qty">{s.qty}</span>
                    </li>
                  ))}
                </ul>
                {/* In the footer, not the heading, so a long style name and its price keep one line. */}
                <SendCardButton styleId={r.styleId} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
