// Statements of one transaction issued together, awaited as a set: on PostgreSQL they go out in
// one write and cost one round trip (pgStore.ts corks a turn's statements), and no failure reaches
// the caller's ROLLBACK while another statement of the set may still run.

/**
 * Both values once both have settled, or the first failure — thrown only when neither side can
 * still issue a statement. (With Promise.all a failure would reach the caller's ROLLBACK while the
 * other side might still write, after the rollback, outside the transaction.) "First" is by
 * position: `a`'s failure when both failed.
 */
export function together<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  return allSettledOrFirstFailure([a, b]) as Promise<[A, B]>;
}

/** Three statements' answers (an absent one answers undefined) once all have settled, or the first failure; see `together`. */
export function settledAll<A, B, C>(a: Promise<A>, b: Promise<B> | undefined, c: Promise<C> | undefined): Promise<[A, B | undefined, C | undefined]> {
  return allSettledOrFirstFailure([a, b, c]) as Promise<[A, B | undefined, C | undefined]>;
}

/**
 * The values of `list` (undefined for an absent entry) once every entry has settled, or the failure
 * of the first entry (by position) that failed: Promise.allSettled's wait with Promise.all's
 * answer. Written out rather than awaiting allSettled and reading its result objects: a pair of
 * settled promises took 0.22 against 0.8 µs that way, and an arrival waits on five (round 29).
 */
function allSettledOrFirstFailure(list: readonly (Promise<unknown> | undefined)[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const values: unknown[] = new Array(list.length).fill(undefined);
    let left = list.length;
    let failedAt = list.length;
    let failure: unknown;
    const settle = () => {
      if (--left > 0) return;
      if (failedAt < list.length) reject(failure);
      else resolve(values);
    };
    list.forEach((p, i) => {
      if (p === undefined) return settle();
      p.then(
        (v) => {
          values[i] = v;
          settle();
        },
        (err: unknown) => {
          if (i < failedAt) {
            failedAt = i;
            failure = err;
          }
          settle();
        },
      );
    });
  });
}
