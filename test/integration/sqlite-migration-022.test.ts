// HQ's SQLite step 22 on a file written at step 21: three indexes every new visit wrote are gone
// (visits_store_clerk, suggestions_shown_sale, suggestions_shown_member), every row is kept, and the
// reads that had them find the same rows without scanning a table: a sale's look-back through the
// member's visits at the store, erasure of a member's shown suggestions through their visits, a
// store's report range through visits_store_time.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHOWN_FOR_SALE_SQL } from '../../hq/adapters/sqlite/assistStorage.ts';
import { MIGRATIONS, migrate } from '../../hq/adapters/sqlite/migrations.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteAtStep } from '../support/sqliteSteps.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-migration-022-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const DROPPED = ['suggestions_shown_member', 'suggestions_shown_sale', 'visits_store_clerk'];

const planOf = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
const indexNames = (db: Database.Database) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];
const counts = (db: Database.Database) =>
  Object.fromEntries(['visits', 'suggestions_shown', 'suggestion_marks'].map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]));

/** The look-back as step 21 ran it (by suggestions_shown_sale): what the new one must still find. */
const OLD_FOR_SALE = `SELECT x.visit_id, x.style_id, x.role, x.at, k.verdict, v.claimed_by FROM suggestions_shown x
  LEFT JOIN suggestion_marks k ON k.visit_id = x.visit_id AND k.style_id = x.style_id
  LEFT JOIN visits v ON v.id = x.visit_id
  WHERE x.store_id = ? AND x.member_id = ? AND x.style_id = ? AND x.at >= ? AND x.at <= ?
  ORDER BY x.at DESC, x.visit_id DESC`;

/**
 * A file at step 21: members m1 and m2, each with visits at stores a and b over 40 days (a claimed
 * one among them), each visit's card of two styles recorded at its arrival as HQ does, a mark.
 */
function fileAtStep21(path: string): void {
  const db = openSqliteAtStep(path, 21);
  const visit = db.prepare(
    `INSERT INTO visits (id, store_id, member_id, source, status, arrived_at, last_seen_at, arrivals, claimed_by, claimed_at)
     VALUES (?, ?, ?, 'door', ?, ?, ?, 1, ?, ?)`,
  );
  const shown = db.prepare('INSERT INTO suggestions_shown (visit_id, style_id, store_id, member_id, role, at) VALUES (?, ?, ?, ?, ?, ?)');
  let n = 0;
  for (const member of ['m1', 'm2']) {
    for (const store of ['a', 'b']) {
      for (let d = 0; d < 40; d += 4) {
        const id = `v-${member}-${store}-${d}`;
        const at = T0 + d * DAY + n++;
        const claimed = d === 8 ? JSON.stringify({ deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' }) : null;
        // Seen again an hour later: last_seen_at grows past the card's time.
        visit.run(id, store, member, claimed ? 'claimed' : 'open', at, at + 3_600_000, claimed, claimed ? at + 60_000 : null);
        shown.run(id, 's1', store, member, 'style', at);
        shown.run(id, d % 8 === 0 ? 's2' : 's3', store, member, d % 8 === 0 ? 'addon' : 'style', at);
      }
    }
  }
  db.prepare(
    `INSERT INTO suggestion_marks (visit_id, style_id, store_id, member_id, role, verdict, by_actor, clerk_id, at)
     VALUES ('v-m1-a-8', 's1', 'a', 'm1', 'style', 'not_relevant', '{}', 'c1', ?)`,
  ).run(T0 + 9 * DAY);
  db.close();
}

describe('HQ SQLite migration 22', () => {
  const path = join(dir, 'hq.db');
  fileAtStep21(path);
  /** Look-backs asked of both steps: the window's edges on a card's time, another store, another style, nothing. */
  const asks: Array<[string, string, string, number, number]> = [
    ['a', 'm1', 's1', T0 - DAY, T0 + 50 * DAY],
    ['a', 'm1', 's1', T0 + 8 * DAY + 2, T0 + 20 * DAY + 4],
    ['b', 'm1', 's2', T0, T0 + 30 * DAY],
    ['a', 'm2', 's3', T0 + 10 * DAY, T0 + 12 * DAY],
    ['a', 'm1', 'nope', T0, T0 + 50 * DAY],
  ];
  let before: unknown[][] = [];
  let rowsBefore: Record<string, number> = {};

  it('drops the three indexes and keeps every row', () => {
    const db = new Database(path);
    try {
      before = asks.map((a) => db.prepare(OLD_FOR_SALE).all(...a));
      expect(before[0]).toHaveLength(10);
      expect(before[1]!.length).toBeGreaterThan(1);
      rowsBefore = counts(db);
      expect(indexNames(db)).toEqual(expect.arrayContaining(DROPPED));
      migrate(db);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(indexNames(db).filter((i) => DROPPED.includes(i))).toEqual([]);
      expect(counts(db)).toEqual(rowsBefore);
    } finally {
      db.close();
    }
  });

  it("finds a sale's suggestions through the member's visits, as step 21 found them, and scans no table", async () => {
    const store = openSqliteStore(path, { log: () => {} });
    try {
      for (const [i, a] of asks.entries()) {
        const found = await store.read((r) => r.assist.shownForSale(...a));
        const old = before[i] as Array<{ visit_id: string; style_id: string; role: string; at: number; verdict: string | null; claimed_by: string | null }>;
        expect(found.map((s) => [s.visitId, s.styleId, s.role, s.at, s.verdict, s.claimedBy?.clerkId ?? null])).toEqual(
          old.map((r) => [r.visit_id, r.style_id, r.role, r.at, r.verdict, r.claimed_by ? (JSON.parse(r.claimed_by) as { clerkId: string }).clerkId : null]),
        );
      }
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      const plan = planOf(db, SHOWN_FOR_SALE_SQL, { style: 's1', store: 'a', member: 'm1', since: T0, until: T0 + DAY });
      // The file is migrated to the latest step: since step 23 a member's visits, with their store and
      // last seen, are in visits_of_member (sqlite-migration-023.test.ts).
      expect(plan).toMatch(/SEARCH v USING INDEX visits_of_member \(member_id=\?\)/);
      expect(plan).toMatch(/SEARCH x USING INDEX sqlite_autoindex_suggestions_shown_1 \(visit_id=\? AND style_id=\?\)/);
      expect(plan).not.toMatch(/\bSCAN\b/);
      // Erasure's statement, and a store's report range.
      const erase = planOf(db, 'DELETE FROM suggestions_shown WHERE visit_id IN (SELECT id FROM visits WHERE member_id = ?)', 'm1');
      expect(erase).toMatch(/USING (COVERING )?INDEX visits_of_member \(member_id=\?\)/);
      expect(erase).not.toMatch(/\bSCAN\b/);
      expect(planOf(db, 'SELECT * FROM visits WHERE store_id = ? AND arrived_at >= ? AND arrived_at < ?', 'a', T0, T0 + DAY)).toContain('USING INDEX visits_store_time');
    } finally {
      db.close();
    }
  });

  it("erases a member's shown suggestions by their visits, and only theirs", async () => {
    const store = openSqliteStore(path, { log: () => {} });
    try {
      expect(await store.withTx((tx) => tx.deleteMember('m1'))).toBe(false); // no members row in this file; the rest still goes
      expect(await store.read((r) => r.assist.shownForSale('a', 'm1', 's1', T0 - DAY, T0 + 50 * DAY))).toEqual([]);
      expect(await store.read((r) => r.assist.shownOfVisit('v-m1-b-0'))).toEqual([]);
      expect(await store.read((r) => r.assist.marksOfVisits(['v-m1-a-8']))).toEqual([]);
      expect(await store.read((r) => r.assist.shownForSale('a', 'm2', 's1', T0 - DAY, T0 + 50 * DAY))).toHaveLength(10);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT COUNT(*) FROM suggestions_shown WHERE member_id = 'm1'").pluck().get()).toBe(0);
      expect(counts(db).suggestions_shown).toBe(rowsBefore.suggestions_shown! / 2);
    } finally {
      db.close();
    }
  });
});
