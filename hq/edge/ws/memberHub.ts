// Members' WebSockets (GET /v1/member/socket): the live side of the member API. The first frame
// authenticates (`hello {v, token}`; a browser cannot set an Authorization header on a WebSocket);
// after `welcome`, the member gets their conversation's messages, receipts and recalls as HQ commits
// them (from the store's event log, so a member sees exactly what the desks see), the store's
// typing, and whether any desk of the store is online. Typing and presence are never stored.
//
// Across nodes: a member's events come from this node's feed of the store (whichever node
// committed them), typing crosses nodes as bus signals, and "who is online" is presence with a TTL.
// A member's frames are handled one after another, in the order they came.
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Message, type Receipts } from '../../../shared/domain.ts';
import { parseFrame, type SignalFrame } from '../../../shared/protocol.ts';
import { type StoredEvent } from '../../ports/store.ts';
import { type Bus, type Unsubscribe } from '../../ports/bus.ts';
import { type Presence } from '../../ports/presence.ts';
import { type StoreFeeds } from '../storeFeeds.ts';
import { type MemberAuth } from '../../app/chat/memberAuth.ts';
import { type HqToMember, MAX_MEMBER_FRAME_BYTES, MEMBER_PROTOCOL_VERSION, MEMBER_SEND_BUFFER_MAX, MemberClose, MemberToHq } from './memberProtocol.ts';
import { ChatError, type ChatService } from '../../app/chat/service.ts';
import { closeSocket } from './closeSocket.ts';

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

const key = (storeId: string, memberId: string) => `${storeId}\u0000${memberId}`;

class MemberSocket {
  storeId = '';
  memberId = '';
  authed = false;
  alive = true;
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

  sendText(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // A member who stopped reading must not grow HQ's memory: drop them, they reconnect and reload.
    if (this.ws.bufferedAmount > MEMBER_SEND_BUFFER_MAX) return this.close(4004, 'slow consumer');
    this.ws.send(text);
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
        const { receipts, lastN } = await this.hub.chat.conversationState(session.storeId, session.memberId);
        const storeOnline = await this.hub.opts.storeOnline(session.storeId);
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

  constructor(
    readonly chat: ChatService,
    readonly auth: MemberAuth,
    readonly opts: MemberHubOptions,
  ) {
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
    if (!s.authed) return;
    const k = key(s.storeId, s.memberId);
    const set = this.byMember.get(k);
    if (!set?.delete(s)) return;
    if (set.size === 0) {
      this.byMember.delete(k);
      this.presence(s.storeId, s.memberId, false);
    }
    this.unfollow(s.storeId);
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

  /** A committed event of a followed store; chat events reach the member they concern. */
  publish(ev: StoredEvent): void {
    if (!ev.type.startsWith('chat.') || this.byMember.size === 0) return;
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
