// Desk cache migration 012 (style pictures): its table, that data written at step 11 survives it,
// which pictures the cache lacks (named by cached suggestions and product cards), and the
// retention purge (kept while a card names it or it was used recently).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { PictureQueries, purgeStyleImages } from '../../electron/desk/pictures/pictureQueries.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig12-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const id = (c: string) => c.repeat(64);
const rec = (styleId: string, imageId: string | null) => ({ styleId, name: styleId, category: 'running', price: 1, colors: [], stockBySize: [], score: 1, reasons: [{ code: 'new_arrival' }], image: imageId ? { id: imageId, mime: 'image/png', bytes: 10 } : null });

describe('desk cache migration 012 (pictures)', () => {
  it('adds style_images and keeps step-11 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 11 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    db.prepare("INSERT INTO profiles (member_id, purchases, recommendations, received_at) VALUES ('m1', '[]', ?, 1)").run(JSON.stringify([rec('s1', null)]));
    expect(migrate(db, { target: 12 })).toBe(12);
    const cols = (db.prepare('PRAGMA table_info(style_images)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toEqual(['id', 'mime', 'data', 'fetched_at', 'used_at']);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM profiles').get()).toEqual({ n: 1 });
    db.close();
  });

  it('knows which named pictures it lacks, and purges only the unnamed ones unused since the cutoff', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const pq = new PictureQueries(db);
    // A profile naming a and b (and one suggestion without a picture); a chat card naming c.
    db.prepare("INSERT INTO profiles (member_id, purchases, recommendations, received_at) VALUES ('m1', '[]', ?, 1)").run(JSON.stringify([rec('s1', id('a')), rec('s2', id('b')), rec('s3', null)]));
    db.prepare("INSERT INTO chat_messages (id, member_id, n, sender, json) VALUES ('msg1', 'm1', 1, 'clerk', ?)").run(
      JSON.stringify({ id: 'msg1', at: 5000, kind: 'product', product: { styleId: 's4', image: { id: id('c'), mime: 'image/png', bytes: 3 } } }),
    );
    expect(pq.missing(10).sort()).toEqual([id('a'), id('b'), id('c')]);
    // The same for some members' cards only (what a change set looks at).
    db.prepare("INSERT INTO profiles (member_id, purchases, recommendations, received_at) VALUES ('m2', '[]', ?, 1)").run(JSON.stringify([rec('s9', id('f'))]));
    expect(pq.missingFor(['m2'])).toEqual([id('f')]);
    expect(pq.missingFor(['m1']).sort()).toEqual([id('a'), id('b'), id('c')]);
    expect(pq.missingFor(['nobody'])).toEqual([]);
    expect(pq.missingFor([])).toEqual([]);
    db.prepare("DELETE FROM profiles WHERE member_id = 'm2'").run();
    pq.put(id('a'), 'image/png', Buffer.from([1, 2, 3]), 1000);
    pq.put(id('d'), 'image/png', Buffer.from([4]), 1000); // named by nothing any more
    pq.put(id('e'), 'image/png', Buffer.from([5]), 9000); // named by nothing, but shown recently
    expect(pq.missing(10).sort()).toEqual([id('b'), id('c')]);
    expect(pq.get(id('a'))).toMatchObject({ mime: 'image/png', data: Buffer.from([1, 2, 3]) });

    expect(purgeStyleImages(db, 5000)).toBe(1);
    expect([id('a'), id('d'), id('e')].map((x) => pq.has(x))).toEqual([true, false, true]);

    // The scheduled purge drops it too, once the card naming it is gone.
    pq.put(id('c'), 'image/png', Buffer.from([6]), 1000);
    purgeOlderThan(db, 6000, null); // the chat message (at 5000) goes, and with it the name of c
    expect(pq.has(id('c'))).toBe(false);
    expect(pq.has(id('e'))).toBe(true);
    db.close();
  });
});
