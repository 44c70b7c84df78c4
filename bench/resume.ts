// Resume: a desk that missed 10,000 events has applied them all within 2 s of reconnecting.
//
// HQ in its own process; the arrival generator in another POSTs 10,000 arrivals (each a new visit,
// so each event is a full `arrival` with profile and recommendations, ~2 KB) while the desk is
// stopped. The desk is a real DeskCore in this process with its cache on disk. Timer: from
// `desk.start()` (connect, hello with resume) until its committed position reaches HQ's head.
import { rmSync } from 'node:fs';
import { num, profileDir } from './lib/env.ts';
import { openDesk, until } from './lib/deskHarness.ts';
import { forkChild } from './lib/proc.ts';
import { benchToken } from './lib/seed.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const MISSED = num('RESUME_EVENTS', 10_000);
const RUNS = num('RESUME_RUNS', 3);
const TARGET = { maxMs: 2000 };

const hq = forkChild('hq', { cpuProfDir: profileDir() });
const door = forkChild('arrivals');
let dir = '';
try {
  const info = await hq.call<{ url: string; integrationKey: string }>('init', { stores: 1, membersPerStore: MISSED * RUNS + 10, desksPerStore: 1 });
  const opened = openDesk(info.url, benchToken(0, 0));
  const desk = opened.desk;
  dir = opened.dir;
  desk.start();
  await until(desk, (c) => c.status === 'online');
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await desk.stop();
    const gen = await door.call<{ ok: number; seconds: number }>('run', {
      url: info.url,
      key: info.integrationKey,
      stores: 1,
      membersPerStore: 1e9,
      memberOffset: run * MISSED,
      rate: 100_000,
      count: MISSED,
      maxInFlight: 32,
    });
    const { head } = await hq.call<{ head: number }>('head', { storeId: 'bs-0000' });
    const before = desk.position.seq;
    const t0 = performance.now();
    desk.start();
    await until(desk, (c) => c.position >= head, 30_000);
    const ms = performance.now() - t0;
    times.push(ms);
    console.log(`resume: run ${run + 1}: ${head - before} missed events (${gen.ok} arrivals made in ${gen.seconds} s) applied in ${fmtMs(ms)} (${Math.round(((head - before) / ms) * 1000)} events/s)`);
  }
  const s = summarize(times);
  console.log(`resume: median ${fmtMs(s.p50)}, worst ${fmtMs(s.max)} over ${RUNS} runs`);
  printResult('resume', { missed: MISSED, runs: RUNS, medianMs: s.p50, maxMs: s.max, eventsPerSec: Math.round((MISSED / s.p50) * 1000), targets: TARGET, pass: s.max <= TARGET.maxMs });
  await desk.close();
} finally {
  await door.stop();
  await hq.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
