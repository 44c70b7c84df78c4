// The desk cache's SQL for counter check-ins (4/8 part A): a member by card code (migration 008's
// index), the queued check-ins of the outbox, and the redaction of a refused one's phone.
import type Database from 'better-sqlite3';
import type { Member } from '../../../shared/domain.ts';

interface CheckinOpRow {
  op_id: string;
  data: string;
  created_at: number;
  state: 'pending' | 'acked' | 'rejected';
  rejection: string | null;
}

export class CheckinQueries {
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.s = {
      memberByCode: db.prepare<[string], { json: string }>('SELECT json FROM members WHERE code = ? LIMIT 1'),
      ops: db.prepare<[], CheckinOpRow>("SELECT op_id, data, created_at, state, rejection FROM outbox WHERE type = 'checkin' ORDER BY ordinal"),
      setData: db.prepare<[string, string]>("UPDATE outbox SET data = ? WHERE op_id = ? AND type = 'checkin'"),
      dismiss: db.prepare<[string]>("DELETE FROM outbox WHERE type = 'checkin' AND state = 'rejected' AND visit_id = ?"),
    };
  }

  memberByCode(code: string): Member | null {
    const row = this.s.memberByCode.get(code);
    return row ? (JSON.parse(row.json) as Member) : null;
  }

  /** The check-ins in the outbox (pending, acked or refused), in clerk order. */
  ops(): CheckinOpRow[] {
    return this.s.ops.all();
  }

  setData(opId: string, data: unknown): void {
    this.s.setData.run(JSON.stringify(data), opId);
  }

  /** Drops a refused check-in (by its subject) once the clerk has read why; answers whether there was one. */
  dismiss(subject: string): boolean {
    return this.s.dismiss.run(subject).changes > 0;
  }
}
