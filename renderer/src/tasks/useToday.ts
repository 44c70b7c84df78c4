// The Today store as a hook, like the other stores' (`useToday((s) => s.mine)`).
import { useStore } from 'zustand';
import { useDeskClient } from '../state/StoresProvider.tsx';
import { type TodayState, type TodayStore, todayStoreFor } from './todayStore.ts';

export function useTodayStore(): TodayStore {
  return todayStoreFor(useDeskClient());
}

export function useToday<T>(selector: (s: TodayState) => T): T {
  return useStore(useTodayStore(), selector);
}
