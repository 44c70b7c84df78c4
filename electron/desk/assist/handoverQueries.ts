// The hand-over table of the desk cache (migration 018), reached as `q.handovers` (7/8 assistant).
// HQ's rows only (`assist.handover` events and `Snapshot.handovers` write them, whole): the chat
// list marks a conversation whose hand-over is waiting, the chat pane shows its banner.
import type Database from 'better-sqlite3';
import type { Handover } from '../../../shared/assist.ts';
import { hasTable } from '../cache/migrate.ts';

export class HandoverQueries {
  private prepared: ReturnType<HandoverQueries['prepare']> | null = null;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no table yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      // A settled one replaces its waiting row by id; a waiting one replaces any other waiting row of
      // the member (HQ keeps one per conversation, and its events come in order).
      dropWaiting: db.prepare<[string, string]>('DELETE FROM handovers WHERE member_id = ? AND settled_at IS NULL AND id <> ?'),
      put: db.prepare<[string, string, number, number | null, string]>(
        `INSERT INTO handovers (id, member_id, at, settled_at, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET settled_at = excluded.settled_at, json = excluded.json`,
      ),
      waitingOf: db.prepare<[string], { json: string }>('SELECT json FROM handovers WHERE member_id = ? AND settled_at IS NULL'),
      waiting: db.prepare<[], { json: string }>('SELECT json FROM handovers WHERE settled_at IS NULL ORDER BY at, id LIMIT 500'),
      wipe: db.prepare('DELETE FROM handovers'),
    };
  }

  put(h: Handover): void {
    if (h.settledAt === null) this.s.dropWaiting.run(h.memberId, h.id);
    this.s.put.run(h.id, h.memberId, h.at, h.settledAt, JSON.stringify(h));
  }
  /** The member's conversation's waiting hand-over, or null. */
  waitingOf(memberId: string): Handover | null {
    const r = this.s.waitingOf.get(memberId);
    return r ? (JSON.parse(r.json) as Handover) : null;
  }
  /** Every waiting hand-over, oldest first. */
  waiting(): Handover[] {
    return this.s.waiting.all().map((r) => JSON.parse(r.json) as Handover);
  }
  wipe(): void {
    this.s.wipe.run();
  }
}

/** Erasure (`member.deleted`, cache/privacy.ts): a hand-over quotes the member's question, so theirs go. */
export function deleteMemberHandovers(db: Database.Database, memberId: string): number {
  if (!hasTable(db, 'handovers')) return 0;
  return db.prepare('DELETE FROM handovers WHERE member_id = ?').run(memberId).changes;
}

/** Retention: settled hand-overs from before the cutoff go (a waiting one stays until a clerk answers). */
export function purgeHandoversBefore(db: Database.Database, cutoff: number): number {
  if (!hasTable(db, 'handovers')) return 0;
  return db.prepare('DELETE FROM handovers WHERE settled_at IS NOT NULL AND at < ?').run(cutoff).changes;
}
