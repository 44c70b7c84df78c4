// The desk's Groups pane (5/8) as the DeskApi carries it: the arguments the renderer sends (each
// checked by its schema at the IPC/web bridge and again by the desk core) and the views it gets
// back. A view is HQ's confirmed record (shared/groups.ts) with this desk's queued actions laid
// over it (`sync`: null = confirmed, 'pending' = in the outbox, 'rejected' = HQ refused it).
import { z } from 'zod';
import { type Category, Id, type ProductCard } from './domain.ts';
import { GroupName, GroupScope, type Group, type GroupInvite, type GroupMembership, type GroupMessage } from './groups.ts';
import { GROUP_HOST_TEXT_MAX, GROUP_MUTE_MAX_MIN, GROUP_NOTICE_MAX, GROUP_TOPIC_MAX, GROUP_WELCOME_MAX, INVITE_DAYS_MAX, SLOW_MODE_MAX_SEC } from './limits.ts';
import type { Rejection } from './protocol.ts';

export const CreateGroupArgs = z
  .object({
    scope: GroupScope,
    name: GroupName,
    topic: z.string().trim().max(GROUP_TOPIC_MAX).optional(),
    welcome: z.string().trim().max(GROUP_WELCOME_MAX).optional(),
  })
  .strict();
export type CreateGroupArgs = z.infer<typeof CreateGroupArgs>;

/** A host's change: any field given ('' notice unpins it). */
export const UpdateGroupArgs = z
  .object({
    name: GroupName.optional(),
    topic: z.string().trim().max(GROUP_TOPIC_MAX).optional(),
    welcome: z.string().trim().max(GROUP_WELCOME_MAX).optional(),
    notice: z.string().trim().max(GROUP_NOTICE_MAX).optional(),
    slowModeSec: z.number().int().min(0).max(SLOW_MODE_MAX_SEC).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'change at least one field' });
export type UpdateGroupArgs = z.infer<typeof UpdateGroupArgs>;

const Text = z.string().trim().min(1).max(GROUP_HOST_TEXT_MAX);
const ReplyToN = z.number().int().positive().optional();
/** What a host writes: text (optionally answering message `replyToN`), an announcement, a product card (for an asker), an uploaded image. */
export const GroupOutgoing = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: Text, replyToN: ReplyToN }).strict(),
  z.object({ kind: z.literal('announcement'), text: Text }).strict(),
  z.object({ kind: z.literal('product'), styleId: Id, forMemberId: Id.optional(), replyToN: ReplyToN }).strict(),
  z.object({ kind: z.literal('image'), imageId: Id }).strict(),
]);
export type GroupOutgoing = z.infer<typeof GroupOutgoing>;

export const GroupPageArgs = z
  .object({
    /** Messages before this position (default: the newest). */
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(200).optional(),
  })
  .strict();
export type GroupPageArgs = z.infer<typeof GroupPageArgs>;

export const MuteMinutes = z.number().int().min(0).max(GROUP_MUTE_MAX_MIN);
export const InviteDays = z.number().int().min(1).max(INVITE_DAYS_MAX);

type Sync = 'pending' | 'rejected' | null;

export interface GroupView extends Group {
  /** Messages the store has not read (`lastN − storeReadN`). */
  unread: number;
  sync: Sync;
  rejection: Rejection | null;
}

export interface GroupMessageView extends GroupMessage {
  /** Still in the outbox: `n` is 0 and `id` is the clientId until HQ numbers it. */
  pending: boolean;
  /** Sent from this counter (only these can be recalled here). */
  mine: boolean;
  /** A recall or a delete of it is queued. */
  changing: 'recall' | 'delete' | null;
  /** A queued product card: the style's name as the picker showed it (HQ fills the card). */
  pendingStyleName: string | null;
  rejection: Rejection | null;
}

export interface GroupPage {
  group: GroupView;
  /** Oldest first; queued messages last. */
  messages: GroupMessageView[];
  /** Older messages exist in the cache (page with `before` = the first message's n). */
  hasMore: boolean;
}

export interface GroupMemberView extends GroupMembership {
  sync: Sync;
  /** The queued host action on this member. */
  pendingAction: 'mute' | 'remove' | null;
  rejection: Rejection | null;
}

export interface GroupInviteView extends Omit<GroupInvite, 'token'> {
  /** HQ's token (null until HQ made the link). */
  token: string | null;
  /** The link a member opens: `<HQ>/m/?join=<token>` (null until HQ made it). */
  link: string | null;
  sync: Sync;
  rejection: Rejection | null;
}

/** A style the product picker offers (from the cached suggestions: the asker's own, or the store's). */
export interface GroupStyleChoice {
  styleId: string;
  name: string;
  category: Category;
  price: number;
  image: ProductCard['image'];
  /** Sizes in stock (for the asker: in their sizes when known). */
  sizes: number[];
}
