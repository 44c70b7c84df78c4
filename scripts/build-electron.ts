// Bundle the Electron main process and preload to out/electron/*.cjs.
// CJS because Electron's main and sandboxed preload load CommonJS most simply; `electron` is
// provided by the runtime and better-sqlite3 is a native module that must stay a real require.
// esbuild is the one Vite's toolchain (and tsx) already ship, so no new dependency.
import { build, type BuildOptions } from 'esbuild';

const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  outdir: 'out/electron',
  outExtension: { '.js': '.cjs' },
  external: ['electron', 'better-sqlite3'],
  sourcemap: 'linked',
  logLevel: 'info',
};

await build({ ...common, entryPoints: { main: 'electron/shell/main.ts' }, platform: 'node', target: 'node20' });
// The preload runs sandboxed: only `electron` can be required there, so everything else
// (the allowlists, zod) is inlined and no Node built-in may sneak in.
await build({ ...common, entryPoints: { preload: 'electron/shell/preload.ts' }, platform: 'browser', target: 'chrome120', minify: true });
