// Closing a WebSocket so that the peer learns why. Invariant: HQ cuts a socket (terminate) only
// after its close frame has left HQ's send buffer and the peer had `graceMs` to answer it, or
// after `maxMs` whatever happened.
//
// Why not a plain timer: the close frame queues behind everything HQ has sent and the peer has
// not read yet. A desk closed as a slow consumer (4004) has, by definition, a backlog, so cutting
// it a fixed 2 s after close() threw the close frame away with the backlog, and the desk saw 1006
// instead of the 4004 that tells it to resume. Waiting for the frame to leave the buffer costs
// nothing for a peer that reads, and at most `maxMs` of that buffer for one that never does.
import { type WebSocket } from 'ws';

export interface CloseTimings {
  /** How long a peer that has the close frame may take to answer it. */
  graceMs: number;
  /** The latest the socket is cut, from the call, read or not. */
  maxMs: number;
}

export const CLOSE_TIMINGS: CloseTimings = { graceMs: 2000, maxMs: 30_000 };

/** How often the send buffer is looked at while the close frame waits in it. */
const POLL_MS = 100;

export function closeSocket(ws: WebSocket, code: number, reason: string, timings: CloseTimings = CLOSE_TIMINGS): void {
  if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  if (ws.readyState === ws.CLOSED) return;
  const started = Date.now();
  let flushedAt = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    if (ws.readyState === ws.CLOSED) return clearInterval(timer);
    // bufferedAmount counts what ws and the socket still hold in user space; at 0 the close frame is
    // with the kernel, which delivers it even after the socket is cut.
    if (!flushedAt && ws.bufferedAmount === 0) flushedAt = now;
    if ((flushedAt && now - flushedAt >= timings.graceMs) || now - started >= timings.maxMs) {
      clearInterval(timer);
      ws.terminate();
    }
  }, POLL_MS);
  timer.unref();
  ws.once('close', () => clearInterval(timer));
}
