// Desk cache migration 018 (the assistant's hand-overs, 7/8): the table, one waiting hand-over per
// member, a settled one replacing the waiting one by id, and the chat list's read of waiting ones.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig18-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('desk cache migration 018', () => {
  it('creates handovers with one waiting row per member', () => {
    const db = new Database(join(dir, 'cache.db'));
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(18);
    const put = db.prepare('INSERT INTO handovers (id, member_id, at, settled_at, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET settled_at = excluded.settled_at, json = excluded.json');
    put.run('h1', 'm1', 1000, null, '{}');
    expect(() => put.run('h2', 'm1', 2000, null, '{}')).toThrow(/UNIQUE/);
    put.run('h1', 'm1', 1000, 1500, '{"settled":true}');
    put.run('h2', 'm1', 2000, null, '{}');
    put.run('h3', 'm2', 3000, null, '{}');
    // Erasure finds them by member.
    deleteMemberData(db, 'm2');
    expect(db.prepare("SELECT COUNT(*) FROM handovers WHERE member_id = 'm2'").pluck().get()).toBe(0);
    put.run('h3', 'm2', 3000, null, '{}');
    expect(db.prepare('SELECT member_id FROM handovers WHERE settled_at IS NULL ORDER BY at').pluck().all()).toEqual(['m1', 'm2']);
    expect(db.prepare("SELECT json FROM handovers WHERE id = 'h1'").pluck().get()).toBe('{"settled":true}');
    // Retention: settled ones before the cutoff go; a waiting one stays however old (a clerk still owes an answer).
    purgeOlderThan(db, 2500, 'store-a');
    expect(db.prepare('SELECT id FROM handovers ORDER BY id').pluck().all()).toEqual(['h2', 'h3']);
    purgeOlderThan(db, 10_000, 'store-a');
    expect(db.prepare('SELECT id FROM handovers ORDER BY id').pluck().all()).toEqual(['h2', 'h3']);
    db.close();
  });
});
