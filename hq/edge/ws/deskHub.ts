// All connected desks, grouped by store: live fan-out (each event serialized once), signal relay,
// heartbeats, periodic head frames, epoch rotation, and the upgrade-time token check.
import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, MAX_FRAME_BYTES, type SignalFrame } from '../../../shared/protocol.ts';
import { bearerToken, deviceForToken } from '../../app/devices.ts';
import { type EventLog, evFrameText } from '../../app/eventLog.ts';
import { type HqStorage, type StoredEvent } from '../../ports/store.ts';
import { newEpoch } from '../../app/tokens.ts';
import { DeskSocket } from './deskSocket.ts';

/** What the chat side of HQ (hq/chat/) needs to hear from the desk sockets. */
export interface DeskChatHooks {
  applyDeskCommand: import('../../app/chat/service.ts').ChatService['applyDeskCommand'];
  onDeskAck(storeId: string, seq: number): void;
  /** A desk's typing/presence signal (after the desk-to-desk relay). */
  onDeskSignal(from: DeskSocket, frame: SignalFrame): void;
  /** A desk of the store connected or went away. */
  onDesksChanged(storeId: string): void;
  /** Upgrades on paths other than /v1/desk (the member socket); false = not ours. */
  onOtherUpgrade(path: string, req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export interface HubOptions {
  heartbeatMs: number;
  headEveryMs: number;
  slowConsumerBytes: number;
  slowConsumerMs: number;
  maxFramesPerSecond: number;
  /** Frames a desk may send at once above the sustained rate (an outbox flush). */
  maxFrameBurst: number;
}

/** How often the desks' acks are written (one transaction for all of them). */
const ACK_FLUSH_MS = 1000;

export class DeskHub {
  private readonly byStore = new Map<string, Set<DeskSocket>>();
  private readonly byDevice = new Map<string, DeskSocket>();
  private readonly wss: WebSocketServer;
  private readonly timers: NodeJS.Timeout[] = [];
  eventLog!: EventLog;
  chat: DeskChatHooks | null = null;
  /**
   * Desks' acks not yet written (device id → newest acked seq). 10,000 desks ack about once a
   * second each; one autocommit UPDATE per ack was 17% of HQ's CPU under the capacity bench, so
   * they are written together, one transaction every ACK_FLUSH_MS and at close. `acked_seq` is
   * informational (`hq:admin devices`), so it may lag by that much; a crash loses at most that.
   */
  private readonly pendingAcks = new Map<string, number>();

  constructor(
    readonly storage: HqStorage,
    readonly opts: HubOptions,
    readonly log: (line: string) => void,
  ) {
    // maxPayload makes ws close an oversize frame with 1009 before we ever buffer it.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    this.timers.push(setInterval(() => this.heartbeat(), opts.heartbeatMs));
    this.timers.push(setInterval(() => this.sendHeads(), opts.headEveryMs));
    this.timers.push(setInterval(() => this.flushAcks(), ACK_FLUSH_MS));
  }

  /** A desk acked `seq`: remembered now, written with the others at the next flush. */
  recordAck(deviceId: string, seq: number): void {
    this.pendingAcks.set(deviceId, seq);
  }

  flushAcks(): void {
    if (this.pendingAcks.size === 0) return;
    const acks = [...this.pendingAcks];
    this.pendingAcks.clear();
    try {
      this.storage.transaction(() => {
        for (const [deviceId, seq] of acks) this.storage.recordAck(deviceId, seq);
      });
    } catch (err) {
      this.log(`acks not recorded: ${(err as Error).message}`);
    }
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a client that vanishes mid-handshake is not our crash
    const path = new URL(req.url ?? '/', 'http://hq').pathname;
    if (path !== '/v1/desk') {
      if (this.chat?.onOtherUpgrade(path, req, socket, head)) return;
      return refuse(socket, 404, 'Not Found');
    }
    let device;
    try {
      device = deviceForToken(this.storage, bearerToken(req.headers.authorization));
    } catch (err) {
      this.log(`upgrade: ${(err as Error).message}`);
      return refuse(socket, 500, 'Internal Server Error');
    }
    if (!device) return refuse(socket, 401, 'Unauthorized');
    const store = this.storage.getStore(device.storeId);
    if (!store) return refuse(socket, 401, 'Unauthorized');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const desk = new DeskSocket(ws, device, store.name, this);
      // One link per device: the newer connection wins, the older one is told why.
      this.byDevice.get(device.id)?.close(CloseCode.replaced, 'replaced by a newer connection of this device');
      this.byDevice.set(device.id, desk);
      let set = this.byStore.get(device.storeId);
      if (!set) this.byStore.set(device.storeId, (set = new Set()));
      set.add(desk);
      this.chat?.onDesksChanged(device.storeId);
    });
  }

  remove(desk: DeskSocket): void {
    this.byStore.get(desk.storeId)?.delete(desk);
    if (this.byDevice.get(desk.device.id) === desk) this.byDevice.delete(desk.device.id);
    this.chat?.onDesksChanged(desk.storeId);
  }

  /** An ephemeral signal to every live desk of a store (member typing/presence). */
  signalStore(storeId: string, frame: SignalFrame): void {
    const text = JSON.stringify(frame);
    for (const desk of this.byStore.get(storeId) ?? []) if (desk.isLive) desk.sendText(text);
  }

  /** Called after each commit, in seq order. */
  publish(ev: StoredEvent): void {
    const desks = this.byStore.get(ev.storeId);
    if (!desks || desks.size === 0) return;
    const text = evFrameText(ev);
    for (const desk of desks) desk.deliverLive(ev.seq, text);
  }

  relaySignal(from: DeskSocket, frame: SignalFrame): void {
    const text = JSON.stringify(frame);
    for (const desk of this.byStore.get(from.storeId) ?? []) {
      if (desk !== from && desk.isLive) desk.sendText(text);
    }
    this.chat?.onDeskSignal(from, frame);
  }

  rotateEpoch(storeId: string): string {
    const epoch = newEpoch();
    this.storage.rotateEpoch(storeId, epoch);
    const store = this.storage.getStore(storeId)!;
    for (const desk of this.byStore.get(storeId) ?? []) desk.resetTo(epoch, store.head);
    return epoch;
  }

  connectedDevices(storeId: string): string[] {
    return [...(this.byStore.get(storeId) ?? [])].map((d) => d.device.id);
  }

  /**
   * Closes (4001) every socket whose device was revoked or deleted since it connected. Revocation
   * is written to the database (`npm run hq:admin -- revoke --device X` works on the file, also
   * while HQ runs), so the server polls: one query per store with connected desks.
   */
  dropRevoked(): number {
    let dropped = 0;
    for (const [storeId, desks] of this.byStore) {
      if (desks.size === 0) continue;
      const live = new Set(this.storage.listDevices(storeId).filter((d) => d.revokedAt === null).map((d) => d.id));
      for (const desk of desks) {
        if (live.has(desk.device.id)) continue;
        desk.close(CloseCode.unauthorized, 'device revoked');
        dropped++;
      }
    }
    return dropped;
  }

  private heartbeat(): void {
    for (const desks of this.byStore.values()) {
      for (const desk of desks) {
        if (!desk.alive) {
          desk.close(CloseCode.heartbeatTimeout, 'no pong within the heartbeat window');
          continue;
        }
        desk.alive = false;
        try {
          desk.ws.ping();
        } catch {
          /* socket already closing */
        }
      }
    }
  }

  private sendHeads(): void {
    for (const [storeId, desks] of this.byStore) {
      if (desks.size === 0) continue;
      const store = this.storage.getStore(storeId);
      if (!store) continue;
      const text = JSON.stringify({ t: 'head', epoch: store.epoch, seq: store.head });
      for (const desk of desks) if (desk.isLive) desk.sendText(text);
    }
  }

  /** Stops timers and closes every desk with 1001 (going away), waiting briefly for the handshakes. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const all = [...this.byStore.values()].flatMap((s) => [...s]);
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
    this.flushAcks(); // after the desks are gone, so a last ack is not lost
    this.wss.close();
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: { code: text.toLowerCase().replace(/ /g, '_'), message: text } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
