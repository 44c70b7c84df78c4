// The manager's review of assisted selling (7/8): what the arrival cards suggested, how the clerks
// judged it, and the sales that followed a suggestion, an add-on or a product card sent in chat.
// The figures are HQ's (it keeps what each card showed and attributes each purchase once); offline
// the desk's copy has none of them, and the panel says so rather than showing zeros.
import { type AssistKpis } from '../../../shared/assist.ts';
import { formatPrice } from '../format.ts';
import { useT } from '../i18n/useT.ts';

export function AssistPanel({ assist, locale }: { assist: AssistKpis | null; locale: string }) {
  const t = useT();
  if (!assist) {
    return (
      <section className="panel assist-panel" aria-labelledby="mgr-assist" data-assist="offline">
        <h2 id="mgr-assist">{t('mgr.assist.title')}</h2>
        <p className="muted">{t('mgr.assist.offline')}</p>
      </section>
    );
  }
  const { sales } = assist;
  const rows = [
    { key: 'suggestion', label: t('mgr.assist.fromSuggestions'), ...sales.suggestion },
    { key: 'addon', label: t('mgr.assist.fromAddOns'), ...sales.addon },
    { key: 'chat_card', label: t('mgr.assist.fromChatCards'), ...sales.chat_card },
  ];
  const total = rows.reduce((s, r) => ({ count: s.count + r.count, revenue: s.revenue + r.revenue }), { count: 0, revenue: 0 });
  const figures = [
    { key: 'visits', label: t('mgr.assist.visits'), value: assist.visitsWithSuggestions },
    { key: 'shown', label: t('mgr.assist.shown'), value: assist.suggestionsShown },
    { key: 'addons', label: t('mgr.assist.addOns'), value: assist.addOnsShown },
    { key: 'used', label: t('mgr.assist.used'), value: assist.marked.used },
    { key: 'not-relevant', label: t('mgr.assist.notRelevant'), value: assist.marked.notRelevant },
  ];
  return (
    <section className="panel assist-panel" aria-labelledby="mgr-assist" data-assist="hq">
      <h2 id="mgr-assist">{t('mgr.assist.title')}</h2>
      <div className="assist-body">
        <dl className="assist-figures">
          {figures.map((f) => (
            <div key={f.key} className="assist-figure" data-assist-figure={f.key}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
        <table className="mgr-table assist-sales">
          <thead>
            <tr>
              <th scope="col">{t('mgr.assist.source')}</th>
              <th scope="col" className="num">{t('mgr.assist.sales')}</th>
              <th scope="col" className="num">{t('mgr.assist.revenue')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-assist-source={r.key}>
                <th scope="row">{r.label}</th>
                <td className="num">{r.count}</td>
                <td className="num">{formatPrice(r.revenue, locale)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-assist-source="total">
              <th scope="row">{t('mgr.assist.total')}</th>
              <td className="num">{total.count}</td>
              <td className="num">{formatPrice(total.revenue, locale)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted assist-note">{t('mgr.assist.note')}</p>
    </section>
  );
}
