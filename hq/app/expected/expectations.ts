// Expected visits and member-made holds at HQ (5/8): a member's "I'll come and try it" and "hold a
// pair for me", from a product card in a group, a live room, the chat or the member page.
//
// Invariants:
// - Each is a state change and its events (`expect.updated`, `hold.placed`) in the store's log, in
//   one transaction under the store's lock, so the store's desks see exactly what HQ keeps.
// - A resend is one change: an expectation by the member's `clientId` (a unique column), a
//   member-made hold by an idempotency key `member-hold:<member>:<clientId>` written with the hold.
// - A member-made hold is placed by the clerks' own rule (hq/app/holds/commands.ts `placeHold`:
//   stock less active holds, checked under the store's lock), so a member and a clerk after the last
//   pair are serialised and one of them is refused `out_of_stock`.
// - A member acts only on their own expectations: another member's id answers `not_found`, exactly
//   like an id that does not exist.
// - When the member arrives at the store, the arrival (hq/app/arrivals.ts) settles their open
//   expectations there as `arrived` in its own transaction (`fulfilExpected`).
import { createHash } from 'node:crypto';
import { EXPECT_WINDOW_DAYS, type ExpectedVisit, type ExpectSource, type MemberExpectBody, type MemberHoldBody } from '../../../shared/expected.ts';
import { MEMBER_ACTOR } from '../../../shared/actors.ts';
import { DAY_MS, type Hold } from '../../../shared/holds.ts';
import { HOLD_DAYS_DEFAULT } from '../../../shared/limits.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type HqTx, type MemberRecord, type StoreRecord } from '../../ports/store.ts';
import { type Append, type EventLog } from '../eventLog.ts';
import { holdMember, isRejected, placeHold } from '../holds/commands.ts';
import { byStore, writeInTurns } from '../storeSweep.ts';

/**
 * Active member-made holds one member may have at once (at all stores together). A member's hold
 * takes a pair off the shelf for days with no clerk in the loop, and a member token is cheap to use
 * from a script: without a cap one account could hold a store's whole stock of a popular size. Five
 * is more than a member trying on in earnest needs; a clerk can still hold more for them at the counter.
 */
export const MEMBER_HOLDS_MAX = 5;
/** Open expectations one member may have at once: each is a line on every desk's Today list. */
export const MEMBER_EXPECTED_MAX = 10;
/** How far ahead a member may name the day they come. */
export const EXPECT_MAX_AHEAD_DAYS = 30;
/** Expectations a desk's snapshot carries at most. */
export const SNAPSHOT_EXPECTED = 500;

export type ExpectErrorCode = 'not_found' | 'invalid' | 'out_of_stock' | 'rate_limited' | 'conflict';
export class ExpectError extends Error {
  constructor(
    readonly code: ExpectErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Who asks: the signed-in member and the store of their session. */
export interface MemberCaller {
  memberId: string;
  storeId: string;
}

const MINUTE_MS = 60_000;

/** The start of the store's day holding `at` (the store's fixed UTC offset). */
export function storeDayStart(store: StoreRecord, at: number): number {
  const offset = store.settings.utcOffsetMin * MINUTE_MS;
  return Math.floor((at + offset) / DAY_MS) * DAY_MS - offset;
}

/**
 * Until when an expectation waits: the last millisecond of the named day in the store's zone, or
 * EXPECT_WINDOW_DAYS from now. A day already over, or too far ahead, is refused.
 */
export function expectUntil(store: StoreRecord, on: string | undefined, now: number): number {
  if (on === undefined) return now + EXPECT_WINDOW_DAYS * DAY_MS;
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  const dayStart = Date.UTC(y, m - 1, d) - store.settings.utcOffsetMin * MINUTE_MS;
  const date = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls over (2026-02-30 is March 2nd, month 13 next January): such a day is no date.
  if (Number.isNaN(dayStart) || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) throw new ExpectError('invalid', `${on} is not a date`);
  if (dayStart + DAY_MS <= now) throw new ExpectError('invalid', `${on} is over at this store`);
  if (dayStart > now + EXPECT_MAX_AHEAD_DAYS * DAY_MS) throw new ExpectError('invalid', `${on} is more than ${EXPECT_MAX_AHEAD_DAYS} days ahead`);
  return dayStart + DAY_MS - 1;
}

/**
 * What the desk shows as where it came from. A group's name comes from the group's storage (5/8,
 * `tx.groups`); only a group of this store, or a chain group, names itself to this store's desks.
 * A live room (6/8, `tx.live`) names itself to every store (rooms are open to the whole chain);
 * the chat and the member page need no title.
 */
async function sourceOf(tx: HqTx, storeId: string, given: Omit<ExpectSource, 'title'> | undefined): Promise<ExpectSource> {
  const source = given ?? { kind: 'member_page' as const, id: null };
  if (source.kind === 'group' && source.id) {
    const group = await tx.groups.getGroup(source.id);
    const visible = group && (group.storeId === storeId || group.scope === 'chain');
    return { ...source, title: visible ? group.name : '' };
  }
  if (source.kind === 'live' && source.id) {
    const room = await tx.live.getRoom(source.id);
    return { ...source, title: room?.title ?? '' };
  }
  return { ...source, title: '' };
}

async function styleLine(tx: HqTx, styleId: string, size: number | null): Promise<{ styleName: string }> {
  const style = (await tx.listStyles()).find((s) => s.id === styleId);
  if (!style) throw new ExpectError('invalid', 'No such style in the catalog');
  if (size !== null && !style.sizes.includes(size)) throw new ExpectError('invalid', `${style.name} has no size ${size}`);
  return { styleName: style.name };
}

async function lockedStore(tx: HqTx, storeId: string): Promise<StoreRecord> {
  const exists = await tx.lockStore(storeId);
  const store = exists ? await tx.getStore(storeId) : null;
  if (!store) throw new ExpectError('not_found', `No store ${storeId}`);
  return store;
}

async function memberOf(tx: HqTx, memberId: string): Promise<MemberRecord> {
  const member = await tx.getMember(memberId);
  if (!member) throw new ExpectError('not_found', 'No such member');
  return member;
}

interface NewExpectation {
  store: StoreRecord;
  member: MemberRecord;
  clientId: string;
  styleId: string | null;
  size: number | null;
  holdId: string | null;
  source: Omit<ExpectSource, 'title'> | undefined;
  until: number;
}

async function writeExpectation(tx: HqTx, append: Append, e: NewExpectation, now: number): Promise<ExpectedVisit> {
  const open = (await tx.expected.openOfMember(e.member.id)).filter((x) => x.until > now);
  if (open.length >= MEMBER_EXPECTED_MAX) throw new ExpectError('rate_limited', `At most ${MEMBER_EXPECTED_MAX} planned visits at once; cancel one first`);
  const line = e.styleId ? await styleLine(tx, e.styleId, e.size) : null;
  const expected: ExpectedVisit = {
    id: uuidv7(now),
    storeId: e.store.id,
    member: holdMember(e.member),
    styleId: e.styleId,
    styleName: line?.styleName ?? null,
    size: e.styleId ? e.size : null,
    holdId: e.holdId,
    source: await sourceOf(tx, e.store.id, e.source),
    createdAt: now,
    until: e.until,
    status: 'expected',
    visitId: null,
    arrivedAt: null,
  };
  await tx.expected.putExpected(expected, now, e.clientId);
  await append(e.store.id, 'expect.updated', { expected }, now);
  return expected;
}

/** POST /v1/member/expected: "I'll come and try it". A resend under the same clientId answers the first one (`duplicate`). */
export function createExpectation(log: EventLog, caller: MemberCaller, body: MemberExpectBody, now: number): Promise<{ expected: ExpectedVisit; duplicate: boolean }> {
  return log.write(async (tx, append) => {
    const store = await lockedStore(tx, body.storeId ?? caller.storeId);
    const seen = await tx.expected.byClientId(caller.memberId, body.clientId);
    if (seen) return { expected: seen, duplicate: true };
    if (body.size !== undefined && body.styleId === undefined) throw new ExpectError('invalid', 'A size needs a style');
    const member = await memberOf(tx, caller.memberId);
    const until = expectUntil(store, body.on, now);
    const expected = await writeExpectation(tx, append, { store, member, clientId: body.clientId, styleId: body.styleId ?? null, size: body.size ?? null, holdId: null, source: body.source, until }, now);
    // "I'll come and try it" from a live room counts in the room's summary (6/8).
    if (body.source?.kind === 'live' && body.source.id && (await tx.live.getRoom(body.source.id))) {
      await tx.live.addReferral({ roomId: body.source.id, storeId: store.id, memberId: member.id, holdId: null, expectedId: expected.id, at: now });
    }
    return { expected, duplicate: false };
  });
}

/** POST /v1/member/holds: "hold a pair for me", and (unless `expect: false`) "expect me", linked by `holdId`. */
export function placeMemberHold(log: EventLog, caller: MemberCaller, body: MemberHoldBody, now: number): Promise<{ hold: Hold; expected: ExpectedVisit | null; duplicate: boolean }> {
  const key = `member-hold:${caller.memberId}:${body.clientId}`;
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return log.write(async (tx, append) => {
    // From a live room (6/8): the room's store is told too (`live.reserved`), so both stores are
    // locked, in id order like a cross-store hold request (a room never changes store).
    const room = body.source?.kind === 'live' && body.source.id ? await tx.live.getRoom(body.source.id) : null;
    const holdStoreId = body.storeId ?? caller.storeId;
    if (room && room.storeId < holdStoreId) await tx.lockStore(room.storeId);
    const store = await lockedStore(tx, holdStoreId);
    if (room && room.storeId > holdStoreId) await tx.lockStore(room.storeId);
    const seen = await tx.getIdempotent(key);
    if (seen) {
      if (seen.requestHash !== requestHash) throw new ExpectError('conflict', 'This clientId was used for another hold');
      const ids = JSON.parse(seen.result) as { holdId: string; expectedId: string | null };
      const hold = await tx.holds.getHold(ids.holdId);
      if (!hold) throw new ExpectError('not_found', 'That hold is gone');
      return { hold, expected: ids.expectedId ? await tx.expected.getExpected(ids.expectedId) : null, duplicate: true };
    }
    const member = await memberOf(tx, caller.memberId);
    const mine = (await tx.holds.activeHoldsOfMember(member.id)).filter((h) => h.by.deviceId === MEMBER_ACTOR.deviceId);
    if (mine.length >= MEMBER_HOLDS_MAX) throw new ExpectError('rate_limited', `At most ${MEMBER_HOLDS_MAX} pairs held at once; collect or wait for one first`);
    if (body.expect && (await tx.expected.byClientId(member.id, body.clientId))) throw new ExpectError('conflict', 'This clientId was used for another planned visit');
    const placed = await placeHold(tx, {
      storeId: store.id,
      member,
      styleId: body.styleId,
      color: body.color,
      size: body.size,
      days: HOLD_DAYS_DEFAULT,
      by: MEMBER_ACTOR,
      at: now,
      holdId: uuidv7(now),
      requestId: null,
    });
    if (isRejected(placed)) throw new ExpectError(placed.code === 'out_of_stock' ? 'out_of_stock' : 'invalid', placed.message);
    await append(store.id, 'hold.placed', { hold: placed, by: MEMBER_ACTOR, opId: null }, now);
    const expected = body.expect
      ? await writeExpectation(tx, append, { store, member, clientId: body.clientId, styleId: placed.styleId, size: placed.size, holdId: placed.id, source: body.source, until: placed.until }, now)
      : null;
    // The host console shows it as it comes in; in the same transaction as the hold.
    if (room) {
      await tx.live.addReferral({ roomId: room.id, storeId: store.id, memberId: member.id, holdId: placed.id, expectedId: expected?.id ?? null, at: now });
      await append(room.storeId, 'live.reserved', { roomId: room.id, hold: placed, storeName: store.name, expected }, now);
    }
    await tx.putIdempotent(key, requestHash, JSON.stringify({ holdId: placed.id, expectedId: expected?.id ?? null }), now);
    return { hold: placed, expected, duplicate: false };
  });
}

/**
 * DELETE /v1/member/expected/{id}: the member will not come. The pair they held with it (a
 * member-made hold still active) goes back on the shelf with it — nobody is coming for it, and a
 * clerk's hold is left to the clerk. Cancelling again answers the same.
 */
export function cancelExpectation(log: EventLog, caller: MemberCaller, id: string, now: number): Promise<ExpectedVisit> {
  return log.write(async (tx, append) => {
    const seen = await tx.expected.getExpected(id);
    if (!seen || seen.member.id !== caller.memberId) throw new ExpectError('not_found', 'No such planned visit');
    await tx.lockStore(seen.storeId);
    const current = (await tx.expected.getExpected(id))!;
    if (current.status === 'cancelled') return current;
    if (current.status !== 'expected') throw new ExpectError('conflict', `The planned visit is ${current.status} already`);
    const expected: ExpectedVisit = { ...current, status: 'cancelled' };
    await tx.expected.putExpected(expected, now);
    await append(expected.storeId, 'expect.updated', { expected }, now);
    const hold = current.holdId ? await tx.holds.getHold(current.holdId) : null;
    if (hold && hold.status === 'active' && hold.storeId === current.storeId && hold.member.id === caller.memberId && hold.by.deviceId === MEMBER_ACTOR.deviceId) {
      const released: Hold = { ...hold, status: 'released', endedAt: Math.max(now, hold.placedAt), endedBy: MEMBER_ACTOR };
      await tx.holds.putHold(released);
      await append(hold.storeId, 'hold.released', { hold: released, by: MEMBER_ACTOR, opId: null }, now);
    }
    return expected;
  });
}

/** GET /v1/member/expected: the member's open expectations at every store (not yet past their day). */
export function memberExpectations(log: EventLog, memberId: string, now: number): Promise<ExpectedVisit[]> {
  return log.store.read(async (r) => (await r.expected.openOfMember(memberId)).filter((e) => e.until > now));
}

/**
 * The member walked into the store (any source): inside the arrival's transaction, under the
 * store's lock (the caller holds it), their open expectations there become `arrived` with the
 * visit. Answers them, oldest first, for the arrival event to carry the first; the caller appends
 * their `expect.updated` events with `announceFulfilled` after the arrival.
 */
export async function fulfilExpected(
  tx: HqTx,
  storeId: string,
  memberId: string,
  visitId: string,
  at: number,
  /** `openAtStore(storeId, memberId, at)` as a batch read it ahead (hq/app/arrivalsAhead.ts). */
  readAhead?: readonly ExpectedVisit[],
): Promise<ExpectedVisit[]> {
  const open = readAhead ?? (await tx.expected.openAtStore(storeId, memberId, at));
  const arrived: ExpectedVisit[] = [];
  for (const e of open) {
    const expected: ExpectedVisit = { ...e, status: 'arrived', visitId, arrivedAt: at };
    await tx.expected.putExpected(expected, at);
    arrived.push(expected);
  }
  return arrived;
}

export async function announceFulfilled(append: Append, arrived: readonly ExpectedVisit[]): Promise<void> {
  for (const expected of arrived) await append(expected.storeId, 'expect.updated', { expected });
}

/** The snapshot's part: the store's open expectations, and those settled since the start of the store's today. */
export async function expectedSnapshot(r: HqTx, store: StoreRecord, now: number): Promise<ExpectedVisit[]> {
  return r.expected.ofStore(store.id, storeDayStart(store, now), SNAPSHOT_EXPECTED);
}

/** Expectations settled per lapse sweep at most; a backlog is worked off over a few sweeps. */
const BATCH = 500;

/**
 * Expectations past their `until` lapse, told to the store's desks. Every HQ node runs it; each
 * lapses once: the due ones are read outside any write, then each store's are settled in
 * transactions of up to 50 (storeSweep.ts writeInTurns) under the store's lock and read again (an
 * arrival may have fulfilled one meanwhile).
 */
export async function sweepLapsedExpectations(log: EventLog, now: number): Promise<number> {
  const due = await log.store.read((r) => r.expected.dueExpected(now, BATCH));
  return writeInTurns(byStore(due, (e) => e.storeId, (e) => e.id), (storeId, ids) =>
    log.write(async (tx, append) => {
      await tx.lockStore(storeId);
      let n = 0;
      for (const id of ids) {
        const current = await tx.expected.getExpected(id);
        if (!current || current.status !== 'expected' || current.until > now) continue;
        const expected: ExpectedVisit = { ...current, status: 'lapsed' };
        await tx.expected.putExpected(expected, now);
        await append(storeId, 'expect.updated', { expected }, now);
        n++;
      }
      return n;
    }),
  );
}
