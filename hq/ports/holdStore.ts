// The holds part of the store port (reached as `tx.holds`): holds and cross-store hold requests,
// on the caller's connection and transaction, so a hold, the stock check before it and its event
// commit together. Callers take `tx.lockStore(storeId)` before a check-then-place (hq/app/holds/).
import { type StockLine } from '../../shared/domain.ts';
import { type Hold, type HoldRequest } from '../../shared/holds.ts';

/** A stock line of a store and how many of its pairs are under an active hold. */
export interface HeldLine {
  storeId: string;
  color: string;
  size: number;
  held: number;
}

export interface HoldOps {
  getHold(id: string): Promise<Hold | null>;
  /** Insert or replace the hold (its status, end and until are the changing parts). */
  putHold(hold: Hold): Promise<void>;
  /** Active holds of the store, soonest `until` first. */
  activeHolds(storeId: string): Promise<Hold[]>;
  /** Pairs under an active hold on one stock line of a store. */
  heldQty(storeId: string, styleId: string, color: string, size: number): Promise<number>;
  /** The stock line's quantity (0 when the store has no such line). */
  stockQty(storeId: string, styleId: string, color: string, size: number): Promise<number>;
  /** Every store's stock lines of a style. */
  stockOfStyle(styleId: string): Promise<StockLine[]>;
  /** Active holds of a style, counted per store and line. */
  heldOfStyle(styleId: string): Promise<HeldLine[]>;
  /** Active holds whose `until` is at or before `now`, oldest first: what the expiry sweep releases. */
  dueHolds(now: number, limit: number): Promise<Array<{ storeId: string; id: string }>>;
  /**
   * Active holds of every store running out in [from, to) that have not had their reminder yet
   * (`markReminded`), soonest first, up to `limit` — for the "hold expiring" follow-up task (part
   * D). One read for the chain through a partial index of exactly those holds: the sweep runs every
   * minute on every node, and read every hold running out within a day each time, reminded or not
   * (docs/benchmarks.md, round 52).
   */
  toRemind(from: number, to: number, limit: number): Promise<Array<{ storeId: string; id: string }>>;
  /** The hold's reminder is made (or was): `toRemind` no longer answers it, whatever is written to the hold later. */
  markReminded(id: string): Promise<void>;
  /** A member's active holds at every store (the member page). */
  activeHoldsOfMember(memberId: string): Promise<Hold[]>;

  getRequest(id: string): Promise<HoldRequest | null>;
  putRequest(request: HoldRequest): Promise<void>;
  /** Pending requests asked before `before`, oldest first: what the request sweep lets lapse. */
  stalePendingRequests(before: number, limit: number): Promise<Array<{ id: string; fromStoreId: string; toStoreId: string }>>;
  /** Requests the store made or got: every pending one, and answered ones requested at or after `since`; newest first. */
  requestsOfStore(storeId: string, since: number, limit: number): Promise<HoldRequest[]>;
}
