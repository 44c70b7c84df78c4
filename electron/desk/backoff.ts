// Reconnect delays: exponential from minMs to maxMs with "equal jitter" — a random delay in
// [base/2, base] — so a store's desks that lost HQ together do not all come back in the same
// instant, yet no desk waits much less than the schedule says.
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 30_000 };

/** The un-jittered delay before attempt `attempt` (0-based). */
export function backoffBase(attempt: number, o: BackoffOptions): number {
  return Math.min(o.maxMs, o.minMs * 2 ** Math.min(attempt, 30));
}

/** The jittered delay: in [base/2, base]. `random` is injectable for tests. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const base = backoffBase(attempt, o);
  return Math.round(base / 2 + random() * (base / 2));
}
