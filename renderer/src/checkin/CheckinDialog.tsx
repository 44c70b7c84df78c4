// Check-in at the counter (4/8 part A): the "Check in" button, its dialog (phone / card code / scan
// field), and the scan catcher — a USB scanner types like a keyboard, so a fast burst of keys ending
// in Enter while no field has focus that parses as a member QR or card code opens the dialog with it.
import { useEffect, useRef } from 'react';
import { parseMemberScan, ScanCatcher } from '../../../shared/memberScan.ts';
import { useT } from '../i18n/useT.ts';
import { useStores } from '../state/StoresProvider.tsx';
import { useCheckin } from './useCheckin.ts';

export function CheckinButton() {
  const t = useT();
  const openDialog = useCheckin((s) => s.openDialog);
  return (
    <button type="button" className="checkin-button" onClick={() => openDialog()} aria-haspopup="dialog">
      {t('checkin.button')}
    </button>
  );
}

function isField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Listens for a scanner's burst outside any text field; opens the check-in with what it read. */
export function useScanCatcher(): void {
  const { checkin } = useStores();
  useEffect(() => {
    const catcher = new ScanCatcher();
    const onKey = (e: KeyboardEvent) => {
      if (isField(e.target) || e.ctrlKey || e.metaKey || e.altKey) {
        catcher.reset();
        return;
      }
      const text = catcher.key(e.key, e.timeStamp || performance.now());
      if (text === null) return;
      const scan = parseMemberScan(text);
      // A phone number is typed by a person, never scanned: only a QR or a card code opens it.
      if (!scan || scan.kind !== 'code') return;
      e.preventDefault();
      e.stopImmediatePropagation();
      checkin.getState().openDialog(scan.code, true);
    };
    // Capture: before the queue's Enter-claims handler sees the scanner's Enter.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [checkin]);
}

export function CheckinDialog() {
  const t = useT();
  const open = useCheckin((s) => s.open);
  const text = useCheckin((s) => s.text);
  const scanned = useCheckin((s) => s.scanned);
  const busy = useCheckin((s) => s.busy);
  const error = useCheckin((s) => s.error);
  const { checkin } = useStores();
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (open) inputRef.current?.focus();
  }, [open]);
  if (!open) return null;

  const parsed = parseMemberScan(text);
  const close = () => checkin.getState().close();
  const submit = () => {
    if (!parsed || busy) return;
    void checkin.getState().submit(parsed.kind === 'code' ? { memberCode: parsed.code } : { phone: parsed.phone });
  };
  const hint = text.trim() === '' ? t('checkin.hint') : !parsed ? t('checkin.unreadable') : parsed.kind === 'code' ? t('checkin.asCode', { code: parsed.code }) : t('checkin.asPhone');

  return (
    <div className="settings-backdrop" onClick={(e) => e.target === e.currentTarget && close()}>
      <div
        className="checkin-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="checkin-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') close();
        }}
      >
        <header className="settings-head">
          <h2 id="checkin-title">{t('checkin.title')}</h2>
          <button type="button" onClick={close}>
            {t('checkin.cancel')}
          </button>
        </header>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label htmlFor="checkin-field">{t('checkin.field')}</label>
          <input
            id="checkin-field"
            ref={inputRef}
            className="checkin-field"
            value={text}
            autoComplete="off"
            spellCheck={false}
            maxLength={80}
            placeholder={t('checkin.placeholder')}
            onChange={(e) => checkin.getState().setText(e.target.value)}
            aria-describedby="checkin-hint"
            aria-invalid={text.trim() !== '' && !parsed}
          />
          <p id="checkin-hint" className={`field-hint ${text.trim() !== '' && !parsed ? 'is-error' : ''}`} data-kind={parsed?.kind ?? 'none'}>
            {scanned && parsed ? `${t('checkin.scanned')} · ` : ''}
            {hint}
          </p>
          <p className="field-hint checkin-offline-note">{t('checkin.offlineNote')}</p>
          {error && (
            <p className="checkin-error" role="alert">
              {error}
            </p>
          )}
          <div className="checkin-actions">
            <button type="submit" className="primary" disabled={!parsed || busy}>
              {t('checkin.submit')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/**
 * On the member panel, when the member has no visit in progress here (found by search, or their
 * visit closed): check them in by id — the member is in the cache, so it shows at once, offline too.
 */
export function CheckinMemberButton({ memberId }: { memberId: string }) {
  const t = useT();
  const pending = useCheckin((s) => s.pending.some((c) => c.member?.id === memberId && c.sync === 'pending'));
  const busy = useCheckin((s) => s.busy);
  const error = useCheckin((s) => (s.open ? null : s.error));
  const { checkin } = useStores();
  if (pending) return <p className="checkin-member is-pending">{t('checkin.pending')}</p>;
  return (
    <div className="checkin-member">
      <button type="button" className="checkin-button" data-action="checkin-member" disabled={busy} onClick={() => void checkin.getState().submit({ memberId })}>
        {t('checkin.button')}
      </button>
      <span className="muted">{t('checkin.memberHint')}</span>
      {error && (
        <span className="checkin-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
