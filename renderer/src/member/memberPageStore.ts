// Which member page is open, if any. The page replaces the desk's three columns while it is open;
// closing it ("Back") shows the columns again exactly as the clerk left them (the desk store keeps
// the queue, the selected member and the chat untouched meanwhile).
import { create } from 'zustand';

export interface MemberPageState {
  memberId: string | null;
  open(memberId: string): void;
  close(): void;
}

export const useMemberPage = create<MemberPageState>((set) => ({
  memberId: null,
  open: (memberId) => set({ memberId }),
  close: () => set({ memberId: null }),
}));
