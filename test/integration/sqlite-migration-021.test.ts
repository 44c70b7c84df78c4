// HQ's SQLite step 21 on a file written at step 20: the events table rebuilt as a rowid table with
// (store_id, seq) unique beside it, every event kept with its bytes, the log's reads answered in
// seq order from the index, a repeated (store, seq) still refused; a member's purchases read newest
// first with id breaking a tie, straight from the index (no temporary b-tree).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../hq/adapters/sqlite/migrations.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { openSqliteAtStep } from '../support/sqliteSteps.ts';

const dir = mkdtempSync(join(tmpdir(), 'footfall-migration-021-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type EventRow = { store_id: string; seq: number; epoch: string; id: string; type: string; at: number; data: string };

/** The query plan's steps for `sql`, joined. */
const planOf = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
/** The CREATE statement of the events table as the file holds it. */
const eventsDdl = (db: Database.Database) => (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").get() as { sql: string }).sql;

/** A file at step 20 with two stores' events (written interleaved, one of them 5 KB) and purchases with a tie. */
function fileAtStep20(path: string): EventRow[] {
  const db = openSqliteAtStep(path, 20);
  const rows: EventRow[] = [];
  const insert = db.prepare('INSERT INTO events (store_id, seq, epoch, id, type, at, data) VALUES (@store_id, @seq, @epoch, @id, @type, @at, @data)');
  for (let i = 1; i <= 30; i++) {
    for (const store of ['s-b', 's-a']) {
      const row = { store_id: store, seq: i, epoch: `ep-${store}`, id: `ev-${store}-${i}`, type: 'arrival', at: 1_700_000_000_000 + i, data: JSON.stringify({ n: i, pad: 'x'.repeat(i === 7 ? 5000 : 10) }) };
      insert.run(row);
      rows.push(row);
    }
  }
  const purchase = db.prepare(
    `INSERT INTO purchases (id, member_id, style_id, style_name, category, color, size, store_id, at, price)
     VALUES (?, 'm-1', 'st-1', 'Runner', 'running', 'BLK', 42, 's-a', ?, 59900)`,
  );
  // Inserted so that neither rowid nor insertion order gives the expected order.
  for (const [id, at] of [['p-c', 200], ['p-a', 300], ['p-d', 300], ['p-b', 300], ['p-e', 100]] as const) purchase.run(id, at);
  db.close();
  return rows;
}

describe('HQ SQLite migration 21', () => {
  const path = join(dir, 'hq.db');
  const written = fileAtStep20(path);

  it('rebuilds events as a rowid table keeping every event, byte for byte', () => {
    const db = new Database(path);
    try {
      expect(eventsDdl(db)).toContain('WITHOUT ROWID');
      migrate(db);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(eventsDdl(db)).not.toContain('WITHOUT ROWID');
      expect(eventsDdl(db)).toContain('UNIQUE (store_id, seq)');
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'events_v21'").get()).toBeUndefined();

      const all = db.prepare('SELECT * FROM events ORDER BY store_id, seq').all() as EventRow[];
      const expected = [...written].sort((a, b) => (a.store_id < b.store_id ? -1 : a.store_id > b.store_id ? 1 : a.seq - b.seq));
      expect(all).toEqual(expected);

      // The log's read: from the unique index, in seq order, no sort.
      const read = 'SELECT * FROM events WHERE store_id = ? AND seq > ? ORDER BY seq LIMIT +?';
      const plan = planOf(db, read, 's-a', 0, 10);
      expect(plan).toMatch(/USING INDEX sqlite_autoindex_events_1 \(store_id=\? AND seq>\?\)/);
      expect(plan).not.toContain('TEMP B-TREE');
      expect((db.prepare(read).all('s-a', 5, 4) as EventRow[]).map((e) => e.id)).toEqual(['ev-s-a-6', 'ev-s-a-7', 'ev-s-a-8', 'ev-s-a-9']);

      // A store's seq is still one row each: a second row at the same seq is refused.
      expect(() =>
        db.prepare("INSERT INTO events (store_id, seq, epoch, id, type, at, data) VALUES ('s-a', 3, 'ep-s-a', 'again', 'arrival', 0, '{}')").run(),
      ).toThrow(/UNIQUE constraint failed: events.store_id, events.seq/);
      db.prepare("INSERT INTO events (store_id, seq, epoch, id, type, at, data) VALUES ('s-a', 31, 'ep-s-a', 'ev-s-a-31', 'arrival', 0, '{}')").run();
      expect(db.prepare("SELECT MAX(seq) FROM events WHERE store_id = 's-a'").pluck().get()).toBe(31);
    } finally {
      db.close();
    }
  });

  it("reads a member's purchases newest first, id breaking a tie, from the index", () => {
    const db = new Database(path);
    try {
      const read = 'SELECT * FROM purchases WHERE member_id = ? ORDER BY at DESC, id LIMIT +?';
      const plan = planOf(db, read, 'm-1', 3);
      expect(plan).toContain('USING INDEX purchases_member (member_id=?)');
      expect(plan).not.toContain('TEMP B-TREE');
      expect((db.prepare(read).all('m-1', 4) as { id: string }[]).map((p) => p.id)).toEqual(['p-a', 'p-b', 'p-d', 'p-c']);
    } finally {
      db.close();
    }
  });

  it('serves the migrated log through the store port', async () => {
    const store = openSqliteStore(path, { log: () => {} });
    try {
      const events = await store.read((r) => r.readEvents('s-b', 28, 10));
      expect(events.map((e) => [e.seq, e.id, e.epoch])).toEqual([
        [29, 'ev-s-b-29', 'ep-s-b'],
        [30, 'ev-s-b-30', 'ep-s-b'],
      ]);
    } finally {
      await store.close();
    }
  });
});
