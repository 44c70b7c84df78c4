// What HQ holds at the end of a fault run, read straight from its database (the SQLite file of the
// single-node run, or the cluster's PostgreSQL schema): the store's log, every op, the visits and
// the chat messages the harness checks the desks against.
import Database from 'better-sqlite3';
import pg from 'pg';

export interface HqVisit {
  id: string;
  status: string;
  claimedBy: string | null;
  outcome: string | null;
  arrivals: number;
  notes: string[];
}

export interface HqMessage {
  id: string;
  memberId: string;
  n: number;
  sender: 'member' | 'clerk';
  clientId: string;
  by: string | null;
}

/** What an event says of the visit it carries (arrival and visit.* events), as the log has it. */
export interface LoggedVisit {
  id: string;
  memberId: string;
  status: string;
  arrivedAt: number;
  lastSeenAt: number;
}

export interface HqEvent {
  seq: number;
  type: string;
  opId: string | null;
  visit: LoggedVisit | null;
  /** member.deleted: the member erased. */
  deletedMember: string | null;
}

export interface HqTruth {
  epoch: string;
  head: number;
  events: HqEvent[];
  ops: Map<string, { status: string; seq: number | null }>;
  visits: Map<string, HqVisit>;
  messages: HqMessage[];
}

interface Rows {
  store: { epoch: string; head: number };
  events: { seq: number; type: string; data: string }[];
  ops: { device_id: string; op_id: string; status: string; seq: number | null }[];
  notes: { id: string; visit_id: string }[];
  visits: Record<string, unknown>[];
  messages: HqMessage[];
}

function assemble(rows: Rows): HqTruth {
  const events = rows.events.map((e): HqEvent => {
    const data = JSON.parse(e.data) as { opId?: string | null; visit?: LoggedVisit; memberId?: string };
    const v = data.visit;
    return {
      seq: e.seq,
      type: e.type,
      opId: data.opId ?? null,
      visit: v ? { id: v.id, memberId: v.memberId, status: v.status, arrivedAt: v.arrivedAt, lastSeenAt: v.lastSeenAt } : null,
      deletedMember: e.type === 'member.deleted' ? (data.memberId ?? null) : null,
    };
  });
  const ops = new Map<string, { status: string; seq: number | null }>();
  for (const o of rows.ops) ops.set(`${o.device_id}/${o.op_id}`, { status: o.status, seq: o.seq });
  const notes = new Map<string, string[]>();
  for (const n of rows.notes) notes.set(n.visit_id, [...(notes.get(n.visit_id) ?? []), n.id]);
  const visits = new Map<string, HqVisit>();
  for (const v of rows.visits) {
    const id = v.id as string;
    visits.set(id, {
      id,
      status: v.status as string,
      claimedBy: v.claimed_by ? (JSON.parse(v.claimed_by as string) as { deviceId: string }).deviceId : null,
      outcome: (v.outcome as string | null) ?? null,
      arrivals: Number(v.arrivals),
      notes: (notes.get(id) ?? []).sort(),
    });
  }
  return { epoch: rows.store.epoch, head: rows.store.head, events, ops, visits, messages: rows.messages };
}

export function readSqliteTruth(dbPath: string, storeId: string): HqTruth {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return assemble({
      store: db.prepare('SELECT epoch, head FROM stores WHERE id = ?').get(storeId) as { epoch: string; head: number },
      events: db.prepare('SELECT seq, type, data FROM events WHERE store_id = ? ORDER BY seq').all(storeId) as Rows['events'],
      ops: db.prepare('SELECT device_id, op_id, status, seq FROM ops').all() as Rows['ops'],
      notes: db.prepare('SELECT id, visit_id FROM notes').all() as Rows['notes'],
      visits: db.prepare('SELECT * FROM visits WHERE store_id = ?').all(storeId) as Rows['visits'],
      messages: db
        .prepare('SELECT id, member_id AS memberId, n, sender, client_id AS clientId, by FROM messages WHERE store_id = ? ORDER BY member_id, n')
        .all(storeId) as HqMessage[],
    });
  } finally {
    db.close();
  }
}

/** The same from a cluster's PostgreSQL schema (BIGINT columns arrive as strings: made numbers). */
export async function readPgTruth(url: string, schema: string, storeId: string): Promise<HqTruth> {
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const q = async <T>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    // One snapshot of everything: the nodes are still running, and a desk's last ack (a chat
    // receipt event) can land between two of these reads.
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const store = (await q<{ epoch: string; head: string }>('SELECT epoch, head FROM stores WHERE id = $1', [storeId]))[0]!;
    const truth = assemble({
      store: { epoch: store.epoch, head: Number(store.head) },
      events: (await q<{ seq: string; type: string; data: string }>('SELECT seq, type, data FROM events WHERE store_id = $1 ORDER BY seq', [storeId])).map((e) => ({ ...e, seq: Number(e.seq) })),
      ops: (await q<{ device_id: string; op_id: string; status: string; seq: string | null }>('SELECT device_id, op_id, status, seq FROM ops')).map((o) => ({ ...o, seq: num(o.seq) })),
      notes: await q<{ id: string; visit_id: string }>('SELECT id, visit_id FROM notes'),
      visits: await q<Record<string, unknown>>('SELECT * FROM visits WHERE store_id = $1', [storeId]),
      messages: (
        await q<HqMessage & { n: string }>(
          'SELECT id, member_id AS "memberId", n, sender, client_id AS "clientId", "by" FROM messages WHERE store_id = $1 ORDER BY member_id, n',
          [storeId],
        )
      ).map((m) => ({ ...m, n: Number(m.n) })),
    });
    await c.query('COMMIT');
    return truth;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A visit opened (by the `arrival` at `seq`) beside the member's visit `openVisitId`, still open. */
export interface OpenedTwice {
  seq: number;
  visitId: string;
  openVisitId: string;
}

/**
 * Visits HQ opened for a member who had a visit still open at the store, seen within the repeat
 * window: that arrival should have been a repeat of it (`visit.updated`), not a second visit and a
 * second alert. Read from the store's log in seq order — the order its writers held the store's
 * lock — so no clock is compared but the events' own (the open visit's last seen against the new
 * one's arrival, as HQ's repeat check does).
 */
export function visitsOpenedTwice(events: readonly HqEvent[], repeatWindowMs: number): OpenedTwice[] {
  const open = new Map<string, LoggedVisit>(); // by member: the visit the log last left open
  const twice: OpenedTwice[] = [];
  for (const e of events) {
    if (e.deletedMember) open.delete(e.deletedMember);
    const v = e.visit;
    if (!v) continue;
    const before = open.get(v.memberId);
    if (e.type === 'arrival' && before && before.id !== v.id && v.arrivedAt - before.lastSeenAt <= repeatWindowMs) {
      twice.push({ seq: e.seq, visitId: v.id, openVisitId: before.id });
    }
    if (v.status === 'closed') {
      if (before?.id === v.id) open.delete(v.memberId);
    } else if (e.type === 'arrival' || before?.id === v.id) open.set(v.memberId, v);
  }
  return twice;
}
