// `npm run bench`: every benchmark in its own process, one after another (they would distort
// each other in parallel on a 2-core box), then a summary table. Exit code 1 if any missed.
// BENCH_ONLY=fanout,resume runs a subset. The fan-out and capacity benches measure every HQ set-up
// (SQLite 1 node, PostgreSQL 1 node, PostgreSQL + NATS 2 nodes) side by side; BENCH_SETUPS=sqlite
// (or pg1, pg2, comma-separated) picks some (bench/lib/setups.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseResultLine, summaryTable, type BenchResult } from './lib/results.ts';

const ALL = ['cache', 'resume', 'outbox', 'fanout', 'capacity', 'ui', 'groups', 'live', 'peers'];
/** A bench that runs longer than this is killed (and reported without a result line). */
const TIMEOUT_S: Record<string, number> = { fanout: 420, capacity: 480, groups: 420, live: 240, peers: 1500 };
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const benches = only?.length ? ALL.filter((b) => only.includes(b)) : ALL;

function run(name: string): Promise<{ output: string; seconds: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // A higher open-files limit for the 10,000-socket runs; children inherit it.
    const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    const child = spawn('bash', ['-c', 'ulimit -n 65536 2>/dev/null || true; exec node --import tsx "$0"', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (TIMEOUT_S[name] ?? 180) * 1000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ output, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const rows: { name: string; result: BenchResult | null; seconds: number }[] = [];
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const { output, seconds } = await run(name);
  rows.push({ name, result: parseResultLine(output), seconds });
}
console.log(`\n${summaryTable(rows)}`);
process.exitCode = rows.every((r) => r.result?.pass) ? 0 : 1;
