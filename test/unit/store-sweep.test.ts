// The sweeps' write loop (hq/app/storeSweep.ts writeInTurns): each key's items in chunks of at most
// SWEEP_WRITES_PER_TURN, in order, the answers summed, and the event loop turning before every chunk
// but the first — what keeps a sweep with much to write from holding HQ's loop for all of it.
import { describe, expect, it } from 'vitest';
import { SWEEP_WRITES_PER_TURN, writeInTurns } from '../../hq/app/storeSweep.ts';

/** Counts turns of the event loop's check phase (setImmediate) while `run` runs. */
async function countingTurns<T>(run: (turn: () => number) => Promise<T>): Promise<T> {
  let turns = 0;
  let handle: NodeJS.Immediate;
  const tick = () => {
    turns++;
    handle = setImmediate(tick);
  };
  handle = setImmediate(tick);
  try {
    return await run(() => turns);
  } finally {
    clearImmediate(handle);
  }
}

describe('writeInTurns', () => {
  it('writes each key’s items in chunks of at most SWEEP_WRITES_PER_TURN, in order, and answers the sum', async () => {
    const many = Array.from({ length: 2 * SWEEP_WRITES_PER_TURN + 20 }, (_, i) => i);
    const calls: [string, number[]][] = [];
    const total = await writeInTurns(
      new Map([
        ['store-a', many],
        ['store-b', [7]],
        ['store-c', []],
      ]),
      async (key, items) => {
        calls.push([key, [...items]]);
        return items.length;
      },
    );
    expect(calls.map(([k, items]) => [k, items.length])).toEqual([
      ['store-a', SWEEP_WRITES_PER_TURN],
      ['store-a', SWEEP_WRITES_PER_TURN],
      ['store-a', 20],
      ['store-b', 1],
    ]);
    expect(calls.filter(([k]) => k === 'store-a').flatMap(([, items]) => items)).toEqual(many);
    expect(total).toBe(many.length + 1);
  });

  it('lets the event loop turn before every write but the first, even when the writes never wait for I/O', async () => {
    // Writes that settle without I/O, as a SQLite transaction does: only a deliberate turn lets
    // timers and sockets run between them.
    const seen = await countingTurns(async (turn) => {
      const at: number[] = [];
      await writeInTurns(new Map([['s1', [1, 2]], ['s2', [3]], ['s3', Array.from({ length: SWEEP_WRITES_PER_TURN + 1 }, (_, i) => i)]]), async (_key, items) => {
        at.push(turn());
        return items.length;
      });
      return at;
    });
    expect(seen).toHaveLength(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
  });

  it('stops at the first write that fails, and rejects with its error', async () => {
    const keys: string[] = [];
    const failing = writeInTurns(new Map([['s1', [1]], ['s2', [2]], ['s3', [3]]]), async (key) => {
      keys.push(key);
      if (key === 's2') throw new Error('database is locked');
      return 1;
    });
    await expect(failing).rejects.toThrow('database is locked');
    expect(keys).toEqual(['s1', 's2']);
  });
});
