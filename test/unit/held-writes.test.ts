// The PostgreSQL transaction's held writes, alone (the statements they become are run against a
// real database in test/integration/store-conformance.test.ts).
import { describe, expect, it } from 'vitest';
import { EVENTS_PER_STATEMENT, HeldWrites, heldEventsStatements } from '../../hq/adapters/postgres/heldWrites.ts';
import { type EventType } from '../../shared/protocol.ts';

const ev = (id: string) => ({ id, type: 'visit.updated' as EventType, at: 5, data: JSON.stringify({ id }) });

describe('held writes', () => {
  it('holds a locked store’s events with the seqs after its head; an unlocked store’s go by statement for the rest of the transaction', () => {
    const held = new HeldWrites();
    expect(held.append('a', ev('x'))).toBeNull();
    held.locked('a', 7, 'e1'); // a lock answered after an append by statement: the head it read may be old
    expect(held.append('a', ev('x2'))).toBeNull();
    held.locked('b', 3, 'e9');
    held.locked('b', 1, 'e9'); // taken again: the first answer stands
    expect(held.append('b', ev('y1'))).toEqual({ storeId: 'b', epoch: 'e9', seq: 4, id: 'y1', type: 'visit.updated', at: 5, data: '{"id":"y1"}' });
    expect(held.append('b', ev('y2'))!.seq).toBe(5);
    expect(held.empty).toBe(false);
    expect(held.take().events.map((e) => e.seq)).toEqual([4, 5]);
    expect(held.empty).toBe(true);
    expect(held.append('b', ev('y3'))!.seq).toBe(6);
    held.forget('b'); // its epoch rotated by statement
    expect(held.append('b', ev('y4'))).toBeNull();
    held.locked('b', 6, 'e10');
    expect(held.append('b', ev('y5'))).toBeNull();
  });

  it('a savepoint rolled back drops what was held since and returns to its heads', () => {
    const held = new HeldWrites();
    held.locked('s', 10, 'e');
    held.append('s', ev('kept'));
    held.take(); // the SAVEPOINT sends what is held
    const mark = held.mark();
    held.append('s', ev('undone-1'));
    held.append('s', ev('undone-2'));
    held.holdShown([{ storeId: 's', visitId: 'v', memberId: 'm', styleId: 'st', role: 'style', at: 1 }]);
    held.locked('t', 1, 'e');
    held.rollbackTo(mark);
    expect(held.empty).toBe(true);
    expect(held.append('s', ev('next'))!.seq).toBe(12);
    expect(held.append('t', ev('t-after'))).toBeNull(); // its lock was taken inside the savepoint: gone with it
  });

  it('becomes statements of VALUES rows moving each store’s head from before its first event to its last', () => {
    const held = new HeldWrites();
    held.locked('a', 0, 'ea');
    held.locked('b', 41, 'eb');
    held.append('a', ev('1'));
    held.append('b', ev('2'));
    held.append('a', ev('3'));
    const { events } = held.take();
    const [st, ...more] = heldEventsStatements(events);
    expect(more).toEqual([]);
    expect(st!.stores).toBe(2);
    // Each event's seven columns as parameters of their own, then the heads' moves as arrays.
    expect(st!.values.slice(0, 7)).toEqual(['a', 1, 'ea', '1', 'visit.updated', 5, '{"id":"1"}']);
    expect(st!.values.slice(7, 14)).toEqual(['b', 42, 'eb', '2', 'visit.updated', 5, '{"id":"2"}']);
    expect(st!.values.slice(21)).toEqual([
      ['a', 'b'],
      [0, 41],
      [2, 42],
    ]);
    expect(st!.text).toContain('($15, $16, $17, $18, $19, $20, $21)');
    expect(st!.text).toMatch(/unnest\(\$22::text\[\], \$23::bigint\[\], \$24::bigint\[\]\)/);
    expect(st!.text).toMatch(/s\.head = m\.from_seq/);
  });

  it('splits a large batch so no statement passes PostgreSQL’s parameter limit; each moves its own part of a head', () => {
    const held = new HeldWrites();
    held.locked('a', 0, 'e');
    const n = EVENTS_PER_STATEMENT + 3;
    for (let i = 0; i < n; i++) held.append('a', ev(`e${i}`));
    const statements = heldEventsStatements(held.take().events);
    expect(statements).toHaveLength(2);
    expect(statements.every((st) => st.values.length <= 65_535)).toBe(true);
    expect(statements.map((st) => st.values.slice(-3))).toEqual([
      [['a'], [0], [EVENTS_PER_STATEMENT]],
      [['a'], [EVENTS_PER_STATEMENT], [n]],
    ]);
  });
});
