// The one way a test waits for something to become true: poll a condition, fail with what was
// awaited once the time is up. Conditions may be async (a desk query, an HTTP call); a condition
// is never polled twice at once, so a slow one only makes the polling slower.

/** Resolves once `pred` holds; rejects `timed out after <ms> ms waiting for <what>` after `timeoutMs`. */
export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
