// The assisted-selling part of the store port (reached as `tx.assist`, 7/8): the suggestions an
// arrival card showed, the clerks' marks on them, and the sales attributed to a suggestion, an
// add-on or a product card sent in chat — on the caller's connection and transaction, so a mark
// and its `suggest.marked` event, or a purchase and its attribution, commit together.
// Callers take `tx.lockStore(storeId)` before a read-then-write (hq/app/assist/).
import { type AssistKpis, type AttributionSource, type MarkVerdict, type SuggestionMark, type SuggestionRole } from '../../shared/assist.ts';
import { type Actor } from '../../shared/domain.ts';
import { type ReportQuery } from '../../shared/kpis.ts';

/** One style an arrival card showed for a visit: one of the next best action's styles, or its add-on. */
export interface ShownSuggestion {
  storeId: string;
  visitId: string;
  memberId: string;
  styleId: string;
  role: SuggestionRole;
  at: number;
}

/** A shown suggestion as a sale looks back at it: the mark it got (if any) and who claimed the visit. */
export interface ShownForSale extends ShownSuggestion {
  verdict: MarkVerdict | null;
  claimedBy: Actor | null;
}

/** A sale attributed to what the store did for the member; one per purchase id. */
export interface SaleAttribution {
  purchaseId: string;
  storeId: string;
  memberId: string;
  styleId: string;
  source: AttributionSource;
  /** The visit whose card showed it (null for a chat card). */
  visitId: string | null;
  /** The clerk credited: who claimed the visit, or who sent the card (null: a desk with nobody signed in). */
  clerkId: string | null;
  /** Price paid, fen. */
  price: number;
  /** The purchase's time. */
  at: number;
}

/** A product card a clerk of the store sent the member in chat (not recalled). */
export interface CardSent {
  messageId: string;
  styleId: string;
  by: Actor | null;
  at: number;
}

export interface AssistOps {
  /**
   * Records what a card showed; a (visit, style) already recorded is kept as it was. Each row is of a
   * visit just inserted in the same transaction, with that visit's store and member and its arrival
   * time as `at`: the adapters find a member's rows through their visits (shownForSale, erasure).
   */
  putShown(rows: readonly ShownSuggestion[]): Promise<void>;
  /** What the card of a visit showed, by role then style. */
  shownOfVisit(visitId: string): Promise<ShownSuggestion[]>;
  /** Insert or replace the mark of (visit, style). */
  putMark(mark: SuggestionMark): Promise<void>;
  /** The marks of these visits (the snapshot's), by visit then style. */
  marksOfVisits(visitIds: readonly string[]): Promise<SuggestionMark[]>;
  /** Suggestions of `styleId` shown to the member at the store with `at` in [since, until], newest first. */
  shownForSale(storeId: string, memberId: string, styleId: string, since: number, until: number): Promise<ShownForSale[]>;
  /** Product cards of `styleId` the store's side sent the member with `at` in [since, until], not recalled, newest first. */
  cardsSent(storeId: string, memberId: string, styleId: string, since: number, until: number): Promise<CardSent[]>;
  getAttribution(purchaseId: string): Promise<SaleAttribution | null>;
  /** Inserts the attribution; a purchase attributed already keeps its first one (answers false). */
  putAttribution(a: SaleAttribution): Promise<boolean>;
  /**
   * The manager's review over the report's visits (range, store, tier/outcome/served filters; under
   * a clerk filter the visits that clerk claimed) and the sales attributed in the range (under a
   * clerk filter, those credited to the clerk) — shared/assist.ts AssistKpis.
   */
  kpis(storeIds: readonly string[], q: ReportQuery): Promise<AssistKpis>;
}
