// The desk: top bar, connection line, then three columns — arrivals, member, chat.
import { useEffect } from 'react';
import { useT } from '../i18n/useT.ts';
import { useClerk, useDesk, useStores } from '../state/StoresProvider.tsx';
import { ArrivalsQueue } from './ArrivalsQueue.tsx';
import { ChatPane } from './ChatPane.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { MemberPanel } from './MemberPanel.tsx';
import { SEARCH_INPUT_ID, SEARCH_KEY, TopBar } from './TopBar.tsx';
import { ManagerView } from '../manager/ManagerView.tsx';
import { ClerkBar } from '../signin/ClerkBar.tsx';
import { SignIn } from '../signin/SignIn.tsx';
import { SettingsDialog } from '../settings/SettingsDialog.tsx';
import { Setup } from '../setup/Setup.tsx';
import { MemberPage } from '../member/MemberPage.tsx';
import { useMemberPage } from '../member/memberPageStore.ts';
import { TodayPane } from '../tasks/TodayPane.tsx';
import { HoldsLayer } from '../holds/HoldsLayer.tsx'; // 4/8 part C
import { GroupsPane } from '../groups/GroupsPane.tsx'; // 5/8 groups
import { LivePane } from '../live/LivePane.tsx'; // 6/8 live rooms
import { CheckinDialog, useScanCatcher } from '../checkin/CheckinDialog.tsx'; // 4/8 part A

const TICK_MS = 10_000;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function App() {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const ready = useDesk((s) => s.ready);
  const tick = useDesk((s) => s.tick);
  const clerkLoaded = useClerk((s) => s.loaded);
  const clerk = useClerk((s) => s.state);
  const switching = useClerk((s) => s.switching);
  const view = useClerk((s) => s.view);
  const identity = useDesk((s) => s.identity);
  const stores = useStores();
  const pageMemberId = useMemberPage((s) => s.memberId); // 4/8 member page
  useScanCatcher(); // 4/8 part A: a member QR or card scanned with no field focused opens the check-in

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);

  useEffect(() => {
    // Ages ("2 min") and the fresh-arrival highlight both follow this clock.
    const timer = setInterval(() => tick(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [tick]);

  useEffect(() => {
    // ↑/↓ walk the arrivals and Enter claims from anywhere but a text field, so a clerk can work
    // the queue without reaching for the mouse.
    const onKey = (e: KeyboardEvent) => {
      // "/" (outside a text field) or Ctrl/⌘+K (anywhere) focuses member search.
      const searchKey = (e.key === SEARCH_KEY && !e.altKey && !e.ctrlKey && !e.metaKey && !isTyping(e.target)) || (e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey) && !e.altKey);
      const input = document.getElementById(SEARCH_INPUT_ID);
      if (searchKey && input instanceof HTMLInputElement) {
        e.preventDefault();
        input.focus();
        input.select();
        return;
      }
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target) || stores.clerk.getState().view !== 'desk') return;
      const state = stores.desk.getState();
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        state.moveSelection(e.key === 'ArrowDown' ? 1 : -1);
        const list = document.getElementById('arrivals');
        if (list && document.activeElement !== list && !(e.target instanceof HTMLButtonElement)) list.focus();
      } else if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement)) {
        const visit = state.arrivals.find((v) => v.id === state.selectedVisitId);
        if (visit && visit.status === 'open') {
          e.preventDefault();
          void state.claim(visit.id);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [stores]);

  // First run: a desk that is not enrolled yet opens on the first-run setup screen. The settings
  // dialog is mounted in every state, so the tray's "Settings…" opens it before sign-in too.
  if (ready && !identity)
    return (
      <>
        <Setup />
        <SettingsDialog />
      </>
    );
  // Clerk sign-in: a clerk signs in (or unlocks) before the desk shows; a manager may switch to the review.
  if (clerkLoaded && (!clerk?.clerk || clerk.locked || switching))
    return (
      <>
        <SignIn />
        <SettingsDialog />
      </>
    );

  return (
    <div className="desk with-clerkbar" aria-busy={!ready}>
      <TopBar />
      <ConnectionBanner />
      <ClerkBar />
      {view === 'manager' && clerk?.clerk?.role === 'manager' ? (
        <ManagerView />
      ) : pageMemberId ? (
        <MemberPage memberId={pageMemberId} />
      ) : (
        <div className="columns">
          <ArrivalsQueue />
          <MemberPanel />
          <ChatPane />
        </div>
      )}
      <TodayPane />
      <HoldsLayer />
      <GroupsPane />
      <LivePane />
      <SettingsDialog />
      <CheckinDialog />
    </div>
  );
}
