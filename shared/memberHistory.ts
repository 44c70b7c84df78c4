// A member's history across the chain, as a desk of ANY store may read it, and member-level notes.
//
// Why any store's desk may read it: a member homed in Beijing who walks into Shanghai is served in
// Shanghai, and the clerk there needs what the clerk at home knows (sizes, what they bought and
// tried, what was noted). The member walked in: that is the purpose (docs/security.md).
// What it never carries: the full phone (masked only), chat with any store, another store's
// suggestions or stock, and who the member is beyond the loyalty record the profile already gives.
//
// Bounded: at most HISTORY_VISITS visits, HISTORY_PURCHASES purchases and HISTORY_NOTES member
// notes, newest first; `more` says that older ones exist (a clerk needs the recent past, not all).
import { z } from 'zod';
import { Actor, EuSize, Id, Member, MonthDay, Millis, Outcome, Purchase, VisitStatus, ArrivalSource } from './domain.ts';

export const HISTORY_VISITS = 50;
export const HISTORY_PURCHASES = 50;
export const HISTORY_NOTES = 100;
export const MEMBER_NOTE_MAX = 2000;

/**
 * A note about the member, not tied to a visit ("prefers wide fit", "buys for her son, size 35"),
 * written at any store and read at every store of the chain.
 */
export const MemberNote = z.object({
  id: Id,
  memberId: Id,
  text: z.string().min(1).max(MEMBER_NOTE_MAX),
  /** The store whose desk wrote it. */
  storeId: Id,
  by: Actor,
  at: Millis,
});
export type MemberNote = z.infer<typeof MemberNote>;

/** A note made on a past visit, as the history shows it (who and when, not the device). */
export const HistoryVisitNote = z.object({ id: Id, text: z.string().max(2000), at: Millis, clerkName: z.string().max(60).nullable() });

/** One past visit anywhere in the chain. */
export const HistoryVisit = z.object({
  id: Id,
  storeId: Id,
  storeName: z.string().max(80),
  source: ArrivalSource.or(z.string().max(20)),
  status: VisitStatus,
  arrivedAt: Millis,
  closedAt: Millis.nullable(),
  outcome: Outcome.nullable(),
  /** The clerk who served (claimed or closed) it, or the counter's name when no clerk was signed in; null when nobody did. */
  clerkName: z.string().max(60).nullable(),
  notes: z.array(HistoryVisitNote).max(100),
});
export type HistoryVisit = z.infer<typeof HistoryVisit>;

/** A purchase with the colour's catalog name and the store's name. */
export const HistoryPurchase = Purchase.extend({
  size: EuSize,
  /** The colourway's name in the style's catalog entry (the code when the style is gone). */
  colorName: z.string().max(40),
  storeName: z.string().max(80),
});
export type HistoryPurchase = z.infer<typeof HistoryPurchase>;

export const MemberHistory = z.object({
  /** The loyalty record as a desk sees it: masked phone, points, sizes, birthday, consents. */
  member: Member,
  /** Month and day the member joined (the membership anniversary), in the chain's zone. */
  anniversary: MonthDay,
  visits: z.array(HistoryVisit).max(HISTORY_VISITS),
  purchases: z.array(HistoryPurchase).max(HISTORY_PURCHASES),
  notes: z.array(MemberNote).max(HISTORY_NOTES),
  /** Older entries exist beyond the bounds above. */
  more: z.object({ visits: z.boolean(), purchases: z.boolean(), notes: z.boolean() }),
});
export type MemberHistory = z.infer<typeof MemberHistory>;

/** GET /v1/desk/members/{id}/history — `at`: HQ's time of the answer. */
export const MemberHistoryResponse = z.object({ history: MemberHistory, at: Millis });
export type MemberHistoryResponse = z.infer<typeof MemberHistoryResponse>;


// --- the desk's member page (DeskApi getMemberPage) ------------------------------------------------

/** A member note as the desk shows it: confirmed by HQ, or still queued / refused at this counter. */
export interface MemberNoteView extends MemberNote {
  sync: 'pending' | 'confirmed' | 'rejected';
}

export interface MemberPageView extends Omit<MemberHistory, 'notes'> {
  notes: MemberNoteView[];
  /**
   * When the history shown was received from HQ (desk clock). Null when this counter never had it:
   * visits and purchases are then unknown, not empty (the member record is the cache's).
   */
  fetchedAt: number | null;
  /** Shown from this counter's copy because HQ could not be asked now (offline, no answer). */
  fromCache: boolean;
}
