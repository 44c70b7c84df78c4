// Desk cache migration 014 (expected visits, 5/8): its table, that data written at step 13 survives
// it, and what the table is read for — the Today list (open ones, then those settled since a time),
// the arrival cue by visit, erasure and the retention purge (open ones stay).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { ExpectedQueries } from '../../electron/desk/expected/expectedQueries.ts';
import { type ExpectedVisit } from '../../shared/expected.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig14-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ev = (id: string, over: Partial<ExpectedVisit> = {}): ExpectedVisit => ({
  id,
  storeId: 'a',
  member: { id: 'm1', name: '王芳', tier: 'gold' },
  styleId: 's1',
  styleName: 'Cloud Runner',
  size: 38,
  holdId: null,
  source: { kind: 'group', id: 'g1', title: '跑步群' },
  createdAt: 1_000,
  until: 10_000,
  status: 'expected',
  visitId: null,
  arrivedAt: null,
  ...over,
});

describe('desk cache migration 014 (expected visits)', () => {
  it('adds expected_visits and keeps step-13 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 13 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    // Code that runs on an older cache finds no table and does nothing.
    expect(new ExpectedQueries(db).byVisit('v1')).toBeNull();
    expect(deleteMemberData(db, 'm1')).toBe(0);
    expect(migrate(db, { target: 14 })).toBe(14);
    const cols = (db.prepare('PRAGMA table_info(expected_visits)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toEqual(['id', 'member_id', 'visit_id', 'status', 'until', 'received_at', 'json']);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    db.close();
  });

  it('lists open ones first, finds the cue by visit, and erasure and retention drop the right rows', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new ExpectedQueries(db);
    q.put(ev('e1', { until: 20_000 }), 100);
    q.put(ev('e2', { until: 15_000, member: { id: 'm2', name: '李娜', tier: 'basic' } }), 100);
    q.put(ev('e3', { status: 'lapsed' }), 100);
    q.put(ev('e4', { status: 'arrived', visitId: 'v9', arrivedAt: 5_000 }), 5_000);
    expect(q.list(1_000).map((e) => e.id)).toEqual(['e2', 'e1', 'e4']);
    expect(q.list(0).map((e) => e.id)).toEqual(['e2', 'e1', 'e3', 'e4']);
    expect(q.byVisit('v9')).toEqual(ev('e4', { status: 'arrived', visitId: 'v9', arrivedAt: 5_000 }));
    expect(q.byVisit('v1')).toBeNull();
    // An event replaces the row whole.
    q.put(ev('e1', { status: 'arrived', visitId: 'v10', arrivedAt: 6_000 }), 6_000);
    expect(q.byVisit('v10')?.id).toBe('e1');
    // Retention: settled rows received before the cutoff go; open ones stay.
    purgeOlderThan(db, 1_000, 'a');
    expect(q.list(0).map((e) => e.id)).toEqual(['e2', 'e1', 'e4']);
    // Erasure: the member's rows go.
    deleteMemberData(db, 'm1');
    expect(q.list(0).map((e) => e.id)).toEqual(['e2']);
    q.wipe();
    expect(q.list(0)).toEqual([]);
    db.close();
  });
});
