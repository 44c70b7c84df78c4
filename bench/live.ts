// Live rooms (6/8): one launch room watched by 10,000 viewer sockets spread over two HQ nodes
// (PostgreSQL + NATS, bench/lib/setups.ts `pg2`), with 200 comments a second coming in for 20 s
// from signed-in viewers on both nodes. Reports the comment delivery latency (the writer's send →
// the batch at a viewer's socket, so it includes the LIVE_BATCH_MS batching and, for half the
// viewers, the hop over NATS) p50/p99, and each node's CPU (process.cpuUsage deltas reported by the
// node itself) and RSS over the measured window.
//
// The viewer sockets live in two child processes (one per node), so the load generator does not
// share a process with HQ. Writers are the first WRITERS sockets (member tokens from the
// integration route); each sends one comment every WRITERS/RATE seconds, inside the per-viewer
// rate (LIVE_COMMENTS_PER_10S), so no comment is refused. `BENCH_LIVE_VIEWERS` scales the room down.
import { randomUUID } from 'node:crypto';
import { num, profileDir } from './lib/env.ts';
import { forkChild, rssOf, sleep } from './lib/proc.ts';
import { benchStoreId } from './lib/seed.ts';
import { HqSetup } from './lib/setups.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const VIEWERS = num('BENCH_LIVE_VIEWERS', 10_000);
const RATE = num('LIVE_RATE', 200);
const SECONDS = num('LIVE_SECONDS', 20);
/** 200/s inside 3 per 10 s each needs ≥ 667 writers; a margin on top. */
const WRITERS = Math.min(VIEWERS, num('LIVE_WRITERS', Math.ceil((RATE * 10) / 2)));
/** One viewer socket in this many parses its frames and records latencies. */
const SAMPLE_EVERY = num('LIVE_SAMPLE_EVERY', 25);
const TARGET = { p99Ms: 500 };

const storeId = benchStoreId(0);
const viewers = [forkChild('liveViewers', { maxOldSpaceMb: 2048 }), forkChild('liveViewers', { maxOldSpaceMb: 2048 })];
let setup: HqSetup | null = null;
try {
  const t0 = Date.now();
  setup = await HqSetup.start('pg2', { stores: 1, membersPerStore: WRITERS, desksPerStore: 1 }, { cpuProfDir: profileDir() });
  const roomId = randomUUID();
  await setup.nodes[0]!.call('liveRoom', { storeId, roomId });
  // Member sessions for the writers, through the integration route (as a brand's app gets them).
  const tokens: string[] = [];
  for (let i = 0; i < WRITERS; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, WRITERS - i) }, async (_, k) => {
        const res = await fetch(`${setup!.urls[0]}/v1/integration/member-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-integration-key': setup!.key },
          body: JSON.stringify({ storeId, memberId: `bm-0-${i + k}` }),
        });
        if (res.status !== 201) throw new Error(`member token: HTTP ${res.status} ${await res.text()}`);
        return ((await res.json()) as { token: string }).token;
      }),
    );
    tokens.push(...batch);
  }
  console.log(`live: ${setup.label}; room made, ${WRITERS} writer sessions in ${Date.now() - t0} ms`);

  // Half the viewers (and half the writers) on each node.
  const half = Math.ceil(VIEWERS / 2);
  const parts = await Promise.all(
    viewers.map((v, k) =>
      v.call<{ connected: number; ms: number }>('connect', {
        url: setup!.urls[k],
        roomId,
        n: k === 0 ? half : VIEWERS - half,
        tokens: tokens.filter((_, i) => i % 2 === k),
        sampleEvery: SAMPLE_EVERY,
      }),
    ),
  );
  const connected = parts.reduce((a, p) => a + p.connected, 0);
  console.log(`live: ${connected} viewer sockets in the room over ${setup.urls.length} nodes in ${Math.max(...parts.map((p) => p.ms))} ms`);

  // Warm-up (JIT, the first batches), then the measured window.
  await Promise.all(viewers.map((v) => v.call('blast', { rate: 10, seconds: 1 })));
  await sleep(1500);
  await Promise.all(viewers.map((v) => v.call('record', { on: true })));
  const usage0 = await Promise.all(setup.nodes.map((n) => n.call<{ cpuUs: number; rssMb: number }>('usage')));
  const w0 = performance.now();
  await Promise.all(viewers.map((v) => v.call('blast', { rate: RATE / viewers.length, seconds: SECONDS })));
  await sleep(1500); // the last batches
  const secs = (performance.now() - w0) / 1000;
  const usage1 = await Promise.all(setup.nodes.map((n) => n.call<{ cpuUs: number; rssMb: number }>('usage')));
  await Promise.all(viewers.map((v) => v.call('record', { on: false })));
  const nodes = setup.nodes.map((n, i) => ({
    node: i + 1,
    cpuCores: Math.round(((usage1[i]!.cpuUs - usage0[i]!.cpuUs) / 1e6 / secs) * 100) / 100,
    rssMb: usage1[i]!.rssMb,
    peakRssMb: rssOf(n.pid).peakMb,
  }));
  const results = await Promise.all(viewers.map((v) => v.call<{ frames: number; closes: number; refused: number; sent: number }>('results')));
  const lat = summarize((await Promise.all(viewers.map((v) => v.call<Float64Array>('samples')))).flatMap((a) => [...a]));
  const inbound = summarize((await Promise.all(viewers.map((v) => v.call<Float64Array>('inbound')))).flatMap((a) => [...a]));
  const sent = results.reduce((a, r) => a + r.sent, 0);
  const closes = results.reduce((a, r) => a + r.closes, 0);
  const refused = results.reduce((a, r) => a + r.refused, 0);
  const frames = results.reduce((a, r) => a + r.frames, 0);
  // Every sampled socket should see every measured comment.
  const sampled = Math.ceil(half / SAMPLE_EVERY) + Math.ceil((VIEWERS - half) / SAMPLE_EVERY);
  const measured = RATE * SECONDS;
  const deliveredShare = Math.round((lat.n / (measured * sampled)) * 10_000) / 10_000;
  console.log(`live: ${sent} comments sent (${measured} measured at ${RATE}/s for ${SECONDS} s), ${refused} refused, ${frames} frames at viewers, ${closes} sockets closed`);
  console.log(`live: delivery send → viewer p50 ${fmtMs(lat.p50)}, p90 ${fmtMs(lat.p90)}, p99 ${fmtMs(lat.p99)}, max ${fmtMs(lat.max)} (${lat.n} samples, ${(deliveredShare * 100).toFixed(2)} % of expected)`);
  console.log(`live: of which send → accepted by HQ p50 ${fmtMs(inbound.p50)}, p99 ${fmtMs(inbound.p99)} (HQ's clock: same machine)`);
  for (const n of nodes) console.log(`live: node ${n.node}: ${n.cpuCores} cores, RSS ${n.rssMb} MiB (peak ${n.peakRssMb} MiB)`);
  printResult('live', {
    pass: lat.p99 <= TARGET.p99Ms && closes === 0 && refused === 0 && deliveredShare >= 0.99,
    viewers: connected,
    rate: RATE,
    seconds: SECONDS,
    p50Ms: lat.p50,
    p99Ms: lat.p99,
    maxMs: lat.max,
    deliveredShare,
    node1Cores: nodes[0]!.cpuCores,
    node2Cores: nodes[1]!.cpuCores,
    node1RssMb: nodes[0]!.rssMb,
    node2RssMb: nodes[1]!.rssMb,
    targets: TARGET,
  });
} finally {
  await Promise.all(viewers.map((v) => v.stop()));
  await setup?.stop();
}
