// Members' WebSockets (GET /v1/member/socket): the live side of the member API. The first frame
// authenticates (`hello {v, token}`; a browser cannot set an Authorization header on a WebSocket);
// after `welcome`, the member gets their conversation's messages, receipts and recalls as HQ commits
// them (from the store's event log, so a member sees exactly what the desks see), the store's
// typing, and whether any desk of the store is online. Typing and presence are never stored.
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Message, type Receipts } from '../../../shared/domain.ts';
import { parseFrame, type SignalFrame } from '../../../shared/protocol.ts';
import { type StoredEvent } from '../../ports/store.ts';
import { type MemberAuth } from '../../app/chat/memberAuth.ts';
import { type HqToMember, MAX_MEMBER_FRAME_BYTES, MEMBER_PROTOCOL_VERSION, MemberClose, MemberToHq } from './memberProtocol.ts';
import { ChatError, type ChatService } from '../../app/chat/service.ts';

export interface MemberHubOptions {
  heartbeatMs: number;
  maxFramesPerSecond: number;
  /** Send an ephemeral signal to every live desk of a store. */
  toDesks(storeId: string, frame: SignalFrame): void;
  /** Whether any desk of the store is connected. */
  storeOnline(storeId: string): boolean;
  log(line: string): void;
}

const key = (storeId: string, memberId: string) => `${storeId}\u0000${memberId}`;

class MemberSocket {
  storeId = '';
  memberId = '';
  authed = false;
  alive = true;
  private windowStart = 0;
  private frames = 0;

  constructor(
    readonly ws: WebSocket,
    private readonly hub: MemberHub,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => hub.remove(this));
    ws.on('error', () => undefined);
    // No hello within 10 s: not a member client.
    setTimeout(() => {
      if (!this.authed) this.close(MemberClose.protocolViolation, 'hello expected');
    }, 10_000).unref();
  }

  send(frame: HqToMember): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // A member who stopped reading must not grow HQ's memory: drop them, they reconnect and reload.
    if (this.ws.bufferedAmount > 1024 * 1024) return this.close(4004, 'slow consumer');
    this.ws.send(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 2000).unref();
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
    try {
      if (!this.authed) {
        if (f.t !== 'hello') return this.fail('protocol_violation', 'the first frame must be hello', MemberClose.protocolViolation);
        if (f.v !== MEMBER_PROTOCOL_VERSION) return this.fail('unsupported_version', `HQ speaks member protocol v${MEMBER_PROTOCOL_VERSION}`, MemberClose.protocolViolation);
        const session = this.hub.auth.session(f.token);
        if (!session) return this.fail('unauthorized', 'unknown or expired member token', MemberClose.unauthorized);
        this.authed = true;
        this.storeId = session.storeId;
        this.memberId = session.memberId;
        const receipts = this.hub.chat.receipts(session.storeId, session.memberId);
        const conv = this.hub.chat.storage.chat.getConversation(session.storeId, session.memberId);
        this.send({
          t: 'welcome',
          memberId: session.memberId,
          memberName: session.memberName,
          storeId: session.storeId,
          storeName: session.storeName,
          receipts,
          lastN: conv?.lastN ?? 0,
          storeOnline: this.hub.opts.storeOnline(session.storeId),
        });
        this.hub.add(this);
        return;
      }
      switch (f.t) {
        case 'hello':
          return this.fail('protocol_violation', 'hello was already received', MemberClose.protocolViolation);
        case 'send':
          try {
            const r = this.hub.chat.sendFromMember(this.storeId, this.memberId, f.message);
            this.send({ t: 'sendAck', clientId: f.message.clientId, status: r.duplicate ? 'duplicate' : 'ok', message: r.message });
          } catch (err) {
            if (!(err instanceof ChatError)) throw err;
            this.send({ t: 'sendAck', clientId: f.message.clientId, status: 'rejected', error: { code: err.code, message: err.message } });
          }
          return;
        case 'receipt':
          this.hub.chat.memberReceipt(this.storeId, this.memberId, { delivered: f.delivered, read: f.read });
          return;
        case 'typing':
          this.hub.opts.toDesks(this.storeId, { t: 'signal', kind: 'typing', memberId: this.memberId, data: { on: f.on, from: 'member' } });
          return;
        case 'recall':
          try {
            this.hub.chat.recallByMember(this.storeId, this.memberId, f.messageId);
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
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly chat: ChatService,
    readonly auth: MemberAuth,
    readonly opts: MemberHubOptions,
  ) {
    this.timer = setInterval(() => this.heartbeat(), opts.heartbeatMs);
    this.timer.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => new MemberSocket(ws, this));
  }

  add(s: MemberSocket): void {
    const k = key(s.storeId, s.memberId);
    let set = this.byMember.get(k);
    if (!set) this.byMember.set(k, (set = new Set()));
    set.add(s);
    if (set.size === 1) this.presence(s.storeId, s.memberId, true);
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
  }

  private presence(storeId: string, memberId: string, online: boolean): void {
    this.opts.toDesks(storeId, { t: 'signal', kind: 'presence', memberId, data: { online } });
  }

  /** Members of the store with an open chat, for a desk that asks (`signal presence` without memberId). */
  onlineMembers(storeId: string): string[] {
    const prefix = `${storeId}\u0000`;
    return [...this.byMember.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /** A desk's typing signal about a member: tell that member. */
  deskTyping(storeId: string, memberId: string, on: boolean, by: string): void {
    for (const s of this.byMember.get(key(storeId, memberId)) ?? []) s.send({ t: 'typing', on, by });
  }

  /** Desks of a store came or went: tell its members whether someone is there. */
  storeOnlineChanged(storeId: string): void {
    const storeOnline = this.opts.storeOnline(storeId);
    const prefix = `${storeId}\u0000`;
    for (const [k, set] of this.byMember) if (k.startsWith(prefix)) for (const s of set) s.send({ t: 'presence', storeOnline });
  }

  /** Every committed event; chat events reach the member they concern. */
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
    clearInterval(this.timer);
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
