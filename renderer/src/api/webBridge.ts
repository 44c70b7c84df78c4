// DeskApi over the web shell's local WebSocket bridge. Used when the page runs in a plain browser,
// i.e. when the Electron preload did not provide window.footfall.
//
// The frames are the web shell's, declared once in shared/bridge.ts. Calls made while the socket
// is down wait for it (the desk core is local, so a drop means the web shell restarted); calls in
// flight when it drops fail. After a reconnect a synthetic `reset` event makes the UI reload,
// because events pushed while we were away are lost.
import type { BridgeRequest, BridgeServerFrame } from '../../../shared/bridge.ts';
import { BRIDGE_PATH, BridgeClose } from '../../../shared/bridgeSocket.ts';
import { DESK_COMMAND_NAMES } from '../../../shared/deskApiNames.ts';
import type { DeskApi, DeskErrorShape, DeskEventName, DeskEvents } from '../../../shared/deskApi.ts';
import { Emitter } from '../../../shared/emitter.ts';
import type { BridgeState, DeskClient } from './types.ts';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class BridgeError extends Error {
  constructor(
    public code: DeskErrorShape['code'] | 'bridge_down',
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

export interface WebBridgeOptions {
  /** ws://host/bridge?token=… */
  url: string;
  /** Test seam for timers is not needed; backoff bounds in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export function createWebBridge(options: WebBridgeOptions): DeskClient {
  const minDelay = options.minDelayMs ?? 300;
  const maxDelay = options.maxDelayMs ?? 5000;
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let everConnected = false;
  // 'connecting' until the first open, so the page does not flash "lost contact" while loading.
  let state: BridgeState = 'connecting';
  const pending = new Map<number, Pending>();
  const waiting: Array<() => void> = [];
  // A listener that throws is reported and does not stop the others, nor the frame handling.
  const report = (event: string | number | symbol, err: unknown) => console.error(`footfall: a '${String(event)}' listener failed`, err);
  const events = new Emitter<DeskEvents>(report);
  const bridge = new Emitter<{ state: BridgeState }>(report);

  function setState(next: BridgeState): void {
    if (next === state) return;
    state = next;
    bridge.emit('state', next);
  }

  function connect(): void {
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('up');
      waiting.splice(0).forEach((go) => go());
      if (everConnected) events.emit('reset', { at: Date.now() });
      everConnected = true;
    };
    ws.onmessage = (message) => {
      let frame: BridgeServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as BridgeServerFrame;
      } catch {
        return;
      }
      if ('event' in frame) {
        // The desk's own frames: the payload is the event's, as the web shell pushed it.
        events.emit(frame.event, frame.payload as DeskEvents[typeof frame.event]);
        return;
      }
      const call = pending.get(frame.id);
      if (!call) return;
      pending.delete(frame.id);
      if (frame.ok) call.resolve(frame.result);
      else call.reject(new BridgeError(frame.error.code, frame.error.message));
    };
    ws.onclose = (event) => {
      socket = null;
      for (const call of pending.values()) call.reject(new BridgeError('bridge_down', 'lost contact with the desk'));
      pending.clear();
      if (event.code === BridgeClose.unauthorized) {
        // A wrong token will not get better by retrying.
        setState('unauthorized');
        return;
      }
      setState('down');
      const delay = Math.min(maxDelay, minDelay * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt += 1;
      setTimeout(connect, delay);
    };
  }

  async function call(method: string, args: unknown[]): Promise<unknown> {
    if (state === 'unauthorized') throw new BridgeError('not_allowed', 'not authorised');
    if (!socket || socket.readyState !== WebSocket.OPEN) await new Promise<void>((go) => waiting.push(go));
    // JSON turns an omitted optional argument into null, which the schemas rightly refuse:
    // drop trailing undefined arguments as a function call would.
    while (args.length > 0 && args[args.length - 1] === undefined) args = args.slice(0, -1);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const request: BridgeRequest = { id, method, args };
      socket!.send(JSON.stringify(request));
    });
  }

  const client: Record<string, unknown> = {};
  for (const name of DESK_COMMAND_NAMES) client[name] = (...args: unknown[]) => call(name, args);
  client.on = <E extends DeskEventName>(event: E, listener: (payload: DeskEvents[E]) => void) => events.on(event, listener);
  client.onBridge = (listener: (state: BridgeState) => void) => {
    const off = bridge.on('state', listener);
    listener(state);
    return off;
  };

  connect();
  return client as unknown as DeskApi & Pick<DeskClient, 'onBridge'>;
}

/** The bridge URL for this page: same host, token from ?token= of the page URL. */
export function bridgeUrlFromLocation(location: Location): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return `ws://${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`;
}
