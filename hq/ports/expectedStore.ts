// The expected-visits part of the store port (reached as `tx.expected`, 5/8): a member's "I'll come
// and try it", on the caller's connection and transaction, so an expectation, the arrival that
// fulfils it and their events commit together. Callers take `tx.lockStore(storeId)` before a
// read-then-write (is it still open? was this clientId seen?) — hq/app/expected/, hq/app/arrivals.ts.
import { type ExpectedVisit } from '../../shared/expected.ts';

export interface ExpectedOps {
  getExpected(id: string): Promise<ExpectedVisit | null>;
  /**
   * Insert or replace the expectation (status, visit, arrival are its changing parts). `at` is when
   * this change happened (the snapshot's "settled today" reads it); `clientId` is the member's key
   * that makes a resend one expectation — kept from the insert, ignored on a replace.
   */
  putExpected(expected: ExpectedVisit, at: number, clientId?: string | null): Promise<void>;
  /** The expectation the member already made under this clientId, at any store. */
  byClientId(memberId: string, clientId: string): Promise<ExpectedVisit | null>;
  /** The member's open (`expected`) expectations at the store that last past `now`, oldest first: what an arrival fulfils. */
  openAtStore(storeId: string, memberId: string, now: number): Promise<ExpectedVisit[]>;
  /**
   * Every open expectation of each (store, member) pair, whatever its `until`, in `openAtStore`'s
   * order (oldest first): a batch's arrivals read up front, each then keeping those with
   * `until > at` of its own pair — what `openAtStore(storeId, memberId, at)` answers.
   */
  openAtStores(pairs: readonly { storeId: string; memberId: string }[]): Promise<ExpectedVisit[]>;
  /** The member's open expectations at every store, soonest `until` first (the member page). */
  openOfMember(memberId: string): Promise<ExpectedVisit[]>;
  /** Open expectations whose `until` is at or before `now`, oldest first: what the lapse sweep settles. */
  dueExpected(now: number, limit: number): Promise<Array<{ storeId: string; id: string }>>;
  /** The store's open expectations and those settled (any change) at or after `since`, by `until`. */
  ofStore(storeId: string, since: number, limit: number): Promise<ExpectedVisit[]>;
}
