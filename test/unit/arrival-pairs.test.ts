import { describe, expect, it } from 'vitest';
import { together } from '../../hq/app/together.ts';

// applyArrival issues pairs of statements together; a failure of one side must not reach the
// caller (and its ROLLBACK) while the other side can still issue a write.
describe('together', () => {
  it('gives both values in order', async () => {
    expect(await together(Promise.resolve(1), new Promise<string>((r) => setTimeout(() => r('b'), 5)))).toEqual([1, 'b']);
  });

  it('throws the first failure only after the other side has settled', async () => {
    const log: string[] = [];
    const failing = Promise.reject(new Error('profile failed'));
    const slow = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      log.push('other side wrote'); // e.g. putExpected, issued after its read answered
    })();
    await expect(together(failing, slow).finally(() => log.push('caller saw the error'))).rejects.toThrow('profile failed');
    expect(log).toEqual(['other side wrote', 'caller saw the error']);
  });

  it('throws the second side’s failure when only it fails, after the first settled', async () => {
    const log: string[] = [];
    const slow = new Promise<number>((r) => setTimeout(() => (log.push('first settled'), r(1)), 20));
    await expect(together(slow, Promise.reject(new Error('event append failed'))).finally(() => log.push('thrown'))).rejects.toThrow('event append failed');
    expect(log).toEqual(['first settled', 'thrown']);
  });

  it('throws the first side’s failure when both fail, whichever failed first', async () => {
    const late = new Promise<number>((_, reject) => setTimeout(() => reject(new Error('first side failed')), 20));
    await expect(together(late, Promise.reject(new Error('second side failed')))).rejects.toThrow('first side failed');
  });
});
