import { describe, expect, it } from 'vitest';
import { hqNodeFlags } from '../../bench/lib/proc.ts';

describe("HQ's Node flags in a bench (BENCH_HQ_NODE_FLAGS, BENCH_BASELINE_HQ_NODE_FLAGS)", () => {
  it('splits the words, ignoring extra spaces; none when unset or empty', () => {
    expect(hqNodeFlags('--trace-gc  --max-semi-space-size=32 ')).toEqual(['--trace-gc', '--max-semi-space-size=32']);
    expect(hqNodeFlags(undefined)).toEqual([]);
    expect(hqNodeFlags('  ')).toEqual([]);
  });
  it('refuses a word that is not a --flag (a script, an option for the bench)', () => {
    expect(() => hqNodeFlags('--no-memory-reducer evil.js')).toThrow(/not a --flag: evil\.js/);
    expect(() => hqNodeFlags('-e')).toThrow(/not a --flag/);
  });
});
