// Who is signed in at this counter, and which view they are on (desk or the manager's review).
// Kept apart from the desk store: it follows the desk core's `clerk`/`clerks` events. Created with
// the one DeskClient (stores.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ClerkPublic, ClerkState, SignInResult } from '../../../shared/clerks.ts';
import type { DeskClient } from '../api/types.ts';

export type View = 'desk' | 'manager';

export interface ClerkUiState {
  loaded: boolean;
  clerks: ClerkPublic[];
  state: ClerkState | null;
  view: View;
  /** Open the clerk picker even though someone is signed in (switching clerks). */
  switching: boolean;
  /** Subscribes to the clerk events, loads the list and the sign-in state; returns the unsubscribe. */
  start(): () => void;
  /** Events may have been lost (the client's `reset`): re-read the list and the sign-in state. */
  reload(): void;
  signIn(clerkId: string, pin: string): Promise<SignInResult>;
  signOut(): Promise<void>;
  lock(): Promise<void>;
  setView(view: View): void;
  setSwitching(on: boolean): void;
}

export type ClerkStore = StoreApi<ClerkUiState>;

export function createClerkStore(api: DeskClient): ClerkStore {
  return createStore<ClerkUiState>((set, get) => {
    const apply = (state: ClerkState) =>
      set((s) => ({ state, view: state.clerk?.role === 'manager' ? s.view : 'desk', switching: state.locked ? false : s.switching && !!state.clerk }));
    const load = () =>
      Promise.all([api.listClerks(), api.currentClerk()]).then(([clerks, state]) => {
        set({ clerks, loaded: true });
        apply(state);
      });

    return {
      loaded: false,
      clerks: [],
      state: null,
      view: 'desk',
      switching: false,

      start() {
        const offs = [api.on('clerk', apply), api.on('clerks', ({ clerks }) => set({ clerks }))];
        void load();
        // The list may still be on its way from HQ right after enrollment: ask again now and then.
        const poll = setInterval(() => {
          if (get().clerks.length === 0) void api.listClerks().then((clerks) => set({ clerks }));
        }, 3000);
        return () => {
          clearInterval(poll);
          for (const off of offs) off();
        };
      },

      reload() {
        void load().catch(() => {});
      },

      async signIn(clerkId, pin) {
        const result = await api.signIn(clerkId, pin);
        if (result.ok) set({ state: result.state, switching: false, view: result.state.clerk?.role === 'manager' ? get().view : 'desk' });
        return result;
      },
      async signOut() {
        const state = await api.signOut();
        set({ state, view: 'desk', switching: false });
      },
      async lock() {
        const state = await api.lock();
        set({ state, switching: false });
      },
      setView: (view) => set({ view }),
      setSwitching: (switching) => set({ switching }),
    };
  });
}
