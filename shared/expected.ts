// Expected visits and member-made holds: how a member's "hold a pair for me" and "I'll come and try
// it" — from a product card in a group (5/8) or a live room (6/8) — reach the counter.
//
// Invariants:
// - An expected visit belongs to one store and one member; the store's desks see it (event
//   `expect.updated` in the store's log) with the member's name and tier, the style and size to try
//   and where it came from — nothing else about the member.
// - When the member next arrives at that store (any source) within the expectation's window, HQ
//   marks it `arrived` with the visit's id, in the arrival's transaction, and the arrival carries
//   the expectation, so the alert says "came to try X (from group Y)" and the manager's review can
//   count visits that came from a group or a stream.
// - A member-made hold is a hold like a clerk's (shared/holds.ts): HQ checks stock less active
//   holds under the store's lock; `by` is the member page's actor (MEMBER_ACTOR).
import { z } from 'zod';
import { EuSize, Id, Millis } from './domain.ts';
import { HoldMember } from './holds.ts';

/** Where an expectation (or a member-made hold) came from; `title` is what the desk shows (the group's name, the room's title). */
export const ExpectSource = z.object({ kind: z.enum(['group', 'live', 'chat', 'member_page']), id: Id.nullable(), title: z.string().max(80) });
export type ExpectSource = z.infer<typeof ExpectSource>;

export const ExpectStatus = z.enum(['expected', 'arrived', 'cancelled', 'lapsed']);
export type ExpectStatus = z.infer<typeof ExpectStatus>;

/** An expectation lasts until the end of its day, or 7 days when the member gave no day. */
export const EXPECT_WINDOW_DAYS = 7;

export const ExpectedVisit = z.object({
  id: Id,
  storeId: Id,
  member: HoldMember,
  /** What they come to try (null: just coming in). */
  styleId: Id.nullable(),
  styleName: z.string().max(80).nullable(),
  size: EuSize.nullable(),
  /** The hold made with it, if any. */
  holdId: Id.nullable(),
  source: ExpectSource,
  createdAt: Millis,
  /** Expected until (epoch ms); after it an unfulfilled expectation lapses. */
  until: Millis,
  status: ExpectStatus,
  /** The visit that fulfilled it. */
  visitId: Id.nullable(),
  arrivedAt: Millis.nullable(),
});
export type ExpectedVisit = z.infer<typeof ExpectedVisit>;


/** Event in the store's log (registered in shared/protocol.ts `EventData`). */
export const ExpectEventData = {
  /** An expectation was made, cancelled, lapsed or fulfilled (`arrived`, with the visit). */
  'expect.updated': z.object({ expected: ExpectedVisit }),
} as const;

/** POST /v1/member/holds — "hold a pair for me" (member session token). `clientId` makes a resend one hold. */
export const MemberHoldBody = z
  .object({
    clientId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
    /** The store to hold at (default: the session's). */
    storeId: Id.optional(),
    styleId: Id,
    color: z.string().min(1).max(20),
    size: EuSize,
    source: ExpectSource.omit({ title: true }).optional(),
    /** Also tell the store to expect me (default true). */
    expect: z.boolean().default(true),
  })
  .strict();
export type MemberHoldBody = z.infer<typeof MemberHoldBody>;

/** POST /v1/member/expected — "I'll come and try it" (member session token). */
export const MemberExpectBody = z
  .object({
    clientId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
    storeId: Id.optional(),
    styleId: Id.optional(),
    size: EuSize.optional(),
    /** The day they plan to come, YYYY-MM-DD in the store's zone (default: within EXPECT_WINDOW_DAYS). */
    on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    source: ExpectSource.omit({ title: true }).optional(),
  })
  .strict();
export type MemberExpectBody = z.infer<typeof MemberExpectBody>;
