// The HQ link against a real local WebSocket server (ws), exercising transport behaviour only:
// auth header, silence timeout, pings, bad frames, fatal close codes, reconnectNow.
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { HqLink, parseEventFrame } from '../../electron/desk/link.ts';
import { type HqToDesk } from '../../shared/protocol.ts';
import { waitFor } from '../support/waitFor.ts';

const servers: WebSocketServer[] = [];
const links: HqLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    s.close();
  }
});

async function server(opts: { refuse401?: boolean } = {}) {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: opts.refuse401 ? (_info, cb) => cb(false, 401, 'Unauthorized') : undefined,
  });
  servers.push(wss);
  await once(wss, 'listening');
  const sockets: WebSocket[] = [];
  const auth: string[] = [];
  const received: string[] = [];
  wss.on('connection', (ws, req) => {
    sockets.push(ws);
    auth.push(req.headers.authorization ?? '');
    ws.on('message', (d) => received.push(d.toString()));
  });
  return { wss, sockets, auth, received, url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

function link(url: string, over: Partial<ConstructorParameters<typeof HqLink>[0]> = {}) {
  const frames: HqToDesk[] = [];
  const events: string[] = [];
  const downs: Array<{ code: number | null; reason: string }> = [];
  let opens = 0;
  const l = new HqLink({
    hqUrls: [url],
    token: 'secret-token',
    reconnect: { minMs: 20, maxMs: 40 },
    silenceMs: 200,
    handlers: {
      onOpen: () => {
        opens++;
        l.send({ t: 'hello', v: 1 });
      },
      onFrame: (f) => frames.push(f),
      onEvent: (bytes) => events.push(bytes.toString()),
      onDown: (d) => downs.push(d),
      onChange: () => {},
    },
    ...over,
  });
  links.push(l);
  return { l, frames, events, downs, opens: () => opens };
}

describe('HqLink', () => {
  it('connects with the bearer token, sends hello and delivers schema-checked frames', async () => {
    const s = await server();
    const { l, frames } = link(s.url);
    l.start();
    await waitFor(() => s.received.length === 1);
    expect(s.auth[0]).toBe('Bearer secret-token');
    expect(JSON.parse(s.received[0]!)).toEqual({ t: 'hello', v: 1 });
    s.sockets[0]!.send(JSON.stringify({ t: 'head', epoch: 'E', seq: 3 }));
    await waitFor(() => frames.length === 1);
    expect(frames[0]).toEqual({ t: 'head', epoch: 'E', seq: 3 });
    expect(l.phase).toBe('open');
  });

  it('drops a silent link and reconnects; pings count as life', async () => {
    const s = await server();
    const { l, opens } = link(s.url, { silenceMs: 150 });
    l.start();
    await waitFor(() => opens() === 1);
    // Pinged every 50 ms: stays up well past the silence window.
    const timer = setInterval(() => s.sockets[0]?.ping(), 50);
    await new Promise((r) => setTimeout(r, 450));
    clearInterval(timer);
    expect(opens()).toBe(1);
    // Silent: dropped and reconnected.
    await waitFor(() => opens() >= 2, 2000);
    expect(l.lastError === null || /silent/.test(l.lastError)).toBe(true);
  });

  it('frames count as life too, and a welcome\'s longer heartbeat lengthens the silence window at once', async () => {
    const s = await server();
    const { l, opens, frames } = link(s.url, { silenceMs: 150 });
    l.start();
    await waitFor(() => opens() === 1);
    l.healthy(400); // HQ pings every 400 ms: the window becomes 600 ms
    const timer = setInterval(() => s.sockets[0]?.send(JSON.stringify({ t: 'head', epoch: 'E', seq: 1 })), 50);
    await new Promise((r) => setTimeout(r, 450));
    clearInterval(timer);
    const heard = frames.length;
    expect(heard).toBeGreaterThan(3);
    expect(opens()).toBe(1);
    // 300 ms after the last frame: past the old 150 ms window, inside the new 600 ms one.
    await new Promise((r) => setTimeout(r, 300));
    expect(frames.length).toBe(heard);
    expect(opens()).toBe(1);
    expect(l.phase).toBe('open');
    await waitFor(() => opens() >= 2, 3000);
    expect(l.lastError === null || /silent for 600 ms/.test(l.lastError)).toBe(true);
  });

  it('drops the link on a malformed frame, closing with 4000, and comes back', async () => {
    const s = await server();
    const { l, frames, opens } = link(s.url);
    l.start();
    await waitFor(() => opens() === 1);
    const closed = once(s.sockets[0]!, 'close');
    s.sockets[0]!.send('{"t":"head","epoch":"E","seq":"x"}');
    const [code] = (await closed) as [number];
    expect(code).toBe(4000);
    expect(frames).toEqual([]);
    await waitFor(() => opens() === 2);
  });

  it('hands `ev` frames over as received; parseEventFrame gives the schema\'s verdict on them', async () => {
    const s = await server();
    const { l, frames, events, opens } = link(s.url);
    l.start();
    await waitFor(() => opens() === 1);
    const good = { t: 'ev', epoch: 'E', seq: 1, id: 'e1', type: 'clerks.updated', at: 1, data: { storeId: 'store-a' } };
    s.sockets[0]!.send(JSON.stringify(good));
    s.sockets[0]!.send('{"t":"ev","seq":"x"}');
    // Not serialised `t` first: not recognised by its first bytes, so checked at once like any frame.
    s.sockets[0]!.send(JSON.stringify({ epoch: 'E', t: 'ev', seq: 2, id: 'e2', type: 'clerks.updated', at: 2, data: { storeId: 'store-a' } }));
    await waitFor(() => events.length === 2 && frames.length === 1);
    expect(l.phase).toBe('open'); // the link leaves the verdict on events to whoever applies them
    expect(frames[0]).toMatchObject({ t: 'ev', seq: 2 });
    const verdicts = events.map((e) => parseEventFrame(Buffer.from(e)));
    expect(verdicts[0]).toEqual({ ok: true, frame: good });
    expect(verdicts[1]).toEqual({ ok: false, error: '(root): Invalid input' }); // the discriminated union refuses it whole
    // A second `t` makes it another kind of frame: refused as an event.
    expect(parseEventFrame(Buffer.from('{"t":"ev","t":"head","epoch":"E","seq":3}'))).toEqual({ ok: false, error: 'an event frame that parsed as head' });
    expect(parseEventFrame(Buffer.from('{"t":"ev",'))).toEqual({ ok: false, error: 'frame is not valid JSON' });
  });

  it('stops retrying after 4001 unauthorized', async () => {
    const s = await server();
    const { l, opens } = link(s.url);
    l.start();
    await waitFor(() => opens() === 1);
    s.sockets[0]!.close(4001, 'unauthorized');
    await waitFor(() => l.phase === 'halted');
    await new Promise((r) => setTimeout(r, 150));
    expect(opens()).toBe(1);
    expect(l.lastError).toMatch(/unauthorized/);
  });

  it('stops retrying when the upgrade is refused with HTTP 401', async () => {
    const s = await server({ refuse401: true });
    const { l, downs } = link(s.url);
    l.start();
    await waitFor(() => l.phase === 'halted');
    expect(downs[0]!.code).toBe(4001);
    expect(l.lastError).toMatch(/unauthorized/);
  });

  it('reconnectNow skips the backoff wait', async () => {
    const s = await server();
    const { l, opens } = link(s.url, { reconnect: { minMs: 60_000, maxMs: 60_000 } });
    l.start();
    await waitFor(() => opens() === 1);
    s.sockets[0]!.close(1001, 'restarting');
    await waitFor(() => l.phase === 'waiting');
    expect(l.retryAt! - Date.now()).toBeGreaterThan(20_000);
    l.networkChanged(true);
    await waitFor(() => opens() === 2, 1000);
  });
});
