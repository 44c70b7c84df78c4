// Event application (position + effect in one transaction, duplicates ignored, gaps refused),
// snapshots (replace everything but the outbox) and the outbox overlay, on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache } from '../../electron/desk/cache/db.ts';
import { type CacheQueries } from '../../electron/desk/cache/queries.ts';
import { visitView } from '../../electron/desk/overlay.ts';
import { applyEvent, applySnapshot, classify } from '../../electron/desk/sync.ts';
import { arrivalEv, claimedEv, member, profile, visit } from '../support/builders.ts';

let dir: string;
let q: CacheQueries;
const self = { deviceId: 'd1', deviceName: 'Counter 1' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-sync-'));
  q = openCache(join(dir, 'c.db'));
  q.tx(() => q.setPosition({ epoch: 'E', seq: 0 }));
});
afterEach(() => {
  q.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const m1 = member('m1');
const v1 = visit('v1', 'm1');

describe('classify', () => {
  it('tells next, duplicate and gap apart', () => {
    expect(classify({ epoch: 'E', seq: 4 }, { epoch: 'E', seq: 5 })).toBe('next');
    expect(classify({ epoch: 'E', seq: 4 }, { epoch: 'E', seq: 4 })).toBe('duplicate');
    expect(classify({ epoch: 'E', seq: 4 }, { epoch: 'E', seq: 1 })).toBe('duplicate');
    expect(classify({ epoch: 'E', seq: 4 }, { epoch: 'E', seq: 6 })).toBe('gap');
    expect(classify({ epoch: 'E', seq: 4 }, { epoch: 'F', seq: 5 })).toBe('gap');
  });
});

describe('applyEvent', () => {
  it('applies the next event and moves the position with it', () => {
    const out = applyEvent(q, arrivalEv('E', 1, v1, m1));
    expect(out).toMatchObject({ kind: 'applied', seq: 1, visitIds: ['v1'], memberIds: ['m1'], arrivalVisitId: 'v1' });
    expect(q.getPosition()).toEqual({ epoch: 'E', seq: 1 });
    expect(q.getVisit('v1')).toEqual(v1);
    expect(q.getProfile('m1')).toEqual(profile(m1));
  });

  it('ignores a duplicate and never re-applies it', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    applyEvent(q, claimedEv('E', 2, v1, null));
    // A replay of seq 1 carrying the old (open) visit must not undo the claim.
    expect(applyEvent(q, arrivalEv('E', 1, v1, m1))).toEqual({ kind: 'duplicate', seq: 1 });
    expect(q.getVisit('v1')!.status).toBe('claimed');
    expect(q.getPosition().seq).toBe(2);
  });

  it('refuses an event past a gap and leaves the cache untouched', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    const out = applyEvent(q, arrivalEv('E', 3, visit('v3', 'm1'), m1));
    expect(out).toEqual({ kind: 'gap', position: { epoch: 'E', seq: 1 }, got: { epoch: 'E', seq: 3 } });
    expect(q.getVisit('v3')).toBeNull();
    expect(q.getPosition().seq).toBe(1);
  });

  it('refuses an event of another epoch', () => {
    expect(applyEvent(q, arrivalEv('F', 1, v1, m1)).kind).toBe('gap');
    expect(q.getVisit('v1')).toBeNull();
  });

  it('rolls the effect back if storing fails mid-event (one transaction)', () => {
    const bad = arrivalEv('E', 1, v1, member('m1'));
    // A member without a name violates NOT NULL after the visit row would have been written.
    (bad.data as { profile: { member: { name: unknown } } }).profile.member.name = null;
    expect(() => applyEvent(q, bad)).toThrow();
    expect(q.getVisit('v1')).toBeNull();
    expect(q.getPosition().seq).toBe(0);
  });

  it('settles our own op when its event names it, and clears old rejections of that visit', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    q.tx(() => {
      q.insertOp({ opId: 'op-claim', type: 'claim', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 1 });
      q.insertOp({ opId: 'op-old', type: 'release', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 0 });
      q.markRejected('op-old', { code: 'not_claimed_by_you', message: 'no' });
    });
    const out = applyEvent(q, claimedEv('E', 2, v1, 'op-claim', self));
    expect(out).toMatchObject({ kind: 'applied', settledOpId: 'op-claim' });
    expect(q.listOps()).toEqual([]);
  });
});

describe('outbox', () => {
  it('keeps ops in the order the clerk made them', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    const opIds = ['c', 'a', 'b', 'z', 'y'];
    q.tx(() => opIds.forEach((opId, i) => q.insertOp({ opId, type: 'note', visitId: 'v1', data: { visitId: 'v1', noteId: opId, text: String(i) }, createdAt: 100 - i })));
    expect(q.listOps().map((o) => o.opId)).toEqual(opIds);
    expect(q.listOps().map((o) => o.ordinal)).toEqual([1, 2, 3, 4, 5]);
    q.deleteOp('a');
    q.tx(() => q.insertOp({ opId: 'late', type: 'claim', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 0 }));
    expect(q.listOps().map((o) => o.opId)).toEqual(['c', 'b', 'z', 'y', 'late']);
  });

  it('overlays pending ops on the confirmed visit, and shows a rejection with who won', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    q.tx(() => {
      q.insertOp({ opId: 'o1', type: 'claim', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 5 });
      q.insertOp({ opId: 'o2', type: 'note', visitId: 'v1', data: { visitId: 'v1', noteId: 'n1', text: 'size 42 runs small' }, createdAt: 6 });
    });
    let view = visitView(q.getVisit('v1')!, m1, q.opsOfVisit('v1'), self);
    expect(view).toMatchObject({ status: 'claimed', claimedBy: self, sync: 'pending', pendingAction: 'note', rejection: null });
    expect(view.notes).toMatchObject([{ id: 'n1', text: 'size 42 runs small', sync: 'pending' }]);
    expect(view.member).toMatchObject({ id: 'm1', name: '张伟', phoneMasked: '138****1234' });
    expect(view.member).not.toHaveProperty('phoneLast4');

    // Counter 2 won the claim: HQ's event arrives, then our claim is rejected; the note is still fine.
    applyEvent(q, claimedEv('E', 2, v1, 'op-of-counter-2'));
    q.tx(() => q.markRejected('o1', { code: 'already_claimed', message: 'claimed by Counter 2', by: { deviceId: 'd2', deviceName: 'Counter 2' } }));
    q.tx(() => q.deleteOp('o2'));
    view = visitView(q.getVisit('v1')!, m1, q.opsOfVisit('v1'), self);
    expect(view).toMatchObject({ status: 'claimed', claimedBy: { deviceName: 'Counter 2' }, sync: 'rejected', pendingAction: 'claim' });
    expect(view.rejection).toMatchObject({ code: 'already_claimed', by: { deviceName: 'Counter 2' } });
    // Not counted as queued.
    expect(q.countQueued()).toBe(0);
  });

  it('shows a pending action under the clerk who made it, not whoever is signed in now', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    q.tx(() => q.insertOp({ opId: 'o1', type: 'note', visitId: 'v1', data: { visitId: 'v1', noteId: 'n1', text: 'likes the grey pair', clerkId: 'c7' }, createdAt: 5 }));
    const names = new Map([['c7', '王芳']]);
    const view = visitView(q.getVisit('v1')!, m1, q.opsOfVisit('v1'), self, false, (id) => names.get(id));
    expect(view.notes[0]!.by).toEqual({ ...self, clerkId: 'c7', clerkName: '王芳' });
    // Without a clerk on the op (signed-out desk, or an op queued before clerks signed in) it is the counter.
    q.tx(() => q.insertOp({ opId: 'o2', type: 'claim', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 6 }));
    expect(visitView(q.getVisit('v1')!, m1, q.opsOfVisit('v1'), self, false, (id) => names.get(id)).claimedBy).toEqual(self);
  });

  it('writes an arrival\'s visit whole, and replaces one the cache held after all (notes included)', () => {
    const note = (id: string, at: number) => ({ id, visitId: 'v1', memberId: 'm1', text: `note ${id}`, by: self, at });
    // A new visit (every arrival at HQ): written with what it carries.
    applyEvent(q, arrivalEv('E', 1, visit('v1', 'm1', { notes: [note('n1', 10)] }), m1));
    expect(q.getVisit('v1')!.notes.map((n) => n.id)).toEqual(['n1']);
    // An arrival naming a visit the cache already holds is still the whole visit: its old notes go.
    applyEvent(q, arrivalEv('E', 2, visit('v1', 'm1', { arrivals: 2, notes: [note('n2', 20)] }), m1));
    expect(q.getVisit('v1')).toMatchObject({ arrivals: 2, notes: [expect.objectContaining({ id: 'n2' })] });
    expect(q.getVisit('v1')!.notes).toHaveLength(1);
    expect(q.countVisits()).toBe(1);
  });

  it('survives a snapshot: HQ state replaced, outbox kept, position moved', () => {
    applyEvent(q, arrivalEv('E', 1, v1, m1));
    q.tx(() => {
      q.insertOp({ opId: 'p', type: 'claim', visitId: 'v2', data: { visitId: 'v2' }, createdAt: 5 });
      q.insertOp({ opId: 'a', type: 'note', visitId: 'v2', data: { visitId: 'v2', noteId: 'n', text: 't' }, createdAt: 6 });
      q.markAcked('a', 1);
    });
    const m2 = member('m2', { name: '王小明' });
    applySnapshot(q, { storeId: 'store-a', storeName: 'A', position: { epoch: 'F', seq: 40 }, visits: [visit('v2', 'm2')], profiles: [profile(m2)], members: [member('m3')] });
    expect(q.getPosition()).toEqual({ epoch: 'F', seq: 40 });
    expect(q.getVisit('v1')).toBeNull();
    expect(q.getMember('m1')).toBeNull();
    expect(q.allVisitIds()).toEqual(['v2']);
    expect(q.search.search('伟').map((h) => h.id)).toEqual(['m3']);
    // The pending op stays; the acked one is inside the snapshot.
    expect(q.listOps().map((o) => o.opId)).toEqual(['p']);
  });
});
