// HQ's HTTP keep-alive outlasts its clients' (HQ_DEFAULTS.keepAliveMs): a proxy or an integration's
// client that keeps an idle connection for longer than Node's default 5 s and then sends on it
// must not meet a connection HQ is closing — the request would die with a reset (nginx answers a
// POST 502 and does not retry it; the benches' arrival generator saw one ECONNRESET in 8,000).
// Real TCP against a real HQ: one connection, a request, 5.5 s idle, a second request on it.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HQ_DEFAULTS } from '../../hq/server.ts';
import { TestHq } from '../support/hq.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One HTTP/1.1 request on `socket`, answered with its status line and Keep-Alive header (null: the connection closed first). */
function ask(socket: Socket, host: string): Promise<{ status: string; keepAlive: string | null } | null> {
  return new Promise((resolve) => {
    let text = '';
    const done = (v: { status: string; keepAlive: string | null } | null) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(v);
    };
    const onData = (d: Buffer) => {
      text += d.toString();
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
      if (text.length < end + 4 + length) return;
      done({ status: text.slice(0, text.indexOf('\r\n')), keepAlive: /keep-alive: ([^\r]*)/i.exec(text)?.[1] ?? null });
    };
    const onClose = () => done(null);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('HQ HTTP keep-alive', () => {
  it('announces its idle timeout and answers on a connection left idle longer than Node’s default 5 s', async () => {
    expect(HQ_DEFAULTS.keepAliveMs).toBeGreaterThan(60_000); // nginx's upstream keepalive_timeout default
    const t = await TestHq.start({ seed: 'storesAB' });
    cleanups.push(() => t.dispose());
    const { hostname, port } = new URL(t.url);
    const socket = connect(Number(port), hostname);
    cleanups.push(() => void socket.destroy());
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));

    expect(await ask(socket, `${hostname}:${port}`)).toEqual({ status: 'HTTP/1.1 200 OK', keepAlive: `timeout=${HQ_DEFAULTS.keepAliveMs / 1000}` });
    await new Promise((r) => setTimeout(r, 5_500));
    expect(socket.destroyed).toBe(false);
    expect(await ask(socket, `${hostname}:${port}`)).toMatchObject({ status: 'HTTP/1.1 200 OK' });
  }, 20_000);
});
