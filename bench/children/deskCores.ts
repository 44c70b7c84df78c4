// A sample of full desks: real DeskCore instances (HQ link with schema-checked frames, SQLite cache
// on disk with synchronous=FULL, outbox), one cache file each. The latency of an arrival is taken
// in DeskCore's `arrival` event, which fires after applyEvent's SQLite transaction has committed:
// now − the event's `at` (HQ's accept time).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { nowMs, serve, sleep } from '../lib/proc.ts';

let desks: DeskCore[] = [];
let lat: number[] = [];
let recording = false;
let dir = '';

serve({
  async connect({ url, tokens, cacheDir }: { url: string; tokens: string[]; cacheDir: string }) {
    dir = mkdtempSync(join(cacheDir, 'footfall-bench-desks-'));
    const t0 = Date.now();
    desks = tokens.map((token, i) => {
      const desk = DeskCore.open({ dbPath: join(dir, `desk-${i}.db`), hqUrls: [url], token, reconnect: { minMs: 100, maxMs: 2000 } });
      desk.on('arrival', ({ visit }) => {
        if (recording) lat.push(nowMs() - visit.arrivedAt);
      });
      desk.start();
      return desk;
    });
    for (;;) {
      const states = await Promise.all(desks.map((d) => d.getConnection()));
      if (states.every((s) => s.status === 'online')) break;
      if (Date.now() - t0 > 60_000) throw new Error(`desks not online: ${states.map((s) => s.status).join(',')}`);
      await sleep(100);
    }
    return { connected: desks.length, ms: Date.now() - t0 };
  },
  record() {
    lat = [];
    recording = true;
    return {};
  },
  stats() {
    return { lat, applied: desks.reduce((n, d) => n + d.stats.applied, 0), gaps: desks.reduce((n, d) => n + d.stats.gaps, 0) };
  },
  async exit() {
    await Promise.all(desks.map((d) => d.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
