// The host console's live stream (6/8): while a room's console is open, the desk main holds a
// socket to HQ's room socket (`/v1/live/socket`, hello with the device token → role host) and
// forwards what flows there — comments, deletions, reaction counts, the viewer count, live poll
// counts — to the UI as `liveStream` events. Nothing of it is stored: comments are ephemeral by
// design (shared/live.ts), and the durable parts come through the desk's log as for every view.
//
// Invariant: at most one socket per open room; a drop reconnects with the link's backoff (at the
// address the desk link uses now) until the console is closed. Frames are schema-checked; one that
// fails is logged and dropped, never forwarded. The authors' refs of the comments shown are kept
// (the newest SEEN_REFS_MAX per room, beyond the socket's life) so a mute from a comment names a
// viewer this console was shown, even while the stream is down.

import WebSocket from 'ws';
import type { LiveStreamEvent } from '../../../shared/deskLive.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { FromLive, type LiveComment, type ToLive } from '../../../shared/live.ts';
import { MAX_FRAME_BYTES } from '../../../shared/protocol.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.ts';

export function liveSocketUrl(hqUrl: string): string {
  const u = new URL('/v1/live/socket', hqUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export interface LiveStreamOptions {
  /** The HQ address the desk link uses now. */
  hqUrl(): string;
  token: string;
  log: (line: string) => void;
  emit(e: LiveStreamEvent): void;
  reconnect?: BackoffOptions;
  random?: () => number;
}

class RoomSocket {
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private closed = false;
  open = false;

  constructor(
    readonly roomId: string,
    private readonly o: LiveStreamOptions & { seen(roomId: string, comments: readonly LiveComment[]): void },
  ) {
    this.connect();
  }

  private status(status: 'connecting' | 'open' | 'down' | 'closed', error: string | null = null): void {
    this.o.emit({ roomId: this.roomId, kind: 'status', status, error });
  }

  private connect(): void {
    if (this.closed) return;
    this.status('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(liveSocketUrl(this.o.hqUrl()), { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000 });
    } catch (err) {
      this.down((err as Error).message);
      return;
    }
    this.ws = ws;
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, roomId: this.roomId, token: this.o.token } satisfies ToLive)));
    ws.on('message', (raw) => this.frame(String(raw)));
    ws.on('error', (err) => this.o.log(`desk: live room socket error: ${err.message}`));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.open = false;
      this.down(`closed ${code}${reason.length ? `: ${String(reason)}` : ''}`);
    });
  }

  private frame(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.o.log('desk: live room socket sent a frame that is not JSON');
      return;
    }
    const f = FromLive.safeParse(parsed);
    if (!f.success) {
      this.o.log('desk: live room socket sent a frame outside the contract');
      return;
    }
    const roomId = this.roomId;
    const m = f.data;
    if (m.t === 'welcome' || m.t === 'comments') this.o.seen(roomId, m.t === 'welcome' ? m.comments : m.items);
    switch (m.t) {
      case 'welcome':
        this.attempt = 0;
        this.open = true;
        this.status('open');
        this.o.emit({ roomId, kind: 'welcome', viewers: m.viewers, comments: m.comments, polls: m.polls });
        break;
      case 'comments':
        this.o.emit({ roomId, kind: 'comments', items: m.items });
        break;
      case 'deleted':
        this.o.emit({ roomId, kind: 'deleted', ids: m.ids });
        break;
      case 'reactions':
        this.o.emit({ roomId, kind: 'reactions', counts: m.counts });
        break;
      case 'viewers':
        this.o.emit({ roomId, kind: 'viewers', n: m.n });
        break;
      case 'poll':
        this.o.emit({ roomId, kind: 'poll', poll: m.poll });
        break;
      case 'refused':
      case 'error':
        this.o.log(`desk: live room socket ${m.t}: ${m.code} ${m.message}`);
        this.o.emit({ roomId, kind: 'refused', code: m.code, message: m.message });
        break;
      default:
        // room, question, lottery: the durable parts arrive through the desk's log.
        break;
    }
  }

  private down(error: string): void {
    if (this.closed) return;
    this.status('down', error);
    const delay = backoffDelay(this.attempt++, this.o.reconnect ?? DEFAULT_BACKOFF, this.o.random);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(frame: ToLive): boolean {
    if (!this.ws || !this.open || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    this.open = false;
    ws?.close(1000, 'console closed');
    this.status('closed');
  }
}

/** Comment authors' refs kept per room (a Set in insertion order: the oldest go first). */
export const SEEN_REFS_MAX = 2000;

export class LiveStreams {
  private readonly rooms = new Map<string, RoomSocket>();
  private readonly refs = new Map<string, Set<string>>();
  private readonly o: LiveStreamOptions & { seen(roomId: string, comments: readonly LiveComment[]): void };

  constructor(o: LiveStreamOptions) {
    this.o = { ...o, seen: (roomId, comments) => this.noteRefs(roomId, comments) };
  }

  private noteRefs(roomId: string, comments: readonly LiveComment[]): void {
    let set = this.refs.get(roomId);
    for (const c of comments) {
      if (!c.ref) continue;
      if (!set) this.refs.set(roomId, (set = new Set()));
      set.delete(c.ref);
      set.add(c.ref);
      if (set.size > SEEN_REFS_MAX) set.delete(set.values().next().value!);
    }
  }

  /** Whether a comment by this ref was shown in the room's console (since the desk started). */
  sawRef(roomId: string, ref: string): boolean {
    return this.refs.get(roomId)?.has(ref) ?? false;
  }

  /** Opens the room's stream (again: nothing new while one is open). */
  open(roomId: string): void {
    if (!this.rooms.has(roomId)) this.rooms.set(roomId, new RoomSocket(roomId, this.o));
  }

  close(roomId: string): void {
    this.rooms.get(roomId)?.close();
    this.rooms.delete(roomId);
  }

  isOpen(roomId: string): boolean {
    return this.rooms.get(roomId)?.open ?? false;
  }

  /** A host comment (always let through by HQ); false when the stream is not open now. */
  comment(roomId: string, text: string): boolean {
    return this.rooms.get(roomId)?.send({ t: 'comment', clientId: uuidv7().replace(/[^A-Za-z0-9_-]/g, ''), text }) ?? false;
  }

  delete(roomId: string, commentId: string): boolean {
    return this.rooms.get(roomId)?.send({ t: 'delete', commentId }) ?? false;
  }

  closeAll(): void {
    for (const id of [...this.rooms.keys()]) this.close(id);
  }
}
