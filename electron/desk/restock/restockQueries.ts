// The restock-match tables of the desk cache (migration 017), reached as `q.restock`. HQ's rows
// only: `restock.matched` / `restock.updated` events and the snapshot write them whole; the list
// reads them newest first; erasure and retention go through the functions below.
import type Database from 'better-sqlite3';
import type { RestockMatch } from '../../../shared/assist.ts';
import { hasTable } from '../cache/migrate.ts';

export class RestockQueries {
  private prepared: ReturnType<RestockQueries['prepare']> | null = null;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no table yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      put: db.prepare<[string, number, string]>('INSERT INTO restock_matches (id, at, json) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json'),
      clearMembers: db.prepare<[string]>('DELETE FROM restock_match_members WHERE match_id = ?'),
      addMember: db.prepare<[string, string]>('INSERT OR IGNORE INTO restock_match_members (member_id, match_id) VALUES (?, ?)'),
      get: db.prepare<[string], { json: string }>('SELECT json FROM restock_matches WHERE id = ?'),
      list: db.prepare<[number], { json: string }>('SELECT json FROM restock_matches WHERE at >= ? ORDER BY at DESC, id DESC LIMIT 200'),
      wipe: db.prepare('DELETE FROM restock_matches'),
      wipeMembers: db.prepare('DELETE FROM restock_match_members'),
    };
  }

  /** Insert or replace a match as HQ has it now. */
  put(m: RestockMatch): void {
    this.s.put.run(m.id, m.at, JSON.stringify(m));
    this.s.clearMembers.run(m.id);
    for (const x of m.members) this.s.addMember.run(x.memberId, m.id);
  }
  get(id: string): RestockMatch | null {
    const r = this.s.get.get(id);
    return r ? (JSON.parse(r.json) as RestockMatch) : null;
  }
  /** Matches made at or after `since`, newest first. */
  list(since: number): RestockMatch[] {
    return this.s.list.all(since).map((r) => JSON.parse(r.json) as RestockMatch);
  }
  /** A snapshot replaces HQ's rows. */
  wipe(): void {
    if (!hasRestockTables(this.db)) return;
    this.s.wipe.run();
    this.s.wipeMembers.run();
  }
}

/** Whether the cache has reached migration 017 (privacy code also runs on caches opened at older steps in tests). */
export function hasRestockTables(db: Database.Database): boolean {
  return hasTable(db, 'restock_matches');
}

/** Erasure (cache/privacy.ts): the member leaves every match (members and what was done about them). */
export function deleteMemberRestock(db: Database.Database, memberId: string): number {
  if (!hasRestockTables(db)) return 0;
  const q = new RestockQueries(db);
  const ids = db.prepare<[string], { match_id: string }>('SELECT match_id FROM restock_match_members WHERE member_id = ?').all(memberId);
  for (const { match_id } of ids) {
    const m = q.get(match_id);
    if (m) q.put({ ...m, members: m.members.filter((x) => x.memberId !== memberId), done: m.done.filter((d) => d.memberId !== memberId) });
  }
  return ids.length;
}

/** Retention: matches made before `cutoff`, with their member rows. */
export function purgeRestockBefore(db: Database.Database, cutoff: number): number {
  if (!hasRestockTables(db)) return 0;
  db.prepare('DELETE FROM restock_match_members WHERE match_id IN (SELECT id FROM restock_matches WHERE at < ?)').run(cutoff);
  return db.prepare('DELETE FROM restock_matches WHERE at < ?').run(cutoff).changes;
}
