// The desks connected to this node, grouped by store: live fan-out from the store feeds (each event
// serialized once per node), signal relay across nodes, heartbeats, periodic head frames, epoch
// resets, the one-link-per-device rule across nodes, and the upgrade-time token check.
//
// Nothing here is the truth: a desk's position is its own, the log is the store's. What this node
// knows about other nodes' desks comes from the bus (control messages, signals) and presence.
import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { CloseCode, MAX_FRAME_BYTES, type SignalFrame } from '../../../shared/protocol.ts';
import { bearerToken, deviceAndStoreForToken } from '../../app/devices.ts';
import { type EventLog, evFrameParts } from '../../app/eventLog.ts';
import { type Bus, type Control, type Unsubscribe } from '../../ports/bus.ts';
import { type Presence } from '../../ports/presence.ts';
import { type HqStore, StoreUnavailable, type StoredEvent } from '../../ports/store.ts';
import { newEpoch } from '../../app/tokens.ts';
import { type StoreFeeds } from '../storeFeeds.ts';
import { AckBuckets, type PendingAck } from './ackBuckets.ts';
import { DeskSocket } from './deskSocket.ts';
import { SpreadSweep } from './spreadSweep.ts';
import { textWireFrame } from './wireFrame.ts';

/** What the chat side of HQ needs to hear from the desk sockets. */
export interface DeskChatHooks {
  applyDeskCommand: import('../../app/chat/service.ts').ChatService['applyDeskCommand'];
  onDeskAck(storeId: string, seq: number): Promise<void>;
  /** The store's events this node's feed delivered to its desks (consecutive, in seq order). */
  noteEvents(storeId: string, events: readonly StoredEvent[]): void;
  /** A desk's typing/presence signal (after the desk-to-desk relay). */
  onDeskSignal(from: DeskSocket, frame: SignalFrame): void;
  /** A desk of the store connected or went away, on this node or another. */
  onDesksChanged(storeId: string): void;
  /** Upgrades on paths other than /v1/desk (the member socket); false = not ours. */
  onOtherUpgrade(path: string, req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export interface HubOptions {
  heartbeatMs: number;
  headEveryMs: number;
  /** A socket without `hello` this long after the upgrade is closed with 4003. */
  helloTimeoutMs: number;
  slowConsumerBytes: number;
  slowConsumerMs: number;
  maxFramesPerSecond: number;
  /** Frames a desk may send at once above the sustained rate (an outbox flush). */
  maxFrameBurst: number;
  /** How long a desk stays listed in presence without a refresh (a dead node's desks expire). */
  presenceTtlMs: number;
  /** Within how long a desk's newest ack is written to `devices.acked_seq` (spread over it); see `pendingAcks`. */
  ackWriteMs: number;
}

/** Buckets the desks' acks are written in, one after another over `ackWriteMs` (ackBuckets.ts). */
export const ACK_BUCKETS = 60;
/** Acks written per transaction of a flush (see flushAcks). */
const ACK_FLUSH_SLICE = 500;
/** How often a slice of the heartbeat and head sweeps runs. */
const SWEEP_TICK_MS = 100;

export const desksChannel = (storeId: string) => `desks.${storeId}`;

/** The desks of one store on this node, and what connects them to the store's feed and signals. */
interface StoreDesks {
  desks: Set<DeskSocket>;
  stopFeed: Unsubscribe | null;
  stopSignals: Unsubscribe;
  ready: Promise<void>;
}

export class DeskHub {
  private readonly byStore = new Map<string, StoreDesks>();
  private readonly byDevice = new Map<string, DeskSocket>();
  private readonly wss: WebSocketServer;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopControl: Unsubscribe;
  chat: DeskChatHooks | null = null;
  /**
   * Desks' newest acks not yet written: one bucket of them every `ackWriteMs / ACK_BUCKETS`, so
   * each device's row within `ackWriteMs` of its ack — a desk that left this node at the next
   * write, before it can ack again elsewhere — and all of them at close. One autocommit
   * UPDATE per ack was 17% of HQ's CPU under the capacity bench (desks acked every second then).
   * `acked_seq` is informational (`hq:admin devices`; a desk resumes from its own position, and
   * chat receipts move as the ack comes, not from here), so it may lag by `ackWriteMs` and a crash
   * loses at most that. The default is a minute: a desk acks about every 10 s while events come,
   * so writing every desk's newest ack each second still wrote each row every 10 s — 1,000 row
   * updates a second at 10,000 desks, 18.6 µs of a PostgreSQL backend each (docs/benchmarks.md,
   * round 35) — where a minute writes each row once, with its newest ack, in 60 small writes.
   */
  private readonly pendingAcks = new AckBuckets(ACK_BUCKETS);
  private flushing: Promise<void> = Promise.resolve();
  private readonly sweeps: SpreadSweep<DeskSocket>[] = [];
  /** Each store's head frame, serialised once per slice of the head sweep (the feeds' position then). */
  private readonly heads = new Map<string, Buffer>();
  /** Identical replay reads in flight (a reconnect storm: many desks resuming from one seq) share one query. */
  private readonly reads = new Map<string, Promise<StoredEvent[]>>();

  constructor(
    readonly store: HqStore,
    readonly eventLog: EventLog,
    readonly feeds: StoreFeeds,
    readonly bus: Bus,
    readonly presence: Presence,
    readonly nodeId: string,
    readonly opts: HubOptions,
    readonly log: (line: string) => void,
  ) {
    // maxPayload makes ws close an oversize frame with 1009 before we ever buffer it.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    // Pings, head frames and presence refreshes are spread over their periods in slices
    // (spreadSweep.ts): one loop over 10,000 desks held the event loop for up to half a second.
    const desks = { items: () => this.byDevice.values() };
    this.sweeps.push(new SpreadSweep({ ...desks, periodMs: opts.heartbeatMs, tickMs: SWEEP_TICK_MS, visit: (d) => this.heartbeat(d) }));
    this.sweeps.push(
      new SpreadSweep({ ...desks, periodMs: opts.headEveryMs, tickMs: SWEEP_TICK_MS, visit: (d) => this.sendHead(d), beforeSlice: () => this.heads.clear() }),
    );
    // Presence: 5,000 desks refreshed in one burst every 10 s timed the presence store out.
    const period = Math.max(250, Math.floor(opts.presenceTtlMs / 3));
    this.sweeps.push(new SpreadSweep({ ...desks, periodMs: period, tickMs: Math.min(period, 500), visit: (d) => this.refreshPresence(d) }));
    this.timers.push(setInterval(() => void this.flushAcks(this.pendingAcks.takeNext()), Math.max(10, opts.ackWriteMs / ACK_BUCKETS)));
    this.stopControl = bus.onControl((c) => this.onControl(c));
  }

  /** A desk acked `seq`: remembered now, written when its bucket comes round. */
  recordAck(deviceId: string, seq: number): void {
    this.pendingAcks.set(deviceId, seq);
  }

  /**
   * Writes `acks` (taken from the buckets), one flush at a time: a flush that outlasts the
   * interval (a slow database) is not overtaken by the next; acks arriving meanwhile wait in their
   * buckets.
   */
  private flushAcks(acks: readonly PendingAck[]): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (acks.length === 0) return;
      // In slices, each its own short transaction with a turn of the event loop between: on SQLite
      // a transaction is synchronous, and 10,000 UPDATEs at once held the loop for tens of ms every
      // second — the 500 arrivals/s p99 waited behind it. (A bucket holds ~1/60 of the desks; the
      // take at close holds them all.)
      for (let i = 0; i < acks.length; i += ACK_FLUSH_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        try {
          await this.store.withTx((tx) => tx.recordAcks(acks.slice(i, i + ACK_FLUSH_SLICE)));
        } catch (err) {
          this.log(`acks not recorded: ${(err as Error).message}`);
          return;
        }
      }
    });
    return this.flushing;
  }

  /** Events after `afterSeq` for a replaying desk; identical concurrent reads are merged. */
  readEvents(storeId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const key = `${storeId}\u0000${afterSeq}\u0000${limit}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.store.read((r) => r.readEvents(storeId, afterSeq, limit)).finally(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      this.onUpgrade(req, socket, head).catch((err: unknown) => {
        this.log(`upgrade: ${(err as Error).message}`);
        if (err instanceof StoreUnavailable) refuse(socket, 503, 'Service Unavailable', { 'Retry-After': String(err.retryAfterSeconds) });
        else refuse(socket, 500, 'Internal Server Error');
      });
    });
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined); // a client that vanishes mid-handshake is not our crash
    const path = new URL(req.url ?? '/', 'http://hq').pathname;
    if (path !== '/v1/desk') {
      if (this.chat?.onOtherUpgrade(path, req, socket, head)) return;
      return refuse(socket, 404, 'Not Found');
    }
    const found = await deviceAndStoreForToken(this.store, bearerToken(req.headers.authorization));
    if (!found) return refuse(socket, 401, 'Unauthorized');
    const { device, store } = found;
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const desk = new DeskSocket(ws, device, store.name, this, randomUUID(), Date.now());
      // One link per device: the newer connection wins, the older one is told why — here at once,
      // on other nodes through the control bus.
      this.byDevice.get(device.id)?.close(CloseCode.replaced, 'replaced by a newer connection of this device');
      this.byDevice.set(device.id, desk);
      this.bus.publishControl({ origin: this.nodeId, kind: 'device.connected', deviceId: device.id, storeId: device.storeId, connId: desk.connId, at: desk.connectedAt });
      this.joinStore(desk);
    });
  }

  /** Registers the desk with its store's group, opening the store's feed and signals on first use. */
  private joinStore(desk: DeskSocket): void {
    const storeId = desk.storeId;
    let group = this.byStore.get(storeId);
    if (!group) {
      const g: StoreDesks = {
        desks: new Set(),
        stopFeed: null,
        stopSignals: this.bus.onSignal(storeId, (s) => {
          if (s.origin === this.nodeId || s.to !== 'desks') return;
          for (const d of g.desks) if (d.isLive && d.device.id !== s.exceptDeviceId) d.sendText(s.text);
        }),
        ready: Promise.resolve(),
      };
      g.ready = this.feeds
        .listen(storeId, {
          events: (events) => this.deliver(storeId, g, events),
          reset: (epoch, head) => {
            for (const d of g.desks) d.resetTo(epoch, head);
          },
        })
        .then((stop) => {
          if (this.byStore.get(storeId) === g) g.stopFeed = stop;
          else stop();
        });
      // The feed could not learn its position (the database is unreachable): this group is
      // dropped, so the next desk of the store tries afresh; its desks fail their hello and
      // reconnect (DeskSocket.onHello awaits storeReady).
      g.ready.catch((err: unknown) => {
        this.log(`store ${storeId}: cannot follow its log: ${(err as Error).message}`);
        if (this.byStore.get(storeId) === g) this.byStore.delete(storeId);
        g.stopSignals();
      });
      this.byStore.set(storeId, (group = g));
    }
    group.desks.add(desk);
    desk.storeReady = group.ready;
    void this.presence.add(desksChannel(storeId), desk.device.id, this.opts.presenceTtlMs).then(
      () => this.desksChanged(storeId),
      (err: unknown) => this.log(`presence: ${(err as Error).message}`),
    );
  }

  /** A store's committed events, each serialized once for all of this node's desks of the store, written to each desk together. */
  private deliver(storeId: string, group: StoreDesks, events: readonly StoredEvent[]): void {
    if (group.desks.size === 0) return;
    this.chat?.noteEvents(storeId, events);
    // Encoded and framed once for all of them (wireFrame.ts).
    const frames = events.map((ev) => {
      const { payload, wire } = textWireFrame(evFrameParts(ev));
      return { seq: ev.seq, frame: payload, wire };
    });
    for (const desk of group.desks) desk.deliverLiveBatch(frames);
  }

  remove(desk: DeskSocket): void {
    const group = this.byStore.get(desk.storeId);
    group?.desks.delete(desk);
    if (group && group.desks.size === 0) {
      this.byStore.delete(desk.storeId);
      group.stopFeed?.();
      group.stopSignals();
    }
    if (this.byDevice.get(desk.device.id) === desk) {
      this.byDevice.delete(desk.device.id);
      this.pendingAcks.expedite(desk.device.id); // written within a second, not a minute (ackBuckets.ts)
      void this.presence.remove(desksChannel(desk.storeId), desk.device.id).then(
        () => this.desksChanged(desk.storeId),
        (err: unknown) => this.log(`presence: ${(err as Error).message}`),
      );
    }
  }

  private desksChanged(storeId: string): void {
    this.chat?.onDesksChanged(storeId);
    this.bus.publishControl({ origin: this.nodeId, kind: 'presence.changed', storeId, what: 'desks' });
  }

  /** An ephemeral signal to every live desk of a store, on every node (member typing/presence). */
  signalStore(storeId: string, frame: SignalFrame): void {
    const text = JSON.stringify(frame);
    for (const desk of this.byStore.get(storeId)?.desks ?? []) if (desk.isLive) desk.sendText(text);
    this.bus.publishSignal({ origin: this.nodeId, storeId, to: 'desks', text });
  }

  relaySignal(from: DeskSocket, frame: SignalFrame): void {
    const text = JSON.stringify(frame);
    for (const desk of this.byStore.get(from.storeId)?.desks ?? []) {
      if (desk !== from && desk.isLive) desk.sendText(text);
    }
    this.bus.publishSignal({ origin: this.nodeId, storeId: from.storeId, to: 'desks', exceptDeviceId: from.device.id, text });
    this.chat?.onDeskSignal(from, frame);
  }

  /** A new epoch for the store: every node's desks of the store get `reset`. */
  async rotateEpoch(storeId: string): Promise<string> {
    const epoch = newEpoch();
    const store = await this.store.withTx(async (tx) => {
      await tx.rotateEpoch(storeId, epoch);
      return tx.getStore(storeId);
    });
    if (!store) throw new Error(`unknown store ${storeId}`);
    this.feeds.epochChanged(storeId, store.epoch, store.head);
    this.bus.publishControl({ origin: this.nodeId, kind: 'epoch.rotated', storeId, epoch: store.epoch, head: store.head });
    return epoch;
  }

  /** Devices of the store connected to this node. */
  connectedDevices(storeId: string): string[] {
    return [...(this.byStore.get(storeId)?.desks ?? [])].map((d) => d.device.id);
  }

  /** Closes (4001) this node's socket of a revoked device. */
  dropDevice(deviceId: string): boolean {
    const desk = this.byDevice.get(deviceId);
    if (!desk) return false;
    desk.close(CloseCode.unauthorized, 'device revoked');
    return true;
  }

  private onControl(c: Control): void {
    if (c.origin === this.nodeId) return;
    switch (c.kind) {
      case 'device.connected': {
        // The same device opened a newer socket on another node: this one is the older.
        const desk = this.byDevice.get(c.deviceId);
        if (desk && (desk.connectedAt < c.at || (desk.connectedAt === c.at && desk.connId < c.connId))) {
          desk.close(CloseCode.replaced, 'replaced by a newer connection of this device');
        }
        return;
      }
      case 'device.revoked':
        this.dropDevice(c.deviceId);
        return;
      case 'epoch.rotated':
        this.feeds.epochChanged(c.storeId, c.epoch, c.head);
        return;
      case 'presence.changed':
        if (c.what === 'desks') this.chat?.onDesksChanged(c.storeId);
        return;
      case 'catalog.changed':
        return;
    }
  }

  /** Refreshes one desk's presence entry (its TTL is three presence periods). */
  private refreshPresence(desk: DeskSocket): void {
    if (this.byDevice.get(desk.device.id) !== desk) return; // gone (or replaced) since the round began
    this.presence.add(desksChannel(desk.storeId), desk.device.id, this.opts.presenceTtlMs).catch((err: unknown) => this.log(`presence: ${(err as Error).message}`));
  }

  /** Pings one desk; one that did not answer the previous ping (a period ago) is closed. */
  private heartbeat(desk: DeskSocket): void {
    if (this.byDevice.get(desk.device.id) !== desk) return;
    if (!desk.alive) {
      desk.close(CloseCode.heartbeatTimeout, 'no pong within the heartbeat window');
      return;
    }
    desk.alive = false;
    try {
      desk.ws.ping();
    } catch {
      /* socket already closing */
    }
  }

  /**
   * The node's position in the desk's store's log (kept by the feeds; no query), to a live desk
   * this socket has not sent every event up to it. A head frame is how a desk notices that it lags
   * where nothing else would tell it: the node knows of an event it did not send (a listener that
   * failed, a delivery that did not go out) and the store then goes quiet. It never tells a desk of
   * more than the node's own position, so a desk that was sent everything up to it on this open
   * socket (frames arrive in order, or the socket closes and the desk resumes) learns nothing from
   * one, acked or not: under traffic every desk was a head behind its ack, ~1,000 frames a second
   * at 10,000 desks that only said what the events had (docs/benchmarks.md, round 34). Pings keep
   * the link's silence timer.
   */
  private sendHead(desk: DeskSocket): void {
    if (this.byDevice.get(desk.device.id) !== desk || !desk.isLive) return;
    const pos = this.feeds.position(desk.storeId);
    if (!pos || desk.sent >= pos.head) return;
    let text = this.heads.get(desk.storeId);
    if (text === undefined) {
      text = Buffer.from(JSON.stringify({ t: 'head', epoch: pos.epoch, seq: pos.head }));
      this.heads.set(desk.storeId, text);
    }
    desk.sendText(text);
  }

  /** Stops timers and closes every desk with 1001 (going away), waiting briefly for the handshakes. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const sweep of this.sweeps) sweep.stop();
    this.stopControl();
    const all = [...this.byStore.values()].flatMap((g) => [...g.desks]);
    await Promise.all(
      all.map(
        (desk) =>
          new Promise<void>((resolve) => {
            if (desk.ws.readyState === desk.ws.CLOSED) return resolve();
            const timer = setTimeout(() => {
              desk.ws.terminate();
              resolve();
            }, 1000);
            desk.ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            desk.close(CloseCode.goingAway, 'HQ is shutting down');
          }),
      ),
    );
    await this.flushAcks(this.pendingAcks.takeAll()); // after the desks are gone, so a last ack is not lost
    this.wss.close();
  }
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code: text.toLowerCase().replace(/ /g, '_'), message: text } });
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  );
}
