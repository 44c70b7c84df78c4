// HQ capacity: 10,000 connected desks per set-up with RSS ≤ 600 MB per node, delivering ≥ 25,000
// events/s — on every HQ set-up (bench/lib/setups.ts: SQLite 1 node, PostgreSQL 1 node,
// PostgreSQL + NATS 2 nodes) in one run, side by side.
//
// Each set-up's HQ nodes run in processes of their own (seeded with 500 stores × 20 devices); two
// processes per set-up hold 5,000 lightweight WebSocket desks each (hello, live, an ack a second);
// one generator POSTs arrivals at RATE/s, BATCH per request, at most IN_FLIGHT requests waiting
// (each arrival fans out to the 20 desks of its store). On two nodes the desks of every store are
// split over the nodes and the requests alternate between them. All set-ups are up at once; the
// measured windows take turns (ROUNDS rounds, forward then backward order, each after a warm-up).
//
// "Delivered" is counted at the desks: `ev` frames received per second over the window (sending
// for SECONDS / ROUNDS, then the requests in flight, then 300 ms). "Per node" divides by the
// set-up's nodes; the target for PostgreSQL is per node within 1.5× of the SQLite node. HQ CPU is
// read from /proc per node, PostgreSQL's from the set-up's pool backends. RSS is each node's, read
// from /proc/<pid>/status every 250 ms during its windows (VmRSS, and VmHWM for the peak).
import { num, profileDir } from './lib/env.ts';
import { type Child, forkChild, rssOf, sleep } from './lib/proc.ts';
import { benchToken } from './lib/seed.ts';
import { background, type CpuUse, freezeIdle, HqSetup, roundOrder, setupsFromEnv, WindowLog } from './lib/setups.ts';
import { fmtMs, median, printResult, summarize } from './lib/stats.ts';

const STORES = num('CAPACITY_STORES', 500);
const DESKS = num('CAPACITY_DESKS', 10_000);
// Asked, not reached: above what any set-up delivers on this box. At 1,300/s (rounds 1–9) the SQLite
// node came to reach the asked rate itself (1,290/s), so its figure was the generator's, not HQ's.
const RATE = num('CAPACITY_RATE', 2500);
/** Measured seconds of sending per set-up, split over the rounds. */
const SECONDS = num('CAPACITY_SECONDS', 10);
const ROUNDS = Math.max(1, num('CAPACITY_ROUNDS', 2));
// Seconds of load before each measured window. 1 s left PostgreSQL set-ups in a slow first window
// (pg1: 260 then 375 arrivals/s; with 4 s, 352 then 449) while SQLite's windows agreed.
const WARMUP = num('CAPACITY_WARMUP_SECONDS', 4);
const LOADERS = num('CAPACITY_DESK_PROCESSES', 2);
// Arrivals per ingest request (POST /v1/ingest/arrivals/batch); 1 = the single route (round 1–2).
const BATCH = num('CAPACITY_BATCH', 50);
// Requests waiting for an answer at most: HQ saturates without a queue of seconds in front of it
// (rounds 1–4 allowed 256, so a 15 s run took ~40 s to drain).
const IN_FLIGHT = num('CAPACITY_IN_FLIGHT', 4);
const TARGET = { desks: 10_000, rssMb: 600, eventsPerSec: 25_000, perNodeVsSqlite: 1.5 };
const SETUPS = setupsFromEnv();

const perStore = Math.ceil(DESKS / STORES);
const windowSecs = SECONDS / ROUNDS;
const windowCount = Math.round(RATE * windowSecs);
const warmCount = Math.round(RATE * WARMUP);
const perRun = (count: number) => Math.ceil(count / STORES) + 1;
const membersPerStore = ROUNDS * (perRun(windowCount) + perRun(warmCount)) + 20;

interface Window {
  arrivalsPerSec: number;
  failed: number;
  eventsPerSec: number;
  secs: number;
  cpu: CpuUse;
  httpP50: number;
  httpP99: number;
  wire: number[];
  open: number;
  poolMeanWaiting: number[];
  poolMaxWaiting: number[];
  idleCores: number;
}

interface Rig {
  setup: HqSetup;
  loaders: Child[];
  connected: number;
  connectMs: number;
  idleRss: number[];
  peakRss: number[];
  memberOffset: number;
  windows: Window[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const fmtCpu = (c: CpuUse) => `HQ ${c.nodes.map((n) => `${Math.round(n * 100)}%`).join(' + ')}${c.pg ? `, PG backends ${Math.round(c.pg * 100)}%` : ''}${c.nats !== null ? `, NATS ${Math.round(c.nats * 100)}%` : ''}`;

const door = forkChild('arrivals');
const rigs: Rig[] = [];
const log = new WindowLog('capacity', profileDir());
try {
  console.log(`capacity: set-ups ${SETUPS.join(', ')}; ${ROUNDS} round(s) of ${windowSecs} s at ${RATE}/s asked, ${BATCH} per request, ≤ ${IN_FLIGHT} requests in flight`);
  for (const name of SETUPS) {
    const setup = await HqSetup.start(name, { stores: STORES, membersPerStore, desksPerStore: perStore }, { cpuProfDir: profileDir() });
    const loaders = Array.from({ length: LOADERS }, () => forkChild('lightDesks'));
    rigs.push({ setup, loaders, connected: 0, connectMs: 0, idleRss: [], peakRss: setup.pids.map(() => 0), memberOffset: 0, windows: [] });
    console.log(`capacity: [${name}] ${setup.label}: seeded in ${setup.seedMs} ms`);
  }
  // One set-up's desks after the other, so each connect time is that set-up's alone: 10,000 desks
  // saying hello at once is also what a node restart looks like.
  for (const rig of rigs) {
    const { setup, loaders } = rig;
    const desks: { token: string; url: string }[] = [];
    for (let s = 0; s < STORES; s++) {
      for (let d = 0; d < perStore && desks.length < DESKS; d++) desks.push({ token: benchToken(s, d), url: setup.urls[setup.nodeOfDesk(s, d)]! });
    }
    const t0 = Date.now();
    const conn = await Promise.all(
      loaders.map((l, i) => {
        const mine = desks.filter((_, k) => k % LOADERS === i);
        return l.call<{ connected: number; retried503: number }>('connect', { urls: mine.map((d) => d.url), tokens: mine.map((d) => d.token), parallel: 50 });
      }),
    );
    rig.connected = conn.reduce((n, c) => n + c.connected, 0);
    rig.connectMs = Date.now() - t0;
    rig.idleRss = setup.pids.map((p) => rssOf(p).rssMb);
    console.log(`capacity: [${setup.name}] ${rig.connected} desks connected in ${rig.connectMs} ms (${conn.reduce((n, c) => n + c.retried503, 0)} upgrades answered 503 and retried); HQ RSS ${rig.idleRss.join(' + ')} MiB`);
  }

  const run = (rig: Rig, count: number, maxSeconds?: number) => {
    const args = { urls: rig.setup.urls, key: rig.setup.key, stores: STORES, membersPerStore: 1e9, memberOffset: rig.memberOffset, rate: RATE, count, batch: BATCH, maxInFlight: IN_FLIGHT, maxSeconds };
    rig.memberOffset += perRun(count);
    return door.call<{ achievedRate: number; failed: number; http: { p50: number; p99: number } }>('run', args);
  };

  const freeze = (rig: Rig, on: boolean) => {
    if (freezeIdle()) for (const c of [...rig.setup.nodes, ...rig.loaders]) c.freeze(on);
  };
  for (const rig of rigs) freeze(rig, true);
  for (let r = 0; r < ROUNDS; r++) {
    for (const rig of roundOrder(rigs, r)) {
      freeze(rig, false);
      await sleep(300);
      await run(rig, warmCount, WARMUP * 2);
      const sampler = setInterval(() => {
        rig.setup.pids.forEach((p, i) => (rig.peakRss[i] = Math.max(rig.peakRss[i]!, rssOf(p).rssMb)));
      }, 250);
      await Promise.all(rig.loaders.map((l) => l.call('record')));
      const idle = await background(rigs.filter((o) => o !== rig).map((o) => o.setup));
      const cpu0 = await rig.setup.cpuSnapshot();
      const us0 = WindowLog.nowUs();
      const w0 = performance.now();
      const pools = rig.setup.samplePools();
      const res = await rig.setup.allocWindow('capacity', () => run(rig, windowCount, windowSecs));
      const pool = pools();
      await sleep(300);
      const secs = (performance.now() - w0) / 1000;
      const cpu1 = await rig.setup.cpuSnapshot();
      const idleCores = await idle();
      log.add(rig.setup, us0, WindowLog.nowUs());
      clearInterval(sampler);
      const stats = await Promise.all(rig.loaders.map((l) => l.call<{ received: number; open: number; lat: number[] }>('stats')));
      const settled = await rig.setup.settle();
      freeze(rig, true);
      const received = stats.reduce((n, s) => n + s.received, 0);
      const w: Window = {
        arrivalsPerSec: res.achievedRate,
        failed: res.failed,
        eventsPerSec: Math.round(received / secs),
        secs,
        cpu: HqSetup.cpuUse(cpu0, cpu1),
        httpP50: res.http.p50,
        httpP99: res.http.p99,
        wire: stats.flatMap((s) => s.lat),
        open: stats.reduce((n, s) => n + s.open, 0),
        poolMeanWaiting: pool.meanWaiting,
        poolMaxWaiting: pool.maxWaiting,
        idleCores: round2(idleCores),
      };
      rig.windows.push(w);
      const nodes = rig.setup.nodes.length;
      console.log(
        `capacity: round ${r + 1} [${rig.setup.name}] ${w.arrivalsPerSec} arrivals/s (${w.failed} failed), ingest HTTP p50 ${fmtMs(w.httpP50)}; ${w.eventsPerSec} events/s${nodes > 1 ? ` (${Math.round(w.eventsPerSec / nodes)} per node)` : ''} over ${secs.toFixed(1)} s; ${w.open} desks open; ${fmtCpu(w.cpu)}${rig.setup.schema ? `; pool waiting mean ${pool.meanWaiting.join(' + ')}, max ${pool.maxWaiting.join(' + ')}` : ''}${rigs.length > 1 ? `; idle set-ups ${Math.round(idleCores * 100)}%` : ''}${settled > 1000 ? `; settled after ${(settled / 1000).toFixed(1)} s` : ''}`,
      );
    }
  }

  const results: Record<string, Record<string, unknown>> = {};
  const flat: Record<string, number> = {};
  const sqlite = rigs.find((r) => r.setup.name === 'sqlite');
  const perNode = (rig: Rig, w: Window) => w.eventsPerSec / rig.setup.nodes.length;
  for (const rig of rigs) {
    const name = rig.setup.name;
    const nodes = rig.setup.nodes.length;
    const eventsPerSec = Math.round(median(rig.windows.map((w) => w.eventsPerSec)));
    const cpuCores = rig.windows.map((w) => w.cpu.nodes.reduce((a, b) => a + b, 0));
    const perHqCpuSec = Math.round(median(rig.windows.map((w, i) => w.eventsPerSec / cpuCores[i]!)));
    const peak = rig.setup.pids.map((p, i) => Math.max(rig.peakRss[i]!, rssOf(p).rssMb));
    const hwm = rig.setup.pids.map((p) => rssOf(p).peakMb);
    const wire = summarize(rig.windows.flatMap((w) => w.wire));
    const open = Math.min(...rig.windows.map((w) => w.open));
    // HQ and PostgreSQL CPU per arrival (each fanned out to 20 desks, which ack).
    const cpuMsPerArrival = round2(median(rig.windows.map((w) => (HqSetup.cores(w.cpu) * 1000) / w.arrivalsPerSec)));
    const meanOf = (f: (c: CpuUse) => number) => round2(rig.windows.reduce((s, w) => s + f(w.cpu), 0) / rig.windows.length);
    const hqCpu = rig.setup.pids.map((_, i) => meanOf((c) => c.nodes[i]!));
    const pgCpu = meanOf((c) => c.pg);
    const natsCpu = rig.windows.some((w) => w.cpu.nats !== null) ? meanOf((c) => c.nats ?? 0) : null;
    console.log(
      `capacity: [${name}] ${rig.setup.label}: ${eventsPerSec} events/s (median of ${rig.windows.map((w) => w.eventsPerSec).join(', ')})${nodes > 1 ? ` = ${Math.round(eventsPerSec / nodes)} per node` : ''}; ${perHqCpuSec} per HQ CPU-second`,
    );
    console.log(
      `capacity: [${name}]   arrivals/s ${rig.windows.map((w) => w.arrivalsPerSec).join(', ')} of ${RATE} asked (${rig.windows.reduce((n, w) => n + w.failed, 0)} failed); ${open} desks open; receive latency p50 ${fmtMs(wire.p50)} p99 ${fmtMs(wire.p99)}`,
    );
    console.log(
      `capacity: [${name}]   HQ CPU ${hqCpu.map((c) => `${Math.round(c * 100)}%`).join(' + ')} of a core${pgCpu ? `, PG backends ${Math.round(pgCpu * 100)}%` : ''}${natsCpu !== null ? `, NATS ${Math.round(natsCpu * 100)}%` : ''} = ${cpuMsPerArrival} ms per arrival; HQ RSS peak ${peak.join(' + ')} MiB (VmHWM ${hwm.join(' + ')})`,
    );
    results[name] = {
      nodes,
      desks: open,
      connectMs: rig.connectMs,
      eventsPerSec,
      eventsPerSecPerNode: Math.round(eventsPerSec / nodes),
      windowEventsPerSec: rig.windows.map((w) => w.eventsPerSec),
      eventsPerHqCpuSec: perHqCpuSec,
      arrivalsPerSec: Math.round(median(rig.windows.map((w) => w.arrivalsPerSec))),
      failed: rig.windows.reduce((n, w) => n + w.failed, 0),
      ingestHttpP50Ms: round2(median(rig.windows.map((w) => w.httpP50))),
      hqCpuCores: hqCpu,
      pgBackendCpuCores: pgCpu,
      cpuMsPerArrival,
      ...(natsCpu !== null ? { natsCpuCores: natsCpu } : {}),
      hqRssMb: peak,
      hqPeakRssMb: hwm,
      idleSetupsCpuCores: rig.windows.map((w) => w.idleCores),
      ...(rig.setup.schema ? { poolWaitingMax: rig.setup.pids.map((_, i) => Math.max(...rig.windows.map((w) => w.poolMaxWaiting[i]!))) } : {}),
      wireP50Ms: wire.p50,
      wireP99Ms: wire.p99,
    };
    flat[`${name}EventsPerSec`] = eventsPerSec;
    if (nodes > 1) flat[`${name}EventsPerSecPerNode`] = Math.round(eventsPerSec / nodes);
  }
  // The SQLite node's delivered events/s ÷ this set-up's per node, per round (side by side), median.
  const ratios: Record<string, number> = {};
  for (const rig of rigs) {
    if (!sqlite || rig === sqlite) continue;
    const ratio = round2(median(rig.windows.map((w, i) => perNode(sqlite, sqlite.windows[i]!) / perNode(rig, w))));
    ratios[rig.setup.name] = ratio;
    flat[`sqliteVs${rig.setup.name[0]!.toUpperCase()}${rig.setup.name.slice(1)}PerNode`] = ratio;
    console.log(`capacity: sqlite node ÷ ${rig.setup.name} per node (events/s, median of the rounds' ratios): ${ratio}×`);
  }
  const meets = (rig: Rig) => {
    const r = results[rig.setup.name]!;
    const memOk = (r.hqPeakRssMb as number[]).every((mb) => mb <= TARGET.rssMb);
    const ratioOk = ratios[rig.setup.name] === undefined || ratios[rig.setup.name]! <= TARGET.perNodeVsSqlite;
    return (r.desks as number) >= TARGET.desks && memOk && (r.eventsPerSec as number) >= TARGET.eventsPerSec && ratioOk;
  };
  printResult('capacity', {
    desks: DESKS,
    batch: BATCH,
    rounds: ROUNDS,
    secondsPerSetup: SECONDS,
    ...flat,
    setups: results,
    targets: TARGET,
    pass: rigs.every(meets),
  });
} finally {
  for (const rig of rigs) for (const c of [...rig.setup.nodes, ...rig.loaders]) c.freeze(false);
  log.write();
  await door.stop();
  for (const rig of rigs) await Promise.all(rig.loaders.map((l) => l.stop()));
  for (const rig of rigs) await rig.setup.stop();
}
