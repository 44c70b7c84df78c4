// Chat state in the renderer: the conversation list (with unread counts), the open conversation
// (paged from the desk cache), the member's typing/presence, and how many member messages arrived
// while the window was not focused (for the title count and the in-app badge). Created with the
// one DeskClient (stores.ts); `reload` re-reads after the client's `reset`.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ChatImage, ChatMessageView, ConversationPage, ConversationView, OutgoingMessage } from '../../../shared/deskApi.ts';
import type { DeskClient } from '../api/types.ts';

const PAGE = 30;

export interface ChatState {
  conversations: ConversationView[];
  memberId: string | null;
  page: ConversationPage | null;
  older: ChatMessageView[];
  hasMore: boolean;
  typing: Record<string, boolean>;
  online: Record<string, boolean>;
  /** Member messages that arrived while the window was unfocused. */
  unseen: number;
  error: string | null;
  images: Record<string, string>;

  /** Subscribes to the chat events and window focus, loads the conversation list; returns the unsubscribe. */
  start(): () => void;
  /** Events may have been lost (the client's `reset`): re-read the list and the open conversation from its newest page. */
  reload(): void;
  open(memberId: string | null): void;
  loadOlder(): Promise<void>;
  send(message: OutgoingMessage): Promise<boolean>;
  /** A recommended style as a product card to a member (the one-click "send as card"); false when it failed. */
  sendCard(memberId: string, styleId: string): Promise<boolean>;
  retry(clientId: string): Promise<void>;
  recall(messageId: string): Promise<void>;
  setTyping(on: boolean): void;
  image(imageId: string): Promise<string | null>;
  seen(): void;
}

export type ChatStore = StoreApi<ChatState>;

export function createChatStore(api: DeskClient): ChatStore {
  return createStore<ChatState>((set, get) => {
    let pageRequest = 0;

    async function loadConversations(): Promise<void> {
      set({ conversations: await api.listConversations({ limit: 200 }) });
    }

    async function loadPage(): Promise<void> {
      const { memberId } = get();
      if (!memberId) return;
      const request = ++pageRequest;
      const page = await api.getConversation(memberId, { limit: PAGE });
      if (request !== pageRequest) return;
      set({ page, hasMore: get().older.length ? get().hasMore : page.hasMore });
      // The clerk is looking at the conversation: what the member wrote is read.
      if (page.unread > 0 && (typeof document === 'undefined' || document.visibilityState === 'visible')) {
        await api.markRead(memberId).catch(() => null);
      }
    }

    return {
      conversations: [],
      memberId: null,
      page: null,
      older: [],
      hasMore: false,
      typing: {},
      online: {},
      unseen: 0,
      error: null,
      images: {},

      start() {
        const offs = [
          api.on('chat', ({ memberId, incoming }) => {
            if (incoming && typeof document !== 'undefined' && !document.hasFocus()) set({ unseen: get().unseen + 1 });
            void loadConversations();
            if (memberId === get().memberId) void loadPage();
          }),
          api.on('chatTyping', ({ memberId, typing }) => set({ typing: { ...get().typing, [memberId]: typing } })),
          api.on('chatPresence', ({ memberId, online }) => set({ online: { ...get().online, [memberId]: online } })),
        ];
        const onFocus = () => {
          get().seen();
          if (get().memberId) void loadPage();
        };
        // No window outside a page (the store's unit tests run in Node).
        const win = typeof window === 'undefined' ? null : window;
        win?.addEventListener('focus', onFocus);
        void loadConversations().catch(() => {});
        return () => {
          offs.forEach((off) => off());
          win?.removeEventListener('focus', onFocus);
        };
      },

      reload() {
        set({ older: [] });
        void loadConversations();
        void loadPage();
      },

      open(memberId) {
        if (memberId === get().memberId) return;
        set({ memberId, page: null, older: [], hasMore: false, error: null });
        void loadPage().catch(() => {});
      },

      async loadOlder() {
        const { memberId, page, older } = get();
        if (!memberId || !page) return;
        const first = [...older, ...page.messages].find((m) => !m.pending);
        if (!first || first.n <= 1) return;
        const more = await api.getConversation(memberId, { before: first.n, limit: PAGE });
        if (memberId !== get().memberId) return;
        set({ older: [...more.messages, ...older], hasMore: more.hasMore });
      },

      async send(message) {
        const { memberId } = get();
        if (!memberId) return false;
        try {
          set({ error: null });
          await api.sendMessage(memberId, message);
          return true;
        } catch (error) {
          set({ error: error instanceof Error ? error.message : String(error) });
          return false;
        }
      },

      async sendCard(memberId, styleId) {
        // Not the open conversation's error line: the button that sent it says it failed.
        try {
          await api.sendMessage(memberId, { kind: 'product', styleId });
          return true;
        } catch {
          return false;
        }
      },

      async retry(clientId) {
        await api.retryMessage(clientId).catch((e: unknown) => set({ error: String((e as Error).message ?? e) }));
      },

      async recall(messageId) {
        const { memberId } = get();
        if (!memberId) return;
        await api.recallMessage(memberId, messageId).catch((e: unknown) => set({ error: String((e as Error).message ?? e) }));
      },

      setTyping(on) {
        const { memberId } = get();
        if (memberId) void api.setTyping(memberId, on).catch(() => {});
      },

      async image(imageId) {
        const cached = get().images[imageId];
        if (cached) return cached;
        const img: ChatImage | null = await api.getImage(imageId).catch(() => null);
        if (!img) return null;
        const url = `data:${img.mime};base64,${img.dataBase64}`;
        set({ images: { ...get().images, [imageId]: url } });
        return url;
      },

      seen() {
        if (get().unseen) set({ unseen: 0 });
      },
    };
  });
}

/** All messages of the open conversation, older pages first. */
export function threadOf(s: Pick<ChatState, 'older' | 'page'>): ChatMessageView[] {
  const seen = new Set<string>();
  const out: ChatMessageView[] = [];
  for (const m of [...s.older, ...(s.page?.messages ?? [])]) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}
