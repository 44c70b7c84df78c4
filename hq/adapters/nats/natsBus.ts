// The bus port on core NATS (hq/ports/bus.ts): fire-and-forget subjects, no JetStream, because
// everything on the bus may be lost and the store repairs it.
//
// Subjects: `<prefix>.door.<store>`, `<prefix>.sig.<store>`, `<prefix>.room.<room>` (live rooms, 6/8)
// and `<prefix>.ctl`, the store or room id escaped into one token (tokens.ts). A node subscribes once per store however many handlers it has for
// that store, and drops the subscription with the last handler, so the server only sends a node the
// stores it has desks of.
//
// Payloads are JSON. Whatever arrives is checked field by field; a malformed message (another
// version, a stray publisher) is logged and dropped, never thrown into nats.js or a handler.
//
// While the connection is down, publishes are dropped rather than left to nats.js, which would
// buffer them without bound for as long as the outage lasts; a doorbell or signal delivered
// minutes late is worth nothing, and a node that missed one catches up from the store.

import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { headers, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  type Bus,
  type BusStatus,
  type Control,
  type Doorbell,
  type RoomSignal,
  type StoreSignal,
  type Unsubscribe,
} from '../../ports/bus.ts';
import { EventData } from '../../../shared/protocol.ts';
import { LiveComment, LivePoll, ReactionKind } from '../../../shared/live.ts';
import { type StoredEvent } from '../../ports/store.ts';
import { connectNats, type NatsLink, type NatsLinkOptions } from './natsConnection.ts';
import { checkSubjectPrefix, encodeToken } from './tokens.ts';

// The composition root builds a node's NATS side from this one module: the shared link, the bus
// and the presence on it.
export { connectNats, type NatsLink, type NatsLinkOptions } from './natsConnection.ts';
export { connectNatsPresence, createNatsPresence, type NatsPresenceOptions } from './natsPresence.ts';

export interface NatsBusOptions {
  /** First token(s) of every subject (default 'footfall'); lets two deployments share a server. */
  prefix?: string;
  log?: (line: string) => void;
}

/** The header naming the bus a doorbell came from: its own are dropped unread (hq/ports/bus.ts). */
const FROM_HEADER = 'Footfall-Bus';

interface Topic {
  readonly subject: string;
  /** Doorbells: a message this bus published is not handed to its own handlers. */
  readonly othersOnly: boolean;
  /** The checked message, or null for a malformed one (one subject, one kind of message). */
  readonly parse: (data: unknown) => unknown;
  readonly handlers: Set<(m: unknown) => void>;
  sub: Subscription | null;
}

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isStr = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A doorbell for `storeId`, or null. A message naming another store than its subject is dropped. */
export function parseDoorbell(v: unknown, storeId: string): Doorbell | null {
  if (!isRec(v) || !isStr(v.origin) || v.storeId !== storeId || !isStr(v.epoch) || !isNum(v.head)) return null;
  const d: Doorbell = { origin: v.origin, storeId, epoch: v.epoch, head: v.head };
  // Events riding along are used only if every one is well formed and of this store and epoch;
  // otherwise the doorbell is kept bare (the node then reads the store).
  if (Array.isArray(v.events) && v.events.length > 0 && v.events.every((ev) => isStoredEvent(ev, storeId, d.epoch))) d.events = v.events as StoredEvent[];
  return d;
}

function isStoredEvent(ev: unknown, storeId: string, epoch: string): boolean {
  return isRec(ev) && ev.storeId === storeId && ev.epoch === epoch && isNum(ev.seq) && isStr(ev.id) && isStr(ev.type) && Object.hasOwn(EventData, ev.type) && isNum(ev.at) && isStr(ev.data);
}

export function parseSignal(v: unknown, storeId: string): StoreSignal | null {
  if (!isRec(v) || !isStr(v.origin) || v.storeId !== storeId || (v.to !== 'desks' && v.to !== 'members') || !isStr(v.text)) return null;
  if (!optStr(v.memberId) || !optStr(v.exceptDeviceId)) return null;
  const s: StoreSignal = { origin: v.origin, storeId, to: v.to, text: v.text };
  if (v.memberId !== undefined) s.memberId = v.memberId;
  if (v.exceptDeviceId !== undefined) s.exceptDeviceId = v.exceptDeviceId;
  return s;
}

const RoomComments = z.array(LiveComment).max(10_000);
const RoomDeleted = z.array(z.string().min(1).max(200)).max(10_000);
const RoomCounts = z.partialRecord(ReactionKind, z.number().int().nonnegative());

/** A live room's signal for `roomId`, or null (checked with the wire schemas: its comments go to viewers as they are). */
export function parseRoomSignal(v: unknown, roomId: string): RoomSignal | null {
  if (!isRec(v) || !isStr(v.origin) || v.roomId !== roomId) return null;
  const origin = v.origin;
  switch (v.kind) {
    case 'comments': {
      const items = RoomComments.safeParse(v.items);
      return items.success ? { origin, roomId, kind: 'comments', items: items.data } : null;
    }
    case 'deleted': {
      const ids = RoomDeleted.safeParse(v.ids);
      return ids.success ? { origin, roomId, kind: 'deleted', ids: ids.data } : null;
    }
    case 'reactions': {
      const counts = RoomCounts.safeParse(v.counts);
      return counts.success ? { origin, roomId, kind: 'reactions', counts: counts.data } : null;
    }
    case 'poll': {
      const poll = LivePoll.safeParse(v.poll);
      return poll.success && poll.data.roomId === roomId ? { origin, roomId, kind: 'poll', poll: poll.data } : null;
    }
    default:
      return null;
  }
}

/** A control message of a kind this node knows, or null (a newer node's new kind is dropped too). */
export function parseControl(v: unknown): Control | null {
  if (!isRec(v) || !isStr(v.origin)) return null;
  const origin = v.origin;
  switch (v.kind) {
    case 'device.revoked':
      return isStr(v.deviceId) && isStr(v.storeId) ? { origin, kind: v.kind, deviceId: v.deviceId, storeId: v.storeId } : null;
    case 'device.connected':
      return isStr(v.deviceId) && isStr(v.storeId) && isStr(v.connId) && isNum(v.at)
        ? { origin, kind: v.kind, deviceId: v.deviceId, storeId: v.storeId, connId: v.connId, at: v.at }
        : null;
    case 'epoch.rotated':
      return isStr(v.storeId) && isStr(v.epoch) && isNum(v.head) ? { origin, kind: v.kind, storeId: v.storeId, epoch: v.epoch, head: v.head } : null;
    case 'catalog.changed':
      return { origin, kind: v.kind };
    case 'presence.changed':
      return isStr(v.storeId) && (v.what === 'desks' || v.what === 'members') ? { origin, kind: v.kind, storeId: v.storeId, what: v.what } : null;
    case 'member.groups':
      return isStr(v.memberId) ? { origin, kind: v.kind, memberId: v.memberId } : null;
    default:
      return null;
  }
}

class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private readonly prefix: string;
  private readonly topics = new Map<string, Topic>();
  /** This bus among the publishers (FROM_HEADER); its doorbells carry it. */
  private readonly self = randomBytes(8).toString('hex');
  private readonly fromSelf: MsgHdrs;
  private readonly stopLink: Unsubscribe[];
  private readonly log: (line: string) => void;
  private closed = false;
  /** Publishes dropped since the link went down (reported when it is back). */
  private dropped = 0;

  constructor(
    private readonly link: NatsLink,
    private readonly ownsLink: boolean,
    opts: NatsBusOptions,
  ) {
    this.prefix = checkSubjectPrefix(opts.prefix ?? 'footfall');
    this.fromSelf = headers();
    this.fromSelf.set(FROM_HEADER, this.self);
    this.log = opts.log ?? (() => {});
    this.stopLink = [
      link.onConnection((nc) => this.subscribeAll(nc)),
      link.onStatus((s) => {
        if (s.up && this.dropped > 0) {
          this.log(`bus: ${this.dropped} message(s) dropped while NATS was down`);
          this.dropped = 0;
        }
      }),
    ];
  }

  private doorSubject(storeId: string): string {
    return `${this.prefix}.door.${encodeToken(storeId)}`;
  }
  private sigSubject(storeId: string): string {
    return `${this.prefix}.sig.${encodeToken(storeId)}`;
  }
  private roomSubject(roomId: string): string {
    return `${this.prefix}.room.${encodeToken(roomId)}`;
  }
  private ctlSubject(): string {
    return `${this.prefix}.ctl`;
  }

  publishDoorbell(d: Doorbell): void {
    this.publish(this.doorSubject(d.storeId), d, this.fromSelf);
  }
  onDoorbell(storeId: string, handler: (d: Doorbell) => void): Unsubscribe {
    return this.listen(this.doorSubject(storeId), (v) => parseDoorbell(v, storeId), handler, true);
  }
  publishSignal(s: StoreSignal): void {
    this.publish(this.sigSubject(s.storeId), s);
  }
  onSignal(storeId: string, handler: (s: StoreSignal) => void): Unsubscribe {
    return this.listen(this.sigSubject(storeId), (v) => parseSignal(v, storeId), handler);
  }
  publishRoom(r: RoomSignal): void {
    this.publish(this.roomSubject(r.roomId), r);
  }
  onRoom(roomId: string, handler: (r: RoomSignal) => void): Unsubscribe {
    return this.listen(this.roomSubject(roomId), (v) => parseRoomSignal(v, roomId), handler);
  }
  publishControl(c: Control): void {
    this.publish(this.ctlSubject(), c);
  }
  onControl(handler: (c: Control) => void): Unsubscribe {
    return this.listen(this.ctlSubject(), parseControl, handler);
  }

  onStatus(handler: (s: BusStatus) => void): Unsubscribe {
    return this.link.onStatus(handler);
  }
  status(): BusStatus {
    return this.closed ? { up: false, detail: 'closed' } : this.link.status();
  }

  /** Never throws into the caller: a publisher is in the middle of its own work (a commit's fan-out). */
  private publish(subject: string, message: object, hdrs?: MsgHdrs): void {
    if (this.closed) return;
    const nc = this.link.connection();
    if (!nc || !this.link.status().up) {
      if (this.dropped++ === 0) this.log(`bus: NATS is down (${this.link.status().detail}); dropping messages until it is back`);
      return;
    }
    try {
      nc.publish(subject, JSON.stringify(message), hdrs ? { headers: hdrs } : undefined);
    } catch (err) {
      this.log(`bus: publish on ${subject} failed: ${(err as Error).message}`);
    }
  }

  private listen<T>(subject: string, parse: (data: unknown) => T | null, handler: (m: T) => void, othersOnly = false): Unsubscribe {
    if (this.closed) return () => {};
    let topic = this.topics.get(subject);
    if (!topic) {
      topic = { subject, othersOnly, parse, handlers: new Set(), sub: null };
      this.topics.set(subject, topic);
      const nc = this.link.connection();
      if (nc) this.subscribe(nc, topic);
    }
    // A wrapper per call: the same function registered twice is two registrations.
    const entry = (m: unknown): void => handler(m as T);
    topic.handlers.add(entry);
    const t = topic;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      t.handlers.delete(entry);
      if (t.handlers.size > 0 || this.topics.get(subject) !== t) return;
      this.topics.delete(subject);
      this.unsubscribe(t);
    };
  }

  private subscribeAll(nc: NatsConnection): void {
    for (const topic of this.topics.values()) this.subscribe(nc, topic);
  }

  private subscribe(nc: NatsConnection, topic: Topic): void {
    this.unsubscribe(topic);
    try {
      topic.sub = nc.subscribe(topic.subject, { callback: (err, msg) => this.deliver(topic, err, msg) });
    } catch (err) {
      // Only a closed connection refuses a subscription; the link hands out a new one and we retry then.
      this.log(`bus: cannot subscribe to ${topic.subject}: ${(err as Error).message}`);
    }
  }

  private unsubscribe(topic: Topic): void {
    const sub = topic.sub;
    topic.sub = null;
    if (!sub || sub.isClosed()) return;
    try {
      sub.unsubscribe();
    } catch (err) {
      this.log(`bus: unsubscribe from ${topic.subject} failed: ${(err as Error).message}`);
    }
  }

  private deliver(topic: Topic, err: Error | null, msg: Msg): void {
    if (err) {
      this.log(`bus: subscription ${topic.subject}: ${err.message}`);
      return;
    }
    if (topic.othersOnly && msg.headers?.get(FROM_HEADER) === this.self) return;
    let data: unknown;
    try {
      data = JSON.parse(msg.string());
    } catch {
      this.log(`bus: dropped a message on ${topic.subject} that is not JSON`);
      return;
    }
    const m = topic.parse(data);
    if (m === null) {
      this.log(`bus: dropped a malformed message on ${topic.subject}`);
      return;
    }
    for (const h of [...topic.handlers]) {
      // A handler removed by an earlier one in this loop is not called.
      if (!topic.handlers.has(h)) continue;
      try {
        h(m);
      } catch (e) {
        this.log(`bus: handler on ${topic.subject} failed: ${(e as Error).message}`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stopLink) stop();
    for (const topic of this.topics.values()) this.unsubscribe(topic);
    this.topics.clear();
    if (this.ownsLink) await this.link.close();
  }
}

/** A bus on a link the caller owns (and closes after the bus). */
export function createNatsBus(link: NatsLink, opts: NatsBusOptions = {}): Bus {
  return new NatsBus(link, false, opts);
}

/**
 * A bus on its own connection. Resolves even when NATS cannot be reached: the bus then reports
 * itself down and connects in the background, so the node serves by polling meanwhile.
 */
export async function connectNatsBus(
  url: string | string[],
  opts: NatsBusOptions & Omit<NatsLinkOptions, 'log'> = {},
): Promise<Bus> {
  const prefix = checkSubjectPrefix(opts.prefix ?? 'footfall');
  const link = await connectNats(url, opts);
  return new NatsBus(link, true, { ...opts, prefix });
}
