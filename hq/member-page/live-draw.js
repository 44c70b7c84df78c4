// Footfall live rooms (6/8): the lottery check, run in the viewer's browser. Anyone can recompute a
// draw from its public audit (GET /v1/live/rooms/{id}/lotteries/{lotteryId}/audit) without trusting
// HQ's word: this file is the browser twin of `drawWinners` in shared/live.ts (algorithm
// 'sha256-rank-v1'), written against WebCrypto so no build step is needed.
//
// The algorithm (it must stay identical to shared/live.ts; test/unit/live-draw.test.ts runs both
// on the same inputs):
//   1. The eligible list is the audit's references, duplicates dropped (first occurrence kept).
//   2. Each reference gets the rank SHA-256(seed + ':' + ref), as lowercase hex of the UTF-8 bytes.
//   3. References are sorted by rank ascending (plain string order of the hex), ties by reference.
//   4. The first `winnersWanted` are the winners, in that order.
// Besides the draw, the check recomputes the list's fingerprint: SHA-256 (hex) of the references
// sorted in string order and joined by '\n', which HQ published with the draw (`eligibleDigest`),
// so a list changed after the draw is caught too.
/* global window, crypto, TextEncoder */
'use strict';

(function (root) {
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

  /** SHA-256 of a string's UTF-8 bytes, lowercase hex. */
  async function sha256Hex(s) {
    return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  }

  /** The draw: the same steps as shared/live.ts `drawWinners`, with an async hash. */
  async function drawWinners(seed, refs, wanted) {
    const unique = [...new Set(refs)];
    const ranked = await Promise.all(unique.map(async (ref) => ({ ref, rank: await sha256Hex(`${seed}:${ref}`) })));
    ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.ref < b.ref ? -1 : 1));
    return ranked.slice(0, wanted).map((r) => r.ref);
  }

  /** The list's fingerprint as HQ records it: SHA-256 of the sorted references joined by '\n'. */
  function eligibleDigest(refs) {
    return sha256Hex([...refs].sort().join('\n'));
  }

  /**
   * Checks an audit (LotteryAudit): { ok, digestOk, countOk, winnersOk, expected: [refs], published: [refs] }.
   * `ok` only when the algorithm is the known one and the list, its size and the winners all agree.
   */
  async function checkAudit(audit) {
    const l = audit.lottery;
    const refs = audit.eligible.map((e) => e.ref);
    const algorithmOk = l.algorithm === 'sha256-rank-v1';
    const digestOk = (await eligibleDigest(refs)) === l.eligibleDigest;
    const countOk = refs.length === l.eligibleCount;
    const expected = await drawWinners(l.seed, refs, l.winnersWanted);
    const published = l.winners.map((w) => w.ref);
    const winnersOk = expected.length === published.length && expected.every((r, i) => r === published[i]);
    return { ok: algorithmOk && digestOk && countOk && winnersOk, algorithmOk, digestOk, countOk, winnersOk, expected, published };
  }

  root.FootfallLiveDraw = { sha256Hex, drawWinners, eligibleDigest, checkAudit };
})(typeof window !== 'undefined' ? window : globalThis);
