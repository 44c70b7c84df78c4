// Bench knobs from the environment (e.g. FANOUT_RATE=250 npm run bench), with defaults that
// match the targets.
import { tmpdir } from 'node:os';

export function num(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

/** Where desk caches go: a real disk (tmpdir here is on the root disk), never the repo. */
export const cacheDir = () => process.env.BENCH_CACHE_DIR ?? tmpdir();

/** Directory for --cpu-prof output when BENCH_PROFILE is set (outside the repo). */
export const profileDir = () => (process.env.BENCH_PROFILE ? process.env.BENCH_PROFILE : undefined);

/**
 * Directory for allocation profiles when BENCH_ALLOC_PROFILE is set (outside the repo): each HQ
 * node samples what it allocates during the measured windows, collected objects included
 * (bench/allocProfile.ts summarises them).
 */
export const allocProfileDir = () => (process.env.BENCH_ALLOC_PROFILE ? process.env.BENCH_ALLOC_PROFILE : undefined);
