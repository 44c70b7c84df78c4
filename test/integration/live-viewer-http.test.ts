// What the live room's viewer page (6/8 part L4) needs of HQ besides L1's room routes and L2's socket,
// on a real HQ over loopback: the page's files under /m/ with the member page's CSP, and the chain's
// store list for "reserve my size" (no session; names and cities only, nothing else of a store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../hq/demo/seed.ts';
import { type HqHandle, startHq } from '../../hq/server.ts';

let hq: HqHandle | null = null;
let dir = '';
afterEach(async () => {
  await hq?.close();
  hq = null;
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<HqHandle> {
  dir = mkdtempSync(join(tmpdir(), 'footfall-live-viewer-'));
  hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
  await seedDemo(hq, { members: 5, styles: 3, seed: 1 });
  return hq;
}

describe('the live viewer page over HTTP', () => {
  it('serves live.html, its scripts and styles with the member page CSP', async () => {
    const h = await start();
    for (const [path, type] of [['/m/live.html', 'text/html'], ['/m/live.js', 'text/javascript'], ['/m/live-draw.js', 'text/javascript'], ['/m/live-list.js', 'text/javascript'], ['/m/live.css', 'text/css']] as const) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    const html = await (await fetch(`${h.url}/m/live.html`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script: the CSP would block it
  });

  it('lists the chain’s stores without a session: id, name, city and nothing else', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/v1/live/stores`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { stores: Array<Record<string, unknown>> };
    const stores = await h.store.read((r) => r.listStores());
    expect(body.stores).toHaveLength(stores.length);
    for (const s of body.stores) expect(Object.keys(s).sort()).toEqual(['city', 'id', 'name']);
    expect(body.stores.map((s) => s.id).sort()).toEqual(stores.map((s) => s.id).sort());
    expect((await fetch(`${h.url}/v1/live/stores`, { method: 'POST', body: '{}' })).status).toBe(405);
  });
});
