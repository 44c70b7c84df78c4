// Several HQ addresses on the desk: the list as typed and stored (parsing, validation, migration of
// single-address files), the link's round-robin with backoff after a full round (pure functions),
// the HTTP failover, and the link itself moving past a dead address.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { backoffBase } from '../../electron/desk/backoff.ts';
import { openCache } from '../../electron/desk/cache/db.ts';
import { identityFromJson } from '../../electron/desk/cache/queries.ts';
import { afterFailure, firstIndex, HqAddresses, hopDelay, isNetworkError } from '../../electron/desk/hqAddresses.ts';
import { enroll } from '../../electron/desk/hqHttp.ts';
import { HqLink } from '../../electron/desk/link.ts';
import { migrateStoredConfig, readDeskConfig, storedConfigIsOld, writeDeskConfig } from '../../electron/host/deskConfig.ts';
import { fileKeyBox } from '../../electron/host/secretBox.ts';
import { loadSettings, saveSettings } from '../../electron/host/settingsStore.ts';
import { checkHqUrls, DEFAULT_SETTINGS, EnrollArgs, HqUrls, migrateSettings, splitHqUrls } from '../../shared/settings.ts';
import { waitFor } from '../support/waitFor.ts';

const O = { minMs: 500, maxMs: 30_000 };

let dir: string;
const cleanups: Array<() => unknown> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-addresses-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on (bound, then released). */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

async function httpServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler!(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

describe('the address list as typed', () => {
  it('splits on commas, trims, normalises and de-duplicates; one address is a list of one', () => {
    expect(splitHqUrls(' https://a.example , https://b.example/,,')).toEqual(['https://a.example', 'https://b.example/']);
    expect(checkHqUrls('https://a.example, https://b.example/, https://a.example/')).toEqual({ ok: true, urls: ['https://a.example', 'https://b.example'] });
    expect(HqUrls.parse('http://10.0.0.5:8080')).toEqual(['http://10.0.0.5:8080']);
    expect(HqUrls.parse(['https://a.example', 'https://b.example,https://c.example'])).toEqual(['https://a.example', 'https://b.example', 'https://c.example']);
  });

  it('names the first bad address, and refuses an empty or overlong list', () => {
    expect(checkHqUrls('https://a.example, ftp://b.example, nope')).toEqual({ ok: false, problem: 'invalid', address: 'ftp://b.example' });
    expect(checkHqUrls('hq example com')).toEqual({ ok: false, problem: 'invalid', address: 'hq example com' });
    for (const bad of ['https://u:p@hq.example', 'https://hq.example?x=1', 'javascript:alert(1)', 'hq.example.com']) expect(checkHqUrls(`https://ok.example,${bad}`)).toMatchObject({ ok: false, address: bad });
    expect(checkHqUrls(' , ')).toEqual({ ok: false, problem: 'empty' });
    expect(checkHqUrls(Array.from({ length: 17 }, (_, i) => `https://n${i}.example`))).toEqual({ ok: false, problem: 'too_many', max: 16 });
    const parsed = HqUrls.safeParse('https://a.example,ws://b.example');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('"ws://b.example" is not an http:// or https:// address without user, query or fragment');
  });

  it('enrollment takes the list as a string or an array', () => {
    expect(EnrollArgs.parse(['https://a.example, https://b.example', 'ABCD-1234', 'Counter 1'])[0]).toEqual(['https://a.example', 'https://b.example']);
    expect(EnrollArgs.parse([['https://a.example'], 'ABCD-1234', 'Counter 1'])[0]).toEqual(['https://a.example']);
    expect(EnrollArgs.safeParse([[], 'ABCD-1234', 'Counter 1']).success).toBe(false);
  });
});

describe('stored single-address files (migration)', () => {
  const current = { hqUrls: ['http://hq.example:8080'], token: 'tok-1234567', deviceId: 'd1', deviceName: 'Counter 1', storeId: 's1', storeName: 'Nanjing Rd', dbPath: '/tmp/desk.db', demo: false };

  it('reads an old desk.json (one hqUrl) as a list of one, and writes it back in the new shape', () => {
    const path = join(dir, 'desk.json');
    const { hqUrls: _h, ...rest } = current;
    writeFileSync(path, JSON.stringify({ ...rest, hqUrl: 'http://hq.example:8080' }));
    expect(storedConfigIsOld(path)).toBe(true);
    const read = readDeskConfig(path);
    expect(read).toEqual(current);
    const box = fileKeyBox(join(dir, 'desk.key'));
    writeDeskConfig(path, read!, box);
    const onDisk = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(onDisk.hqUrls).toEqual(['http://hq.example:8080']);
    expect(onDisk).not.toHaveProperty('hqUrl');
    expect(storedConfigIsOld(path)).toBe(false);
    expect(readDeskConfig(path, [box])).toEqual(current);
  });

  it('migrates the config object itself: single → list, current and foreign shapes untouched', () => {
    expect(migrateStoredConfig({ hqUrl: 'http://a', token: 't' })).toEqual({ hqUrls: ['http://a'], token: 't' });
    const now = { hqUrls: ['http://a', 'http://b'] };
    expect(migrateStoredConfig(now)).toBe(now);
    expect(migrateStoredConfig({ hqUrl: 'http://old', hqUrls: ['http://a'] })).toEqual({ hqUrls: ['http://a'] });
    for (const other of [null, 'x', [1], 7]) expect(migrateStoredConfig(other)).toBe(other);
    // A broken old address stays broken: the schema refuses it, the desk asks to enroll again.
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...current, hqUrls: undefined, hqUrl: 'not a url' }));
    expect(readDeskConfig(path)).toBeNull();
  });

  it('reads old settings.json (hqUrl, or "" before enrollment) as hqUrls, keeping the other fields', () => {
    expect(migrateSettings({ hqUrl: 'https://hq.example', volume: 20 })).toEqual({ hqUrls: ['https://hq.example'], volume: 20 });
    expect(migrateSettings({ hqUrl: '' })).toEqual({ hqUrls: [] });
    const path = join(dir, 'settings.json');
    writeFileSync(path, JSON.stringify({ ...DEFAULT_SETTINGS, hqUrls: undefined, hqUrl: 'https://hq.example', volume: 20 }));
    const loaded = loadSettings(path);
    expect(loaded).toEqual({ ...DEFAULT_SETTINGS, hqUrls: ['https://hq.example'], volume: 20 });
    saveSettings(path, loaded);
    expect(JSON.parse(readFileSync(path, 'utf8'))).not.toHaveProperty('hqUrl');
  });

  it('reads an identity cached by an older desk (one hqUrl)', () => {
    const q = openCache(join(dir, 'desk.db'));
    cleanups.push(() => q.db.close());
    q.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('identity', ?)").run(JSON.stringify({ storeId: 's', storeName: 'S', deviceId: 'd', deviceName: 'D', hqUrl: 'http://old' }));
    expect(q.getIdentity()).toEqual({ storeId: 's', storeName: 'S', deviceId: 'd', deviceName: 'D', hqUrls: ['http://old'] });
    expect(identityFromJson(JSON.stringify({ storeId: 's', storeName: 'S', deviceId: 'd', deviceName: 'D', hqUrls: ['http://a', 'http://b'] })).hqUrls).toEqual(['http://a', 'http://b']);
  });
});

describe('rotation and backoff (pure)', () => {
  it('starts at a random address, spread over the list', () => {
    expect(firstIndex(3, () => 0)).toBe(0);
    expect(firstIndex(3, () => 0.5)).toBe(1);
    expect(firstIndex(3, () => 0.9999)).toBe(2);
    expect(firstIndex(3, () => 1)).toBe(2); // a random() of exactly 1 never indexes past the end
    expect(firstIndex(1, () => 0.7)).toBe(0);
  });

  it('hops to the next address at once within a round, and backs off only after a full round', () => {
    const mid = () => 0.5;
    // Three addresses, starting at index 1: 2, 0 at once; then 1 after backoff round 0; …
    let index = 1;
    const plan: Array<{ index: number; delayMs: number }> = [];
    for (let failures = 1; failures <= 7; failures++) {
      const next = afterFailure(index, failures, 3, O, mid);
      plan.push(next);
      index = next.index;
    }
    expect(plan.map((p) => p.index)).toEqual([2, 0, 1, 2, 0, 1, 2]);
    const hop = hopDelay(O, mid);
    expect(hop).toBe(63); // minMs / 4, times 0.5
    // Rounds: backoff 0 (base 500 → 375 at mid jitter), then backoff 1 (base 1000 → 750).
    expect(plan.map((p) => p.delayMs)).toEqual([hop, hop, 375, hop, hop, 750, hop]);
  });

  it('with one address every failure is a round: the plain backoff schedule, jittered in [base/2, base]', () => {
    for (let failures = 1; failures <= 12; failures++) {
      const low = afterFailure(0, failures, 1, O, () => 0);
      const high = afterFailure(0, failures, 1, O, () => 1);
      expect(low.index).toBe(0);
      expect(low.delayMs).toBe(backoffBase(failures - 1, O) / 2);
      expect(high.delayMs).toBe(backoffBase(failures - 1, O));
    }
    expect(afterFailure(0, 40, 1, O, () => 1).delayMs).toBe(O.maxMs);
  });

  it('never waits long within a round and never less than half the base after one', () => {
    for (let i = 0; i < 200; i++) {
      const count = 1 + (i % 4);
      const failures = 1 + (i % 11);
      const { index, delayMs } = afterFailure(i % count, failures, count, O);
      expect(index).toBe(((i % count) + 1) % count);
      if (failures % count === 0) expect(delayMs).toBeGreaterThanOrEqual(backoffBase(failures / count - 1, O) / 2);
      else expect(delayMs).toBeLessThanOrEqual(O.minMs / 4);
    }
  });

  it('tells a network error from an answer', () => {
    expect(isNetworkError(new TypeError('fetch failed'))).toBe(true);
    expect(isNetworkError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isNetworkError(new Error('HQ answered 503'))).toBe(false);
    expect(isNetworkError('nope')).toBe(false);
  });
});

describe('HTTP failover', () => {
  it('uses the current address, tries the next only when one does not answer, and keeps the one that did', async () => {
    const dead = await deadUrl();
    const live = await httpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    const hq = new HqAddresses([dead, live.url], 0);
    expect(hq.current).toBe(dead);
    const res = await hq.fetch('/v1/clerks?x=1', { headers: { authorization: 'Bearer t' } }, 2000);
    expect(await res.json()).toEqual({ ok: true });
    expect(live.hits).toEqual(['GET /v1/clerks?x=1']);
    expect(hq.current).toBe(live.url);
    // The link was welcomed elsewhere: calls follow it (an unknown address is ignored).
    hq.use(dead);
    expect(hq.current).toBe(dead);
    hq.use('http://not-in-the-list');
    expect(hq.current).toBe(dead);
  });

  it('an HTTP error is an answer (no failover); nothing answering throws the network error', async () => {
    const a = await httpServer((_req, res) => res.writeHead(503).end());
    const b = await httpServer((_req, res) => res.writeHead(200).end());
    const hq = new HqAddresses([a.url, b.url], 0);
    expect((await hq.fetch('/v1/snapshot')).status).toBe(503);
    expect(b.hits).toEqual([]);
    const none = new HqAddresses([await deadUrl(), await deadUrl()], 1);
    await expect(none.fetch('/v1/snapshot', {}, 2000)).rejects.toBeInstanceOf(TypeError);
  });

  it('enrolls at the first address that answers, in the order given', async () => {
    const dead = await deadUrl();
    const hq = await httpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        expect(JSON.parse(body)).toEqual({ code: 'ABCD-1234', deviceName: 'Counter 1' });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok', deviceId: 'd1', storeId: 's1', storeName: 'S' }));
      });
    });
    expect(await enroll(`${dead}, ${hq.url}`, 'ABCD-1234', 'Counter 1')).toEqual({ token: 'tok', deviceId: 'd1', storeId: 's1', storeName: 'S' });
    expect(hq.hits).toEqual(['POST /v1/enroll']);
    const other = await deadUrl();
    await expect(enroll([dead, other], 'ABCD-1234', 'Counter 1')).rejects.toThrow(`cannot reach HQ at ${dead}, ${other}`);
    await expect(enroll('ftp://x', 'ABCD-1234', 'Counter 1')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('the link over several addresses', () => {
  it('moves past a dead address to a live one, and to the next after a drop', async () => {
    const dead = await deadUrl();
    const servers = await Promise.all(
      [0, 1].map(async () => {
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
        await new Promise((r) => wss.once('listening', r));
        cleanups.push(() => new Promise((r) => wss.close(r)));
        return { wss, url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}` };
      }),
    );
    const [one, two] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const lines: string[] = [];
    const opened: string[] = [];
    const l: HqLink = new HqLink({
      hqUrls: [dead, one.url, two.url],
      first: 0,
      token: 't',
      reconnect: { minMs: 40, maxMs: 80 },
      silenceMs: 5000,
      log: (line) => lines.push(line),
      handlers: { onOpen: () => opened.push(l.url), onFrame: () => {}, onEvent: () => {}, onDown: () => {}, onChange: () => {} },
    });
    cleanups.push(() => l.stop());
    expect(l.url).toBe(dead);
    l.start();
    await waitFor(() => opened.length === 1, 3000, 'open on the live address');
    expect(opened).toEqual([one.url]);
    expect(lines.some((x) => x.startsWith(`link: ${dead} closed`))).toBe(true);
    l.healthy();
    // That node goes away: the link moves to the next address (not back to the same one).
    for (const c of one.wss.clients) c.terminate();
    await waitFor(() => opened.length === 2, 3000, 'open on the next address');
    expect(opened[1]).toBe(two.url);
    expect(l.phase).toBe('open');
  });

  it('backs off after every address failed once, instead of cycling at once', async () => {
    const urls = [await deadUrl(), await deadUrl()];
    let attempts = 0;
    const l: HqLink = new HqLink({
      hqUrls: urls,
      first: 1,
      token: 't',
      reconnect: { minMs: 400, maxMs: 400 },
      random: () => 1,
      log: (line) => line.includes('closed') && attempts++,
      handlers: { onOpen: () => {}, onFrame: () => {}, onEvent: () => {}, onDown: () => {}, onChange: () => {} },
    });
    cleanups.push(() => l.stop());
    l.start();
    await waitFor(() => attempts === 2, 2000, 'one round');
    // A full round failed: waiting the backoff (400 ms), not hopping at once.
    expect(l.phase).toBe('waiting');
    expect(l.retryAt! - Date.now()).toBeGreaterThan(250);
    expect(l.url).toBe(urls[1]);
    await new Promise((r) => setTimeout(r, 150));
    expect(attempts).toBe(2);
  });
});
