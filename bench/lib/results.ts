// Reading bench output: every bench ends with one JSON line `{"bench": …, "pass": …}`.

export interface BenchResult {
  bench: string;
  pass: boolean;
  targets?: Record<string, unknown>;
  [metric: string]: unknown;
}

/** The last line of `output` that is a JSON object with a `bench` name, or null. */
export function parseResultLine(output: string): BenchResult | null {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && typeof (v as BenchResult).bench === 'string') return { ...(v as BenchResult), pass: (v as BenchResult).pass === true };
    } catch {
      /* not a result line */
    }
  }
  return null;
}

/** The summary table: one row per bench, its headline figures and pass/miss. */
export function summaryTable(rows: { name: string; result: BenchResult | null; seconds: number }[]): string {
  const fmt = (r: BenchResult | null) => {
    if (!r) return 'no result line';
    return Object.entries(r)
      .filter(([k, v]) => !['bench', 'pass', 'targets', 'searchByKind'].includes(k) && typeof v === 'number')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  };
  const out = ['bench      | result | time  | figures', '-----------|--------|-------|--------'];
  for (const { name, result, seconds } of rows) {
    out.push(`${name.padEnd(10)} | ${(result ? (result.pass ? 'pass' : 'MISS') : 'error').padEnd(6)} | ${`${Math.round(seconds)}s`.padEnd(5)} | ${fmt(result)}`);
  }
  return out.join('\n');
}
