// When a clerk acted, as HQ records it. A desk stamps each command with its own clock when the
// clerk acts (`cmd.at`), possibly hours before the command reaches HQ; HQ learns the desk's clock
// offset from `hello.clock` and records the corrected time, bounded to what can be true.
//
// Invariant: the recorded time is never before `floor` (the visit's arrival, or its claim for a
// close) and never after HQ's `now`, whatever the desk sends — a wrong or hostile clock can move a
// time only inside that window.

/** A desk connection's clock: HQ's now minus the desk's clock, learned at hello (0 when unknown). */
export interface DeskClock {
  offsetMs: number;
}

/** The offset of a desk whose hello carried `deskClock`, seen by HQ at `hqNow`. */
export function clockOffset(deskClock: number | undefined, hqNow: number): number {
  return deskClock === undefined ? 0 : hqNow - deskClock;
}

/**
 * The action time HQ records: the desk's `at` corrected by the offset and bounded to
 * [floor, now]; without `at` (an older desk), `now`.
 */
export function boundedActionTime(at: number | undefined, offsetMs: number, now: number, floor: number): number {
  if (at === undefined) return now;
  return Math.min(now, Math.max(floor, at + offsetMs));
}
