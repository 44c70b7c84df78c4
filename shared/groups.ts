// Member communities (5/8): topic groups a store runs, with its clerks as hosts. Shared by HQ, the
// desk core, the renderer and (as JSON) the member page; the schemas are the wire's.
//
// Invariants:
// - A group belongs to one store (`storeId`), whose desks host it and whose log carries its events
//   (`group.*`), so a desk gets groups with the same resume/replay/reset guarantees as visits and
//   chat. A `chain` group is open to members of every store; a `store` group to anyone with its link.
// - A group's messages are numbered 1, 2, … (`n`, gap-free, taken under the store's lock, as a
//   conversation's are); a member's read state is one position per membership (`readN`), never a
//   receipt per message per member.
// - Members see one another only by nickname: the member API's views (`MemberGroupMessage`,
//   `MemberGroupView`) carry no member ids, no phones and no names. Leaving keeps a member's past
//   messages but anonymises them (`memberId` and `nickname` null); erasure deletes them.
// - Every sender's message carries a sender-made `clientId`: a resend is the same message.
import { z } from 'zod';
import { Actor, Id, ImageRef, Millis, ProductCard } from './domain.ts';

import { GROUP_NAME_MAX, GROUP_TOPIC_MAX, GROUP_NOTICE_MAX, GROUP_WELCOME_MAX, GROUP_MEMBER_TEXT_MAX, GROUP_HOST_TEXT_MAX, NICKNAME_MAX, SLOW_MODE_MAX_SEC, GROUP_MUTE_MAX_MIN, INVITE_DAYS_DEFAULT, INVITE_DAYS_MAX, PUSH_CAP_DEFAULT, KEYWORDS_MAX } from './limits.ts'; // the page reads the limits without the schemas

export const GroupScope = z.enum(['store', 'chain']);
export type GroupScope = z.infer<typeof GroupScope>;
export const GroupName = z.string().trim().min(1).max(GROUP_NAME_MAX);
export const Nickname = z.string().trim().min(1).max(NICKNAME_MAX);

export const GroupHost = z.object({ clerkId: Id, clerkName: z.string().max(60) });
export type GroupHost = z.infer<typeof GroupHost>;

/** A group as its store's desks see it. */
export const Group = z.object({
  id: Id,
  storeId: Id,
  scope: GroupScope,
  name: GroupName,
  topic: z.string().max(GROUP_TOPIC_MAX),
  /** The pinned notice ('' = none) and when it was last set. */
  notice: z.string().max(GROUP_NOTICE_MAX),
  noticeAt: Millis.nullable(),
  /** Shown to a member who joins; `{nickname}` is replaced by theirs. */
  welcome: z.string().max(GROUP_WELCOME_MAX),
  slowModeSec: z.number().int().min(0).max(SLOW_MODE_MAX_SEC),
  hosts: z.array(GroupHost).max(50),
  /** Active members (not hosts). */
  memberCount: z.number().int().nonnegative(),
  /** Newest message position (0 = none yet). */
  lastN: z.number().int().nonnegative(),
  lastAt: Millis.nullable(),
  /** The store's read position (any of its desks reading moves it for all). */
  storeReadN: z.number().int().nonnegative(),
  createdAt: Millis,
  createdBy: Actor,
  /** A closed group keeps its history readable but takes no messages or members. */
  closedAt: Millis.nullable(),
});
export type Group = z.infer<typeof Group>;

export const MembershipStatus = z.enum(['active', 'left', 'removed']);
export type MembershipStatus = z.infer<typeof MembershipStatus>;

/** One member in one group, as the store's desks see it (hosts act on `memberId`). */
export const GroupMembership = z.object({
  groupId: Id,
  memberId: Id,
  nickname: Nickname,
  status: MembershipStatus,
  joinedAt: Millis,
  /** The invite they joined by (null: joined a chain group from the member page's list). */
  inviteId: Id.nullable(),
  /** A host's mute: no messages until then (null = not muted). */
  mutedUntil: Millis.nullable(),
  /** The member's own read position. */
  readN: z.number().int().nonnegative(),
  /** When they left or were removed. */
  endedAt: Millis.nullable(),
  /** The member's own switch: no notifications from this group (absent = notifications on). */
  notificationsOff: z.boolean().optional(),
});
export type GroupMembership = z.infer<typeof GroupMembership>;

export const GroupMessageKind = z.enum(['text', 'product', 'image', 'announcement']);
export type GroupMessageKind = z.infer<typeof GroupMessageKind>;

/** Announcement reach: members it was pushed to, and members over the chain's monthly cap (or without marketing consent) who only see it in the thread. */
export const AnnouncementReach = z.object({ pushed: z.number().int().nonnegative(), capped: z.number().int().nonnegative() });
export type AnnouncementReach = z.infer<typeof AnnouncementReach>;

/** A short quote of the message answered (a host answering an asker). */
export const ReplyRef = z.object({ n: z.number().int().positive(), nickname: z.string().max(NICKNAME_MAX).nullable(), excerpt: z.string().max(80) });
export type ReplyRef = z.infer<typeof ReplyRef>;

/**
 * A group message as the store's desks see it. `from: 'member'` carries `memberId` and `nickname`
 * (both null once the member left: anonymised); `from: 'host'` carries `by` (desk and clerk).
 * A recalled or deleted message keeps its place and loses its content.
 */
export const GroupMessage = z.object({
  id: Id,
  groupId: Id,
  storeId: Id,
  n: z.number().int().positive(),
  clientId: Id,
  from: z.enum(['member', 'host']),
  memberId: Id.nullable(),
  nickname: z.string().max(NICKNAME_MAX).nullable(),
  by: Actor.nullable(),
  kind: GroupMessageKind,
  body: z.string().max(GROUP_HOST_TEXT_MAX),
  /** A product card; when sent for an asker (`forMemberId`), its sizes are that member's sizes in this store's stock. */
  product: ProductCard.nullable(),
  image: ImageRef.nullable(),
  /** The member a host's answer is for (their question is `replyTo`). */
  forMemberId: Id.nullable(),
  replyTo: ReplyRef.nullable(),
  reach: AnnouncementReach.nullable(),
  at: Millis,
  recalledAt: Millis.nullable(),
  /** Deleted by a host (`deletedBy`). */
  deletedAt: Millis.nullable(),
  deletedBy: Actor.nullable(),
});
export type GroupMessage = z.infer<typeof GroupMessage>;

// ---------------------------------------------------------------------------------------------
// Desk commands (registered in shared/protocol.ts `CommandData`); HQ answers with `group.*` events.

const GroupText = z.string().trim().min(1).max(GROUP_HOST_TEXT_MAX);
export const GroupCommandData = {
  /** Open a group at this store; the acting clerk is its first host. `groupId` is desk-made. */
  'group.create': z.object({
    groupId: Id,
    scope: GroupScope,
    name: GroupName,
    topic: z.string().trim().max(GROUP_TOPIC_MAX).default(''),
    welcome: z.string().trim().max(GROUP_WELCOME_MAX).default(''),
  }),
  /** A host changes the group: any field given (the pinned notice included; '' unpins it). */
  'group.update': z.object({
    groupId: Id,
    name: GroupName.optional(),
    topic: z.string().trim().max(GROUP_TOPIC_MAX).optional(),
    welcome: z.string().trim().max(GROUP_WELCOME_MAX).optional(),
    notice: z.string().trim().max(GROUP_NOTICE_MAX).optional(),
    slowModeSec: z.number().int().min(0).max(SLOW_MODE_MAX_SEC).optional(),
  }),
  /** A host makes another clerk of the store a host, or stops them being one. */
  'group.host': z.object({ groupId: Id, clerkId: Id, host: z.boolean() }),
  /** A host closes the group (history stays readable). */
  'group.close': z.object({ groupId: Id }),
  /** A host writes to the group; `clientId` (desk-made) makes a resend under any opId one message. */
  'group.send': z.discriminatedUnion('kind', [
    z.object({ groupId: Id, clientId: Id, kind: z.literal('text'), text: GroupText, replyToN: z.number().int().positive().optional() }),
    /** Counted against each member's monthly cap; pushed only to members under it with marketing consent. */
    z.object({ groupId: Id, clientId: Id, kind: z.literal('announcement'), text: GroupText }),
    /** A product card, filtered to `forMemberId`'s sizes when given (answering their message `replyToN`). */
    z.object({ groupId: Id, clientId: Id, kind: z.literal('product'), styleId: Id, forMemberId: Id.optional(), replyToN: z.number().int().positive().optional() }),
    z.object({ groupId: Id, clientId: Id, kind: z.literal('image'), imageId: Id }),
  ]),
  /** The store has read the group up to `upTo`. */
  'group.read': z.object({ groupId: Id, upTo: z.number().int().positive() }),
  /** Recall a message this desk sent, within 2 minutes. */
  'group.recall': z.object({ groupId: Id, messageId: Id }),
  /** A host deletes any message of the group. */
  'group.delete': z.object({ groupId: Id, messageId: Id }),
  /** A host mutes a member for `minutes` (0 lifts the mute). */
  'group.mute': z.object({ groupId: Id, memberId: Id, minutes: z.number().int().min(0).max(GROUP_MUTE_MAX_MIN) }),
  /** A host removes a member; links made before the removal no longer let them back in. */
  'group.remove': z.object({ groupId: Id, memberId: Id }),
  /** A host makes an invite link (`inviteId` desk-made; the token is HQ's). */
  'group.invite': z.object({ groupId: Id, inviteId: Id, days: z.number().int().min(1).max(INVITE_DAYS_MAX).default(INVITE_DAYS_DEFAULT) }),
  'group.revokeInvite': z.object({ groupId: Id, inviteId: Id }),
} as const;
export const GROUP_COMMANDS = [
  'group.create',
  'group.update',
  'group.host',
  'group.close',
  'group.send',
  'group.read',
  'group.recall',
  'group.delete',
  'group.mute',
  'group.remove',
  'group.invite',
  'group.revokeInvite',
] as const;
export type GroupCommandType = (typeof GROUP_COMMANDS)[number];
export const isGroupCommand = (type: string): type is GroupCommandType => (GROUP_COMMANDS as readonly string[]).includes(type);

/** An invite link: `token` is HQ's, unguessable; the link is `/m/?join=<token>`. */
export const GroupInvite = z.object({
  id: Id,
  groupId: Id,
  token: z.string().min(16).max(64),
  createdAt: Millis,
  createdBy: Actor,
  expiresAt: Millis,
  revokedAt: Millis.nullable(),
  joins: z.number().int().nonnegative(),
});
export type GroupInvite = z.infer<typeof GroupInvite>;

const Cause = { by: Actor.nullable(), opId: Id.nullable() };
/** The events of the group family, in the group's store's log (registered in shared/protocol.ts `EventData`). */
export const GroupEventData = {
  /** A group was created, changed (notice, slow mode, hosts, …) or closed: the whole group after it. */
  'group.updated': z.object({ group: Group, ...Cause }),
  /** A message; `lastN` of the group is `message.n` after it. */
  'group.message': z.object({ message: GroupMessage, ...Cause }),
  /** A message was recalled by its sender or deleted by a host: its content is gone, its place stays. */
  'group.messageChanged': z.object({ message: GroupMessage, ...Cause }),
  /** A member joined, left, was muted or unmuted, or removed; `memberCount` is the group's after it. */
  'group.membership': z.object({ membership: GroupMembership, memberCount: z.number().int().nonnegative(), ...Cause }),
  /** The store's read position moved. */
  'group.read': z.object({ groupId: Id, storeReadN: z.number().int().nonnegative(), ...Cause }),
  /** An invite link was made or revoked. */
  'group.invite': z.object({ invite: GroupInvite, ...Cause }),
} as const;

// ---------------------------------------------------------------------------------------------
// The member API (HTTP under /v1/member/groups, with the member session token of the chat API;
// live frames on the member socket). Views carry no member ids: see the invariant above.

/** A message as a member sees it: the sender's nickname (or "a former member"), hosts by clerk name. */
export const MemberGroupMessage = GroupMessage.omit({ memberId: true, by: true, forMemberId: true, deletedBy: true, storeId: true }).extend({
  /** Sent by the viewing member. */
  mine: z.boolean(),
  /** A host's clerk name (null for members). */
  hostName: z.string().max(60).nullable(),
  /** A host's answer addressed to the viewing member (a product card filtered to their size). */
  forMe: z.boolean(),
});
export type MemberGroupMessage = z.infer<typeof MemberGroupMessage>;

/** A group as a member sees it (their own membership folded in). */
export const MemberGroupView = z.object({
  id: Id,
  storeId: Id,
  storeName: z.string(),
  scope: GroupScope,
  name: GroupName,
  topic: z.string(),
  notice: z.string(),
  noticeAt: Millis.nullable(),
  slowModeSec: z.number().int().nonnegative(),
  hostNames: z.array(z.string()),
  memberCount: z.number().int().nonnegative(),
  lastN: z.number().int().nonnegative(),
  lastAt: Millis.nullable(),
  closed: z.boolean(),
  /** The viewer's membership (null: not a member — a chain group they may join). */
  me: z
    .object({
      nickname: Nickname,
      readN: z.number().int().nonnegative(),
      mutedUntil: Millis.nullable(),
      /** The member's own switch: no notifications from this group. */
      notificationsOff: z.boolean(),
    })
    .nullable(),
});
export type MemberGroupView = z.infer<typeof MemberGroupView>;

/** GET /v1/member/groups → the member's groups and the chain groups they may join. */
export const MemberGroupsResponse = z.object({ groups: z.array(MemberGroupView), joinable: z.array(MemberGroupView) });
/** GET /v1/member/invites/{token} (no session needed): what a link leads to, before joining. */
export const InvitePreview = z.object({ groupId: Id, name: GroupName, topic: z.string(), storeName: z.string(), memberCount: z.number().int().nonnegative(), valid: z.boolean() });
/** POST /v1/member/groups/join: by an invite token, or a chain group's id. */
export const JoinGroupBody = z
  .object({ token: z.string().min(16).max(64).optional(), groupId: Id.optional(), nickname: Nickname })
  .strict()
  .refine((b) => (b.token === undefined) !== (b.groupId === undefined), { message: 'give exactly one of token, groupId' });
/** → the group and the welcome, rendered with the nickname. */
export const JoinGroupResponse = z.object({ group: MemberGroupView, welcome: z.string() });
/** POST /v1/member/groups/{id}/messages */
export const MemberGroupSendBody = z.discriminatedUnion('kind', [
  z.object({ clientId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/), kind: z.literal('text'), text: z.string().trim().min(1).max(GROUP_MEMBER_TEXT_MAX) }).strict(),
  z.object({ clientId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/), kind: z.literal('image'), imageId: Id }).strict(),
]);
/** GET /v1/member/groups/{id}/messages?after=N | ?before=N&limit=L → oldest first; `hasMore` says older (before) or newer (after) remain. */
export const MemberGroupPage = z.object({ messages: z.array(MemberGroupMessage), hasMore: z.boolean(), lastN: z.number().int().nonnegative() });
/** PATCH /v1/member/groups/{id}: the member's own settings. */
export const MemberGroupPatch = z.object({ notificationsOff: z.boolean().optional(), nickname: Nickname.optional() }).strict();
/** POST /v1/member/groups/{id}/read */
export const MemberGroupRead = z.object({ upTo: z.number().int().nonnegative() }).strict();

/** Member socket frames HQ → member for groups (added to HqToMember). */
export const GroupToMember = {
  'group.message': z.object({ t: z.literal('group.message'), groupId: Id, message: MemberGroupMessage, /** pushed: an announcement counted for this member (notify them). */ push: z.boolean() }),
  'group.messageChanged': z.object({ t: z.literal('group.messageChanged'), groupId: Id, message: MemberGroupMessage }),
  'group.updated': z.object({ t: z.literal('group.updated'), group: MemberGroupView }),
  /** The member was removed from the group, or it closed. */
  'group.gone': z.object({ t: z.literal('group.gone'), groupId: Id, reason: z.enum(['removed', 'closed', 'left']) }),
} as const;

// ---------------------------------------------------------------------------------------------
// The chain's community settings (PUT/GET /v1/ingest/community with the ingest token; every node reads them from the store).

export const CommunitySettings = z
  .object({
    /** Announcements pushed to one member per calendar month (Asia/Shanghai), over all groups of the chain. */
    pushCapPerMonth: z.number().int().min(0).max(100).default(PUSH_CAP_DEFAULT),
    /** Words a member's message may not contain (case-insensitive substring; Chinese has no word breaks). */
    keywords: z.array(z.string().trim().min(1).max(40)).max(KEYWORDS_MAX).default([]),
  })
  .strict();
export type CommunitySettings = z.infer<typeof CommunitySettings>;

/** Renders a welcome template for one member. */
export const renderWelcome = (template: string, nickname: string): string => template.replaceAll('{nickname}', nickname);

/** Whether `text` holds a blocked keyword (case-insensitive); returns the first found. */
export function blockedKeyword(text: string, keywords: readonly string[]): string | null {
  const t = text.toLocaleLowerCase('zh-CN');
  for (const k of keywords) if (t.includes(k.toLocaleLowerCase('zh-CN'))) return k;
  return null;
}
