// The bus port: how HQ nodes tell each other that something changed. It carries doorbells and
// ephemeral signals, never data: the store (hq/ports/store.ts) is the only log and the only truth.
//
// Invariants:
//  - Anything on the bus may be lost, duplicated or arrive late. A doorbell only says "store S has
//    head N in epoch E"; a node that hears it reads `seq > last sent` from the store, and a node
//    that misses it still catches up on a gap and on its periodic sweep of store heads.
//  - Signals (typing, presence, a live room's comments and reactions) are ephemeral: never stored, never replayed.
//  - Control messages name a fact already committed to the store (a revoked device, a rotated
//    epoch) or a fact about sockets (a device connected elsewhere); a lost one is repaired by the
//    sweep (revocations, epochs) or by the desk itself (it reconnects).
//  - Every message names the node that sent it (`origin`); a node hears its own messages too and
//    ignores them, having acted locally already.
// Adapters: hq/adapters/memory/memoryBus.ts (one node) and hq/adapters/nats/natsBus.ts (a cluster).
import { type StoredEvent } from './store.ts';
import { type LiveComment, type LivePoll, type ReactionKind } from '../../shared/live.ts';

/** "Store S has head N in epoch E", published after a commit that appended events. */
export interface Doorbell {
  origin: string;
  storeId: string;
  epoch: string;
  head: number;
  /**
   * The committed events up to `head` that the commit appended, when they are small enough to ride
   * along (see storeFeeds.ts): a node whose position is just before them hands them to its desks
   * without reading the store. A hint only — the store stays the log, and a node that cannot use
   * them (a gap, another epoch, a read in progress) reads the store as for a bare doorbell.
   */
  events?: StoredEvent[];
}

/** An ephemeral frame for the desks or the members of one store, relayed by every node that has them. */
export interface StoreSignal {
  origin: string;
  storeId: string;
  /** Who it is for: the store's desks, or the store's members in chat (one member when memberId is set). */
  to: 'desks' | 'members';
  memberId?: string;
  /** A device to leave out (the desk that sent it). */
  exceptDeviceId?: string;
  /** The frame text as it goes on the socket. */
  text: string;
}

/**
 * What one node's viewers did in a live room (6/8), for the room's viewers on the other nodes:
 * a batch of comments, comments a host deleted, reactions counted over one window, or a poll's counts. Ephemeral
 * like every signal: a lost one is a few comments some viewers never saw, nothing more.
 */
export type RoomSignal = { origin: string; roomId: string } & (
  | { kind: 'comments'; items: LiveComment[] }
  | { kind: 'deleted'; ids: string[] }
  | { kind: 'reactions'; counts: Partial<Record<ReactionKind, number>> }
  /** A poll's counts after votes on the sending node (live results; at most about once a second). */
  | { kind: 'poll'; poll: LivePoll }
);

export type ControlMessage =
  | { kind: 'device.revoked'; deviceId: string; storeId: string }
  /** A device's socket opened on node `origin` at `at` (connection `connId`): older sockets elsewhere close with 4009. */
  | { kind: 'device.connected'; deviceId: string; storeId: string; connId: string; at: number }
  | { kind: 'epoch.rotated'; storeId: string; epoch: string; head: number }
  /** Catalog or stock changed: caches of styles and stock are dropped. */
  | { kind: 'catalog.changed' }
  /** The set of desks or chat members present in a store changed (presence moved on some node). */
  | { kind: 'presence.changed'; storeId: string; what: 'desks' | 'members' }
  /** The member joined a group (committed): nodes with their member sockets follow its store too (5/8). */
  | { kind: 'member.groups'; memberId: string };

export type Control = ControlMessage & { origin: string };

export type Unsubscribe = () => void;

export interface BusStatus {
  /** false while the bus cannot be reached: nodes then poll the store (slower, still correct). */
  up: boolean;
  detail: string;
}

export interface Bus {
  readonly kind: 'memory' | 'nats';
  /**
   * To the other nodes: this one's own handlers are not handed it. The node that committed hands
   * its events to its own desks itself; its doorbell, often with ~4 KB of events riding along, was
   * cloned (memory) or parsed (NATS) back on it for nothing, on every commit.
   */
  publishDoorbell(d: Doorbell): void;
  /** Doorbells of one store from the other nodes; call once per store a node has desks of. */
  onDoorbell(storeId: string, handler: (d: Doorbell) => void): Unsubscribe;
  publishSignal(s: StoreSignal): void;
  onSignal(storeId: string, handler: (s: StoreSignal) => void): Unsubscribe;
  /** Live rooms (6/8): comments, deletions and reaction counts of one room, for every node with its viewers. */
  publishRoom(r: RoomSignal): void;
  /** One room's signals; call once per room a node has viewers of. */
  onRoom(roomId: string, handler: (r: RoomSignal) => void): Unsubscribe;
  publishControl(c: Control): void;
  onControl(handler: (c: Control) => void): Unsubscribe;
  /** Told when the bus goes down or comes back (logs, readiness). */
  onStatus(handler: (s: BusStatus) => void): Unsubscribe;
  status(): BusStatus;
  close(): Promise<void>;
}
