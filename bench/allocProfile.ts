// What the HQ processes allocated during the measured windows of a bench run:
//
//   BENCH_ALLOC_PROFILE=/tmp/alloc BENCH_SETUPS=pg1 npx tsx bench/capacity.ts   (or bench/fanout.ts)
//   npx tsx bench/allocProfile.ts /tmp/alloc [--top N]
//
// Reads the `<bench>.<setup>.<pid>.<window>.heapprofile` files (V8's sampling heap profiler, with
// the objects collected since kept: what a window allocated, garbage included) and prints per
// bench and set-up the bytes allocated, the functions allocating most by self size, and the same
// by inclusive size. On a node holding 10,000 desks every collection walks a large heap, so the
// garbage a request leaves costs more than its allocation (round 16 of docs/benchmarks.md).
// The figures of a profiled run itself (CPU, latency) are not for quoting: sampling costs CPU.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HeapNode, summarizeAllocations } from './lib/allocSummary.ts';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error('usage: npx tsx bench/allocProfile.ts <BENCH_ALLOC_PROFILE dir> [--top N]');
  process.exit(2);
}
const topAt = args.indexOf('--top');
const TOP = topAt >= 0 ? Number(args[topAt + 1]) : 25;

const groups = new Map<string, string[]>();
for (const f of readdirSync(dir).filter((x) => x.endsWith('.heapprofile'))) {
  const [bench, setup] = f.split('.');
  const list = groups.get(`${bench} ${setup}`) ?? [];
  list.push(join(dir, f));
  groups.set(`${bench} ${setup}`, list);
}
if (groups.size === 0) console.log(`no .heapprofile files in ${dir}`);
const mb = (n: number) => (n / 1048576).toFixed(1);
for (const [group, files] of groups) {
  const s = summarizeAllocations(files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { head: HeapNode }).head));
  console.log(`\n# ${group}: ${files.length} window(s), ${mb(s.total)} MiB allocated`);
  for (const [title, m] of [['self', s.self], ['inclusive', s.inclusive]] as const) {
    console.log(`\n| top ${TOP} by ${title} | MiB | % |\n|---|---|---|`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`| \`${k}\` | ${mb(v)} | ${((v / s.total) * 100).toFixed(1)}% |`);
  }
}
