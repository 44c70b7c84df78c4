// HQ capacity: 10,000 connected desks on one HQ process with RSS ≤ 600 MB, delivering ≥ 25,000
// events/s. HQ runs alone in its process (seeded with 500 stores × 20 devices); two processes hold
// 5,000 lightweight WebSocket desks each (hello, live, an ack a second); a third POSTs arrivals at
// RATE/s (each fans out to the 20 desks of its store). "Delivered" is counted at the desks: `ev`
// frames received per second over the measured window. RSS is HQ's, read from /proc/<pid>/status
// every 250 ms (VmRSS, and VmHWM for the peak).
import { num, profileDir } from './lib/env.ts';
import { cpuSecondsOf, forkChild, rssOf } from './lib/proc.ts';
import { benchToken } from './lib/seed.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const STORES = num('CAPACITY_STORES', 500);
const DESKS = num('CAPACITY_DESKS', 10_000);
const RATE = num('CAPACITY_RATE', 1300);
const SECONDS = num('CAPACITY_SECONDS', 15);
const LOADERS = num('CAPACITY_DESK_PROCESSES', 2);
// Arrivals per ingest request (POST /v1/ingest/arrivals/batch); 1 = the single route (round 1–2).
const BATCH = num('CAPACITY_BATCH', 50);
const TARGET = { desks: 10_000, rssMb: 600, eventsPerSec: 25_000 };

const perStore = Math.ceil(DESKS / STORES);
const hq = forkChild('hq', { cpuProfDir: profileDir() });
const loaders = Array.from({ length: LOADERS }, () => forkChild('lightDesks'));
const door = forkChild('arrivals');
try {
  const info = await hq.call<{ url: string; integrationKey: string; seedMs: number }>('init', {
    stores: STORES,
    membersPerStore: Math.ceil((RATE * (SECONDS + 3)) / STORES) + 20,
    desksPerStore: perStore,
  });
  const tokens: string[] = [];
  for (let s = 0; s < STORES; s++) for (let d = 0; d < perStore && tokens.length < DESKS; d++) tokens.push(benchToken(s, d));
  const t0 = Date.now();
  const conn = await Promise.all(
    loaders.map((l, i) => l.call<{ connected: number }>('connect', { url: info.url, tokens: tokens.filter((_, k) => k % LOADERS === i), parallel: 50 })),
  );
  const connected = conn.reduce((n, c) => n + c.connected, 0);
  const idle = rssOf(hq.pid);
  console.log(`capacity: ${connected} desks connected in ${Date.now() - t0} ms; HQ RSS ${idle.rssMb} MiB`);

  await door.call('run', { url: info.url, key: info.integrationKey, stores: STORES, membersPerStore: 1e9, rate: RATE, count: RATE * 2, batch: BATCH });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(hq.pid).rssMb)), 250);
  await Promise.all(loaders.map((l) => l.call('record')));
  const cpu0 = cpuSecondsOf(hq.pid);
  const w0 = performance.now();
  const run = await door.call<{ achievedRate: number; failed: number; http: { p50: number; p99: number } }>('run', {
    url: info.url,
    key: info.integrationKey,
    stores: STORES,
    membersPerStore: 1e9,
    memberOffset: Math.ceil((RATE * 2) / STORES) + 1,
    rate: RATE,
    count: RATE * SECONDS,
    batch: BATCH,
  });
  await new Promise((r) => setTimeout(r, 300));
  const secs = (performance.now() - w0) / 1000;
  const hqCpu = (cpuSecondsOf(hq.pid) - cpu0) / secs;
  const stats = await Promise.all(loaders.map((l) => l.call<{ received: number; open: number; closes: number; lat: number[] }>('stats')));
  clearInterval(sampler);
  const mem = rssOf(hq.pid);
  peak = Math.max(peak, mem.rssMb);
  const received = stats.reduce((n, s) => n + s.received, 0);
  const open = stats.reduce((n, s) => n + s.open, 0);
  const lat = summarize(stats.flatMap((s) => s.lat));
  const perSec = Math.round(received / secs);
  console.log(`capacity: ${run.achievedRate} arrivals/s asked ${RATE}/s, ${BATCH} per request (${run.failed} failed), ingest HTTP p50 ${fmtMs(run.http.p50)} p99 ${fmtMs(run.http.p99)}`);
  console.log(`capacity: ${received} events delivered in ${secs.toFixed(1)} s = ${perSec}/s to ${open} open desks; receive latency p50 ${fmtMs(lat.p50)} p99 ${fmtMs(lat.p99)}`);
  console.log(`capacity: HQ RSS ${mem.rssMb} MiB (peak sampled ${peak}, VmHWM ${mem.peakMb}); HQ CPU ${(hqCpu * 100).toFixed(0)}% of one core`);
  printResult('capacity', {
    desks: open,
    arrivalsPerSec: run.achievedRate,
    batch: BATCH,
    eventsPerSec: perSec,
    hqRssMb: peak,
    hqPeakRssMb: mem.peakMb,
    hqCpuCores: Math.round(hqCpu * 100) / 100,
    wireP50Ms: lat.p50,
    wireP99Ms: lat.p99,
    targets: TARGET,
    pass: open >= TARGET.desks && mem.peakMb <= TARGET.rssMb && perSec >= TARGET.eventsPerSec,
  });
} finally {
  await door.stop();
  await Promise.all(loaders.map((l) => l.stop()));
  await hq.stop();
}
