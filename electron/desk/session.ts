// The protocol session with HQ: hello → replay → live, reset → snapshot → reconnect, lag, and
// cumulative acks. It owns the HQ link; what the frames mean for the cache is the inbox's.
//
// Invariant: the cache's position moves only by applying HQ's events in order, so whatever happens
// to a connection the next hello resumes from exactly what the cache holds. The session decides
// when to apply, flush and ack; what a batch changed goes up as a value (InboxChange) and the
// session never builds a view.
//
// hello → sent hello, waiting for welcome; replay → welcomed, catching up to welcome.head;
// awaitReset → welcomed in another epoch, HQ will send reset; resetting → loading a snapshot;
// live → caught up, outbox flushed, commands go out as the clerk acts.
import { CloseCode, PROTOCOL_VERSION, type DeskToHq, type HeadFrame, type HqToDesk, type ResetFrame, type SignalFrame, type WelcomeFrame } from '../../shared/protocol.ts';
import type { BackoffOptions } from './backoff.ts';
import type { CacheQueries } from './cache/queries.ts';
import type { HqAddresses } from './hqAddresses.ts';
import { fetchSnapshot, HttpStatusError } from './hqHttp.ts';
import { applyBatch, changeSet, type InboxChange, type InboxFrame } from './inbox.ts';
import { HqLink, type LinkPhase, parseEventFrame } from './link.ts';
import { applySnapshot } from './sync.ts';
import type { StorageGuard } from './upkeep/storageGuard.ts';

export type SessionState = 'none' | 'hello' | 'replay' | 'awaitReset' | 'resetting' | 'live';

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
 * The desk's cumulative ack goes out about this often (× 1 ± ACK_JITTER) while its position moves,
 * the first at once, unless a batch asks for it sooner (ACK_SOON_MS). HQ keeps it as the device's delivered position; nothing waits on
 * it but a member's "delivered" tick, which asks for the soon ack. Every desk of a busy chain acking
 * once a second was an inbound frame per delivered event at HQ (10,000 desks, bench/capacity.ts);
 * every 10 s, still ~5 % of HQ's CPU per delivered event under load (an ack is a socket read, a
 * frame and a record: docs/benchmarks.md, round 43).
 */
export const DEFAULT_ACK_EVERY_MS = 30_000;
/** After a batch that brought a member's chat message: its ack (the message's "delivered", HQ side) goes out within this. */
export const ACK_SOON_MS = 50;
/**
 * Each wait for the cadence is DEFAULT_ACK_EVERY_MS × (1 ± ACK_JITTER), at random: desks that
 * reconnected together (a node restarted) would otherwise ack in step for ever, every desk of the
 * chain in the same instant — 10,000 frames in one turn of HQ's loop.
 */
export const ACK_JITTER = 0.25;

/** One wait for the ack cadence: `every` × (1 ± ACK_JITTER), drawn from `random` (the benches' light desks wait the same). */
export function ackWaitMs(every: number, random: () => number = Math.random): number {
  return every * (1 + ACK_JITTER * (2 * random() - 1));
}

export interface SessionOptions {
  token: string;
  reconnect?: BackoffOptions;
  random?: () => number;
  silenceMs?: number;
  ackEveryMs?: number;
  log: (line: string) => void;
}

/** What the session tells the rest of the desk (events up). */
export interface SessionEvents {
  /** A new connection: nothing is in flight on it yet. */
  opened(): void;
  /** A batch of events and acks committed: what it changed. */
  applied(change: InboxChange): void;
  /** Live: send what the outbox holds. */
  flush(): void;
  /** HQ welcomed this desk (its clerks may have changed while away). */
  welcomed(): void;
  /** The cache was rebuilt from a snapshot: everything may have changed. */
  reset(): void;
  /** The connection is gone (presence and typing are only known while connected). */
  down(): void;
  signal(frame: SignalFrame): void;
  /** HQ said what went wrong. */
  hqError(message: string): void;
  /** Something the connection state shows changed. */
  changed(): void;
}

/** A frame waiting for the next batch: an `ev` still as its bytes, or a parsed `cmdAck`. */
type QueuedFrame = InboxFrame | { t: 'evBytes'; bytes: Buffer };

export class Session {
  state: SessionState = 'none';
  /** The store's head as last heard from HQ. */
  head: number;
  private link: HqLink | null = null;
  private welcomeHead = 0;
  private consecutiveResets = 0;
  /** `ev` (as received, parsed when applied) and `cmdAck` frames not yet applied, in arrival order (see queue). */
  private queued: QueuedFrame[] = [];
  private applyTimer: NodeJS.Immediate | null = null;
  /** Set while the next batch waits for the cache's WAL to be copied whole (CacheQueries.beforeBatch). */
  private walWait: Promise<void> | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  /** When the pending ack timer fires (epoch ms). */
  private ackDue = 0;
  private ackedSeq = 0;
  private lastAckAt = 0;
  private lastLagPosition: number | null = null;
  private closed = false;

  constructor(
    private readonly q: CacheQueries,
    private readonly hq: HqAddresses,
    private readonly guard: StorageGuard,
    private readonly stats: DeskStats,
    private readonly opts: SessionOptions,
    private readonly on: SessionEvents,
  ) {
    this.head = q.getPosition().seq;
  }

  get live(): boolean {
    return this.state === 'live';
  }
  get phase(): LinkPhase {
    return this.link?.phase ?? 'idle';
  }
  get retryAt(): number | null {
    return this.link?.retryAt ?? null;
  }
  get linkError(): string | null {
    return this.link?.lastError ?? null;
  }

  /** Connect to HQ and keep connected (again, after stop). */
  start(): void {
    this.link ??= new HqLink({
      hqUrls: this.hq.urls,
      first: this.hq.index, // the same node as the HTTP calls until a welcome says otherwise
      token: this.opts.token,
      reconnect: this.opts.reconnect,
      random: this.opts.random,
      silenceMs: this.opts.silenceMs,
      log: this.opts.log,
      handlers: {
        onOpen: () => this.onOpen(),
        onFrame: (f) => this.onFrame(f),
        onEvent: (bytes) => this.queue({ t: 'evBytes', bytes }),
        onDown: ({ reason }) => this.onDown(reason),
        onChange: () => this.on.changed(),
      },
    });
    this.link.start();
  }

  /** Try HQ now (starting the link if it never was). */
  reconnectNow(): void {
    if (!this.link) this.start();
    else this.link.reconnectNow();
  }

  networkChanged(online: boolean): void {
    this.link?.networkChanged(online);
  }

  /** Drop the link (after a last ack); the desk stays usable offline. */
  async stop(): Promise<void> {
    if (!this.link) return;
    this.applyQueued();
    this.sendAck();
    await this.link.stop();
    this.onDown('stopped');
  }

  /** After stop: frames still in flight are ignored. */
  close(): void {
    this.closed = true;
  }

  send(frame: DeskToHq): boolean {
    return this.link?.send(frame) ?? false;
  }

  private onOpen(): void {
    this.applyQueued();
    this.state = 'hello';
    this.on.opened();
    const position = this.q.getPosition();
    // No epoch yet means a fresh cache: hello without resume, and HQ answers with reset.
    // `clock`: HQ learns this desk's clock offset from it and corrects the action times of its commands.
    this.link!.send({ t: 'hello', v: PROTOCOL_VERSION, ...(position.epoch ? { resume: position } : {}), clock: Date.now() });
  }

  private onDown(reason: string): void {
    this.applyQueued();
    if (this.state !== 'none') this.opts.log(`desk: link down (${reason})`);
    this.state = 'none';
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.on.down();
    this.on.changed();
  }

  private onFrame(frame: HqToDesk): void {
    try {
      this.handleFrame(frame);
    } catch (err) {
      // A disk fault while applying HQ's frames: nothing was half-applied (one transaction), the
      // position did not move, so resuming later replays exactly what is missing.
      if (!this.guard.failed(err)) throw err;
      this.link?.drop(`storage: ${this.guard.health.message ?? 'write failed'}`);
    }
  }

  private handleFrame(frame: HqToDesk): void {
    if (this.closed) return;
    if (frame.t === 'ev' || frame.t === 'cmdAck') return this.queue(frame);
    // Frames are handled in the order they arrived: events received before this one go first.
    this.applyQueued();
    switch (frame.t) {
      case 'welcome':
        return this.onWelcome(frame);
      case 'reset':
        return void this.onReset(frame);
      case 'head':
        return this.onHead(frame);
      case 'error':
        this.opts.log(`desk: HQ error ${frame.code}: ${frame.message}`);
        this.on.hqError(`${frame.code}: ${frame.message}`);
        return;
      case 'signal':
        return this.on.signal(frame);
    }
  }

  private onWelcome(w: WelcomeFrame): void {
    if (this.state !== 'hello') return this.link!.drop('unexpected second welcome');
    const cached = this.q.getIdentity();
    if (cached && cached.storeId !== w.storeId) {
      // The token belongs to another store than this cache: never mix stores; HQ's reset rebuilds it.
      this.opts.log(`desk: cache was for store ${cached.storeId}, token is for ${w.storeId}`);
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
    this.on.welcomed();
    const position = this.q.getPosition();
    if (position.epoch === w.epoch && position.seq <= w.head) {
      this.state = 'replay';
      this.consecutiveResets = 0;
      this.maybeGoLive();
    } else {
      this.state = 'awaitReset';
    }
    this.on.changed();
  }

  private async onReset(r: ResetFrame): Promise<void> {
    if (this.state === 'resetting') return;
    this.state = 'resetting';
    this.consecutiveResets++;
    this.opts.log(`desk: reset (${r.reason}), loading snapshot`);
    const link = this.link!;
    try {
      const snap = await fetchSnapshot(this.hq, this.opts.token);
      if (this.closed) return;
      const identity = this.q.getIdentity();
      if (identity && identity.storeId !== snap.storeId) throw new Error(`snapshot is for store ${snap.storeId}, not ${identity.storeId}`);
      applySnapshot(this.q, snap);
      this.stats.resets++;
      this.head = Math.max(snap.position.seq, r.epoch === snap.position.epoch ? r.head : 0);
      this.on.reset();
      this.on.changed();
      // Resume from the snapshot's position on a fresh connection: events sent on this one while
      // we loaded were ignored and will be replayed. A second reset in a row backs off instead.
      link.drop('resuming after snapshot', this.consecutiveResets <= 1 ? { delayMs: 0 } : {});
    } catch (err) {
      const msg = (err as Error).message;
      if (err instanceof HttpStatusError && err.status === 401) this.on.hqError('unauthorized');
      link.drop(`snapshot failed: ${msg}`);
    }
  }

  private onHead(h: HeadFrame): void {
    const position = this.q.getPosition();
    if (h.epoch !== position.epoch) {
      if (this.state === 'live') this.link!.drop('HQ is in another epoch');
      return;
    }
    this.head = Math.max(this.head, h.seq);
    // Frames on one socket arrive in order, so a head above our position normally means the
    // events are right behind it. Lagging at the same position on two heads in a row means they
    // are not coming: resume.
    if (this.state === 'live' && h.seq > position.seq) {
      if (this.lastLagPosition === position.seq) this.link!.drop(`lagging: head ${h.seq}, position ${position.seq}`);
      this.lastLagPosition = position.seq;
    } else this.lastLagPosition = null;
    this.on.changed();
  }

  /**
   * Events are applied in batches: every `ev` frame that arrives before the event loop turns
   * (setImmediate) commits in one SQLite transaction, each event still moving the position in
   * order. One commit per event was one fsync per event when the cache ran synchronous=FULL: a
   * 10,000-event resume took ~11 s (bench/resume.ts); batched it is well under the 2 s target, and
   * it still saves a commit per event on NORMAL. Live traffic is a frame or two at a time, so the
   * batch adds no measurable latency there. `cmdAck` frames join the same batch (an outbox flush of
   * 1,000 ops gets 1,000 acks in a burst, bench/outbox.ts), still settled in arrival order.
   */
  private queue(f: QueuedFrame): void {
    if ((f.t === 'evBytes' || f.t === 'ev') && (this.state === 'resetting' || this.state === 'hello')) return;
    this.queued.push(f);
    this.applyTimer ??= setImmediate(() => this.applyQueued(true));
  }

  /**
   * `mayWait`: the batch is applied from its timer, and may first wait for the WAL (below). Every
   * other caller applies what is queued at once, because the frame or link change it is about to
   * handle must come after those events (handleFrame, onOpen, onDown) — that batch skips the wait.
   */
  private applyQueued(mayWait = false): void {
    if (this.applyTimer) clearImmediate(this.applyTimer);
    this.applyTimer = null;
    if (this.queued.length === 0 || this.closed) return;
    if (mayWait) {
      if (this.walWait) return; // the wait's end applies everything queued by then
      // A long burst grew the WAL to its restart size: the batch waits for the checkpoint thread's
      // pass (frames keep queuing meanwhile), so its BEGIN starts the WAL from the top again.
      const wait = this.q.beforeBatch();
      if (wait) {
        this.walWait = wait.finally(() => {
          this.walWait = null;
          this.applyQueued(true);
        });
        return;
      }
    }
    const batch = this.queued;
    this.queued = [];
    // Each event is parsed as it is applied (link.ts onEvent says why). One the schema refuses ends
    // the batch there: what came before it commits, then the link drops and the resume replays the rest.
    const refused: { error: string | null } = { error: null };
    const frames = function* (): Generator<InboxFrame> {
      for (const f of batch) {
        if (f.t !== 'evBytes') {
          yield f;
          continue;
        }
        const parsed = parseEventFrame(f.bytes);
        if (!parsed.ok) return void (refused.error = parsed.error);
        yield parsed.frame;
      }
    };
    const result = applyBatch(this.q, frames());
    if (!result.committed) {
      // Nothing of the batch was applied and the position did not move: the next connection resumes from it.
      const fault = this.guard.failed(result.cause) ?? this.guard.failed(result.error);
      this.opts.log(`desk: could not apply events: ${(result.cause as Error).message}`);
      this.link?.drop(fault ? `storage: ${fault.message}` : 'could not apply events');
      return;
    }
    const { outcomes } = result;
    if (outcomes.length) this.guard.recovered();
    const change = changeSet(outcomes);
    if (this.state === 'replay') change.catchingUp = true;
    this.stats.applied += change.applied;
    this.stats.duplicates += change.duplicates;
    if (change.gap) this.stats.gaps++;
    this.head = Math.max(this.head, change.head);
    this.on.applied(change);
    // Reconnect and resume from what we have.
    if (change.gap) this.link?.drop(`gap: at ${change.gap.position.epoch}:${change.gap.position.seq}, got ${change.gap.got.epoch}:${change.gap.got.seq}`);
    else if (refused.error !== null) this.link?.drop(`bad frame from HQ: ${refused.error}`, { code: CloseCode.badFrame });
    if (change.events) {
      this.scheduleAck(change.notices.some((n) => n.t === 'chat' && n.incoming));
      this.maybeGoLive(); // reads the whole outbox when live: not once per ack batch of a flush
    }
    this.on.changed();
  }

  /** Once the replay has reached welcome.head, flush the outbox and go live. */
  private maybeGoLive(): void {
    if (this.state === 'replay' && this.q.getPosition().seq >= this.welcomeHead) {
      this.state = 'live';
      // Who has the chat open right now (HQ answers with presence signals).
      this.link!.send({ t: 'signal', kind: 'presence' });
      this.on.changed();
    }
    if (this.state === 'live') this.on.flush();
  }

  /** `soon`: the batch brought a member's message, whose "delivered" waits on this ack. */
  private scheduleAck(soon: boolean): void {
    const every = this.opts.ackEveryMs ?? DEFAULT_ACK_EVERY_MS;
    const wait = ackWaitMs(every, this.opts.random); // drawn either way: a seeded random's sequence does not depend on the batch
    const due = soon ? Date.now() + Math.min(ACK_SOON_MS, every) : this.lastAckAt + wait;
    if (this.ackTimer) {
      if (due >= this.ackDue) return;
      clearTimeout(this.ackTimer);
    }
    this.ackDue = due;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.sendAck();
    }, Math.max(0, due - Date.now()));
  }

  /** Cumulative ack of the position, when it moved and the link is past hello. */
  private sendAck(): void {
    if (this.closed || !this.link || this.state === 'none' || this.state === 'hello' || this.state === 'resetting') return;
    const seq = this.q.getPosition().seq;
    if (seq <= this.ackedSeq && this.lastAckAt) return;
    if (this.link.send({ t: 'ack', seq })) {
      this.ackedSeq = seq;
      this.lastAckAt = Date.now();
    }
  }
}
