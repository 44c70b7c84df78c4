// Small statistics helpers for benchmarks: medians and tails, never means alone,
// because these machines are noisy.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1] ?? NaN),
  };
}

/** The final line every benchmark prints: one JSON object, `bench` first. */
export function printResult(bench: string, metrics: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, ...metrics }));
}

export function fmtMs(x: number): string {
  return `${x.toFixed(2)} ms`;
}
