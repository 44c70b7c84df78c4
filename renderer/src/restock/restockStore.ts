// Restock matches (7/8) for the renderer: the store's list as the desk core has it (queued acts
// laid over), reloaded whenever the core says a match came or changed, or the cache was reset.
// One store per DeskClient, made on first use, as the expected-visits store is.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { RestockAction, RestockMatchView } from '../../../shared/deskApi.ts';
import type { DeskClient } from '../api/types.ts';
import { useDeskClient } from '../state/StoresProvider.tsx';

export interface RestockState {
  list: RestockMatchView[];
  /** The last act the core refused here (e.g. already queued), by `matchId:memberId`. */
  error: { key: string; message: string } | null;
  reload(): Promise<void>;
  act(a: RestockAction): Promise<void>;
}
export type RestockStore = StoreApi<RestockState>;

const stores = new WeakMap<DeskClient, RestockStore>();

export function restockStoreFor(api: DeskClient): RestockStore {
  let store = stores.get(api);
  if (!store) {
    const made = createStore<RestockState>((set, get) => ({
      list: [],
      error: null,
      async reload() {
        set({ list: await api.listRestockMatches().catch(() => [] as RestockMatchView[]) });
      },
      async act(a) {
        try {
          await api.actOnRestock(a);
          set({ error: null });
        } catch (err) {
          set({ error: { key: `${a.matchId}:${a.memberId}`, message: (err as Error).message } });
        }
        await get().reload();
      },
    }));
    const reload = () => void made.getState().reload();
    api.on('restock', reload);
    api.on('reset', reload);
    reload();
    stores.set(api, (store = made));
  }
  return store;
}

export function useRestock<T>(selector: (s: RestockState) => T): T {
  return useStore(restockStoreFor(useDeskClient()), selector);
}
export function useRestockStore(): RestockStore {
  return restockStoreFor(useDeskClient());
}
