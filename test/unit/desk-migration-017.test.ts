// Desk cache migration 017 (restock matches, 7/8): its tables, that data written at step 16
// survives it, and what they are read for — the list newest first within its window, a match
// replaced whole by a later event, erasure (the member leaves every match, members and done) and
// retention (matches made before the cutoff go, with their member rows).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { RestockQueries } from '../../electron/desk/restock/restockQueries.ts';
import type { RestockMatch } from '../../shared/assist.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig17-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const by = { deviceId: 'd1', deviceName: 'Counter 1' };
const match = (id: string, at: number, memberIds: string[]): RestockMatch => ({
  id,
  storeId: 'a',
  styleId: 'st-new',
  styleName: 'Cloud Runner 2',
  category: 'running',
  size: 40,
  qty: 3,
  at,
  members: memberIds.map((memberId) => ({ memberId, name: `会员${memberId}`, tier: 'gold', why: 'preference', lastVisitAt: null })),
  done: memberIds.slice(0, 1).map((memberId) => ({ memberId, how: 'message', by, at: at + 1 })),
});

describe('desk cache migration 017: restock matches', () => {
  it('adds the tables, keeps what step 16 held, and serves the list, replacement, erasure and retention', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 16 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'kept')").run();
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'restock_matches'").get()).toBeUndefined();
    expect(migrate(db, { target: 17 })).toBe(17);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'probe'").pluck().get()).toBe('kept');

    const q = new RestockQueries(db);
    q.put(match('old', 1_000, ['m1', 'm2']));
    q.put(match('new', 5_000, ['m1', 'm3']));
    q.put(match('mid', 3_000, ['m2']));
    expect(q.list(0).map((m) => m.id)).toEqual(['new', 'mid', 'old']);
    expect(q.list(2_000).map((m) => m.id)).toEqual(['new', 'mid']);
    // A later event replaces the match whole.
    q.put({ ...match('mid', 3_000, ['m2']), done: [] });
    expect(q.get('mid')!.done).toEqual([]);

    // Erasure: m1 leaves both matches that list it, from members and done; others stay.
    deleteMemberData(db, 'm1');
    expect(q.get('old')!.members.map((m) => m.memberId)).toEqual(['m2']);
    expect(q.get('old')!.done).toEqual([]);
    expect(q.get('new')!.members.map((m) => m.memberId)).toEqual(['m3']);
    expect(db.prepare("SELECT COUNT(*) FROM restock_match_members WHERE member_id = 'm1'").pluck().get()).toBe(0);

    // Retention: matches made before the cutoff go, with their member rows.
    purgeOlderThan(db, 2_000, 'a');
    expect(q.list(0).map((m) => m.id)).toEqual(['new', 'mid']);
    expect(db.prepare("SELECT COUNT(*) FROM restock_match_members WHERE match_id = 'old'").pluck().get()).toBe(0);
    db.close();
  });
});
