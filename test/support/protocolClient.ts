// Raw desks over the desk protocol (docs/protocol.md), for tests that talk to HQ below the desk core:
//   ProtocolDesk   a desk reduced to its protocol: it keeps its (epoch, seq), applies events strictly
//                  in order, resumes on any of several HQ addresses, and counts every way HQ could
//                  fail it — an event sent twice, a gap, a reset — so a test can assert 0 lost and 0
//                  doubled.
//   RecordingDesk  one socket that records every frame HQ sends, as sent, and lets the test send
//                  anything (bad frames included): for the socket's own rules.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { type CmdAckFrame, type CommandType, type EvFrame, HqToDesk, parseFrame, PROTOCOL_VERSION } from '../../shared/protocol.ts';

export function deskSocketUrl(hqUrl: string): string {
  const u = new URL('/v1/desk', hqUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export interface ProtocolDeskOptions {
  /** HQ addresses, tried in turn from `start`. */
  urls: string[];
  token: string;
  start?: number;
  /** Start from this position (else from a reset, like a new desk). */
  resume?: { epoch: string; seq: number };
  reconnectMs?: number;
  /** The clerk signed in at this desk: sent as every command's `clerkId` (group hosts act as clerks). */
  clerkId?: string;
}

export class ProtocolDesk {
  epoch = '';
  seq = 0;
  /** Every event applied, in order. */
  readonly events: EvFrame[] = [];
  /** Events received at or below the position (HQ sent them twice). */
  duplicates = 0;
  /** Events received above position + 1 (HQ skipped some). */
  gaps = 0;
  resets = 0;
  connects = 0;
  /** URLs of the nodes this desk was welcomed by, in order. */
  readonly welcomedBy: string[] = [];
  private ws: WebSocket | null = null;
  private index: number;
  private closed = false;
  private live = false;
  private readonly acks = new Map<string, (ack: CmdAckFrame) => void>();
  private readonly welcomeWaiters: Array<() => void> = [];
  /** Told each time HQ closes the socket, with the close code. */
  onClose: (code: number) => void = () => undefined;

  constructor(readonly opts: ProtocolDeskOptions) {
    this.index = opts.start ?? 0;
    if (opts.resume) {
      this.epoch = opts.resume.epoch;
      this.seq = opts.resume.seq;
    }
  }

  get token(): string {
    return this.opts.token;
  }

  get url(): string {
    return this.opts.urls[this.index % this.opts.urls.length]!;
  }

  get connected(): boolean {
    return this.live;
  }

  /** Connects (and keeps reconnecting until `close()`); resolves at the first welcome. */
  start(): Promise<void> {
    const welcomed = new Promise<void>((resolve) => this.welcomeWaiters.push(resolve));
    this.connect();
    return welcomed;
  }

  private connect(): void {
    if (this.closed) return;
    const url = this.url;
    const ws = new WebSocket(deskSocketUrl(url), { headers: { authorization: `Bearer ${this.opts.token}` } });
    this.ws = ws;
    ws.on('open', () => {
      this.connects++;
      ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, ...(this.epoch ? { resume: { epoch: this.epoch, seq: this.seq } } : {}) }));
    });
    ws.on('message', (data) => this.onFrame(ws, url, data.toString()));
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.onClose(code);
      this.live = false;
      this.ws = null;
      if (this.closed) return;
      this.index++; // fail over to the next address
      setTimeout(() => this.connect(), this.opts.reconnectMs ?? 100);
    });
  }

  private onFrame(ws: WebSocket, url: string, text: string): void {
    const parsed = parseFrame(HqToDesk, text);
    if (!parsed.ok) throw new Error(`bad frame from HQ: ${parsed.error}`);
    const f = parsed.frame;
    switch (f.t) {
      case 'welcome':
        this.live = true;
        this.welcomedBy.push(url);
        for (const w of this.welcomeWaiters.splice(0)) w();
        return;
      case 'reset':
        // A real desk loads a snapshot here; this one only takes the position.
        this.resets++;
        this.epoch = f.epoch;
        this.seq = f.head;
        return;
      case 'ev':
        if (f.epoch !== this.epoch || f.seq <= this.seq) {
          if (f.epoch === this.epoch) this.duplicates++;
          return;
        }
        if (f.seq !== this.seq + 1) {
          this.gaps++;
          ws.close(); // resume from the position, as a desk does on a gap
          return;
        }
        this.events.push(f);
        this.seq = f.seq;
        ws.send(JSON.stringify({ t: 'ack', seq: f.seq }));
        return;
      case 'cmdAck':
        this.acks.get(f.opId)?.(f);
        this.acks.delete(f.opId);
        return;
      default:
        return;
    }
  }

  /** Sends a command now and waits for its cmdAck (resent after a reconnect until answered). */
  async command(type: CommandType, data: Record<string, unknown>, opId = randomUUID()): Promise<CmdAckFrame> {
    const answered = new Promise<CmdAckFrame>((resolve) => this.acks.set(opId, resolve));
    const frame = JSON.stringify({ t: 'cmd', opId, type, data, ...(this.opts.clerkId ? { clerkId: this.opts.clerkId } : {}) });
    const send = () => {
      if (this.ws && this.live) this.ws.send(frame);
    };
    send();
    const timer = setInterval(send, 1000); // at least once: HQ answers a resend as a duplicate
    try {
      return await answered;
    } finally {
      clearInterval(timer);
    }
  }

  /** Drops the socket without a goodbye (the desk's Wi-Fi went away). */
  drop(): void {
    this.ws?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ws?.close();
    this.ws = null;
  }
}

/** One desk socket that records every frame HQ sends; it does nothing by itself after `hello`. */
export class RecordingDesk {
  readonly frames: HqToDesk[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  /** Opens the socket (rejects `opened` with `HTTP <status>` when HQ refuses the upgrade). */
  constructor(hq: { url: string }, token: string) {
    this.ws = new WebSocket(deskSocketUrl(hq.url), { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (data) => {
      // Recorded as sent, unvalidated: a test may look at exactly what HQ put on the wire.
      this.frames.push(JSON.parse(data.toString()) as HqToDesk);
      for (const w of this.waiters) w();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Connects and sends `hello` (null: nothing), then waits for the welcome. */
  static async connect(hq: { url: string }, token: string, hello: Record<string, unknown> | null = { t: 'hello', v: 1 }): Promise<RecordingDesk> {
    const desk = new RecordingDesk(hq, token);
    await desk.opened;
    if (hello) {
      desk.send(hello);
      await desk.waitFor((f) => f.t === 'welcome');
    }
    return desk;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  events(): EvFrame[] {
    return this.frames.filter((f): f is EvFrame => f.t === 'ev');
  }

  /** Resolves with the first recorded frame matching `pred` (past or future). */
  waitFor<F extends HqToDesk>(pred: (f: HqToDesk) => boolean, timeoutMs = 3000): Promise<F> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.frames.find(pred);
        if (hit) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(hit as F);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${this.frames.length} frames; last: ${JSON.stringify(this.frames.slice(-5).map((f) => f.t))}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}
