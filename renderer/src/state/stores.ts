// The renderer's stores, created in one place with the one DeskClient (api/client.ts picks it):
// desk (queue, member, connection, locale), chat, clerk (sign-in and view) and settings. Each
// store keeps the client in its closure, never in its state; the cross-store links are made here.
//
// The client's `reset` (the cache was rebuilt from an HQ snapshot, or the web bridge reconnected
// after losing pushed events) has one subscription, here, and it reloads every store: a store
// cannot miss it, and none handles it on its own.
import type { DeskClient } from '../api/types.ts';
import { type ChatStore, createChatStore } from '../chat/chatStore.ts';
import { type ClerkStore, createClerkStore } from '../signin/clerkStore.ts';
import { createSettingsStore, type SettingsStore } from '../settings/settingsStore.ts';
import { createDeskStore, type DeskStore } from './deskStore.ts';
import { detectLocale } from '../i18n/index.ts';
import { createHoldsStore, type HoldsStore } from '../holds/holdsStore.ts'; // 4/8 part C
import { createGroupsStore, type GroupsStore } from '../groups/groupsStore.ts'; // 5/8 groups
import { type CheckinStore, createCheckinStore } from '../checkin/checkinStore.ts'; // 4/8 part A
import { createLiveStore, type LiveStore } from '../live/liveStore.ts'; // 6/8 live rooms

export interface Stores {
  /** The client the stores were created with; for the few calls whose answers no store keeps (the manager's report, enrollment). */
  client: DeskClient;
  desk: DeskStore;
  chat: ChatStore;
  clerk: ClerkStore;
  settings: SettingsStore;
  /** 4/8 part C: holds, hold requests, the hold form, other stores' stock. */
  holds: HoldsStore;
  /** 4/8 part A: check-in at the counter. */
  checkin: CheckinStore;
  /** 5/8: the store's groups, the open thread, its host tools. */
  groups: GroupsStore;
  /** 6/8: the store's live rooms and the open console. */
  live: LiveStore;
  /** Unsubscribes every store from the client (the page keeps its stores for its lifetime; tests stop them). */
  stop(): void;
}

/** Creates the stores and starts them: each subscribes to its events and loads what it shows. */
export function createStores(client: DeskClient): Stores {
  const desk = createDeskStore(client);
  const chat = createChatStore(client);
  const clerk = createClerkStore(client);
  const settings = createSettingsStore(client, (language) => {
    // The one language setting (Settings → Language and the top bar's switch both write it);
    // 'system' follows the browser's (the OS's) language.
    const locale = language === 'system' ? detectLocale(typeof navigator === 'undefined' ? undefined : navigator.language) : language;
    if (desk.getState().locale !== locale) desk.getState().setLocale(locale);
  }, (memberId) => chat.getState().memberId === memberId && typeof document !== 'undefined' && document.hasFocus());
  const holds = createHoldsStore(client); // 4/8 part C
  const checkin = createCheckinStore(client); // 4/8 part A
  const groups = createGroupsStore(client); // 5/8 groups
  const live = createLiveStore(client); // 6/8 live rooms
  const all = [desk, chat, clerk, settings, holds, checkin, groups, live] as const;
  const offs = all.map((store) => store.getState().start());
  offs.push(
    client.on('reset', () => {
      for (const store of all) store.getState().reload();
    }),
  );
  return {
    client,
    desk,
    chat,
    clerk,
    settings,
    holds,
    checkin,
    groups,
    live,
    stop: () => offs.splice(0).forEach((off) => off()),
  };
}
