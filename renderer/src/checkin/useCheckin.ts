// The check-in store's hook (4/8 part A), as StoresProvider's hooks are for the other stores.
import { useStore } from 'zustand';
import { useStores } from '../state/StoresProvider.tsx';
import type { CheckinState } from './checkinStore.ts';

export function useCheckin<T>(selector: (state: CheckinState) => T): T {
  return useStore(useStores().checkin, selector);
}
