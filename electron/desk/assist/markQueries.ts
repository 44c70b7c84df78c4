// The suggestion-mark table of the desk cache (migration 016, 7/8), reached as `q.marks`. HQ's rows
// only (`suggest.marked` events and snapshots write them); a visit's card reads its marks back, with
// this desk's queued marks laid over them (markViews.ts).
import type Database from 'better-sqlite3';
import type { SuggestionMark } from '../../../shared/assist.ts';
import { hasTable } from '../cache/migrate.ts';

export class MarkQueries {
  private prepared: ReturnType<MarkQueries['prepare']> | null = null;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no table yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      // A mark replaces the one before it on the same (visit, style) — unless it is older: events
      // come in log order, but a snapshot's and a replayed event's must not turn a verdict back.
      put: db.prepare<[string, string, string, number, string]>(
        `INSERT INTO suggestion_marks (visit_id, style_id, member_id, at, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (visit_id, style_id) DO UPDATE SET member_id = excluded.member_id, at = excluded.at, json = excluded.json
         WHERE excluded.at >= suggestion_marks.at`,
      ),
      ofVisit: db.prepare<[string], { json: string }>('SELECT json FROM suggestion_marks WHERE visit_id = ? ORDER BY at, style_id'),
      wipe: db.prepare('DELETE FROM suggestion_marks'),
    };
  }

  put(m: SuggestionMark): void {
    this.s.put.run(m.visitId, m.styleId, m.memberId, m.at, JSON.stringify(m));
  }
  /** The confirmed marks of a visit, oldest first. */
  ofVisit(visitId: string): SuggestionMark[] {
    if (!hasMarkTable(this.db)) return [];
    return this.s.ofVisit.all(visitId).map((r) => JSON.parse(r.json) as SuggestionMark);
  }
  /** A snapshot replaces HQ's rows. */
  wipe(): void {
    if (hasMarkTable(this.db)) this.s.wipe.run();
  }
}

/** Whether the cache has reached migration 016 (privacy code also runs on caches opened at older steps in tests). */
export function hasMarkTable(db: Database.Database): boolean {
  return hasTable(db, 'suggestion_marks');
}

/** Erasure (cache/privacy.ts): the member's marks. */
export function deleteMemberMarks(db: Database.Database, memberId: string): number {
  return hasMarkTable(db) ? db.prepare('DELETE FROM suggestion_marks WHERE member_id = ?').run(memberId).changes : 0;
}
/** Retention: marks made before `cutoff` (their visits are gone by then too). */
export function purgeMarksBefore(db: Database.Database, cutoff: number): number {
  return hasMarkTable(db) ? db.prepare('DELETE FROM suggestion_marks WHERE at < ?').run(cutoff).changes : 0;
}
