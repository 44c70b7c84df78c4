// The expected-visit table of the desk cache (migration 014), reached as `q.expected`. HQ's rows
// only (events and snapshots write them); the Today list reads the open and lately settled ones,
// a visit's view reads the one its arrival fulfilled (the "came to try" cue).
import type Database from 'better-sqlite3';
import type { ExpectedVisit } from '../../../shared/expected.ts';
import { hasTable } from '../cache/migrate.ts';

export class ExpectedQueries {
  private prepared: ReturnType<ExpectedQueries['prepare']> | null = null;
  private tableSeen = false;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no table yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      put: db.prepare<[string, string, string | null, string, number, number, string]>(
        `INSERT INTO expected_visits (id, member_id, visit_id, status, until, received_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET visit_id = excluded.visit_id, status = excluded.status, until = excluded.until,
           received_at = excluded.received_at, json = excluded.json`,
      ),
      get: db.prepare<[string], { json: string }>('SELECT json FROM expected_visits WHERE id = ?'),
      byVisit: db.prepare<[string], { json: string }>('SELECT json FROM expected_visits WHERE visit_id = ? ORDER BY id LIMIT 1'),
      byVisits: db.prepare<[string], { visit_id: string; json: string }>(
        'SELECT visit_id, json FROM expected_visits WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY id',
      ),
      list: db.prepare<[number], { json: string }>(
        "SELECT json FROM expected_visits WHERE status = 'expected' OR received_at >= ? ORDER BY status = 'expected' DESC, until, id LIMIT 500",
      ),
      wipe: db.prepare('DELETE FROM expected_visits'),
    };
  }

  put(e: ExpectedVisit, now: number): void {
    this.s.put.run(e.id, e.member.id, e.visitId, e.status, e.until, now, JSON.stringify(e));
  }
  get(id: string): ExpectedVisit | null {
    const r = this.s.get.get(id);
    return r ? (JSON.parse(r.json) as ExpectedVisit) : null;
  }
  /** The expectation a visit fulfilled (its arrival's cue), or null. */
  byVisit(visitId: string): ExpectedVisit | null {
    // Asked once per visit view (every arrival of a resume): the table, once there, stays there, so
    // it is looked up in sqlite_master (a fresh prepare each time) only until it is found.
    if (!(this.tableSeen ||= hasExpectedTable(this.db))) return null;
    const r = this.s.byVisit.get(visitId);
    return r ? (JSON.parse(r.json) as ExpectedVisit) : null;
  }
  /** byVisit for many visits in one statement: the visits that fulfilled one, by visit id. */
  byVisits(visitIds: readonly string[]): Map<string, ExpectedVisit> {
    const out = new Map<string, ExpectedVisit>();
    if (visitIds.length === 0 || !(this.tableSeen ||= hasExpectedTable(this.db))) return out;
    for (const r of this.s.byVisits.all(JSON.stringify(visitIds))) if (!out.has(r.visit_id)) out.set(r.visit_id, JSON.parse(r.json) as ExpectedVisit);
    return out;
  }
  /** Open expectations (soonest `until` first), then those settled at or after `since`. */
  list(since: number): ExpectedVisit[] {
    return this.s.list.all(since).map((r) => JSON.parse(r.json) as ExpectedVisit);
  }
  /** A snapshot replaces HQ's rows. */
  wipe(): void {
    if (hasExpectedTable(this.db)) this.s.wipe.run();
  }
}

/** Whether the cache has reached migration 014 (privacy code also runs on caches opened at older steps in tests). */
export function hasExpectedTable(db: Database.Database): boolean {
  return hasTable(db, 'expected_visits');
}

/** Erasure (cache/privacy.ts): the member's expectations. */
export function deleteMemberExpected(db: Database.Database, memberId: string): number {
  return hasExpectedTable(db) ? db.prepare('DELETE FROM expected_visits WHERE member_id = ?').run(memberId).changes : 0;
}
/** Retention: settled expectations received before `cutoff` (open ones stay: the member may still come). */
export function purgeExpectedBefore(db: Database.Database, cutoff: number): number {
  return hasExpectedTable(db) ? db.prepare("DELETE FROM expected_visits WHERE status <> 'expected' AND received_at < ?").run(cutoff).changes : 0;
}
