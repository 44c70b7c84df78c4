// Assisted selling (7/8): the next best action on the arrival card, marks and sale attribution,
// restock matches (from a size arriving in stock to the members who wear it), and the member-side
// assistant's hand-over to a clerk. The wire contract: HQ, the desk and the member page build on it.
//
// Invariants:
// - Personalisation follows the member's consent (PIPL Art. 24): a member whose
//   `consents.personalization` is false gets suggestions that use none of their data — this store's
//   popular styles in stock, which the clerk narrows to a size given for this visit — and the card
//   says so (`NextBestAction.personalized` false, no add-on from their purchases).
// - A restock match lists only members who consented to both personalisation (matching uses their
//   size and purchases) and contact (a clerk will reach out), of the store that got the stock; it
//   carries their name and tier, never a phone.
// - The assistant answers only from live data (stock, store hours, holds) and fixed rules; when it
//   is unsure, or the member asks for a person, it hands the conversation over: a `assist.handover`
//   in the store's log, settled when a clerk answers the member.
// - Marks and attributions are per store: a desk marks only its own store's visits; a sale counts
//   for a suggestion shown, an add-on shown or a product card sent at the store where it was bought,
//   within ATTRIBUTION_WINDOW_DAYS.
import { z } from 'zod';
import { Actor, Category, EuSize, Id, MemberName, Millis, Tier } from './domain.ts';

// The catalog's accessories and the next best action live in shared/domain.ts (MemberProfile carries
// the action, and domain.ts cannot import this file without a cycle); re-exported here.
export { AccessoryKind, ActionCue, AddOn, AddOnReason, isAccessory, LONG_ABSENT_DAYS, MAX_NEXT_STYLES, NextBestAction, StyleKind } from './domain.ts';

/** How a clerk judged a suggestion at the counter. */
export const MarkVerdict = z.enum(['used', 'not_relevant']);
export type MarkVerdict = z.infer<typeof MarkVerdict>;
export const SuggestionRole = z.enum(['style', 'addon']);
export type SuggestionRole = z.infer<typeof SuggestionRole>;

/** One clerk's mark on one suggestion of one visit; a later mark on the same (visit, style) replaces it. */
export const SuggestionMark = z.object({
  storeId: Id,
  visitId: Id,
  memberId: Id,
  styleId: Id,
  role: SuggestionRole,
  verdict: MarkVerdict,
  by: Actor,
  at: Millis,
});
export type SuggestionMark = z.infer<typeof SuggestionMark>;

/** A sale counts for what was suggested or sent this many days before it. */
export const ATTRIBUTION_WINDOW_DAYS = 14;
/** What a sale is attributed to: a suggested style, the add-on, or a product card a clerk sent in chat. */
export const AttributionSource = z.enum(['suggestion', 'addon', 'chat_card']);
export type AttributionSource = z.infer<typeof AttributionSource>;

/** The manager's review of assisted selling over the report's period (GET /v1/manager/report `assist`). */
export const AssistKpis = z.object({
  /** Visits whose card carried suggestions, and how many suggestions and add-ons it showed. */
  visitsWithSuggestions: z.number().int().nonnegative(),
  suggestionsShown: z.number().int().nonnegative(),
  addOnsShown: z.number().int().nonnegative(),
  marked: z.object({ used: z.number().int().nonnegative(), notRelevant: z.number().int().nonnegative() }),
  /** Sales attributed, per source: count and revenue (fen). */
  sales: z.object({
    suggestion: z.object({ count: z.number().int().nonnegative(), revenue: z.number().int().nonnegative() }),
    addon: z.object({ count: z.number().int().nonnegative(), revenue: z.number().int().nonnegative() }),
    chat_card: z.object({ count: z.number().int().nonnegative(), revenue: z.number().int().nonnegative() }),
  }),
});
export type AssistKpis = z.infer<typeof AssistKpis>;

// ---------------------------------------------------------------------------------------------
// Restock matches: a style's size arrived in store; who wears it and likes it

export const RESTOCK_MATCH_MAX = 50;
/** Restock matches stay on the desk (and in the snapshot) this long. */
export const RESTOCK_MATCH_DAYS = 14;

export const RestockMatchMember = z.object({
  memberId: Id,
  name: MemberName,
  tier: Tier,
  /** Why they match: the category is a stated preference, or they bought it before. */
  why: z.enum(['preference', 'bought']),
  /** When they were last seen at this store (null: never, a home member). */
  lastVisitAt: Millis.nullable(),
});
export type RestockMatchMember = z.infer<typeof RestockMatchMember>;

export const RestockDone = z.object({
  memberId: Id,
  /** What the clerk did: sent the product card in chat, set a follow-up task, or passed. */
  how: z.enum(['message', 'task', 'dismissed']),
  by: Actor,
  at: Millis,
});
export type RestockDone = z.infer<typeof RestockDone>;

export const RestockMatch = z.object({
  /** Deterministic from the trigger (store, style, size, the stock write's day), so a line sent twice makes one match. */
  id: Id,
  storeId: Id,
  styleId: Id,
  styleName: z.string().max(80),
  category: Category,
  size: EuSize,
  /** Pairs in that size after the stock write (over colours). */
  qty: z.number().int().positive(),
  at: Millis,
  members: z.array(RestockMatchMember).max(RESTOCK_MATCH_MAX),
  done: z.array(RestockDone).max(RESTOCK_MATCH_MAX),
});
export type RestockMatch = z.infer<typeof RestockMatch>;

// ---------------------------------------------------------------------------------------------
// The member-side assistant


/** What the assistant understood a member's message as. */
export const AssistIntent = z.enum(['stock', 'hours', 'hold_status', 'size_convert', 'greeting', 'handover', 'unknown']);
export type AssistIntent = z.infer<typeof AssistIntent>;

/** The assistant steps back while a clerk is talking to the member: a clerk message this recent. */
export const ASSISTANT_QUIET_AFTER_CLERK_MS = 10 * 60 * 1000;

export const Handover = z.object({
  id: Id,
  storeId: Id,
  memberId: Id,
  /** The member asked for a person, or the assistant could not answer. */
  reason: z.enum(['asked', 'unsure']),
  /** The member's message that led to it. */
  question: z.string().max(2000),
  /** The assistant's replies in this exchange before the hand-over (their texts are in the conversation). */
  answered: z.array(z.object({ intent: AssistIntent, messageId: Id })).max(20),
  at: Millis,
  /** When a clerk answered the member (null: still waiting for one). */
  settledAt: Millis.nullable(),
  settledBy: Actor.nullable(),
});
export type Handover = z.infer<typeof Handover>;

// ---------------------------------------------------------------------------------------------
// Wire: events in the store's log and desk commands (registered in shared/protocol.ts)

const Cause = { by: Actor.nullable(), opId: Id.nullable() };

export const AssistEventData = {
  /** A clerk marked a suggestion of a visit used or not relevant. */
  'suggest.marked': z.object({ mark: SuggestionMark, ...Cause }),
  /** A size arrived in stock and these members wear it and like the category (`by` null: HQ). */
  'restock.matched': z.object({ match: RestockMatch }),
  /** A clerk acted on a member of a restock match. */
  'restock.updated': z.object({ match: RestockMatch, ...Cause }),
  /** The assistant handed a member's conversation to the store's clerks, or a clerk's answer settled it. */
  'assist.handover': z.object({ handover: Handover, ...Cause }),
} as const;

export const AssistCommandData = {
  /** Mark a suggestion on a visit of this store; the same (visitId, styleId) again replaces the verdict. */
  'suggest.mark': z.object({ visitId: Id, styleId: Id, role: SuggestionRole, verdict: MarkVerdict }),
  /** Record what the clerk did about one member of a restock match (the chat card or task itself is its own command). */
  'restock.done': z.object({ matchId: Id, memberId: Id, how: RestockDone.shape.how }),
} as const;
export type AssistCommandType = keyof typeof AssistCommandData;
export const isAssistCommand = (type: string): type is AssistCommandType => type === 'suggest.mark' || type === 'restock.done';

/** PUT /v1/member/consents — the member's own choices, per purpose (member session token); omitted = unchanged. */
export const MemberConsentsBody = z
  .object({ marketing: z.boolean().optional(), personalization: z.boolean().optional(), contact: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of marketing, personalization, contact');
export type MemberConsentsBody = z.infer<typeof MemberConsentsBody>;
