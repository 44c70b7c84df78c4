// The writes a PostgreSQL transaction holds back and sends together: new visits, a store's events
// once the transaction holds the store's counter row locked and knows its head, and a card's
// suggestions shown. On PostgreSQL every statement is a round trip (and a write of its own): a
// batch's arrivals are then written with one INSERT per table, and a single arrival's event and
// card go out with its COMMIT.
//
// Invariant: what is held is exactly what the statements it stands for would have written, and it
// reaches the database before anything that could see its absence.
//  - A seq handed out here is the one `UPDATE stores SET head = head + 1` would hand out: the head
//    was read with the row's lock (`SELECT … FOR UPDATE` answers the newest committed row), the
//    lock is held to commit, and every event of the store since then went through here. A store
//    whose event was appended by a statement in this transaction (its head not yet known when it
//    was issued) is never held afterwards: its seqs keep coming from the database.
//  - The transaction's connection sends what is held before any statement not marked
//    `besideDeferred` (pgOps.ts: those read or change no row a held write could change), and
//    before SAVEPOINT, RELEASE and COMMIT — in the same write, in order. The events' statement
//    moves each head only if it still is where this transaction left it (`rowCount` checked), and
//    the events' key (store, seq) refuses a seq given twice: a slip here fails the transaction, it
//    never leaves a gap or a double.
//  - A held row's failure (a visit id taken, say) fails the statement it went out with: inside the
//    savepoint it was written in, or the COMMIT, with its own error.
//  - A savepoint rolled back drops what was held since it began (its SAVEPOINT sent the rest)
//    and returns to the heads it began with.
import { type StoredEvent, type VisitRow } from '../../ports/store.ts';
import { type ShownSuggestion } from '../../ports/assistStore.ts';

interface Head {
  head: number;
  epoch: string;
}

/** What a savepoint returns to when rolled back. */
export interface HeldMark {
  readonly heads: ReadonlyMap<string, Head>;
}

export class HeldWrites {
  private visits: VisitRow[] = [];
  private events: StoredEvent[] = [];
  private shown: ShownSuggestion[] = [];
  /** Stores whose head this transaction knows (locked, and every event since held here). */
  private heads = new Map<string, Head>();
  /** Stores an event was appended to by a statement: their seqs come from the database. */
  private readonly appendedByStatement = new Set<string>();

  /** A store's counter row, as its lock read it: from now on its events may be held. */
  locked(storeId: string, head: number, epoch: string): void {
    if (this.heads.has(storeId) || this.appendedByStatement.has(storeId)) return;
    this.heads.set(storeId, { head, epoch });
  }

  /** The store's head and epoch may have changed by a statement (an epoch rotated): stop holding its events. */
  forget(storeId: string): void {
    this.heads.delete(storeId);
    this.appendedByStatement.add(storeId);
  }

  /** The event with its seq, held to be sent later; null when the store's head is not known (append it by statement). */
  append(storeId: string, ev: { id: string; type: StoredEvent['type']; at: number; data: string }): StoredEvent | null {
    const known = this.heads.get(storeId);
    if (!known) {
      this.appendedByStatement.add(storeId);
      return null;
    }
    known.head += 1;
    const stored: StoredEvent = { storeId, epoch: known.epoch, seq: known.head, id: ev.id, type: ev.type, at: ev.at, data: ev.data };
    this.events.push(stored);
    return stored;
  }

  holdVisit(visit: VisitRow): void {
    this.visits.push(visit);
  }

  holdShown(rows: readonly ShownSuggestion[]): void {
    this.shown.push(...rows);
  }

  get empty(): boolean {
    return this.visits.length === 0 && this.events.length === 0 && this.shown.length === 0;
  }

  /** Everything held, to be sent now; nothing is held afterwards. */
  take(): { visits: VisitRow[]; events: StoredEvent[]; shown: ShownSuggestion[] } {
    const taken = { visits: this.visits, events: this.events, shown: this.shown };
    this.visits = [];
    this.events = [];
    this.shown = [];
    return taken;
  }

  /** Taken just before a SAVEPOINT is sent (which sends what is held). */
  mark(): HeldMark {
    return { heads: new Map([...this.heads].map(([id, h]) => [id, { ...h }])) };
  }

  /** The savepoint was rolled back: what it held is dropped, the heads are as it began. */
  rollbackTo(mark: HeldMark): void {
    this.visits = [];
    this.events = [];
    this.shown = [];
    this.heads = new Map([...mark.heads].map(([id, h]) => [id, { ...h }]));
  }
}

/** Events per statement: 7 parameters each, within PostgreSQL's 65,535 parameters. */
export const EVENTS_PER_STATEMENT = 4_000;

/**
 * Held events as statements (one for up to EVENTS_PER_STATEMENT events): the rows, and each
 * store's head moved from where it stood before them to their last seq. Each event's columns are
 * parameters of their own (a VALUES row) rather than elements of arrays: the driver escapes every
 * array element in JavaScript and the server parses it back, for ~4 KB of an event's JSON each —
 * a few % of a single arrival's CPU. Answers each statement and the number of stores it must update.
 */
export function heldEventsStatements(events: readonly StoredEvent[]): { text: string; values: unknown[]; stores: number }[] {
  const out: { text: string; values: unknown[]; stores: number }[] = [];
  for (let start = 0; start < events.length; start += EVENTS_PER_STATEMENT) out.push(eventsStatement(events.slice(start, start + EVENTS_PER_STATEMENT)));
  return out;
}

function eventsStatement(events: readonly StoredEvent[]): { text: string; values: unknown[]; stores: number } {
  const moves = new Map<string, { from: number; to: number }>();
  const values: unknown[] = [];
  const rows: string[] = [];
  for (const ev of events) {
    const move = moves.get(ev.storeId);
    if (move) move.to = ev.seq;
    else moves.set(ev.storeId, { from: ev.seq - 1, to: ev.seq });
    const n = values.push(ev.storeId, ev.seq, ev.epoch, ev.id, ev.type, ev.at, ev.data);
    rows.push(`($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`);
  }
  const m = values.length;
  values.push([...moves.keys()], [...moves.values()].map((x) => x.from), [...moves.values()].map((x) => x.to));
  return {
    text: `WITH ev AS (INSERT INTO events (store_id, seq, epoch, id, type, at, data) VALUES ${rows.join(', ')})
      UPDATE stores s SET head = m.to_seq FROM unnest($${m + 1}::text[], $${m + 2}::bigint[], $${m + 3}::bigint[]) AS m(id, from_seq, to_seq)
      WHERE s.id = m.id AND s.head = m.from_seq`,
    values,
    stores: moves.size,
  };
}
