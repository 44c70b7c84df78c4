// Desk cache migration 016 (suggestion marks, 7/8 card): its table, that data written at step 15
// survives it, and what the table is read for — a visit's marks with a later verdict replacing an
// earlier one (never the other way round), erasure (the member's marks) and retention (marks older
// than the cutoff); the profile's next best action kept beside it. And the pure overlay of queued and refused marks over HQ's.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MarkQueries } from '../../electron/desk/assist/markQueries.ts';
import { markSubject, markViews, visitOfMarkSubject } from '../../electron/desk/assist/markViews.ts';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { CacheQueries, type OutboxOp } from '../../electron/desk/cache/queries.ts';
import type { SuggestionMark } from '../../shared/assist.ts';
import type { NextBestAction } from '../../shared/domain.ts';
import { member, profile } from '../support/builders.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig16-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const actor = { deviceId: 'd1', deviceName: 'Counter 1' };
const mark = (visitId: string, styleId: string, memberId: string, at: number, over: Partial<SuggestionMark> = {}): SuggestionMark => ({
  storeId: 'a',
  visitId,
  memberId,
  styleId,
  role: 'style',
  verdict: 'used',
  by: actor,
  at,
  ...over,
});

describe('desk cache migration 016 (suggestion marks)', () => {
  it('adds the marks table and keeps step-15 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 15 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    db.prepare("INSERT INTO profiles (member_id, purchases, recommendations, received_at) VALUES ('m0', '[]', '[]', 7)").run();
    db.prepare("INSERT INTO live_rooms (id, state, scheduled_at, ended_at, json) VALUES ('r1', 'scheduled', 1, NULL, '{}')").run();
    // Code that runs on an older cache finds no table and does nothing.
    const q = new MarkQueries(db);
    q.wipe();
    expect(q.ofVisit('v1')).toEqual([]);
    expect(deleteMemberData(db, 'm1')).toBe(0);
    expect(migrate(db, { target: 16 })).toBe(16);
    const cols = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols('suggestion_marks')).toEqual(['visit_id', 'style_id', 'member_id', 'at', 'json']);
    expect(cols('profiles')).toContain('next');
    // A profile cached before 7/8 reads back without a next best action (the card stays as it was).
    expect(db.prepare("SELECT next FROM profiles WHERE member_id = 'm0'").get()).toEqual({ next: null });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    expect(db.prepare('SELECT id FROM live_rooms').all()).toEqual([{ id: 'r1' }]);
    db.close();
  });

  it('keeps one mark per (visit, style), the newest; erasure and retention drop the right rows', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new MarkQueries(db);
    q.put(mark('v1', 's1', 'm1', 1_000));
    q.put(mark('v1', 's2', 'm1', 2_000, { role: 'addon', verdict: 'not_relevant' }));
    q.put(mark('v1', 's1', 'm1', 3_000, { verdict: 'not_relevant' }));
    // An older mark (a replayed event, a snapshot) does not turn the verdict back.
    q.put(mark('v1', 's1', 'm1', 1_500, { verdict: 'used' }));
    q.put(mark('v2', 's1', 'm2', 500));
    expect(q.ofVisit('v1').map((m) => [m.styleId, m.role, m.verdict])).toEqual([
      ['s2', 'addon', 'not_relevant'],
      ['s1', 'style', 'not_relevant'],
    ]);
    // Erasure: the member's marks go, another member's stay.
    expect(deleteMemberData(db, 'm1')).toBeGreaterThanOrEqual(2);
    expect(q.ofVisit('v1')).toEqual([]);
    expect(q.ofVisit('v2').map((m) => m.styleId)).toEqual(['s1']);
    // Retention: marks before the cutoff go.
    q.put(mark('v3', 's1', 'm3', 5_000));
    purgeOlderThan(db, 1_000, 'a');
    expect(q.ofVisit('v2')).toEqual([]);
    expect(q.ofVisit('v3').map((m) => m.styleId)).toEqual(['s1']);
    q.wipe();
    expect(q.ofVisit('v3')).toEqual([]);
    db.close();
  });
});

describe('the profile’s next best action in the cache', () => {
  it('is kept with the profile and read back whole; a profile without one reads back without one', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new CacheQueries(db);
    const next: NextBestAction = {
      personalized: true,
      lastPurchase: { styleId: 's1', styleName: 'Cloud Runner', category: 'running', size: 42, at: 5_000, storeId: 'store-a' },
      styles: ['s2', 's3'],
      addOn: { styleId: 'acc1', name: 'Run Socks', kind: 'socks', price: 5_900, size: 42, image: null, reason: { code: 'bought_recently', category: 'running', styleName: 'Cloud Runner', days: 21 } },
      cues: [{ code: 'long_absent', days: 120 }],
    };
    q.upsertProfile({ ...profile(member('m1')), next }, 10);
    expect(q.getProfile('m1')!.next).toEqual(next);
    q.upsertProfile(profile(member('m1')), 11);
    expect(q.getProfile('m1')).not.toHaveProperty('next');
    db.close();
  });
});

describe('a visit marks as the card shows them (markViews, pure)', () => {
  const op = (opId: string, ordinal: number, styleId: string, verdict: 'used' | 'not_relevant', state: OutboxOp['state'] = 'pending', visitId = 'v1'): OutboxOp => ({
    opId,
    ordinal,
    type: 'suggest.mark',
    visitId: markSubject(visitId),
    data: { visitId, styleId, role: 'style', verdict, clerkId: 'c1' },
    createdAt: 10_000 + ordinal,
    state,
    ackedSeq: null,
    rejection: state === 'rejected' ? { code: 'not_found', message: 'no such visit' } : null,
  });

  it('lays queued marks over HQ’s, a refused one carrying HQ’s reason, and ignores other visits', () => {
    expect(visitOfMarkSubject(markSubject('v1'))).toBe('v1');
    expect(visitOfMarkSubject('v1')).toBeNull();
    const views = markViews('v1', [mark('v1', 's1', 'm1', 1_000), mark('v1', 's2', 'm1', 1_000)], [op('o1', 1, 's1', 'not_relevant'), op('o2', 2, 's3', 'used', 'rejected'), op('o3', 3, 's2', 'used', 'pending', 'v9')], actor);
    expect(views.map((v) => [v.styleId, v.verdict, v.sync, v.rejection?.code ?? null])).toEqual([
      ['s1', 'not_relevant', 'pending', null],
      ['s2', 'used', 'confirmed', null],
      ['s3', 'used', 'rejected', 'not_found'],
    ]);
    expect(views[0]!.by).toEqual({ ...actor, clerkId: 'c1' });
    expect(views[0]!.at).toBe(10_001);
  });
});
