// A suggestion's catalog part once per style (8/8, the desk's resume): name, category, price and
// the store's stock by size are the same in every member's suggestions of a style, and were ~70 % of
// each cached profile's row (3.8 KB, a 4 KiB page with the WAL's copy of it per arrival). The
// profile keeps the member's part (style id, colours in their size, score, reasons, picture); the
// style's part lives here, the latest any arrival brought (cache/suggestedStyles.ts).
//
// Existing profiles are split in the order they were received, so each style keeps the newest
// part a profile held, as it would have had the rows been written this way from the start.
// The split is written out here, not imported: a migration stays what it was when it shipped.
import { type Migration } from './types.ts';

interface StoredSuggestion {
  styleId: string;
  name: string;
  category: string;
  price: number;
  stockBySize: unknown;
  [own: string]: unknown;
}

export const migration019: Migration = {
  version: 19,
  name: 'suggested-styles',
  up(db) {
    db.exec(`
      CREATE TABLE suggested_styles (
        style_id     TEXT PRIMARY KEY,
        json         TEXT NOT NULL,
        received_at  INTEGER NOT NULL
      );
    `);
    const putStyle = db.prepare<[string, string, number]>(
      'INSERT INTO suggested_styles (style_id, json, received_at) VALUES (?, ?, ?) ON CONFLICT (style_id) DO UPDATE SET json = excluded.json, received_at = excluded.received_at',
    );
    const putOwn = db.prepare<[string, string]>('UPDATE profiles SET recommendations = ? WHERE member_id = ?');
    const rows = db.prepare<[], { member_id: string; recommendations: string; received_at: number }>('SELECT member_id, recommendations, received_at FROM profiles ORDER BY received_at, member_id').all();
    for (const row of rows) {
      const own = (JSON.parse(row.recommendations) as StoredSuggestion[]).map(({ name, category, price, stockBySize, ...member }) => {
        putStyle.run(member.styleId as string, JSON.stringify({ name, category, price, stockBySize }), row.received_at);
        return member;
      });
      putOwn.run(JSON.stringify(own), row.member_id);
    }
  },
};
