// Bundle HQ's programs to out/hq/main.mjs (the node) and out/hq/admin.mjs (the admin CLI), to run
// with plain Node: `npm run build:hq`, then `node --no-memory-reducer out/hq/main.mjs …` (README,
// "HQ in production"; the flag: bundles.ts HQ_NODE_FLAGS).
//
// Why a bundle: `npm run hq` runs the TypeScript sources through tsx, a development tool: it must be
// installed on the server with the devDependencies, compiles each file when it is imported, and
// keeps every function's name by calling a helper (`__name`) each time a closure is made — on HQ's
// arrival path, thousands of calls a second under load (about 2 % of a busy node's CPU, within this
// box's noise: docs/benchmarks.md, round 38). The bundle is the same code as plain JavaScript, and a
// node needs only the production dependencies. The benches run HQ from this kind of bundle
// (bench/lib/proc.ts, forkHq), so they measure what a chain runs.
//
// The npm packages stay imports resolved in node_modules at run time (`npm ci --omit=dev` installs
// them): better-sqlite3 is a native module, and the drivers are used as installed.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { HQ_NODE_FLAGS, hqBuildOptions } from './bundles.ts';

const source = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** `outdir`: out/hq of the checkout by default (a test builds elsewhere under out/). */
export async function buildHq(outdir = source('out/hq')): Promise<void> {
  await build({ ...hqBuildOptions(outdir), entryPoints: { main: source('hq/main.ts'), admin: source('hq/admin.ts') } });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildHq();
  console.log(`built out/hq/main.mjs and out/hq/admin.mjs: node ${HQ_NODE_FLAGS.join(' ')} out/hq/main.mjs takes the flags of npm run hq`);
}
