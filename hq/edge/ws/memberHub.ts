// Members' WebSockets (GET /v1/member/socket): the live side of the member API. The first frame
// authenticates (`hello {v, token}`; a browser cannot set an Authorization header on a WebSocket);
// after `welcome`, the member gets their conversation's messages, receipts and recalls as HQ commits
// them (from the store's event log, so a member sees exactly what the desks see), the store's
// typing, and whether any desk of the store is online. Typing and presence are never stored.
//
// Across nodes: a member's events come from this node's feed of the store (whichever node
// committed them), typing crosses nodes as bus signals, and "who is online" is presence with a TTL.
// A member's frames are handled one after another, in the order they came.
//
// Groups (5/8): a member's socket also gets the live frames of their groups (`GroupToMember`). At
// hello it follows the stores of the member's groups (a chain group's store may not be the
// session's), and this node keeps an index group → its members' sockets here, moved by the
// `group.membership` events it sees (a join of a group of a store not yet followed arrives as the
// `member.groups` control message from whichever node took the join). A group frame is serialised
// once per variant — `mine`, `forMe` and `push` are all that differ between members — and the same
// string goes to every socket of that variant, so a message to 5,000 members costs a handful of
// JSON.stringify calls. Group frames go out one event after another, in log order.
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Message, type Receipts } from '../../../shared/domain.ts';
import { type Group, type GroupMembership, type GroupMessage } from '../../../shared/groups.ts';
import { parseFrame, type SignalFrame } from '../../../shared/protocol.ts';
import { type StoredEvent } from '../../ports/store.ts';
import { type Bus, type Unsubscribe } from '../../ports/bus.ts';
import { type Presence } from '../../ports/presence.ts';
import { type StoreFeeds } from '../storeFeeds.ts';
import { type MemberAuth } from '../../app/chat/memberAuth.ts';
import { type HqToMember, MAX_MEMBER_FRAME_BYTES, MEMBER_PROTOCOL_VERSION, MEMBER_SEND_BUFFER_MAX, MemberClose, MemberToHq } from './memberProtocol.ts';
import { ChatError, type ChatService } from '../../app/chat/service.ts';
import { type GroupMemberService, toMemberMessage, toMemberView } from '../../app/groups/memberSide.ts';
import { closeSocket } from './closeSocket.ts';
import { sendSharedFrame, type SharedFrame, textWireFrame } from './wireFrame.ts';

export interface MemberHubOptions {
  heartbeatMs: number;
  /** A socket without `hello` this long after the upgrade is closed with 4003. */
  helloTimeoutMs: number;
  maxFramesPerSecond: number;
  /** Send an ephemeral signal to every live desk of a store. */
  toDesks(storeId: string, frame: SignalFrame): void;
  /** Whether any desk of the store is connected, on any node. */
  storeOnline(storeId: string): Promise<boolean>;
  feeds: StoreFeeds;
  bus: Bus;
  presence: Presence;
  nodeId: string;
  presenceTtlMs: number;
  log(line: string): void;
}

export const membersChannel = (storeId: string) => `members.${storeId}`;

/** Memberships read at once for a `group.updated` (each member's own part of the view); bigger groups read the rest one by one. */
const GROUP_VIEW_PAGE = 20_000;

/** How long a hello waits for "is any desk of the store online" before welcoming with false. */
const PRESENCE_WAIT_MS = 2000;

/** `p`, or `fallback` once `ms` passed (a rejection is also the fallback: presence is best effort). */
function withinMs<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}

const key = (storeId: string, memberId: string) => `${storeId}\u0000${memberId}`;

class MemberSocket {
  storeId = '';
  memberId = '';
  authed = false;
  alive = true;
  /** Closed: whatever an await brings back afterwards must not index or follow anything. */
  dropped = false;
  /** The member's active groups here: group id → its store (5/8). */
  readonly groups = new Map<string, string>();
  /** Stores this socket follows for its groups (each once, beside the session's store). */
  readonly groupStores = new Set<string>();
  private windowStart = 0;
  private frames = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    private readonly hub: MemberHub,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => hub.remove(this));
    ws.on('error', () => undefined);
    // No hello in time: not a member client.
    setTimeout(() => {
      if (!this.authed) this.close(MemberClose.protocolViolation, 'hello expected');
    }, hub.opts.helloTimeoutMs).unref();
  }

  send(frame: HqToMember): void {
    this.sendText(JSON.stringify(frame));
  }

  /** A frame as text. */
  sendText(text: string): void {
    if (this.ready()) this.ws.send(text, { binary: false });
  }

  /** A frame made once for many sockets (a group's message to its members here): framed once, written as it is. */
  sendShared(frame: SharedFrame): void {
    if (this.ready()) sendSharedFrame(this.ws, frame);
  }

  /** Whether a frame may go out now: the socket is open and its member keeps reading. */
  private ready(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    // A member who stopped reading must not grow HQ's memory: drop them, they reconnect and reload.
    if (this.ws.bufferedAmount > MEMBER_SEND_BUFFER_MAX) {
      this.close(4004, 'slow consumer');
      return false;
    }
    return true;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.CLOSING || this.ws.readyState === this.ws.CLOSED) return;
    closeSocket(this.ws, code, reason);
  }

  private fail(code: string, message: string, closeCode: number): void {
    this.send({ t: 'error', code, message });
    this.close(closeCode, code);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.frames = 0;
    }
    if (++this.frames > this.hub.opts.maxFramesPerSecond) return this.fail('rate_limited', 'too many frames', MemberClose.rateLimited);
    if (isBinary) return this.fail('bad_frame', 'text frames only', MemberClose.badFrame);
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseFrame(MemberToHq, text);
    if (!parsed.ok) return this.fail('bad_frame', parsed.error, MemberClose.badFrame);
    const f = parsed.frame;
    this.queue = this.queue.then(() => this.handle(f)).catch((err: unknown) => this.hub.opts.log(`member socket: ${(err as Error).stack ?? String(err)}`));
  }

  private async handle(f: MemberToHq): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return;
    try {
      if (!this.authed) {
        if (f.t !== 'hello') return this.fail('protocol_violation', 'the first frame must be hello', MemberClose.protocolViolation);
        if (f.v !== MEMBER_PROTOCOL_VERSION) return this.fail('unsupported_version', `HQ speaks member protocol v${MEMBER_PROTOCOL_VERSION}`, MemberClose.protocolViolation);
        const session = await this.hub.auth.session(f.token);
        if (!session) return this.fail('unauthorized', 'unknown or expired member token', MemberClose.unauthorized);
        this.authed = true;
        this.storeId = session.storeId;
        this.memberId = session.memberId;
        // Follow the store first, so nothing committed after the reads below is missed.
        await this.hub.add(this);
        // …and the stores of the member's groups (5/8): their frames flow from `welcome` on.
        await this.hub.syncGroups(this);
        const { receipts, lastN } = await this.hub.chat.conversationState(session.storeId, session.memberId);
        // Presence is best effort (hq/ports/presence.ts): a listing that does not answer in time
        // (seen under a storm of hellos on NATS) must not hold the welcome; `presence` frames follow.
        const storeOnline = await withinMs(this.hub.opts.storeOnline(session.storeId), PRESENCE_WAIT_MS, false);
        this.send({
          t: 'welcome',
          memberId: session.memberId,
          memberName: session.memberName,
          storeId: session.storeId,
          storeName: session.storeName,
          receipts,
          lastN,
          storeOnline,
        });
        return;
      }
      switch (f.t) {
        case 'hello':
          return this.fail('protocol_violation', 'hello was already received', MemberClose.protocolViolation);
        case 'send':
          try {
            const r = await this.hub.chat.sendFromMember(this.storeId, this.memberId, f.message);
            this.send({ t: 'sendAck', clientId: f.message.clientId, status: r.duplicate ? 'duplicate' : 'ok', message: r.message });
          } catch (err) {
            if (!(err instanceof ChatError)) throw err;
            this.send({ t: 'sendAck', clientId: f.message.clientId, status: 'rejected', error: { code: err.code, message: err.message } });
          }
          return;
        case 'receipt':
          await this.hub.chat.memberReceipt(this.storeId, this.memberId, { delivered: f.delivered, read: f.read });
          return;
        case 'typing':
          this.hub.opts.toDesks(this.storeId, { t: 'signal', kind: 'typing', memberId: this.memberId, data: { on: f.on, from: 'member' } });
          return;
        case 'recall':
          try {
            await this.hub.chat.recallByMember(this.storeId, this.memberId, f.messageId);
          } catch (err) {
            if (!(err instanceof ChatError)) throw err;
            this.send({ t: 'error', code: err.code, message: err.message });
          }
          return;
      }
    } catch (err) {
      this.hub.opts.log(`member socket: ${(err as Error).stack ?? String(err)}`);
      this.send({ t: 'error', code: 'internal', message: 'HQ could not process the frame' });
    }
  }
}

export class MemberHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MEMBER_FRAME_BYTES });
  private readonly byMember = new Map<string, Set<MemberSocket>>();
  /** Per store with members here: the feed and signal subscriptions. */
  private readonly stores = new Map<string, { members: number; stopFeed: Unsubscribe | null; stopSignals: Unsubscribe; ready: Promise<void> }>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Group id → this node's sockets of its active members (5/8). */
  private readonly byGroup = new Map<string, Set<MemberSocket>>();
  /** Group frames go out one event after another (an announcement waits for its push list). */
  private groupQueue: Promise<void> = Promise.resolve();
  private readonly stopControl: Unsubscribe;

  constructor(
    readonly chat: ChatService,
    readonly auth: MemberAuth,
    readonly groups: GroupMemberService,
    readonly opts: MemberHubOptions,
  ) {
    this.stopControl = opts.bus.onControl((c) => {
      if (c.kind === 'member.groups' && c.origin !== opts.nodeId) this.resyncMember(c.memberId);
    });
    this.timers.push(setInterval(() => this.heartbeat(), opts.heartbeatMs));
    this.timers.push(setInterval(() => this.refreshPresence(), Math.max(250, Math.floor(opts.presenceTtlMs / 3))));
    for (const t of this.timers) t.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => new MemberSocket(ws, this));
  }

  async add(s: MemberSocket): Promise<void> {
    const k = key(s.storeId, s.memberId);
    let set = this.byMember.get(k);
    if (!set) this.byMember.set(k, (set = new Set()));
    set.add(s);
    const ready = this.follow(s.storeId);
    if (set.size === 1) this.presence(s.storeId, s.memberId, true);
    await ready;
  }

  remove(s: MemberSocket): void {
    if (!s.authed || s.dropped) return;
    s.dropped = true;
    for (const groupId of s.groups.keys()) this.unindex(groupId, s);
    s.groups.clear();
    for (const storeId of s.groupStores) this.unfollow(storeId);
    s.groupStores.clear();
    const k = key(s.storeId, s.memberId);
    const set = this.byMember.get(k);
    if (!set?.delete(s)) return;
    if (set.size === 0) {
      this.byMember.delete(k);
      this.presence(s.storeId, s.memberId, false);
    }
    this.unfollow(s.storeId);
  }

  /**
   * Loads the member's groups and follows their stores: at hello, and again when they joined one
   * (`tell`: the socket then gets `group.updated` for each group new to it — its store's feed opened
   * after the join, so the join's own event will not come).
   */
  async syncGroups(s: MemberSocket, tell = false): Promise<void> {
    const mine = await this.groups.groupsOf(s.memberId);
    if (s.dropped) return;
    const fresh = mine.filter((g) => !s.groups.has(g.groupId)).map((g) => g.groupId);
    await Promise.all(mine.map(({ groupId, storeId }) => this.index(groupId, storeId, s)));
    if (!tell || fresh.length === 0) return;
    const views = await this.chat.store.read(async (r) => {
      const out: Array<{ group: Group; storeName: string; me: GroupMembership | null }> = [];
      for (const id of fresh) {
        const group = await r.groups.getGroup(id);
        if (group) out.push({ group, storeName: (await r.getStore(group.storeId))?.name ?? '', me: await r.groups.getMembership(id, s.memberId) });
      }
      return out;
    });
    for (const v of views) this.sendViews(v.group, v.storeName, new Map([[s.memberId, v.me]]), [s]);
  }

  /** A member joined a group through this node: their sockets here and on every other node follow it. */
  memberJoined(memberId: string): void {
    this.resyncMember(memberId);
    this.opts.bus.publishControl({ origin: this.opts.nodeId, kind: 'member.groups', memberId });
  }

  private resyncMember(memberId: string): void {
    for (const s of this.socketsOf(memberId))
      this.syncGroups(s, true).catch((err: unknown) => this.opts.log(`member groups: ${(err as Error).message}`));
  }

  private socketsOf(memberId: string): MemberSocket[] {
    const suffix = `\u0000${memberId}`;
    const out: MemberSocket[] = [];
    for (const [k, set] of this.byMember) if (k.endsWith(suffix)) out.push(...set);
    return out;
  }

  /** The socket gets the group's frames from now on; it follows the group's store while it is open. */
  private index(groupId: string, storeId: string, s: MemberSocket): Promise<void> {
    if (s.dropped) return Promise.resolve();
    s.groups.set(groupId, storeId);
    let set = this.byGroup.get(groupId);
    if (!set) this.byGroup.set(groupId, (set = new Set()));
    set.add(s);
    if (s.groupStores.has(storeId)) return Promise.resolve();
    s.groupStores.add(storeId);
    return this.follow(storeId);
  }

  private unindex(groupId: string, s: MemberSocket): void {
    const set = this.byGroup.get(groupId);
    if (set?.delete(s) && set.size === 0) this.byGroup.delete(groupId);
  }

  /** Subscribes this node to the store's events and member signals while it has members of it. */
  private follow(storeId: string): Promise<void> {
    let entry = this.stores.get(storeId);
    if (!entry) {
      const e = {
        members: 0,
        stopFeed: null as Unsubscribe | null,
        stopSignals: this.opts.bus.onSignal(storeId, (sig) => {
          if (sig.origin === this.opts.nodeId || sig.to !== 'members') return;
          const targets = sig.memberId ? [this.byMember.get(key(storeId, sig.memberId)) ?? new Set<MemberSocket>()] : this.storeSockets(storeId);
          for (const set of targets) for (const m of set) m.sendText(sig.text);
        }),
        ready: Promise.resolve(),
      };
      e.ready = this.opts.feeds
        .listen(storeId, { events: (events) => events.forEach((ev) => this.publish(ev)), reset: () => undefined })
        .then((stop) => {
          if (this.stores.get(storeId) === e) e.stopFeed = stop;
          else stop();
        });
      // Unreachable database: the members waiting on it get an error; the next one tries afresh.
      e.ready.catch(() => {
        if (this.stores.get(storeId) === e) this.stores.delete(storeId);
        e.stopSignals();
      });
      this.stores.set(storeId, (entry = e));
    }
    entry.members++;
    return entry.ready;
  }

  private unfollow(storeId: string): void {
    const entry = this.stores.get(storeId);
    if (!entry || --entry.members > 0) return;
    this.stores.delete(storeId);
    entry.stopFeed?.();
    entry.stopSignals();
  }

  private storeSockets(storeId: string): Set<MemberSocket>[] {
    const prefix = `${storeId}\u0000`;
    return [...this.byMember].filter(([k]) => k.startsWith(prefix)).map(([, set]) => set);
  }

  private presence(storeId: string, memberId: string, online: boolean): void {
    const channel = membersChannel(storeId);
    const change = online ? this.opts.presence.add(channel, memberId, this.opts.presenceTtlMs) : this.opts.presence.remove(channel, memberId);
    change.catch((err: unknown) => this.opts.log(`presence: ${(err as Error).message}`));
    this.opts.toDesks(storeId, { t: 'signal', kind: 'presence', memberId, data: { online } });
  }

  private refreshPresence(): void {
    for (const k of this.byMember.keys()) {
      const [storeId, memberId] = k.split('\u0000') as [string, string];
      this.opts.presence.add(membersChannel(storeId), memberId, this.opts.presenceTtlMs).catch((err: unknown) => this.opts.log(`presence: ${(err as Error).message}`));
    }
  }

  /** Members of the store with an open chat on any node, for a desk that asks (`signal presence` without memberId). */
  async onlineMembers(storeId: string): Promise<string[]> {
    return this.opts.presence.list(membersChannel(storeId));
  }

  /** A desk's typing signal about a member: tell that member, on whichever node they are. */
  deskTyping(storeId: string, memberId: string, on: boolean, by: string): void {
    const text = JSON.stringify({ t: 'typing', on, by } satisfies HqToMember);
    for (const s of this.byMember.get(key(storeId, memberId)) ?? []) s.sendText(text);
    this.opts.bus.publishSignal({ origin: this.opts.nodeId, storeId, to: 'members', memberId, text });
  }

  /** Desks of a store came or went (here or on another node): tell its members here whether someone is there. */
  storeOnlineChanged(storeId: string): void {
    const sets = this.storeSockets(storeId);
    if (sets.length === 0) return;
    this.opts.storeOnline(storeId).then(
      (storeOnline) => {
        for (const set of this.storeSockets(storeId)) for (const s of set) s.send({ t: 'presence', storeOnline });
      },
      (err: unknown) => this.opts.log(`presence: ${(err as Error).message}`),
    );
  }

  /** A committed event of a followed store; chat events reach the member they concern, group events the group's members here. */
  publish(ev: StoredEvent): void {
    if (this.byMember.size === 0) return;
    if (ev.type.startsWith('group.')) {
      this.groupQueue = this.groupQueue.then(() => this.publishGroup(ev)).catch((err: unknown) => this.opts.log(`member groups: ${(err as Error).stack ?? String(err)}`));
      return;
    }
    if (!ev.type.startsWith('chat.')) return;
    const data = JSON.parse(ev.data) as { message?: Message; memberId?: string; receipts?: Receipts };
    const memberId = data.message?.memberId ?? data.memberId;
    if (!memberId) return;
    const set = this.byMember.get(key(ev.storeId, memberId));
    if (!set) return;
    let frame: HqToMember | null = null;
    if (ev.type === 'chat.message' && data.message && data.receipts) frame = { t: 'message', message: data.message, receipts: data.receipts };
    else if (ev.type === 'chat.receipt' && data.receipts) frame = { t: 'receipt', receipts: data.receipts };
    else if (ev.type === 'chat.recalled' && data.message) frame = { t: 'recalled', message: data.message };
    if (frame) for (const s of set) s.send(frame);
  }

  private async publishGroup(ev: StoredEvent): Promise<void> {
    switch (ev.type) {
      case 'group.message':
      case 'group.messageChanged': {
        const m = (JSON.parse(ev.data) as { message: GroupMessage }).message;
        if (!this.byGroup.has(m.groupId)) return;
        // Who an announcement was pushed to: one read per announcement on this node.
        const pushed = ev.type === 'group.message' && m.kind === 'announcement' ? await this.groups.pushedTo(m.id) : null;
        // Each variant encoded and framed once for every member here who gets it (wireFrame.ts).
        const frames = new Map<string, SharedFrame>();
        for (const s of this.byGroup.get(m.groupId) ?? []) {
          const mine = m.memberId !== null && m.memberId === s.memberId;
          const forMe = m.forMemberId !== null && m.forMemberId === s.memberId;
          const push = pushed?.has(s.memberId) ?? false;
          const variant = `${+mine}${+forMe}${+push}`;
          let shared = frames.get(variant);
          if (shared === undefined) {
            // The view of the sender (or the asker) for them; everyone else's without a viewer.
            const message = toMemberMessage(m, mine || forMe ? s.memberId : null);
            const frame: HqToMember =
              ev.type === 'group.message' ? { t: 'group.message', groupId: m.groupId, message, push } : { t: 'group.messageChanged', groupId: m.groupId, message };
            frames.set(variant, (shared = textWireFrame([JSON.stringify(frame)])));
          }
          s.sendShared(shared);
        }
        return;
      }
      case 'group.updated': {
        const group = (JSON.parse(ev.data) as { group: Group }).group;
        const sockets = this.byGroup.get(group.id);
        if (!sockets) return;
        const members = new Set([...sockets].map((s) => s.memberId));
        const { storeName, mine } = await this.chat.store.read(async (r) => {
          const all = await r.groups.memberships(group.id, ['active'], GROUP_VIEW_PAGE);
          const mine = new Map(all.filter((m) => members.has(m.memberId)).map((m) => [m.memberId, m]));
          for (const id of members) if (!mine.has(id)) mine.set(id, (await r.groups.getMembership(group.id, id))!);
          return { storeName: (await r.getStore(group.storeId))?.name ?? '', mine };
        });
        this.sendViews(group, storeName, mine, [...(this.byGroup.get(group.id) ?? [])]);
        if (group.closedAt !== null) this.drop(group.id, [...(this.byGroup.get(group.id) ?? [])], 'closed');
        return;
      }
      case 'group.membership': {
        const { membership } = JSON.parse(ev.data) as { membership: GroupMembership };
        const sockets = this.socketsOf(membership.memberId);
        if (sockets.length === 0) return;
        if (membership.status !== 'active') return this.drop(membership.groupId, sockets, membership.status);
        // Joined (here or elsewhere), muted or unmuted: index the sockets and send the member their view.
        // (Not awaited: the store's feed is the one delivering this event, so it is open already.)
        for (const s of sockets) this.index(membership.groupId, ev.storeId, s).catch(() => undefined);
        const { group, storeName } = await this.chat.store.read(async (r) => {
          const group = await r.groups.getGroup(membership.groupId);
          return { group, storeName: group ? ((await r.getStore(group.storeId))?.name ?? '') : '' };
        });
        if (group) this.sendViews(group, storeName, new Map([[membership.memberId, membership]]), sockets);
        return;
      }
    }
  }

  /**
   * `group.updated` to these sockets: the group's part serialised once, each member's own `me`
   * (nickname, read position, mute) spliced in where the placeholder was.
   */
  private sendViews(group: Group, storeName: string, memberships: Map<string, GroupMembership | null>, sockets: MemberSocket[]): void {
    const placeholder = '\u0000me\u0000';
    const text = JSON.stringify({ t: 'group.updated', group: { ...toMemberView(group, storeName, null), me: placeholder } });
    const [head, tail] = text.split(JSON.stringify(placeholder)) as [string, string];
    const mes = new Map<string, string>();
    for (const s of sockets) {
      if (!s.groups.has(group.id)) continue;
      let me = mes.get(s.memberId);
      if (me === undefined) mes.set(s.memberId, (me = JSON.stringify(toMemberView(group, storeName, memberships.get(s.memberId) ?? null).me)));
      s.sendText(head + me + tail);
    }
  }

  /** The member left or was removed, or the group closed: these sockets stop getting its frames. */
  private drop(groupId: string, sockets: MemberSocket[], reason: 'left' | 'removed' | 'closed'): void {
    const text = JSON.stringify({ t: 'group.gone', groupId, reason } satisfies HqToMember);
    for (const s of sockets) {
      if (!s.groups.delete(groupId)) continue;
      this.unindex(groupId, s);
      s.sendText(text);
    }
  }

  private heartbeat(): void {
    for (const set of this.byMember.values()) {
      for (const s of set) {
        if (!s.alive) {
          s.ws.terminate();
          continue;
        }
        s.alive = false;
        try {
          s.ws.ping();
        } catch {
          /* closing */
        }
      }
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.stopControl();
    for (const entry of this.stores.values()) {
      entry.stopFeed?.();
      entry.stopSignals();
    }
    this.stores.clear();
    for (const c of this.wss.clients) c.close(MemberClose.goingAway, 'HQ is shutting down');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        for (const c of this.wss.clients) c.terminate();
        resolve();
      }, 500);
      if (this.wss.clients.size === 0) {
        clearTimeout(t);
        resolve();
      }
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
