// The signed-in clerk under the top bar: name, switch, lock, sign out, and — for a manager — the
// toggle between the desk and the store review. Also runs the inactivity lock.
import { useEffect } from 'react';
import { useT } from '../i18n/useT.ts';
import { useClerk, useStores } from '../state/StoresProvider.tsx';
import { TodayButton } from '../tasks/TodayPane.tsx';
import { HoldsButton } from '../holds/HoldsPanel.tsx'; // 4/8 part C
import { GroupsButton } from '../groups/GroupsPane.tsx'; // 5/8 groups
import { LiveButton } from '../live/LivePane.tsx'; // 6/8 live rooms

const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

export function ClerkBar() {
  const t = useT();
  const state = useClerk((s) => s.state);
  const view = useClerk((s) => s.view);
  const { setView, lock, signOut, setSwitching } = useStores().clerk.getState();
  const lockAfterMs = state?.lockAfterMs ?? 0;
  const signedIn = !!state?.clerk && !state.locked;

  useEffect(() => {
    if (!signedIn || lockAfterMs <= 0) return;
    let timer = setTimeout(() => void lock(), lockAfterMs);
    const bump = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void lock(), lockAfterMs);
    };
    for (const e of ACTIVITY) window.addEventListener(e, bump, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const e of ACTIVITY) window.removeEventListener(e, bump);
    };
  }, [signedIn, lockAfterMs, lock]);

  if (!state?.clerk) return null;
  const manager = state.clerk.role === 'manager';
  return (
    <nav className="clerkbar" aria-label={t('clerk.signedIn', { name: state.clerk.name })}>
      <span className="clerkbar-name" data-clerk-id={state.clerk.id}>
        {t('clerk.signedIn', { name: state.clerk.name })}
        {manager && <span className="signin-role">{t('clerk.manager')}</span>}
        {!state.verifiedOnline && <span className="clerkbar-offline">{t('clerk.offlineVerified')}</span>}
      </span>
      {manager && (
        <span className="clerkbar-views" role="group">
          <button type="button" className="btn btn-small" aria-pressed={view === 'desk'} onClick={() => setView('desk')}>
            {t('nav.desk')}
          </button>
          <button type="button" className="btn btn-small nav-manager" aria-pressed={view === 'manager'} onClick={() => setView('manager')}>
            {t('nav.manager')}
          </button>
        </span>
      )}
      <TodayButton />
      {/* data-action names each button for tests and tools: their order changes as parts add buttons. */}
      <span className="clerkbar-actions">
        <HoldsButton />
        <GroupsButton />
        <LiveButton />
        <button type="button" className="btn btn-small" data-action="switch-clerk" onClick={() => setSwitching(true)}>
          {t('clerk.switch')}
        </button>
        <button type="button" className="btn btn-small" data-action="lock" onClick={() => void lock()}>
          {t('clerk.lock')}
        </button>
        <button type="button" className="btn btn-small" data-action="sign-out" onClick={() => void signOut()}>
          {t('clerk.signOut')}
        </button>
      </span>
    </nav>
  );
}
