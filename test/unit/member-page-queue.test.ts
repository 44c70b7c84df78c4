// The member page's unsent-message queue (hq/member-page/queue.js, plain browser JavaScript), run in a
// vm context the way a browser runs it: kept per store + member, in send order, garbage skipped,
// settled by HQ's confirmed messages, and a storage that refuses writes does not break the page.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

interface Entry {
  text?: string;
  imageId?: string;
  at: number;
  failed?: boolean;
}
interface Outbox {
  key(storeId: string, memberId: string): string;
  load(storage: Storage, storeId: string, memberId: string): [string, Entry][];
  save(storage: Storage, storeId: string, memberId: string, pending: Map<string, Entry>): boolean;
  settle(pending: Map<string, Entry>, confirmed: { from: string; clientId: string }[]): boolean;
}

const source = readFileSync(new URL('../../hq/member-page/queue.js', import.meta.url), 'utf8');
function loadOutbox(): Outbox {
  const sandbox: { FootfallOutbox?: Outbox } = {};
  runInNewContext(source, sandbox);
  return sandbox.FootfallOutbox!;
}

class MemoryStorage {
  readonly items = new Map<string, string>();
  full = false;
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.full) throw new Error('QuotaExceededError');
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

describe('member page outbox (queue.js)', () => {
  const q = loadOutbox();
  const storage = () => new MemoryStorage() as MemoryStorage & Storage;

  it('survives a reload: same clientIds, in send order, per store and member', () => {
    const s = storage();
    const pending = new Map<string, Entry>([
      ['client-0001', { text: '你好', at: 1 }],
      ['client-0002', { imageId: 'img-1', at: 2 }],
      ['client-0003', { text: 'rejected one', at: 3, failed: true }],
    ]);
    expect(q.save(s, 'store-a', 'm1', pending)).toBe(true);
    expect(q.load(s, 'store-a', 'm1')).toEqual([
      ['client-0001', { text: '你好', at: 1, failed: false }],
      ['client-0002', { imageId: 'img-1', at: 2, failed: false }],
      ['client-0003', { text: 'rejected one', at: 3, failed: true }],
    ]);
    expect(q.load(s, 'store-a', 'm2')).toEqual([]);
    expect(q.load(s, 'store-b', 'm1')).toEqual([]);
    expect([...s.items.keys()]).toEqual([q.key('store-a', 'm1')]);
  });

  it('settles what HQ confirmed, and removes the key once nothing is left', () => {
    const s = storage();
    const pending = new Map<string, Entry>([
      ['client-0001', { text: 'a', at: 1 }],
      ['client-0002', { text: 'b', at: 2 }],
    ]);
    q.save(s, 'store-a', 'm1', pending);
    expect(q.settle(pending, [{ from: 'clerk', clientId: 'client-0001' }])).toBe(false); // a clerk's clientId is another space
    expect(q.settle(pending, [{ from: 'member', clientId: 'client-0001' }])).toBe(true);
    q.save(s, 'store-a', 'm1', pending);
    expect(q.load(s, 'store-a', 'm1').map(([id]) => id)).toEqual(['client-0002']);
    pending.clear();
    q.save(s, 'store-a', 'm1', pending);
    expect(s.items.size).toBe(0);
  });

  it('skips garbage and never throws on a broken or full storage', () => {
    const s = storage();
    s.items.set(q.key('store-a', 'm1'), '{not json');
    expect(q.load(s, 'store-a', 'm1')).toEqual([]);
    s.items.set(q.key('store-a', 'm1'), JSON.stringify([['short', { text: 'x', at: 1 }], ['client-0001', { at: 1 }], ['client-0002', { text: 'ok', at: 2 }], ['client-0002', { text: 'dup', at: 3 }], 'x']));
    expect(q.load(s, 'store-a', 'm1')).toEqual([['client-0002', { text: 'ok', at: 2, failed: false }]]);
    s.full = true;
    expect(q.save(s, 'store-a', 'm1', new Map([['client-0003', { text: 'y', at: 4 }]]))).toBe(false);
  });
});
