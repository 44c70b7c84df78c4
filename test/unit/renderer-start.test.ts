// What the page loads at start builds no schema: zod stays out of the renderer's static import graph
// and out of the Electron preload's, which runs before the page at every load (shared/limits.ts says
// why; the UI bench's cold start, docs/benchmarks.md round 37). The schemas the page does use —
// settings checked when a form is sent, the visits CSV — load by dynamic import. The graph is
// esbuild's, which, like the renderer's and the preload's builds, drops type-only imports.
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = 'renderer/src/main.tsx';
const PRELOAD = 'electron/electron-main/preload.ts';

async function graph(entry = ENTRY): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    // The preload's one require is electron (scripts/build-electron.ts); the page has none.
    external: ['electron'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    splitting: true,
    outdir: 'out/renderer-start-test',
    jsx: 'automatic',
    logLevel: 'silent',
    loader: { '.css': 'empty', '.png': 'empty', '.svg': 'empty', '.wav': 'empty', '.mp3': 'empty' },
  });
  return result.metafile;
}

/** Every input reachable from the entry through the given import kinds. */
function reachable(meta: Metafile, kinds: ReadonlySet<string>, entry = ENTRY): Set<string> {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    for (const imp of meta.inputs[file]?.imports ?? []) {
      if (imp.external || !kinds.has(imp.kind) || seen.has(imp.path)) continue;
      seen.add(imp.path);
      todo.push(imp.path);
    }
  }
  return seen;
}

describe('the page at start', () => {
  it('imports no schema library: zod is reached only through dynamic imports', async () => {
    const meta = await graph();
    const atStart = reachable(meta, new Set(['import-statement']));
    const everything = reachable(meta, new Set(['import-statement', 'dynamic-import']));
    // The walk sees the page's real graph: React, the bridge client, the stores.
    expect([...atStart].some((f) => f.includes('node_modules/react-dom/'))).toBe(true);
    expect(atStart).toContain('renderer/src/api/webBridge.ts');
    expect(atStart).toContain('renderer/src/state/stores.ts');
    // What loads at start: no zod, nor a shared module that builds schemas with it.
    const zodAtStart = [...atStart].filter((f) => f.includes('node_modules/zod/'));
    expect(zodAtStart).toEqual([]);
    const schemaModules = [...atStart].filter((f) => f.startsWith('shared/') && meta.inputs[f]!.imports.some((i) => i.path.includes('node_modules/zod/')));
    expect(schemaModules).toEqual([]);
    // The forms' checks still use the schemas (the one truth for both shells): loaded when needed.
    expect([...everything].some((f) => f.includes('node_modules/zod/'))).toBe(true);
    expect(everything).toContain('shared/settings.ts');
  });

  it('the Electron preload builds no schema either: the command and event names without DeskCommands', async () => {
    const meta = await graph(PRELOAD);
    const loaded = reachable(meta, new Set(['import-statement', 'require-call']), PRELOAD);
    expect(loaded).toContain('shared/deskApiNames.ts');
    expect(loaded).toContain('electron/host/ipcChannels.ts');
    expect([...loaded].filter((f) => f.includes('node_modules/zod/'))).toEqual([]);
    expect(loaded).not.toContain('shared/deskApi.ts');
    expect(loaded).not.toContain('electron/host/ipcValidation.ts');
  });
});

describe('the plain rules the page reads agree with the schemas built on them', () => {
  it('sizes, update channels, tiers and command names', async () => {
    const { EuSize, Tier } = await import('../../shared/domain.ts');
    const { isEuSize, EU_SIZE_MAX, EU_SIZE_MIN } = await import('../../shared/limits.ts');
    const { UpdateChannel } = await import('../../shared/settings.ts');
    const { UPDATE_CHANNEL_PATTERN } = await import('../../shared/settingsRules.ts');
    const { TIERS } = await import('../../shared/tiers.ts');
    const { DeskCommands } = await import('../../shared/deskApi.ts');
    const { DESK_COMMAND_NAMES } = await import('../../shared/deskApiNames.ts');
    const sizes = [NaN, Infinity, -Infinity, EU_SIZE_MIN - 0.5, EU_SIZE_MAX + 0.5, 38.25, 38.75];
    for (let n = 10; n <= 60; n += 0.25) sizes.push(n);
    for (const n of sizes) expect(isEuSize(n), `size ${n}`).toBe(EuSize.safeParse(n).success);
    expect(sizes.filter(isEuSize).length).toBeGreaterThan(60);
    for (const c of ['stable', 'acme-stable', 'a', '-a', 'A', 'a_b', 'a'.repeat(40), 'a'.repeat(41), '', 'beta-2'])
      expect(UPDATE_CHANNEL_PATTERN.test(c), `channel ${c}`).toBe(UpdateChannel.safeParse(c).success);
    expect([...TIERS]).toEqual(Tier.options);
    expect([...DESK_COMMAND_NAMES]).toEqual(Object.keys(DeskCommands));
  });
});
