// HQ's update feed: GET /updates/<channel>/<file> from --updates-dir, Range for
// differential downloads, and nothing outside a channel folder — no traversal, no dot-files, no
// symlinks out.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUpdateFile } from '../../hq/edge/http/updates.ts';
import { TestHq } from '../support/hq.ts';

let t: TestHq;
let dir: string;
/** A folder beside the updates folder, like HQ's data folder: it holds a fake database. */
let outside: string;

/** A raw GET (fetch would normalise "..": we want the path exactly as sent). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.hq.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-updates-'));
  mkdirSync(join(dir, 'acme-stable'));
  writeFileSync(join(dir, 'acme-stable', 'latest.yml'), 'version: 0.2.0\npath: Footfall-Setup-0.2.0.exe\n');
  writeFileSync(join(dir, 'acme-stable', 'Footfall-Setup-0.2.0.exe'), '0123456789');
  writeFileSync(join(dir, 'acme-stable', '.secret'), 'hidden');
  writeFileSync(join(dir, 'outside.txt'), 'not in a channel');
  try {
    symlinkSync(join(dir, 'outside.txt'), join(dir, 'acme-stable', 'link.txt'));
  } catch {
    // No symlinks on this filesystem: that case is skipped below.
  }
  // A channel folder that is itself a symlink, to a folder holding HQ's database.
  outside = mkdtempSync(join(tmpdir(), 'footfall-hq-data-'));
  writeFileSync(join(outside, 'hq.db'), 'SQLite format 3\u0000 the whole chain');
  writeFileSync(join(outside, 'latest.yml'), 'version: 9.9.9\n');
  symlinkSync(outside, join(dir, 'data'), 'dir');
  t = await TestHq.start({ updatesDir: dir, seed: 'storesAB' });
});

afterAll(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('HQ update feed', () => {
  it('serves latest.yml and installers of a channel', async () => {
    const yml = await get('/updates/acme-stable/latest.yml');
    expect(yml.status).toBe(200);
    expect(yml.body).toContain('version: 0.2.0');
    expect(yml.headers['cache-control']).toBe('no-cache');
    const exe = await get('/updates/acme-stable/Footfall-Setup-0.2.0.exe');
    expect(exe.status).toBe(200);
    expect(exe.body).toBe('0123456789');
    expect(exe.headers['accept-ranges']).toBe('bytes');
  });

  it('answers Range requests (differential download)', async () => {
    const part = await get('/updates/acme-stable/Footfall-Setup-0.2.0.exe', { Range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.body).toBe('2345');
    expect(part.headers['content-range']).toBe('bytes 2-5/10');
    const tail = await get('/updates/acme-stable/Footfall-Setup-0.2.0.exe', { Range: 'bytes=-3' });
    expect(tail.body).toBe('789');
    expect((await get('/updates/acme-stable/Footfall-Setup-0.2.0.exe', { Range: 'bytes=50-' })).status).toBe(416);
  });

  it.each([
    '/updates/acme-stable/../outside.txt',
    '/updates/acme-stable/..%2Foutside.txt',
    '/updates/acme-stable/%2e%2e%2foutside.txt',
    '/updates/..%2F/outside.txt',
    '/updates/acme-stable/.secret',
    '/updates/acme-stable/',
    '/updates/acme-stable',
    '/updates/ACME/latest.yml',
    '/updates/acme-stable/sub/latest.yml',
    '/updates/acme-stable/%00latest.yml',
    '/updates/nope/latest.yml',
  ])('refuses %s with 404', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('not in a channel');
    expect(res.body).not.toContain('hidden');
  });

  it('serves nothing through a channel folder that is a symlink out of the updates folder', async () => {
    for (const file of ['hq.db', 'latest.yml']) {
      const res = await get(`/updates/data/${file}`);
      expect(res.status, file).toBe(404);
      expect(res.body).not.toContain('SQLite');
      expect(res.body).not.toContain('9.9.9');
    }
    expect(resolveUpdateFile(dir, '/updates/data/hq.db')).toBeNull();
  });

  it('does not follow a symlink out of the channel folder', () => {
    expect(resolveUpdateFile(dir, '/updates/acme-stable/link.txt')).toBeNull();
    expect(resolveUpdateFile(dir, '/updates/acme-stable/latest.yml')).toMatch(/latest\.yml$/);
  });

  it('accepts GET and HEAD only, and says so when no folder is configured', async () => {
    const post = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.hq.port, path: '/updates/acme-stable/latest.yml', method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(post).toBe(405);
    const bare = await TestHq.start({ seed: 'storesAB' });
    try {
      const res = await fetch(`${bare.hq.url}/updates/acme-stable/latest.yml`);
      expect(res.status).toBe(404);
    } finally {
      await bare.dispose();
    }
  });
});
