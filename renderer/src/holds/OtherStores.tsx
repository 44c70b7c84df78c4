// "Other stores" for a style (4/8 part C): its stock at every store of the chain from HQ, by
// colour and size, held pairs subtracted — and "ask that store to hold" for the member's size.
// Only online: offline the desk says HQ is needed.
import { colorName, nearSize } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useHolds, useStores } from '../state/StoresProvider.tsx';
import './holds.css';

export function OtherStoresDialog() {
  const t = useT();
  const stock = useHolds((s) => s.stock);
  const { closeStock, ask } = useStores().holds.getState();
  if (!stock) return null;
  const data = stock.data;
  const sizes = data ? (stock.memberSize !== null ? nearSize(data.sizes.map((size) => ({ size })), stock.memberSize).map((s) => s.size) : data.sizes) : [];
  const colorOf = (code: string) => data?.colors.find((c) => c.code === code);
  return (
    <div className="holds-backdrop" onClick={(e) => e.target === e.currentTarget && closeStock()}>
      <div className="holds-panel other-stores" role="dialog" aria-modal="true" aria-labelledby="other-stores-title" data-status={stock.status}>
        <header className="holds-head">
          <h2 id="other-stores-title">{t('holds.stock.title', { style: stock.styleName })}</h2>
          <button type="button" className="btn btn-small" onClick={() => closeStock()}>
            {t('holds.close')}
          </button>
        </header>
        {stock.status === 'loading' && <p className="muted">{t('holds.stock.loading')}</p>}
        {stock.status === 'offline' && <p className="muted">{t('holds.stock.offline')}</p>}
        {stock.status === 'error' && <p className="muted">{t('holds.stock.error')}</p>}
        {data && data.stores.length === 0 && <p className="muted">{t('holds.stock.none')}</p>}
        {data && data.stores.length > 0 && (
          <>
            <p className="field-hint">{stock.memberSize !== null ? t('holds.stock.hint', { size: stock.memberSize }) : t('holds.stock.hintNoMember')}</p>
            <table className="stock-table">
              <thead>
                <tr>
                  <th scope="col">{t('holds.stock.store')}</th>
                  {sizes.map((s) => (
                    <th key={s} scope="col" className={s === stock.memberSize ? 'is-member-size' : undefined}>
                      {s}
                    </th>
                  ))}
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {data.stores.flatMap((store) =>
                  [...new Set(store.lines.map((l) => l.color))].map((color) => {
                    const line = (size: number) => store.lines.find((l) => l.color === color && l.size === size);
                    const mine = line(stock.memberSize ?? -1);
                    const key = `${store.storeId}|${color}|${stock.memberSize}`;
                    const c = colorOf(color);
                    return (
                      <tr key={`${store.storeId}-${color}`} data-store-id={store.storeId} className={store.mine ? 'is-mine' : undefined}>
                        <th scope="row">
                          <span className="stock-store">{store.name}</span>
                          <span className="muted stock-city">
                            {store.city ? `${store.city} · ` : ''}
                            {colorName(t, color, c?.name)}
                            {store.mine && ` · ${t('holds.stock.mine')}`}
                          </span>
                        </th>
                        {sizes.map((s) => {
                          const l = line(s);
                          return (
                            <td key={s} className={[s === stock.memberSize ? 'is-member-size' : '', !l || l.available === 0 ? 'is-out' : ''].filter(Boolean).join(' ')}>
                              <span className="stock-avail">{l?.available ?? 0}</span>
                              {l && l.held > 0 && <span className="stock-held">{t('holds.stock.held', { n: l.held })}</span>}
                            </td>
                          );
                        })}
                        <td>
                          {!store.mine && stock.memberId && stock.memberSize !== null && mine && mine.available > 0 && (
                            <button
                              type="button"
                              className="btn btn-small"
                              data-action="ask-hold"
                              disabled={!!stock.asked[key]}
                              onClick={() => void ask(store.storeId, store.name, color, stock.memberSize!, c?.name ?? color)}
                            >
                              {stock.asked[key] ? t('holds.stock.asked') : t('holds.stock.ask', { size: stock.memberSize })}
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  }),
                )}
              </tbody>
            </table>
          </>
        )}
      </div>
    </div>
  );
}
