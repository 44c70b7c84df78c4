// The fault harness's check that one member walking in is one visit (test/chaos/truth.ts
// visitsOpenedTwice): read from a store's log in seq order, an arrival that opens a visit while the
// member's last visit is still open and seen within the repeat window is counted; every way a new
// visit is rightly opened is not.
import { describe, expect, it } from 'vitest';
import { type HqEvent, visitsOpenedTwice } from '../chaos/truth.ts';

const MIN = 60_000;
const WINDOW = 30 * MIN;
let seq = 0;
const ev = (type: string, id: string, memberId: string, status: string, arrivedAt: number, lastSeenAt = arrivedAt): HqEvent => ({
  seq: ++seq,
  type,
  opId: null,
  visit: { id, memberId, status, arrivedAt, lastSeenAt },
  deletedMember: null,
});
const deleted = (memberId: string): HqEvent => ({ seq: ++seq, type: 'member.deleted', opId: null, visit: null, deletedMember: memberId });

describe('visitsOpenedTwice', () => {
  it('counts an arrival opened beside the member’s visit still open, naming both', () => {
    const log = [ev('arrival', 'v1', 'm1', 'open', 1_000), ev('visit.claimed', 'v1', 'm1', 'claimed', 1_000, 2_000), ev('arrival', 'v2', 'm1', 'open', 3_000)];
    expect(visitsOpenedTwice(log, WINDOW)).toEqual([{ seq: log[2]!.seq, visitId: 'v2', openVisitId: 'v1' }]);
  });

  it('counts nothing when the earlier visit was closed first (served or left unserved, both a `visit.closed`)', () => {
    const closed = [ev('arrival', 'v1', 'm1', 'open', 1_000), ev('visit.closed', 'v1', 'm1', 'closed', 1_000, 1_000), ev('arrival', 'v2', 'm1', 'open', 2_000)];
    expect(visitsOpenedTwice(closed, WINDOW)).toEqual([]);
  });

  it('counts nothing for a repeat (visit.updated), another member, a visit past the window, or an erased member', () => {
    const log = [
      ev('arrival', 'v1', 'm1', 'open', 1_000),
      ev('visit.updated', 'v1', 'm1', 'open', 1_000, 5_000),
      ev('arrival', 'v2', 'm2', 'open', 6_000),
      ev('arrival', 'v3', 'm1', 'open', 5_000 + WINDOW + 1),
      deleted('m2'),
      ev('arrival', 'v4', 'm2', 'open', 7_000),
    ];
    expect(visitsOpenedTwice(log, WINDOW)).toEqual([]);
  });

  it('judges by the visit the log last left open: a second visit opened, the first closed, a third is still one too many', () => {
    const log = [
      ev('arrival', 'v1', 'm1', 'open', 1_000),
      ev('arrival', 'v2', 'm1', 'open', 2_000),
      ev('visit.closed', 'v1', 'm1', 'closed', 1_000, 1_000),
      ev('arrival', 'v3', 'm1', 'open', 3_000),
    ];
    expect(visitsOpenedTwice(log, WINDOW).map((t) => t.visitId)).toEqual(['v2', 'v3']);
  });
});
