// Gaps around the web shell's gate (test/unit/web-shell.test.ts covers the main cases): a client
// that sends no Origin at all, the opaque "null" origin (sandboxed iframe, file://), look-alike
// origins, a token in the wrong place, and a token that is only a prefix of the real one.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebShell, type WebShellHandle } from '../../electron/web/webShell.ts';
import { type DeskApi } from '../../shared/deskApi.ts';

let shell: WebShellHandle;
let dir: string;
const TOKEN = 'gate-token-0123456789abcdef';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-gate-'));
  mkdirSync(join(dir, 'r'));
  writeFileSync(join(dir, 'r', 'index.html'), '<!doctype html>');
  const core = new Proxy({}, { get: (_t, p) => (p === 'on' ? () => () => {} : () => Promise.resolve(null)) }) as unknown as DeskApi;
  shell = await startWebShell({ core, staticDir: join(dir, 'r'), token: TOKEN });
});
afterAll(async () => {
  await shell.close();
  rmSync(dir, { recursive: true, force: true });
});

function attempt(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
    ws.once('close', (code) => resolve(`close ${code}`));
    ws.once('error', () => resolve('error'));
    ws.once('open', () => setTimeout(() => resolve(ws.readyState === WebSocket.OPEN ? 'open' : 'closed'), 100));
  });
}

describe('web shell gate', () => {
  const bridge = () => `ws://127.0.0.1:${shell.port}/bridge?token=${TOKEN}`;
  const own = () => `http://127.0.0.1:${shell.port}`;

  it('refuses a bridge client without an Origin, with the null origin, or a look-alike origin', async () => {
    for (const origin of [undefined, 'null', `https://127.0.0.1:${shell.port}`, `http://127.0.0.1:${shell.port}.evil.test`, `http://127.0.0.1:${shell.port + 1}`, 'http://evil.test']) {
      const headers: Record<string, string> = origin === undefined ? {} : { origin };
      expect(await attempt(bridge(), headers), String(origin)).toBe('http 403');
    }
    expect(await attempt(bridge(), { origin: own() })).toBe('open');
  });

  it('refuses a token prefix, a token in a header instead of the URL, and no token', async () => {
    const base = `ws://127.0.0.1:${shell.port}/bridge`;
    expect(await attempt(`${base}?token=${TOKEN.slice(0, -1)}`, { origin: own() })).toBe('close 4001');
    expect(await attempt(`${base}?token=${TOKEN}x`, { origin: own() })).toBe('close 4001');
    expect(await attempt(base, { origin: own(), authorization: `Bearer ${TOKEN}` })).toBe('close 4001');
    expect((await fetch(`${own()}/?token=${TOKEN.slice(0, 10)}`)).status).toBe(403);
    expect((await fetch(`${own()}/`, { headers: { cookie: `footfall_${shell.port}=wrong` } })).status).toBe(403);
  });

  it('answers only GET/HEAD for pages', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await fetch(`${own()}/?token=${TOKEN}`, { method })).status).toBe(405);
  });
});
