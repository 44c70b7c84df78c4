// Desk cache migration 010 (holds): its tables, that data written at step 9 survives it, and what
// the hold queries and privacy rules do on them: a snapshot wipes HQ's holds but not the desk's
// labels, erasure drops a member's rows, retention drops ended holds and answered requests.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import { type Hold, type HoldRequest } from '../../shared/holds.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig10-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const by = { deviceId: 'd1', deviceName: 'Counter 1' };
const hold = (id: string, over: Partial<Hold> = {}): Hold => ({
  id,
  storeId: 'a',
  member: { id: 'm1', name: '王芳', tier: 'gold' },
  styleId: 's1',
  styleName: 'Cloud Runner',
  color: 'BLK',
  colorName: 'Black',
  size: 38,
  placedAt: 1_000,
  until: 100_000,
  by,
  status: 'active',
  endedAt: null,
  endedBy: null,
  requestId: null,
  ...over,
});
const request = (id: string, over: Partial<HoldRequest> = {}): HoldRequest => ({
  id,
  fromStoreId: 'b',
  fromStoreName: 'Store B',
  toStoreId: 'a',
  toStoreName: 'Store A',
  member: { id: 'm2', name: '李娜', tier: 'basic' },
  styleId: 's1',
  styleName: 'Cloud Runner',
  color: 'BLK',
  colorName: 'Black',
  size: 38,
  days: 3,
  requestedAt: 2_000,
  by,
  status: 'pending',
  answeredAt: null,
  answeredBy: null,
  holdId: null,
  until: null,
  ...over,
});

describe('desk cache migration 010 (holds)', () => {
  it('adds the hold tables and keeps step-9 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 9 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    expect(migrate(db, { target: 10 })).toBe(10);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['holds', 'hold_requests', 'hold_labels']));
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    db.close();
  });

  it('keeps holds and requests whole; a snapshot wipes them, not the labels; erasure and retention drop theirs', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new CacheQueries(db);
    q.tx(() => {
      q.holds.putHold(hold('h1'));
      q.holds.putHold(hold('h2', { until: 50_000 }));
      q.holds.putHold(hold('h3', { status: 'collected', endedAt: 3_000 }));
      q.holds.putRequest(request('r1'));
      q.holds.putRequest(request('r2', { status: 'declined', requestedAt: 500 }));
      q.holds.putLabel('h9', { member: { id: 'm1', name: '王芳', tier: 'gold' }, styleId: 's1', styleName: 'Cloud Runner', color: 'BLK', colorName: 'Black', size: 38, days: 3 }, 1_000);
    });
    expect(q.holds.activeHolds().map((h) => h.id)).toEqual(['h2', 'h1']);
    expect(q.holds.getHold('h1')).toEqual(hold('h1'));
    expect(q.holds.requests(1_000).map((r) => r.id)).toEqual(['r1']);
    expect(q.holds.requests(0).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(q.holds.label('h9')).toMatchObject({ styleName: 'Cloud Runner' });

    // Retention: the ended hold and the answered request older than the cutoff go; the active stay.
    purgeOlderThan(db, 4_000, 'a');
    expect(q.holds.getHold('h3')).toBeNull();
    expect(q.holds.getRequest('r2')).toBeNull();
    expect(q.holds.getHold('h1')).not.toBeNull();
    expect(q.holds.label('h9')).toBeNull(); // a label older than the retention period goes too

    // Erasure: m2's request goes, m1's holds stay until m1 is erased.
    deleteMemberData(db, 'm2');
    expect(q.holds.getRequest('r1')).toBeNull();
    deleteMemberData(db, 'm1');
    expect(q.holds.activeHolds()).toEqual([]);

    q.tx(() => {
      q.holds.putHold(hold('h4'));
      q.holds.putLabel('h5', { member: { id: 'm3', name: 'x', tier: 'basic' }, styleId: 's1', styleName: 'n', color: 'BLK', colorName: 'Black', size: 38, days: 3 }, 10_000);
    });
    q.tx(() => q.wipeHqState());
    expect(q.holds.activeHolds()).toEqual([]);
    expect(q.holds.label('h5')).not.toBeNull();
    db.close();
  });
});
