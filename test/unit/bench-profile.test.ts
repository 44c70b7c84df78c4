import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { allocName, type HeapNode, summarizeAllocations } from '../../bench/lib/allocSummary.ts';
import { categorize, type CpuProfile, mapToSources, summarizeProfile } from '../../bench/lib/profile.ts';
import { roundOrder, setupsFromEnv } from '../../bench/lib/setups.ts';

const f = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
const PG = 'file:///repo/node_modules/pg/lib/client.js';
const WS = 'file:///repo/node_modules/ws/lib/sender.js';
const NET = 'node:internal/stream_base_commons';

describe('bench profile categories', () => {
  it('names V8 pseudo-frames and JSON builtins by name', () => {
    expect(categorize([f('(garbage collector)')])).toBe('GC');
    expect(categorize([f('(idle)')])).toBe('idle');
    expect(categorize([f('stringify'), f('evFrameText', 'file:///repo/hq/app/eventLog.ts')])).toBe('JSON');
  });
  it('counts a native leaf for the nearest known caller, and labels plumbing with its owner', () => {
    expect(categorize([f('run'), f('insert', 'file:///repo/hq/adapters/sqlite/sqliteStorage.ts')])).toBe('SQLite');
    expect(categorize([f('writev'), f('writevGeneric', NET), f('sendFrame', WS)])).toBe('socket I/O (node net) ← ws (WebSocket)');
    expect(categorize([f('writev'), f('writevGeneric', NET), f('query', PG)])).toBe('socket I/O (node net) ← pg driver');
    expect(categorize([f('processTicksAndRejections', 'node:internal/process/task_queues')])).toBe('node timers/promises');
  });
});

describe('bench profile summary', () => {
  // root → a (pg) → b (writev); samples every 1,000 µs from t=1,000.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: f('(root)'), children: [2, 4] },
      { id: 2, callFrame: f('query', PG, 667), children: [3] },
      { id: 3, callFrame: f('writev'), children: [] },
      { id: 4, callFrame: f('(idle)'), children: [] },
    ],
    startTime: 0,
    endTime: 6000,
    samples: [2, 3, 3, 4, 2, 2],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
  };
  it('sums self time by category and function over the samples in the windows', () => {
    const all = summarizeProfile(profile);
    // The last sample has no successor, so it carries no time.
    expect(all.totalUs).toBe(5000);
    expect(all.busyUs).toBe(4000);
    expect(all.categories).toEqual([
      ['pg driver', 4000],
      ['idle', 1000],
    ]);
    expect(all.functions[0]).toEqual(['query node_modules/pg/lib/client.js:668', 2000]);
    expect(all.functions[1]).toEqual(['writev ← query node_modules/pg/lib/client.js:668', 2000]);
    const windowed = summarizeProfile(profile, [[2000, 3000]]);
    expect(windowed.totalUs).toBe(2000);
    expect(windowed.functions).toEqual([['writev ← query node_modules/pg/lib/client.js:668', 2000]]);
  });
});

describe('bench profile: the longest busy stretch', () => {
  const node = (id: number, name: string, url = '') => ({ id, callFrame: f(name, url), children: [] as number[] });
  const HUB = 'file:///repo/hq/edge/ws/deskHub.ts';
  // Samples every 1,000 µs: busy 2 (a), idle, busy 3 (b, b, a), then a 9,000 µs gap after a busy
  // sample (the thread was not running), busy 1, idle.
  const profile: CpuProfile = {
    nodes: [{ id: 1, callFrame: f('(root)'), children: [2, 3, 4, 5] }, node(2, 'a', HUB), node(3, 'b', HUB), node(4, '(idle)'), node(5, '(garbage collector)')],
    startTime: 0,
    endTime: 20_000,
    samples: [2, 2, 4, 3, 3, 2, 2, 2, 4, 4],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 9000, 1000, 1000],
  };
  // The same, with a GC sample in the middle of the three-sample stretch.
  const withGc: CpuProfile = { ...profile, samples: [2, 2, 4, 3, 5, 2, 2, 2, 4, 4] };
  it('is the longest run of busy samples, a gap between samples ending it and counted apart', () => {
    const s = summarizeProfile(profile);
    expect(s.longestBusy.us).toBe(3000);
    expect(s.longestBusy.atUs).toBe(4000);
    expect(s.longestBusy.functions).toEqual([
      ['b hq/edge/ws/deskHub.ts:1', 2000],
      ['a hq/edge/ws/deskHub.ts:1', 1000],
    ]);
    expect(s.longestGapUs).toBe(9000);
    expect(s.longestBusyWithoutGc).toEqual(s.longestBusy);
  });
  it('without GC: a collection ends the stretch of the code', () => {
    const s = summarizeProfile(withGc);
    expect(s.longestBusy.us).toBe(3000);
    expect(s.longestBusyWithoutGc).toEqual({ us: 2000, atUs: 1000, functions: [['a hq/edge/ws/deskHub.ts:1', 2000]] });
  });
  it('does not run across two windows, nor count a gap outside them', () => {
    const s = summarizeProfile(profile, [
      [4000, 5000],
      [6000, 6500],
    ]);
    expect(s.longestBusy).toEqual({ us: 2000, atUs: 4000, functions: [['b hq/edge/ws/deskHub.ts:1', 2000]] });
    expect(s.longestGapUs).toBe(0);
    expect(summarizeProfile(profile, [[6000, 7000]]).longestGapUs).toBe(9000);
  });
});

describe('bench set-ups', () => {
  it('parses BENCH_SETUPS in canonical order and refuses unknown names', () => {
    expect(setupsFromEnv(undefined)).toEqual(['sqlite', 'pg1', 'pg2']);
    expect(setupsFromEnv('pg2, sqlite')).toEqual(['sqlite', 'pg2']);
    expect(() => setupsFromEnv('pg3')).toThrow(/pg3/);
  });
  it('alternates the measurement order between rounds', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
  });
});

describe('bench allocation summary', () => {
  const node = (name: string, url: string, selfSize: number, children: HeapNode[] = []): HeapNode => ({ callFrame: f(name, url), selfSize, children });
  const ARR = 'file:///repo/hq/app/arrivals.ts';
  // root → arriveIn (100) → stringify (native, 50); arriveIn → arriveIn again (recursion, 30) → query (pg, 20)
  const window1 = node('(root)', '', 0, [node('arriveIn', ARR, 100, [node('stringify', '', 50), node('arriveIn', ARR, 30, [node('query', PG, 20)])])]);
  const window2 = node('(root)', '', 0, [node('query', PG, 5)]);

  it('sums self bytes by function over the windows, and inclusive bytes counting a recursion once', () => {
    const s = summarizeAllocations([window1, window2]);
    expect(s.total).toBe(205);
    expect(s.self.get('arriveIn hq/app/arrivals.ts')).toBe(130);
    expect(s.self.get('query node_modules/pg/lib/client.js')).toBe(25);
    expect(s.self.get('stringify (native)')).toBe(50);
    expect(s.inclusive.get('arriveIn hq/app/arrivals.ts')).toBe(200);
    expect(s.inclusive.get('(root) (native)')).toBe(205);
  });

  it('names a function by its file inside the project or its package', () => {
    expect(allocName(f('deliver', 'file:///work/main/hq/edge/ws/deskHub.ts'))).toBe('deliver hq/edge/ws/deskHub.ts');
    expect(allocName(f('', 'file:///x/node_modules/ws/lib/sender.js'))).toBe('(anonymous) node_modules/ws/lib/sender.js');
    expect(allocName(f('writeOrBuffer', 'node:internal/streams/writable'))).toBe('writeOrBuffer node:internal/streams/writable');
  });
});

describe('bench profile of a bundle', () => {
  it('names each frame of a bundled module by its source file and line, through the source map', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-profile-map-'));
    try {
      writeFileSync(join(dir, 'a.ts'), 'export const pad = 1;\n\nexport function alpha(n: number): number {\n  return n * 2 + pad;\n}\n');
      writeFileSync(join(dir, 'main.ts'), "import { alpha } from './a.ts';\nconsole.log(alpha(2));\n");
      await build({ entryPoints: [join(dir, 'main.ts')], bundle: true, format: 'esm', platform: 'node', outfile: join(dir, 'out', 'main.mjs'), sourcemap: 'linked', logLevel: 'silent' });
      const out = join(dir, 'out', 'main.mjs');
      const lines = readFileSync(out, 'utf8').split('\n');
      const line = lines.findIndex((l) => l.includes('function alpha'));
      expect(line).toBeGreaterThan(-1);
      const url = pathToFileURL(out).href;
      const bundled: CpuProfile = {
        nodes: [
          { id: 1, callFrame: f('(root)'), children: [2, 3] },
          { id: 2, callFrame: { functionName: 'alpha', url, lineNumber: line, columnNumber: lines[line]!.indexOf('function alpha') }, children: [] },
          { id: 3, callFrame: f('writev'), children: [] },
        ],
        startTime: 0,
        endTime: 2000,
        samples: [2, 3],
        timeDeltas: [1000, 1000],
      };
      const mapped = mapToSources(bundled, (u) => (u === url ? JSON.parse(readFileSync(`${out}.map`, 'utf8')) : null));
      expect(mapped.nodes[1]!.callFrame).toMatchObject({ functionName: 'alpha', url: pathToFileURL(join(dir, 'a.ts')).href, lineNumber: 2 });
      // No map, or no file: as it was.
      expect(mapped.nodes[2]!.callFrame).toEqual(bundled.nodes[2]!.callFrame);
      expect(mapToSources(bundled, () => null).nodes[1]!.callFrame.url).toBe(url);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
