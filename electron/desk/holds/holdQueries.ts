// The hold tables of the desk cache (migration 010), reached as `q.holds`. Holds and requests are
// HQ's (written by events and snapshots only); labels are the desk's own, for showing queued actions.
import type Database from 'better-sqlite3';
import type { Hold, HoldRequest } from '../../../shared/holds.ts';
import { hasTable } from '../cache/migrate.ts';

/** How a queued hold action is shown before HQ answers: the names the desk would otherwise not have. */
export interface HoldLabel {
  member: Hold['member'];
  styleId: string;
  styleName: string;
  color: string;
  colorName: string;
  size: number;
  days: number;
  /** A cross-store request: the store asked. */
  toStoreId?: string;
  toStoreName?: string;
}

export class HoldQueries {
  private prepared: ReturnType<HoldQueries['prepare']> | null = null;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no hold tables yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      putHold: db.prepare<[string, string, string, number, number | null, string]>(
        `INSERT INTO holds (id, member_id, status, until, ended_at, json) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, until = excluded.until, ended_at = excluded.ended_at, json = excluded.json`,
      ),
      getHold: db.prepare<[string], { json: string }>('SELECT json FROM holds WHERE id = ?'),
      active: db.prepare<[], { json: string }>("SELECT json FROM holds WHERE status = 'active' ORDER BY until, id"),
      ofMember: db.prepare<[string], { json: string }>('SELECT json FROM holds WHERE member_id = ? ORDER BY until DESC, id'),
      putRequest: db.prepare<[string, string, string, number, string]>(
        `INSERT INTO hold_requests (id, member_id, status, requested_at, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, json = excluded.json`,
      ),
      getRequest: db.prepare<[string], { json: string }>('SELECT json FROM hold_requests WHERE id = ?'),
      // Requests from other stores still to answer here: pending, and no answer of ours queued
      // (a refused answer leaves it to answer again). Few rows: pending requests only.
      toAnswer: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM hold_requests r
          WHERE r.status = 'pending' AND json_extract(r.json, '$.toStoreId') = ?
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.visit_id = 'hold:' || r.id AND o.type = 'hold.answer' AND o.state != 'rejected')`,
      ),
      requests: db.prepare<[number], { json: string }>("SELECT json FROM hold_requests WHERE status = 'pending' OR requested_at >= ? ORDER BY requested_at DESC, id"),
      putLabel: db.prepare<[string, string, number, string]>('INSERT OR REPLACE INTO hold_labels (id, member_id, created_at, json) VALUES (?, ?, ?, ?)'),
      getLabel: db.prepare<[string], { json: string }>('SELECT json FROM hold_labels WHERE id = ?'),
      wipeHolds: db.prepare('DELETE FROM holds'),
      wipeRequests: db.prepare('DELETE FROM hold_requests'),
    };
  }

  putHold(h: Hold): void {
    this.s.putHold.run(h.id, h.member.id, h.status, h.until, h.endedAt, JSON.stringify(h));
  }
  getHold(id: string): Hold | null {
    const row = this.s.getHold.get(id);
    return row ? (JSON.parse(row.json) as Hold) : null;
  }
  activeHolds(): Hold[] {
    return this.s.active.all().map((r) => JSON.parse(r.json) as Hold);
  }
  holdsOfMember(memberId: string): Hold[] {
    return this.s.ofMember.all(memberId).map((r) => JSON.parse(r.json) as Hold);
  }
  putRequest(r: HoldRequest): void {
    this.s.putRequest.run(r.id, r.member.id, r.status, r.requestedAt, JSON.stringify(r));
  }
  getRequest(id: string): HoldRequest | null {
    const row = this.s.getRequest.get(id);
    return row ? (JSON.parse(row.json) as HoldRequest) : null;
  }
  /** Pending requests, and answered ones asked at or after `since`; newest first. */
  /** Requests other stores made of `storeId` that wait for its answer (none queued here yet). */
  countToAnswer(storeId: string): number {
    return this.s.toAnswer.get(storeId)!.n;
  }

  requests(since: number): HoldRequest[] {
    return this.s.requests.all(since).map((r) => JSON.parse(r.json) as HoldRequest);
  }
  putLabel(id: string, label: HoldLabel, now: number): void {
    this.s.putLabel.run(id, label.member.id, now, JSON.stringify(label));
  }
  label(id: string): HoldLabel | null {
    const row = this.s.getLabel.get(id);
    return row ? (JSON.parse(row.json) as HoldLabel) : null;
  }
  /** A snapshot replaces HQ's rows (labels are the desk's and stay). */
  wipe(): void {
    if (!hasHoldTables(this.db)) return; // a cache at an older step (migration tests)
    this.s.wipeHolds.run();
    this.s.wipeRequests.run();
  }
}

/** Whether the cache has reached migration 010 (privacy code also runs on caches opened at older steps in tests). */
export function hasHoldTables(db: Database.Database): boolean {
  return hasTable(db, 'holds');
}

/** Erasure and retention (cache/privacy.ts): a member's rows, and ended holds, answered requests and labels older than `cutoff`. */
export function deleteMemberHolds(db: Database.Database, memberId: string): number {
  if (!hasHoldTables(db)) return 0;
  let n = 0;
  for (const table of ['holds', 'hold_requests', 'hold_labels']) n += db.prepare(`DELETE FROM ${table} WHERE member_id = ?`).run(memberId).changes;
  return n;
}
export function purgeHoldsBefore(db: Database.Database, cutoff: number): number {
  if (!hasHoldTables(db)) return 0;
  return (
    db.prepare("DELETE FROM holds WHERE status <> 'active' AND ended_at < ?").run(cutoff).changes +
    db.prepare("DELETE FROM hold_requests WHERE status <> 'pending' AND requested_at < ?").run(cutoff).changes +
    db.prepare('DELETE FROM hold_labels WHERE created_at < ?').run(cutoff).changes
  );
}
