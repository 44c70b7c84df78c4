// Fan-out: from an arrival accepted at HQ to the event applied in desk storage, on every HQ
// set-up (bench/lib/setups.ts: SQLite 1 node, PostgreSQL 1 node, PostgreSQL + NATS 2 nodes) in one
// run, side by side.
//
// Each set-up's HQ nodes run in processes of their own, seeded with STORES stores and DESKS
// devices. Its desks are split: CORES full DeskCore instances (one per sampled store, SQLite cache
// on disk) in one process, and lightweight WebSocket desks for the rest in another. One generator
// process POSTs arrivals at RATE/s. All set-ups are up at once; the measured windows take turns
// (ROUNDS rounds, forward then backward order, each window after a warm-up of its own), so load
// drifting on the machine falls on every set-up alike.
//
// Latency = time the DeskCore `arrival` event fires (after the SQLite commit) − the event's `at`,
// which HQ stamps when it accepts the ingest request (before its own transaction), so HQ's HTTP
// handling, its commit, the fan-out (on two nodes: the doorbell over NATS and the other node's
// catch-up read) and the desk's parse + apply are all inside the figure.
//
// Two nodes: desk d of every store connects to node d mod 2, a store's arrivals are posted to node
// (store index) mod 2, so half of every store's desks hear of an arrival through the other node;
// latencies are also reported by "same node" / "other node".
import { cacheDir, num, profileDir } from './lib/env.ts';
import { type Child, forkChild, rssOf, sleep } from './lib/proc.ts';
import { benchToken } from './lib/seed.ts';
import { background, type CpuUse, freezeIdle, HqSetup, roundOrder, type SetupName, setupsFromEnv, WindowLog } from './lib/setups.ts';
import { fmtMs, median, printResult, summarize, type Summary } from './lib/stats.ts';

const STORES = num('FANOUT_STORES', 500);
const DESKS = num('FANOUT_DESKS', 2000);
const RATE = num('FANOUT_RATE', 500);
/** Measured seconds per set-up, split over the rounds. */
const SECONDS = num('FANOUT_SECONDS', 16);
const ROUNDS = Math.max(1, num('FANOUT_ROUNDS', 2));
/** Warm-up before every measured window (the catalog caches refill after a set-up sat idle). */
const WARMUP = num('FANOUT_WARMUP_SECONDS', 1);
const CORES = num('FANOUT_CORES', 20);
const TARGET = { p50Ms: 10, p99Ms: 50 };
const SETUPS = setupsFromEnv();

const perStore = Math.ceil(DESKS / STORES);
const windowCount = Math.round((RATE * SECONDS) / ROUNDS);
const warmCount = Math.round(RATE * WARMUP);
/** Members a run of `count` arrivals uses per store (the generator spreads them evenly). */
const perRun = (count: number) => Math.ceil(count / STORES) + 1;
const membersPerStore = ROUNDS * (perRun(windowCount) + perRun(warmCount)) + 20;

interface Rig {
  setup: HqSetup;
  light: Child;
  cores: Child;
  memberOffset: number;
  lat: number[];
  latByTag: Record<string, number[]>;
  wire: number[];
  wireByTag: Record<string, number[]>;
  http: number[];
  rates: number[];
  failed: number;
  /** Why they failed (bench/children/arrivals.ts `failures`), summed over the windows. */
  failures: Record<string, number>;
  gaps: number;
  lightCloses: number;
  cpu: CpuUse[];
  windowP99: number[];
  poolWaitingMax: number[];
  idleCores: number[];
}

const merge = (into: Record<string, number[]>, from: Record<string, number[]>) => {
  for (const [k, v] of Object.entries(from)) (into[k] ??= []).push(...v);
};
const fmtFailures = (f: Record<string, number>) => Object.entries(f).map(([why, n]) => `${n}× ${why}`).join(', ');
const round2 = (x: number) => Math.round(x * 100) / 100;
const fmtCpu = (c: CpuUse) => `HQ ${c.nodes.map((n) => `${Math.round(n * 100)}%`).join(' + ')}${c.pg ? `, PG backends ${Math.round(c.pg * 100)}%` : ''}${c.nats !== null ? `, NATS ${Math.round(c.nats * 100)}%` : ''}`;
/** Mean CPU use over the windows. */
function meanCpu(list: CpuUse[]): CpuUse {
  const n = list.length || 1;
  return {
    nodes: list[0]?.nodes.map((_, i) => list.reduce((s, c) => s + c.nodes[i]!, 0) / n) ?? [],
    pg: list.reduce((s, c) => s + c.pg, 0) / n,
    nats: list.some((c) => c.nats !== null) ? list.reduce((s, c) => s + (c.nats ?? 0), 0) / n : null,
  };
}

const door = forkChild('arrivals');
const rigs: Rig[] = [];
const windows = new WindowLog('fanout', profileDir());
try {
  console.log(`fanout: set-ups ${SETUPS.join(', ')}; ${ROUNDS} round(s) of ${windowCount} arrivals at ${RATE}/s per set-up, each after ${warmCount} warm-up arrivals`);
  for (const name of SETUPS) {
    const setup = await HqSetup.start(name, { stores: STORES, membersPerStore, desksPerStore: perStore }, { cpuProfDir: profileDir() });
    const rig: Rig = { setup, light: forkChild('lightDesks'), cores: forkChild('deskCores'), memberOffset: 0, lat: [], latByTag: {}, wire: [], wireByTag: {}, http: [], rates: [], failed: 0, failures: {}, gaps: 0, lightCloses: 0, cpu: [], windowP99: [], poolWaitingMax: [], idleCores: [] };
    rigs.push(rig);
    console.log(`fanout: [${name}] ${setup.label}: seeded ${STORES} stores × ${perStore} desks in ${setup.seedMs} ms`);
  }
  // Every set-up's desks connect at once (on PostgreSQL a hello is a few round trips, mostly waiting).
  await Promise.all(
    rigs.map(async ({ setup, light, cores }) => {
      // Desk 0 of every (STORES / CORES)-th store is a full DeskCore; every other desk is lightweight.
      const coreDesks: { token: string; url: string; tag: string }[] = [];
      const lightDesks: { token: string; url: string; tag: string }[] = [];
      const step = Math.max(1, Math.floor(STORES / CORES));
      let n = 0;
      for (let s = 0; s < STORES; s++) {
        for (let d = 0; d < perStore && n < DESKS; d++, n++) {
          const node = setup.nodeOfDesk(s, d);
          const desk = { token: benchToken(s, d), url: setup.urls[node]!, tag: node === setup.nodeOfStore(s) ? 'same node' : 'other node' };
          if (d === 0 && s % step === 0 && coreDesks.length < CORES) coreDesks.push(desk);
          else lightDesks.push(desk);
        }
      }
      const [c1, c2] = await Promise.all([
        light.call<{ connected: number; ms: number; retried503: number }>('connect', { urls: lightDesks.map((d) => d.url), tokens: lightDesks.map((d) => d.token), tags: lightDesks.map((d) => d.tag) }),
        cores.call<{ connected: number; ms: number }>('connect', {
          urls: coreDesks.map((d) => d.url),
          tokens: coreDesks.map((d) => d.token),
          tags: coreDesks.map((d) => d.tag),
          cacheDir: cacheDir(),
        }),
      ]);
      console.log(`fanout: [${setup.name}] ${c1.connected} light desks + ${c2.connected} DeskCores online (${Math.max(c1.ms, c2.ms)} ms; ${c1.retried503} upgrades answered 503 and retried)`);
    }),
  );

  // A set-up that cannot keep up stops sending a little after the window's time (its achieved rate
  // says so), rather than stretching the run.
  const run = (rig: Rig, count: number, samples: boolean) => {
    const maxSeconds = count / RATE + 2;
    // 64 requests in flight at most (the generator's sockets per node): ample at 500/s when HQ keeps
    // up, and a set-up that does not keep up has no long queue to drain into the next window.
    const args = { urls: rig.setup.urls, key: rig.setup.key, stores: STORES, membersPerStore: 1e9, memberOffset: rig.memberOffset, rate: RATE, count, samples, maxSeconds, maxInFlight: 64 };
    rig.memberOffset += perRun(count);
    return door.call<{ achievedRate: number; failed: number; failures: Record<string, number>; http: Summary; httpSamples?: number[] }>('run', args);
  };

  const freeze = (rig: Rig, on: boolean) => {
    if (freezeIdle()) for (const c of [...rig.setup.nodes, rig.light, rig.cores]) c.freeze(on);
  };
  for (const rig of rigs) freeze(rig, true);
  for (let r = 0; r < ROUNDS; r++) {
    for (const rig of roundOrder(rigs, r)) {
      freeze(rig, false);
      await sleep(300);
      await run(rig, warmCount, false);
      await Promise.all([rig.light.call('record'), rig.cores.call('record')]);
      const idle = await background(rigs.filter((o) => o !== rig).map((o) => o.setup));
      const cpu0 = await rig.setup.cpuSnapshot();
      const us0 = WindowLog.nowUs();
      const pools = rig.setup.samplePools();
      const res = await rig.setup.allocWindow('fanout', () => run(rig, windowCount, true));
      const pool = pools();
      const us1 = WindowLog.nowUs();
      const cpu1 = await rig.setup.cpuSnapshot();
      const idleCores = await idle();
      windows.add(rig.setup, us0, us1);
      await sleep(500);
      const settled = await rig.setup.settle();
      const [ls, cs] = await Promise.all([
        rig.light.call<{ received: number; lat: number[]; latByTag: Record<string, number[]>; closes: number }>('stats'),
        rig.cores.call<{ lat: number[]; latByTag: Record<string, number[]>; applied: number; gaps: number }>('stats'),
      ]);
      const cpu = HqSetup.cpuUse(cpu0, cpu1);
      rig.cpu.push(cpu);
      rig.idleCores.push(round2(idleCores));
      rig.lat.push(...cs.lat);
      merge(rig.latByTag, cs.latByTag);
      rig.wire.push(...ls.lat);
      merge(rig.wireByTag, ls.latByTag);
      rig.http.push(...(res.httpSamples ?? []));
      rig.rates.push(res.achievedRate);
      rig.failed += res.failed;
      for (const [why, n] of Object.entries(res.failures)) rig.failures[why] = (rig.failures[why] ?? 0) + n;
      rig.gaps = cs.gaps;
      rig.lightCloses = ls.closes;
      freeze(rig, true);
      const w = summarize(cs.lat);
      rig.windowP99.push(w.p99);
      rig.poolWaitingMax = rig.setup.nodes.map((_, i) => Math.max(rig.poolWaitingMax[i] ?? 0, pool.maxWaiting[i]!));
      const poolText = rig.setup.schema ? `; pool waiting mean ${pool.meanWaiting.join(' + ')}, max ${pool.maxWaiting.join(' + ')}` : '';
      console.log(
        `fanout: round ${r + 1} [${rig.setup.name}] ${res.achievedRate}/s (${res.failed} failed${res.failed ? `: ${fmtFailures(res.failures)}` : ''}), ingest HTTP p99 ${fmtMs(res.http.p99)}; applied p50 ${fmtMs(w.p50)} p99 ${fmtMs(w.p99)} (n=${w.n}); ${fmtCpu(cpu)}${poolText}${rigs.length > 1 ? `; idle set-ups ${Math.round(idleCores * 100)}%` : ''}${settled > 1000 ? `; settled after ${(settled / 1000).toFixed(1)} s` : ''}`,
      );
    }
  }

  const results: Record<string, Record<string, unknown>> = {};
  const flat: Record<string, number> = {};
  for (const rig of rigs) {
    const name = rig.setup.name;
    const applied = summarize(rig.lat);
    const wire = summarize(rig.wire);
    const http = summarize(rig.http);
    const cpu = meanCpu(rig.cpu);
    const rss = rig.setup.pids.map((p) => rssOf(p).rssMb);
    const byTag = (m: Record<string, number[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, summarize(v)]));
    const rate = Math.min(...rig.rates);
    console.log(`fanout: [${name}] ${rig.setup.label}: ${rate}/s sent at least (${rig.failed} failed), ingest HTTP p50 ${fmtMs(http.p50)} p99 ${fmtMs(http.p99)}`);
    console.log(`fanout: [${name}]   light desks' ws receive latency p50 ${fmtMs(wire.p50)} p99 ${fmtMs(wire.p99)} (n=${wire.n}, ${rig.lightCloses} closes)`);
    console.log(
      `fanout: [${name}]   applied in DeskCore storage: p50 ${fmtMs(applied.p50)} p90 ${fmtMs(applied.p90)} p99 ${fmtMs(applied.p99)} max ${fmtMs(applied.max)} (n=${applied.n}, gaps ${rig.gaps}); per window p99 ${rig.windowP99.map(fmtMs).join(', ')}`,
    );
    if (Object.keys(rig.latByTag).length > 1) {
      for (const [tag, s] of Object.entries(byTag(rig.latByTag))) console.log(`fanout: [${name}]     ${tag}: applied p50 ${fmtMs(s.p50)} p99 ${fmtMs(s.p99)} (n=${s.n})`);
      for (const [tag, s] of Object.entries(byTag(rig.wireByTag))) console.log(`fanout: [${name}]     ${tag}: wire p50 ${fmtMs(s.p50)} p99 ${fmtMs(s.p99)} (n=${s.n})`);
    }
    // HQ and PostgreSQL CPU per arrival (each fanned out to its store's desks and acked by them).
    const cpuMsPerArrival = round2(median(rig.cpu.map((c, i) => (HqSetup.cores(c) * 1000) / rig.rates[i]!)));
    console.log(`fanout: [${name}]   ${fmtCpu(cpu)} (mean over the windows) = ${cpuMsPerArrival} ms of CPU per arrival; HQ RSS ${rss.join(' + ')} MiB`);
    results[name] = {
      nodes: rig.setup.nodes.length,
      rate,
      failed: rig.failed,
      failures: rig.failures,
      p50Ms: applied.p50,
      p90Ms: applied.p90,
      p99Ms: applied.p99,
      maxMs: applied.max,
      samples: applied.n,
      windowP99Ms: rig.windowP99,
      gaps: rig.gaps,
      wireP50Ms: wire.p50,
      wireP99Ms: wire.p99,
      ingestHttpP50Ms: http.p50,
      ingestHttpP99Ms: http.p99,
      lightDeskCloses: rig.lightCloses,
      hqCpuCores: cpu.nodes.map(round2),
      cpuMsPerArrival,
      pgBackendCpuCores: round2(cpu.pg),
      ...(cpu.nats !== null ? { natsCpuCores: round2(cpu.nats) } : {}),
      hqRssMb: rss,
      idleSetupsCpuCores: rig.idleCores,
      ...(rig.setup.schema ? { poolWaitingMax: rig.poolWaitingMax } : {}),
      ...(Object.keys(rig.latByTag).length > 1 ? { appliedByNode: byTag(rig.latByTag), wireByNode: byTag(rig.wireByTag) } : {}),
    };
    flat[`${name}P50Ms`] = applied.p50;
    flat[`${name}P99Ms`] = applied.p99;
    flat[`${name}Rate`] = rate;
  }
  // Ratios of tails measured in the same run (per round: the windows were minutes apart at most).
  const sqlite = rigs.find((r) => r.setup.name === 'sqlite');
  for (const rig of rigs) {
    if (!sqlite || rig === sqlite) continue;
    const ratio = round2(median(rig.windowP99.map((p, i) => p / sqlite.windowP99[i]!)));
    flat[`${rig.setup.name}P99VsSqlite`] = ratio;
    console.log(`fanout: ${rig.setup.name} p99 ÷ sqlite p99, median over the rounds: ${ratio}×`);
  }
  const meets = (name: SetupName) => {
    const r = results[name]!;
    return (r.samples as number) > 0 && (r.p50Ms as number) <= TARGET.p50Ms && (r.p99Ms as number) <= TARGET.p99Ms && r.failed === 0 && (r.rate as number) >= RATE * 0.95;
  };
  printResult('fanout', {
    stores: STORES,
    desks: DESKS,
    deskCores: Math.min(CORES, STORES),
    rate: RATE,
    rounds: ROUNDS,
    secondsPerSetup: SECONDS,
    ...flat,
    setups: results,
    targets: TARGET,
    pass: SETUPS.every(meets),
  });
} finally {
  for (const rig of rigs) for (const c of [...rig.setup.nodes, rig.light, rig.cores]) c.freeze(false);
  windows.write();
  await door.stop();
  for (const rig of rigs) await Promise.all([rig.light.stop(), rig.cores.stop()]);
  for (const rig of rigs) await rig.setup.stop();
}
