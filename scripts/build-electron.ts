// Bundle the Electron main process and preload to out/electron/*.cjs.
// CJS because Electron's main and sandboxed preload load CommonJS most simply; `electron` is
// provided by the runtime and better-sqlite3 is a native module that must stay a real require.
// esbuild is the one Vite's toolchain (and tsx) already ship, so no new dependency.
// Note: better-sqlite3 must be rebuilt for Electron's ABI before the packaged app can load it
// (electron-builder's install-app-deps / @electron/rebuild), where the network allows.
import { copyFileSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { sourceUrlPlugin } from './bundles.ts';

const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  outdir: 'out/electron',
  outExtension: { '.js': '.cjs' },
  external: ['electron', 'better-sqlite3'],
  sourcemap: 'linked',
  logLevel: 'warning',
};

export async function buildElectron(): Promise<void> {
  // The main process keeps each module's own `import.meta.url` (bundles.ts): the cache's checkpoint
  // thread resolves the SQLite driver from its module's place, as under tsx.
  await build({ ...common, entryPoints: { main: 'electron/electron-main/main.ts' }, platform: 'node', target: 'node20', plugins: [sourceUrlPlugin('out/electron', 'cjs')] });
  // The preload runs sandboxed: only `electron` can be required there, so everything else
  // (the names and channels; no schema: test/unit/renderer-start.test.ts) is inlined and no Node
  // built-in may sneak in.
  await build({ ...common, entryPoints: { preload: 'electron/electron-main/preload.ts' }, platform: 'browser', target: 'chrome120', minify: true });
  // The window and tray icons main.ts loads from next to itself (drawn by `npm run assets`).
  mkdirSync('out/electron/icons', { recursive: true });
  for (const icon of ['icon.png', 'tray.png', 'trayTemplate.png']) copyFileSync(`build/icons/${icon}`, `out/electron/icons/${icon}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildElectron();
  console.log('built out/electron/main.cjs and out/electron/preload.cjs');
}
