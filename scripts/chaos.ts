// `npm run chaos -- [--faults 200] [--seed S] [--desks 3] [--nodes 1] [--gap-ms 150] [--keep]`
// Runs the fault harness (test/chaos/harness.ts): HQ and desks as child processes behind a
// fault-injecting proxy, a seeded schedule of drops, stalls, blackholes, cut frames and SIGKILLs,
// then heals and checks that nothing was lost or applied twice. With `--nodes N` (N ≥ 2) HQ is a
// cluster of N nodes on a private PostgreSQL and NATS, and the schedule adds kill -9 of a node, the
// bus stopped and the database restarted. Prints a table, then the run as one JSON line; exits 1 on
// any violation.
import { formatReport, runChaos, summarize } from '../test/chaos/harness.ts';
import { randomSeed } from '../shared/prng.ts';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? 'true' : v;
}

const faults = Number(flag('faults') ?? 200);
const seed = flag('seed') !== undefined ? Number(flag('seed')) >>> 0 : randomSeed();
const desks = Number(flag('desks') ?? 3);
const nodes = Number(flag('nodes') ?? 1);
const gap = Number(flag('gap-ms') ?? 150);
if (!Number.isInteger(faults) || faults < 0 || !Number.isFinite(seed) || !(desks >= 3) || !Number.isInteger(nodes) || nodes < 1 || !(gap > 0)) {
  console.error('usage: npm run chaos -- [--faults N] [--seed S] [--desks N≥3] [--nodes N≥1] [--gap-ms MS] [--keep]');
  process.exit(2);
}
console.log(`chaos: seed ${seed} (replay with --seed ${seed})`);
const report = await runChaos({ faults, seed, desks, nodes, faultGapMs: gap, keepDir: flag('keep') !== undefined, healTimeoutMs: 60_000, log: (l) => console.log(l) });
console.log(formatReport(report));
console.log(JSON.stringify({ ...summarize(report), command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim() }));
process.exit(report.violations.length ? 1 : 0);
