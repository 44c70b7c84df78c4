// Live rooms in the renderer (6/8): the store's rooms as the desk core shows them (HQ's confirmed
// state + this counter's queued actions), the open room's console, and its live stream. Everything
// goes through the DeskClient; the `live` event (an HQ event, a local action, HQ's answer) re-reads
// what is shown, `liveStream` feeds the console's comments, reactions, viewers and live poll counts
// while the console of a room that is not ended is open (the desk core holds the room socket).
// The comment list is capped to the newest COMMENTS_SHOWN: a busy room sends hundreds a minute.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AnswerLiveArgs, CreateLiveArgs, DrawLotteryArgs, LiveConsole, LiveMuteTarget, LiveRoomView, LiveStreamEvent, OpenPollArgs, PinLiveArgs, UpdateLiveArgs } from '../../../shared/deskLive.ts';
import type { GroupStyleChoice } from '../../../shared/deskGroups.ts';
import type { LiveComment, LivePoll, LiveSummary, ReactionKind } from '../../../shared/live.ts';
import type { DeskClient } from '../api/types.ts';

export const COMMENTS_SHOWN = 200;

export interface LiveStreamState {
  status: 'connecting' | 'open' | 'down' | 'closed';
  viewers: number | null;
  comments: LiveComment[];
  /** Reaction counts since the console opened. */
  reactions: Partial<Record<ReactionKind, number>>;
  /** Live poll counts by poll id (newer than the cached poll). */
  polls: Record<string, LivePoll>;
  refused: string | null;
}

const emptyStream = (): LiveStreamState => ({ status: 'closed', viewers: null, comments: [], reactions: {}, polls: {}, refused: null });

export interface LiveState {
  rooms: LiveRoomView[];
  paneOpen: boolean;
  selectedId: string | null;
  console: LiveConsole | null;
  stream: LiveStreamState;
  summary: LiveSummary | null;
  qr: string | null;
  styles: GroupStyleChoice[] | null;
  creating: boolean;
  error: string | null;

  start(): () => void;
  reload(): void;
  setPane(open: boolean): void;
  select(roomId: string | null): Promise<void>;
  setCreating(on: boolean): void;
  create(args: CreateLiveArgs): Promise<boolean>;
  update(patch: UpdateLiveArgs): Promise<void>;
  setState(state: 'live' | 'ended'): Promise<void>;
  pin(pin: PinLiveArgs): Promise<void>;
  answer(questionId: string, how: AnswerLiveArgs): Promise<void>;
  openPoll(poll: OpenPollArgs): Promise<boolean>;
  closePoll(pollId: string): Promise<void>;
  draw(args: DrawLotteryArgs): Promise<boolean>;
  /** Mute an asker (`{memberId}`) or a comment's author (`{ref}`); 0 lifts it. */
  mute(who: LiveMuteTarget, minutes: number): Promise<void>;
  comment(text: string): Promise<boolean>;
  deleteComment(commentId: string): Promise<void>;
  loadStyles(): Promise<void>;
  dismiss(): Promise<void>;
  clearError(): void;
}

export type LiveStore = StoreApi<LiveState>;

/** The number of live rooms: what the bar's button shows. */
export const liveNow = (rooms: readonly LiveRoomView[]) => rooms.filter((r) => r.state === 'live').length;

/** A stream event folded into the console's live state (pure). */
export function foldStream(s: LiveStreamState, e: LiveStreamEvent): LiveStreamState {
  switch (e.kind) {
    case 'status':
      return { ...s, status: e.status };
    case 'welcome':
      return { ...s, status: 'open', viewers: e.viewers, comments: e.comments.slice(-COMMENTS_SHOWN), polls: Object.fromEntries(e.polls.map((p) => [p.id, p])) };
    case 'comments': {
      const seen = new Set(s.comments.map((c) => c.id));
      return { ...s, comments: [...s.comments, ...e.items.filter((c) => !seen.has(c.id))].slice(-COMMENTS_SHOWN) };
    }
    case 'deleted': {
      const gone = new Set(e.ids);
      return { ...s, comments: s.comments.filter((c) => !gone.has(c.id)) };
    }
    case 'reactions': {
      const reactions = { ...s.reactions };
      for (const [k, n] of Object.entries(e.counts) as [ReactionKind, number][]) reactions[k] = (reactions[k] ?? 0) + n;
      return { ...s, reactions };
    }
    case 'viewers':
      return { ...s, viewers: e.n };
    case 'poll':
      return { ...s, polls: { ...s.polls, [e.poll.id]: e.poll } };
    case 'refused':
      return { ...s, refused: e.message };
  }
}

export function createLiveStore(api: DeskClient): LiveStore {
  return createStore<LiveState>((set, get) => {
    const fail = (err: unknown) => set({ error: (err as Error).message });
    /** The room whose stream is open (the desk core's socket), to close it when another is chosen. */
    let streaming: string | null = null;

    const stopStream = () => {
      if (streaming) void api.closeLiveStream(streaming).catch(() => undefined);
      streaming = null;
    };
    const loadList = async () => set({ rooms: await api.listLiveRooms() });
    const loadOpen = async () => {
      const id = get().selectedId;
      if (!id) return;
      const view = await api.getLiveConsole(id);
      if (get().selectedId !== id) return;
      set({ console: view });
      const room = view.room;
      // The room socket: for a room HQ has (not one still queued) that has not ended, while the pane shows it.
      if (get().paneOpen && room.state !== 'ended' && room.sync !== 'pending' && streaming !== id) {
        stopStream();
        streaming = id;
        await api.openLiveStream(id).catch(fail);
      } else if (room.state === 'ended' && streaming === id) stopStream();
      // Read again when the room's peak moved after the summary was read (a node's count at the end came later).
      if (room.state === 'ended' && (!get().summary || get().summary!.peakViewers < room.peakViewers)) {
        const summary = await api.getLiveSummary(id).catch(() => null);
        if (get().selectedId === id) set({ summary });
      }
      if (get().qr === null && room.sync === null) {
        const qr = await api.getLiveQr(id).catch(() => null);
        if (get().selectedId === id) set({ qr });
      }
    };
    const load = async () => {
      await loadList();
      await loadOpen();
    };
    const act = async (fn: () => Promise<unknown>): Promise<boolean> => {
      let ok = true;
      try {
        await fn();
        set({ error: null });
      } catch (err) {
        fail(err);
        ok = false;
      }
      await load().catch(() => undefined);
      return ok;
    };
    const selected = () => get().selectedId!;

    return {
      rooms: [],
      paneOpen: false,
      selectedId: null,
      console: null,
      stream: emptyStream(),
      summary: null,
      qr: null,
      styles: null,
      creating: false,
      error: null,

      start() {
        void loadList().catch(() => undefined);
        const offs = [
          api.on('live', () => void load().catch(() => undefined)),
          api.on('liveStream', (e) => {
            if (e.roomId === get().selectedId) set({ stream: foldStream(get().stream, e) });
          }),
        ];
        return () => {
          offs.forEach((off) => off());
          stopStream();
        };
      },
      reload() {
        void load().catch(() => undefined);
      },
      setPane(open) {
        set({ paneOpen: open });
        if (!open) {
          stopStream();
          set({ stream: emptyStream() });
          return;
        }
        const first = get().selectedId ?? get().rooms[0]?.id ?? null;
        void get().select(first);
      },
      async select(roomId) {
        if (roomId !== streaming) stopStream();
        set({ selectedId: roomId, console: null, stream: emptyStream(), summary: null, qr: null, creating: roomId === null, error: null });
        await load().catch(fail);
      },
      setCreating(on) {
        set({ creating: on, error: null });
      },
      async create(args) {
        let roomId: string | null = null;
        const ok = await act(async () => {
          roomId = (await api.createLiveRoom(args)).roomId;
        });
        if (ok && roomId) await get().select(roomId);
        return ok;
      },
      async update(patch) {
        await act(() => api.updateLiveRoom(selected(), patch));
      },
      async setState(state) {
        await act(() => api.setLiveState(selected(), state));
      },
      async pin(pin) {
        await act(() => api.pinLive(selected(), pin));
      },
      async answer(questionId, how) {
        await act(() => api.answerLiveQuestion(selected(), questionId, how));
      },
      openPoll(poll) {
        return act(() => api.openLivePoll(selected(), poll));
      },
      async closePoll(pollId) {
        await act(() => api.closeLivePoll(selected(), pollId));
      },
      draw(args) {
        return act(() => api.drawLiveLottery(selected(), args));
      },
      async mute(who, minutes) {
        await act(() => api.muteLiveViewer(selected(), who, minutes));
      },
      async comment(text) {
        try {
          await api.sendLiveComment(selected(), text);
          set({ error: null });
          return true;
        } catch (err) {
          fail(err);
          return false;
        }
      },
      async deleteComment(commentId) {
        try {
          await api.deleteLiveComment(selected(), commentId);
          // Gone here at once; HQ's `deleted` frame removes it for everyone.
          set({ stream: foldStream(get().stream, { roomId: selected(), kind: 'deleted', ids: [commentId] }), error: null });
        } catch (err) {
          fail(err);
        }
      },
      async loadStyles() {
        if (get().styles) return;
        set({ styles: await api.listGroupStyles(null).catch(() => []) });
      },
      async dismiss() {
        await act(() => api.dismissLiveRejection(selected()));
      },
      clearError() {
        set({ error: null });
      },
    };
  });
}
