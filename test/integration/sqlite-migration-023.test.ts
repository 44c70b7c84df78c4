// HQ's SQLite step 23 on a file written at step 22: a member's two visit indexes (visits_member by
// store and member, visits_member_chain by member and arrival) are one, visits_of_member (member,
// arrival, then the store, status and last seen each entry carries); every row is kept, and each
// read by member answers what step 22's statements answered, through the new index, reading no
// store's visits: the arrival's open visit, chat's "visited here", a restock's last visit, a sale's
// look-back, the member's history and when they were last seen, erasure. A member with 150 visits
// is among them: their entries are filtered in the index, not their rows.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHOWN_FOR_SALE_SQL } from '../../hq/adapters/sqlite/assistStorage.ts';
import { MIGRATIONS, migrate } from '../../hq/adapters/sqlite/migrations.ts';
import { OPEN_VISIT_SQL } from '../../hq/adapters/sqlite/sqliteStorage.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteAtStep } from '../support/sqliteSteps.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-migration-023-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const planOf = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
const indexesOfVisits = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'visits' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];

/** Step 22's statements for the reads that change index (hq/adapters at step 22). */
const OLD = {
  openVisit: `SELECT id FROM visits WHERE store_id = ? AND member_id = ? AND status != 'closed' AND last_seen_at >= ? ORDER BY last_seen_at DESC LIMIT 1`,
  visited: 'SELECT 1 FROM visits WHERE store_id = ? AND member_id = ? LIMIT 1',
  lastVisitAt: 'SELECT MAX(last_seen_at) FROM visits WHERE store_id = ? AND member_id = ?',
  visitsOf: 'SELECT id FROM visits WHERE member_id = ? ORDER BY arrived_at DESC, id DESC LIMIT ?',
  lastSeen: 'SELECT last_seen_at FROM visits WHERE member_id = ? AND id != ? ORDER BY arrived_at DESC LIMIT 1',
};

/**
 * A file at step 22: m1 visited stores a, b and c 150 times over 75 days (all closed but the last at
 * a, still open, and one at b claimed an hour ago); m2 twice at a (one open); m3 once at b, closed.
 * Each visit's card of one style, as HQ records it at the arrival.
 */
function fileAtStep22(path: string): void {
  const db = openSqliteAtStep(path, 22);
  const visit = db.prepare(
    `INSERT INTO visits (id, store_id, member_id, source, status, arrived_at, last_seen_at, arrivals) VALUES (?, ?, ?, 'door', ?, ?, ?, 1)`,
  );
  const shown = db.prepare("INSERT INTO suggestions_shown (visit_id, style_id, store_id, member_id, role, at) VALUES (?, 's1', ?, ?, 'style', ?)");
  const add = (id: string, store: string, member: string, status: string, at: number, seen: number) => {
    visit.run(id, store, member, status, at, seen);
    shown.run(id, store, member, at);
  };
  const now = T0 + 80 * DAY;
  for (let i = 0; i < 150; i++) {
    const store = ['a', 'b', 'c'][i % 3]!;
    const at = T0 + i * 12 * HOUR;
    add(`v-m1-${String(i).padStart(3, '0')}`, store, 'm1', 'closed', at, at + HOUR);
  }
  add('v-m1-open-a', 'a', 'm1', 'open', now - 2 * HOUR, now - 10 * 60_000);
  add('v-m1-claimed-b', 'b', 'm1', 'claimed', now - 3 * HOUR, now - HOUR);
  add('v-m2-old', 'a', 'm2', 'closed', now - 10 * DAY, now - 10 * DAY + HOUR);
  add('v-m2-open', 'a', 'm2', 'open', now - HOUR, now - 30 * 60_000);
  add('v-m3', 'b', 'm3', 'closed', now - 5 * DAY, now - 5 * DAY + HOUR);
  db.close();
}

describe('HQ SQLite migration 23', () => {
  const path = join(dir, 'hq.db');
  fileAtStep22(path);
  const now = T0 + 80 * DAY;
  /** (store, member, since) asked of both steps: open, claimed, only closed ones, too old, nobody. */
  const opens: Array<[string, string, number]> = [
    ['a', 'm1', now - DAY],
    ['b', 'm1', now - DAY],
    ['c', 'm1', now - 100 * DAY],
    ['a', 'm2', now - DAY],
    ['a', 'm2', now - 20 * 60_000], // last seen 30 minutes ago: not since
    ['b', 'm3', now - 100 * DAY],
    ['a', 'nobody', 0],
  ];
  const pairs: Array<[string, string]> = [['a', 'm1'], ['c', 'm1'], ['b', 'm2'], ['b', 'm3'], ['c', 'nobody']];
  let before: Record<string, unknown> = {};
  let rowsBefore = 0;

  it('merges the two indexes into visits_of_member and keeps every row', () => {
    const db = new Database(path);
    try {
      expect(indexesOfVisits(db)).toEqual(expect.arrayContaining(['visits_member', 'visits_member_chain']));
      before = {
        open: opens.map((a) => db.prepare(OLD.openVisit).pluck().get(...a) ?? null),
        visited: pairs.map((p) => db.prepare(OLD.visited).pluck().get(...p) !== undefined),
        lastVisitAt: pairs.map((p) => db.prepare(OLD.lastVisitAt).pluck().get(...p)),
        visitsOf: ['m1', 'm2', 'm3'].map((m) => db.prepare(OLD.visitsOf).pluck().all(m, 20)),
        lastSeen: [['m1', 'v-m1-open-a'], ['m2', 'x'], ['m3', 'v-m3']].map((a) => db.prepare(OLD.lastSeen).pluck().get(...a) ?? null),
      };
      // What the old statements answer, so the comparisons below compare something.
      expect(before.open).toEqual(['v-m1-open-a', 'v-m1-claimed-b', null, 'v-m2-open', null, null, null]);
      expect(before.visited).toEqual([true, true, false, true, false]);
      rowsBefore = db.prepare('SELECT COUNT(*) FROM visits').pluck().get() as number;
      migrate(db);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const indexes = indexesOfVisits(db);
      expect(indexes).toContain('visits_of_member');
      expect(indexes).not.toContain('visits_member');
      expect(indexes).not.toContain('visits_member_chain');
      expect(db.prepare('SELECT COUNT(*) FROM visits').pluck().get()).toBe(rowsBefore);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('answers the reads by member as step 22 did, through the store', async () => {
    const store = openSqliteStore(path, { log: () => {} });
    try {
      const open = await store.read(async (r) => Promise.all(opens.map(([s, m, since]) => r.findOpenVisit(s, m, since))));
      expect(open.map((v) => v?.id ?? null)).toEqual(before.open);
      expect(await store.read((r) => Promise.all(pairs.map(([s, m]) => r.chat.memberVisited(s, m))))).toEqual(before.visited);
      const history = await store.read((r) => Promise.all(['m1', 'm2', 'm3'].map((m) => r.memberHistory.visitsOf(m, 20))));
      expect(history.map((vs) => vs.map((v) => v.id))).toEqual(before.visitsOf);
      const seen = await store.read((r) => Promise.all([r.memberHistory.lastSeenAt('m1', 'v-m1-open-a'), r.memberHistory.lastSeenAt('m2', 'x'), r.memberHistory.lastSeenAt('m3', 'v-m3')]));
      expect(seen).toEqual(before.lastSeen);
      // A sale's look-back at a over m1's whole history: one card per visit at a, newest first.
      const shown = await store.read((r) => r.assist.shownForSale('a', 'm1', 's1', T0 - DAY, now));
      expect(shown).toHaveLength(51);
      expect(shown[0]!.visitId).toBe('v-m1-open-a');
    } finally {
      await store.close();
    }
  });

  it('reads them by visits_of_member, never a store index or a scan, and the filters run on the index', () => {
    const db = new Database(path, { readonly: true });
    try {
      const statements = [
        OPEN_VISIT_SQL, // the adapter's own; the others as the adapters write them
        OLD.visited,
        OLD.lastVisitAt,
        'SELECT * FROM visits WHERE member_id = ? ORDER BY arrived_at DESC, id DESC LIMIT +?',
        OLD.lastSeen,
        'DELETE FROM visits WHERE member_id = ?',
      ];
      for (const sql of statements) {
        const plan = planOf(db, sql, ...Array(sql.split('?').length - 1).fill('a'));
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX visits_of_member \(member_id=\?\)/);
        expect(plan, sql).not.toMatch(/\bSCAN\b|visits_store_time|visits_waiting/);
      }
      const sale = planOf(db, SHOWN_FOR_SALE_SQL, { style: 's1', store: 'a', member: 'm1', since: T0, until: now });
      expect(sale).toMatch(/SEARCH v USING INDEX visits_of_member \(member_id=\?\)/);
      expect(sale).not.toMatch(/\bSCAN\b/);
      // The open visit's filter reads the index's columns and moves to the table row only after
      // them (DeferredSeek): m1's 150 closed visits cost no row reads.
      const code = db.prepare(`EXPLAIN ${statements[0]}`).all('a', 'm1', 0) as { opcode: string; p1: number; p3: number }[];
      const seek = code.findIndex((c) => c.opcode === 'DeferredSeek');
      expect(seek).toBeGreaterThan(0);
      const [indexCursor, tableCursor] = [code[seek]!.p1, code[seek]!.p3];
      const firstRowRead = code.findIndex((c, i) => i > seek && c.opcode === 'Column' && c.p1 === tableCursor);
      const beforeRow = code.slice(seek, firstRowRead);
      // The store, status and last seen read from the index entry and compared, all before the row.
      expect(beforeRow.filter((c) => c.opcode === 'Column' && c.p1 === indexCursor).length).toBeGreaterThanOrEqual(3);
      expect(beforeRow.map((c) => c.opcode)).toEqual(expect.arrayContaining(['Ne', 'Eq', 'Lt']));
    } finally {
      db.close();
    }
  });
});
