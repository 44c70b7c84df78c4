// The desk cache's style-picture SQL (table of migration 012), each statement prepared once.
// Which pictures the cache should hold is read off what it already holds: the suggestions of
// cached profiles and the product cards of cached chat messages.
import type Database from 'better-sqlite3';
import { hasTable } from '../cache/migrate.ts';

/** The picture ids the cache's suggestions and product cards name (json paths into their rows). */
const REFERENCED = `
  SELECT json_extract(r.value, '$.image.id') AS id FROM profiles p, json_each(p.recommendations) r
   WHERE json_extract(r.value, '$.image.id') IS NOT NULL
  UNION
  SELECT json_extract(m.json, '$.product.image.id') AS id FROM chat_messages m
   WHERE json_extract(m.json, '$.product.image.id') IS NOT NULL`;

/** The same, for the cards of some members only (a JSON array of member ids): an arrival's, a chat's. */
const REFERENCED_BY = `
  SELECT json_extract(r.value, '$.image.id') AS id FROM profiles p, json_each(p.recommendations) r
   WHERE p.member_id IN (SELECT value FROM json_each(@ids)) AND json_extract(r.value, '$.image.id') IS NOT NULL
  UNION
  SELECT json_extract(m.json, '$.product.image.id') AS id FROM chat_messages m
   WHERE m.member_id IN (SELECT value FROM json_each(@ids)) AND json_extract(m.json, '$.product.image.id') IS NOT NULL`;

export class PictureQueries {
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.s = {
      get: db.prepare<[string], { mime: string; data: Buffer; used_at: number }>('SELECT mime, data, used_at FROM style_images WHERE id = ?'),
      has: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM style_images WHERE id = ?'),
      touch: db.prepare<[number, string]>('UPDATE style_images SET used_at = ? WHERE id = ?'),
      put: db.prepare<[string, string, Buffer, number, number]>(
        `INSERT INTO style_images (id, mime, data, fetched_at, used_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET used_at = excluded.used_at`,
      ),
      missing: db.prepare<[number], { id: string }>(`SELECT id FROM (${REFERENCED}) WHERE id NOT IN (SELECT id FROM style_images) LIMIT +?`),
      missingFor: db.prepare<[{ ids: string }], { id: string }>(`SELECT id FROM (${REFERENCED_BY}) WHERE id NOT IN (SELECT id FROM style_images)`),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM style_images'),
    };
  }

  /** A cached picture, or null. */
  get(id: string): { mime: string; data: Buffer; used_at: number } | null {
    return this.s.get.get(id) ?? null;
  }

  has(id: string): boolean {
    return this.s.has.get(id) !== undefined;
  }

  /** The picture was shown (or named) now: it counts as used for the retention purge. */
  touch(id: string, now: number): void {
    this.s.touch.run(now, id);
  }

  put(id: string, mime: string, data: Buffer, now: number): void {
    this.s.put.run(id, mime, data, now, now);
  }

  /** Picture ids a cached suggestion or product card names that the cache lacks. */
  missing(limit: number): string[] {
    return this.s.missing.all(limit).map((r) => r.id);
  }

  /** The same for the cards of these members only: cheap enough for every change set. */
  missingFor(memberIds: readonly string[]): string[] {
    return memberIds.length ? this.s.missingFor.all({ ids: JSON.stringify(memberIds) }).map((r) => r.id) : [];
  }

  count(): number {
    return this.s.count.get()!.n;
  }
}

/**
 * Retention (cache/privacy.ts): drops pictures not used since `cutoff` that no cached suggestion or
 * product card names any more. A picture still referenced stays, however old: it is catalog, not
 * member data, and the card showing it would otherwise show the placeholder offline.
 */
export function purgeStyleImages(db: Database.Database, cutoff: number): number {
  // A cache file before step 012 (the migration tests purge at earlier steps) has no pictures.
  if (!hasTable(db, 'style_images')) return 0;
  return db.prepare(`DELETE FROM style_images WHERE used_at < ? AND id NOT IN (${REFERENCED})`).run(cutoff).changes;
}
