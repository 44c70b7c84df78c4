// Where the HQ processes' time went during the measured windows of a profiled bench run:
//
//   BENCH_PROFILE=/tmp/prof BENCH_ONLY=fanout,capacity npm run bench
//   npx tsx bench/profile.ts /tmp/prof [fanout|capacity] [--top 15]
//
// Reads `<bench>-windows.json` (written by the bench: each set-up's HQ pids and its measured
// windows) and the `.cpuprofile` of every pid, and prints per node: CPU busy in the windows, time
// by category and the top functions by self time (bench/lib/profile.ts). Only the main thread's
// profile is read (tid 0 in the file name; tsx's loader thread writes one too).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type SourceMapPayload } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CpuProfile, mapToSources, summarizeProfile } from './lib/profile.ts';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error('usage: npx tsx bench/profile.ts <BENCH_PROFILE dir> [bench] [--top N]');
  process.exit(2);
}
const topAt = args.indexOf('--top');
const TOP = topAt >= 0 ? Number(args[topAt + 1]) : 15;
const only = args[1] && !args[1].startsWith('--') ? args[1] : undefined;

const files = readdirSync(dir);
/** The source map written beside a bundle HQ ran from (`<file>.map`, bench/lib/proc.ts forkHq). */
const bundleSourceMap = (url: string) => {
  if (!url.startsWith('file:') || !/\.[cm]?js$/.test(url) || url.includes('/node_modules/')) return null;
  const map = `${fileURLToPath(url)}.map`;
  return existsSync(map) ? (JSON.parse(readFileSync(map, 'utf8')) as SourceMapPayload) : null;
};
const pct = (us: number, of: number) => `${((us / of) * 100).toFixed(1)}%`;
for (const f of files.filter((f) => f.endsWith('-windows.json'))) {
  const log = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { bench: string; setups: Record<string, { pids: number[]; windows: [number, number][] }> };
  if (only && log.bench !== only) continue;
  console.log(`\n# ${log.bench}`);
  for (const [setup, { pids, windows }] of Object.entries(log.setups)) {
    const windowUs = windows.reduce((s, [a, b]) => s + (b - a), 0);
    for (const [i, pid] of pids.entries()) {
      const file = files.find((x) => x.endsWith('.cpuprofile') && x.split('.')[3] === String(pid) && x.split('.')[4] === '0');
      console.log(`\n## ${setup} node ${i + 1} (pid ${pid}): ${windows.length} windows, ${(windowUs / 1e6).toFixed(1)} s`);
      if (!file) {
        console.log('no profile (did the process exit cleanly?)');
        continue;
      }
      const s = summarizeProfile(mapToSources(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, bundleSourceMap), windows);
      console.log(`busy ${pct(s.busyUs, s.totalUs)} of the windows' samples (${(s.busyUs / 1e6).toFixed(1)} s)`);
      const ms = (us: number) => (us / 1000).toFixed(1);
      const stretch = (x: typeof s.longestBusy) => `${ms(x.us)} ms (${x.functions.map(([fn, us]) => `${fn} ${ms(us)}`).join('; ') || 'none'})`;
      console.log(`longest busy stretch ${stretch(s.longestBusy)}; without GC ${stretch(s.longestBusyWithoutGc)}; longest time between two samples ${ms(s.longestGapUs)} ms`);
      // Rolled up by owner (`socket I/O (node net) ← pg driver` counts for the pg driver), then in detail.
      const owners = new Map<string, number>();
      for (const [cat, us] of s.categories) {
        if (cat === 'idle') continue;
        const owner = cat.includes(' ← ') ? cat.slice(cat.indexOf(' ← ') + 3) : cat;
        owners.set(owner, (owners.get(owner) ?? 0) + us);
      }
      console.log('\n| by owner | % of busy |\n|---|---|');
      for (const [owner, us] of [...owners].sort((a, b) => b[1] - a[1])) console.log(`| ${owner} | ${pct(us, s.busyUs)} |`);
      console.log('\n| category (≥ 0.5%) | % of busy |\n|---|---|');
      for (const [cat, us] of s.categories) if (cat !== 'idle' && us >= s.busyUs * 0.005) console.log(`| ${cat} | ${pct(us, s.busyUs)} |`);
      console.log(`\n| top ${TOP} self time | % of busy |\n|---|---|`);
      for (const [fn, us] of s.functions.slice(0, TOP)) console.log(`| \`${fn}\` | ${pct(us, s.busyUs)} |`);
    }
  }
}
