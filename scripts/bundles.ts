// How the project's Node programs are bundled with esbuild (scripts/build-hq.ts, the benches' child
// processes in bench/lib/proc.ts): HQ's build options, and a plugin that keeps `import.meta.url`
// each module's own.
//
// sourceUrlPlugin: in each of the project's own modules `import.meta.url` stays the URL of that
// module's source file, as when it runs unbundled (tsx, vitest). Why: in a bundle every module
// shares the bundle's URL, so a path made relative to a source file — HQ's member page next to
// `hq/edge/http/chatRoutes.ts`, the SQLite driver a checkpoint thread resolves from
// `walCheckpointer.ts` — would point somewhere else. The URL is found at run time relative to the
// bundle's own, not written in as an absolute path: a checkout moved together with its `out/`
// folder keeps working. Modules under node_modules are left alone, and so is the expression where
// it stands inside quotes (this file's own strings).
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * Node flags HQ runs with in production (`node --no-memory-reducer out/hq/main.mjs`, README) and
 * in every bench. V8's memory reducer: when a node goes quiet after a busy spell it runs up to three
 * mark-compacts in its "reduce memory" mode, which evacuates every fragmented page — with 10,000
 * desks' sockets in the heap their pauses were 9–128 ms (most over 30), where a regular
 * mark-compact's were 5–34 ms but for one of 61, and every major-GC stall over 20 ms in an idle
 * window of round 39's traced runs was one of them (docs/benchmarks.md). Without it the heap is
 * collected as it grows, as under load, and stays larger between collections: V8's heap held
 * 208–440 MB at the end of three long peers runs without the reducer, 175–240 with it; the peak RSS
 * at 10,000 desks under load read 400–458 MiB without it, 339–507 with it (the target is 600). Only
 * the command line can set it: V8 makes its reducer when the heap is set up, so
 * v8.setFlagsFromString at start would come too late.
 */
export const HQ_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];

/** `import.meta.url` as an expression: not right after a quote or part of a longer name. */
const META_URL_SOURCE = String.raw`(?<!['"\w.$])import\.meta\.url(?![\w$'"])`;
const META_URL = new RegExp(META_URL_SOURCE);
const META_URL_ALL = new RegExp(META_URL_SOURCE, 'g');

/**
 * `outdir`: where the bundle is written (its URL is the base); `format`: the bundle's — CommonJS has
 * no `import.meta`, so there the base is the bundle file's own path.
 */
export function sourceUrlPlugin(outdir: string, format: 'esm' | 'cjs'): Plugin {
  const base = format === 'esm' ? 'import.meta.url' : 'require("node:url").pathToFileURL(__filename).href';
  const out = resolve(outdir);
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!META_URL.test(text)) return undefined;
        const fromOut = relative(out, args.path).split(sep).join('/');
        return { contents: text.replace(META_URL_ALL, `new URL(${JSON.stringify(fromOut)}, ${base}).href`), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/**
 * The options HQ is bundled with (scripts/build-hq.ts, and the benches' HQ processes): an ES module
 * per entry, the npm packages left as imports resolved in node_modules at run time.
 */
export function hqBuildOptions(outdir: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir,
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    sourcemap: 'linked',
    plugins: [sourceUrlPlugin(outdir, 'esm')],
    logLevel: 'warning',
  };
}
