// The restock part of the store port (reached as `tx.restock`, 7/8): from a size arriving in a
// store's stock to the members who wear it, and what clerks did about them. On the caller's
// connection and transaction, so the stock write, the match and its `restock.matched` event commit
// together. Callers hold `tx.lockStore(storeId)` (stock ingest and runDeskCommand both do).
//
// Invariant: `candidates` reads only the store's own members — its home members (by home store and
// size) and the members seen at the store since `since` (by the store's visits) — never a walk over
// the chain's members, so one stock line costs what the store's size-matched members cost.
import { type RestockMatch, type RestockMatchMember } from '../../shared/assist.ts';
import { type Category, type StyleKind } from '../../shared/domain.ts';

export interface RestockStyle {
  name: string;
  category: Category;
  kind: StyleKind | undefined;
}

export interface RestockQuery {
  storeId: string;
  styleId: string;
  category: Category;
  size: number;
  /** Members seen at the store since then belong to it (besides its home members). */
  since: number;
  limit: number;
}

export interface RestockOps {
  /** The few fields of a style the trigger needs (null: unknown style). */
  style(styleId: string): Promise<RestockStyle | null>;
  /**
   * The store's members who consented to personalisation and contact, wear `size`, like `category`
   * (a stated preference, else a purchase of it anywhere) and have never bought `styleId`; platinum
   * first, then most recently seen at the store, at most `limit`.
   */
  candidates(q: RestockQuery): Promise<RestockMatchMember[]>;
  getMatch(id: string): Promise<RestockMatch | null>;
  /** Insert or replace the match (its members and what was done about them are its changing parts). */
  putMatch(match: RestockMatch): Promise<void>;
  /** The store's matches made at or after `since`, newest first. */
  matchesOfStore(storeId: string, since: number): Promise<RestockMatch[]>;
  /** The matches that list the member (erasure). */
  matchesOfMember(memberId: string): Promise<RestockMatch[]>;
}
