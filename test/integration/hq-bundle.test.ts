// HQ as it runs in production (README, "HQ in production"): scripts/build-hq.ts bundles hq/main.ts
// and hq/admin.ts, and plain Node runs them — no tsx. The node starts on a SQLite file with the demo
// chain, takes an arrival (its commit wakes the WAL checkpoint thread, whose driver path comes from
// import.meta.url), serves the member page's files (found next to chatRoutes.ts's source through
// import.meta.url), and the admin CLI reads the same file. The bundle imports only the packages a
// production install (`npm ci --omit=dev`) has.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHq } from '../../scripts/build-hq.ts';
import { HQ_NODE_FLAGS } from '../../scripts/bundles.ts';

const root = join(import.meta.dirname, '..', '..');
const outdir = join(root, 'out', `hq-test-${process.pid}`);
const work = mkdtempSync(join(tmpdir(), 'ff-hq-bundle-'));
const db = join(work, 'hq.db');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

let node: ChildProcess | null = null;
let stdout = '';
let stderr = '';

beforeAll(async () => {
  await buildHq(outdir);
}, 60_000);

afterAll(async () => {
  if (node && node.exitCode === null) {
    node.kill('SIGTERM');
    await new Promise((r) => node!.once('exit', r));
  }
  rmSync(outdir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('HQ bundle (scripts/build-hq.ts)', () => {
  it('imports only production dependencies and node built-ins', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const file of ['main.mjs', 'admin.mjs']) {
      const text = readFileSync(join(outdir, file), 'utf8');
      // esbuild writes each external import as a statement of its own line, and a dynamic one as import("…").
      const statics = [...text.matchAll(/^import (?:[^"\n]*? from )?"([^"]+)";$/gm)].map((m) => m[1]!);
      const dynamics = [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
      const specifiers = new Set([...statics, ...dynamics].filter((s) => !s.startsWith('.')));
      expect(specifiers.size).toBeGreaterThan(3); // pg, ws, better-sqlite3, zod… (the check reads something)
      for (const spec of specifiers) {
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(Object.keys(pkg.dependencies), `${file} imports ${spec}`).toContain(name);
      }
      expect(text).not.toContain('__name('); // no keep-names helper on every closure made
    }
  });

  it('runs with plain Node: takes an arrival, serves the member page, and the admin CLI reads its file', async () => {
    const port = await freePort();
    node = spawn(process.execPath, [...HQ_NODE_FLAGS, join(outdir, 'main.mjs'), '--port', String(port), '--db', db, '--demo'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    node.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    node.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/Member chat page for sh-nanjing/.test(stdout)) {
      if (node.exitCode !== null || Date.now() > deadline) throw new Error(`HQ did not start: ${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = `http://127.0.0.1:${port}`;
    const key = /X-Integration-Key\): (\S+)/.exec(stdout)![1]!;
    const card = /Member chat page for sh-nanjing: \S+ +\(card (\S+),/.exec(stdout)![1]!;

    expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    const arrival = await fetch(`${url}/v1/ingest/arrivals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-integration-key': key },
      body: JSON.stringify({ storeId: 'sh-nanjing', memberCode: card, source: 'door' }),
    });
    expect(arrival.status).toBe(201); // a new visit
    const answer = (await arrival.json()) as { status: string; seq: number };
    expect(answer.seq).toBeGreaterThan(0);

    const page = await fetch(`${url}/m/app.js`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(readFileSync(join(root, 'hq', 'member-page', 'app.js'), 'utf8'));

    node.kill('SIGTERM');
    await new Promise((r) => node!.once('exit', r));
    expect(stderr).toBe('');
    const { stdout: stores } = await promisify(execFile)(process.execPath, [join(outdir, 'admin.mjs'), 'stores', '--db', db], { cwd: work });
    const head = Number(/^sh-nanjing\t.*\thead (\d+)$/m.exec(stores)?.[1]);
    expect(head).toBeGreaterThanOrEqual(answer.seq);
  }, 60_000);
});
