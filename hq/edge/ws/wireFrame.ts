// An event's WebSocket frame as the bytes on the wire, made once for every desk of its store.
//
// Invariant: the bytes are exactly what ws itself writes for `ws.send(text, { binary: false })` on
// a server socket without compression — made by ws's own `Sender.frame` with those options (FIN,
// opcode text, no mask, RSV1 clear; RFC 6455 §5.2) — and they are written to a socket only while
// its sender holds nothing back (no compression, nothing queued), so they never overtake a frame ws
// still has; otherwise the payload goes through `ws.send` as before.
//
// Why: ws frames every send again for every socket — a header buffer, its options objects, the
// header and payload corked into a two-buffer writev. For one event to a store's 20 desks that was
// 20 framings of the same bytes: 1.5–3 µs of a 10–15 µs delivery, measured alone (2,000 sockets).
import type { Socket } from 'node:net';
import * as ws from 'ws';

interface SenderStatic {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
}
// ws exports its Sender (index.js, wrapper.mjs); @types/ws does not declare it.
const { Sender } = ws as unknown as { Sender: SenderStatic };

const TEXT_FRAME = { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false };

/** One frame for many sockets (a store's desks, a group's members, a room's viewers): made once by textWireFrame. */
export interface SharedFrame {
  /** The JSON text's UTF-8 bytes, for ws.send where the frame may not be written as it is. */
  readonly payload: Buffer;
  /** The whole frame as it goes on the wire. */
  readonly wire: Buffer;
}

/**
 * Where the parts of a text frame are encoded before the frame is cut to its size: grown to the
 * largest frame seen (at most 3 bytes per UTF-16 unit), never shrunk. Only ever used between the
 * start and the end of one textWireFrame call.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The text frame of the concatenation of `parts` (together one JSON text), in one allocation of its
 * exact size: the same bytes as ws's `Sender.frame` of `Buffer.from(parts.join(''))` concatenated,
 * and `payload` a view of the frame's own bytes. Each part is encoded to UTF-8 once, into the
 * scratch buffer, then copied behind ws's header for that length — where building the text,
 * encoding it and concatenating the header to it made two buffers of the frame's size and a string
 * of the text's.
 */
export function textWireFrame(parts: readonly string[]): SharedFrame {
  let units = 0;
  for (const p of parts) units += p.length;
  if (scratch.length < units * 3) scratch = Buffer.allocUnsafe(Math.max(units * 3, scratch.length * 2));
  let n = 0;
  for (const p of parts) n += scratch.write(p, n, 'utf8');
  const [header] = Sender.frame(scratch.subarray(0, n), TEXT_FRAME) as [Buffer];
  const wire = Buffer.allocUnsafe(header.length + n);
  header.copy(wire, 0);
  scratch.copy(wire, header.length, 0, n);
  return { payload: wire.subarray(header.length), wire };
}

/**
 * Sends a shared frame on `socket`: its wire bytes as they are when writeWireFrame may write them,
 * else its payload through ws (compression negotiated, something queued). The caller checks the
 * socket is open and not behind; a socket that is not open ignores it, as ws.send would.
 */
export function sendSharedFrame(socket: ws.WebSocket, frame: SharedFrame): void {
  if (socket.readyState !== socket.OPEN) return;
  if (!writeWireFrame(socket, frame.wire)) socket.send(frame.payload, { binary: false });
}

/** ws's state behind a socket (not public API): used only when every part is there as expected. */
interface WsInside {
  _socket?: Partial<Pick<Socket, 'write' | 'once' | 'off'>>;
  _sender?: { _state?: unknown; _queue?: unknown[] };
  _extensions?: Record<string, unknown>;
}
/** ws's Sender state when it is not waiting on anything (lib/sender.js DEFAULT). */
const SENDER_IDLE = 0;

/**
 * Writes a frame made by textWireFrame to the socket of `socket`; false when it may not be written as
 * it is — the socket not open, an extension (compression), something queued in ws's sender — and
 * the caller sends the payload through ws instead (which refuses a socket that is not open).
 */
export function writeWireFrame(socket: ws.WebSocket, frame: Buffer): boolean {
  if (socket.readyState !== socket.OPEN) return false;
  const inside = socket as unknown as WsInside;
  const sender = inside._sender;
  const raw = inside._socket;
  if (!raw || typeof raw.write !== 'function' || !sender || sender._state !== SENDER_IDLE || (sender._queue?.length ?? 0) > 0) return false;
  for (const _ in inside._extensions ?? {}) return false;
  raw.write(frame);
  return true;
}

/**
 * Calls `then` once, when the socket under `socket` has written out what it holds ('drain'), or
 * after `atMostMs` if that comes first (the caller's own checks — a stalled desk — still run that
 * often). A socket that cannot be watched just waits `atMostMs`.
 */
export function whenDrained(socket: ws.WebSocket, atMostMs: number, then: () => void): void {
  const raw = (socket as unknown as WsInside)._socket;
  const watched = raw && typeof raw.once === 'function' && typeof raw.off === 'function' ? (raw as Socket) : null;
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    watched?.off('drain', go);
    then();
  };
  const timer = setTimeout(go, atMostMs);
  watched?.once('drain', go);
}
