// The store port: HQ's one source of truth, behind a transactional async interface that an
// embedded SQLite file and a chain's PostgreSQL both implement (hq/adapters/sqlite, hq/adapters/postgres).
//
// Invariants every adapter keeps:
//  - A change and the events it announces commit together: `appendEvent()` allocates the store's
//    next seq by incrementing the store's counter row inside the caller's transaction. The row
//    lock makes seq order equal commit order across concurrent writers (on PostgreSQL at READ
//    COMMITTED, on several nodes), and a rollback hands the same number to the next writer, so
//    each store's log is gap-free. (A database sequence is neither; never tail one.)
//  - Idempotency rows (desk ops, ingest keys) are written in the transaction of the change.
//  - `read()` sees committed state only and never writes.
//  - A store that cannot be reached (the database restarting) throws `StoreUnavailable`; the
//    edges answer 503 + Retry-After and nothing is half-applied.
import { type GroupOps } from './groupStore.ts';
import { type Member, type Note, type Purchase, type StockLine, type Store, type Style, type Visit } from '../../shared/domain.ts';
import { type EventType, type Rejection } from '../../shared/protocol.ts';
import { type StoreSettings } from '../../shared/storeSettings.ts';
import { type ChatOps } from './chatStore.ts';
import { type ClerkOps } from './clerkStore.ts';
import { type MemberHistoryOps } from './memberHistoryStore.ts';
import { type TaskOps } from './taskStore.ts';
import { type HoldOps } from './holdStore.ts'; // 4/8 part C
import { type Hold } from '../../shared/holds.ts';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { type CheckinOps } from './checkinStore.ts'; // 4/8 part A
import { type StyleImageOps } from './styleImageStore.ts';
import { type ExpectedOps } from './expectedStore.ts'; // 5/8 expected visits
import { type LiveOps } from './liveStore.ts'; // 6/8 live rooms
import { type RestockOps } from './restockStore.ts'; // 7/8 restock
import { type AssistOps } from './assistStore.ts'; // 7/8 attribution
import { type HandoverOps } from './handoverStore.ts'; // 7/8 assistant

export type { Member, Purchase, StockLine, Store, Style, Visit, Note };

/** A member as HQ keeps it: the full phone (digits only) never leaves HQ. */
export interface MemberRecord extends Omit<Member, 'phoneMasked' | 'phoneLast4'> {
  phone: string;
}

export interface StoreRecord extends Store {
  /** The store's rules, defaults filled in. */
  settings: StoreSettings;
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

/** `openVisitsSeen`: a member's newest open visit at a store, by when it was last seen. */
/** A store and a time: the unserved sweep's cutoff for it (its settings decide). */
export interface StoreCutoff {
  storeId: string;
  before: number;
}

export interface OpenVisitSeen {
  storeId: string;
  memberId: string;
  lastSeenAt: number;
}

/** `HqTx.profileReads`: a member's newest purchases, active holds, and when they were last seen. */
export interface ProfileReads {
  purchases: Purchase[];
  holds: Hold[];
  lastSeenAt: number | null;
}

/** `HqTx.arrivalReads`: what a single arrival reads about its member at a store. */
export interface ArrivalReads {
  member: MemberRecord;
  /** `findOpenVisit(storeId, member.id, since)`. */
  open: Visit | null;
  /** `profileReads(member.id, purchaseLimit, null)`. */
  profile: ProfileReads;
  /** `expected.openAtStore(storeId, member.id, at)`. */
  expected: ExpectedVisit[];
}

export type ConsumeCodeResult = { ok: true; storeId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };


/** The database cannot be reached right now (restarting, failing over); retry later. */
export class StoreUnavailable extends Error {
  readonly retryAfterSeconds = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

export interface HqStore {
  /** 'sqlite' (embedded, one node) or 'postgres' (a chain's cluster). */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Whether every statement is a round trip to a server (PostgreSQL). A use case handling many
   * items in one transaction (an arrival batch) then reads their rows with a few statements up
   * front (`lockStores`, `findMembers`, `profileReadsOf`, `expected.openAtStores`) instead of a few
   * per item. On an embedded engine (SQLite) a read is a function call: reading ahead would save
   * nothing and read rows an item turns out not to need (a repeat arrival builds no profile).
   */
  readonly readAhead: boolean;
  /**
   * Whether write transactions run one at a time (SQLite's one writer): a transaction that asks to
   * begin waits for every one asked before it. Requests' arrivals may then share one transaction
   * without waiting any longer (hq/app/arrivalBatches.ts); on PostgreSQL they run side by side on
   * the pool's connections.
   */
  readonly serialWrites: boolean;
  /**
   * Runs `fn` in one write transaction and commits when its promise resolves (rolls back when it
   * rejects). `fn` must only await the store: a SQLite transaction serialises every other caller
   * until it ends.
   */
  withTx<T>(fn: (tx: HqTx) => Promise<T>): Promise<T>;
  /** Runs `fn` against one consistent, committed view; writes are refused. */
  read<T>(fn: (r: HqTx) => Promise<T>): Promise<T>;
  /** Whether the database answers now (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Everything a transaction (or a read view) can do. */
export interface HqTx {
  /** Chat: same connection and transaction as everything else. */
  readonly chat: ChatOps;
  /** Clerks, clerk sessions, lockouts and the manager's reports. */
  readonly clerks: ClerkOps;
  /** 4/8 member page: member-level notes and a member's visits across the chain. */
  readonly memberHistory: MemberHistoryOps;
  /** Follow-up tasks (part D). */
  readonly tasks: TaskOps;
  /** Holds and cross-store hold requests (4/8 part C). */
  readonly holds: HoldOps;
  /** Counter check-ins (4/8 part A). */
  readonly checkins: CheckinOps;
  /** Style pictures (4/8 part E). */
  readonly styleImages: StyleImageOps;
  /** Member communities (5/8): groups, memberships, messages, invites, the announcement cap. */
  readonly groups: GroupOps;
  /** Expected visits (5/8): a member's "I'll come and try it", fulfilled by their arrival. */
  readonly expected: ExpectedOps;
  /** Live launch rooms (6/8): rooms, questions, polls, lotteries, participants, mutes, counters. */
  readonly live: LiveOps;
  /** 7/8 restock: from a size arriving in stock to the members who wear it (restock matches). */
  readonly restock: RestockOps;
  // 7/8 attribution
  /** Assisted selling: suggestions shown on arrival cards, clerks' marks, sales attributed, the manager's review. */
  readonly assist: AssistOps;
  // 7/8 assistant
  /** The member-side assistant's hand-overs of a conversation to the store's clerks. */
  readonly handovers: HandoverOps;
  /**
   * Runs `fn` as a SAVEPOINT of this transaction: a throw undoes what `fn` wrote (seqs included,
   * so the next writer gets the same numbers) and rethrows; the outer transaction goes on.
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Serialises this transaction with every other writer of the store until it ends. A change that
   * reads before it writes (is the visit still open? which message number is next? was this op
   * seen?) takes it first, so two nodes cannot both read "open" and both claim: on SQLite every
   * transaction is serial already; on PostgreSQL it locks the store's counter row, the same row
   * `appendEvent` locks, so it costs no extra contention. Answers whether the store exists (so a
   * caller that must refuse an unknown store needs no second read).
   */
  lockStore(storeId: string): Promise<boolean>;
  /**
   * `lockStore` for several stores in one call, taken in id order, so that two batches over the
   * same stores on two nodes cannot deadlock. Answers the ids that exist (those now locked).
   */
  lockStores(storeIds: readonly string[]): Promise<Set<string>>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  // Stores and their event logs
  /** Create or rename a store; a new store gets `epoch` and an empty log. Without `settings` the store keeps its own (defaults when new). */
  upsertStore(store: Store, epoch: string): Promise<void>;
  getStore(id: string): Promise<StoreRecord | null>;
  listStores(): Promise<StoreRecord[]>;
  /** Epoch and head of each named store that exists (one query: the periodic head sweep). */
  storeHeads(storeIds: readonly string[]): Promise<StoreRecord[]>;
  /** Start a new epoch: the old epoch's events are dropped (no desk can resume into them). */
  rotateEpoch(storeId: string, epoch: string): Promise<void>;
  /**
   * Allocate the store's next seq and write the event. Call inside the transaction of the change.
   * `data` is the event's data as JSON text (eventJson.ts makes it), stored and handed out as it is.
   */
  appendEvent(storeId: string, ev: { id: string; type: EventType; at: number; data: string }): Promise<StoredEvent>;
  /** Events with seq > afterSeq, in order, at most `limit`. */
  readEvents(storeId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** Oldest retained seq of the store's log, or null when the log is empty. */
  oldestSeq(storeId: string): Promise<number | null>;
  /** Keep the newest `keep` events of the store. */
  trimEvents(storeId: string, keep: number): Promise<void>;

  // Enrollment and devices
  createEnrollmentCode(codeHash: string, storeId: string, expiresAt: number, now: number): Promise<void>;
  /** Mark a code used, atomically; fails when unknown, used or expired. */
  consumeEnrollmentCode(codeHash: string, now: number): Promise<ConsumeCodeResult>;
  createDevice(device: DeviceRecord, tokenHash: string): Promise<void>;
  /** The device a token hash belongs to, unless revoked. */
  deviceByTokenHash(tokenHash: string): Promise<DeviceRecord | null>;
  getDevice(id: string): Promise<DeviceRecord | null>;
  listDevices(storeId: string): Promise<DeviceRecord[]>;
  revokeDevice(id: string, now: number): Promise<boolean>;
  /** Devices revoked at or after `since` (the sweep's safety net for a lost revocation message). */
  revokedSince(since: number): Promise<DeviceRecord[]>;
  /** Desks' acked positions (informational: `hq:admin devices`), written in one statement where the engine allows. */
  recordAcks(acks: readonly { deviceId: string; seq: number }[]): Promise<void>;

  // Members, purchases, catalog, stock
  /** Writes the member and replaces its search keys. */
  upsertMember(member: MemberRecord): Promise<void>;
  getMember(id: string): Promise<MemberRecord | null>;
  findMemberByCode(code: string): Promise<MemberRecord | null>;
  /** `getMember` of each id and `findMemberByCode` of each code, in one call: the members found (each once). */
  findMembers(ids: readonly string[], codes: readonly string[]): Promise<MemberRecord[]>;
  /** Match on normalised digits (see hq/phone.ts). */
  findMemberByPhone(digits: string): Promise<MemberRecord | null>;
  listHomeMembers(storeId: string): Promise<MemberRecord[]>;
  /**
   * The store's home members whose birthday ("MM-DD") is one of `monthDays`, by id: the birthday
   * sweep's read, by index (store, birthday), where reading every home member once an hour was
   * 0.25–0.36 s of HQ's loop per 50 stores of 1,000 members (docs/benchmarks.md, round 52).
   */
  homeMembersBornOn(storeId: string, monthDays: readonly string[]): Promise<MemberRecord[]>;
  countMembers(): Promise<number>;
  /**
   * Members with a search key (shared/memberSearch.ts `memberSearchKeys`, written by upsertMember)
   * starting with `keyPrefix`, read off the key index in key order: at most `limit` key rows, so a
   * member may come once for several keys and the caller filters the whole query.
   */
  searchMembers(keyPrefix: string, limit: number): Promise<MemberRecord[]>;
  /** Members by id after `afterId` (exclusive), in id order: a walk over all of them in pages. */
  membersAfter(afterId: string, limit: number): Promise<MemberRecord[]>;
  upsertPurchase(purchase: Purchase): Promise<void>;
  /** Newest first. */
  purchasesOf(memberId: string, limit: number): Promise<Purchase[]>;
  /**
   * What a member's profile reads besides the catalog, in one call: `purchasesOf(memberId,
   * purchaseLimit)`, `holds.activeHoldsOfMember(memberId)` and `memberHistory.lastSeenAt(memberId,
   * exceptVisitId)`, the same three answers. An adapter whose every statement is a round trip
   * (PostgreSQL) reads them with one statement; the profile is built with every arrival.
   */
  profileReads(memberId: string, purchaseLimit: number, exceptVisitId: string | null): Promise<ProfileReads>;
  /**
   * A single arrival's reads, in one call, for the member named by id or by card code: the member,
   * their open visit at the store last seen at or after `since`, their profile reads and their open
   * expectations there at `at` — the answers of the four calls named in `ArrivalReads`; null when
   * no member has that id or code. The member's id is not needed first: on PostgreSQL it is one
   * statement, sent in the write that takes the store's lock, where the member's row, then the
   * visit's look-up with the profile, were two round trips of every arrival.
   */
  arrivalReads(storeId: string, member: { id: string } | { code: string }, since: number, at: number, purchaseLimit: number): Promise<ArrivalReads | null>;
  /** `profileReads(id, purchaseLimit, null)` of each member, in one call, by member id. */
  profileReadsOf(memberIds: readonly string[], purchaseLimit: number): Promise<Map<string, ProfileReads>>;
  upsertStyle(style: Style): Promise<void>;
  listStyles(): Promise<Style[]>;
  /** Replace the quantity of one store/style/color/size line. */
  setStock(line: StockLine): Promise<void>;
  stockForStore(storeId: string): Promise<StockLine[]>;
  /** Purchases per style at this store since `since` (a cheap popularity signal). */
  popularityForStore(storeId: string, since: number): Promise<Map<string, number>>;
  /**
   * A number that moves whenever what a node copies of the store's catalog may have changed: the
   * sum of the chain's counter (styles, pictures) and the store's (its stock, its purchases), each
   * moved by `catalogChanged` in the transaction that writes. Only compared for equality, by a node
   * that read it before the catalog in one view (catalogCache.ts): 0 for a store never changed.
   */
  catalogVersion(storeId: string): Promise<number>;
  /**
   * Moves the catalog counters: of each store named (its stock or purchases were written), or the
   * chain's (null: styles or pictures, or a write whose stores are not known). Every writer of
   * stock, purchases, styles or pictures calls it in its transaction; the copy a node holds is
   * otherwise kept (after a lost `catalog.changed` notice) until it is an hour old.
   */
  catalogChanged(storeIds: readonly string[] | null): Promise<void>;

  // Visits and notes
  insertVisit(visit: VisitRow): Promise<void>;
  updateVisit(visit: VisitRow): Promise<void>;
  getVisit(id: string): Promise<Visit | null>;
  /** The newest not-closed visit of a member at a store last seen at or after `since`. */
  findOpenVisit(storeId: string, memberId: string, since: number): Promise<Visit | null>;
  /**
   * An arrival's visit: the open visit `findOpenVisit(visit.storeId, visit.memberId, since)` finds,
   * with nothing written; or, when there is none, `visit` inserted and null. One statement on
   * PostgreSQL (the look-up and the insert were two round trips of every arrival). The caller holds
   * `lockStore(visit.storeId)`, so no other writer opens one in between.
   */
  openVisitOrInsert(visit: VisitRow, since: number): Promise<Visit | null>;
  /**
   * Of these (store, member) pairs, each one with a visit not closed and last seen at or after
   * `since`, and that newest visit's `lastSeenAt`: `findOpenVisit(storeId, memberId, t)` finds one
   * for a `t` ≥ `since` exactly when `t` ≤ that time. A pair given twice is answered once. A batch
   * of arrivals reads it ahead (arrivalsAhead.ts), so that a new visit needs no look-up of its own.
   */
  openVisitsSeen(pairs: readonly { storeId: string; memberId: string }[], since: number): Promise<OpenVisitSeen[]>;
  /**
   * Visits nobody claimed (status open) whose member was last seen before their store's `before`,
   * of the stores given, oldest first, at most `limit` in all, without notes. Several stores per
   * read: the unserved sweep runs every minute on every node (one read per store was 500 queries).
   */
  waitingSeenBefore(cutoffs: readonly StoreCutoff[], limit: number): Promise<VisitRow[]>;
  /** Visits that arrived at or after `since`, newest first, with their notes. */
  visitsSince(storeId: string, since: number): Promise<Visit[]>;
  insertNote(note: Note): Promise<void>;
  getNote(id: string): Promise<Note | null>;

  // Idempotency: desk commands per device, ingest requests per key
  getOp(deviceId: string, opId: string): Promise<OpRecord | null>;
  putOp(deviceId: string, opId: string, op: OpRecord, now: number): Promise<void>;
  getIdempotent(key: string): Promise<{ requestHash: string; result: string } | null>;
  putIdempotent(key: string, requestHash: string, result: string, now: number): Promise<void>;
  /**
   * Drop remembered ops, idempotency keys, spent enrollment codes and member sign-in failures older
   * than `cutoff`: at most `limit` ops and `limit` idempotency keys a call (the codes and failures,
   * few, all). Answers the larger of the two counts dropped: `limit` means more may be left. A week
   * after a peak hour there are hundreds of thousands of keys to drop (docs/benchmarks.md, round 52).
   */
  purgeOlderThan(cutoff: number, limit: number): Promise<number>;

  // Privacy
  /** Erase a member: the record, purchases, visits and notes, chat (messages, images, sessions). */
  deleteMember(memberId: string): Promise<boolean>;
  /** Newest seq of the store's log whose event data contains `text` (e.g. a quoted member id). */
  lastEventMentioning(storeId: string, text: string): Promise<number | null>;
}
