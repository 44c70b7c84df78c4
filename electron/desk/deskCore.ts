// The desk core: the cache, the outbox and the HQ link behind the DeskApi the UI calls.
//
// Runs in plain Node (the Electron main process or the web shell hosts it). Everything the clerk
// sees is read from the SQLite cache, so the desk works the same online and offline; the link only
// moves the cache forward (events, snapshots) and drains the outbox.
import type { z } from 'zod';
import {
  DeskCommands,
  DeskError,
  type ActionResult,
  type ChatImage,
  type ConnectionState,
  type ConversationPage,
  type ConversationView,
  type OutgoingMessage,
  type SendResult,
  type DeskCoreApi,
  type DeskCommandName,
  type DeskEventName,
  type DeskEvents,
  type DeskIdentity,
  type MemberSearchHit,
  type MemberView,
  type NoteView,
  type VisitView,
} from '../../shared/deskApi.ts';
import type { Actor, Outcome } from '../../shared/domain.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  describeIssues,
  PROTOCOL_VERSION,
  type SignalFrame,
  type CmdAckFrame,
  type CommandType,
  type EvFrame,
  type HeadFrame,
  type HqToDesk,
  type Position,
  type ResetFrame,
  type WelcomeFrame,
} from '../../shared/protocol.ts';
import { type BackoffOptions } from './backoff.ts';
import { openCache } from './cache/db.ts';
import { purgeOlderThan, type PurgeResult } from './cache/privacy.ts';
import { CacheCorruptError, quarantineAndSalvage, type Salvage } from './cache/recover.ts';
import { STORAGE_OK, storageFault, type StorageHealth } from './cache/storageHealth.ts';
import { type CacheQueries, type OutboxOp } from './cache/queries.ts';
import { firstIndex, HqAddresses } from './hqAddresses.ts';
import { fetchSnapshot, HttpStatusError } from './hqHttp.ts';
import { HqLink } from './link.ts';
import { visitView } from './overlay.ts';
import { applyEvent, applySnapshot } from './sync.ts';
import { checkImage } from '../../shared/chatImages.ts';
import { NO_RECEIPTS } from './chat/chatQueries.ts';
import { downloadImage, fetchHistory, uploadImage } from './chat/hqChatHttp.ts';
import { applyRecalls, chatSubject, confirmedView, localReceipts, memberOfSubject, pendingViews } from './chat/views.ts';
import { memberSummary } from './overlay.ts';
import { type ClerkPublic, type ClerkState, DEFAULT_LOCK_AFTER_MS, type SignInResult } from '../../shared/clerks.ts';
import { type ReportArgs, type VisitReport, type VisitTimeline } from '../../shared/kpis.ts';
import { ClerkDesk } from './clerks/clerkDesk.ts';
import { ManagerReports } from './clerks/managerReports.ts';

/** A member's typing signal counts for this long unless renewed. */
const TYPING_TTL_MS = 6000;

export { enroll } from './hqHttp.ts';

export interface DeskOptions {
  dbPath: string;
  /**
   * HQ's addresses (its nodes, or a load balancer; at least one). The link starts at a random one
   * and fails over round-robin; HTTP calls go to the address of the last good link.
   */
  hqUrls: readonly string[];
  token: string;
  reconnect?: { minMs: number; maxMs: number };
  /** Jitter source (reconnect backoff, the first address); injectable for tests. */
  random?: () => number;
  silenceMs?: number;
  ackEveryMs?: number;
  /** Visits, notes and chat older than this many days are purged from the cache (default 30). */
  retentionDays?: number;
  /** How often the purge runs (default hourly; the first run is a minute after open, or sooner). */
  purgeEveryMs?: number;
  log?: (line: string) => void;
  /** Inactivity before the UI locks the desk (default 5 min; 0 = never). */
  lockAfterMs?: number;
}

/** Counters for tests and diagnostics. */
export interface DeskStats {
  /** Events applied to the cache (each seq once). */
  applied: number;
  /** Events ignored because seq ≤ position (replays after a lost ack, reconnect races). */
  duplicates: number;
  /** Events refused because they skipped ahead; each one triggers a resume. */
  gaps: number;
  /** Snapshots loaded after a `reset`. */
  resets: number;
  /** Commands sent to HQ (resends included). */
  commandsSent: number;
}

/**
 * Where the current connection is in the protocol:
 * hello → sent hello, waiting for welcome; replay → welcomed, catching up to welcome.head;
 * awaitReset → welcomed in another epoch, HQ will send reset; resetting → loading a snapshot;
 * live → caught up, outbox flushed, commands go out as the clerk acts.
 */
type Session = 'none' | 'hello' | 'replay' | 'awaitReset' | 'resetting' | 'live';

const ARRIVAL_ALERT_MEMORY = 5000;

export class DeskCore implements DeskCoreApi {
  private readonly listeners = new Map<DeskEventName, Set<(payload: never) => void>>();
  private readonly log: (line: string) => void;
  private link: HqLink | null = null;
  private session: Session = 'none';
  private welcomeHead = 0;
  private head = 0;
  /** opIds sent on the current connection (a new connection resends whatever is still pending). */
  private readonly sentOnThisLink = new Set<string>();
  /** Visits already alerted in this process: an arrival alert is raised once per visit. */
  private readonly alerted = new Set<string>();
  /** Visits whose last local action HQ confirmed in this process (VisitView.sync = 'confirmed'). */
  private readonly confirmedLocally = new Set<string>();
  private consecutiveResets = 0;
  /** `ev` and `cmdAck` frames received and not yet applied, in arrival order (see queueEvent). */
  private eventQueue: (EvFrame | CmdAckFrame)[] = [];
  private eventFlush: NodeJS.Immediate | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private ackedSeq = 0;
  /** Counts clerk writes (write()), so a batch knows whether views it built are still current. */
  private writes = 0;
  private lastAckAt = 0;
  private lastLagPosition: number | null = null;
  private connection: ConnectionState;
  private storageHealth: StorageHealth = STORAGE_OK;
  private closed = false;
  /** Members with the chat open right now (ephemeral, from HQ's presence signals). */
  private readonly online = new Set<string>();
  private readonly typing = new Map<string, NodeJS.Timeout>();
  /** Outbox image uploads in flight, by opId. */
  private readonly uploading = new Set<string>();
  private uploadRetry: NodeJS.Timeout | null = null;
  readonly stats: DeskStats = { applied: 0, duplicates: 0, gaps: 0, resets: 0, commandsSent: 0 };
  /** Who is signed in at this counter (issue 5). */
  private readonly clerks: ClerkDesk;
  private readonly reports: ManagerReports;
  /** HQ's addresses; HTTP calls go to the last good link's first. */
  private readonly hq: HqAddresses;

  private constructor(
    private readonly opts: DeskOptions,
    private readonly q: CacheQueries,
  ) {
    this.log = opts.log ?? (() => {});
    this.hq = new HqAddresses(opts.hqUrls, firstIndex(opts.hqUrls.length, opts.random));
    this.clerks = new ClerkDesk(q.db, {
      hq: this.hq,
      token: opts.token,
      lockAfterMs: opts.lockAfterMs ?? DEFAULT_LOCK_AFTER_MS,
      log: this.log,
      onState: (state) => this.emit('clerk', state),
      onClerks: (clerks) => this.emit('clerks', { clerks }),
    });
    this.reports = new ManagerReports(q.db);
    const position = q.getPosition();
    this.head = position.seq;
    this.connection = {
      status: 'offline',
      queued: q.countQueued(),
      since: Date.now(),
      retryAt: null,
      lastError: null,
      head: this.head,
      position: position.seq,
      storage: this.storageHealth,
    };
  }

  /**
   * Opens (and migrates) the cache synchronously; the desk is usable offline at once. A damaged
   * cache (not a database, corrupt pages) is never used: it is moved aside, a fresh one is started
   * with the identity and outbox salvaged from it, and HQ rebuilds the rest by snapshot
   * (ConnectionState.storage.rebuiltAt / outboxLost tell the UI). A file that cannot be opened at
   * all (permissions, a full disk during migration) throws DeskError('storage').
   */
  static open(opts: DeskOptions): DeskCore {
    if (opts.hqUrls.length === 0) throw new DeskError('invalid_argument', 'the desk needs at least one HQ address');
    let q: CacheQueries;
    let salvage: Salvage | null = null;
    try {
      try {
        q = openCache(opts.dbPath);
      } catch (err) {
        if (!(err instanceof CacheCorruptError)) throw err;
        salvage = quarantineAndSalvage(opts.dbPath, err.detail);
        q = openCache(opts.dbPath);
        const s = salvage;
        q.tx(() => {
          if (s.identity) q.setIdentity(s.identity);
          for (const op of s.ops) q.insertOp(op);
        });
      }
    } catch (err) {
      const fault = storageFault(err);
      if (fault) throw new DeskError('storage', `${fault.message} (${(err as Error).message})`);
      throw err;
    }
    const core = new DeskCore(opts, q);
    core.schedulePurge();
    if (salvage) {
      core.log(`desk: damaged cache (${salvage.detail}) moved to ${salvage.movedTo}; rebuilding from HQ${salvage.outboxLost ? '; its outbox could not be read' : ''}`);
      core.storageHealth = { ...core.storageHealth, rebuiltAt: Date.now(), outboxLost: salvage.outboxLost };
      core.connection = { ...core.connection, storage: core.storageHealth };
    }
    return core;
  }

  private purgeTimer: NodeJS.Timeout | null = null;
  private purgeSoonTimer: NodeJS.Timeout | null = null;
  /** Retention in days: from the options at open, changed live by setRetentionDays (settings screen). */
  private retentionDays: number | null = null;

  private runPurge(): void {
    try {
      this.purgeExpired();
    } catch (err) {
      this.storageFailed(err);
      this.log(`desk: retention purge failed: ${(err as Error).message}`);
    }
  }

  /** Runs the retention purge now and then, also while offline (privacy: docs/security.md). */
  private schedulePurge(): void {
    const run = () => this.runPurge();
    // First run a minute after open (not during it: opening must stay fast and side-effect free),
    // then every purgeEveryMs.
    const every = this.opts.purgeEveryMs ?? 60 * 60 * 1000;
    this.purgeTimer = setTimeout(() => {
      run();
      this.purgeTimer = setInterval(run, every);
      this.purgeTimer.unref();
    }, Math.min(every, 60_000));
    this.purgeTimer.unref();
  }

  /**
   * Drops visits (with notes) and chat messages older than the retention period, and members of
   * other stores nothing refers to any more. Visits with an unsettled outbox op are kept.
   */
  purgeExpired(now: number = Date.now()): PurgeResult {
    this.assertOpen();
    const cutoff = now - this.currentRetentionDays() * 24 * 60 * 60 * 1000;
    const out = purgeOlderThan(this.q.db, cutoff, this.q.getIdentity()?.storeId ?? null);
    if (out.visits || out.messages || out.members) this.log(`desk: purged ${out.visits} visits, ${out.messages} messages, ${out.members} members older than the retention period`);
    return out;
  }

  /** Days of closed visits and chat this desk keeps (default 30). */
  currentRetentionDays(): number {
    return this.retentionDays ?? this.opts.retentionDays ?? 30;
  }

  /**
   * Change the retention period while the desk runs (the settings screen; issue 8): the purge uses
   * it from now on, and runs once with it shortly (`soonMs`, default 2 s) rather than at the next
   * hourly round — so a shorter period removes the older data the same minute, not after a restart.
   */
  setRetentionDays(days: number, soonMs = 2000): void {
    this.assertOpen();
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new DeskError('invalid_argument', `retention must be 1 to 365 whole days, not ${days}`);
    if (days === this.currentRetentionDays()) return;
    this.retentionDays = days;
    this.log(`desk: retention set to ${days} days`);
    if (this.purgeSoonTimer) clearTimeout(this.purgeSoonTimer);
    this.purgeSoonTimer = setTimeout(() => {
      this.purgeSoonTimer = null;
      if (!this.closed) this.runPurge();
    }, Math.max(0, soonMs));
    this.purgeSoonTimer.unref();
  }

  /** The last write failed because of the disk (full, read-only, damaged): tell the UI, keep going. */
  private storageFailed(err: unknown): DeskError | null {
    const fault = storageFault(err);
    if (!fault) return null;
    if (this.storageHealth.status !== fault.status) {
      this.log(`desk: storage ${fault.status}: ${(err as Error).message}`);
      this.storageHealth = { ...this.storageHealth, ...fault, since: Date.now() };
      this.refreshConnection();
    }
    return new DeskError('storage', fault.message ?? 'the desk could not save');
  }

  /** A write succeeded: a storage problem shown earlier is over. */
  private storageRecovered(): void {
    if (this.storageHealth.status === 'ok') return;
    this.storageHealth = { ...this.storageHealth, status: 'ok', message: null, since: Date.now() };
    this.refreshConnection();
  }

  /** Runs a clerk action's write; a disk fault becomes DeskError('storage') and nothing is half-written. */
  /**
   * Runs `fn` in one transaction. `durable` is for what the clerk just did (an outbox op): the cache
   * runs synchronous=NORMAL, which a power cut can roll back by a few commits — harmless for events
   * (HQ replays them) but not for a queued action, so that commit alone is fsynced (FULL).
   */
  private write<T>(fn: () => T, durable = false): T {
    this.writes++;
    const db = this.q.db;
    const raise = durable && !db.inTransaction;
    try {
      if (raise) db.pragma('synchronous = FULL');
      const out = this.q.tx(fn);
      this.storageRecovered();
      return out;
    } catch (err) {
      throw this.storageFailed(err) ?? err;
    } finally {
      if (raise) db.pragma('synchronous = NORMAL');
    }
  }

  get position(): Position {
    return this.q.getPosition();
  }

  // --- lifecycle ------------------------------------------------------------------------------

  /** Connect to HQ and keep connected. */
  start(): void {
    this.assertOpen();
    this.link ??= new HqLink({
      hqUrls: this.hq.urls,
      first: this.hq.index, // the same node as the HTTP calls until a welcome says otherwise
      token: this.opts.token,
      reconnect: this.opts.reconnect as BackoffOptions | undefined,
      random: this.opts.random,
      silenceMs: this.opts.silenceMs,
      log: this.log,
      handlers: {
        onOpen: () => this.onOpen(),
        onFrame: (f) => this.onFrame(f),
        onDown: ({ reason }) => this.onDown(reason),
        onChange: () => this.refreshConnection(),
      },
    });
    this.link.start();
  }

  /** Drop the link (after a last ack); the desk stays usable offline. */
  async stop(): Promise<void> {
    if (!this.link) return;
    this.applyQueuedEvents();
    this.sendAck();
    await this.link.stop();
    this.onDown('stopped');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.purgeTimer) clearTimeout(this.purgeTimer); // also clears an interval
    if (this.purgeSoonTimer) clearTimeout(this.purgeSoonTimer);
    await this.stop();
    if (this.uploadRetry) clearTimeout(this.uploadRetry);
    for (const t of this.typing.values()) clearTimeout(t);
    this.closed = true;
    this.q.stopCheckpoints();
    this.q.db.close();
  }

  /** OS network hint (from the Electron shell): reconnect at once when the network is back. */
  networkChanged(online: boolean): void {
    this.link?.networkChanged(online);
  }

  /** Diagnostics for tests: what the outbox holds, in order. */
  outbox(): ReturnType<CacheQueries['listOps']> {
    return this.q.listOps();
  }

  // --- DeskApi: reads -------------------------------------------------------------------------

  async getIdentity(): Promise<DeskIdentity | null> {
    this.check('getIdentity', []);
    return this.q.getIdentity();
  }

  async getConnection(): Promise<ConnectionState> {
    this.check('getConnection', []);
    return { ...this.connection };
  }

  async listArrivals(args: z.infer<(typeof DeskCommands)['listArrivals']>[0]): Promise<VisitView[]> {
    const [a] = this.check('listArrivals', [args]);
    return this.q.listVisits({ from: a.since, limit: a.limit ?? 200 }).map((v) => this.viewOf(v.id)!);
  }

  async listVisits(args: z.infer<(typeof DeskCommands)['listVisits']>[0]): Promise<VisitView[]> {
    const [a] = this.check('listVisits', [args]);
    const limit = a.limit ?? 500;
    // The status filter applies to what the clerk sees (with pending actions), so filter views.
    const rows = this.q.listVisits({ from: a.from, to: a.to, limit: a.status ? 10_000 : limit });
    const views = rows.map((v) => this.viewOf(v.id)!);
    return (a.status ? views.filter((v) => v.status === a.status) : views).slice(0, limit);
  }

  async getVisit(visitId: string): Promise<VisitView | null> {
    const [id] = this.check('getVisit', [visitId]);
    return this.viewOf(id);
  }

  async getMember(memberId: string): Promise<MemberView | null> {
    const [id] = this.check('getMember', [memberId]);
    const profile = this.q.getProfile(id);
    if (!profile) return null;
    const visits = this.q.visitsOfMember(id).map((v) => this.viewOf(v.id)!);
    const notes: NoteView[] = visits.flatMap((v) => v.notes).sort((a, b) => b.at - a.at);
    return { ...profile, visits, notes };
  }

  async searchMembers(args: z.infer<(typeof DeskCommands)['searchMembers']>[0]): Promise<MemberSearchHit[]> {
    const [a] = this.check('searchMembers', [args]);
    return this.q.search.search(a.query, a.limit ?? 20);
  }

  // --- DeskApi: clerk actions (queued in the outbox, shown at once as pending) -----------------

  async claimVisit(visitId: string): Promise<ActionResult> {
    const [id] = this.check('claimVisit', [visitId]);
    return this.act('claim', id, { visitId: id });
  }

  async releaseVisit(visitId: string): Promise<ActionResult> {
    const [id] = this.check('releaseVisit', [visitId]);
    return this.act('release', id, { visitId: id });
  }

  async addNote(visitId: string, text: string): Promise<ActionResult> {
    const [id, note] = this.check('addNote', [visitId, text]);
    // The note's id is made here, so the clerk's note and HQ's confirmed note are the same row.
    return this.act('note', id, { visitId: id, noteId: uuidv7(), text: note });
  }

  async closeVisit(visitId: string, outcome: Outcome, note?: string): Promise<ActionResult> {
    const [id, out, text] = this.check('closeVisit', note === undefined ? [visitId, outcome] : [visitId, outcome, note]);
    return this.act('close', id, text === undefined ? { visitId: id, outcome: out } : { visitId: id, outcome: out, note: text });
  }

  async reconnectNow(): Promise<void> {
    this.check('reconnectNow', []);
    if (!this.link) this.start();
    else this.link.reconnectNow();
  }

  // --- DeskApi: chat (issue 3) ----------------------------------------------------------------

  async listConversations(args: z.infer<(typeof DeskCommands)['listConversations']>[0]): Promise<ConversationView[]> {
    const [a] = this.check('listConversations', [args]);
    const limit = a.limit ?? 100;
    const rows = this.q.chat.listConversations(limit);
    const ids = new Set(rows.map((r) => r.memberId));
    // Conversations begun offline exist only in the outbox so far.
    const extra = this.q.listOps().map((o) => memberOfSubject(o.visitId)).filter((m): m is string => m !== null && !ids.has(m));
    const views = [...rows.map((r) => r.memberId), ...new Set(extra)].map((memberId) => {
      const page = this.conversationPage(memberId, undefined, 1);
      const last = page.messages[page.messages.length - 1] ?? null;
      return {
        memberId,
        member: this.q.getMember(memberId) ? memberSummary(this.q.getMember(memberId), memberId) : null,
        last,
        lastAt: last?.at ?? 0,
        unread: page.unread,
        online: page.online,
        typing: page.typing,
      };
    });
    return views.sort((x, y) => y.lastAt - x.lastAt).slice(0, limit);
  }

  async getConversation(memberId: string, page?: z.infer<(typeof DeskCommands)['getConversation']>[1]): Promise<ConversationPage> {
    const [id, p] = this.check('getConversation', page === undefined ? [memberId] : [memberId, page]);
    const limit = p?.limit ?? 30;
    let view = this.conversationPage(id, p?.before, limit);
    // Older history than the cache holds comes from HQ (then it is cached), when HQ is reachable.
    const confirmed = view.messages.filter((m) => !m.pending);
    const oldest = confirmed[0]?.n ?? p?.before ?? (this.q.chat.getConversation(id)?.lastN ?? 0) + 1;
    if (confirmed.length < limit && oldest > 1 && this.session === 'live') {
      try {
        const h = await fetchHistory(this.hq, this.opts.token, id, oldest, limit - confirmed.length);
        this.q.tx(() => {
          for (const m of h.messages) if (!this.q.chat.getMessage(m.id)) this.q.chat.putMessage(m);
        });
        view = this.conversationPage(id, p?.before, limit);
      } catch (err) {
        this.log(`desk: history for ${id}: ${(err as Error).message}`);
      }
    }
    return view;
  }

  async sendMessage(memberId: string, message: OutgoingMessage): Promise<SendResult> {
    const [id, msg] = this.check('sendMessage', [memberId, message]);
    if (!this.q.getMember(id)) throw new DeskError('not_found', `no member ${id} in this desk's cache`);
    const clientId = uuidv7();
    let data: Record<string, unknown>;
    if (msg.kind === 'text') data = { memberId: id, clientId, kind: 'text', text: msg.text };
    else if (msg.kind === 'product') data = { memberId: id, clientId, kind: 'product', styleId: msg.styleId };
    else {
      const bytes = Buffer.from(msg.dataBase64, 'base64');
      const checked = checkImage(bytes);
      if (!checked.ok) throw new DeskError('invalid_argument', `sendMessage: ${checked.message}`);
      const uploadId = uuidv7();
      this.q.tx(() => this.q.chat.putUpload(uploadId, checked.mime, bytes, Date.now()));
      data = { memberId: id, clientId, kind: 'image', uploadId, mime: checked.mime, bytes: bytes.length };
    }
    const { opId } = this.actChat('chat.send', id, data);
    return { opId, clientId };
  }

  async retryMessage(clientId: string): Promise<ActionResult> {
    const [cid] = this.check('retryMessage', [clientId]);
    const op = this.q.listOps().find((o) => o.type === 'chat.send' && o.data.clientId === cid);
    if (!op) throw new DeskError('not_found', 'no such unsent message');
    if (op.state !== 'rejected') return { opId: op.opId };
    // Same clientId under a new opId: HQ keeps it one message whatever happened to the first try.
    const memberId = String(op.data.memberId);
    this.q.tx(() => this.q.deleteOp(op.opId));
    return this.actChat('chat.send', memberId, op.data);
  }

  async recallMessage(memberId: string, messageId: string): Promise<ActionResult> {
    const [mid, msgId] = this.check('recallMessage', [memberId, messageId]);
    const m = this.q.chat.getMessage(msgId);
    if (!m || m.memberId !== mid) throw new DeskError('not_found', 'no such message');
    if (m.from !== 'clerk' || m.by?.deviceId !== this.self().deviceId) throw new DeskError('not_allowed', 'only the counter that sent a message can recall it');
    return this.actChat('chat.recall', mid, { memberId: mid, messageId: msgId });
  }

  async markRead(memberId: string): Promise<ActionResult | null> {
    const [mid] = this.check('markRead', [memberId]);
    const upTo = this.q.chat.newestMemberN(mid);
    const receipts = localReceipts(this.q.chat.getConversation(mid)?.receipts ?? NO_RECEIPTS, this.q.opsOfVisit(chatSubject(mid)));
    if (upTo === 0 || receipts.storeRead >= upTo) return null;
    return this.actChat('chat.read', mid, { memberId: mid, upTo });
  }

  async setTyping(memberId: string, typing: boolean): Promise<void> {
    const [mid, on] = this.check('setTyping', [memberId, typing]);
    if (this.session === 'live') this.link?.send({ t: 'signal', kind: 'typing', memberId: mid, data: { on } });
  }

  // --- DeskApi: clerks and the manager's view (issue 5) -----------------------------------------

  async signIn(clerkId: string, pin: string): Promise<SignInResult> {
    const [id, p] = this.check('signIn', [clerkId, pin]);
    return this.clerks.signIn(id, p, this.connection.status === 'online');
  }

  async signOut(): Promise<ClerkState> {
    this.check('signOut', []);
    return this.clerks.signOut();
  }

  async lock(): Promise<ClerkState> {
    this.check('lock', []);
    return this.clerks.lock();
  }

  async listClerks(): Promise<ClerkPublic[]> {
    this.check('listClerks', []);
    return this.clerks.list();
  }

  async currentClerk(): Promise<ClerkState> {
    this.check('currentClerk', []);
    return this.clerks.state();
  }

  async managerReport(args: ReportArgs): Promise<VisitReport> {
    const [a] = this.check('managerReport', [args]);
    this.requireManager();
    const session = this.clerks.activeSession();
    if (session && this.connection.status === 'online') {
      try {
        return await this.reports.fromHq(this.hq, { ...this.clerks.auth(), 'x-clerk-session': session }, a);
      } catch (err) {
        this.log(`desk: report from HQ failed, using the cache: ${(err as Error).message}`);
      }
    }
    return this.reports.fromCache(a);
  }

  async managerTimeline(visitId: string): Promise<VisitTimeline | null> {
    const [id] = this.check('managerTimeline', [visitId]);
    this.requireManager();
    // Online with a manager session HQ builds it (every message, even ones this desk never cached).
    const session = this.clerks.activeSession();
    if (session && this.connection.status === 'online') {
      try {
        const fromHq = await this.reports.timelineFromHq(this.hq, { ...this.clerks.auth(), 'x-clerk-session': session }, id);
        if (fromHq) return fromHq;
      } catch (err) {
        this.log(`desk: timeline from HQ failed, using the cache: ${(err as Error).message}`);
      }
    }
    return this.reports.timeline(id);
  }

  private requireManager(): void {
    const clerk = this.clerks.active();
    if (clerk?.role !== 'manager') throw new DeskError('not_allowed', 'the manager view is for a signed-in store manager');
  }

  /** The signed-in clerk goes with the queued action, so HQ records who acted even if it is sent later. */
  private withClerk(data: Record<string, unknown>): Record<string, unknown> {
    const clerk = this.clerks.active();
    return clerk ? { ...data, clerkId: clerk.id } : data;
  }

  async getImage(imageId: string): Promise<ChatImage | null> {
    const [id] = this.check('getImage', [imageId]);
    if (id.startsWith('local:')) {
      const u = this.q.chat.getUpload(id.slice(6));
      return u ? { mime: u.mime, dataBase64: u.bytes.toString('base64') } : null;
    }
    const cached = this.q.chat.getImage(id);
    if (cached) return { mime: cached.mime, dataBase64: cached.bytes.toString('base64') };
    try {
      const img = await downloadImage(this.hq, this.opts.token, id);
      this.q.tx(() => this.q.chat.putImage(id, img.mime, img.bytes, Date.now()));
      return { mime: img.mime, dataBase64: img.bytes.toString('base64') };
    } catch (err) {
      this.log(`desk: image ${id}: ${(err as Error).message}`);
      return null;
    }
  }

  /** One page of a conversation from the cache, with the outbox overlaid. */
  private conversationPage(memberId: string, before: number | undefined, limit: number): ConversationPage {
    const ops = this.q.opsOfVisit(chatSubject(memberId));
    const conv = this.q.chat.getConversation(memberId);
    const receipts = localReceipts(conv?.receipts ?? NO_RECEIPTS, ops);
    const self = this.self();
    const confirmed = this.q.chat.page(memberId, before, limit);
    let messages = confirmed.map((m) => confirmedView(m, receipts, self));
    if (before === undefined) {
      const cachedIds = new Set(confirmed.filter((m) => m.from === 'clerk').map((m) => m.clientId));
      messages.push(
        ...pendingViews(ops, {
          storeId: this.q.getIdentity()?.storeId ?? '',
          memberId,
          self,
          recommendations: this.q.getProfile(memberId)?.recommendations ?? [],
          hasClientId: (cid) => cachedIds.has(cid),
        }),
      );
    }
    messages = applyRecalls(messages, ops);
    return {
      memberId,
      messages,
      hasMore: (confirmed[0]?.n ?? 1) > 1,
      receipts,
      unread: this.q.chat.unread(memberId, receipts.storeRead),
      online: this.online.has(memberId),
      typing: this.typing.has(memberId),
    };
  }

  private actChat(type: Extract<CommandType, `chat.${string}`>, memberId: string, data: Record<string, unknown>): ActionResult {
    this.assertOpen();
    const opId = uuidv7();
    this.write(() => this.q.insertOp({ opId, type, visitId: chatSubject(memberId), data: this.withClerk(data), createdAt: Date.now() }), true);
    this.emitChat(memberId, null);
    this.refreshConnection();
    if (this.session === 'live') this.flush();
    return { opId };
  }

  private emitChat(memberId: string, incomingId: string | null): void {
    const page = this.conversationPage(memberId, undefined, 30);
    const incoming = incomingId ? (page.messages.find((m) => m.id === incomingId) ?? null) : null;
    this.emit('chat', { memberId, messages: page.messages, incoming });
  }

  private onSignal(f: SignalFrame): void {
    if (!f.memberId) return;
    const memberId = f.memberId;
    if (f.kind === 'presence') {
      const online = f.data?.online === true;
      if (online === this.online.has(memberId)) return;
      if (online) this.online.add(memberId);
      else this.online.delete(memberId);
      this.emit('chatPresence', { memberId, online });
      if (!online) this.setMemberTyping(memberId, false);
    } else if (f.kind === 'typing' && f.data?.from === 'member') {
      this.setMemberTyping(memberId, f.data.on === true);
    }
  }

  private setMemberTyping(memberId: string, on: boolean): void {
    const timer = this.typing.get(memberId);
    if (timer) clearTimeout(timer);
    if (on) {
      const t = setTimeout(() => this.setMemberTyping(memberId, false), TYPING_TTL_MS);
      t.unref();
      this.typing.set(memberId, t);
      if (!timer) this.emit('chatTyping', { memberId, typing: true });
    } else if (timer) {
      this.typing.delete(memberId);
      this.emit('chatTyping', { memberId, typing: false });
    }
  }

  /** Uploads the image of a queued message, then lets the flush go on; failures retry or reject. */
  private startUpload(op: ReturnType<CacheQueries['listOps']>[number]): void {
    if (this.uploading.has(op.opId)) return;
    this.uploading.add(op.opId);
    const uploadId = String(op.data.uploadId);
    const local = this.q.chat.getUpload(uploadId);
    const done = () => this.uploading.delete(op.opId);
    if (!local) {
      done();
      this.q.tx(() => this.q.markRejected(op.opId, { code: 'invalid', message: 'the image of this message is gone' }));
      this.emitChat(String(op.data.memberId), null);
      return;
    }
    const finish = (remoteId: string) => {
      this.q.tx(() => {
        this.q.chat.setUploaded(uploadId, remoteId);
        this.q.chat.setOpData(op.opId, { ...op.data, imageId: remoteId });
        this.q.chat.putImage(remoteId, local.mime, local.bytes, Date.now());
      });
      done();
      if (this.session === 'live') this.flush();
    };
    if (local.remoteId) return finish(local.remoteId);
    uploadImage(this.hq, this.opts.token, local.bytes, local.mime).then(
      (ref) => {
        if (!this.closed) finish(ref.id);
      },
      (err: unknown) => {
        done();
        if (this.closed) return;
        if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
          this.q.tx(() => this.q.markRejected(op.opId, { code: 'invalid', message: (err as Error).message }));
          this.emitChat(String(op.data.memberId), null);
          if (this.session === 'live') this.flush();
          return;
        }
        this.log(`desk: image upload: ${(err as Error).message}; retrying`);
        this.uploadRetry ??= setTimeout(() => {
          this.uploadRetry = null;
          if (this.session === 'live') this.flush();
        }, 2000);
      },
    );
  }

  /** The clerk has read a rejection: stop showing it (the refused ops leave the outbox). */
  async dismissRejection(visitId: string): Promise<VisitView | null> {
    const [id] = this.check('getVisit', [visitId]);
    this.q.tx(() => this.q.deleteRejectedOfVisit(id));
    this.emitVisits([id]);
    return this.viewOf(id);
  }

  on<E extends DeskEventName>(event: E, listener: (payload: DeskEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  // --- link session ---------------------------------------------------------------------------

  private onOpen(): void {
    this.applyQueuedEvents();
    this.session = 'hello';
    this.sentOnThisLink.clear();
    const position = this.q.getPosition();
    // No epoch yet means a fresh cache: hello without resume, and HQ answers with reset.
    this.link!.send({ t: 'hello', v: PROTOCOL_VERSION, ...(position.epoch ? { resume: position } : {}) });
  }

  private onDown(reason: string): void {
    this.applyQueuedEvents();
    if (this.session !== 'none') this.log(`desk: link down (${reason})`);
    this.session = 'none';
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    // Presence and typing are only known while connected.
    for (const memberId of [...this.online]) this.onSignal({ t: 'signal', kind: 'presence', memberId, data: { online: false } });
    this.refreshConnection();
  }

  private onFrame(frame: HqToDesk): void {
    try {
      this.handleFrame(frame);
    } catch (err) {
      // A disk fault while applying HQ's frames: nothing was half-applied (one transaction), the
      // position did not move, so resuming later replays exactly what is missing.
      if (!this.storageFailed(err)) throw err;
      this.link?.drop(`storage: ${this.storageHealth.message ?? 'write failed'}`);
    }
  }

  private handleFrame(frame: HqToDesk): void {
    if (this.closed) return;
    if (frame.t === 'ev' || frame.t === 'cmdAck') return this.queueEvent(frame);
    // Frames are handled in the order they arrived: events received before this one go first.
    this.applyQueuedEvents();
    switch (frame.t) {
      case 'welcome':
        return this.onWelcome(frame);
      case 'reset':
        return void this.onReset(frame);
      case 'head':
        return this.onHead(frame);
      case 'error':
        this.log(`desk: HQ error ${frame.code}: ${frame.message}`);
        this.connection.lastError = `${frame.code}: ${frame.message}`;
        return;
      case 'signal':
        return this.onSignal(frame);
    }
  }

  private onWelcome(w: WelcomeFrame): void {
    if (this.session !== 'hello') return this.link!.drop('unexpected second welcome');
    const cached = this.q.getIdentity();
    if (cached && cached.storeId !== w.storeId) {
      // The token belongs to another store than this cache: never mix stores; HQ's reset rebuilds it.
      this.log(`desk: cache was for store ${cached.storeId}, token is for ${w.storeId}`);
      this.q.tx(() => this.q.setPosition({ epoch: '', seq: 0 }));
    }
    this.q.tx(() =>
      this.q.setIdentity({ storeId: w.storeId, storeName: w.storeName, deviceId: w.deviceId, deviceName: w.deviceName, hqUrls: [...this.hq.urls] }),
    );
    // HTTP calls (snapshot, clerks, history…) follow the link to the node that just welcomed it.
    this.hq.use(this.link!.url);
    this.head = w.head;
    this.welcomeHead = w.head;
    this.link!.healthy(w.heartbeatMs);
    void this.clerks.refresh(); // the store's clerks, for offline sign-in
    const position = this.q.getPosition();
    if (position.epoch === w.epoch && position.seq <= w.head) {
      this.session = 'replay';
      this.consecutiveResets = 0;
      this.maybeGoLive();
    } else {
      this.session = 'awaitReset';
    }
    this.refreshConnection();
  }

  private async onReset(r: ResetFrame): Promise<void> {
    if (this.session === 'resetting') return;
    this.session = 'resetting';
    this.consecutiveResets++;
    this.log(`desk: reset (${r.reason}), loading snapshot`);
    const link = this.link!;
    try {
      const snap = await fetchSnapshot(this.hq, this.opts.token);
      if (this.closed) return;
      const identity = this.q.getIdentity();
      if (identity && identity.storeId !== snap.storeId) throw new Error(`snapshot is for store ${snap.storeId}, not ${identity.storeId}`);
      applySnapshot(this.q, snap);
      this.stats.resets++;
      this.head = Math.max(snap.position.seq, r.epoch === snap.position.epoch ? r.head : 0);
      this.emit('reset', { at: Date.now() });
      this.refreshConnection();
      // Resume from the snapshot's position on a fresh connection: events sent on this one while
      // we loaded were ignored and will be replayed. A second reset in a row backs off instead.
      link.drop('resuming after snapshot', this.consecutiveResets <= 1 ? { delayMs: 0 } : {});
    } catch (err) {
      const msg = (err as Error).message;
      if (err instanceof HttpStatusError && err.status === 401) this.connection.lastError = 'unauthorized';
      link.drop(`snapshot failed: ${msg}`);
    }
  }

  /**
   * Events are applied in batches: every `ev` frame that arrives before the event loop turns
   * (setImmediate) commits in one SQLite transaction, each event still moving the position in
   * order. The cache is on synchronous=FULL, so one commit per event was one fsync per event:
   * a 10,000-event resume took ~11 s (bench/resume.ts); batched it is well under the 2 s target.
   * Live traffic is a frame or two at a time, so the batch adds no measurable latency there.
   * `cmdAck` frames join the same batch (an outbox flush of 1,000 ops gets 1,000 acks in a burst;
   * one transaction each was an fsync each, bench/outbox.ts), still settled in arrival order.
   */
  private queueEvent(ev: EvFrame | CmdAckFrame): void {
    if (ev.t === 'ev' && (this.session === 'resetting' || this.session === 'hello')) return;
    this.eventQueue.push(ev);
    this.eventFlush ??= setImmediate(() => this.applyQueuedEvents());
  }

  private applyQueuedEvents(): void {
    if (this.eventFlush) clearImmediate(this.eventFlush);
    this.eventFlush = null;
    const batch = this.eventQueue;
    if (batch.length === 0 || this.closed) return;
    this.eventQueue = [];
    const outcomes: ({ ev: EvFrame; out: ReturnType<typeof applyEvent> } | { ack: CmdAckFrame; op: OutboxOp; settled: boolean })[] = [];
    let failure: Error | null = null;
    try {
      this.q.tx(() => {
        for (const ev of batch) {
          if (ev.t === 'cmdAck') {
            const settled = this.settleAck(ev);
            if (settled) outcomes.push({ ack: ev, ...settled });
            continue;
          }
          let out;
          try {
            out = applyEvent(this.q, ev); // joins this transaction (a savepoint per event)
          } catch (err) {
            failure = err as Error;
            return;
          }
          outcomes.push({ ev, out });
          if (out.kind === 'gap') return; // never apply past a hole
        }
      });
    } catch (err) {
      // The batch did not commit: nothing of it was applied and the position did not move, so the
      // next connection resumes from it. SQLite rolls a transaction back by itself on SQLITE_FULL
      // (the commit then fails with "no transaction is active"), so the event's own error says why.
      const fault = this.storageFailed(failure ?? err) ?? this.storageFailed(err);
      this.log(`desk: could not apply events: ${((failure ?? err) as Error).message}`);
      this.link?.drop(fault ? `storage: ${fault.message}` : 'could not apply events');
      return;
    }
    if (outcomes.length && !failure) this.storageRecovered();
    const changed = new Set<string>();
    const chatChanged = new Set<string>();
    // A new visit's view is built once for its `arrival` and again for `visits` at the end unless
    // kept: a 10,000-event resume spent 14% of its time in viewOf. Kept only while no clerk write
    // (e.g. a listener claiming on `arrival`) has happened since, or the views would be stale.
    const views = new Map<string, VisitView | null>();
    const writesBefore = this.writes;
    let events = 0;
    let clerksChanged = false;
    for (const o of outcomes) {
      if ('ack' in o) {
        const { ack, op, settled } = o;
        this.sentOnThisLink.delete(ack.opId);
        views.delete(op.visitId); // its confirmed flag changes below
        if (ack.status === 'rejected') {
          this.confirmedLocally.delete(op.visitId);
          this.log(`desk: ${op.type} on ${op.visitId} rejected: ${ack.rejection?.message ?? ''}`);
        } else if (settled) this.confirmedLocally.add(op.visitId);
        const chatMember = memberOfSubject(op.visitId);
        if (chatMember) chatChanged.add(chatMember);
        else changed.add(op.visitId);
        continue;
      }
      const { ev, out } = o;
      events++;
      if (out.kind === 'duplicate') {
        this.stats.duplicates++;
        continue;
      }
      if (out.kind === 'gap') {
        this.stats.gaps++;
        // Reconnect and resume from what we have.
        this.link?.drop(`gap: at ${out.position.epoch}:${out.position.seq}, got ${out.got.epoch}:${out.got.seq}`);
        break;
      }
      this.stats.applied++;
      this.head = Math.max(this.head, ev.seq);
      if (out.settledOpId) {
        this.sentOnThisLink.delete(out.settledOpId);
        for (const id of out.visitIds) {
          this.confirmedLocally.add(id);
          views.delete(id);
        }
      }
      for (const id of out.visitIds) changed.add(id);
      if (out.arrivalVisitId && !this.alerted.has(out.arrivalVisitId)) {
        this.rememberAlert(out.arrivalVisitId);
        const visit = this.viewOf(out.arrivalVisitId);
        views.set(out.arrivalVisitId, visit);
        if (visit) this.emit('arrival', { visit });
      }
      for (const memberId of out.memberIds) this.emit('member', { memberId });
      if (out.clerks) clerksChanged = true;
      if (out.chat) {
        if (out.chat.incoming) this.setMemberTyping(out.chat.memberId, false);
        this.emitChat(out.chat.memberId, out.chat.incoming ? out.chat.messageId : null);
      }
    }
    if (changed.size) this.emitVisits([...changed], this.writes === writesBefore ? views : undefined);
    for (const memberId of chatChanged) this.emitChat(memberId, null);
    // A clerk was added, disabled or got a new PIN at HQ: refetch the list (signs out a disabled clerk).
    if (clerksChanged) void this.clerks.refresh();
    if (failure) {
      this.storageFailed(failure); // a disk fault is shown to the clerk; the rest is logged
      this.log(`desk: could not apply an event: ${(failure as Error).message}`);
      this.link?.drop('could not apply an event');
      return;
    }
    if (events) {
      this.scheduleAck();
      this.maybeGoLive(); // reads the whole outbox when live: not once per ack batch of a flush
    }
    this.refreshConnection();
  }

  /**
   * Settles an op HQ answered, inside the batch's transaction. Null when it was already settled by
   * its event; `settled` when it left the outbox (its effect is in the confirmed state).
   */
  private settleAck(ack: CmdAckFrame): { op: OutboxOp; settled: boolean } | null {
    const op = this.q.getOp(ack.opId);
    if (!op) return null; // already settled by its event
    if (ack.status === 'rejected') {
      this.q.markRejected(op.opId, ack.rejection ?? { code: 'invalid', message: 'HQ refused this action' });
      return { op, settled: false };
    }
    if (ack.status === 'duplicate' || ack.seq == null || ack.seq <= this.q.getPosition().seq) {
      // duplicate: HQ applied it on an earlier send; its event was delivered or will be replayed.
      this.q.deleteOp(op.opId);
      return { op, settled: true };
    }
    // ok, but its event is still on the way: keep overlaying until it is applied.
    this.q.markAcked(op.opId, ack.seq);
    return { op, settled: false };
  }

  private onHead(h: HeadFrame): void {
    const position = this.q.getPosition();
    if (h.epoch !== position.epoch) {
      if (this.session === 'live') this.link!.drop('HQ is in another epoch');
      return;
    }
    this.head = Math.max(this.head, h.seq);
    // Frames on one socket arrive in order, so a head above our position normally means the
    // events are right behind it. Lagging at the same position on two heads in a row means they
    // are not coming: resume.
    if (this.session === 'live' && h.seq > position.seq) {
      if (this.lastLagPosition === position.seq) this.link!.drop(`lagging: head ${h.seq}, position ${position.seq}`);
      this.lastLagPosition = position.seq;
    } else this.lastLagPosition = null;
    this.refreshConnection();
  }

  /** Once the replay has reached welcome.head, flush the outbox and go live. */
  private maybeGoLive(): void {
    if (this.session === 'replay' && this.q.getPosition().seq >= this.welcomeHead) {
      this.session = 'live';
      // Who has the chat open right now (HQ answers with presence signals).
      this.link!.send({ t: 'signal', kind: 'presence' });
      this.refreshConnection();
    }
    if (this.session === 'live') this.flush();
  }

  /** Sends every pending op not yet sent on this connection, in the order the clerk acted. */
  private flush(): void {
    for (const op of this.q.listOps()) {
      if (op.state !== 'pending' || this.sentOnThisLink.has(op.opId)) continue;
      // An image message waits for its upload, and so does everything after it: order is kept.
      if (op.type === 'chat.send' && op.data.kind === 'image' && !op.data.imageId) return this.startUpload(op);
      const { clerkId, ...opData } = op.data;
      const data = op.type === 'chat.send' ? chatSendData(opData) : opData;
      const sent = this.link!.send({ t: 'cmd', opId: op.opId, type: op.type, data, ...(typeof clerkId === 'string' ? { clerkId } : {}) } as never);
      if (!sent) return;
      this.sentOnThisLink.add(op.opId);
      this.stats.commandsSent++;
    }
  }

  private act(type: CommandType, visitId: string, data: Record<string, unknown>): ActionResult {
    this.assertOpen();
    if (!this.q.getVisit(visitId)) throw new DeskError('not_found', `no visit ${visitId} in this desk's cache`);
    const opId = uuidv7();
    this.write(() => this.q.insertOp({ opId, type, visitId, data: this.withClerk(data), createdAt: Date.now() }), true);
    // The clerk's own action supersedes an old rejection on the same visit.
    this.confirmedLocally.delete(visitId);
    this.emitVisits([visitId]);
    this.refreshConnection();
    if (this.session === 'live') this.flush();
    return { opId };
  }

  // --- acks -----------------------------------------------------------------------------------

  private scheduleAck(): void {
    if (this.ackTimer) return;
    const every = this.opts.ackEveryMs ?? 1000;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.sendAck();
    }, Math.max(0, this.lastAckAt + every - Date.now()));
  }

  /** Cumulative ack of the position, when it moved and the link is past hello. */
  private sendAck(): void {
    if (this.closed || !this.link || this.session === 'none' || this.session === 'hello' || this.session === 'resetting') return;
    const seq = this.q.getPosition().seq;
    if (seq <= this.ackedSeq && this.lastAckAt) return;
    if (this.link.send({ t: 'ack', seq })) {
      this.ackedSeq = seq;
      this.lastAckAt = Date.now();
    }
  }

  // --- views and events -----------------------------------------------------------------------

  private self(): Actor {
    const id = this.q.getIdentity();
    return { deviceId: id?.deviceId ?? 'this-desk', deviceName: id?.deviceName ?? 'This desk' };
  }

  private viewOf(visitId: string): VisitView | null {
    const visit = this.q.getVisit(visitId);
    if (!visit) return null;
    return visitView(visit, this.q.getMember(visit.memberId), this.q.opsOfVisit(visitId), this.self(), this.confirmedLocally.has(visitId), (id) =>
      this.clerks.nameOf(id),
    );
  }

  private emitVisits(ids: string[], known?: Map<string, VisitView | null>): void {
    const visits = ids.map((id) => (known?.has(id) ? known.get(id)! : this.viewOf(id))).filter((v): v is VisitView => v !== null);
    if (visits.length) this.emit('visits', { visits });
  }

  private rememberAlert(visitId: string): void {
    this.alerted.add(visitId);
    // Bounded: a desk left running for months must not grow this forever. Old visits never
    // re-arrive as `arrival` events outside a replay window this large.
    if (this.alerted.size > ARRIVAL_ALERT_MEMORY) this.alerted.delete(this.alerted.values().next().value!);
  }

  private refreshConnection(): void {
    if (this.closed) return;
    const phase = this.link?.phase ?? 'idle';
    const status: ConnectionState['status'] =
      phase === 'open' && this.session === 'live' ? 'online' : phase === 'open' || phase === 'connecting' ? 'connecting' : 'offline';
    const position = this.q.getPosition().seq;
    const next: ConnectionState = {
      status,
      queued: this.q.countQueued(),
      since: status === this.connection.status ? this.connection.since : Date.now(),
      retryAt: phase === 'waiting' ? (this.link?.retryAt ?? null) : null,
      lastError: this.link?.lastError ?? this.connection.lastError,
      head: Math.max(this.head, position),
      position,
      storage: this.storageHealth,
    };
    const prev = this.connection;
    if (
      prev.status === next.status &&
      prev.queued === next.queued &&
      prev.retryAt === next.retryAt &&
      prev.lastError === next.lastError &&
      prev.head === next.head &&
      prev.position === next.position &&
      prev.storage === next.storage
    )
      return;
    this.connection = next;
    this.emit('connection', { ...next });
  }

  private emit<E extends DeskEventName>(event: E, payload: DeskEvents[E]): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        (fn as (p: DeskEvents[E]) => void)(payload);
      } catch (err) {
        this.log(`desk: '${event}' listener threw: ${(err as Error).message}`);
      }
    }
  }

  // --- argument checks ------------------------------------------------------------------------

  /** Validates a DeskApi call's arguments with the shared DeskCommands schema. */
  private check<N extends DeskCommandName>(name: N, args: unknown[]): z.infer<(typeof DeskCommands)[N]> {
    this.assertOpen();
    const parsed = DeskCommands[name].safeParse(args);
    if (!parsed.success) throw new DeskError('invalid_argument', `${name}: ${describeIssues(parsed.error)}`);
    return parsed.data as z.infer<(typeof DeskCommands)[N]>;
  }

  private assertOpen(): void {
    if (this.closed) throw new DeskError('storage', 'the desk cache is closed');
  }
}

/** The wire form of a queued chat.send (local bookkeeping such as uploadId stays on the desk). */
function chatSendData(d: Record<string, unknown>): Record<string, unknown> {
  const base = { memberId: d.memberId, clientId: d.clientId, kind: d.kind };
  if (d.kind === 'text') return { ...base, text: d.text };
  if (d.kind === 'product') return { ...base, styleId: d.styleId };
  return { ...base, imageId: d.imageId };
}
