// The sign-in / lock screen: the clerk taps their name from the store's list and types a PIN.
// When locked, the signed-in clerk is preselected; "Someone else" switches clerks.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ClerkPublic } from '../../../shared/clerks.ts';
import { useT } from '../i18n/useT.ts';
import { SettingsButton } from '../settings/SettingsDialog.tsx';
import { useClerk, useDesk } from '../state/StoresProvider.tsx';
import './signin.css';

export function SignIn() {
  const t = useT();
  const clerks = useClerk((s) => s.clerks);
  const state = useClerk((s) => s.state);
  const switching = useClerk((s) => s.switching);
  const signIn = useClerk((s) => s.signIn);
  const setSwitching = useClerk((s) => s.setSwitching);
  const online = useDesk((s) => s.connection?.status === 'online');
  const identity = useDesk((s) => s.identity);
  const locale = useDesk((s) => s.locale);
  const lockedClerk = state?.locked && !switching ? state.clerk : null;
  const [picked, setPicked] = useState<ClerkPublic | null>(lockedClerk);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);

  useEffect(() => setPicked(lockedClerk), [lockedClerk?.id]);
  useEffect(() => {
    if (picked) pinRef.current?.focus();
  }, [picked]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!picked || busy || !/^\d{4,8}$/.test(pin)) return;
    setBusy(true);
    setError(null);
    try {
      const r = await signIn(picked.id, pin);
      if (!r.ok) {
        setPin('');
        if (r.reason === 'wrong_pin') setError(t('signin.wrongPin', { n: r.attemptsLeft ?? 0 }));
        else if (r.reason === 'locked_out') setError(t('signin.lockedOut', { time: new Date(r.retryAt ?? Date.now()).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) }));
        else setError(t('signin.unknownClerk'));
      }
    } catch (err) {
      setError(t('error.action', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" aria-labelledby="signin-title">
      <div className="signin-card">
        <div className="signin-top">
          <p className="signin-store">{identity ? `${identity.storeName} · ${identity.deviceName}` : ''}</p>
          {/* The desk's settings (language, sound…) are reachable before anyone signs in. */}
          <SettingsButton />
        </div>
        <h1 id="signin-title">{lockedClerk ? t('signin.lockedTitle') : t('signin.title')}</h1>
        {identity && <Waiting />}
        {!online && <p className="signin-offline">{t('signin.offline')}</p>}
        {!picked ? (
          <>
            <p className="signin-hint">{t('signin.pickName')}</p>
            {clerks.length === 0 ? (
              <p className="signin-empty">{t('signin.noClerks')}</p>
            ) : (
              <ul className="signin-clerks">
                {clerks.map((c) => (
                  <li key={c.id}>
                    <button type="button" className="signin-clerk" data-clerk={c.id} onClick={() => (setPicked(c), setError(null), setPin(''))}>
                      <span className="signin-name">{c.name}</span>
                      {c.role === 'manager' && <span className="signin-role">{t('clerk.manager')}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {switching && state?.clerk && !state.locked && (
              <button type="button" className="linklike" onClick={() => setSwitching(false)}>
                {t('mgr.timeline.close')}
              </button>
            )}
          </>
        ) : (
          <form onSubmit={(e) => void submit(e)} className="signin-form">
            <label htmlFor="signin-pin">{t('signin.pinFor', { name: picked.name })}</label>
            <input
              id="signin-pin"
              ref={pinRef}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              pattern="[0-9]*"
              maxLength={8}
              value={pin}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'signin-error' : undefined}
            />
            {error && (
              <p id="signin-error" className="signin-error" role="alert">
                {error}
              </p>
            )}
            <div className="signin-actions">
              <button type="button" className="btn" onClick={() => (setPicked(null), setError(null), setPin(''), setSwitching(true))}>
                {t('signin.back')}
              </button>
              <button type="submit" className="btn btn-primary" disabled={busy || pin.length < 4}>
                {busy ? t('signin.checking') : t('signin.submit')}
              </button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}

/** Who waits while the desk is locked: how many arrivals nobody has claimed, and whether a Platinum member is among them. */
function Waiting() {
  const t = useT();
  // Plain values from the selectors (a new array each time would re-render for ever).
  const count = useDesk((s) => s.arrivals.reduce((n, v) => n + (v.status === 'open' ? 1 : 0), 0));
  const platinum = useDesk((s) => s.arrivals.some((v) => v.status === 'open' && v.member.tier === 'platinum'));
  const text = count === 0 ? t('signin.waitingNone') : count === 1 ? t('signin.waitingOne') : t('signin.waiting', { n: count });
  return (
    <p className={`signin-waiting${count > 0 ? ' has-waiting' : ''}`} role="status" data-waiting={count}>
      <span>{text}</span>
      {platinum && (
        <span className="tier tier-platinum signin-platinum" data-testid="platinum-waiting">
          {t('signin.waitingPlatinum')}
        </span>
      )}
    </p>
  );
}
