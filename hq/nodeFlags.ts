// The Node.js (V8) flags an HQ node runs with: `npm run hq` passes them (package.json), and the
// benches start their HQ processes with them (bench/lib/proc.ts), so a bench measures HQ as a chain
// runs it. A node started some other way (`node --import tsx hq/main.ts`) says at start which of
// them it lacks (hq/main.ts).
//
// Why a 32 MiB young generation (V8's default semi-space is 16 MiB on 64-bit): an arrival leaves
// ~60–70 KB of short-lived objects (its rows, profile, card and texts), ~90 MB/s at the capacity
// bench's rate, and a node holding 10,000 desks pays ~5–9 ms per scavenge however little survives
// (the old generation's pointers into the young one: every socket's write state). In one capacity
// run side by side, 16 MiB made 424 scavenges pausing HQ 3.8 s in all, 32 MiB 216 pausing 2.1 s,
// for 40–60 MiB more at the peak; 64 MiB paused no less than 32 (2.06 against 2.01 s in another
// run) and took ~110 MiB more (docs/benchmarks.md, round 29).
export const HQ_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The flags of HQ_NODE_FLAGS missing from `execArgv` (compared by name: another value is the operator's choice). */
export function missingNodeFlags(execArgv: readonly string[]): string[] {
  const name = (flag: string) => flag.split('=')[0]!;
  return HQ_NODE_FLAGS.filter((f) => !execArgv.some((a) => name(a) === name(f)));
}
