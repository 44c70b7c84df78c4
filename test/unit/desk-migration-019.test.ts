// Desk cache migration 019 (a suggestion's catalog part once per style, 8/8): profiles cached at
// step 18 are split — each style keeps the newest part a profile held — and read back whole; and
// what the table is for: a profile's suggestions written and read back unchanged, a part that did
// not change not written again, a newer one shown in every member's suggestions of the style, a
// rolled-back transaction not remembered as written, and a wipe emptying it.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { CacheQueries } from '../../electron/desk/cache/queries.ts';
import type { Recommendation } from '../../shared/domain.ts';
import { member } from '../support/builders.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig19-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const IMAGE = { id: 'a'.repeat(64), mime: 'image/png' as const, bytes: 1200 };
const rec = (styleId: string, stock: number, over: Partial<Recommendation> = {}): Recommendation => ({
  styleId,
  name: `Style ${styleId}`,
  category: 'running',
  price: 59900,
  colors: [{ code: 'blk', name: 'Black' }],
  stockBySize: [
    { size: 40, qty: stock },
    { size: 41, qty: 1 },
  ],
  score: 3.5,
  reasons: [{ code: 'size_in_stock', size: 40, qty: Math.max(1, stock) }],
  image: IMAGE,
  ...over,
});

const styleRows = (db: Database.Database) => db.prepare('SELECT style_id, json, received_at FROM suggested_styles ORDER BY style_id').all() as Array<{ style_id: string; json: string; received_at: number }>;

describe('desk cache migration 019 (suggested styles)', () => {
  it('splits the profiles cached at step 18, the newest part of each style kept, and reads them back whole', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 18 });
    const put = db.prepare('INSERT INTO profiles (member_id, purchases, recommendations, received_at) VALUES (?, ?, ?, ?)');
    const m1 = [rec('s1', 2), rec('s2', 5, { image: null, colors: [] })];
    const m2 = [rec('s1', 7, { score: 1, reasons: [{ code: 'new_arrival' }] })];
    const m3 = [rec('s3', 1, { image: undefined })];
    delete m3[0]!.image; // a row from before pictures: no `image` key at all
    put.run('m2', '[]', JSON.stringify(m2), 20);
    put.run('m1', '[]', JSON.stringify(m1), 10);
    put.run('m3', '[]', JSON.stringify(m3), 30);
    put.run('m4', '[]', '[]', 40);
    db.prepare("INSERT INTO members (id, code, name, updated_at, json) VALUES ('m0', 'c0', 'x', 1, '{}')").run();

    expect(migrate(db, { target: 19 })).toBe(19);
    // The rows keep only the member's part…
    const own = db.prepare("SELECT recommendations FROM profiles WHERE member_id = 'm1'").pluck().get() as string;
    expect(JSON.parse(own)).toEqual([
      { styleId: 's1', colors: [{ code: 'blk', name: 'Black' }], score: 3.5, reasons: [{ code: 'size_in_stock', size: 40, qty: 2 }], image: IMAGE },
      { styleId: 's2', colors: [], score: 3.5, reasons: [{ code: 'size_in_stock', size: 40, qty: 5 }], image: null },
    ]);
    // …and each style its part once: s1 as m2's (received later) had it.
    expect(styleRows(db)).toEqual([
      { style_id: 's1', json: JSON.stringify({ name: 'Style s1', category: 'running', price: 59900, stockBySize: m2[0]!.stockBySize }), received_at: 20 },
      { style_id: 's2', json: JSON.stringify({ name: 'Style s2', category: 'running', price: 59900, stockBySize: m1[1]!.stockBySize }), received_at: 10 },
      { style_id: 's3', json: JSON.stringify({ name: 'Style s3', category: 'running', price: 59900, stockBySize: m3[0]!.stockBySize }), received_at: 30 },
    ]);
    migrate(db); // the latest schema, for CacheQueries
    const q = new CacheQueries(db);
    for (const id of ['m1', 'm2', 'm3', 'm4']) q.upsertMember(member(id));
    expect(q.getProfile('m2')!.recommendations).toEqual(m2);
    expect(JSON.stringify(q.getProfile('m3')!.recommendations)).toBe(JSON.stringify(m3)); // key for key, in the schema's order
    // m1's s1 shows the newer stock (m2's arrival came later); everything of m1's own is its own.
    expect(q.getProfile('m1')!.recommendations).toEqual([{ ...m1[0], stockBySize: m2[0]!.stockBySize }, m1[1]]);
    expect(q.getProfile('m4')!.recommendations).toEqual([]);
    db.close();
  });

  it('writes a style part only when it changed, shows the newest in every profile, forgets a rolled-back write and is emptied with HQ state', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new CacheQueries(db);
    const a = [rec('s1', 2), rec('s2', 4)];
    q.upsertProfile({ member: member('m1'), purchases: [], recommendations: a }, 100);
    expect(JSON.stringify(q.getProfile('m1')!.recommendations)).toBe(JSON.stringify(a));
    expect(styleRows(db).map((r) => [r.style_id, r.received_at])).toEqual([
      ['s1', 100],
      ['s2', 100],
    ]);

    // The same parts for another member: only the profile's row is written (received_at stays 100).
    const b = [rec('s2', 4, { score: 9, colors: [] }), rec('s1', 2, { reasons: [{ code: 'popular_in_store' }] })];
    q.upsertProfile({ member: member('m2'), purchases: [], recommendations: b }, 200);
    expect(styleRows(db).map((r) => r.received_at)).toEqual([100, 100]);
    expect(q.getProfile('m2')!.recommendations).toEqual(b);

    // s1's stock moved: written, and m1's suggestion of s1 now shows it.
    q.upsertProfile({ member: member('m3'), purchases: [], recommendations: [rec('s1', 0)] }, 300);
    expect(styleRows(db).map((r) => [r.style_id, r.received_at])).toEqual([
      ['s1', 300],
      ['s2', 100],
    ]);
    expect(q.getProfile('m1')!.recommendations[0]!.stockBySize).toEqual(rec('s1', 0).stockBySize);

    // A transaction that rolls back after writing a new part: the table keeps the old one, and the
    // same part offered again afterwards is written (memory did not keep the rolled-back write).
    expect(() =>
      q.tx(() => {
        q.upsertProfile({ member: member('m4'), purchases: [], recommendations: [rec('s2', 9)] }, 400);
        throw new Error('disk says no');
      }),
    ).toThrow('disk says no');
    expect(styleRows(db).find((r) => r.style_id === 's2')!.received_at).toBe(100);
    q.upsertProfile({ member: member('m4'), purchases: [], recommendations: [rec('s2', 9)] }, 500);
    expect(styleRows(db).find((r) => r.style_id === 's2')!.received_at).toBe(500);
    const reopened = new CacheQueries(db);
    expect(reopened.getProfile('m2')!.recommendations[0]!.stockBySize).toEqual(rec('s2', 9).stockBySize);

    q.wipeHqState();
    expect(styleRows(db)).toEqual([]);
    db.close();
  });
});
