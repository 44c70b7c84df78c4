// Fan-out: from an arrival accepted at HQ to the event applied in desk storage.
//
// HQ runs in its own process, seeded with STORES stores and DESKS devices. The desks are split:
// CORES full DeskCore instances (one per sampled store, SQLite cache on disk) in one process, and
// lightweight WebSocket desks for the rest in another. A third process POSTs arrivals at RATE/s.
// Latency = time the DeskCore `arrival` event fires (after the SQLite commit) − the event's `at`,
// which HQ stamps when it accepts the ingest request (before its own transaction), so HQ's HTTP
// handling, its commit, the fan-out and the desk's parse + apply are all inside the figure.
import { forkChild, rssOf } from './lib/proc.ts';
import { cacheDir, num, profileDir } from './lib/env.ts';
import { benchToken } from './lib/seed.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const STORES = num('FANOUT_STORES', 500);
const DESKS = num('FANOUT_DESKS', 2000);
const RATE = num('FANOUT_RATE', 500);
const SECONDS = num('FANOUT_SECONDS', 20);
const CORES = num('FANOUT_CORES', 20);
const TARGET = { p50Ms: 10, p99Ms: 50 };

const perStore = Math.ceil(DESKS / STORES);
const hq = forkChild('hq', { cpuProfDir: profileDir() });
const light = forkChild('lightDesks');
const cores = forkChild('deskCores');
const door = forkChild('arrivals');
try {
  const info = await hq.call<{ url: string; integrationKey: string; seedMs: number }>('init', {
    stores: STORES,
    membersPerStore: Math.ceil((RATE * (SECONDS + 5)) / STORES) + 20,
    desksPerStore: perStore,
  });
  console.log(`fanout: HQ seeded ${STORES} stores × ${perStore} desks in ${info.seedMs} ms`);
  // Desk 0 of every (STORES / CORES)-th store is a full DeskCore; every other desk is lightweight.
  const coreTokens: string[] = [];
  const lightTokens: string[] = [];
  const step = Math.max(1, Math.floor(STORES / CORES));
  let n = 0;
  for (let s = 0; s < STORES; s++) {
    for (let d = 0; d < perStore && n < DESKS; d++, n++) {
      if (d === 0 && s % step === 0 && coreTokens.length < CORES) coreTokens.push(benchToken(s, d));
      else lightTokens.push(benchToken(s, d));
    }
  }
  const [c1, c2] = await Promise.all([
    light.call<{ connected: number; ms: number }>('connect', { url: info.url, tokens: lightTokens }),
    cores.call<{ connected: number; ms: number }>('connect', { url: info.url, tokens: coreTokens, cacheDir: cacheDir() }),
  ]);
  console.log(`fanout: ${c1.connected} light desks + ${c2.connected} DeskCores online (${Math.max(c1.ms, c2.ms)} ms)`);

  // Warm-up, then the measured run.
  await door.call('run', { url: info.url, key: info.integrationKey, stores: STORES, membersPerStore: 1e9, rate: RATE, count: RATE * 2 });
  await Promise.all([light.call('record'), cores.call('record')]);
  const run = await door.call<{ achievedRate: number; failed: number; http: { p50: number; p99: number } }>('run', {
    url: info.url,
    key: info.integrationKey,
    stores: STORES,
    membersPerStore: 1e9,
    memberOffset: 10,
    rate: RATE,
    count: RATE * SECONDS,
  });
  await new Promise((r) => setTimeout(r, 500));
  const [ls, cs] = await Promise.all([
    light.call<{ received: number; lat: number[]; closes: number }>('stats'),
    cores.call<{ lat: number[]; applied: number; gaps: number }>('stats'),
  ]);
  const applied = summarize(cs.lat);
  const wire = summarize(ls.lat);
  const mem = rssOf(hq.pid);
  console.log(`fanout: ${run.achievedRate} arrivals/s sent (${run.failed} failed), ingest HTTP p50 ${fmtMs(run.http.p50)} p99 ${fmtMs(run.http.p99)}`);
  console.log(`fanout: received by light desks: ${ls.received} frames; ws receive latency p50 ${fmtMs(wire.p50)} p99 ${fmtMs(wire.p99)} (n=${wire.n})`);
  console.log(`fanout: applied in DeskCore storage: p50 ${fmtMs(applied.p50)} p90 ${fmtMs(applied.p90)} p99 ${fmtMs(applied.p99)} max ${fmtMs(applied.max)} (n=${applied.n}, gaps ${cs.gaps})`);
  console.log(`fanout: HQ RSS ${mem.rssMb} MiB (peak ${mem.peakMb})`);
  printResult('fanout', {
    stores: STORES,
    desks: DESKS,
    deskCores: coreTokens.length,
    rate: run.achievedRate,
    p50Ms: applied.p50,
    p90Ms: applied.p90,
    p99Ms: applied.p99,
    maxMs: applied.max,
    samples: applied.n,
    wireP50Ms: wire.p50,
    wireP99Ms: wire.p99,
    ingestHttpP50Ms: run.http.p50,
    ingestHttpP99Ms: run.http.p99,
    lightDeskCloses: ls.closes,
    hqRssMb: mem.rssMb,
    targets: TARGET,
    pass: applied.n > 0 && applied.p50 <= TARGET.p50Ms && applied.p99 <= TARGET.p99Ms && run.failed === 0 && run.achievedRate >= RATE * 0.95,
  });
} finally {
  await Promise.all([door.stop(), light.stop(), cores.stop()]);
  await hq.stop();
}
