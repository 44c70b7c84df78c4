// The desk core's parts on their own: the inbox's change set (pure) and batch, the outbox's wire
// form and send order, the connection state, and the attention counts (waiting arrivals, unread
// messages) — which must equal what the views say, computed the slow way.
import type { HoldRequest } from '../../shared/holds.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache } from '../../electron/desk/cache/db.ts';
import type { CacheQueries, NewOp, OutboxOp } from '../../electron/desk/cache/queries.ts';
import { nextConnection, type ConnectionInputs } from '../../electron/desk/connection.ts';
import { nextMidnight, startOfDay } from '../../electron/desk/counts.ts';
import { DeskCore, type AttentionCounts } from '../../electron/desk/deskCore.ts';
import { HqAddresses } from '../../electron/desk/hqAddresses.ts';
import { applyBatch, changeSet, type FrameOutcome } from '../../electron/desk/inbox.ts';
import { Outbox, wireCommand } from '../../electron/desk/outbox.ts';
import { Visits } from '../../electron/desk/visits.ts';
import { StorageGuard } from '../../electron/desk/upkeep/storageGuard.ts';
import type { ConnectionState } from '../../shared/deskApi.ts';
import type { Message, Visit, VisitStatus } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';
import type { CmdAckFrame, CmdFrame, EvFrame } from '../../shared/protocol.ts';
import { arrivalEv as kitArrivalEv, claimedEv as kitClaimedEv, member, visit } from '../support/builders.ts';

// --- small builders (the kit's, plus a message, an ack and an op) --------------------------------

const arrivalEv = (seq: number, v: Visit): EvFrame => kitArrivalEv('E', seq, v, member(v.memberId));
const claimedEv = (seq: number, v: Visit, opId: string | null): EvFrame => kitClaimedEv('E', seq, v, opId);
const message = (memberId: string, n: number, from: Message['from'], at: number): Message => ({
  id: `${memberId}-${n}`,
  clientId: `${memberId}-c${n}`,
  storeId: 'store-a',
  memberId,
  n,
  from,
  by: from === 'clerk' ? { deviceId: 'd1', deviceName: 'Counter 1' } : null,
  kind: 'text',
  body: 'hi',
  product: null,
  image: null,
  at,
  recalledAt: null,
});
const ack = (opId: string, status: CmdAckFrame['status'], seq: number | null = null): CmdAckFrame => ({
  t: 'cmdAck',
  opId,
  status,
  seq,
  ...(status === 'rejected' ? { rejection: { code: 'already_claimed' as const, message: 'taken' } } : {}),
});
const op = <T extends OutboxOp['type']>(opId: string, type: T, visitId: string, data: Extract<OutboxOp, { type: T }>['data'], state: OutboxOp['state'] = 'pending'): OutboxOp =>
  ({ opId, ordinal: 1, type, visitId, data, createdAt: 1, state, ackedSeq: null, rejection: null }) as OutboxOp;

let dir: string;
let q: CacheQueries;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-parts-'));
  q = openCache(join(dir, 'c.db'));
  q.tx(() => q.setPosition({ epoch: 'E', seq: 0 }));
});
afterEach(() => {
  if (q.db.open) q.db.close();
  rmSync(dir, { recursive: true, force: true });
});

// --- inbox ------------------------------------------------------------------------------------

describe('inbox change set (pure)', () => {
  const applied = (seq: number, over: Partial<Extract<FrameOutcome, { out: unknown }>['out']> = {}): FrameOutcome => ({
    ev: arrivalEv(seq, visit(`v${seq}`, 'm1')),
    out: { kind: 'applied', seq, visitIds: [], memberIds: [], arrivalVisitId: null, settledOpId: null, chat: null, clerks: false, ...over } as Extract<FrameOutcome, { out: unknown }>['out'],
  });

  it('keeps what listeners hear in HQ’s order, and what is shown once at the end', () => {
    const c = changeSet([
      applied(1, { visitIds: ['v1'], memberIds: ['m1'], arrivalVisitId: 'v1' }),
      applied(2, { visitIds: ['v1'], settledOpId: 'op-claim' }),
      applied(3, { chat: { memberId: 'm2', messageId: 'msg-9', incoming: true } }),
      applied(4, { chat: { memberId: 'm2', messageId: 'msg-10', incoming: false } }),
      applied(5, { visitIds: ['v5'], memberIds: ['m5'], arrivalVisitId: 'v5', clerks: true }),
    ]);
    expect(c.notices).toEqual([
      { t: 'arrival', visitId: 'v1' },
      { t: 'member', memberId: 'm1' },
      { t: 'answered', visitId: 'v1', confirmed: true },
      { t: 'chat', memberId: 'm2', messageId: 'msg-9', incoming: true },
      { t: 'chat', memberId: 'm2', messageId: null, incoming: false },
      { t: 'arrival', visitId: 'v5' },
      { t: 'member', memberId: 'm5' },
    ]);
    expect(c).toMatchObject({ visits: ['v1', 'v5'], chats: [], answered: ['op-claim'], clerks: true, events: 5, applied: 5, duplicates: 0, head: 5, gap: null });
  });

  it('turns acks into answered ops: refused (logged), settled, or still waiting for the event', () => {
    const claim = op('op-a', 'claim', 'v1', { visitId: 'v1' });
    const read = op('op-r', 'chat.read', 'chat:m1', { memberId: 'm1', upTo: 3 });
    const c = changeSet([
      { ack: ack('op-a', 'rejected'), op: claim, settled: false },
      { ack: ack('op-b', 'ok', 9), op: op('op-b', 'release', 'v2', { visitId: 'v2' }), settled: false },
      { ack: ack('op-c', 'duplicate'), op: op('op-c', 'close', 'v3', { visitId: 'v3', outcome: 'browsed' }), settled: true },
      { ack: ack('op-r', 'ok', 4), op: read, settled: true },
    ]);
    expect(c.notices).toEqual([
      { t: 'answered', visitId: 'v1', confirmed: false },
      { t: 'answered', visitId: 'v2', confirmed: null },
      { t: 'answered', visitId: 'v3', confirmed: true },
    ]);
    expect(c.visits).toEqual(['v1', 'v2', 'v3']);
    expect(c.chats).toEqual(['m1']); // a chat ack shows the conversation, never a visit
    expect(c.answered).toEqual(['op-a', 'op-b', 'op-c', 'op-r']);
    expect(c.rejected).toEqual([{ type: 'claim', subject: 'v1', message: 'taken' }]);
    expect(c.events).toBe(0); // acks alone do not move the position
  });

  it('counts duplicates and stops at a gap', () => {
    const gap: FrameOutcome = { ev: arrivalEv(9, visit('v9', 'm1')), out: { kind: 'gap', position: { epoch: 'E', seq: 2 }, got: { epoch: 'E', seq: 9 } } };
    const c = changeSet([{ ev: arrivalEv(1, visit('v1', 'm1')), out: { kind: 'duplicate', seq: 1 } }, applied(2, { visitIds: ['v2'] }), gap, applied(10, { visitIds: ['v10'] })]);
    expect(c).toMatchObject({ events: 3, applied: 1, duplicates: 1, head: 2, visits: ['v2'], gap: { position: { epoch: 'E', seq: 2 }, got: { epoch: 'E', seq: 9 } } });
  });
});

describe('inbox batch', () => {
  it('applies events and acks in arrival order in one transaction, and never past a gap', () => {
    const v1 = visit('v1', 'm1');
    q.tx(() => q.setPosition({ epoch: 'E', seq: 0 }));
    const first = applyBatch(q, [arrivalEv(1, v1)]);
    expect(first).toEqual({ committed: true, outcomes: [expect.objectContaining({ out: expect.objectContaining({ kind: 'applied', seq: 1 }) })] });
    q.tx(() => q.insertOp({ opId: 'op-claim', type: 'claim', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 1 }));
    const batch = applyBatch(q, [ack('op-claim', 'ok', 2), claimedEv(2, v1, 'op-claim'), arrivalEv(4, visit('v4', 'm1')), arrivalEv(5, visit('v5', 'm1'))]);
    expect(batch.committed).toBe(true);
    if (!batch.committed) return;
    expect(batch.outcomes.map((o) => ('ack' in o ? `ack:${o.ack.opId}` : `${o.out.kind}:${o.ev.seq}`))).toEqual(['ack:op-claim', 'applied:2', 'gap:4']);
    expect(q.getPosition()).toEqual({ epoch: 'E', seq: 2 });
    expect(q.getVisit('v4')).toBeNull();
    expect(q.listOps()).toEqual([]); // acked, then settled by its event in the same batch
    expect(changeSet(batch.outcomes)).toMatchObject({ answered: ['op-claim', 'op-claim'], head: 2, gap: { got: { seq: 4 } } });
  });

  it('settles an op acked at a seq the batch reached even when no event named it, and keeps one acked beyond it', () => {
    q.tx(() => {
      q.setPosition({ epoch: 'E', seq: 0 });
      q.insertOp({ opId: 'op-in', type: 'claim', visitId: 'v1', data: { visitId: 'v1' }, createdAt: 1 });
      q.insertOp({ opId: 'op-out', type: 'claim', visitId: 'v2', data: { visitId: 'v2' }, createdAt: 2 });
      q.markAcked('op-in', 2);
      q.markAcked('op-out', 4);
    });
    // Events 1–3, none naming either op: the position passes op-in's seq (2), not op-out's (4).
    const batch = applyBatch(q, [arrivalEv(1, visit('v1', 'm1')), arrivalEv(2, visit('v2', 'm1')), arrivalEv(3, visit('v3', 'm1'))]);
    expect(batch.committed).toBe(true);
    expect(q.getPosition()).toEqual({ epoch: 'E', seq: 3 });
    expect(q.listOps().map((o) => o.opId)).toEqual(['op-out']);
    // A batch that stops at a gap settles up to where it stopped.
    expect(applyBatch(q, [arrivalEv(5, visit('v5', 'm1'))])).toMatchObject({ committed: true });
    expect(q.listOps().map((o) => o.opId)).toEqual(['op-out']);
    expect(applyBatch(q, [arrivalEv(4, visit('v4', 'm1'))])).toMatchObject({ committed: true });
    expect(q.listOps()).toEqual([]);
  });

  it('rolls the whole batch back when an event fails, and says which failed', () => {
    q.tx(() => q.setPosition({ epoch: 'E', seq: 0 }));
    expect(applyBatch(q, [arrivalEv(1, visit('v1', 'm1'))])).toMatchObject({ committed: true });
    const bad = arrivalEv(3, visit('v3', 'm2'));
    (bad.data as { visit: { status: unknown } }).visit.status = null; // NOT NULL, after its member was written
    const batch = applyBatch(q, [arrivalEv(2, visit('v2', 'm1')), bad, arrivalEv(4, visit('v4', 'm1'))]);
    expect(batch.committed).toBe(false);
    if (batch.committed) return;
    expect((batch.cause as Error).message).toMatch(/NOT NULL/);
    // Nothing of the batch: not the event before the failing one, not a part of the failing one.
    expect(q.getPosition()).toEqual({ epoch: 'E', seq: 1 });
    expect([q.getVisit('v1')?.id, q.getVisit('v2'), q.getVisit('v3'), q.getMember('m2')]).toEqual(['v1', null, null, null]);
    // Resuming from the position replays the batch (here without the fault): each event once.
    const again = applyBatch(q, [arrivalEv(2, visit('v2', 'm1')), arrivalEv(3, visit('v3', 'm2')), arrivalEv(4, visit('v4', 'm1'))]);
    expect(again).toMatchObject({ committed: true });
    expect(q.getPosition()).toEqual({ epoch: 'E', seq: 4 });
    expect(q.countVisits()).toBe(4);
  });
});

describe('views of a batch from what it wrote', () => {
  const self = { deviceId: 'd1', deviceName: 'Counter 1' };
  const visitsOf = () =>
    new Visits(q, { self: () => self, clerkName: () => undefined, enqueue: () => 'op', queued: () => undefined, changed: () => undefined, arrived: () => undefined });
  const ev = (seq: number, type: EvFrame['type'], data: unknown): EvFrame => ({ t: 'ev', epoch: 'E', seq, id: `e${seq}`, type, at: 1_700_000_200_000 + seq, data }) as EvFrame;
  const note = (id: string, v: Visit, at: number) => ({ id, visitId: v.id, memberId: v.memberId, text: `note ${id}`, by: self, at });

  it('equal the views read back from the cache, key for key, for every kind of visit write', () => {
    // Already in the cache before the batch: m9's visit with notes, and an op waiting on v1.
    const old = visit('v9', 'm9', { notes: [note('n2', visit('v9', 'm9'), 20), note('n1', visit('v9', 'm9'), 10)] });
    expect(applyBatch(q, [kitArrivalEv('E', 1, old, member('m9'))])).toMatchObject({ committed: true });
    const v1 = visit('v1', 'm1');
    const v2 = visit('v2', 'm2');
    const batch = applyBatch(q, [
      arrivalEv(2, v1),
      arrivalEv(3, v2),
      claimedEv(4, v1, null), // written twice in the batch: the last write is the row
      ev(5, 'visit.noted', { visit: { ...v2, notes: [note('n4', v2, 40), note('n3', v2, 30)] }, note: note('n4', v2, 40), opId: null }), // notes: read back
      ev(6, 'member.updated', { profile: { member: member('m9', { points: 999 }), purchases: [], recommendations: [] } }),
      ev(7, 'visit.updated', { visit: { ...old, lastSeenAt: old.lastSeenAt + 5, arrivals: 2 }, opId: null }),
      ev(8, 'member.noted', { note: { id: 'mn1', memberId: 'm1', text: 'likes trail', by: self, at: 50 }, opId: null }), // m1 changed without a row handed over
    ]);
    expect(batch.committed).toBe(true);
    if (!batch.committed) return;
    q.tx(() => q.insertOp({ opId: 'op-close', type: 'close', visitId: 'v2', data: { visitId: 'v2', outcome: 'purchased' }, createdAt: 1 }));
    const change = changeSet(batch.outcomes);
    expect([...change.written!.visits.keys()]).toEqual(['v1', 'v2', 'v9']);
    expect(change.written!.visits.get('v1')!.status).toBe('claimed');
    expect([...change.written!.members.keys()]).toEqual(['m2', 'm9']);
    const fromMemory = visitsOf().show(change.visits, change.written);
    const readBack = visitsOf().show(change.visits);
    expect([...fromMemory.keys()].sort()).toEqual(['v1', 'v2', 'v9']);
    for (const id of change.visits) {
      expect(fromMemory.get(id)).toEqual(readBack.get(id));
      expect(JSON.stringify(fromMemory.get(id))).toBe(JSON.stringify(readBack.get(id)));
    }
    expect(fromMemory.get('v2')!.notes.map((n) => n.id)).toEqual(['n3', 'n4']); // the cache's (at, id) order
    expect(fromMemory.get('v2')!.pendingAction).toBe('close'); // the outbox is still read
    expect(fromMemory.get('v9')!.member).toEqual(readBack.get('v9')!.member);
  });

  it('are read back when the batch erased a member', () => {
    const batch = applyBatch(q, [arrivalEv(1, visit('v1', 'm1')), arrivalEv(2, visit('v2', 'm2')), ev(3, 'member.deleted', { memberId: 'm1' })]);
    expect(batch.committed).toBe(true);
    if (!batch.committed) return;
    const change = changeSet(batch.outcomes);
    expect(change.written).toBeUndefined();
    expect([...visitsOf().show(change.visits, change.written).keys()]).toEqual(['v2']);
  });
});

// --- outbox -----------------------------------------------------------------------------------

describe('outbox', () => {
  it('sends a queued op as the protocol types it: the clerk and the action time beside the payload, chat bookkeeping left home', () => {
    expect(wireCommand(op('o1', 'note', 'v1', { visitId: 'v1', noteId: 'n1', text: 'size 42', clerkId: 'c7' }))).toEqual({
      t: 'cmd',
      opId: 'o1',
      type: 'note',
      data: { visitId: 'v1', noteId: 'n1', text: 'size 42' },
      clerkId: 'c7',
      at: 1,
    });
    expect(wireCommand(op('o2', 'close', 'v1', { visitId: 'v1', outcome: 'purchased' }))).toEqual({ t: 'cmd', opId: 'o2', type: 'close', data: { visitId: 'v1', outcome: 'purchased' }, at: 1 });
    const image = op('o3', 'chat.send', 'chat:m1', { memberId: 'm1', clientId: 'c1', kind: 'image', uploadId: 'u1', mime: 'image/png', bytes: 9, imageId: 'img-1' });
    expect(wireCommand(image)).toEqual({ t: 'cmd', opId: 'o3', type: 'chat.send', data: { memberId: 'm1', clientId: 'c1', kind: 'image', imageId: 'img-1' }, at: 1 });
    const product = op('o4', 'chat.send', 'chat:m1', { memberId: 'm1', clientId: 'c2', kind: 'product', styleId: 's1', clerkId: 'c7' });
    expect(wireCommand(product)).toEqual({ t: 'cmd', opId: 'o4', type: 'chat.send', data: { memberId: 'm1', clientId: 'c2', kind: 'product', styleId: 's1' }, clerkId: 'c7', at: 1 });
  });

  function outbox(opts: { live?: boolean; clerkId?: string | null; open?: () => boolean } = {}) {
    const sent: CmdFrame[] = [];
    const refused: string[] = [];
    const stats = { commandsSent: 0 };
    const guard = new StorageGuard(q, { log: () => {}, changed: () => {} });
    const box = new Outbox(q, guard, {
      hq: new HqAddresses(['http://127.0.0.1:9'], 0),
      token: 't',
      log: () => {},
      stats,
      clerkId: () => opts.clerkId ?? null,
      live: () => opts.live ?? true,
      send: (f) => (opts.open?.() ?? true) && sent.push(f) > 0,
      refused: (m) => refused.push(m),
    });
    return { box, sent, refused, stats, guard };
  }

  it('queues durably with the signed-in clerk, and sends in the clerk’s order, each op once per connection', () => {
    const { box, sent, stats, guard } = outbox({ clerkId: 'c7' });
    const a = box.enqueue('claim', 'v1', { visitId: 'v1' });
    const b = box.enqueue('chat.read', 'chat:m1', { memberId: 'm1', upTo: 2 });
    const c = box.enqueue('release', 'v1', { visitId: 'v1' });
    expect(guard.writes).toBe(3);
    expect(box.list().map((o) => [o.opId, o.data.clerkId])).toEqual([
      [a, 'c7'],
      [b, 'c7'],
      [c, 'c7'],
    ]);
    box.flush();
    box.flush(); // nothing twice on one connection
    expect(sent.map((f) => f.opId)).toEqual([a, b, c]);
    box.answered([a]);
    q.tx(() => q.deleteOp(a));
    box.linkOpened(); // a new connection resends what is still unanswered
    box.flush();
    expect(sent.map((f) => f.opId)).toEqual([a, b, c, b, c]);
    expect(stats.commandsSent).toBe(5);
  });

  it('stops at the first op the link does not take, and an image message holds back everything after it', () => {
    let open = false;
    const { box, sent, refused } = outbox({ open: () => open });
    const first = box.enqueue('claim', 'v1', { visitId: 'v1' });
    box.flush();
    expect(sent).toEqual([]);
    open = true;
    // An image whose upload HQ already has: it goes out with HQ's id, in its place.
    q.tx(() => {
      q.chat.putUpload('u-ok', 'image/png', Buffer.from([1, 2, 3]), 1);
      q.chat.setUploaded('u-ok', 'img-remote');
    });
    const image = box.enqueue('chat.send', 'chat:m1', { memberId: 'm1', clientId: 'c1', kind: 'image', uploadId: 'u-ok', mime: 'image/png', bytes: 3 });
    // An image whose bytes are gone: refused here, and nothing after it goes out in that flush.
    const gone = box.enqueue('chat.send', 'chat:m2', { memberId: 'm2', clientId: 'c2', kind: 'image', uploadId: 'u-gone', mime: 'image/png', bytes: 3 });
    const last = box.enqueue('release', 'v1', { visitId: 'v1' });
    box.flush();
    expect(sent.map((f) => f.opId)).toEqual([first, image]);
    expect(sent[1]!.data).toEqual({ memberId: 'm1', clientId: 'c1', kind: 'image', imageId: 'img-remote' });
    expect(refused).toEqual(['m2']);
    expect(box.list().find((o) => o.opId === gone)).toMatchObject({ state: 'rejected', rejection: { code: 'invalid' } });
    box.flush();
    expect(sent.map((f) => f.opId)).toEqual([first, image, last]);
  });

  it('types what it holds by command: a payload that is not the command’s does not compile', () => {
    const ok: NewOp = { opId: 'x', type: 'note', visitId: 'v1', data: { visitId: 'v1', noteId: 'n', text: 't' }, createdAt: 1 };
    // @ts-expect-error a claim carries no text
    const wrong: NewOp = { opId: 'y', type: 'claim', visitId: 'v1', data: { visitId: 'v1', noteId: 'n', text: 't', outcome: 3 }, createdAt: 1 };
    expect([ok.type, wrong.type]).toEqual(['note', 'claim']);
  });
});

// --- connection state -------------------------------------------------------------------------

describe('connection state (pure)', () => {
  const storage = { status: 'ok' as const, message: null, since: 0, rebuiltAt: null, outboxLost: false };
  const prev: ConnectionState = { status: 'offline', queued: 0, since: 100, retryAt: null, lastError: 'noted', head: 3, position: 3, storage };
  const inputs = (over: Partial<ConnectionInputs> = {}): ConnectionInputs => ({ phase: 'idle', live: false, retryAt: null, linkError: null, head: 3, position: 3, queued: 0, storage, ...over });

  it('is null when nothing the UI shows changed', () => {
    expect(nextConnection(prev, inputs(), 500)).toBeNull();
  });

  it('is online only when open and live; since moves with the status only', () => {
    expect(nextConnection(prev, inputs({ phase: 'open' }), 500)).toMatchObject({ status: 'connecting', since: 500 });
    expect(nextConnection(prev, inputs({ phase: 'open', live: true }), 500)).toMatchObject({ status: 'online', since: 500 });
    expect(nextConnection(prev, inputs({ queued: 2 }), 500)).toMatchObject({ status: 'offline', since: 100, queued: 2 });
  });

  it('shows the retry time only while waiting, the link’s error over a noted one, and a head never below the position', () => {
    expect(nextConnection(prev, inputs({ phase: 'waiting', retryAt: 900 }), 500)).toMatchObject({ retryAt: 900, lastError: 'noted' });
    expect(nextConnection(prev, inputs({ phase: 'halted', retryAt: 900, linkError: 'unauthorized' }), 500)).toMatchObject({ retryAt: null, lastError: 'unauthorized' });
    expect(nextConnection(prev, inputs({ head: 2, position: 7 }), 500)).toMatchObject({ head: 7, position: 7 });
  });
});

// --- attention counts -------------------------------------------------------------------------

describe('attention counts', () => {
  it('knows the local day', () => {
    const now = new Date(2025, 2, 9, 15, 30).getTime();
    expect(startOfDay(now)).toBe(new Date(2025, 2, 9).getTime());
    expect(nextMidnight(now)).toBe(new Date(2025, 2, 10).getTime());
  });

  const deskOn = (dbPath: string) => DeskCore.open({ dbPath, hqUrls: ['http://127.0.0.1:9'], token: 't' });

  /** Visits across yesterday and today with every kind of queued action, and conversations with reads queued or refused. */
  function seed(cache: CacheQueries, rng: Prng, now: number): void {
    const today = startOfDay(now);
    const states: OutboxOp['state'][] = ['pending', 'acked', 'rejected'];
    let opN = 0;
    const queue = (o: Omit<NewOp, 'opId' | 'createdAt'>, state: OutboxOp['state']) => {
      const opId = `op${++opN}`;
      cache.insertOp({ ...o, opId, createdAt: now } as NewOp);
      if (state === 'acked') cache.markAcked(opId, 10_000 + opN);
      if (state === 'rejected') cache.markRejected(opId, { code: 'invalid', message: 'no' });
    };
    cache.tx(() => {
      cache.setIdentity({ storeId: 'store-a', storeName: 'A', deviceId: 'd1', deviceName: 'Counter 1', hqUrls: ['http://127.0.0.1:9'] });
      for (let i = 0; i < 12; i++) cache.upsertProfile({ member: member(`m${i}`), purchases: [], recommendations: [] }, now);
      for (let i = 0; i < 40; i++) {
        const status = rng.pick<VisitStatus>(['open', 'open', 'claimed', 'closed']);
        const arrivedAt = rng.chance(0.3) ? today - rng.int(1, 20 * 3600_000) : today + rng.int(0, Math.max(0, now - today));
        cache.putVisit(visit(`v${i}`, `m${rng.int(0, 11)}`, { status, arrivedAt, lastSeenAt: arrivedAt }));
        for (let k = rng.int(0, 3); k > 0; k--) {
          const type = rng.pick(['claim', 'release', 'close', 'note'] as const);
          const data =
            type === 'note' ? { visitId: `v${i}`, noteId: `n${opN}`, text: 'x' } : type === 'close' ? { visitId: `v${i}`, outcome: 'browsed' as const } : { visitId: `v${i}` };
          queue({ type, visitId: `v${i}`, data } as Omit<NewOp, 'opId' | 'createdAt'>, rng.pick(states));
        }
      }
      for (let c = 0; c < 8; c++) {
        const memberId = `m${c}`;
        const total = rng.int(0, 9);
        for (let n = 1; n <= total; n++) cache.chat.putMessage(message(memberId, n, rng.chance(0.6) ? 'member' : 'clerk', now - (total - n) * 1000));
        if (rng.chance(0.7)) cache.chat.setReceipts(memberId, { memberDelivered: 0, memberRead: 0, storeDelivered: total, storeRead: rng.int(0, total) });
        for (let k = rng.int(0, 2); k > 0; k--) queue({ type: 'chat.read', visitId: `chat:${memberId}`, data: { memberId, upTo: rng.int(1, 9) } }, rng.pick(states));
      }
      // A conversation begun offline: only in the outbox so far.
      queue({ type: 'chat.send', visitId: 'chat:m11', data: { memberId: 'm11', clientId: 'c-new', kind: 'text', text: 'hello' } }, 'pending');
    });
  }

  it('equal what the views say (today’s open arrivals, unread per conversation) over many seeds', async () => {
    q.db.close();
    for (let s = 1; s <= 15; s++) {
      const dbPath = join(dir, `seed-${s}.db`);
      const now = Date.now();
      const cache = openCache(dbPath);
      seed(cache, new Prng(s), now);
      cache.db.close();
      const desk = deskOn(dbPath);
      try {
        const arrivals = await desk.listArrivals({ since: startOfDay(now), limit: 10_000 });
        const conversations = await desk.listConversations({ limit: 500 });
        const slow: AttentionCounts = { waiting: arrivals.filter((v) => v.status === 'open').length, unread: conversations.reduce((n, c) => n + c.unread, 0), requests: 0 };
        expect(desk.counts(), `seed ${s}`).toEqual(slow);
      } finally {
        await desk.close();
      }
    }
  });

  it('are emitted as the clerk acts, only when a number changed', async () => {
    const now = Date.now();
    q.tx(() => {
      q.setIdentity({ storeId: 'store-a', storeName: 'A', deviceId: 'd1', deviceName: 'Counter 1', hqUrls: ['http://127.0.0.1:9'] });
      for (const id of ['m1', 'm2']) q.upsertProfile({ member: member(id), purchases: [], recommendations: [] }, now);
      q.putVisit(visit('v1', 'm1', { arrivedAt: now, lastSeenAt: now }));
      q.putVisit(visit('v2', 'm2', { arrivedAt: now, lastSeenAt: now }));
      q.putVisit(visit('v-old', 'm2', { arrivedAt: startOfDay(now) - 1, lastSeenAt: startOfDay(now) - 1 }));
      q.chat.putMessage(message('m1', 1, 'member', now));
      q.chat.putMessage(message('m1', 2, 'member', now));
    });
    const dbPath = q.db.name;
    q.db.close();
    const desk = deskOn(dbPath);
    try {
      const seen: AttentionCounts[] = [];
      desk.on('counts', (c) => seen.push(c));
      expect(desk.counts()).toEqual({ waiting: 2, unread: 2, requests: 0 });
      await desk.claimVisit('v1');
      await desk.addNote('v2', 'likes the grey pair'); // nothing counted changed
      await desk.markRead('m1');
      await desk.releaseVisit('v1');
      await desk.closeVisit('v2', 'browsed');
      expect(seen).toEqual([
        { waiting: 1, unread: 2, requests: 0 },
        { waiting: 1, unread: 0, requests: 0 },
        { waiting: 2, unread: 0, requests: 0 },
        { waiting: 1, unread: 0, requests: 0 },
      ]);
    } finally {
      await desk.close();
    }
  });

  it('count other stores’ hold requests until this store answers them (a queued answer counts at once)', async () => {
    const now = Date.now();
    const request = (id: string, fromStoreId: string, toStoreId: string, status: HoldRequest['status'] = 'pending'): HoldRequest => ({
      id,
      fromStoreId,
      fromStoreName: fromStoreId,
      toStoreId,
      toStoreName: toStoreId,
      member: { id: 'm1', name: '张伟', tier: 'gold' },
      styleId: 's1',
      styleName: 'Runner',
      color: 'BLK',
      colorName: 'Black',
      size: 42,
      days: 3,
      requestedAt: now,
      by: { deviceId: 'other', deviceName: 'Other counter' },
      status,
      answeredAt: null,
      answeredBy: null,
      holdId: null,
      until: null,
    });
    q.tx(() => {
      q.setIdentity({ storeId: 'store-a', storeName: 'A', deviceId: 'd1', deviceName: 'Counter 1', hqUrls: ['http://127.0.0.1:9'] });
      q.holds.putRequest(request('r-in-1', 'store-b', 'store-a'));
      q.holds.putRequest(request('r-in-2', 'store-c', 'store-a'));
      q.holds.putRequest(request('r-out', 'store-a', 'store-b')); // ours: the other store answers it
      q.holds.putRequest(request('r-done', 'store-b', 'store-a', 'declined'));
    });
    const dbPath = q.db.name;
    q.db.close();
    const desk = deskOn(dbPath);
    try {
      const seen: AttentionCounts[] = [];
      desk.on('counts', (c) => seen.push(c));
      expect(desk.counts()).toEqual({ waiting: 0, unread: 0, requests: 2 });
      await desk.answerHoldRequest('r-in-1', false);
      expect(seen).toEqual([{ waiting: 0, unread: 0, requests: 1 }]);
    } finally {
      await desk.close();
    }
  });
});
