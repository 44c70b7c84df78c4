// Live rooms' WebSockets (GET /v1/live/socket, 6/8): the viewers of a launch room and its host
// consoles. The first frame is `hello {v, roomId, token?, nickname?}`: a member session token makes
// a `member` (may write, seen by nickname only), a device token of the room's store a `host`, no
// token a read-only `viewer`.
//
// Invariants:
//  - Comments and reactions are EPHEMERAL: they live in this node's memory (the newest
//    LIVE_BACKLOG per room, for welcomes) and cross nodes as room signals on the bus, never in a
//    store's log. Whatever a node loses is a few comments some viewers did not see.
//  - The durable parts (the room, polls, questions, lotteries, mutes) reach sockets from the
//    room's store's committed `live.*` events through this node's store feed, so every node says
//    what the log says. Questions and votes are written by LiveService, never here.
//  - Fan-out is batched: per room, at most one `comments` frame per LIVE_BATCH_MS, serialised once
//    for every socket of the room on this node (one shared Buffer); reactions are counted per
//    kind and sent as counts per window. 5,000 viewers of a room cost one JSON.stringify a batch.
//  - A member's id never reaches another viewer: comments carry nicknames; an open question goes
//    only to its asker; a lottery's `won` is worked out per socket from the winners' references.
//  - A comment's author's per-room ref (so a host can mute from a comment) goes to HOST sockets
//    only: the room keeps comments with it (backlog, batch, bus), and every frame to a viewer —
//    a batch, a welcome's backlog — is the same comments without it. A batch is still serialised
//    once per variant, never per socket.
//  - Nothing a client sends can crash the node: every frame passes `ToLive`, a bad one closes
//    that socket; a socket that stops reading is cut (4004) before it grows the node's memory.
import { createHash, randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { z } from 'zod';
import { blockedKeyword } from '../../../shared/groups.ts';
import { type FromLive, type LiveComment, type LiveLottery, type LiveLotteryView, type LivePoll, type LiveQuestion, type LiveQuestionView, type LiveRoom, type ReactionKind, ToLive } from '../../../shared/live.ts';
import { LIVE_BACKLOG, LIVE_BATCH_MS, LIVE_COMMENTS_PER_10S } from '../../../shared/limits.ts';
import { parseFrame } from '../../../shared/protocol.ts';
import { type Bus, type RoomSignal, type Unsubscribe } from '../../ports/bus.ts';
import { type Presence } from '../../ports/presence.ts';
import { type StoredEvent } from '../../ports/store.ts';
import { type StoreFeeds } from '../storeFeeds.ts';
import { closeSocket } from './closeSocket.ts';
import { sendSharedFrame, type SharedFrame, textWireFrame } from './wireFrame.ts';

export const LIVE_SOCKET_PATH = '/v1/live/socket';
export const LIVE_PROTOCOL_VERSION = 1;
/** Room socket frames are small (a comment is at most 200 characters). */
export const MAX_LIVE_FRAME_BYTES = 4 * 1024;
/** A viewer whose unsent backlog passes this is cut (4004): they reconnect and get a fresh welcome. */
export const LIVE_SEND_BUFFER_MAX = 512 * 1024;
/** Frames per second a room socket may send before it is closed with 4029 (reactions are tapped fast). */
export const LIVE_FRAMES_PER_SECOND = 30;
/** Reactions are counted over this window, then sent (and published to the other nodes) as counts. */
export const LIVE_REACTION_WINDOW_MS = 500;
/** A (member, clientId) seen in this long is the same comment again (a client's retry). */
const DEDUPE_MS = 60_000;
/**
 * A member's mute is read from HQ once (at hello) and then kept by the `live.muted` events of the
 * store feed, which this node follows anyway; re-read after this long only as a repair. (A read on
 * every comment was the whole latency of 200 comments/s: each waited for a database connection.)
 */
const MUTE_CACHE_MS = 5 * 60_000;
/** Viewer counts (presence) and HQ's counters are refreshed this often. */
const VIEWERS_EVERY_MS = 2_000;
const STATS_EVERY_MS = 3_000;
const PARTICIPANTS_EVERY_MS = 1_000;

export const LiveClose = { badFrame: 4000, unauthorized: 4001, protocolViolation: 4003, slowConsumer: 4004, notFound: 4404, rateLimited: 4029, goingAway: 1001 } as const;

type QuestionView = z.infer<typeof LiveQuestionView>;
type LotteryView = z.infer<typeof LiveLotteryView>;
type RoomView = Omit<LiveRoom, 'createdBy'>;

/** What the hub needs of LiveService (hq/app/live/service.ts): the L1 ⇄ L2 seam. */
export interface LiveRooms {
  room(roomId: string): Promise<{ room: LiveRoom; storeName: string } | null>;
  welcomeState(roomId: string, memberId: string | null): Promise<{ polls: LivePoll[]; questions: QuestionView[]; lotteries: LotteryView[] }>;
  mutedUntil(roomId: string, memberId: string): Promise<number | null>;
  keywords(): Promise<readonly string[]>;
  ask(roomId: string, memberId: string, nickname: string, clientId: string, text: string): Promise<LiveQuestion>;
  vote(roomId: string, pollId: string, memberId: string, option: number): Promise<LivePoll>;
  noteParticipants(roomId: string, entries: ReadonlyArray<{ memberId: string; nickname: string; what: 'commented' | 'joined' }>): Promise<void>;
  noteStats(roomId: string, s: { comments: number; viewerKeys: readonly string[]; viewersNow: number; nodeId: string }): Promise<void>;
}

export interface LiveHubOptions {
  heartbeatMs: number;
  helloTimeoutMs: number;
  feeds: StoreFeeds;
  bus: Bus;
  presence: Presence;
  nodeId: string;
  presenceTtlMs: number;
  /** A member session token → the member, or null. */
  memberSession(token: string): Promise<{ memberId: string } | null>;
  /** A device token → its store, or null. */
  deviceStore(token: string): Promise<string | null>;
  /** A refusal LiveService threw on purpose (its `LiveError`), as code and message; null for anything else. */
  refusal(err: unknown): { code: string; message: string } | null;
  /** A member's reference in a room as lotteries publish it (so a socket can tell it won); read once per socket. */
  memberRef(roomId: string, memberId: string): Promise<string | null>;
  now?: () => number;
  log(line: string): void;
}

/** The presence channel of a room's viewer counts: one entry per node, `<nodeId>~<count>`. */
export const liveChannel = (roomId: string) => `live.${roomId}`;

const viewOfRoom = ({ createdBy: _by, ...room }: LiveRoom): RoomView => room;
/** A comment as viewers get it: without its author's ref (hosts' only). */
const withoutRef = (c: LiveComment): LiveComment => {
  if (c.ref === undefined) return c;
  const { ref: _ref, ...rest } = c;
  return rest;
};
const defaultNickname = (memberId: string, roomId: string) => `观众${createHash('sha256').update(`${roomId}:${memberId}`).digest('hex').slice(0, 4)}`;

/** A frame for many of a room's sockets, serialised and framed once (wireFrame.ts). */
const liveFrame = (frame: FromLive): SharedFrame => textWireFrame([JSON.stringify(frame)]);

class LiveSocket {
  readonly connId = randomUUID();
  role: 'viewer' | 'member' | 'host' | null = null;
  memberId: string | null = null;
  /** The member's per-room reference (lotteries name winners by it). */
  ref: string | null = null;
  nickname: string | null = null;
  /** Set once the welcome went out: room frames go to welcomed sockets only. */
  room: LiveRoomHere | null = null;
  alive = true;
  private windowStart = 0;
  private frames = 0;
  private queue: Promise<void> = Promise.resolve();
  private helloSeen = false;

  constructor(
    readonly ws: WebSocket,
    private readonly hub: LiveHub,
  ) {
    socketOf.set(ws, this);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => hub.remove(this));
    ws.on('error', () => undefined);
    setTimeout(() => {
      if (!this.helloSeen) this.close(LiveClose.protocolViolation, 'hello expected');
    }, hub.opts.helloTimeoutMs).unref();
  }

  send(frame: FromLive): void {
    if (this.ready()) this.ws.send(JSON.stringify(frame), { binary: false });
  }

  /** A frame made once for every socket of a batch (liveFrame): framed once, written as it is (wireFrame.ts). */
  sendShared(frame: SharedFrame): void {
    if (this.ready()) sendSharedFrame(this.ws, frame);
  }

  /** Whether a frame may go out now: the socket is open and its viewer keeps reading. */
  private ready(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > LIVE_SEND_BUFFER_MAX) {
      this.close(LiveClose.slowConsumer, 'slow consumer');
      return false;
    }
    return true;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.CLOSING || this.ws.readyState === this.ws.CLOSED) return;
    closeSocket(this.ws, code, reason);
  }

  fail(code: string, message: string, closeCode: number): void {
    this.send({ t: 'error', code, message });
    this.close(closeCode, code);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.frames = 0;
    }
    if (++this.frames > LIVE_FRAMES_PER_SECOND) return this.fail('rate_limited', 'too many frames', LiveClose.rateLimited);
    if (isBinary) return this.fail('bad_frame', 'text frames only', LiveClose.badFrame);
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseFrame(ToLive, text);
    if (!parsed.ok) return this.fail('bad_frame', parsed.error, LiveClose.badFrame);
    const f = parsed.frame;
    if (f.t === 'hello') {
      if (this.helloSeen) return this.fail('protocol_violation', 'hello was already received', LiveClose.protocolViolation);
      this.helloSeen = true;
    } else if (!this.helloSeen) return this.fail('protocol_violation', 'the first frame must be hello', LiveClose.protocolViolation);
    // Reactions skip the queue: counting one is synchronous and they come fast.
    if (f.t === 'react') {
      if (this.room) this.room.react(f.kind);
      return;
    }
    this.queue = this.queue.then(() => this.hub.handle(this, f)).catch((err: unknown) => this.hub.opts.log(`live socket: ${(err as Error).stack ?? String(err)}`));
  }
}

/** One room as this node serves it: its sockets here, its comment backlog, what waits for the next batch. */
class LiveRoomHere {
  readonly sockets = new Set<LiveSocket>();
  /** The newest comments (oldest first), for welcomes. */
  backlog: LiveComment[] = [];
  /** Comments to send to this node's sockets at the next batch (from here and from other nodes). */
  private out: LiveComment[] = [];
  /** Comments made here, to publish to the other nodes at the next batch. */
  private toBus: LiveComment[] = [];
  private deletedOut: string[] = [];
  private deletedToBus: string[] = [];
  private reactHere: Partial<Record<ReactionKind, number>> = {};
  private reactOut: Partial<Record<ReactionKind, number>> = {};
  /** A poll's counts after a vote here, sent at most once a second to everyone (here and elsewhere). */
  private pollOut = new Map<string, LivePoll>();
  private pollToBus = new Map<string, LivePoll>();
  /** Per member: when they last commented and their comments in the last 10 s (this node's view). */
  readonly recent = new Map<string, number[]>();
  /** (member, clientId) → when seen, for retries. */
  readonly seen = new Map<string, number>();
  readonly mutes = new Map<string, { until: number | null; readAt: number }>();
  /** Counters for HQ (noteStats / noteParticipants), since the last call. */
  comments = 0;
  viewerKeys = new Set<string>();
  participants = new Map<string, { memberId: string; nickname: string; what: 'commented' | 'joined' }>();
  /** The room's viewers on every node, as last read. */
  viewers = 0;
  private lastViewersSent = -1;
  private presenceKey: string | null = null;
  /** What every read-only viewer's welcome holds (polls, answered questions, lotteries): read once, dropped on the room's next event. */
  private anonState: { at: number; state: ReturnType<LiveRooms['welcomeState']> } | null = null;
  stopFeed: Unsubscribe | null = null;
  /** A `live.updated` of this room came through the feed (join: then the room read at opening is not newer). */
  heardUpdate = false;
  readonly stopBus: Unsubscribe;
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly hub: LiveHub,
    readonly id: string,
    public room: LiveRoom,
    public storeName: string,
  ) {
    this.stopBus = hub.opts.bus.onRoom(id, (sig) => this.onSignal(sig));
  }

  private onSignal(sig: RoomSignal): void {
    if (sig.origin === this.hub.opts.nodeId) return;
    switch (sig.kind) {
      case 'comments':
        this.out.push(...sig.items);
        this.remember(sig.items);
        return;
      case 'deleted':
        this.forget(sig.ids);
        this.deletedOut.push(...sig.ids);
        return;
      case 'reactions':
        for (const [k, n] of Object.entries(sig.counts) as Array<[ReactionKind, number]>) this.reactOut[k] = (this.reactOut[k] ?? 0) + n;
        return;
      case 'poll':
        this.pollOut.set(sig.poll.id, sig.poll);
        return;
    }
  }

  /** A comment accepted on this node. */
  comment(c: LiveComment): void {
    this.out.push(c);
    this.toBus.push(c);
    this.remember([c]);
    this.comments++;
  }

  deleteComment(id: string): void {
    this.forget([id]);
    this.deletedOut.push(id);
    this.deletedToBus.push(id);
  }

  react(kind: ReactionKind): void {
    this.reactHere[kind] = (this.reactHere[kind] ?? 0) + 1;
    this.reactOut[kind] = (this.reactOut[kind] ?? 0) + 1;
  }

  pollChanged(poll: LivePoll): void {
    this.pollOut.set(poll.id, poll);
    this.pollToBus.set(poll.id, poll);
  }

  private remember(items: readonly LiveComment[]): void {
    this.backlog.push(...items);
    if (this.backlog.length > LIVE_BACKLOG * 2) this.backlog = this.backlog.slice(-LIVE_BACKLOG);
  }

  private forget(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.backlog = this.backlog.filter((c) => !gone.has(c.id));
    this.out = this.out.filter((c) => !gone.has(c.id));
  }

  anonymousState(): ReturnType<LiveRooms['welcomeState']> {
    const now = Date.now();
    if (!this.anonState || now - this.anonState.at > 5_000) {
      const state = this.hub.live.welcomeState(this.id, null);
      state.catch(() => (this.anonState = null));
      this.anonState = { at: now, state };
    }
    return this.anonState.state;
  }

  /** A durable change of the room: the next read-only welcome reads afresh. */
  changed(): void {
    this.anonState = null;
  }

  newestComments(): LiveComment[] {
    return this.backlog.slice(-LIVE_BACKLOG);
  }

  /** The batch tick: one frame per kind, serialised once, to every welcomed socket here; the node's own part to the bus. */
  flushComments(): void {
    const origin = this.hub.opts.nodeId;
    if (this.toBus.length > 0) {
      this.hub.opts.bus.publishRoom({ origin, roomId: this.id, kind: 'comments', items: this.toBus });
      this.toBus = [];
    }
    if (this.deletedToBus.length > 0) {
      this.hub.opts.bus.publishRoom({ origin, roomId: this.id, kind: 'deleted', ids: this.deletedToBus });
      this.deletedToBus = [];
    }
    if (this.out.length > 0) {
      this.sendComments(this.out);
      this.out = [];
    }
    if (this.deletedOut.length > 0) {
      this.broadcast({ t: 'deleted', ids: [...new Set(this.deletedOut)] });
      this.deletedOut = [];
    }
  }

  flushReactions(): void {
    if (Object.keys(this.reactHere).length > 0) {
      this.hub.opts.bus.publishRoom({ origin: this.hub.opts.nodeId, roomId: this.id, kind: 'reactions', counts: this.reactHere });
      this.reactHere = {};
    }
    if (Object.keys(this.reactOut).length > 0) {
      // Every kind, zeros included (the frame's record is exhaustive).
      const o = this.reactOut;
      this.broadcast({ t: 'reactions', counts: { like: o.like ?? 0, fire: o.fire ?? 0, clap: o.clap ?? 0, wow: o.wow ?? 0 } });
      this.reactOut = {};
    }
  }

  flushPolls(): void {
    for (const poll of this.pollToBus.values()) this.hub.opts.bus.publishRoom({ origin: this.hub.opts.nodeId, roomId: this.id, kind: 'poll', poll });
    this.pollToBus.clear();
    for (const poll of this.pollOut.values()) this.broadcast({ t: 'poll', poll });
    this.pollOut.clear();
  }

  /** A batch to the sockets here: hosts get each author's ref, viewers not; each variant serialised once, and only if someone gets it. */
  private sendComments(items: LiveComment[]): void {
    let forHosts: SharedFrame | null = null;
    let forViewers: SharedFrame | null = null;
    for (const s of this.sockets) {
      if (s.role === 'host') s.sendShared((forHosts ??= liveFrame({ t: 'comments', items })));
      else s.sendShared((forViewers ??= liveFrame({ t: 'comments', items: items.map(withoutRef) })));
    }
  }

  /** One serialisation for every welcomed socket of the room here. */
  broadcast(frame: FromLive, except?: (s: LiveSocket) => boolean): void {
    if (this.sockets.size === 0) return;
    const shared = liveFrame(frame);
    for (const s of this.sockets) if (!except?.(s)) s.sendShared(shared);
  }

  /** This node's viewers: its sockets but the hosts' (the console watching its own room is not an audience). */
  audience(): number {
    let n = 0;
    for (const s of this.sockets) if (s.role !== 'host') n++;
    return n;
  }

  /** This node's count of viewers (hosts not counted) in presence (one entry per node, replaced when it changes), then the room's total. */
  async refreshViewers(): Promise<void> {
    const { presence, nodeId, presenceTtlMs } = this.hub.opts;
    const channel = liveChannel(this.id);
    const audience = this.audience();
    const key = `${nodeId}~${audience}`;
    const old = this.presenceKey;
    this.presenceKey = key;
    await presence.add(channel, key, presenceTtlMs);
    if (old && old !== key) await presence.remove(channel, old);
    const perNode = new Map<string, number>();
    for (const entry of await presence.list(channel)) {
      const cut = entry.lastIndexOf('~');
      const n = Number(entry.slice(cut + 1));
      const node = entry.slice(0, cut);
      if (cut <= 0 || !Number.isInteger(n) || n < 0) continue;
      // Two entries of one node for a moment (the new one put, the old one not yet removed): this node's own count is exact.
      perNode.set(node, node === nodeId ? audience : Math.max(perNode.get(node) ?? 0, n));
    }
    perNode.set(nodeId, audience);
    this.viewers = [...perNode.values()].reduce((a, b) => a + b, 0);
    if (this.viewers !== this.lastViewersSent) {
      this.lastViewersSent = this.viewers;
      this.broadcast({ t: 'viewers', n: this.viewers });
    }
  }

  async leavePresence(): Promise<void> {
    if (this.presenceKey) await this.hub.opts.presence.remove(liveChannel(this.id), this.presenceKey);
    this.presenceKey = null;
  }

  close(): void {
    this.stopBus();
    this.stopFeed?.();
  }
}

export class LiveHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LIVE_FRAME_BYTES });
  private readonly rooms = new Map<string, LiveRoomHere>();
  /** Rooms being opened (their first socket is reading the room). */
  private readonly opening = new Map<string, Promise<LiveRoomHere | null>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(
    readonly live: LiveRooms,
    readonly opts: LiveHubOptions,
  ) {
    this.now = opts.now ?? Date.now;
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms));
    every(LIVE_BATCH_MS, () => {
      for (const r of this.rooms.values()) r.flushComments();
    });
    every(LIVE_REACTION_WINDOW_MS, () => {
      for (const r of this.rooms.values()) r.flushReactions();
    });
    every(1000, () => {
      for (const r of this.rooms.values()) r.flushPolls();
    });
    every(VIEWERS_EVERY_MS, () => {
      for (const r of this.rooms.values()) r.refreshViewers().catch((err: unknown) => opts.log(`live viewers: ${(err as Error).message}`));
    });
    every(PARTICIPANTS_EVERY_MS, () => this.flushParticipants());
    every(STATS_EVERY_MS, () => this.flushStats());
    every(DEDUPE_MS / 2, () => this.purge());
    every(opts.heartbeatMs, () => this.heartbeat());
    for (const t of this.timers) t.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => new LiveSocket(ws, this));
  }

  /** Sockets of a room on this node (tests, benchmarks). */
  socketsHere(roomId: string): number {
    return this.rooms.get(roomId)?.sockets.size ?? 0;
  }

  async handle(s: LiveSocket, f: ToLive): Promise<void> {
    if (s.ws.readyState !== s.ws.OPEN) return;
    try {
      if (f.t === 'hello') return await this.hello(s, f);
      const r = s.room;
      if (!r) return; // the welcome failed; the socket is closing
      switch (f.t) {
        case 'comment':
          return await this.comment(s, r, f.clientId, f.text);
        case 'ask': {
          if (!s.memberId || !s.nickname) return s.send({ t: 'refused', clientId: f.clientId, code: 'unauthorized', message: 'sign in to ask a question' });
          try {
            const q = await this.live.ask(r.id, s.memberId, s.nickname, f.clientId, f.text);
            s.send({ t: 'question', question: questionView(q, true) });
          } catch (err) {
            const why = this.opts.refusal(err);
            if (!why) throw err;
            s.send({ t: 'refused', clientId: f.clientId, code: why.code, message: why.message });
          }
          return;
        }
        case 'vote': {
          if (!s.memberId) return s.send({ t: 'refused', code: 'unauthorized', message: 'sign in to vote' });
          try {
            const poll = await this.live.vote(r.id, f.pollId, s.memberId, f.option);
            s.send({ t: 'poll', poll });
            r.pollChanged(poll);
          } catch (err) {
            const why = this.opts.refusal(err);
            if (!why) throw err;
            s.send({ t: 'refused', code: why.code, message: why.message });
          }
          return;
        }
        case 'delete':
          if (s.role !== 'host') return s.send({ t: 'refused', code: 'forbidden', message: 'only the room’s hosts delete comments' });
          r.deleteComment(f.commentId);
          return;
        case 'react':
          return; // counted on arrival (LiveSocket)
      }
    } catch (err) {
      this.opts.log(`live socket: ${(err as Error).stack ?? String(err)}`);
      s.send({ t: 'error', code: 'internal', message: 'HQ could not process the frame' });
    }
  }

  private async hello(s: LiveSocket, f: Extract<ToLive, { t: 'hello' }>): Promise<void> {
    if (f.v !== LIVE_PROTOCOL_VERSION) return s.fail('unsupported_version', `HQ speaks live protocol v${LIVE_PROTOCOL_VERSION}`, LiveClose.protocolViolation);
    // A room already open here is known from its feed: a viewer's hello then reads nothing.
    const open = this.rooms.get(f.roomId);
    const found = open ? { room: open.room, storeName: open.storeName } : await this.live.room(f.roomId);
    if (!found) return s.fail('not_found', 'no such live room', LiveClose.notFound);
    let role: 'viewer' | 'member' | 'host' = 'viewer';
    let memberId: string | null = null;
    if (f.token) {
      const session = await this.opts.memberSession(f.token);
      if (session) {
        role = 'member';
        memberId = session.memberId;
      } else if ((await this.opts.deviceStore(f.token)) === found.room.storeId) role = 'host';
      else return s.fail('unauthorized', 'unknown or expired token (or a device of another store)', LiveClose.unauthorized);
    }
    s.role = role;
    s.memberId = memberId;
    s.nickname = role === 'host' ? found.storeName.slice(0, 20) || '主播' : memberId ? (f.nickname ?? defaultNickname(memberId, f.roomId)) : null;
    if (memberId) s.ref = await this.opts.memberRef(f.roomId, memberId);
    const r = await this.join(f.roomId, found);
    if (memberId) await this.mutedUntil(r, memberId);
    if (s.ws.readyState !== s.ws.OPEN) return;
    const state = memberId ? await this.live.welcomeState(f.roomId, memberId) : await r.anonymousState();
    if (s.ws.readyState !== s.ws.OPEN) return;
    s.send({
      t: 'welcome',
      room: viewOfRoom(r.room),
      storeName: r.storeName,
      role,
      nickname: s.nickname,
      viewers: Math.max(r.viewers, r.audience() + (role === 'host' ? 0 : 1)),
      comments: role === 'host' ? r.newestComments() : r.newestComments().map(withoutRef),
      polls: state.polls,
      questions: state.questions,
      lotteries: state.lotteries,
    });
    s.room = r;
    r.sockets.add(s);
    // A member counts once however many sockets they open; by the room's salted ref, never the
    // member id (HQ keeps these keys for the summary's distinct viewers, and erasure cannot find them).
    // The host console is not a viewer.
    if (role !== 'host') r.viewerKeys.add(s.ref ? `m:${s.ref}` : `s:${s.connId}`);
    if (memberId && role === 'member') r.participants.set(`${memberId}:joined`, { memberId, nickname: s.nickname!, what: 'joined' });
  }

  private async comment(s: LiveSocket, r: LiveRoomHere, clientId: string, text: string): Promise<void> {
    const refuse = (code: string, message: string) => s.send({ t: 'refused', clientId, code, message });
    const now = this.now();
    if (s.role === 'host') {
      const k = `h:${s.connId}:${clientId}`;
      if (r.seen.has(k)) return;
      r.seen.set(k, now);
      r.comment({ id: randomUUID(), nickname: s.nickname!, text, at: now, host: true });
      return;
    }
    if (!s.memberId) return refuse('unauthorized', 'sign in to comment');
    const memberId = s.memberId;
    const k = `m:${memberId}:${clientId}`;
    if (r.seen.has(k)) return; // a retry of a comment already sent
    if (r.room.state !== 'live') return refuse('closed', r.room.state === 'ended' ? 'the stream has ended' : 'the stream has not started');
    const until = await this.mutedUntil(r, memberId);
    if (until !== null && until > now) return refuse('muted', `muted until ${new Date(until).toISOString()}`);
    const all = r.recent.get(memberId) ?? [];
    // The last comment counts for slow mode however long ago it was (slow mode may be minutes);
    // only the 3-per-10 s rate looks at the window alone.
    const last = all.at(-1);
    const times = all.filter((t) => now - t < 10_000);
    if (r.room.slowModeSec > 0 && last !== undefined && now - last < r.room.slowModeSec * 1000)
      return refuse('slow_mode', `slow mode: one comment every ${r.room.slowModeSec} s`);
    if (times.length >= LIVE_COMMENTS_PER_10S) return refuse('rate_limited', `at most ${LIVE_COMMENTS_PER_10S} comments in 10 s`);
    const word = blockedKeyword(text, await this.live.keywords());
    if (word !== null) return refuse('blocked_word', 'the comment contains a blocked word');
    if (s.ws.readyState !== s.ws.OPEN) return;
    // Slow mode longer than the rate window still needs the last time: keep it.
    r.recent.set(memberId, [...times, now]);
    r.seen.set(k, now);
    r.comment({ id: randomUUID(), nickname: s.nickname!, text, at: now, host: false, ...(s.ref ? { ref: s.ref } : {}) });
    r.participants.set(`${memberId}:commented`, { memberId, nickname: s.nickname!, what: 'commented' });
  }

  private async mutedUntil(r: LiveRoomHere, memberId: string): Promise<number | null> {
    const cached = r.mutes.get(memberId);
    const now = this.now();
    if (cached && now - cached.readAt < MUTE_CACHE_MS) return cached.until;
    const until = await this.live.mutedUntil(r.id, memberId);
    r.mutes.set(memberId, { until, readAt: now });
    return until;
  }

  /** The room here, opened on its first socket: its store's feed and its bus signals. */
  private async join(roomId: string, found: { room: LiveRoom; storeName: string }): Promise<LiveRoomHere> {
    const here = this.rooms.get(roomId);
    if (here) {
      await here.ready;
      return here;
    }
    let opening = this.opening.get(roomId);
    if (!opening) {
      const r = new LiveRoomHere(this, roomId, found.room, found.storeName);
      opening = this.opts.feeds
        .listen(found.room.storeId, { events: (events) => events.forEach((ev) => this.onEvent(r, ev)), reset: () => undefined })
        .then(
          async (stop) => {
            r.stopFeed = stop;
            // The room was read before its store's feed listened here, so a change committed in
            // between — a go-live as the first viewer of this node joins — came by neither: the room
            // would stay "not started" here, its comments refused, until its next update. Read it
            // again now that every later change comes through the feed. If an update came through
            // it meanwhile, that one stays: whatever this read could add comes through the feed too.
            const fresh = await this.live.room(roomId).catch(() => null);
            if (fresh && !r.heardUpdate) r.room = fresh.room;
            this.rooms.set(roomId, r);
            return r;
          },
          (err: unknown) => {
            r.close();
            throw err;
          },
        )
        .finally(() => this.opening.delete(roomId));
      this.opening.set(roomId, opening);
    }
    return (await opening)!;
  }

  remove(s: LiveSocket): void {
    const r = s.room;
    if (!r || !r.sockets.delete(s)) return;
    s.room = null;
    if (r.sockets.size > 0) return;
    // The last viewer here left: the room's memory here goes (the other nodes keep theirs).
    r.flushComments();
    r.flushReactions();
    this.flushStatsOf(r);
    this.flushParticipantsOf(r);
    r.close();
    this.rooms.delete(r.id);
    r.leavePresence().catch((err: unknown) => this.opts.log(`live viewers: ${(err as Error).message}`));
  }

  /** A committed event of a store with rooms here: `live.*` of a room here become room frames. */
  private onEvent(r: LiveRoomHere, ev: StoredEvent): void {
    if (!ev.type.startsWith('live.')) return;
    const data = JSON.parse(ev.data) as Record<string, unknown>;
    const roomOf = (data.room as LiveRoom | undefined)?.id ?? (data.question as LiveQuestion | undefined)?.roomId ?? (data.poll as LivePoll | undefined)?.roomId ?? (data.lottery as LiveLottery | undefined)?.roomId ?? data.roomId;
    if (roomOf !== r.id) return;
    r.changed();
    if (ev.type === 'live.updated') {
      r.heardUpdate = true;
      const endedNow = r.room.state !== 'ended' && (data.room as LiveRoom).state === 'ended';
      r.room = data.room as LiveRoom;
      // The room just ended: this node's viewers go to HQ now, so the peak in the manager's summary
      // (the desk asks for it on this same event) counts them. The periodic flush may not have run
      // since they came — a stream's last STATS_EVERY_MS — and would come after that read; once the
      // room is over it skips it when nothing is new. Every node does this for its own viewers.
      if (endedNow) this.flushStatsOf(r, true);
    }
    if (r.sockets.size === 0) return;
    switch (ev.type) {
      case 'live.updated': {
        const room = data.room as LiveRoom;
        if (room.id !== r.id) return;
        r.room = room;
        r.broadcast({ t: 'room', room: viewOfRoom(room) });
        return;
      }
      case 'live.question': {
        const q = data.question as LiveQuestion;
        if (q.roomId !== r.id) return;
        const mine = liveFrame({ t: 'question', question: questionView(q, true) });
        if (q.status === 'open') {
          for (const s of r.sockets) if (s.memberId === q.memberId) s.sendShared(mine);
          return;
        }
        const others = liveFrame({ t: 'question', question: questionView(q, false) });
        for (const s of r.sockets) s.sendShared(s.memberId === q.memberId ? mine : others);
        return;
      }
      case 'live.poll': {
        const poll = data.poll as LivePoll;
        if (poll.roomId === r.id) r.broadcast({ t: 'poll', poll });
        return;
      }
      case 'live.lottery': {
        const lottery = data.lottery as LiveLottery;
        if (lottery.roomId !== r.id) return;
        const { by: _by, ...rest } = lottery;
        const winners = new Set(lottery.winners.map((w) => w.ref));
        const won = liveFrame({ t: 'lottery', lottery: { ...rest, won: true } });
        const lost = liveFrame({ t: 'lottery', lottery: { ...rest, won: false } });
        for (const s of r.sockets) s.sendShared(s.ref !== null && winners.has(s.ref) ? won : lost);
        return;
      }
      case 'live.muted': {
        if (data.roomId !== r.id) return;
        r.mutes.set(data.memberId as string, { until: (data.until as number | null) ?? null, readAt: this.now() });
        return;
      }
    }
  }

  private flushParticipants(): void {
    for (const r of this.rooms.values()) this.flushParticipantsOf(r);
  }

  private flushParticipantsOf(r: LiveRoomHere): void {
    if (r.participants.size === 0) return;
    const entries = [...r.participants.values()];
    r.participants = new Map();
    this.live.noteParticipants(r.id, entries).catch((err: unknown) => this.opts.log(`live participants: ${(err as Error).message}`));
  }

  private flushStats(): void {
    for (const r of this.rooms.values()) this.flushStatsOf(r);
  }

  /** `always`: even with nothing new since the last call (the room's end, whose viewer count the peak needs). */
  private flushStatsOf(r: LiveRoomHere, always = false): void {
    if (!always && r.comments === 0 && r.viewerKeys.size === 0 && r.room.state !== 'live') return;
    const s = { comments: r.comments, viewerKeys: [...r.viewerKeys], viewersNow: r.audience(), nodeId: this.opts.nodeId }; // the peak counts viewers, not host consoles
    r.comments = 0;
    r.viewerKeys = new Set();
    this.live.noteStats(r.id, s).catch((err: unknown) => this.opts.log(`live stats: ${(err as Error).message}`));
  }

  private purge(): void {
    const now = this.now();
    for (const r of this.rooms.values()) {
      for (const [k, at] of r.seen) if (now - at > DEDUPE_MS) r.seen.delete(k);
      for (const [m, times] of r.recent) if (now - (times.at(-1) ?? 0) > Math.max(10_000, r.room.slowModeSec * 1000)) r.recent.delete(m);
      for (const [m, c] of r.mutes) if (now - c.readAt > MUTE_CACHE_MS) r.mutes.delete(m);
    }
  }

  private heartbeat(): void {
    for (const c of this.wss.clients) {
      const s = socketOf.get(c);
      if (!s) continue;
      if (!s.alive) {
        c.terminate();
        continue;
      }
      s.alive = false;
      try {
        c.ping();
      } catch {
        /* closing */
      }
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.rooms.values()].map((r) => r.leavePresence().catch(() => undefined)));
    for (const r of this.rooms.values()) r.close();
    this.rooms.clear();
    for (const c of this.wss.clients) c.close(LiveClose.goingAway, 'HQ is shutting down');
    await new Promise<void>((resolve) => {
      if (this.wss.clients.size === 0) return resolve();
      const t = setTimeout(() => {
        for (const c of this.wss.clients) c.terminate();
        resolve();
      }, 500);
      let left = this.wss.clients.size;
      for (const c of this.wss.clients)
        c.once('close', () => {
          if (--left === 0) {
            clearTimeout(t);
            resolve();
          }
        });
    });
    this.wss.close();
  }
}

/** ws client → its LiveSocket, for the heartbeat. */
const socketOf = new WeakMap<WebSocket, LiveSocket>();

function questionView(q: LiveQuestion, mine: boolean): QuestionView {
  const { memberId: _m, answeredBy: _a, ...rest } = q;
  return { ...rest, mine };
}
