// A member walked in. A new visit raises an `arrival` (with the profile and recommendations
// computed now); the same member again within 30 minutes of the open visit's last sighting only
// bumps that visit (`visit.updated`), so the counter is not alerted twice for one person.
import { type Actor, type ArrivalSource, type Visit } from '../../shared/domain.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type ArrivalReads, type HqStore, type HqTx, type MemberRecord } from '../ports/store.ts';
import { type Append, type EventLog } from './eventLog.ts';
import { type ArrivalsAhead } from './arrivalsAhead.ts';
import { announceFulfilled, fulfilExpected } from './expected/expectations.ts'; // 5/8 expected visits
import { HISTORY_FOR_RANKING, ProfileBuilder } from './profiles.ts';
import { recordShown } from './assist/marks.ts'; // 7/8 attribution
import { normalizePhone } from './phone.ts';
import { settledAll, together } from './together.ts';

export const REPEAT_WINDOW_MS = 30 * 60 * 1000;

/**
 * How far after HQ's clock an arrival's `at` may be: a door system's clock running a little fast.
 * The bound is what keeps one bad `at` from silencing a member: a visit's `lastSeenAt` is where the
 * repeat window starts, so a visit dated a day ahead (or in microseconds, centuries ahead) would
 * absorb every later arrival of the member as a repeat, without an alert, until that time.
 */
export const ARRIVAL_MAX_AHEAD_MS = 5 * 60 * 1000;
/**
 * The earliest `at` taken (2000-01-01 UTC). Arrivals may be back-dated (a door system catching
 * up, history loaded), but a time given in seconds instead of milliseconds reads as January 1970.
 */
export const ARRIVAL_EARLIEST = Date.UTC(2000, 0, 1);

export interface ArrivalResult {
  status: 'created' | 'updated';
  visitId: string;
  seq: number;
}

export interface ArrivalArgs {
  storeId: string;
  member: MemberRecord;
  source: ArrivalSource;
  at: number;
  /** A counter check-in (checkins.ts): who checked the member in and under which op, carried by the event. */
  cause?: { by: Actor; opId: string; checkinId: string };
  /** The batch's reads taken up front (arrivalsAhead.ts), when the arrival is one of a batch. */
  ahead?: ArrivalsAhead;
  /** A single arrival's reads of its member, taken with the member (`HqTx.arrivalReads`), under the store's lock. */
  reads?: Omit<ArrivalReads, 'member'>;
}

/** Who walked in, as an integration names them: exactly one of memberId, memberCode, phone. */
export interface ArrivalRequest {
  storeId: string;
  memberId?: string;
  memberCode?: string;
  phone?: string;
  source: ArrivalSource;
  at?: number;
}

/** An Idempotency-Key and the hash of the request it came with. */
export interface Idempotency {
  key: string;
  requestHash: string;
}

export type ArrivalOutcome = ArrivalResult | (Omit<ArrivalResult, 'status'> & { status: 'duplicate' });

export class ArrivalError extends Error {
  constructor(
    readonly code: 'store_not_found' | 'member_not_found' | 'idempotency_key_reused' | 'at_out_of_range',
    message: string,
  ) {
    super(message);
  }
}

/** One arrival in its own transaction; see `arriveIn`. */
export function arrive(log: EventLog, request: ArrivalRequest, idempotency: Idempotency | null): Promise<ArrivalOutcome> {
  return log.write((tx, append) => arriveIn(log.store, tx, append, request, idempotency));
}

/**
 * One arrival inside the caller's change (a write of an `EventLog.batch`, say): the
 * Idempotency-Key lookup, the store and member lookups, the visit with its event, and the key
 * remembered with the result — all in the one transaction, so a retry, even a concurrent one on
 * another node, never applies twice. A key seen before answers the remembered result as
 * 'duplicate'; the same key with another request is refused.
 */
export async function arriveIn(
  store: HqStore,
  tx: HqTx,
  append: Append,
  request: ArrivalRequest,
  idempotency: Idempotency | null,
  ahead?: ArrivalsAhead,
): Promise<ArrivalOutcome> {
  const storedKey = idempotency ? `arrivals:${idempotency.key}` : null;
  // The store's lock, the key and the member are asked for together: on a pipelined PostgreSQL
  // connection that is one round trip, not three, and the server still runs them in the order
  // issued — so they are issued lock first: the key and the member's open visit are read only once
  // the lock is held (two retries of one request on two nodes must not both miss the key; two
  // arrivals of one member on two nodes must not both miss the visit the other opened while they
  // waited for the lock, and open a second: test/integration/arrival-groups.test.ts). The member's
  // row is not guarded by the store's lock; on a duplicate its read is simply unused. In a batch read
  // ahead, the lock and the member are known.
  const lockedAhead = ahead?.storeExists(request.storeId);
  const memberAhead = ahead?.member(request);
  const now = Date.now();
  const at = request.at ?? now;
  const locked = lockedAhead !== undefined ? Promise.resolve(lockedAhead) : tx.lockStore(request.storeId);
  const seenRead = storedKey ? tx.getIdempotent(storedKey) : Promise.resolve(null);
  // Where every statement is a round trip (store.readAhead), a single arrival naming its member by
  // id or card code asks for the member together with what a new visit reads (the open visit, the
  // profile, the expectations): the same write as the lock and the key, where they were a second
  // round trip once the member's id was known. A duplicate or a repeat leaves some of it unused.
  const ref = ahead === undefined && store.readAhead ? memberRef(request) : undefined;
  const early = ref ? tx.arrivalReads(request.storeId, ref, at - REPEAT_WINDOW_MS, at, HISTORY_FOR_RANKING) : undefined;
  const memberRead = memberAhead !== undefined ? Promise.resolve(memberAhead) : early ? early.then((r) => r?.member ?? null) : findMember(tx, request);
  const [storeExists, [seen, member]] = await together(locked, together(seenRead, memberRead));
  if (seen) {
    if (seen.requestHash !== idempotency!.requestHash) throw new ArrivalError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
    return { ...(JSON.parse(seen.result) as ArrivalResult), status: 'duplicate' };
  }
  // After the key: a retry of an arrival taken before is answered as before, whatever the clock says now.
  if (request.at !== undefined) checkArrivalTime(request.at, now);
  if (!storeExists) throw new ArrivalError('store_not_found', `unknown store ${request.storeId}`);
  if (!member) throw new ArrivalError('member_not_found', 'no member matches the given identifier');
  const reads = early ? ((await early) ?? undefined) : undefined; // settled already: `member` came from it
  const result = await applyArrival(store, tx, append, { storeId: request.storeId, member, source: request.source, at, ahead, reads });
  if (storedKey) await tx.putIdempotent(storedKey, idempotency!.requestHash, JSON.stringify(result), Date.now());
  return result;
}

/** Refuses an `at` outside [ARRIVAL_EARLIEST, now + ARRIVAL_MAX_AHEAD_MS], saying which bound it broke. */
export function checkArrivalTime(at: number, now: number): void {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (at > now + ARRIVAL_MAX_AHEAD_MS) {
    throw new ArrivalError(
      'at_out_of_range',
      `at ${at} is more than ${ARRIVAL_MAX_AHEAD_MS / 60_000} minutes after HQ's clock (${iso(now)}); give epoch milliseconds, not later than ${now + ARRIVAL_MAX_AHEAD_MS}`,
    );
  }
  if (at < ARRIVAL_EARLIEST) {
    throw new ArrivalError('at_out_of_range', `at ${at} is before ${iso(ARRIVAL_EARLIEST)} (${ARRIVAL_EARLIEST}); give epoch milliseconds, not seconds`);
  }
}

/** The member's id or card code, as `arrivalReads` takes them; a phone is looked up by itself. */
function memberRef(request: Pick<ArrivalRequest, 'memberId' | 'memberCode'>): { id: string } | { code: string } | undefined {
  if (request.memberId !== undefined) return { id: request.memberId };
  if (request.memberCode !== undefined) return { code: request.memberCode };
  return undefined;
}

/** The member an arrival (or a counter check-in) names: by id, card code, or full phone (normalised, at HQ only). */
export async function findMember(r: HqTx, request: Pick<ArrivalRequest, 'memberId' | 'memberCode' | 'phone'>): Promise<MemberRecord | null> {
  if (request.memberId !== undefined) return r.getMember(request.memberId);
  if (request.memberCode !== undefined) return r.findMemberByCode(request.memberCode);
  const digits = normalizePhone(request.phone ?? '');
  return digits.length >= 5 ? r.findMemberByPhone(digits) : null;
}

/**
 * The arrival as part of the caller's change (e.g. one `write()` of an `EventLog.batch`): reads
 * and writes through `tx`, announces through `append`. `store` is the port `tx` belongs to; it
 * only keys this node's catalog cache.
 */
export async function applyArrival(store: HqStore, tx: HqTx, append: Append, args: ArrivalArgs): Promise<ArrivalResult> {
  const { storeId, member, source, at, ahead, reads } = args;
  // Two arrivals of one member on two nodes must find one visit, not open two.
  await tx.lockStore(storeId); // (taken already when called from arriveIn; a second take is free)
  // The batch's reads of this member, as they stand before this arrival changes their visits and
  // expectations; later arrivals of theirs in the batch read for themselves.
  const since = at - REPEAT_WINDOW_MS;
  const profileAhead = ahead?.profileReads(member.id) ?? reads?.profile;
  const expectedAhead = ahead?.openExpected(storeId, member.id, at) ?? reads?.expected;
  const openAhead = reads?.open ?? null;
  const noneOpenAhead = ahead?.noOpenVisit(storeId, member.id, since) === true || (reads !== undefined && openAhead === null);
  ahead?.touched(member.id);
  const visit: Visit = {
    id: uuidv7(),
    storeId,
    memberId: member.id,
    source,
    status: 'open',
    arrivedAt: at,
    lastSeenAt: at,
    arrivals: 1,
    claimedBy: null,
    claimedAt: null,
    closedAt: null,
    outcome: null,
    notes: [],
  };
  // The member's open visit here takes the arrival; only when there is none is `visit` inserted —
  // at once when the batch's or the arrival's own reads found none. Otherwise, where every
  // statement is a round trip (store.readAhead) and nothing was read ahead, a new visit's reads go
  // out beside the look-up, before it is known whether they will be used: a new visit saves a
  // round trip, a repeat wastes two reads in the same one. Issued after the insert, they read what
  // they would read after it (the profile's "last seen" leaves the new visit out).
  const speculate = store.readAhead && !noneOpenAhead && openAhead === null;
  const profileEarly = profileAhead === undefined && speculate ? tx.profileReads(member.id, HISTORY_FOR_RANKING, visit.id) : undefined;
  const expectedEarly = expectedAhead === undefined && speculate ? tx.expected.openAtStore(storeId, member.id, at) : undefined;
  const [open, profileRead, expectedRead] = await settledAll(
    openAhead ? Promise.resolve(openAhead) : noneOpenAhead ? tx.insertVisit(visit).then(() => null) : tx.openVisitOrInsert(visit, since),
    profileEarly,
    expectedEarly,
  );
  if (open) {
    const updated: Visit = { ...open, arrivals: open.arrivals + 1, lastSeenAt: Math.max(open.lastSeenAt, at) };
    await tx.updateVisit(updated);
    const ev = await append(storeId, 'visit.updated', { visit: updated, ...args.cause });
    return { status: 'updated', visitId: updated.id, seq: ev.seq };
  }
  const builder = await ProfileBuilder.cached(store, tx, storeId, Date.now());
  // Two pairs of independent statements are issued together: on PostgreSQL each pair goes out
  // without waiting for the first's answer (the connection is pipelined; the server runs them in
  // the order issued), so a pair costs one round trip, not two. Neither side of a pair reads what
  // the other writes.
  //  - The profile's reads, and the expectations this visit fulfils — 5/8: the member said they
  //    would come; their open expectations here are fulfilled by this visit, in this transaction,
  //    and the alert carries the first ("came to try X, from group Y").
  const [profile, arrived] = await together(
    builder.profile(member, visit.id, profileAhead ?? profileRead),
    fulfilExpected(tx, storeId, member.id, visit.id, at, expectedAhead ?? expectedRead),
  );
  //  - 7/8 attribution: what this card suggests (so a mark can only be on it and a sale can follow
  //    it), and the arrival's event.
  const [, ev] = await together(
    recordShown(tx, visit, profile, at),
    append(storeId, 'arrival', { visit, profile, ...args.cause, ...(arrived[0] ? { expected: arrived[0] } : {}) }),
  );
  await announceFulfilled(append, arrived);
  return { status: 'created', visitId: visit.id, seq: ev.seq };
}
