// The narrow storage interface HQ runs on. Everything above it (HTTP, WebSocket, commands,
// recommendations) talks to this interface only, so a PostgreSQL implementation can follow the
// embedded SQLite one without touching the protocol code.
//
// Methods are synchronous because the embedded implementation (better-sqlite3) is; every write
// that changes state and emits an event runs inside `transaction()`, and the seq is allocated by
// `appendEvent()` inside that same transaction, which is what keeps each store's log gap-free.
import { type Member, type Note, type Purchase, type StockLine, type Store, type Style, type Visit } from '../../shared/domain.ts';
import { type EventType, type Rejection } from '../../shared/protocol.ts';
import { type ChatStorage } from './chatStore.ts';
import { type ClerkStorage } from '../adapters/sqlite/clerkStorage.ts';

export type { Member, Purchase, StockLine, Store, Style, Visit, Note };

/** A member as HQ keeps it: the full phone (digits only) never leaves HQ. */
export interface MemberRecord extends Omit<Member, 'phoneMasked' | 'phoneLast4'> {
  phone: string;
}

export interface StoreRecord extends Store {
  epoch: string;
  /** Newest seq allocated in this store's log (0 when empty). */
  head: number;
}

export interface DeviceRecord {
  id: string;
  storeId: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  ackedSeq: number;
}

/** One row of a store's event log; `data` is the JSON text, serialized once at append time. */
export interface StoredEvent {
  storeId: string;
  epoch: string;
  seq: number;
  id: string;
  type: EventType;
  at: number;
  data: string;
}

/** What HQ remembers about a desk command, so a resend gets the same answer. */
export interface OpRecord {
  status: 'ok' | 'rejected';
  seq: number | null;
  rejection: Rejection | null;
}

export type VisitRow = Omit<Visit, 'notes'>;

export type ConsumeCodeResult = { ok: true; storeId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface HqStorage {
  /** Chat (issue 3): same connection and transactions as everything else. */
  chat: ChatStorage;
  /** Run `fn` in one write transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T;
  /** Run `fn` in one read transaction: every read sees the same state. */
  read<T>(fn: () => T): T;
  /** Clerks, clerk sessions and the manager's reports (issue 5). */
  clerks: ClerkStorage;
  close(): void;

  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;

  // Stores and their event logs
  /** Create or rename a store; a new store gets `epoch` and an empty log. */
  upsertStore(store: Store, epoch: string): void;
  getStore(id: string): StoreRecord | null;
  listStores(): StoreRecord[];
  /** Start a new epoch: the old epoch's events are dropped (no desk can resume into them). */
  rotateEpoch(storeId: string, epoch: string): void;
  /** Allocate the store's next seq and write the event. Call inside the transaction of the change. */
  appendEvent(storeId: string, ev: { id: string; type: EventType; at: number; data: unknown }): StoredEvent;
  /** Events with seq > afterSeq, in order, at most `limit`. */
  readEvents(storeId: string, afterSeq: number, limit: number): StoredEvent[];
  /** Oldest retained seq of the store's log, or null when the log is empty. */
  oldestSeq(storeId: string): number | null;
  /** Keep the newest `keep` events of the store. */
  trimEvents(storeId: string, keep: number): void;

  // Enrollment and devices
  createEnrollmentCode(codeHash: string, storeId: string, expiresAt: number, now: number): void;
  /** Mark a code used, atomically; fails when unknown, used or expired. */
  consumeEnrollmentCode(codeHash: string, now: number): ConsumeCodeResult;
  createDevice(device: DeviceRecord, tokenHash: string): void;
  /** The device a token hash belongs to, unless revoked. */
  deviceByTokenHash(tokenHash: string): DeviceRecord | null;
  getDevice(id: string): DeviceRecord | null;
  listDevices(storeId: string): DeviceRecord[];
  revokeDevice(id: string, now: number): boolean;
  recordAck(deviceId: string, seq: number): void;

  // Members, purchases, catalog, stock
  upsertMember(member: MemberRecord): void;
  getMember(id: string): MemberRecord | null;
  findMemberByCode(code: string): MemberRecord | null;
  /** Match on normalised digits (see hq/phone.ts). */
  findMemberByPhone(digits: string): MemberRecord | null;
  listHomeMembers(storeId: string): MemberRecord[];
  countMembers(): number;
  upsertPurchase(purchase: Purchase): void;
  /** Newest first. */
  purchasesOf(memberId: string, limit: number): Purchase[];
  upsertStyle(style: Style): void;
  listStyles(): Style[];
  /** Replace the quantity of one store/style/color/size line. */
  setStock(line: StockLine): void;
  stockForStore(storeId: string): StockLine[];
  /** Purchases per style at this store since `since` (a cheap popularity signal). */
  popularityForStore(storeId: string, since: number): Map<string, number>;

  // Visits and notes
  insertVisit(visit: VisitRow): void;
  updateVisit(visit: VisitRow): void;
  getVisit(id: string): Visit | null;
  /** The newest not-closed visit of a member at a store last seen at or after `since`. */
  findOpenVisit(storeId: string, memberId: string, since: number): Visit | null;
  /** Visits that arrived at or after `since`, newest first, with their notes. */
  visitsSince(storeId: string, since: number): Visit[];
  insertNote(note: Note): void;
  getNote(id: string): Note | null;

  // Idempotency: desk commands per device, ingest requests per key
  getOp(deviceId: string, opId: string): OpRecord | null;
  putOp(deviceId: string, opId: string, op: OpRecord, now: number): void;
  getIdempotent(key: string): { requestHash: string; result: string } | null;
  putIdempotent(key: string, requestHash: string, result: string, now: number): void;
  /** Drop remembered ops, idempotency keys and spent enrollment codes older than `cutoff`. */
  purgeOlderThan(cutoff: number): void;

  // Privacy
  /** Erase a member: the record, purchases, visits and notes, chat (messages, images, sessions). */
  deleteMember(memberId: string): boolean;
  /** Newest seq of the store's log whose event data contains `text` (e.g. a quoted member id). */
  lastEventMentioning(storeId: string, text: string): number | null;
}
