// Expected visits (5/8) for the renderer: the store's list as the desk core has it (open ones, then
// those settled today), reloaded whenever the core says one changed or the cache was reset. One
// store per DeskClient, made on first use, as the Today store is (tasks/todayStore.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { ExpectedVisit } from '../../../shared/expected.ts';
import type { DeskClient } from '../api/types.ts';
import { useDeskClient } from '../state/StoresProvider.tsx';

export interface ExpectedState {
  list: ExpectedVisit[];
  reload(): Promise<void>;
}
export type ExpectedStore = StoreApi<ExpectedState>;

const stores = new WeakMap<DeskClient, ExpectedStore>();

export function expectedStoreFor(api: DeskClient): ExpectedStore {
  let store = stores.get(api);
  if (!store) {
    const made = createStore<ExpectedState>((set) => ({
      list: [],
      async reload() {
        set({ list: await api.listExpected().catch(() => [] as ExpectedVisit[]) });
      },
    }));
    const reload = () => void made.getState().reload();
    api.on('expected', reload);
    api.on('reset', reload);
    reload();
    stores.set(api, (store = made));
  }
  return store;
}

export function useExpected<T>(selector: (s: ExpectedState) => T): T {
  return useStore(expectedStoreFor(useDeskClient()), selector);
}
