// The desk's WebSocket link to HQ: connect, keep connected, and tell the desk core what happened.
//
// Invariant: one socket at a time, to one of HQ's addresses; the link moves to the next address
// only when a connection fails or drops, and backs off only after every address failed in a row
// (hqAddresses.ts afterFailure). A welcome resets that count.
//
// The link knows transport concerns only — addresses, backoff, silence detection, close codes,
// frame schema checks. What the frames mean (hello/resume, replay, reset, outbox) is the desk
// core's business; any node resumes a desk, so a new address needs nothing more than a new hello.
import WebSocket from 'ws';
import { CloseCode, type EvFrame, HqToDesk, MAX_FRAME_BYTES, parseFrame, type DeskToHq } from '../../shared/protocol.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { fastParser } from './fastSchema.ts';
import { afterFailure, firstIndex } from './hqAddresses.ts';

/** HqToDesk compiled once: a resume's thousands of `ev` frames skip zod's per-node machinery (same verdicts, same output). */
const fastHqToDesk = fastParser(HqToDesk);

/**
 * The first bytes of every `ev` frame HQ writes (its frames are serialised `t` first). Only a
 * routing hint: the frame is still schema-checked, by parseEventFrame, before anything uses it.
 */
const EV_PREFIX = '{"t":"ev",';

/**
 * An `ev` frame as received, schema-checked like every other frame (same verdicts, same output),
 * and refused when it turns out to be any other kind (a second `"t"` key would do that).
 */
export function parseEventFrame(bytes: Buffer): { ok: true; frame: EvFrame } | { ok: false; error: string } {
  const parsed = parseFrame(HqToDesk, bytes.toString(), fastHqToDesk);
  if (!parsed.ok) return parsed;
  if (parsed.frame.t !== 'ev') return { ok: false, error: `an event frame that parsed as ${parsed.frame.t}` };
  return { ok: true, frame: parsed.frame };
}

/** How long the link waits without a frame or a ping before it drops and reconnects (at least 1.5 × HQ's heartbeat). */
export const DEFAULT_SILENCE_MS = 40_000;

/** idle: not started or stopped · connecting · open · waiting: backing off · halted: HQ refused us for good. */
export type LinkPhase = 'idle' | 'connecting' | 'open' | 'waiting' | 'halted';

export interface LinkHandlers {
  /** The socket is open: send hello. */
  onOpen(): void;
  /** A schema-checked frame from HQ (any kind but `ev`). */
  onFrame(frame: HqToDesk): void;
  /**
   * An `ev` frame as received, not yet parsed: the core checks it with parseEventFrame when it
   * applies it, and drops the link (CloseCode.badFrame) when that refuses it. Why not parse here: a
   * resume brings thousands of events faster than the cache commits them, and a parsed frame that
   * waits in the core's queue (a burst of ~450 is applied in one transaction) lives through the
   * young generation's collections and is copied into the old one — a fifth of a 10,000-event
   * resume went to garbage collection that way (docs/benchmarks.md, round 15). Its bytes wait
   * outside the JS heap, and each parsed event dies right after it is applied.
   */
  onEvent(bytes: Buffer): void;
  /** The socket went away (closed, dropped, never opened). */
  onDown(info: { code: number | null; reason: string }): void;
  /** phase, retryAt or lastError changed. */
  onChange(): void;
}

export interface LinkOptions {
  /** HQ's addresses, http(s)://host:port, tried round-robin (at least one). */
  hqUrls: readonly string[];
  /** The index to try first (default random, so desks spread over HQ's nodes). */
  first?: number;
  token: string;
  reconnect?: BackoffOptions;
  /** Jitter source (backoff and the first address); injectable for tests. */
  random?: () => number;
  /** Drop a link that has been silent (no frame, no ping) this long. */
  silenceMs?: number;
  log?: (line: string) => void;
  handlers: LinkHandlers;
}

/** Close codes after which retrying cannot help: the desk needs enrolling, an update, or is replaced. */
const FATAL: Record<number, string> = {
  [CloseCode.unauthorized]: 'unauthorized: the device token was refused; enroll this desk again',
  [CloseCode.unsupportedVersion]: 'HQ does not speak this protocol version; update this desk',
  [CloseCode.replaced]: 'replaced: this device connected to HQ from another process',
};

export function deskSocketUrl(hqUrl: string): string {
  const u = new URL('/v1/desk', hqUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export class HqLink {
  phase: LinkPhase = 'idle';
  retryAt: number | null = null;
  lastError: string | null = null;
  private ws: WebSocket | null = null;
  /** Failed or dropped connections since the last welcome. */
  private failures = 0;
  /** The address connected to, or to try next. */
  private index: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private silenceMs: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: LinkOptions) {
    if (opts.hqUrls.length === 0) throw new Error('link: no HQ address');
    this.backoff = opts.reconnect ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.index = opts.first ?? firstIndex(opts.hqUrls.length, this.random);
    this.silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
    this.log = opts.log ?? (() => {});
  }

  /** The address the link is connected to (or trying, or will try next). */
  get url(): string {
    return this.opts.hqUrls[this.index]!;
  }

  start(): void {
    if (this.phase !== 'idle' && this.phase !== 'halted') return;
    this.connect();
  }

  /** Close the socket (1000) and stop retrying. Resolves once the socket is closed. */
  async stop(): Promise<void> {
    this.clearTimers();
    this.setPhase('idle', null);
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    await new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(CloseCode.normal, 'desk stopping');
    });
  }

  send(frame: DeskToHq): boolean {
    if (this.phase !== 'open' || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** The desk saw a good welcome: the next outage starts at the next address, then backs off from the minimum again. */
  healthy(heartbeatMs?: number): void {
    this.failures = 0;
    this.lastError = null;
    // A silence timeout shorter than HQ's ping interval would flap; keep 1.5 pings of slack.
    if (heartbeatMs && this.silenceMs < heartbeatMs * 1.5) this.silenceMs = Math.ceil(heartbeatMs * 1.5);
    this.armSilence(true);
    this.opts.handlers.onChange();
  }

  /**
   * Drop the current socket and reconnect: after `delayMs` if given, to the same address (a planned
   * reconnect, not a failure), else as after a failure — the next address, or backoff.
   */
  drop(reason: string, opts: { code?: number; delayMs?: number } = {}): void {
    if (this.phase === 'idle' || this.phase === 'halted') return;
    this.log(`link: dropping (${reason})`);
    this.lastError = reason;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      if (ws.readyState === WebSocket.OPEN) ws.close(opts.code ?? CloseCode.normal, reason.slice(0, 120));
      else ws.terminate();
    }
    this.clearTimers();
    this.opts.handlers.onDown({ code: null, reason });
    this.scheduleRetry(opts.delayMs);
  }

  /** Try HQ now instead of waiting for the backoff timer (also after a fatal close: an explicit ask). */
  reconnectNow(): void {
    if (this.phase === 'waiting' || this.phase === 'halted') {
      this.clearTimers();
      this.connect();
    }
  }

  /** The OS network hint: back → try at once; gone → the socket is dead, stop trusting it. */
  networkChanged(online: boolean): void {
    if (online) this.reconnectNow();
    else if (this.phase === 'open' || this.phase === 'connecting') this.drop('network down');
  }

  private connect(): void {
    this.clearTimers();
    this.setPhase('connecting', null);
    const ws = new WebSocket(deskSocketUrl(this.url), {
      headers: { Authorization: `Bearer ${this.opts.token}` },
      // HQ never sends frames above MAX_FRAME_BYTES; anything larger is a broken peer.
      maxPayload: MAX_FRAME_BYTES * 2,
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    let upgradeStatus: number | null = null;
    ws.on('unexpected-response', (_req, res) => {
      upgradeStatus = res.statusCode ?? null;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.setPhase('open', null);
      this.armSilence();
      this.opts.handlers.onOpen();
    });
    ws.on('ping', () => this.ws === ws && this.armSilence());
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      this.armSilence();
      if (isBinary) return this.drop('HQ sent a binary frame', { code: CloseCode.badFrame });
      const bytes = data as Buffer;
      if (bytes.length > EV_PREFIX.length && bytes.toString('latin1', 0, EV_PREFIX.length) === EV_PREFIX) return this.opts.handlers.onEvent(bytes);
      const parsed = parseFrame(HqToDesk, bytes.toString(), fastHqToDesk);
      if (!parsed.ok) return this.drop(`bad frame from HQ: ${parsed.error}`, { code: CloseCode.badFrame });
      this.opts.handlers.onFrame(parsed.frame);
    });
    ws.on('error', (err) => {
      if (this.ws === ws) this.lastError = err.message;
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      const reason = reasonBuf.toString();
      const fatal = upgradeStatus === 401 ? FATAL[CloseCode.unauthorized] : FATAL[code];
      const why = fatal ?? (upgradeStatus ? `HQ refused the upgrade (HTTP ${upgradeStatus})` : `closed ${code}${reason ? ` ${reason}` : ''}`);
      this.log(`link: ${this.url} closed code=${code} ${why}`);
      this.lastError = code === CloseCode.normal && !upgradeStatus ? this.lastError : why;
      this.opts.handlers.onDown({ code: upgradeStatus === 401 ? CloseCode.unauthorized : code, reason: why });
      if (fatal) {
        this.lastError = fatal;
        this.setPhase('halted', null);
      } else this.scheduleRetry();
    });
  }

  private scheduleRetry(delayMs?: number): void {
    let delay = delayMs;
    if (delay === undefined) {
      const next = afterFailure(this.index, ++this.failures, this.opts.hqUrls.length, this.backoff, this.random);
      this.index = next.index;
      delay = next.delayMs;
    }
    const retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.setPhase('waiting', retryAt);
  }

  private armSilence(fresh = false): void {
    // Called for every frame: a resume's 10,000 frames re-armed a new timer each (clearTimeout and
    // setTimeout, ~1 % of applying them); refresh() moves the same timer's start to now.
    // A timer that fired, or that clearTimers stopped, is gone (null): never refreshed.
    // `fresh`: the timeout itself changed (healthy), which refresh() would not take.
    if (this.silenceTimer && !fresh) {
      this.silenceTimer.refresh();
      return;
    }
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null;
      this.drop(`HQ silent for ${this.silenceMs} ms`);
    }, this.silenceMs);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.retryTimer = this.silenceTimer = null;
  }

  private setPhase(phase: LinkPhase, retryAt: number | null): void {
    this.phase = phase;
    this.retryAt = retryAt;
    this.opts.handlers.onChange();
  }
}
