// Holds: a pair (style, colour, size) put aside at a store for a member until a date, and the
// cross-store request that asks another store to put one aside. Shared by HQ, the desk core and
// the renderer; the schemas are the wire's (events, commands, the snapshot, the stock read).
//
// Invariant: a store never has more active holds on a stock line than the line's quantity — HQ
// checks `qty − active holds` inside the store's lock before it places one (hq/app/holds/).
// A request is the only thing one store's desks see of another store's business, and it carries
// only what putting the pair aside needs: the member's name and tier (no phone, no purchases, no
// notes), the style, colour, size, days, and who asked.
import { z } from 'zod';
import { Actor, Category, Colorway, EuSize, Id, Member, Millis, StyleImageRef } from './domain.ts';

import { HOLD_DAYS_MIN, HOLD_DAYS_MAX, HOLD_DAYS_DEFAULT } from './limits.ts'; // the page reads the limits without the schemas
export const HoldDays = z.number().int().min(HOLD_DAYS_MIN).max(HOLD_DAYS_MAX);
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Requests a desk shows (and a snapshot carries): every pending one, and answered ones asked in the last 7 days. */
export const HOLD_REQUESTS_SHOWN_DAYS = 7;

/** Active, or how it ended: a clerk released it, it ran out, or the member collected the pair. */
export const HoldStatus = z.enum(['active', 'released', 'expired', 'collected']);
export type HoldStatus = z.infer<typeof HoldStatus>;
/** What a clerk can end a hold with (`expired` is HQ's sweep). */
export const HoldEnd = z.enum(['released', 'collected']);
export type HoldEnd = z.infer<typeof HoldEnd>;

/** The member as a hold (or a request) shows them: name and tier, nothing more. */
export const HoldMember = Member.pick({ id: true, name: true, tier: true });
export type HoldMember = z.infer<typeof HoldMember>;

/** A stock line: style (with its name), colour (code and name), size. */
const Line = {
  styleId: Id,
  styleName: z.string().max(80),
  color: z.string().min(1).max(20),
  colorName: z.string().max(40),
  size: EuSize,
  /** The style's category and picture, so a hold shows the pair (absent on holds made before pictures). */
  category: Category.optional(),
  image: StyleImageRef.nullable().optional(),
};

export const Hold = z.object({
  id: Id,
  storeId: Id,
  member: HoldMember,
  ...Line,
  placedAt: Millis,
  /** Held until (epoch ms); HQ's sweep releases it as `expired` after this. */
  until: Millis,
  by: Actor,
  status: HoldStatus,
  /** When and by whom it ended (null while active; `by` null when it expired). */
  endedAt: Millis.nullable(),
  endedBy: Actor.nullable(),
  /** The cross-store request this hold answers, if any. */
  requestId: Id.nullable(),
});
export type Hold = z.infer<typeof Hold>;

/** `expired`: nobody at the asked store answered within HOLD_REQUEST_TTL_MS (HQ's sweep said so to both stores). */
export const HoldRequestStatus = z.enum(['pending', 'accepted', 'declined', 'expired']);
/**
 * How long a cross-store request waits for an answer: a day. The member is usually in the asking
 * store or about to leave it; an answer after that helps nobody, and the asking clerk is told so they
 * can ask another store instead of waiting for ever.
 */
export const HOLD_REQUEST_TTL_MS = 24 * 60 * 60 * 1000;
export type HoldRequestStatus = z.infer<typeof HoldRequestStatus>;

export const HoldRequest = z.object({
  id: Id,
  fromStoreId: Id,
  fromStoreName: z.string().max(80),
  toStoreId: Id,
  toStoreName: z.string().max(80),
  member: HoldMember,
  ...Line,
  days: HoldDays,
  requestedAt: Millis,
  /** The asking desk and clerk. */
  by: Actor,
  status: HoldRequestStatus,
  answeredAt: Millis.nullable(),
  answeredBy: Actor.nullable(),
  /** Accepted: the hold at the other store and until when. */
  holdId: Id.nullable(),
  until: Millis.nullable(),
});
export type HoldRequest = z.infer<typeof HoldRequest>;

/** The commands of the hold family (registered in shared/protocol.ts `CommandData`). */
export const HoldCommandData = {
  /** Put a pair aside at this store for a member; `holdId` is desk-made, so a resend is one hold. */
  'hold.place': z.object({ holdId: Id, memberId: Id, styleId: Id, color: z.string().min(1).max(20), size: EuSize, days: HoldDays }),
  /** End an active hold of this store: released by a clerk, or collected by the member. */
  'hold.release': z.object({ holdId: Id, reason: HoldEnd }),
  /** Ask another store to put a pair aside for a member; `requestId` is desk-made. */
  'hold.request': z.object({ requestId: Id, toStoreId: Id, memberId: Id, styleId: Id, color: z.string().min(1).max(20), size: EuSize, days: HoldDays }),
  /** This store's answer to a request addressed to it; accepting places the hold here. */
  'hold.answer': z.object({ requestId: Id, accept: z.boolean() }),
} as const;
export const HOLD_COMMANDS = ['hold.place', 'hold.release', 'hold.request', 'hold.answer'] as const;
export type HoldCommandType = (typeof HOLD_COMMANDS)[number];
export const isHoldCommand = (type: string): type is HoldCommandType => (HOLD_COMMANDS as readonly string[]).includes(type);

const Cause = { by: Actor.nullable(), opId: Id.nullable() };
/** The events of the hold family (registered in shared/protocol.ts `EventData`). */
export const HoldEventData = {
  /** A hold was placed at the store (a clerk's, or an accepted request's). */
  'hold.placed': z.object({ hold: Hold, ...Cause }),
  /** A hold ended: `hold.status` says how (released, collected, expired — `by` null). */
  'hold.released': z.object({ hold: Hold, ...Cause }),
  /** A cross-store request, in the logs of both the asking and the asked store. */
  'hold.requested': z.object({ request: HoldRequest, ...Cause }),
  /** The asked store's answer, in both logs (accepted: `request.holdId`, `request.until`). */
  'hold.answered': z.object({ request: HoldRequest, ...Cause }),
} as const;

/** GET /v1/desk/stock/{styleId}: the style's stock per store of the chain, by colour and size, holds subtracted. No member data. */
export const StockLineAvailability = z.object({
  color: z.string().min(1).max(20),
  size: EuSize,
  qty: z.number().int().nonnegative(),
  /** Pairs under an active hold. */
  held: z.number().int().nonnegative(),
  /** qty − held (never below 0). */
  available: z.number().int().nonnegative(),
});
export type StockLineAvailability = z.infer<typeof StockLineAvailability>;
export const StoreStock = z.object({
  storeId: Id,
  name: z.string().max(80),
  city: z.string().max(40),
  /** The store of the asking desk. */
  mine: z.boolean(),
  lines: z.array(StockLineAvailability),
});
export type StoreStock = z.infer<typeof StoreStock>;
export const StyleStockResponse = z.object({
  styleId: Id,
  styleName: z.string().max(80),
  colors: z.array(Colorway),
  sizes: z.array(EuSize),
  stores: z.array(StoreStock),
  at: Millis,
});
export type StyleStockResponse = z.infer<typeof StyleStockResponse>;

/** GET /v1/chat/holds (member-authenticated): the member's active holds across the chain. */
export const MemberHold = Hold.pick({ id: true, styleName: true, colorName: true, size: true, until: true, placedAt: true }).extend({
  storeName: z.string().max(80),
  city: z.string().max(40),
});
export type MemberHold = z.infer<typeof MemberHold>;
export const MemberHoldsResponse = z.object({ holds: z.array(MemberHold) });

// ---------------------------------------------------------------------------------------------
// The desk's side (DeskApi): what the clerk asks for and what the views show.

/** Place a hold at this store. The names come from what the clerk picked from (a suggestion, a product card): the desk has no catalog. */
export const PlaceHoldArgs = z
  .object({
    memberId: Id,
    styleId: Id,
    styleName: z.string().max(80),
    color: z.string().min(1).max(20),
    colorName: z.string().max(40),
    size: EuSize,
    days: HoldDays.default(HOLD_DAYS_DEFAULT),
  })
  .strict();
export type PlaceHoldArgs = z.input<typeof PlaceHoldArgs>;
/** Ask another store to hold a pair (from its line in "Other stores"). */
export const RequestHoldArgs = PlaceHoldArgs.extend({ toStoreId: Id, toStoreName: z.string().max(80) }).strict();
export type RequestHoldArgs = z.input<typeof RequestHoldArgs>;

/** Where HQ stands with the clerk's own action on a hold or request (as shared/deskApi.ts SyncState). */
export type HoldSync = 'pending' | 'confirmed' | 'rejected';

/** A hold as the desk shows it: confirmed state with the clerk's queued actions applied. */
export interface HoldView extends Hold {
  /** null: nothing of this desk's is outstanding on it. */
  sync: HoldSync | null;
  /** The queued or refused action: placing it, or ending it. */
  pendingAction: 'place' | 'release' | null;
  /** HQ refused the action (e.g. out_of_stock: another counter held the last pair first); shown until dismissed. */
  rejection: { code: string; message: string } | null;
}

export interface HoldRequestView extends HoldRequest {
  /** 'out': this store asked; 'in': another store asks this one. */
  direction: 'out' | 'in';
  sync: HoldSync | null;
  /** This desk's queued answer, while HQ has not confirmed it. */
  pendingAnswer: boolean | null;
  rejection: { code: string; message: string } | null;
}
