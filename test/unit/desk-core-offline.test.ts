// DeskCore without HQ: usable at once from the cache, actions queue as pending and survive a
// reopen, arguments are validated with the shared DeskCommands schemas.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskError, type DeskEvents } from '../../shared/deskApi.ts';
import { openCache } from '../../electron/desk/cache/db.ts';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { applySnapshot } from '../../electron/desk/sync.ts';
import { member, profile, visit } from '../support/builders.ts';

let dir: string;
let dbPath: string;
const opts = () => ({ dbPath, hqUrls: ['http://127.0.0.1:9'], token: 't' });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-core-'));
  dbPath = join(dir, 'desk.db');
  const q = openCache(dbPath);
  const m = member('m1', { name: '王小明', nameEn: 'Wang Xiaoming' });
  applySnapshot(q, {
    storeId: 'store-a',
    storeName: 'Store A',
    position: { epoch: 'E', seq: 3 },
    visits: [visit('v1', 'm1', { arrivedAt: 1000, lastSeenAt: 1000 }), visit('v2', 'm1', { arrivedAt: 2000, lastSeenAt: 2000, status: 'closed', outcome: 'tried', closedAt: 2500 })],
    profiles: [profile(m)],
    members: [],
  });
  q.tx(() => q.setIdentity({ storeId: 'store-a', storeName: 'Store A', deviceId: 'd1', deviceName: 'Counter 1', hqUrls: ['http://127.0.0.1:9'] }));
  q.db.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DeskCore offline', () => {
  it('serves the cache at once', async () => {
    const desk = DeskCore.open(opts());
    expect(desk.position).toEqual({ epoch: 'E', seq: 3 });
    expect(await desk.getIdentity()).toMatchObject({ storeId: 'store-a', deviceName: 'Counter 1' });
    expect((await desk.listArrivals({})).map((v) => v.id)).toEqual(['v2', 'v1']);
    expect((await desk.listVisits({ status: 'closed' })).map((v) => v.id)).toEqual(['v2']);
    expect((await desk.searchMembers({ query: '小明' })).map((h) => h.id)).toEqual(['m1']);
    const mv = await desk.getMember('m1');
    expect(mv?.visits.map((v) => v.id)).toEqual(['v2', 'v1']);
    expect(await desk.getMember('nobody')).toBeNull();
    expect(await desk.getConnection()).toMatchObject({ status: 'offline', queued: 0, position: 3 });
    await desk.close();
  });

  it('fsyncs the commit of a clerk action (synchronous=FULL for that transaction), NORMAL otherwise', async () => {
    const desk = DeskCore.open(opts());
    const q = (desk as unknown as { q: { db: import('better-sqlite3').Database; insertOp: (...a: unknown[]) => unknown } }).q;
    const db = q.db;
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    // Record, in order, the pragmas set and the outbox write (the real calls still run).
    const seen: string[] = [];
    const pragma = db.pragma.bind(db);
    db.pragma = ((source: string, options?: { simple?: boolean }) => {
      seen.push(source);
      return pragma(source, options);
    }) as typeof db.pragma;
    const insertOp = q.insertOp.bind(q);
    q.insertOp = (...a: unknown[]) => {
      seen.push(`insert (synchronous=${pragma('synchronous', { simple: true })})`);
      return insertOp(...a);
    };
    await desk.claimVisit('v1');
    expect(seen).toEqual(['synchronous = FULL', 'insert (synchronous=2)', 'synchronous = NORMAL']);
    expect(pragma('synchronous', { simple: true })).toBe(1);
    await desk.close();
  });

  it('queues actions as pending, emits views, and keeps them across a reopen', async () => {
    let desk = DeskCore.open(opts());
    const seen: DeskEvents['visits'][] = [];
    const queued: number[] = [];
    desk.on('visits', (e) => seen.push(e));
    const off = desk.on('connection', (c) => queued.push(c.queued));
    const { opId } = await desk.claimVisit('v1');
    await desk.addNote('v1', '  wants the red 990  ');
    off();
    await desk.closeVisit('v1', 'purchased', 'bought two');
    expect(opId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(seen[0]!.visits[0]).toMatchObject({ id: 'v1', status: 'claimed', sync: 'pending', pendingAction: 'claim', claimedBy: { deviceId: 'd1' } });
    expect(queued).toEqual([1, 2]);
    await desk.close();

    desk = DeskCore.open(opts());
    const v = await desk.getVisit('v1');
    expect(v).toMatchObject({ status: 'closed', outcome: 'purchased', sync: 'pending', pendingAction: 'close' });
    expect(v!.notes.map((n) => [n.text, n.sync])).toEqual([
      ['wants the red 990', 'pending'],
      ['bought two', 'pending'],
    ]);
    expect(desk.outbox().map((o) => o.type)).toEqual(['claim', 'note', 'close']);
    expect((await desk.getConnection()).queued).toBe(3);
    // Filtering by status sees the optimistic state.
    expect((await desk.listVisits({ status: 'closed' })).map((x) => x.id)).toEqual(['v2', 'v1']);
    await desk.close();
  });

  it('validates arguments with the DeskCommands schemas', async () => {
    const desk = DeskCore.open(opts());
    const bad: Array<() => Promise<unknown>> = [
      () => desk.addNote('v1', '   '),
      () => desk.claimVisit(''),
      () => desk.closeVisit('v1', 'stolen' as never),
      () => desk.listVisits({ limit: 0 }),
      () => desk.listArrivals({ bogus: 1 } as never),
      () => desk.searchMembers({ query: 'x'.repeat(61) }),
      () => desk.getVisit(42 as never),
    ];
    for (const call of bad) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeskError);
      expect((err as DeskError).code).toBe('invalid_argument');
    }
    await expect(desk.claimVisit('v-unknown')).rejects.toMatchObject({ code: 'not_found' });
    expect(desk.outbox()).toEqual([]);
    await desk.close();
    await expect(desk.getVisit('v1')).rejects.toMatchObject({ code: 'storage' });
  });
});
