// The viewer page's lottery check (hq/member-page/live-draw.js, plain browser JavaScript with WebCrypto),
// run in a vm context as a browser runs it: it must pick exactly the winners `drawWinners` of
// shared/live.ts picks (the same order, duplicates dropped), recompute the eligible list's digest as
// HQ records it, and say "no match" when anything of an audit was changed after the draw.
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { drawWinners, LOTTERY_ALGORITHM, type LotteryAudit } from '../../shared/live.ts';

interface Check {
  ok: boolean;
  digestOk: boolean;
  countOk: boolean;
  winnersOk: boolean;
  algorithmOk: boolean;
  expected: string[];
}
interface LiveDraw {
  sha256Hex(s: string): Promise<string>;
  drawWinners(seed: string, refs: readonly string[], wanted: number): Promise<string[]>;
  eligibleDigest(refs: readonly string[]): Promise<string>;
  checkAudit(audit: LotteryAudit): Promise<Check>;
}

const source = readFileSync(new URL('../../hq/member-page/live-draw.js', import.meta.url), 'utf8');
function loadDraw(): LiveDraw {
  // What a browser page has: window, crypto.subtle, TextEncoder; nothing of Node.
  const sandbox: { window: { FootfallLiveDraw?: LiveDraw }; crypto: typeof webcrypto; TextEncoder: typeof TextEncoder } = { window: {}, crypto: webcrypto, TextEncoder };
  runInNewContext(source, sandbox);
  return sandbox.window.FootfallLiveDraw!;
}
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const ref = () => randomBytes(8).toString('hex');

function audit(refs: string[], wanted: number): LotteryAudit {
  const seed = randomBytes(32).toString('hex');
  const winners = drawWinners(seed, refs, wanted, sha256);
  return {
    lottery: {
      id: 'lot-1',
      roomId: 'room-1',
      prize: '限量鞋带',
      eligibility: 'commented',
      pollId: null,
      winnersWanted: wanted,
      eligibleCount: refs.length,
      eligibleDigest: sha256([...refs].sort().join('\n')),
      seed,
      algorithm: LOTTERY_ALGORITHM,
      winners: winners.map((r) => ({ ref: r, nickname: `鞋友${r.slice(0, 4)}` })),
      drawnAt: 1_700_000_000_000,
    },
    eligible: refs.map((r) => ({ ref: r, nickname: `鞋友${r.slice(0, 4)}` })),
  };
}

describe('live-draw.js (the browser lottery check)', () => {
  const draw = loadDraw();

  it('hashes as SHA-256 of the UTF-8 bytes, lowercase hex', async () => {
    expect(await draw.sha256Hex('seed:ref·鞋')).toBe(sha256('seed:ref·鞋'));
    expect(await draw.sha256Hex('')).toBe(sha256(''));
  });

  it('draws exactly what shared/live.ts drawWinners draws, for many lists and sizes', async () => {
    for (let round = 0; round < 40; round++) {
      const n = round % 10 === 0 ? 0 : 1 + ((round * 37) % 120);
      const refs = Array.from({ length: n }, ref);
      if (n > 3) refs.push(refs[1]!, refs[2]!); // duplicates are dropped by both
      const seed = randomBytes(32).toString('hex');
      const wanted = 1 + (round % 7);
      expect(await draw.drawWinners(seed, refs, wanted)).toEqual(drawWinners(seed, refs, wanted, sha256));
    }
  });

  it('says an honest audit matches', async () => {
    const a = audit(Array.from({ length: 57 }, ref), 3);
    const r = await draw.checkAudit(a);
    expect(r).toMatchObject({ ok: true, digestOk: true, countOk: true, winnersOk: true, algorithmOk: true });
    expect(r.expected).toEqual(a.lottery.winners.map((w) => w.ref));
    // No winners when nobody was eligible: still a match.
    expect((await draw.checkAudit(audit([], 2))).ok).toBe(true);
  });

  it('catches winners, a list, a count or a seed changed after the draw', async () => {
    const base = audit(Array.from({ length: 30 }, ref), 2);
    const loser = base.eligible.find((e) => !base.lottery.winners.some((w) => w.ref === e.ref))!.ref;

    const swapped = structuredClone(base);
    swapped.lottery.winners[0] = { ref: loser, nickname: 'x' };
    expect(await draw.checkAudit(swapped)).toMatchObject({ ok: false, winnersOk: false, digestOk: true });

    const reordered = structuredClone(base);
    reordered.lottery.winners.reverse();
    expect((await draw.checkAudit(reordered)).ok).toBe(false);

    const listChanged = structuredClone(base);
    listChanged.eligible.push({ ref: ref(), nickname: 'late' });
    expect(await draw.checkAudit(listChanged)).toMatchObject({ ok: false, digestOk: false, countOk: false });

    const seedChanged = structuredClone(base);
    seedChanged.lottery.seed = randomBytes(32).toString('hex');
    expect(await draw.checkAudit(seedChanged)).toMatchObject({ ok: false, winnersOk: false });

    const otherAlgorithm = structuredClone(base) as unknown as { lottery: { algorithm: string } };
    otherAlgorithm.lottery.algorithm = 'sha256-rank-v2';
    expect((await draw.checkAudit(otherAlgorithm as unknown as LotteryAudit)).ok).toBe(false);
  });
});
