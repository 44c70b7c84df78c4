// The Node.js (V8) flags an HQ node runs with: `npm run hq` passes them (package.json), and the
// benches start their HQ processes with them (bench/lib/proc.ts), so a bench measures HQ as a chain
// runs it. A node started some other way (`node --import tsx hq/main.ts`) says at start which of
// them it lacks (hq/main.ts).
//
// Why a 32 MiB young generation (V8's default semi-space is 16 MiB on 64-bit): an arrival leaves
// ~70 KB of short-lived objects (its rows, profile, card and texts), ~90 MB/s at the capacity
// bench's rate, and a node holding 10,000 desks pays ~5.5 ms per scavenge whatever it collects (the
// old generation's pointers into the young one: every socket's write state). 16 MiB scavenged 7
// times a second under that load; 32 MiB halves the count and the main thread's pauses (~3 % of
// HQ's CPU to ~1.5 %) for ~40 MiB more at its peak. 64 MiB collected no less per second than 32 and
// took ~110 MiB (docs/benchmarks.md, round 29).
export const HQ_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The flags of HQ_NODE_FLAGS missing from `execArgv` (compared by name: another value is the operator's choice). */
export function missingNodeFlags(execArgv: readonly string[]): string[] {
  const name = (flag: string) => flag.split('=')[0]!;
  return HQ_NODE_FLAGS.filter((f) => !execArgv.some((a) => name(a) === name(f)));
}
