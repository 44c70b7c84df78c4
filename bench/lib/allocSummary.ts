// The allocation profiles of bench/allocProfile.ts, summed: V8's sampling heap profile is a call tree
// whose nodes carry the bytes sampled as allocated by that function at that stack (`selfSize`).

export interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export interface AllocSummary {
  /** Bytes sampled in all. */
  total: number;
  /** By function: bytes it allocated itself. */
  self: Map<string, number>;
  /** By function: bytes allocated by it and everything it called (a recursive call counted once). */
  inclusive: Map<string, number>;
}

/** A function by name and file (line numbers under tsx are those of its transpiled output, so none). */
export const allocName = (f: HeapNode['callFrame']): string =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|hq|shared|bench|electron)\//, '$1/') || '(native)'}`;

function add(into: Map<string, number>, key: string, n: number): void {
  into.set(key, (into.get(key) ?? 0) + n);
}

/** Self and inclusive bytes by function over several profiles (the windows of one set-up). */
export function summarizeAllocations(heads: readonly HeapNode[]): AllocSummary {
  const out: AllocSummary = { total: 0, self: new Map(), inclusive: new Map() };
  const walk = (n: HeapNode, onStack: ReadonlySet<string>): number => {
    const key = allocName(n.callFrame);
    add(out.self, key, n.selfSize);
    out.total += n.selfSize;
    const inner = new Set(onStack).add(key);
    let sum = n.selfSize;
    for (const c of n.children) sum += walk(c, inner);
    if (!onStack.has(key)) add(out.inclusive, key, sum);
    return sum;
  };
  for (const head of heads) walk(head, new Set());
  return out;
}
