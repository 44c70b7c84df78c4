// Chat state in the renderer: the conversation list (with unread counts), the open conversation
// (paged from the desk cache), the member's typing/presence, and how many member messages arrived
// while the window was not focused (for the title count and the in-app badge).
import { create } from 'zustand';
import type { ChatImage, ChatMessageView, ConversationPage, ConversationView, DeskApi, OutgoingMessage } from '../../../shared/deskApi.ts';

const PAGE = 30;

export interface ChatState {
  api: DeskApi | null;
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

  init(api: DeskApi): () => void;
  open(memberId: string | null): void;
  loadOlder(): Promise<void>;
  send(message: OutgoingMessage): Promise<boolean>;
  retry(clientId: string): Promise<void>;
  recall(messageId: string): Promise<void>;
  setTyping(on: boolean): void;
  image(imageId: string): Promise<string | null>;
  seen(): void;
}

let pageRequest = 0;

export const useChat = create<ChatState>((set, get) => {
  async function loadConversations(): Promise<void> {
    const api = get().api;
    if (!api) return;
    set({ conversations: await api.listConversations({ limit: 200 }) });
  }

  async function loadPage(): Promise<void> {
    const { api, memberId } = get();
    if (!api || !memberId) return;
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
    api: null,
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

    init(api) {
      set({ api });
      const offs = [
        api.on('chat', ({ memberId, incoming }) => {
          if (incoming && typeof document !== 'undefined' && !document.hasFocus()) set({ unseen: get().unseen + 1 });
          void loadConversations();
          if (memberId === get().memberId) void loadPage();
        }),
        api.on('chatTyping', ({ memberId, typing }) => set({ typing: { ...get().typing, [memberId]: typing } })),
        api.on('chatPresence', ({ memberId, online }) => set({ online: { ...get().online, [memberId]: online } })),
        api.on('reset', () => {
          set({ older: [] });
          void loadConversations();
          void loadPage();
        }),
      ];
      const onFocus = () => {
        get().seen();
        if (get().memberId) void loadPage();
      };
      window.addEventListener('focus', onFocus);
      void loadConversations().catch(() => {});
      return () => {
        offs.forEach((off) => off());
        window.removeEventListener('focus', onFocus);
      };
    },

    open(memberId) {
      if (memberId === get().memberId) return;
      set({ memberId, page: null, older: [], hasMore: false, error: null });
      void loadPage().catch(() => {});
    },

    async loadOlder() {
      const { api, memberId, page, older } = get();
      if (!api || !memberId || !page) return;
      const first = [...older, ...page.messages].find((m) => !m.pending);
      if (!first || first.n <= 1) return;
      const more = await api.getConversation(memberId, { before: first.n, limit: PAGE });
      if (memberId !== get().memberId) return;
      set({ older: [...more.messages, ...older], hasMore: more.hasMore });
    },

    async send(message) {
      const { api, memberId } = get();
      if (!api || !memberId) return false;
      try {
        set({ error: null });
        await api.sendMessage(memberId, message);
        return true;
      } catch (error) {
        set({ error: error instanceof Error ? error.message : String(error) });
        return false;
      }
    },

    async retry(clientId) {
      await get().api?.retryMessage(clientId).catch((e: unknown) => set({ error: String((e as Error).message ?? e) }));
    },

    async recall(messageId) {
      const { api, memberId } = get();
      if (!api || !memberId) return;
      await api.recallMessage(memberId, messageId).catch((e: unknown) => set({ error: String((e as Error).message ?? e) }));
    },

    setTyping(on) {
      const { api, memberId } = get();
      if (api && memberId) void api.setTyping(memberId, on).catch(() => {});
    },

    async image(imageId) {
      const cached = get().images[imageId];
      if (cached) return cached;
      const api = get().api;
      if (!api) return null;
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
