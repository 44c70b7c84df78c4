// Groups in the renderer (5/8): the store's groups as the desk core shows them (HQ's confirmed
// state + this counter's queued actions), the open thread, its members and invite links, and the
// composer. Everything goes through the DeskClient; the `groups` event (an HQ event, a local action,
// HQ's answer) re-reads what is shown, and `reload` follows the client's `reset`. Opening a thread
// (and a new message arriving in the open one) tells HQ the store has read it (`group.read`).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CreateGroupArgs, GroupInviteView, GroupMemberView, GroupMessageView, GroupOutgoing, GroupPage, GroupStyleChoice, GroupView, UpdateGroupArgs } from '../../../shared/deskGroups.ts';
import type { DeskClient } from '../api/types.ts';

/** The product picker: for an asker (their message answered) or for the whole group. */
export interface ProductPicker {
  forMemberId: string | null;
  replyToN: number | null;
  styles: GroupStyleChoice[] | null;
}

export interface GroupsState {
  groups: GroupView[];
  paneOpen: boolean;
  selectedId: string | null;
  page: GroupPage | null;
  members: GroupMemberView[];
  invites: GroupInviteView[];
  /** Invite QR codes (SVG text) by invite id; null: HQ could not be asked. */
  qr: Record<string, string | null>;
  /** The message a text or card answers. */
  replyTo: GroupMessageView | null;
  picker: ProductPicker | null;
  /** Which side panel shows: the host tools or the new-group form. */
  creating: boolean;
  error: string | null;

  start(): () => void;
  reload(): void;
  setPane(open: boolean): void;
  select(groupId: string | null): Promise<void>;
  loadOlder(): Promise<void>;
  create(args: CreateGroupArgs): Promise<boolean>;
  setCreating(on: boolean): void;
  update(patch: UpdateGroupArgs): Promise<void>;
  send(message: GroupOutgoing): Promise<boolean>;
  setReplyTo(m: GroupMessageView | null): void;
  openPicker(forMemberId: string | null, replyToN: number | null): Promise<void>;
  closePicker(): void;
  sendProduct(styleId: string): Promise<void>;
  recall(messageId: string): Promise<void>;
  remove(messageId: string): Promise<void>;
  mute(memberId: string, minutes: number): Promise<void>;
  removeMember(memberId: string): Promise<void>;
  invite(days?: number): Promise<void>;
  revokeInvite(inviteId: string): Promise<void>;
  loadQr(inviteId: string): Promise<void>;
  setHost(clerkId: string, host: boolean): Promise<void>;
  close(): Promise<void>;
  dismiss(): Promise<void>;
  clearError(): void;
}

export type GroupsStore = StoreApi<GroupsState>;

/** The total unread of open groups: what the bar's button shows. */
export const totalUnread = (groups: readonly GroupView[]) => groups.reduce((n, g) => n + (g.closedAt === null ? g.unread : 0), 0);

export function createGroupsStore(api: DeskClient): GroupsStore {
  return createStore<GroupsState>((set, get) => {
    const fail = (err: unknown) => set({ error: (err as Error).message });
    // The thread open in the pane is being read (loadOpen tells HQ): its badge never flashes up
    // between a new message and the read that follows it.
    const loadList = async () => {
      const groups = await api.listGroups();
      const { paneOpen, selectedId } = get();
      set({ groups: paneOpen && selectedId ? groups.map((g) => (g.id === selectedId && g.unread > 0 ? { ...g, unread: 0 } : g)) : groups });
    };
    /** The open thread again: its newest page (older ones loaded stay loaded), members and invites. */
    const loadOpen = async () => {
      const id = get().selectedId;
      if (!id) return;
      const [page, members, invites] = await Promise.all([api.getGroup(id), api.listGroupMembers(id), api.listGroupInvites(id)]);
      if (get().selectedId !== id) return;
      const prev = get().page;
      // Keep older messages the clerk paged in: the newest page replaces only what it covers.
      const firstN = page.messages.find((m) => m.n > 0)?.n ?? Number.MAX_SAFE_INTEGER;
      const older = prev && prev.group.id === id ? prev.messages.filter((m) => m.n > 0 && m.n < firstN) : [];
      set({ page: { ...page, messages: [...older, ...page.messages], hasMore: older.length > 0 ? prev!.hasMore : page.hasMore }, members, invites });
      // Reading the thread moves the store's read position (a no-op when nothing is unread).
      if (get().paneOpen && page.group.unread > 0 && page.group.sync !== 'rejected') await api.readGroup(id).catch(() => null);
    };
    const load = async () => {
      await loadList();
      await loadOpen();
    };
    const act = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        set({ error: null });
      } catch (err) {
        fail(err);
      }
      await load().catch(() => undefined);
    };
    const selected = () => get().selectedId!;

    return {
      groups: [],
      paneOpen: false,
      selectedId: null,
      page: null,
      members: [],
      invites: [],
      qr: {},
      replyTo: null,
      picker: null,
      creating: false,
      error: null,

      start() {
        void load().catch(() => undefined);
        return api.on('groups', () => void load().catch(() => undefined));
      },
      reload() {
        void load().catch(() => undefined);
      },
      setPane(open) {
        set({ paneOpen: open, picker: null });
        if (!open) return;
        const first = get().selectedId ?? get().groups[0]?.id ?? null;
        void get().select(first);
      },
      async select(groupId) {
        set({ selectedId: groupId, page: null, members: [], invites: [], replyTo: null, picker: null, creating: groupId === null && get().groups.length === 0, error: null });
        await load().catch(fail);
      },
      async loadOlder() {
        const page = get().page;
        const first = page?.messages.find((m) => m.n > 0);
        if (!page || !first || !page.hasMore) return;
        const older = await api.getGroup(page.group.id, { before: first.n });
        const now = get().page;
        if (now?.group.id !== page.group.id) return;
        set({ page: { ...now, messages: [...older.messages, ...now.messages], hasMore: older.hasMore } });
      },
      async create(args) {
        try {
          const { groupId } = await api.createGroup(args);
          set({ creating: false, error: null });
          await get().select(groupId);
          return true;
        } catch (err) {
          fail(err);
          return false;
        }
      },
      setCreating(on) {
        set({ creating: on, error: null });
      },
      update: (patch) => act(() => api.updateGroup(selected(), patch)),
      async send(message) {
        try {
          await api.sendGroupMessage(selected(), message);
          set({ replyTo: null, error: null });
          await load().catch(() => undefined);
          return true;
        } catch (err) {
          fail(err);
          return false;
        }
      },
      setReplyTo(m) {
        set({ replyTo: m });
      },
      async openPicker(forMemberId, replyToN) {
        set({ picker: { forMemberId, replyToN, styles: null } });
        const styles = await api.listGroupStyles(forMemberId).catch(() => []);
        const p = get().picker;
        if (p && p.forMemberId === forMemberId) set({ picker: { ...p, styles } });
      },
      closePicker() {
        set({ picker: null });
      },
      async sendProduct(styleId) {
        const p = get().picker;
        if (!p) return;
        const ok = await get().send({ kind: 'product', styleId, ...(p.forMemberId ? { forMemberId: p.forMemberId } : {}), ...(p.replyToN ? { replyToN: p.replyToN } : {}) });
        if (ok) set({ picker: null });
      },
      recall: (messageId) => act(() => api.recallGroupMessage(selected(), messageId)),
      remove: (messageId) => act(() => api.deleteGroupMessage(selected(), messageId)),
      mute: (memberId, minutes) => act(() => api.muteGroupMember(selected(), memberId, minutes)),
      removeMember: (memberId) => act(() => api.removeGroupMember(selected(), memberId)),
      invite: (days) => act(() => api.createGroupInvite(selected(), days)),
      revokeInvite: (inviteId) => act(() => api.revokeGroupInvite(selected(), inviteId)),
      async loadQr(inviteId) {
        const svg = await api.getGroupInviteQr(inviteId).catch(() => null);
        set({ qr: { ...get().qr, [inviteId]: svg } });
      },
      setHost: (clerkId, host) => act(() => api.setGroupHost(selected(), clerkId, host)),
      close: () => act(() => api.closeGroup(selected())),
      dismiss: () => act(() => api.dismissGroupRejection(selected())),
      clearError() {
        set({ error: null });
      },
    };
  });
}
