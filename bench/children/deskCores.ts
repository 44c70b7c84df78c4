// A sample of full desks: real DeskCore instances (HQ link with schema-checked frames, SQLite cache
// on disk with synchronous=FULL, outbox), one cache file each. The latency of an arrival is taken
// in DeskCore's `arrival` event, which fires after applyEvent's SQLite transaction has committed:
// now − the event's `at` (HQ's accept time). As with the light desks, `urls` (one per token) spread
// the desks over HQ nodes and `tags` sort their latencies.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { nowMs, serve, sleep } from '../lib/proc.ts';

let desks: DeskCore[] = [];
let lat: number[] = [];
let latByTag = new Map<string, number[]>();
let recording = false;
let dir = '';

serve({
  async connect({ url, urls, tokens, tags, cacheDir }: { url?: string; urls?: string[]; tokens: string[]; tags?: string[]; cacheDir: string }) {
    dir = mkdtempSync(join(cacheDir, 'footfall-bench-desks-'));
    const t0 = Date.now();
    desks = tokens.map((token, i) => {
      const desk = DeskCore.open({ dbPath: join(dir, `desk-${i}.db`), hqUrls: [urls?.[i] ?? url!], token, reconnect: { minMs: 100, maxMs: 2000 } });
      const tag = tags?.[i];
      desk.on('arrival', ({ visit }) => {
        if (!recording) return;
        const ms = nowMs() - visit.arrivedAt;
        lat.push(ms);
        if (tag === undefined) return;
        let list = latByTag.get(tag);
        if (!list) latByTag.set(tag, (list = []));
        list.push(ms);
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
    latByTag = new Map();
    recording = true;
    return {};
  },
  stats() {
    return { lat, latByTag: Object.fromEntries(latByTag), applied: desks.reduce((n, d) => n + d.stats.applied, 0), gaps: desks.reduce((n, d) => n + d.stats.gaps, 0) };
  },
  async exit() {
    await Promise.all(desks.map((d) => d.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
