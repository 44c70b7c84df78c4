// A suggestion's two parts in the desk cache (migration 019): the style's — name, category, price,
// the store's stock by size — kept once per style in `suggested_styles`, and the member's — style
// id, colours in their size, score, reasons, picture — kept in their profile's row.
//
// Invariant: `join(split(list))` gives back `list` as long as no later arrival brought another part
// for one of its styles; when one did, the suggestion shows the newer part (the stock the desk heard
// of last, which is the better answer to "is it on the shelf?" than the one of the member's arrival).
//
// Why: the style's part is the same in every member's suggestions and was ~70 % of a cached
// profile's row; at one 4 KiB page (and its WAL copy) per arrival it was most of what a resume wrote.
// A part the table already holds is not written again: the last one written is kept in memory per
// style and compared field by field, so an arrival whose styles' stock did not change writes only its
// profile's row (and stringifies only the member's part).
import type Database from 'better-sqlite3';
import type { Recommendation } from '../../../shared/domain.ts';

/** The style's part of a suggestion: the same for every member it is suggested to. */
export type StylePart = Pick<Recommendation, 'name' | 'category' | 'price' | 'stockBySize'>;
/** The member's part, as their profile's row keeps it. */
export type OwnPart = Omit<Recommendation, keyof StylePart>;

function samePart(a: StylePart, b: StylePart): boolean {
  if (a.name !== b.name || a.category !== b.category || a.price !== b.price || a.stockBySize.length !== b.stockBySize.length) return false;
  for (let i = 0; i < a.stockBySize.length; i++) {
    const x = a.stockBySize[i]!;
    const y = b.stockBySize[i]!;
    if (x.size !== y.size || x.qty !== y.qty) return false;
  }
  return true;
}

export class SuggestedStyles {
  private readonly s;
  /** Parts as the table holds them (read or written), by style id; `forget` empties it. */
  private readonly known = new Map<string, StylePart>();

  constructor(db: Database.Database) {
    this.s = {
      get: db.prepare<[string], { json: string }>('SELECT json FROM suggested_styles WHERE style_id = ?'),
      put: db.prepare<[string, string, number]>(
        'INSERT INTO suggested_styles (style_id, json, received_at) VALUES (?, ?, ?) ON CONFLICT (style_id) DO UPDATE SET json = excluded.json, received_at = excluded.received_at',
      ),
      wipe: db.prepare('DELETE FROM suggested_styles'),
    };
  }

  private part(styleId: string): StylePart | undefined {
    let part = this.known.get(styleId);
    if (part) return part;
    const row = this.s.get.get(styleId);
    if (!row) return undefined;
    part = JSON.parse(row.json) as StylePart;
    this.known.set(styleId, part);
    return part;
  }

  /** Keeps each suggestion's style part (written only when it changed); answers the members' parts to store. */
  split(list: readonly Recommendation[], receivedAt: number): OwnPart[] {
    return list.map(({ name, category, price, stockBySize, ...own }) => {
      const part: StylePart = { name, category, price, stockBySize };
      const kept = this.part(own.styleId);
      if (!kept || !samePart(kept, part)) {
        this.s.put.run(own.styleId, JSON.stringify(part), receivedAt);
        this.known.set(own.styleId, part);
      }
      return own;
    });
  }

  /** The suggestions again, in their order and the schema's key order; one whose style part is gone is left out. */
  join(own: readonly OwnPart[]): Recommendation[] {
    const out: Recommendation[] = [];
    for (const o of own) {
      const part = this.part(o.styleId);
      if (!part) continue;
      const r: Recommendation = { styleId: o.styleId, name: part.name, category: part.category, price: part.price, colors: o.colors, stockBySize: part.stockBySize, score: o.score, reasons: o.reasons };
      if (o.image !== undefined) r.image = o.image;
      out.push(r);
    }
    return out;
  }

  /** After a rolled-back transaction: what memory says was written may not be in the table. */
  forget(): void {
    this.known.clear();
  }

  wipe(): void {
    this.s.wipe.run();
    this.known.clear();
  }
}
