// The web shell: hosts a desk core for a browser. One node:http server bound to 127.0.0.1 serves
// the built renderer and a WebSocket bridge at /bridge that carries DeskApi (frames: shared/bridge.ts).
//
// Who may talk to it: only a page that knows the random token printed at start (it arrives as
// ?token= on the first load, then lives in an HttpOnly cookie for the assets and in the bridge URL),
// only with Host 127.0.0.1:PORT (no DNS rebinding), and only a WebSocket whose Origin is exactly
// http://127.0.0.1:PORT (no other local page or site can drive the desk). Every command is
// validated against DeskCommands before the core sees it — the same check as Electron's IPC.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { BridgeRequest, type BridgeServerFrame } from '../../shared/bridge.ts';
import { BRIDGE_PATH, BridgeClose, MAX_BRIDGE_FRAME_BYTES } from '../../shared/bridgeSocket.ts';
import { type DeskCoreApi } from '../../shared/deskApi.ts';
import { DESK_EVENT_NAMES } from '../../shared/deskApiNames.ts';
// The pure checks are shared with the Electron shell so both transports enforce the same rules.
import { securityHeaders } from '../host/csp.ts';
import { dispatchCommand, toErrorShape, validateCommand } from '../host/ipcValidation.ts';
import { mimeType, resolveStaticPath } from '../host/staticFiles.ts';

export interface WebShellOptions {
  /** A DeskHost (full DeskApi: settings, enrollment…) or a bare desk core (the shell commands then answer 'not_found'). */
  core: DeskCoreApi;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Folder of the built renderer (out/renderer). */
  staticDir: string;
  /** Access token; a random one is made when absent. */
  token?: string;
  log?: (line: string) => void;
}

export interface WebShellHandle {
  /** http://127.0.0.1:PORT/?token=… — the only way in. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function sameSecret(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export async function startWebShell(options: WebShellOptions): Promise<WebShellHandle> {
  const { core, staticDir } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => {});
  let port = 0;
  // The cookie name carries the port: cookies are not port-scoped, and two desks may run side by side.
  const cookieName = () => `footfall_${port}`;
  const origin = () => `http://${HOST}:${port}`;
  const hostOk = (host: string | undefined) => host === `${HOST}:${port}` || host === `localhost:${port}`;

  const server = createServer((req, res) => {
    void serveStatic(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (!hostOk(req.headers.host)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    const url = new URL(req.url ?? '/', origin());
    const viaQuery = sameSecret(url.searchParams.get('token'), token);
    const viaCookie = sameSecret(cookieValue(req.headers.cookie, cookieName()), token);
    if (!viaQuery && !viaCookie) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('forbidden: open the URL the desk printed (it carries the token)');
      return;
    }
    const file = resolveStaticPath(staticDir, url.pathname);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': mimeType(file),
      'Cache-Control': 'no-store',
      ...securityHeaders({ connectSrc: [`ws://${HOST}:${port}`] }),
    };
    if (viaQuery) headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_FRAME_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin());
    // A foreign page gets no socket at all: refuse before the upgrade.
    if (url.pathname !== BRIDGE_PATH || !hostOk(req.headers.host) || req.headers.origin !== origin()) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Token problems are told with a close code rather than an HTTP status, because a browser
      // can read a close code but not the status of a failed handshake: the page can then say
      // "reload from the printed URL" instead of retrying forever.
      if (!sameSecret(url.searchParams.get('token'), token)) {
        ws.close(BridgeClose.unauthorized, 'unauthorized');
        return;
      }
      serveBridge(ws);
    });
  });

  function serveBridge(ws: WebSocket): void {
    const send = (frame: BridgeServerFrame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = DESK_EVENT_NAMES.map((event) => core.on(event, (payload) => send({ event, payload })));
    ws.on('close', () => unsubscribe.forEach((off) => off()));
    ws.on('message', (data, isBinary) => {
      let request: BridgeRequest;
      try {
        if (isBinary) throw new Error('binary');
        const parsed = BridgeRequest.safeParse(JSON.parse(data.toString()));
        if (!parsed.success) throw new Error('shape');
        request = parsed.data;
      } catch {
        ws.close(BridgeClose.badFrame, 'bad frame');
        return;
      }
      const command = validateCommand(request.method, request.args);
      if (!command.ok) {
        send({ id: request.id, ok: false, error: command.error });
        return;
      }
      dispatchCommand(core, command).then(
        (result) => send({ id: request.id, ok: true, result: result ?? null }),
        (error: unknown) => {
          const shape = toErrorShape(error);
          if (shape.code === 'internal') log(`web shell: ${command.method} failed: ${String(error)}`);
          send({ id: request.id, ok: false, error: shape });
        },
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `${origin()}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.close(BridgeClose.goingAway, 'desk shutting down');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
