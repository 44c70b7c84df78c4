// A batch's arrivals read up front: their stores locked, their members, the members' profile reads,
// their open expectations and whether they have an open visit, with one statement each for the
// whole batch instead of one each per arrival (on PostgreSQL, where every statement is a round
// trip: five of an arrival's seven; its writes — a new visit, its event, its card — are held back
// and written for the whole batch at its commit: hq/adapters/postgres/heldWrites.ts).
//
// Invariant: an answer taken from here is the answer the statement it stands for would give at that
// point of the transaction. That holds because the reads run after the batch's stores are locked
// (the lock goes first on the connection, and the server runs statements in the order issued), so
// no other writer changes a store's visits or expectations meanwhile; and because an arrival is the
// only writer inside the batch, and what it changes is its member's visits and its member's
// expectations — so once an arrival of a member has been applied, that member is `touched` and any
// later arrival of theirs in the batch reads for itself. Members, purchases and holds are not
// written by arrivals. (A member's last visit at a store outside the batch, committed by another
// node meanwhile, may be seen or not — as item by item: that visit and the batch are concurrent, and
// neither order is wrong.) A read that was not taken ahead (a phone lookup, a touched member)
// answers `undefined`, and the caller reads as it would without this.
import { type ExpectedVisit } from '../../shared/expected.ts';
import { type HqTx, type MemberRecord, type ProfileReads } from '../ports/store.ts';
import { REPEAT_WINDOW_MS } from './arrivals.ts';
import { together } from './together.ts';
import { HISTORY_FOR_RANKING } from './profiles.ts';

/** Who walked in and where: the part of an arrival request the reads ahead need. */
export interface AheadRequest {
  storeId: string;
  memberId?: string;
  memberCode?: string;
  at?: number;
}

export class ArrivalsAhead {
  private readonly touchedMembers = new Set<string>();

  private constructor(
    /** The batch's stores, and those of them that exist (now locked). */
    private readonly stores: ReadonlySet<string>,
    private readonly existing: ReadonlySet<string>,
    /** Every id and code the batch asked for, found (a member) or not (null). */
    private readonly byId: ReadonlyMap<string, MemberRecord | null>,
    private readonly byCode: ReadonlyMap<string, MemberRecord | null>,
    private readonly profiles: ReadonlyMap<string, ProfileReads>,
    private readonly expected: ReadonlyMap<string, readonly ExpectedVisit[]>,
    /** Each pair's newest open visit last seen at or after `openSince`, by when it was last seen. */
    private readonly openSeen: ReadonlyMap<string, number>,
    private readonly openSince: number,
  ) {}

  /**
   * Locks the requests' stores (in id order) and reads the rest: on a pipelined connection the lock
   * and the members are one round trip, the profiles, expectations and open visits a second (each
   * profile read asks for the history ProfileBuilder ranks on).
   */
  static async read(tx: HqTx, requests: readonly AheadRequest[], now = Date.now()): Promise<ArrivalsAhead> {
    const storeIds = [...new Set(requests.map((r) => r.storeId))].sort();
    const ids = new Set<string>();
    const codes = new Set<string>();
    for (const r of requests) {
      if (r.memberId !== undefined) ids.add(r.memberId);
      else if (r.memberCode !== undefined) codes.add(r.memberCode);
    }
    // The lock is issued first; the member rows (no store lock guards them) go beside it.
    const [existing, members] = await together(tx.lockStores(storeIds), tx.findMembers([...ids], [...codes]));
    const byId = new Map<string, MemberRecord | null>([...ids].map((id) => [id, null]));
    const byCode = new Map<string, MemberRecord | null>([...codes].map((code) => [code, null]));
    for (const m of members) {
      if (byId.has(m.id)) byId.set(m.id, m);
      if (byCode.has(m.code)) byCode.set(m.code, m);
    }
    const pairs = new Map<string, { storeId: string; memberId: string }>();
    for (const r of requests) {
      const m = memberNamed(byId, byCode, r);
      if (m && existing.has(r.storeId)) pairs.set(pairKey(r.storeId, m.id), { storeId: r.storeId, memberId: m.id });
    }
    const memberIds = [...new Set([...pairs.values()].map((p) => p.memberId))];
    // The earliest repeat window an arrival of the batch may ask about (an arrival without `at` is
    // dated when it is applied, after now).
    const openSince = Math.min(now, ...requests.map((r) => r.at ?? now)) - REPEAT_WINDOW_MS;
    const [[profiles, open], visits] = pairs.size
      ? await together(
          together(tx.profileReadsOf(memberIds, HISTORY_FOR_RANKING), tx.expected.openAtStores([...pairs.values()])),
          tx.openVisitsSeen([...pairs.values()], openSince),
        )
      : [[new Map<string, ProfileReads>(), []], []];
    const expected = new Map<string, ExpectedVisit[]>([...pairs.keys()].map((key) => [key, []]));
    for (const e of open) expected.get(pairKey(e.storeId, e.member.id))?.push(e);
    const openSeen = new Map(visits.map((v) => [pairKey(v.storeId, v.memberId), v.lastSeenAt]));
    return new ArrivalsAhead(new Set(storeIds), existing, byId, byCode, profiles, expected, openSeen, openSince);
  }

  /**
   * True when the member has no visit here that `findOpenVisit(storeId, memberId, since)` would
   * find, as read ahead; undefined when that was not read (the member touched, a store or member
   * not found, a `since` before the read's); false when there is one (it is read with its notes then).
   */
  noOpenVisit(storeId: string, memberId: string, since: number): boolean | undefined {
    const key = pairKey(storeId, memberId);
    if (this.touchedMembers.has(memberId) || !this.expected.has(key) || since < this.openSince) return undefined;
    return !((this.openSeen.get(key) ?? -Infinity) >= since);
  }

  /** Whether the store exists (it is locked if so), when it is one of the batch's; else undefined. */
  storeExists(storeId: string): boolean | undefined {
    return this.stores.has(storeId) ? this.existing.has(storeId) : undefined;
  }

  /** The member the request names, or null for none, when read ahead; else undefined (a phone). */
  member(request: { memberId?: string; memberCode?: string }): MemberRecord | null | undefined {
    return memberNamed(this.byId, this.byCode, request);
  }

  /** `profileReads(memberId, purchaseLimit, <the arrival's new visit>)`, unless the member was touched. */
  profileReads(memberId: string): ProfileReads | undefined {
    return this.touchedMembers.has(memberId) ? undefined : this.profiles.get(memberId);
  }

  /** `expected.openAtStore(storeId, memberId, at)`, unless the member was touched. */
  openExpected(storeId: string, memberId: string, at: number): ExpectedVisit[] | undefined {
    if (this.touchedMembers.has(memberId)) return undefined;
    return this.expected.get(pairKey(storeId, memberId))?.filter((e) => e.until > at);
  }

  /** An arrival of this member is being applied: from now on their reads are their own. */
  touched(memberId: string): void {
    this.touchedMembers.add(memberId);
  }
}

const pairKey = (storeId: string, memberId: string) => `${storeId}\u0000${memberId}`;

/** The member a request names by id or code, null when none was found, undefined when not asked (a phone). */
function memberNamed(
  byId: ReadonlyMap<string, MemberRecord | null>,
  byCode: ReadonlyMap<string, MemberRecord | null>,
  request: { memberId?: string; memberCode?: string },
): MemberRecord | null | undefined {
  if (request.memberId !== undefined) return byId.get(request.memberId);
  if (request.memberCode !== undefined) return byCode.get(request.memberCode);
  return undefined;
}
