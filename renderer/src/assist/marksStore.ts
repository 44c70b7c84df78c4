// The arrival card's suggestion marks (7/8) for the renderer: the marks of the visits the card has
// shown, as the desk core has them (HQ's with this desk's queued and refused ones over them),
// reloaded when the core says a visit's marks changed or the cache was reset. One store per
// DeskClient, made on first use, as the expected-visits store is (expected/expectedStore.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { MarkVerdict, SuggestionRole } from '../../../shared/assist.ts';
import type { SuggestionMarkView } from '../../../shared/deskApi.ts';
import type { DeskClient } from '../api/types.ts';
import { useDeskClient } from '../state/StoresProvider.tsx';

export interface MarksState {
  /** Marks by visit id, for the visits loaded (a visit not here has not been asked for yet). */
  byVisit: Record<string, SuggestionMarkView[]>;
  /** The last mark the desk core refused outright (an unknown visit, a bad argument), by visit. */
  failed: Record<string, string>;
  /** Reads a visit's marks (the card opening on it). */
  load(visitId: string): Promise<void>;
  /** Queues a mark; the card shows it pending at once (the core's `marks` event reloads it). */
  mark(visitId: string, styleId: string, role: SuggestionRole, verdict: MarkVerdict): Promise<void>;
  /** Every visit loaded, again (a reset, a change to several). */
  reload(): Promise<void>;
}
export type MarksStore = StoreApi<MarksState>;

/** The mark of one suggestion of a visit, if any. Pure. */
export function markOf(marks: readonly SuggestionMarkView[] | undefined, styleId: string): SuggestionMarkView | null {
  return marks?.find((m) => m.styleId === styleId) ?? null;
}

export function createMarksStore(api: DeskClient): MarksStore {
  const store = createStore<MarksState>((set, get) => ({
    byVisit: {},
    failed: {},
    async load(visitId) {
      const marks = await api.listSuggestionMarks(visitId).catch(() => null);
      if (marks) set({ byVisit: { ...get().byVisit, [visitId]: marks } });
    },
    async mark(visitId, styleId, role, verdict) {
      const { [visitId]: _, ...failed } = get().failed;
      set({ failed });
      try {
        await api.markSuggestion(visitId, styleId, role, verdict);
      } catch (err) {
        set({ failed: { ...get().failed, [visitId]: (err as Error).message } });
      }
      await get().load(visitId);
    },
    async reload() {
      await Promise.all(Object.keys(get().byVisit).map((id) => get().load(id)));
    },
  }));
  api.on('marks', ({ visitId }) => {
    if (visitId === null) void store.getState().reload();
    else if (visitId in store.getState().byVisit) void store.getState().load(visitId);
  });
  api.on('reset', () => void store.getState().reload());
  return store;
}

const stores = new WeakMap<DeskClient, MarksStore>();

export function marksStoreFor(api: DeskClient): MarksStore {
  let store = stores.get(api);
  if (!store) stores.set(api, (store = createMarksStore(api)));
  return store;
}

export function useMarks<T>(selector: (s: MarksState) => T): T {
  return useStore(marksStoreFor(useDeskClient()), selector);
}
