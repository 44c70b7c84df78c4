// HQ's Node flags (hq/nodeFlags.ts): what `npm run hq` passes, and that this Node takes them and
// gives HQ a young generation larger than V8's default.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HQ_NODE_FLAGS, missingNodeFlags } from '../../hq/nodeFlags.ts';

/**
 * V8's heap limit (MiB) in a Node process started with `flags`: the old generation's limit plus the
 * young generation's (three semi-spaces), so a larger semi-space shows as a larger limit.
 */
function heapLimitMib(flags: readonly string[]): number {
  const script = "console.log(require('node:v8').getHeapStatistics().heap_size_limit / 1048576)";
  const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe("HQ's Node flags", () => {
  it('are passed by `npm run hq`, before the entry point', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const words = pkg.scripts.hq!.split(/\s+/);
    const entry = words.indexOf('hq/main.ts');
    expect(words[0]).toBe('tsx');
    expect(entry).toBeGreaterThan(0);
    for (const flag of HQ_NODE_FLAGS) expect(words.slice(1, entry)).toContain(flag);
  });

  it('are taken by this Node, and give a young generation larger than the default', () => {
    // 16 MiB is V8's default semi-space on 64-bit; each MiB more adds three to the limit.
    const semi = Number(HQ_NODE_FLAGS.find((f) => f.startsWith('--max-semi-space-size='))?.split('=')[1]);
    expect(semi).toBeGreaterThan(16);
    expect(heapLimitMib(HQ_NODE_FLAGS) - heapLimitMib([])).toBe(3 * (semi - 16));
  });

  it('names the flags a process lacks, by name whatever its value', () => {
    expect(missingNodeFlags([])).toEqual([...HQ_NODE_FLAGS]);
    expect(missingNodeFlags(['--import', 'tsx', ...HQ_NODE_FLAGS])).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size=64'])).toEqual([]);
    expect(missingNodeFlags(['--max-old-space-size=32'])).toEqual([...HQ_NODE_FLAGS]);
  });
});
