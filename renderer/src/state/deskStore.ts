// The desk's state: what the desk core told us, plus what the clerk is looking at.
// Everything comes through the one DeskClient the store is created with; events update narrowly
// (one visit, one member) and `reload` (on the client's `reset`, see stores.ts) re-reads
// everything. Actions are optimistic in the desk core — we just re-read the visit after calling,
// and the core's pending/confirmed/rejected marks drive the UI.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConnectionState, DeskIdentity, MemberSearchHit, MemberView, VisitView } from '../../../shared/deskApi.ts';
import type { ServedOutcome } from '../../../shared/domain.ts';
import type { BridgeState, DeskClient } from '../api/types.ts';
import { initialLocale, type Locale, rememberLocale } from '../i18n/index.ts';

export type MemberStatus = 'idle' | 'loading' | 'ready' | 'missing';

export interface DeskState {
  ready: boolean;
  identity: DeskIdentity | null;
  connection: ConnectionState | null;
  bridge: BridgeState;
  /** Visits of today's queue, newest arrival first. */
  arrivals: VisitView[];
  selectedVisitId: string | null;
  memberId: string | null;
  member: MemberView | null;
  memberStatus: MemberStatus;
  /** Visits that arrived while this page was open, for a brief highlight. */
  fresh: Record<string, number>;
  locale: Locale;
  now: number;
  /** Last failed action, shown in the action area until the next one. */
  actionError: string | null;
  searchHits: MemberSearchHit[] | null;
  /** The counter's cache holds more hits than shown (ask again with a larger limit). */
  searchHasMore: boolean;
  /** Members of other stores HQ found for the same query; null while not asked (offline, too short). */
  searchRemote: MemberSearchHit[] | null;
  /** The query (and page size) the hits answer: Enter on newer text searches again first. */
  searchedFor: string | null;

  /** Subscribes to the client's events and loads the first view; returns the unsubscribe. */
  start(): () => void;
  /** Events may have been lost (the client's `reset`): re-read the queue, the open member and the connection. */
  reload(): void;
  setLocale(locale: Locale): void;
  tick(now: number): void;
  selectVisit(visitId: string | null): void;
  moveSelection(delta: 1 | -1): void;
  openMember(memberId: string, visitId?: string | null): void;
  /** Searches the cache (the first `limit` hits) and, online, HQ for members of other stores. */
  search(query: string, limit?: number): Promise<void>;
  clearSearch(): void;
  claim(visitId: string): Promise<void>;
  release(visitId: string): Promise<void>;
  closeVisit(visitId: string, outcome: ServedOutcome, note?: string): Promise<void>;
  takeOver(visitId: string): Promise<void>;
  markLeft(visitId: string): Promise<void>;
  dismissNotice(visitId: string): Promise<void>;
  addNote(visitId: string, text: string): Promise<boolean>;
  retryNow(): void;
}

// The whole cache's queue (the list is windowed, so 10,000 rows cost what ~30 do; round 3).
const ARRIVALS_LIMIT = 10_000;
const FIRST_PAGE = 200;
const FRESH_MS = 8000;
/** Search hits shown at first; "More" shows this many more each time. */
export const SEARCH_PAGE = 8;
const SEARCH_MAX = 100;

function byArrivalDesc(a: VisitView, b: VisitView): number {
  return b.arrivedAt - a.arrivedAt || (a.id < b.id ? 1 : -1);
}

function upsert(list: VisitView[], visits: VisitView[]): VisitView[] {
  const byId = new Map(list.map((v) => [v.id, v]));
  for (const v of visits) byId.set(v.id, v);
  return [...byId.values()].sort(byArrivalDesc);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type DeskStore = StoreApi<DeskState>;

export function createDeskStore(api: DeskClient): DeskStore {
  return createStore<DeskState>((set, get) => {
    let memberRequest = 0;
    let searchRequest = 0;

    async function loadArrivals(): Promise<void> {
      // The newest page first, so the first alert shows without waiting for a 10,000-visit queue.
      const first = await api.listArrivals({ limit: FIRST_PAGE });
      set({ arrivals: [...first].sort(byArrivalDesc) });
      if (first.length < FIRST_PAGE) return;
      const arrivals = await api.listArrivals({ limit: ARRIVALS_LIMIT });
      set({ arrivals: [...arrivals].sort(byArrivalDesc) });
    }

    async function loadMember(): Promise<void> {
      const { memberId } = get();
      if (!memberId) return;
      const request = ++memberRequest;
      try {
        const member = await api.getMember(memberId);
        // A slower answer for a member the clerk has already left must not overwrite the new one.
        if (request !== memberRequest) return;
        set({ member, memberStatus: member ? 'ready' : 'missing' });
      } catch {
        if (request === memberRequest) set({ memberStatus: 'missing' });
      }
    }

    async function refreshVisit(visitId: string): Promise<void> {
      const visit = await api.getVisit(visitId);
      if (visit) set({ arrivals: upsert(get().arrivals, [visit]) });
      if (visit && visit.memberId === get().memberId) await loadMember();
    }

    async function act(visitId: string, run: () => Promise<unknown>): Promise<boolean> {
      set({ actionError: null });
      try {
        await run();
        return true;
      } catch (error) {
        set({ actionError: message(error) });
        return false;
      } finally {
        await refreshVisit(visitId).catch(() => {});
      }
    }

    return {
      ready: false,
      identity: null,
      connection: null,
      bridge: 'up',
      arrivals: [],
      selectedVisitId: null,
      memberId: null,
      member: null,
      memberStatus: 'idle',
      fresh: {},
      locale: initialLocale(),
      now: Date.now(),
      actionError: null,
      searchHits: null,
      searchHasMore: false,
      searchRemote: null,
      searchedFor: null,

      start() {
        const offs: Array<() => void> = [];
        offs.push(
          api.on('connection', (connection) => set({ connection })),
          api.on('arrival', ({ visit }) => {
            const fresh = { ...get().fresh, [visit.id]: Date.now() };
            set({ arrivals: upsert(get().arrivals, [visit]), fresh });
          }),
          api.on('visits', ({ visits }) => {
            set({ arrivals: upsert(get().arrivals, visits) });
            if (visits.some((v) => v.memberId === get().memberId)) void loadMember();
          }),
          api.on('member', ({ memberId }) => {
            if (memberId === get().memberId) void loadMember();
          }),
        );
        if (api.onShell) offs.push(api.onShell('openVisit', ({ visitId, memberId }) => get().openMember(memberId, visitId)));
        if (api.onBridge) offs.push(api.onBridge((bridge) => set({ bridge })));
        // The arrivals are asked for with the identity, not after its answer: the first alert on a
        // cold start waits one round trip to the desk process less.
        const arrivals = loadArrivals();
        arrivals.catch(() => {}); // awaited below; a failure before that point must not go unhandled
        void (async () => {
          const [identity, connection] = await Promise.all([api.getIdentity(), api.getConnection()]);
          set({ identity, connection });
          await arrivals;
          set({ ready: true });
        })().catch(() => {});
        return () => offs.forEach((off) => off());
      },

      reload() {
        void loadArrivals();
        void loadMember();
        void api.getConnection().then((connection) => set({ connection }));
      },

      setLocale(locale) {
        rememberLocale(locale);
        set({ locale });
      },

      tick(now) {
        const fresh = Object.fromEntries(Object.entries(get().fresh).filter(([, at]) => now - at < FRESH_MS));
        set({ now, fresh });
      },

      selectVisit(visitId) {
        const visit = get().arrivals.find((v) => v.id === visitId);
        if (!visit) {
          set({ selectedVisitId: null });
          return;
        }
        get().openMember(visit.memberId, visit.id);
      },

      moveSelection(delta) {
        const { arrivals, selectedVisitId } = get();
        if (arrivals.length === 0) return;
        const index = arrivals.findIndex((v) => v.id === selectedVisitId);
        const next = index === -1 ? 0 : Math.min(arrivals.length - 1, Math.max(0, index + delta));
        get().selectVisit(arrivals[next]!.id);
      },

      openMember(memberId, visitId = null) {
        searchRequest++; // a search still answering must not reopen the list
        const sameMember = memberId === get().memberId;
        set({
          memberId,
          selectedVisitId: visitId,
          member: sameMember ? get().member : null,
          memberStatus: sameMember && get().member ? 'ready' : 'loading',
          actionError: null,
          searchHits: null,
          searchHasMore: false,
          searchRemote: null,
        });
        void loadMember();
      },

      async search(query, limit = SEARCH_PAGE) {
        const q = query.trim().slice(0, 60);
        const request = ++searchRequest;
        if (q === '') {
          set({ searchHits: null, searchHasMore: false, searchRemote: null, searchedFor: null });
          return;
        }
        const shown = Math.min(limit, SEARCH_MAX - 1);
        let local: MemberSearchHit[] = [];
        try {
          // One more than shown, to know whether "More" has anything to show.
          const hits = await api.searchMembers({ query: q, limit: shown + 1 });
          local = hits.slice(0, shown);
          if (request === searchRequest) set({ searchHits: local, searchHasMore: hits.length > shown, searchedFor: q });
        } catch {
          if (request === searchRequest) set({ searchHits: [], searchHasMore: false, searchedFor: q });
        }
        if (request !== searchRequest || get().connection?.status !== 'online' || [...q.replace(/\s/g, '')].length < 2) {
          if (request === searchRequest) set({ searchRemote: null });
          return;
        }
        // Online: members of other stores, from HQ. This store's members are all in the cache.
        const remote = await api.searchMembersAtHq({ query: q, limit: 10 }).catch(() => null);
        if (request !== searchRequest) return;
        const seen = new Set(local.map((h) => h.id));
        set({ searchRemote: remote ? remote.filter((h) => h.homeStoreName !== undefined && !seen.has(h.id)) : null });
      },

      clearSearch() {
        searchRequest++;
        set({ searchHits: null, searchHasMore: false, searchRemote: null });
      },

      async claim(visitId) {
        await act(visitId, () => api.claimVisit(visitId));
      },
      async release(visitId) {
        await act(visitId, () => api.releaseVisit(visitId));
      },
      async closeVisit(visitId, outcome, note) {
        const text = note?.trim();
        await act(visitId, () => (text ? api.closeVisit(visitId, outcome, text) : api.closeVisit(visitId, outcome)));
      },
      async takeOver(visitId) {
        await act(visitId, () => api.takeOverVisit(visitId));
      },
      async markLeft(visitId) {
        await act(visitId, () => api.markLeft(visitId));
      },
      async dismissNotice(visitId) {
        await act(visitId, () => api.dismissNotice(visitId));
      },
      addNote(visitId, text) {
        return act(visitId, () => api.addNote(visitId, text));
      },
      retryNow() {
        void api.reconnectNow();
      },
    };
  });
}
