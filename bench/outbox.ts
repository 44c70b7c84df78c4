// Outbox: 1,000 queued commands flushed and acknowledged within 1 s of reconnecting.
//
// HQ in its own process with one store; a real DeskCore (cache on disk) in this process receives
// 250 arrivals, goes offline, and the clerk acts 1,000 times while offline: claim, two notes and
// close on each of the 250 visits, all queued in the outbox. Timer: from `desk.start()` until
// every op has been answered by HQ (cmdAck) — and, stricter, until the outbox is empty (each op's
// effect has come back as an event and been applied).
import { rmSync } from 'node:fs';
import { num } from './lib/env.ts';
import { openDesk, until, sleep } from './lib/deskHarness.ts';
import { forkChild, forkHq } from './lib/proc.ts';
import { benchToken } from './lib/seed.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const VISITS = num('OUTBOX_VISITS', 250);
const RUNS = num('OUTBOX_RUNS', 3);
const MAX_FPS = num('OUTBOX_HQ_MAX_FPS', 0); // 0 = HQ's default
const TARGET = { maxMs: 1000 };
const OPS = VISITS * 4;

const hq = await forkHq();
const door = forkChild('arrivals');
const dirs: string[] = [];
try {
  const info = await hq.call<{ url: string; integrationKey: string }>('init', {
    stores: 1,
    membersPerStore: VISITS * RUNS + 10,
    desksPerStore: RUNS,
    ...(MAX_FPS ? { maxFramesPerSecond: MAX_FPS } : {}),
  });
  const acked: number[] = [];
  const emptied: number[] = [];
  let rejected = 0;
  for (let run = 0; run < RUNS; run++) {
    const { desk, dir } = openDesk(info.url, benchToken(0, run));
    dirs.push(dir);
    desk.start();
    await until(desk, (c) => c.status === 'online');
    await door.call('run', { url: info.url, key: info.integrationKey, stores: 1, membersPerStore: 1e9, memberOffset: run * VISITS, rate: 5000, count: VISITS, maxInFlight: 16 });
    const { head } = await hq.call<{ head: number }>('head', { storeId: 'bs-0000' });
    await until(desk, (c) => c.position >= head);
    const visits = (await desk.listArrivals({ since: 0, limit: 10_000 })).filter((v) => v.status === 'open').slice(0, VISITS);
    await desk.stop();
    for (const v of visits) {
      await desk.claimVisit(v.id);
      await desk.addNote(v.id, `试穿了 ${v.member.sizes.eu} 码`);
      await desk.addNote(v.id, 'Asked about the new colorway');
      await desk.closeVisit(v.id, 'tried');
    }
    const queued = desk.outbox().length;
    let ackedAt = 0;
    const t0 = performance.now();
    desk.start();
    // "Acknowledged": HQ has answered every op (none still pending).
    const poll = setInterval(() => {
      if (!ackedAt && desk.outbox().every((op) => op.state !== 'pending')) ackedAt = performance.now() - t0;
    }, 25);
    await until(desk, (c) => c.status === 'online' && c.queued === 0, 60_000);
    const empty = performance.now() - t0;
    clearInterval(poll);
    if (!ackedAt) ackedAt = empty;
    await sleep(50);
    rejected += desk.outbox().filter((op) => op.state === 'rejected').length;
    acked.push(ackedAt);
    emptied.push(empty);
    console.log(`outbox: run ${run + 1}: ${queued} queued ops — all acknowledged in ${fmtMs(ackedAt)}, outbox empty in ${fmtMs(empty)} (commands sent ${desk.stats.commandsSent})`);
    await desk.close();
  }
  const a = summarize(acked);
  const e = summarize(emptied);
  printResult('outbox', { ops: OPS, runs: RUNS, ackedMedianMs: a.p50, ackedMaxMs: a.max, emptyMedianMs: e.p50, emptyMaxMs: e.max, rejected, targets: TARGET, pass: rejected === 0 && a.max <= TARGET.maxMs });
} finally {
  await door.stop();
  await hq.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
