// The desk cache's typed SQL surface for position and identity, members, visits and the outbox:
// each statement prepared once, behind a named function (as in Signal Desktop's sql/Server), so
// callers never see SQL. The other tables keep their SQL next to their owner the same way: chat in
// chat/chatQueries.ts (reached as `q.chat`), search terms in search.ts, clerks in clerks/, and the
// retention purge and member erasure in privacy.ts.
import type Database from 'better-sqlite3';
import type { DeskIdentity, VisitNotice } from '../../../shared/deskApi.ts';
import type { ImageMime, Member, MemberProfile, Note, Visit, VisitStatus } from '../../../shared/domain.ts';
import type { CommandPayload, CommandType, Position, Rejection } from '../../../shared/protocol.ts';
import { memberCodeKey, MemberSearch } from './search.ts';
import { ChatQueries } from '../chat/chatQueries.ts';
import { TaskQueries } from '../tasks/taskQueries.ts';
import { HoldQueries } from '../holds/holdQueries.ts'; // 4/8 part C
import { ExpectedQueries } from '../expected/expectedQueries.ts'; // 5/8 expected visits
import { HandoverQueries } from '../assist/handoverQueries.ts'; // 7/8 assistant
import { GroupQueries } from '../groups/groupQueries.ts'; // 5/8 groups
import { LiveQueries } from '../live/liveQueries.ts'; // 6/8 live rooms
import { RestockQueries } from '../restock/restockQueries.ts'; // 7/8 restock
import { MarkQueries } from '../assist/markQueries.ts'; // 7/8 card: suggestion marks
import { type OwnPart, SuggestedStyles } from './suggestedStyles.ts'; // 8/8 a suggestion's catalog part once per style
import type { CheckpointerStats, WalCheckpointer } from '../../../shared/node/walCheckpointer.ts';

/** The identity row as stored; a cache from before HQ had several addresses holds one `hqUrl`. */
export function identityFromJson(json: string): DeskIdentity {
  const { hqUrl, hqUrls, ...rest } = JSON.parse(json) as DeskIdentity & { hqUrl?: string };
  return { ...rest, hqUrls: hqUrls ?? (hqUrl ? [hqUrl] : []) };
}

export type OpState = 'pending' | 'acked' | 'rejected';

/**
 * A queued chat.send as the outbox keeps it. Text and product cards are the command's payload; an
 * image is kept as a local upload (uploadId, mime, bytes) and gets HQ's `imageId` once uploaded.
 */
export type QueuedChatSend =
  | Exclude<CommandPayload<'chat.send'>, { kind: 'image' }>
  | { memberId: string; clientId: string; kind: 'image'; uploadId: string; mime: ImageMime; bytes: number; imageId?: string };

/** What an op of type T carries: the protocol's payload for T, and the clerk who acted, if signed in. */
export type OpData<T extends CommandType> = (T extends 'chat.send' ? QueuedChatSend : CommandPayload<T>) & { clerkId?: string };

/** A clerk action to queue: `visitId` is its subject (a visit id, or chat:<memberId> for chat). */
export type NewOp = { [T in CommandType]: { opId: string; type: T; visitId: string; data: OpData<T>; createdAt: number } }[CommandType];

/** One clerk action in the outbox (a union over the command types, so `data` narrows with `type`). */
export type OutboxOp = {
  [T in CommandType]: {
    opId: string;
    ordinal: number;
    type: T;
    visitId: string;
    data: OpData<T>;
    createdAt: number;
    state: OpState;
    ackedSeq: number | null;
    rejection: Rejection | null;
  };
}[CommandType];

/** The outbox op of one command type. */
export type OpOf<T extends CommandType> = Extract<OutboxOp, { type: T }>;

interface OpRow {
  op_id: string;
  ordinal: number;
  type: CommandType;
  visit_id: string;
  data: string;
  created_at: number;
  state: OpState;
  acked_seq: number | null;
  rejection: string | null;
}

// The row's type column says which payload its JSON holds (it was written from a NewOp of that type).
const toOp = (r: OpRow): OutboxOp =>
  ({
    opId: r.op_id,
    ordinal: r.ordinal,
    type: r.type,
    visitId: r.visit_id,
    data: JSON.parse(r.data) as unknown,
    createdAt: r.created_at,
    state: r.state,
    ackedSeq: r.acked_seq,
    rejection: r.rejection ? (JSON.parse(r.rejection) as Rejection) : null,
  }) as OutboxOp;

export interface VisitFilter {
  from?: number;
  to?: number;
  status?: VisitStatus;
  limit?: number;
}

/** Visits are stored without notes (notes have their own table); this puts them back together. */
type StoredVisit = Omit<Visit, 'notes'>;

/** A PASSIVE WAL checkpoint runs after this long without a transaction. */
export const CHECKPOINT_IDLE_MS = 1000;

export class CacheQueries {
  readonly search: MemberSearch;
  /** Chat tables (migration 003). */
  readonly chat: ChatQueries;
  /** Follow-up tasks (migration 011). */
  readonly tasks: TaskQueries;
  /** Hold tables (migration 010, 4/8 part C). */
  readonly holds: HoldQueries;
  /** Expected visits (migration 014, 5/8). */
  readonly expected: ExpectedQueries;
  readonly handovers: HandoverQueries; // 7/8 assistant
  /** Group tables (migration 013, 5/8). */
  readonly groups: GroupQueries;
  /** Live rooms (migration 015, 6/8). */
  readonly live: LiveQueries;
  /** 7/8 restock: restock matches (migration 017). */
  readonly restock: RestockQueries;
  /** Suggestion marks (migration 016, 7/8 card). */
  readonly marks: MarkQueries;
  private readonly styles: SuggestedStyles;
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.search = new MemberSearch(db);
    this.chat = new ChatQueries(db);
    this.tasks = new TaskQueries(db);
    this.holds = new HoldQueries(db);
    this.expected = new ExpectedQueries(db);
    this.handovers = new HandoverQueries(db); // 7/8 assistant
    this.groups = new GroupQueries(db);
    this.live = new LiveQueries(db);
    this.restock = new RestockQueries(db); // 7/8 restock
    this.marks = new MarkQueries(db); // 7/8 card
    this.styles = new SuggestedStyles(db);
    // Prepared once; better-sqlite3 statements are cheap to keep and re-run.
    this.s = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),

      // `terms`: the member's search terms as member_terms holds them (search.ts, migration 020);
      // `code_key`: its code as a prefix search meets it (migration 021).
      upsertMember: db.prepare<[string, string, string, string, string, number, string, string, string]>(
        `INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json, terms, code_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, name_en = excluded.name_en,
           phone_last4 = excluded.phone_last4, updated_at = excluded.updated_at, json = excluded.json, terms = excluded.terms,
           code_key = excluded.code_key`,
      ),
      getMember: db.prepare<[string], { json: string }>('SELECT json FROM members WHERE id = ?'),
      getMemberTerms: db.prepare<[string], string>('SELECT terms FROM members WHERE id = ?').pluck(),
      // 7/8 card: `next`, the profile's next best action (migration 016), JSON or NULL.
      upsertProfile: db.prepare<[string, string, string, number, string | null]>(
        `INSERT INTO profiles (member_id, purchases, recommendations, received_at, next) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET purchases = excluded.purchases,
           recommendations = excluded.recommendations, received_at = excluded.received_at, next = excluded.next`,
      ),
      getProfile: db.prepare<[string], { purchases: string; recommendations: string; received_at: number; next: string | null }>(
        'SELECT purchases, recommendations, received_at, next FROM profiles WHERE member_id = ?',
      ),

      upsertVisit: db.prepare<[string, string, string, number, number, string]>(
        `INSERT INTO visits (id, member_id, status, arrived_at, last_seen_at, json) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, status = excluded.status,
           arrived_at = excluded.arrived_at, last_seen_at = excluded.last_seen_at, json = excluded.json`,
      ),
      // ON CONFLICT (id) only: any other failure (a NOT NULL) is not ignored but raised, as by upsertVisit.
      insertVisitIfAbsent: db.prepare<[string, string, string, number, number, string]>(
        'INSERT INTO visits (id, member_id, status, arrived_at, last_seen_at, json) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      getVisit: db.prepare<[string], { json: string }>('SELECT json FROM visits WHERE id = ?'),
      listVisits: db.prepare<{ from: number; to: number; status: string | null; limit: number }, { json: string }>(
        `SELECT json FROM visits
          WHERE arrived_at >= :from AND arrived_at <= :to AND (:status IS NULL OR status = :status)
          ORDER BY arrived_at DESC, id DESC LIMIT +:limit`,
      ),
      visitsOfMember: db.prepare<[string], { json: string }>('SELECT json FROM visits WHERE member_id = ? ORDER BY arrived_at DESC'),
      // Many visits' rows in one statement (the ids as a JSON array): a batch's views are built from
      // these, not from five queries per visit (visits.ts `views`).
      visitsByIds: db.prepare<[string], { json: string }>('SELECT json FROM visits WHERE id IN (SELECT value FROM json_each(?))'),
      membersByIds: db.prepare<[string], { id: string; json: string }>('SELECT id, json FROM members WHERE id IN (SELECT value FROM json_each(?))'),
      allVisitIds: db.prepare<[], { id: string }>('SELECT id FROM visits ORDER BY arrived_at, id'),
      countVisits: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM visits'),

      deleteNotesOfVisit: db.prepare<[string]>('DELETE FROM notes WHERE visit_id = ?'),
      insertNote: db.prepare<[string, string, string, number, string]>(
        'INSERT OR REPLACE INTO notes (id, visit_id, member_id, at, json) VALUES (?, ?, ?, ?, ?)',
      ),
      notesOfVisit: db.prepare<[string], { json: string }>('SELECT json FROM notes WHERE visit_id = ? ORDER BY at, id'),
      notesOfVisits: db.prepare<[string], { visit_id: string; json: string }>(
        'SELECT visit_id, json FROM notes WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY at, id',
      ),
      notesOfMember: db.prepare<[string], { json: string }>('SELECT json FROM notes WHERE member_id = ? ORDER BY at DESC, id'),

      nextOrdinal: db.prepare<[], { n: number }>('SELECT COALESCE(MAX(ordinal), 0) + 1 AS n FROM outbox'),
      insertOp: db.prepare<[string, number, string, string, string, number]>(
        "INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at, state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
      ),
      getOp: db.prepare<[string], OpRow>('SELECT * FROM outbox WHERE op_id = ?'),
      listOps: db.prepare<[], OpRow>('SELECT * FROM outbox ORDER BY ordinal'),
      opsOfVisit: db.prepare<[string], OpRow>('SELECT * FROM outbox WHERE visit_id = ? ORDER BY ordinal'),
      opsOfVisits: db.prepare<[string], OpRow>('SELECT * FROM outbox WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY ordinal'),
      deleteOp: db.prepare<[string]>('DELETE FROM outbox WHERE op_id = ?'),
      markAcked: db.prepare<[number | null, string]>("UPDATE outbox SET state = 'acked', acked_seq = ? WHERE op_id = ?"),
      markRejected: db.prepare<[string, string]>("UPDATE outbox SET state = 'rejected', rejection = ? WHERE op_id = ?"),
      deleteRejectedOfVisit: db.prepare<[string]>("DELETE FROM outbox WHERE visit_id = ? AND state = 'rejected'"),
      deleteAckedUpTo: db.prepare<[number]>("DELETE FROM outbox WHERE state = 'acked' AND acked_seq IS NOT NULL AND acked_seq <= ?"),
      countQueued: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state != 'rejected'"),
      // A visit as the clerk sees it is open when HQ has it open or claimed and the outbox does not
      // say otherwise: a queued close (or "left") wins, else the last queued claim, takeover or release (overlay.ts).
      countWaiting: db.prepare<[number], { n: number }>(
        `SELECT COUNT(*) AS n FROM visits v
          WHERE v.arrived_at >= ? AND v.status != 'closed'
            AND COALESCE((SELECT o.type FROM outbox o
                           WHERE o.visit_id = v.id AND o.state != 'rejected' AND o.type IN ('claim', 'takeover', 'release', 'close', 'left')
                           ORDER BY o.type IN ('close', 'left') DESC, o.ordinal DESC LIMIT 1), v.status) IN ('open', 'release')`,
      ),

      putNotice: db.prepare<[string, string, number, string]>('INSERT OR IGNORE INTO visit_notices (id, visit_id, at, json) VALUES (?, ?, ?, ?)'),
      latestNotice: db.prepare<[string], { json: string }>('SELECT json FROM visit_notices WHERE visit_id = ? ORDER BY at DESC, id DESC LIMIT 1'),
      noticesOfVisits: db.prepare<[string], { visit_id: string; json: string }>(
        'SELECT visit_id, json FROM visit_notices WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY at DESC, id DESC',
      ),
      dismissNotices: db.prepare<[string]>('DELETE FROM visit_notices WHERE visit_id = ?'),

      wipe: [
        db.prepare('DELETE FROM member_terms'),
        db.prepare('DELETE FROM members'),
        db.prepare('DELETE FROM profiles'),
        db.prepare('DELETE FROM notes'),
        db.prepare('DELETE FROM visits'),
      ],
    };
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    let out: T;
    try {
      out = this.db.transaction(fn).immediate();
    } catch (err) {
      this.styles.forget(); // rolled back: parts it wrote are not in the table
      throw err;
    }
    this.wrote();
    return out;
  }

  // --- WAL checkpoints off the hot path -------------------------------------------------------
  // SQLite's auto-checkpoint ran inside the commit that crossed 1,000 WAL pages (~every 100
  // arrivals), and with synchronous=NORMAL that checkpoint is where the fsync is: ~1% of arrivals
  // took 4–6 ms instead of 0.3 (bench/cache.ts). A desk's cache therefore checkpoints on a thread of
  // its own (shared/node/walCheckpointer.ts, handed over by DeskCore.open: db.ts startCacheCheckpoints),
  // as HQ's SQLite store does: a pass a little after commits, on a second connection, while this
  // one goes on; a 10,000-event resume had copied its WAL into the file about twice on the event
  // loop, each copy of 4,000 pages with its syncs inside one batch's COMMIT (docs/benchmarks.md,
  // round 41: the desk resumed 11 % faster without). Without the thread (it failed, or a test
  // opened the cache alone), the auto-checkpoint is raised to a bound that only a long burst reaches
  // (applyCachePragmas), and a PASSIVE checkpoint runs on this thread once the cache has seen no
  // transaction for CHECKPOINT_IDLE_MS — when no clerk or event is waiting on it.
  private lastWriteAt = 0;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private checkpointer: WalCheckpointer | null = null;

  /** Hands the cache's checkpoints to a thread (called once, right after open). */
  useCheckpointer(checkpointer: WalCheckpointer): void {
    this.checkpointer = checkpointer;
  }

  /** The checkpoint thread's counters (`running` false once it failed), or null when none was handed over. */
  checkpointStats(): CheckpointerStats | null {
    return this.checkpointer?.stats() ?? null;
  }

  /**
   * Before a batch of writes: null, or a pass to await first because the WAL has grown to
   * RESTART_FRAMES and must be copied whole for SQLite to start it again from the top (the batch's
   * BEGIN then restarts it). Only an event batch waits (session.ts); a clerk's action never does.
   */
  beforeBatch(): Promise<void> | null {
    return this.checkpointer?.beforeWrite() ?? null;
  }

  private wrote(): void {
    this.lastWriteAt = performance.now();
    if (this.checkpointer?.stats().running) return this.checkpointer.committed();
    this.checkpointTimer ??= setTimeout(() => this.idleCheckpoint(), CHECKPOINT_IDLE_MS).unref();
  }

  private idleCheckpoint(): void {
    this.checkpointTimer = null;
    if (!this.db.open) return;
    const idle = performance.now() - this.lastWriteAt;
    if (idle < CHECKPOINT_IDLE_MS || this.db.inTransaction) {
      this.checkpointTimer = setTimeout(() => this.idleCheckpoint(), Math.max(50, CHECKPOINT_IDLE_MS - idle)).unref();
      return;
    }
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A busy or failing disk: the next idle period (or the auto-checkpoint bound) retries.
    }
  }

  /** Stops the checkpoints: the idle timer, and the thread once its pass in flight is done (before closing the database). */
  async stopCheckpoints(): Promise<void> {
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = null;
    const thread = this.checkpointer;
    this.checkpointer = null;
    await thread?.close();
  }

  // --- meta: position and identity ------------------------------------------------------------

  getPosition(): Position {
    const raw = this.s.getMeta.get('position');
    return raw ? (JSON.parse(raw.value) as Position) : { epoch: '', seq: 0 };
  }
  setPosition(p: Position): void {
    this.s.setMeta.run('position', JSON.stringify({ epoch: p.epoch, seq: p.seq }));
  }
  getIdentity(): DeskIdentity | null {
    const raw = this.s.getMeta.get('identity');
    return raw ? identityFromJson(raw.value) : null;
  }
  setIdentity(identity: DeskIdentity): void {
    this.s.setMeta.run('identity', JSON.stringify(identity));
  }

  // --- members and profiles -------------------------------------------------------------------

  /** Writes a member and re-indexes its search terms. */
  upsertMember(m: Member): void {
    const json = JSON.stringify(m);
    // Every arrival re-sends the member with its profile, nearly always unchanged: comparing the
    // stored row is one primary-key read, rewriting it (and checking its search terms) was a fifth
    // of applying an arrival on a 10,000-event resume (bench/resume.ts). A changed member's terms
    // are compared by the list its row holds (search.ts `index`), and rewritten only if they differ.
    const row = this.s.getMember.get(m.id);
    if (row?.json === json) return;
    // The list is read only for a member that changed: an unchanged one (the common case) reads its json alone.
    const terms = this.search.index(m, row ? (this.s.getMemberTerms.get(m.id) ?? null) : null);
    this.s.upsertMember.run(m.id, m.code, m.name, m.nameEn, m.phoneLast4, m.updatedAt, json, terms, memberCodeKey(m.code));
  }
  getMember(id: string): Member | null {
    const row = this.s.getMember.get(id);
    return row ? (JSON.parse(row.json) as Member) : null;
  }
  upsertProfile(p: MemberProfile, receivedAt: number): void {
    this.upsertMember(p.member);
    const own = this.styles.split(p.recommendations, receivedAt);
    this.s.upsertProfile.run(p.member.id, JSON.stringify(p.purchases), JSON.stringify(own), receivedAt, p.next ? JSON.stringify(p.next) : null);
  }
  /** A profile row's suggestions, each with its style's part (cache/suggestedStyles.ts). */
  recommendationsOf(json: string): MemberProfile['recommendations'] {
    return this.styles.join(JSON.parse(json) as OwnPart[]);
  }
  getProfile(memberId: string): MemberProfile | null {
    const member = this.getMember(memberId);
    if (!member) return null;
    const row = this.s.getProfile.get(memberId);
    const profile: MemberProfile = {
      member,
      purchases: row ? (JSON.parse(row.purchases) as MemberProfile['purchases']) : [],
      recommendations: row ? this.recommendationsOf(row.recommendations) : [],
    };
    // 7/8 card: absent (not null) when HQ sent none, as on HQ's own profiles from before 7/8.
    if (row?.next) profile.next = JSON.parse(row.next) as NonNullable<MemberProfile['next']>;
    return profile;
  }
  /**
   * When the member's purchases and suggestions were received from HQ (desk clock); null when the
   * cache holds the member without them (a home member from a snapshot): unknown, not "none".
   */
  profileReceivedAt(memberId: string): number | null {
    return this.s.getProfile.get(memberId)?.received_at ?? null;
  }

  // --- visits and notes -----------------------------------------------------------------------

  /**
   * Replaces a visit and its notes: HQ's visit events carry the whole visit. `likelyNew`: the visit
   * is expected not to be in the cache (an `arrival` event: HQ inserted it), so it is first inserted
   * only if absent — and a visit that was absent has no notes to delete; one that was there after
   * all is replaced as any other. A 10,000-arrival resume ran that delete of nothing 10,000 times
   * (round 21, docs/benchmarks.md); for visits that are there (claims, notes, closes) the plain
   * upsert stays one statement.
   */
  putVisit(v: Visit, likelyNew = false): void {
    const { notes, ...rest } = v;
    const json = JSON.stringify(rest);
    if (!likelyNew || this.s.insertVisitIfAbsent.run(v.id, v.memberId, v.status, v.arrivedAt, v.lastSeenAt, json).changes === 0) {
      this.s.upsertVisit.run(v.id, v.memberId, v.status, v.arrivedAt, v.lastSeenAt, json);
      this.s.deleteNotesOfVisit.run(v.id);
    }
    this.search.visited(v.memberId, v.arrivedAt);
    for (const n of notes) this.s.insertNote.run(n.id, n.visitId, n.memberId, n.at, JSON.stringify(n));
  }
  getVisit(id: string): Visit | null {
    const row = this.s.getVisit.get(id);
    return row ? this.withNotes(JSON.parse(row.json) as StoredVisit) : null;
  }
  listVisits(f: VisitFilter): Visit[] {
    return this.s.listVisits
      .all({ from: f.from ?? 0, to: f.to ?? Number.MAX_SAFE_INTEGER, status: f.status ?? null, limit: f.limit ?? 500 })
      .map((r) => this.withNotes(JSON.parse(r.json) as StoredVisit));
  }
  visitsOfMember(memberId: string): Visit[] {
    return this.s.visitsOfMember.all(memberId).map((r) => this.withNotes(JSON.parse(r.json) as StoredVisit));
  }
  /** The visits of `ids` that the cache holds, by id, notes included (each visit's in `at, id` order, as getVisit). */
  visitsByIds(ids: readonly string[]): Map<string, Visit> {
    const out = new Map<string, Visit>();
    if (ids.length === 0) return out;
    const json = JSON.stringify(ids);
    for (const r of this.s.visitsByIds.all(json)) {
      const v = JSON.parse(r.json) as StoredVisit;
      out.set(v.id, { ...v, notes: [] });
    }
    for (const r of this.s.notesOfVisits.all(json)) out.get(r.visit_id)?.notes.push(JSON.parse(r.json) as Note);
    return out;
  }
  /** The members of `ids` that the cache holds, by id. */
  membersByIds(ids: readonly string[]): Map<string, Member> {
    const out = new Map<string, Member>();
    if (ids.length === 0) return out;
    for (const r of this.s.membersByIds.all(JSON.stringify(ids))) out.set(r.id, JSON.parse(r.json) as Member);
    return out;
  }
  allVisitIds(): string[] {
    return this.s.allVisitIds.all().map((r) => r.id);
  }
  countVisits(): number {
    return this.s.countVisits.get()!.n;
  }
  notesOfMember(memberId: string): Note[] {
    return this.s.notesOfMember.all(memberId).map((r) => JSON.parse(r.json) as Note);
  }
  private withNotes(v: StoredVisit): Visit {
    return { ...v, notes: this.s.notesOfVisit.all(v.id).map((r) => JSON.parse(r.json) as Note) };
  }

  /** Empties everything HQ owns (members, profiles, visits, notes) — never the outbox. */
  wipeHqState(): void {
    for (const stmt of this.s.wipe) stmt.run();
    this.styles.wipe();
    this.chat.wipe();
    this.tasks.wipe();
    this.holds.wipe();
    this.expected.wipe();
    this.groups.wipe();
    this.live.wipe(); // 6/8
    this.restock.wipe(); // 7/8 restock
    this.marks.wipe(); // 7/8 card
    this.handovers.wipe(); // 7/8 assistant
  }

  // --- visit notices (desk-owned, kept until dismissed) ----------------------------------------

  /** Records a notice once per `id` (an op or an event: applying it again changes nothing). */
  putNotice(id: string, visitId: string, notice: VisitNotice): void {
    this.s.putNotice.run(id, visitId, notice.at, JSON.stringify(notice));
  }
  latestNotice(visitId: string): VisitNotice | null {
    const row = this.s.latestNotice.get(visitId);
    return row ? (JSON.parse(row.json) as VisitNotice) : null;
  }
  /** The latest notice of each visit of `ids` that has one (as latestNotice). */
  latestNotices(visitIds: readonly string[]): Map<string, VisitNotice> {
    const out = new Map<string, VisitNotice>();
    if (visitIds.length === 0) return out;
    for (const r of this.s.noticesOfVisits.all(JSON.stringify(visitIds))) if (!out.has(r.visit_id)) out.set(r.visit_id, JSON.parse(r.json) as VisitNotice);
    return out;
  }
  dismissNotices(visitId: string): number {
    return this.s.dismissNotices.run(visitId).changes;
  }

  // --- outbox ---------------------------------------------------------------------------------

  insertOp(op: NewOp): OutboxOp {
    const ordinal = this.s.nextOrdinal.get()!.n;
    this.s.insertOp.run(op.opId, ordinal, op.type, op.visitId, JSON.stringify(op.data), op.createdAt);
    return toOp(this.s.getOp.get(op.opId)!);
  }
  getOp(opId: string): OutboxOp | null {
    const row = this.s.getOp.get(opId);
    return row ? toOp(row) : null;
  }
  listOps(): OutboxOp[] {
    return this.s.listOps.all().map(toOp);
  }
  opsOfVisit(visitId: string): OutboxOp[] {
    return this.s.opsOfVisit.all(visitId).map(toOp);
  }
  /** The ops of each visit of `visitIds` that has any, in outbox order (as opsOfVisit). */
  opsOfVisits(visitIds: readonly string[]): Map<string, OutboxOp[]> {
    const out = new Map<string, OutboxOp[]>();
    if (visitIds.length === 0) return out;
    for (const r of this.s.opsOfVisits.all(JSON.stringify(visitIds))) {
      const op = toOp(r);
      const list = out.get(op.visitId);
      if (list) list.push(op);
      else out.set(op.visitId, [op]);
    }
    return out;
  }
  deleteOp(opId: string): boolean {
    return this.s.deleteOp.run(opId).changes > 0;
  }
  markAcked(opId: string, seq: number | null): void {
    this.s.markAcked.run(seq, opId);
  }
  markRejected(opId: string, rejection: Rejection): void {
    this.s.markRejected.run(JSON.stringify(rejection), opId);
  }
  deleteRejectedOfVisit(visitId: string): number {
    return this.s.deleteRejectedOfVisit.run(visitId).changes;
  }
  /** Acked ops whose event is at or below `seq` are settled (their event has been applied). */
  deleteAckedUpTo(seq: number): number {
    return this.s.deleteAckedUpTo.run(seq).changes;
  }
  countQueued(): number {
    return this.s.countQueued.get()!.n;
  }
  /** Visits that arrived at or after `since` and are open as the clerk sees them (outbox applied). */
  countWaiting(since: number): number {
    return this.s.countWaiting.get(since)!.n;
  }
}
