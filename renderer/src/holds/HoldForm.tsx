// The hold form (4/8 part C): style, colour, size and days for a member, from their suggestions or
// the product card last sent in chat. Placing queues the hold (offline too); opened by the chat's
// "I have put them aside", it then sends that reply.
import { HOLD_DAYS_MAX, HOLD_DAYS_MIN } from '../../../shared/limits.ts';
import { colorName } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useHolds, useStores } from '../state/StoresProvider.tsx';
import './holds.css';

export function HoldFormDialog() {
  const t = useT();
  const form = useHolds((s) => s.form);
  const { setForm, submitForm, closeForm } = useStores().holds.getState();
  if (!form) return null;
  const style = form.styles.find((s) => s.styleId === form.styleId);
  const daysOk = Number.isInteger(form.days) && form.days >= HOLD_DAYS_MIN && form.days <= HOLD_DAYS_MAX;
  const ready = !!style && !!form.color && form.size !== null && daysOk && !form.busy;
  return (
    <div className="holds-backdrop" onClick={(e) => e.target === e.currentTarget && closeForm()}>
      <form
        className="holds-panel hold-form"
        role="dialog"
        aria-modal="true"
        aria-labelledby="hold-form-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) void submitForm();
        }}
      >
        <header className="holds-head">
          <h2 id="hold-form-title">{t('holds.form.title')}</h2>
        </header>
        {form.member && <p className="hold-form-for">{t('holds.form.for', { name: form.member.member.name })}</p>}
        {form.styles.length === 0 ? (
          <p className="muted">{t('holds.form.noStyles')}</p>
        ) : (
          <div className="hold-form-grid">
            <label htmlFor="hold-style">{t('holds.form.style')}</label>
            <select id="hold-style" value={form.styleId} onChange={(e) => setForm({ styleId: e.target.value })}>
              {form.styles.map((s) => (
                <option key={s.styleId} value={s.styleId}>
                  {s.name}
                </option>
              ))}
            </select>
            <label htmlFor="hold-color">{t('holds.form.color')}</label>
            <select id="hold-color" value={form.color} onChange={(e) => setForm({ color: e.target.value })}>
              {style?.colors.map((c) => (
                <option key={c.code} value={c.code}>
                  {colorName(t, c.code, c.name)}
                </option>
              ))}
            </select>
            <label htmlFor="hold-size">{t('holds.form.size')}</label>
            <select id="hold-size" value={form.size ?? ''} onChange={(e) => setForm({ size: Number(e.target.value) })}>
              {style?.sizes.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <label htmlFor="hold-days">{t('holds.form.days')}</label>
            <span>
              <input
                id="hold-days"
                type="number"
                min={HOLD_DAYS_MIN}
                max={HOLD_DAYS_MAX}
                value={form.days}
                aria-invalid={!daysOk}
                onChange={(e) => setForm({ days: Number(e.target.value) })}
              />{' '}
              <span className={daysOk ? 'field-hint' : 'field-error'}>{t('holds.form.daysHint')}</span>
            </span>
          </div>
        )}
        {form.error && (
          <p className="hold-refused" role="alert">
            {form.error}
          </p>
        )}
        <footer className="hold-form-actions">
          <button type="button" className="btn" onClick={() => closeForm()}>
            {t('holds.form.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-action="place-hold" disabled={!ready}>
            {form.fromChat ? t('holds.form.placeAndSend') : t('holds.form.place')}
          </button>
        </footer>
      </form>
    </div>
  );
}
