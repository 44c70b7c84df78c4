// Each cache migration, step by step from an empty file: its schema, and that data written at
// step N survives step N+1. Plus: a file from a newer build is refused and left untouched.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDb } from '../../electron/desk/cache/db.ts';
import { CacheTooNewError, migrate, schemaVersion } from '../../electron/desk/cache/migrate.ts';
import { LATEST_VERSION, MIGRATIONS } from '../../electron/desk/cache/migrations/index.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import type { VisitNotice } from '../../shared/deskApi.ts';
import type { Visit } from '../../shared/domain.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
const indexes = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

describe('desk cache migrations', () => {
  it('are numbered 1..N without holes', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('001 creates meta, members, profiles, visits, notes, outbox', () => {
    const db = new Database(join(dir, 'c.db'));
    expect(migrate(db, { target: 1 })).toBe(1);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['members', 'meta', 'notes', 'outbox', 'profiles', 'visits']);
    expect(indexes(db)).toEqual(expect.arrayContaining(['visits_by_arrival', 'visits_by_member', 'notes_by_visit', 'outbox_by_visit']));
    // The outbox refuses unknown states.
    expect(() =>
      db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at, state) VALUES ('o', 1, 'claim', 'v', '{}', 0, 'lost')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('002 adds member_terms and backfills the members written at step 1', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 1 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":7}')").run();
    db.prepare(
      "INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json) VALUES ('m1', 'M0001', '王小明', 'Wang Xiaoming', '5678', 1, '{}')",
    ).run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{\"visitId\":\"v1\"}', 5)").run();

    expect(migrate(db, { target: 2 })).toBe(2);
    expect(tables(db)).toContain('member_terms');
    expect(indexes(db)).toContain('member_terms_by_member');
    // Step-1 data survives.
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":7}' });
    expect(db.prepare("SELECT op_id, state FROM outbox").all()).toEqual([{ op_id: 'op1', state: 'pending' }]);
    // And is searchable.
    const terms = (db.prepare("SELECT term FROM member_terms WHERE member_id = 'm1'").all() as Array<{ term: string }>).map((r) => r.term);
    // (Under today's rules: the code is found by its key since step 21, not by terms.)
    expect(terms).toEqual(expect.arrayContaining(['小明', '王', '王小明', 'xiao', 'wang', '5678']));
    db.close();
  });

  it('004 adds the clerk list and lockouts, keeping earlier data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 3 });
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    expect(migrate(db, { target: 4 })).toBe(4);
    expect(tables(db)).toEqual(expect.arrayContaining(['clerks', 'clerk_lockouts']));
    db.prepare("INSERT INTO clerk_lockouts (clerk_id, failures) VALUES ('c1', 3)").run();
    expect(db.prepare("SELECT failures, locked_until FROM clerk_lockouts WHERE clerk_id = 'c1'").get()).toEqual({ failures: 3, locked_until: 0 });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    db.close();
  });

  it('005 gives each member its latest visit in the cache, backfilled, with a partial index', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 4 });
    const member = db.prepare("INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json) VALUES (?, ?, ?, '', '', 1, '{}')");
    member.run('m1', 'M1', '张伟');
    member.run('m2', 'M2', '李娜');
    // Two visits of m1 (the later one must win), none of m2.
    const visit = db.prepare("INSERT INTO visits (id, member_id, status, arrived_at, last_seen_at, json) VALUES (?, 'm1', 'open', ?, ?, '{}')");
    visit.run('v1', 1000, 1000);
    visit.run('v2', 5000, 5000);
    expect(migrate(db, { target: 5 })).toBe(5);
    expect(db.prepare('SELECT id, last_visit_at FROM members ORDER BY id').all()).toEqual([
      { id: 'm1', last_visit_at: 5000 },
      { id: 'm2', last_visit_at: 0 },
    ]);
    expect(indexes(db)).toContain('members_by_last_visit');
    db.close();
  });

  it('006 adds visit notices, keeping earlier data; a snapshot keeps them, erasing the member or purging the visit drops them', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 5 });
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at, state) VALUES ('op1', 1, 'claim', 'v1', '{}', 5, 'rejected')").run();
    expect(migrate(db, { target: 6 })).toBe(6);
    expect(tables(db)).toContain('visit_notices');
    expect(indexes(db)).toContain('visit_notices_by_visit');
    expect(db.prepare('SELECT op_id, state FROM outbox').all()).toEqual([{ op_id: 'op1', state: 'rejected' }]);

    migrate(db); // CacheQueries, erasure and the purge run on the latest schema (later steps add tables they use)
    const q = new CacheQueries(db);
    const visit = (id: string, memberId: string, at: number): Visit => ({
      id, storeId: 's', memberId, source: 'door', status: 'claimed', arrivedAt: at, lastSeenAt: at, arrivals: 1,
      claimedBy: { deviceId: 'd2', deviceName: 'Counter 2' }, claimedAt: at, closedAt: null, outcome: null, notes: [],
    });
    const lost = (at: number): VisitNotice => ({ action: 'claim', code: 'already_claimed', by: { deviceId: 'd2', deviceName: 'Counter 2' }, at });
    q.tx(() => {
      q.putVisit(visit('v1', 'm1', 1_000));
      q.putVisit(visit('v2', 'm2', 50_000));
      q.putNotice('op1', 'v1', lost(10));
      q.putNotice('ev7', 'v1', { ...lost(20), code: 'taken_over' });
      q.putNotice('op1', 'v1', { ...lost(30), code: 'invalid' }); // the same op again: kept once, as first told
      q.putNotice('op2', 'v2', lost(40));
    });
    expect(q.latestNotice('v1')).toMatchObject({ code: 'taken_over', at: 20 });
    q.tx(() => q.wipeHqState()); // a snapshot: HQ's state goes, the desk's own notices stay
    expect(q.latestNotice('v1')).toMatchObject({ code: 'taken_over' });
    q.tx(() => {
      q.putVisit(visit('v1', 'm1', 1_000));
      q.putVisit(visit('v2', 'm2', 50_000));
    });
    q.tx(() => deleteMemberData(db, 'm1'));
    expect(q.latestNotice('v1')).toBeNull();
    purgeOlderThan(db, 60_000, null);
    expect(q.latestNotice('v2')).toBeNull();
    q.putNotice('op3', 'v3', lost(50));
    expect(q.dismissNotices('v3')).toBe(1);
    expect(q.latestNotice('v3')).toBeNull();
    db.close();
  });

  it('007 rebuilds the search terms under the folding rules (a long Latin word in name, diacritics)', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 6 });
    db.prepare("INSERT INTO members (id, code, name, name_en, phone_last4, updated_at, json) VALUES ('m1', 'M1', 'Alexandra Renée', '', '', 1, '{}')").run();
    db.prepare("INSERT INTO member_terms (term, member_id) VALUES ('stale-term', 'm1')").run();
    expect(migrate(db, { target: 7 })).toBe(7);
    const terms = (db.prepare("SELECT term FROM member_terms WHERE member_id = 'm1'").all() as Array<{ term: string }>).map((r) => r.term);
    expect(terms).toEqual(expect.arrayContaining(['alexandra', 'renee']));
    expect(terms).not.toContain('stale-term');
    db.close();
  });

  it('opening runs every migration and is idempotent', () => {
    const path = join(dir, 'c.db');
    openCacheDb(path).close();
    const db = openCacheDb(path);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a cache written by a newer build, without touching the file', () => {
    const path = join(dir, 'c.db');
    const db = new Database(path);
    db.exec('CREATE TABLE future (x)');
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);
    expect(() => openCacheDb(path)).toThrow(CacheTooNewError);
    expect(() => openCacheDb(path)).toThrow(/newer Footfall/);
    expect(readFileSync(path).equals(before)).toBe(true);
    const again = new Database(path);
    expect(again.pragma('journal_mode', { simple: true })).toBe('delete');
    again.close();
  });
});
