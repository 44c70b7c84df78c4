import { describe, expect, it } from 'vitest';
import { parseResultLine, summaryTable } from '../../bench/lib/results.ts';

describe('bench result lines', () => {
  it('takes the last JSON line naming a bench, ignoring logs and other JSON', () => {
    const out = ['resume: run 1 …', '{"bench":"resume","medianMs":12,"pass":true}', '{"not":"a result"}', 'trailing log', ''].join('\n');
    expect(parseResultLine(out)).toEqual({ bench: 'resume', medianMs: 12, pass: true });
  });
  it('treats a missing or non-true pass as a miss, and no line as null', () => {
    expect(parseResultLine('{"bench":"x","p50Ms":3}')?.pass).toBe(false);
    expect(parseResultLine('crashed\n{broken json')).toBeNull();
  });
  it('summarises pass, MISS and error rows with numeric figures only', () => {
    const table = summaryTable([
      { name: 'cache', result: { bench: 'cache', pass: true, searchP99Ms: 2, targets: { searchP99Ms: 5 } }, seconds: 20 },
      { name: 'fanout', result: { bench: 'fanout', pass: false, p99Ms: 60 }, seconds: 40 },
      { name: 'ui', result: null, seconds: 1 },
    ]);
    expect(table).toContain('cache      | pass   | 20s   | searchP99Ms=2');
    expect(table).toContain('fanout     | MISS');
    expect(table).toContain('ui         | error  | 1s    | no result line');
  });
});
