// The web shell's gatekeeping, against a real startWebShell hosting a real DeskCore (not started,
// so it serves its empty cache offline — no HQ needed to test who may talk to it).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { startWebShell, type WebShellHandle } from '../../electron/web/webShell.ts';

let dir: string;
let core: DeskCore;
let shell: WebShellHandle;
let origin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-web-'));
  const staticDir = join(dir, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  core = DeskCore.open({ dbPath: join(dir, 'desk.db'), hqUrls: ['http://127.0.0.1:9'], token: 'unused' });
  shell = await startWebShell({ core, staticDir, token: 'test-token-0123456789' });
  origin = `http://127.0.0.1:${shell.port}`;
});

afterAll(async () => {
  await shell.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('prints a 127.0.0.1 URL that carries the token', () => {
    expect(shell.url).toBe(`${origin}/?token=test-token-0123456789`);
  });

  it('serves the page with the token, CSP allowing only its own bridge, and a cookie for the assets', async () => {
    const res = await fetch(shell.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${shell.port}`);
    expect(csp).toContain("script-src 'self';");
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await fetch(`${origin}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
  });

  it('refuses a missing or wrong token with 403', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(403);
    expect((await fetch(`${origin}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${origin}/assets/app.js`)).status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: shell.port, path: '/?token=test-token-0123456789', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const res = await fetch(`${origin}${path}${path.includes('?') ? '&' : '?'}token=test-token-0123456789`);
      expect([403, 404]).toContain(res.status);
      expect(await res.text()).not.toContain('secret');
    }
  });
});

function connect(opts: { token?: string; origin?: string }): WebSocket {
  const query = opts.token === undefined ? '' : `?token=${encodeURIComponent(opts.token)}`;
  return new WebSocket(`ws://127.0.0.1:${shell.port}/bridge${query}`, { origin: opts.origin ?? origin });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

function rpc(ws: WebSocket, frame: unknown): Promise<{ id: number; ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString());
      if ('id' in msg) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(frame));
  });
}

describe('bridge', () => {
  it('refuses another Origin before the upgrade (HTTP 403)', async () => {
    const ws = connect({ token: 'test-token-0123456789', origin: 'http://evil.example' });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
  });

  it('refuses localhost-but-other-port origins', async () => {
    const ws = connect({ token: 'test-token-0123456789', origin: 'http://127.0.0.1:1' });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
  });

  it('closes with 4001 on a missing or wrong token', async () => {
    expect(await closeCode(connect({}))).toBe(4001);
    expect(await closeCode(connect({ token: 'nope' }))).toBe(4001);
  });

  it('answers a valid command from the real desk core', async () => {
    const ws = connect({ token: 'test-token-0123456789' });
    await new Promise((resolve) => ws.on('open', resolve));
    const reply = await rpc(ws, { id: 1, method: 'getConnection', args: [] });
    expect(reply).toMatchObject({ id: 1, ok: true });
    expect((reply.result as { status: string }).status).toBe('offline');
    const list = await rpc(ws, { id: 2, method: 'listArrivals', args: [{ limit: 10 }] });
    expect(list).toEqual({ id: 2, ok: true, result: [] });
    ws.close();
  });

  it('refuses an unknown method and bad args with invalid_argument', async () => {
    const ws = connect({ token: 'test-token-0123456789' });
    await new Promise((resolve) => ws.on('open', resolve));
    const unknown = await rpc(ws, { id: 3, method: 'dropDatabase', args: [] });
    expect(unknown).toMatchObject({ id: 3, ok: false, error: { code: 'invalid_argument' } });
    const proto = await rpc(ws, { id: 4, method: '__proto__', args: [] });
    expect(proto).toMatchObject({ id: 4, ok: false, error: { code: 'invalid_argument' } });
    const badArgs = await rpc(ws, { id: 5, method: 'addNote', args: ['v1', ''] });
    expect(badArgs).toMatchObject({ id: 5, ok: false, error: { code: 'invalid_argument' } });
    expect(badArgs.error!.message).toContain('addNote');
    const badOutcome = await rpc(ws, { id: 6, method: 'closeVisit', args: ['v1', 'stolen'] });
    expect(badOutcome).toMatchObject({ id: 6, ok: false, error: { code: 'invalid_argument' } });
    ws.close();
  });

  it('closes a socket that sends a malformed frame', async () => {
    const ws = connect({ token: 'test-token-0123456789' });
    await new Promise((resolve) => ws.on('open', resolve));
    const closed = closeCode(ws);
    ws.send('not json');
    expect(await closed).toBe(4000);
  });
});
