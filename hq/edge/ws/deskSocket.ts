// One desk's WebSocket: hello/welcome, resume (replay or reset), live events, commands, acks,
// signals, rate limiting and the slow-consumer rule. Every frame is schema-checked; a bad one
// gets an `error` frame and a close code for this desk only, never an exception for HQ.
//
// Frames of one desk are handled one after another (a queue), so its commands reach the store in
// the order the desk sent them — its outbox order — however long each transaction takes.
import { type RawData, type WebSocket } from 'ws';
import { type CmdAckFrame, type CmdFrame, CloseCode, DeskToHq, type ErrorFrame, type HelloFrame, type HqToDesk, isChatCmd, isCheckinCmd, isGroupCmd, isHoldCmd, isAssistCmd, isLiveCmd, isTaskCmd, isVisitCmd, PROTOCOL_VERSION, parseFrame } from '../../../shared/protocol.ts';
import { applyLiveCommand } from '../../app/live/commands.ts';
import { applyAssistCommand } from '../../app/assist/commands.ts'; // 7/8
import { applyGroupCommand } from '../../app/groups/commands.ts';
import { clockOffset, type DeskClock } from '../../app/actionTime.ts';
import { applyCommand } from '../../app/commands.ts';
import { together } from '../../app/together.ts';
import { applyTaskCommand } from '../../app/tasks/commands.ts';
import { applyHoldCommand } from '../../app/holds/commands.ts'; // 4/8 part C
import { applyCheckin } from '../../app/checkins.ts';
import { StoreUnavailable } from '../../ports/store.ts';
import { evFrameParts } from '../../app/eventLog.ts';
import { type DeviceRecord } from '../../ports/store.ts';
import { closeSocket } from './closeSocket.ts';
import { type DeskHub } from './deskHub.ts';
import { textWireFrame, whenDrained, writeWireFrame } from './wireFrame.ts';
import { isMemberNoteCmd } from '../../../shared/protocol.ts';
import { applyMemberNoteCommand } from '../../app/memberHistory.ts';

/** Events per replay page; the next page is read when the previous one has left the socket. */
const REPLAY_PAGE = 200;

type State = 'awaitingHello' | 'replaying' | 'live' | 'closed';

/** The whole text of an ack as desks send it (JSON.stringify of {t: 'ack', seq}); seq up to 15 digits (a safe integer). */
const ACK_TEXT = /^\{"t":"ack","seq":(0|[1-9]\d{0,14})\}$/;

/** A committed event for the desks of its store: its frame's payload, and the same as wire bytes (wireFrame.ts). */
export interface LiveFrame {
  seq: number;
  frame: Buffer;
  wire: Buffer;
}

export class DeskSocket {
  private state: State = 'awaitingHello';
  /** The desk said hello on this socket (its commands may be applied). */
  private greeted = false;
  /** Highest seq sent to this desk (replayed or live); live events at or below it are skipped. */
  private lastSent = 0;
  /** Highest position this desk acked on this socket (as counted: never above `lastSent`). */
  private ackedUpTo = 0;

  /** The highest seq this socket was sent: while it stays open the desk gets every event up to it, in order. */
  get sent(): number {
    return this.lastSent;
  }
  /** Cleared at each heartbeat tick, set by a pong. */
  alive = true;
  /** Token bucket for the frame rate: `maxFrameBurst` at once, refilled at `maxFramesPerSecond`. */
  private frameTokens: number;
  private tokensAt = Date.now();
  private stalledSince = 0;
  /** The frame being handled; the next waits for it. */
  private queue: Promise<void> = Promise.resolve();
  /** A replay page is being read or sent. */
  private pumping = false;
  /** The desk's clock offset, learned from its hello: commands' action times are corrected by it. */
  private readonly clock: DeskClock = { offsetMs: 0 };
  /** Resolves when this node follows the desk's store (its feed knows its position). */
  storeReady: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    readonly device: DeviceRecord,
    readonly storeName: string,
    private readonly hub: DeskHub,
    /** This connection, across nodes (the newer connection of a device wins). */
    readonly connId: string,
    readonly connectedAt: number,
  ) {
    this.frameTokens = hub.opts.maxFrameBurst;
    // A socket that never greets would otherwise stay open for ever (pongs keep it alive): it gets
    // the member socket's deadline. `greeted` counts a hello still being handled (a slow store read).
    const helloTimer = setTimeout(() => {
      if (!this.greeted && this.state === 'awaitingHello') {
        this.fail('protocol_violation', `no hello within ${hub.opts.helloTimeoutMs} ms`, CloseCode.protocolViolation);
      }
    }, hub.opts.helloTimeoutMs);
    helloTimer.unref();
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.state = 'closed';
      hub.remove(this);
    });
    // ws reports protocol errors (e.g. a frame over maxPayload, closed with 1009) here.
    ws.on('error', (err) => hub.log(`desk ${device.id}: ${err.message}`));
  }

  get storeId(): string {
    return this.device.storeId;
  }

  get isLive(): boolean {
    return this.state === 'live';
  }

  /**
   * Sends a text frame (welcome, reset, cmdAck, head, signal, a live event...) if the socket is open.
   * A frame many desks get is passed as the UTF-8 bytes encoded once (`Buffer`, still a text
   * frame): a string would be measured and encoded again for every socket.
   */
  sendText(text: string | Buffer): boolean {
    if (this.state === 'closed' || this.ws.readyState !== this.ws.OPEN) return false;
    if (typeof text === 'string') this.ws.send(text);
    else this.ws.send(text, { binary: false });
    return true;
  }

  send(frame: HqToDesk): boolean {
    return this.sendText(JSON.stringify(frame));
  }

  /**
   * Newly committed events of this desk's store, in order, each frame encoded once for all desks.
   * Several at once (a batch ingest commits 50) are written with the socket corked, so they leave
   * in one writev instead of one write per frame (each frame's bytes are one write, wireFrame.ts;
   * cork counts nest, so a frame that goes through ws after all is held too). `_socket` is ws's
   * net.Socket — not public API, so it is used only if it is there and has cork/uncork.
   */
  deliverLiveBatch(frames: readonly LiveFrame[]): void {
    const socket = frames.length > 1 ? (this.ws as unknown as { _socket?: { cork?: () => void; uncork?: () => void } })._socket : undefined;
    const corked = typeof socket?.cork === 'function' && typeof socket.uncork === 'function';
    if (corked) socket.cork!();
    try {
      for (const f of frames) this.deliverLive(f);
    } finally {
      if (corked) socket.uncork!();
    }
  }

  /** A newly committed event of this desk's store, from the node's feed (consecutive, in order). */
  deliverLive({ seq, frame, wire }: LiveFrame): void {
    // While replaying (catching up), the replay loop reads this event from the log itself.
    if (this.state !== 'live' || seq <= this.lastSent) return;
    if (seq !== this.lastSent + 1) {
      // Committed while this desk went from its last replay page to live: read what it missed.
      this.state = 'replaying';
      this.pumpReplay();
      return;
    }
    if (this.ws.bufferedAmount > this.hub.opts.slowConsumerBytes) {
      // Behind: stop pushing and let the catch-up loop feed it from the log at the pace it reads.
      // A burst (a bulk import) is absorbed this way; a desk that does not drain is closed 4004.
      this.state = 'replaying';
      this.pumpReplay();
      return;
    }
    if (writeWireFrame(this.ws, wire) || this.sendText(frame)) this.lastSent = seq;
  }

  /** The store's epoch changed under a connected desk: it must reload a snapshot. */
  resetTo(epoch: string, head: number): void {
    if (this.state === 'awaitingHello' || this.state === 'closed') return;
    this.send({ t: 'reset', epoch, head, reason: 'epoch_changed' });
    this.lastSent = head;
    // What the desk acked belongs to the old epoch: the new one's positions start again.
    this.ackedUpTo = 0;
    this.state = 'live';
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (code !== CloseCode.goingAway) this.hub.log(`desk ${this.device.id} (${this.device.name}) closed ${code}: ${reason}`);
    // The close frame reaches the desk behind what it has not read yet (a slow consumer's backlog
    // included); a peer that never answers or never reads is cut after that (closeSocket.ts).
    closeSocket(this.ws, code, reason);
  }

  private fail(code: ErrorFrame['code'], message: string, closeCode: number): void {
    this.send({ t: 'error', code, message: message.slice(0, 500) });
    this.close(closeCode, code);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    // The rate limit is applied as frames arrive, not as they are handled.
    if (this.overRate()) return this.fail('rate_limited', `more than ${this.hub.opts.maxFramesPerSecond} frames per second`, CloseCode.rateLimited);
    if (isBinary) return this.fail('bad_frame', 'binary frames are not part of the protocol', CloseCode.badFrame);
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    // Acks are most of what desks send (each desk about once a second: 10,000 a second at 10,000
    // desks). The exact text a desk sends for one is matched here and read without JSON.parse and
    // the schema — it is the only text that could parse to that frame with nothing else in it, and
    // anything else (spaces, other keys, a huge seq) takes the full path below.
    const ack = ACK_TEXT.exec(text);
    const parsed = ack ? ({ ok: true, frame: { t: 'ack', seq: Number(ack[1]) } } as const) : parseFrame(DeskToHq, text);
    if (!parsed.ok) return this.fail('bad_frame', parsed.error, CloseCode.badFrame);
    const frame: DeskToHq = parsed.frame;
    // handle() answers its own failures; the catch is only the last guard for the process.
    this.queue = this.queue.then(() => this.handle(frame)).catch((err: unknown) => this.hub.log(`desk ${this.device.id}: ${(err as Error).stack ?? String(err)}`));
  }

  private async handle(frame: DeskToHq): Promise<void> {
    if (this.state === 'closed') {
      // The socket went away with frames still queued. A command the desk sent is applied all the
      // same (it will resend it, and the resend is then answered 'duplicate': one round saved, and
      // the outcome does not depend on how fast hello was); nothing else matters to a closed socket.
      if (frame.t === 'hello') {
        this.greeted = true;
        this.clock.offsetMs = clockOffset(frame.clock, Date.now());
      }
      if (frame.t !== 'cmd' || !this.greeted) return;
    }
    try {
      if (this.state === 'awaitingHello') {
        if (frame.t !== 'hello') return this.fail('protocol_violation', 'the first frame must be hello', CloseCode.protocolViolation);
        this.greeted = true;
        // Measured on arrival: the hello left the desk one network hop ago, a few milliseconds at most.
        this.clock.offsetMs = clockOffset(frame.clock, Date.now());
        return await this.onHello(frame); // awaited: its failures are handled below
      }
      switch (frame.t) {
        case 'hello':
          return this.fail('protocol_violation', 'hello was already received', CloseCode.protocolViolation);
        case 'ack':
          return this.onAck(frame.seq);
        case 'cmd': {
          this.send(await this.applyCommand(frame));
          return;
        }
        case 'signal':
          this.hub.relaySignal(this, frame);
          return;
      }
    } catch (err) {
      if (err instanceof StoreUnavailable) {
        // The command did not happen (nothing half-applied); the desk keeps it in its outbox and
        // sends it again when it reconnects, so the link is closed rather than left half-working.
        this.hub.log(`desk ${this.device.id}: ${err.message}`);
        this.send({ t: 'error', code: 'internal', message: 'HQ cannot reach its database; try again shortly' });
        this.close(CloseCode.goingAway, 'database unavailable');
        return;
      }
      this.hub.log(`desk ${this.device.id}: ${(err as Error).stack ?? String(err)}`);
      this.send({ t: 'error', code: 'internal', message: 'HQ could not process the frame' });
    }
  }

  /** A desk command, to the use case of its family; each answers a cmdAck (and appends its events). */
  private async applyCommand(frame: CmdFrame): Promise<CmdAckFrame> {
    if (isChatCmd(frame)) return this.hub.chat!.applyDeskCommand(this.device, frame);
    if (isVisitCmd(frame)) return applyCommand(this.hub.eventLog, this.device, frame, Date.now(), this.clock);
    // (Each new command family of 4/8 adds its one line here.)
    if (isMemberNoteCmd(frame)) return applyMemberNoteCommand(this.hub.eventLog, this.device, frame, Date.now(), this.clock); // 4/8 member page
    if (isTaskCmd(frame)) return applyTaskCommand(this.hub.eventLog, this.device, frame, Date.now(), this.clock);
    if (isHoldCmd(frame)) return applyHoldCommand(this.hub.eventLog, this.device, frame, Date.now(), this.clock); // 4/8 part C
    if (isCheckinCmd(frame)) return applyCheckin(this.hub.eventLog, this.device, frame, Date.now(), this.clock); // 4/8 part A
    if (isGroupCmd(frame)) return applyGroupCommand(this.hub.eventLog, this.device, frame); // 5/8 groups
    if (isLiveCmd(frame)) return applyLiveCommand(this.hub.eventLog, this.device, frame); // 6/8 live rooms
    if (isAssistCmd(frame)) return applyAssistCommand(this.hub.eventLog, this.device, frame); // 7/8 assisted selling
    const never: never = frame;
    throw new Error(`no use case for command ${(never as CmdFrame).type}`);
  }

  /**
   * A desk's cumulative ack. It counts only up to what this socket sent: a desk that loaded a
   * snapshot may be a little ahead of it for a moment (its next ack covers the rest), and an ack
   * above the store's head — a desk that cannot have those events — is refused and changes nothing,
   * so no desk can push the store's delivered-receipt position past messages not yet sent.
   */
  private onAck(seq: number): void {
    const head = Math.max(this.lastSent, this.hub.feeds.position(this.storeId)?.head ?? 0);
    if (seq > head) {
      this.send({ t: 'error', code: 'bad_frame', message: `ack ${seq} is beyond the store's head ${head}; ignored` });
      return;
    }
    const upTo = Math.min(seq, this.lastSent);
    if (upTo <= this.ackedUpTo) return; // an ack below the last one changes nothing
    this.ackedUpTo = upTo;
    this.hub.recordAck(this.device.id, upTo);
    // Receipts are best effort here: a failure is logged and the next ack scans again.
    this.hub.chat?.onDeskAck(this.storeId, upTo).catch((err: unknown) => this.hub.log(`desk ${this.device.id} ack: ${(err as Error).message}`));
  }

  /**
   * A token bucket rather than a fixed window: a desk coming back online flushes its whole outbox
   * at once (1,000 queued actions is a busy offline afternoon), which a 200-per-second window
   * closed with 4029 mid-flush — the desk then reconnected and resent, three times over
   * (bench/outbox.ts). The burst absorbs a flush; a sustained flood still drains the bucket and
   * is closed.
   */
  private overRate(): boolean {
    const now = Date.now();
    const { maxFramesPerSecond, maxFrameBurst } = this.hub.opts;
    this.frameTokens = Math.min(maxFrameBurst, this.frameTokens + ((now - this.tokensAt) / 1000) * maxFramesPerSecond);
    this.tokensAt = now;
    if (this.frameTokens < 1) return true;
    this.frameTokens -= 1;
    return false;
  }

  private async onHello(hello: HelloFrame): Promise<void> {
    if (hello.v !== PROTOCOL_VERSION) {
      return this.fail('unsupported_version', `HQ speaks protocol v${PROTOCOL_VERSION}, not v${hello.v}`, CloseCode.unsupportedVersion);
    }
    // The node follows the store before the desk's position is settled, so every event committed
    // after the head read below reaches this desk: through its replay, or live from the feed
    // (a live event that does not follow `lastSent` sends the desk back to replaying).
    await this.storeReady;
    // Both statements issued together (on PostgreSQL one write, one round trip; `together` says why not Promise.all).
    const [store, oldest] = await this.hub.store.read((r) => together(r.getStore(this.storeId), r.oldestSeq(this.storeId)));
    if (this.state === 'closed') return;
    if (!store) return this.fail('internal', 'the store of this device no longer exists', CloseCode.unauthorized);
    this.send({
      t: 'welcome',
      storeId: store.id,
      storeName: store.name,
      deviceId: this.device.id,
      deviceName: this.device.name,
      epoch: store.epoch,
      head: store.head,
      heartbeatMs: this.hub.opts.heartbeatMs,
    });

    const resume = hello.resume;
    const reason = !resume
      ? 'epoch_changed' // no position at all: like a desk from another epoch, it needs a snapshot
      : resume.epoch !== store.epoch
        ? 'epoch_changed'
        : resume.seq > store.head
          ? 'ahead_of_hq'
          : resume.seq < store.head && resume.seq < (oldest ?? store.head + 1) - 1
            ? 'gap_too_old'
            : null;
    if (reason || !resume) {
      // Never a partial recovery: the desk loads a snapshot. Live events keep flowing from the
      // head on, so a desk may buffer them while it loads, or reconnect with `resume`.
      this.send({ t: 'reset', epoch: store.epoch, head: store.head, reason: reason ?? 'epoch_changed' });
      this.lastSent = store.head;
      this.state = 'live';
      return;
    }
    this.lastSent = resume.seq;
    this.state = 'replaying';
    this.pumpReplay();
  }

  /**
   * Sends the next page of events after `lastSent`; when the log has nothing newer, the desk goes
   * live. Backpressure: a page is only read once the send buffer is under the slow-consumer limit;
   * a buffer that stays over it for `slowConsumerMs` means the desk is not reading (close 4004).
   */
  private pumpReplay(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.pumpPage()
      .catch((err: unknown) => {
        // The store is unreachable: the desk reconnects (to this node or another) and resumes.
        this.hub.log(`desk ${this.device.id} replay: ${(err as Error).message}`);
        this.close(CloseCode.goingAway, 'replay interrupted');
      })
      .finally(() => (this.pumping = false));
  }

  private async pumpPage(): Promise<void> {
    if (this.state !== 'replaying' || this.ws.readyState !== this.ws.OPEN) return;
    const now = Date.now();
    if (this.ws.bufferedAmount > this.hub.opts.slowConsumerBytes) {
      this.stalledSince ||= now;
      if (now - this.stalledSince > this.hub.opts.slowConsumerMs) {
        this.close(CloseCode.slowConsumer, 'slow consumer: reconnect and resume');
        return;
      }
      // The next page as soon as the socket has written this out, not at the next 20 ms tick: a
      // desk reading faster than that found the pipe empty between pages (docs/benchmarks.md, round 26).
      whenDrained(this.ws, 20, () => this.pumpReplay());
      return;
    }
    this.stalledSince = 0;
    const from = this.lastSent;
    const events = await this.hub.readEvents(this.storeId, from, REPLAY_PAGE);
    if (this.state !== 'replaying' || this.lastSent !== from || this.ws.readyState !== this.ws.OPEN) return;
    if (events.length === 0) {
      this.state = 'live';
      // The feed may have moved on while the page was read: what it handed out then was skipped.
      const pos = this.hub.feeds.position(this.storeId);
      if (pos && pos.head > this.lastSent) {
        this.state = 'replaying';
        setImmediate(() => this.pumpReplay());
      }
      return;
    }
    if (events[0]!.seq !== from + 1) {
      // The log was trimmed past this desk while it replayed: never a partial recovery — it
      // reconnects, and its resume position is then answered with a reset.
      this.close(CloseCode.goingAway, 'resume position no longer in the log');
      return;
    }
    for (const ev of events) {
      if (ev.seq !== this.lastSent + 1) break; // never a gap: the next page starts here
      // Encoded for this desk alone (desks replay different ranges), into its wire bytes in one go.
      const { payload, wire } = textWireFrame(evFrameParts(ev));
      if (!writeWireFrame(this.ws, wire)) this.sendText(payload);
      this.lastSent = ev.seq;
    }
    setImmediate(() => this.pumpReplay());
  }
}
