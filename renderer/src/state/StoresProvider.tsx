// The stores (stores.ts) handed to the components: <StoresProvider> at the root, and one hook per
// store taking a selector, as zustand's bound hooks do (`useDesk((s) => s.arrivals)`). Event
// handlers that need the current state without subscribing use `useStores().desk.getState()`.
import { createContext, type ReactNode, useContext } from 'react';
import { useStore } from 'zustand';
import type { DeskClient } from '../api/types.ts';
import type { ChatState } from '../chat/chatStore.ts';
import type { SettingsUiState } from '../settings/settingsStore.ts';
import type { ClerkUiState } from '../signin/clerkStore.ts';
import type { DeskState } from './deskStore.ts';
import type { Stores } from './stores.ts';
import type { HoldsState } from '../holds/holdsStore.ts'; // 4/8 part C
import type { GroupsState } from '../groups/groupsStore.ts'; // 5/8 groups
import type { LiveState } from '../live/liveStore.ts'; // 6/8 live rooms

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores: no <StoresProvider> above this component');
  return stores;
}

/** The client itself, for calls whose answers no store keeps; data a store owns is read through the store. */
export function useDeskClient(): DeskClient {
  return useStores().client;
}

export function useDesk<T>(selector: (state: DeskState) => T): T {
  return useStore(useStores().desk, selector);
}

export function useChat<T>(selector: (state: ChatState) => T): T {
  return useStore(useStores().chat, selector);
}

export function useClerk<T>(selector: (state: ClerkUiState) => T): T {
  return useStore(useStores().clerk, selector);
}

export function useSettings<T>(selector: (state: SettingsUiState) => T): T {
  return useStore(useStores().settings, selector);
}

/** 4/8 part C: holds, hold requests, the hold form, other stores' stock. */
export function useHolds<T>(selector: (state: HoldsState) => T): T {
  return useStore(useStores().holds, selector);
}

/** 5/8: the store's groups, the open thread and its host tools. */
export function useGroups<T>(selector: (state: GroupsState) => T): T {
  return useStore(useStores().groups, selector);
}

/** 6/8: the store's live rooms, the open console and its live stream. */
export function useLive<T>(selector: (state: LiveState) => T): T {
  return useStore(useStores().live, selector);
}
