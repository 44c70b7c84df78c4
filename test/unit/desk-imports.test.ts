// The desk core's modules never import each other in a circle (results go down as values, events
// come up through callbacks made in wiring.ts), and only the façade reaches the wiring. Every
// relative import counts, `import type` included: a type-only circle is still a circle of meaning.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('electron/desk');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Files of electron/desk that `file` imports (relative imports only; packages and shared/ are outside). */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (target.startsWith(ROOT + sep)) out.push(target);
  }
  return out;
}

/** One import circle, as a list of files (first = last), or null. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const graph = new Map(sources(ROOT).map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
const rel = (f: string) => relative(ROOT, f);

describe('electron/desk imports', () => {
  it('finds the modules and their imports', () => {
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get(join(ROOT, 'deskCore.ts'))?.map(rel)).toContain('wiring.ts');
  });

  it('has no import circle', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map(rel).join(' → ') ?? null).toBeNull();
  });

  it('keeps the façade on top: no module imports deskCore.ts, and only the façade imports wiring.ts', () => {
    const importers = (name: string) => [...graph].filter(([, to]) => to.includes(join(ROOT, name))).map(([f]) => rel(f));
    expect(importers('deskCore.ts')).toEqual([]);
    expect(importers('wiring.ts')).toEqual(['deskCore.ts']);
  });

  it('the cycle check itself finds a circle, type-only and multi-line imports included', () => {
    const a = join(ROOT, 'a.ts');
    const b = join(ROOT, 'sub/b.ts');
    const c = join(ROOT, 'c.ts');
    expect(importsOf(a, "import type {\n  B,\n} from './sub/b.ts';\nimport x from 'zod';")).toEqual([b]);
    expect(importsOf(b, "export { c } from '../c.ts';")).toEqual([c]);
    const g = new Map([
      [a, [b]],
      [b, [c]],
      [c, [a]],
    ]);
    expect(findCycle(g)?.map(rel)).toEqual(['a.ts', 'sub/b.ts', 'c.ts', 'a.ts']);
    expect(findCycle(new Map([[a, [b]], [b, [c]], [c, []]]))).toBeNull();
  });
});
