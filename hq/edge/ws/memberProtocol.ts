// The member API's frames and bodies (what the brand's mini-program, or HQ's member page, speaks).
// HTTP for sessions, history, images and (optionally) sends; one WebSocket per open chat for live
// messages, receipts, typing and presence, and the live frames of the member's groups (5/8). See docs/protocol.md, "Member API".
import { z } from 'zod';
import { Id, Message, Receipts } from '../../../shared/domain.ts';
import { GroupToMember } from '../../../shared/groups.ts';

export const MEMBER_PROTOCOL_VERSION = 1;
export const MEMBER_SOCKET_PATH = '/v1/member/socket';
/** Member WebSocket frames are small: images go over HTTP. */
export const MAX_MEMBER_FRAME_BYTES = 16 * 1024;
/** A member socket whose unsent backlog passes this is closed (4004): a member who stopped reading must not grow HQ's memory. */
export const MEMBER_SEND_BUFFER_MAX = 1024 * 1024;

export const MemberClose = { unauthorized: 4001, badFrame: 4000, protocolViolation: 4003, rateLimited: 4029, goingAway: 1001 } as const;

export const ClientId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

export const MemberSendBody = z.discriminatedUnion('kind', [
  z.object({ clientId: ClientId, kind: z.literal('text'), text: z.string().trim().min(1).max(2000) }).strict(),
  z.object({ clientId: ClientId, kind: z.literal('image'), imageId: Id }).strict(),
]);
export type MemberSendBody = z.infer<typeof MemberSendBody>;

export const MemberReceiptBody = z
  .object({ delivered: z.number().int().nonnegative().optional(), read: z.number().int().nonnegative().optional() })
  .strict();

export const MemberSessionRequest = z
  .object({ storeId: Id, memberCode: z.string().trim().min(1).max(32), phoneLast4: z.string().regex(/^\d{4}$/) })
  .strict();

export const MemberTokenRequest = z
  .object({ storeId: Id, memberId: Id.optional(), memberCode: z.string().trim().min(1).max(32).optional() })
  .strict()
  .refine((b) => (b.memberId === undefined) !== (b.memberCode === undefined), { message: 'give exactly one of memberId, memberCode' });

export const MemberSession = z.object({
  token: z.string(),
  memberId: Id,
  memberName: z.string(),
  storeId: Id,
  storeName: z.string(),
  expiresAt: z.number(),
});
export type MemberSession = z.infer<typeof MemberSession>;

// member → HQ
export const MemberToHq = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), v: z.number().int().positive(), token: z.string().min(1).max(200) }),
  z.object({ t: z.literal('send'), message: MemberSendBody }),
  z.object({ t: z.literal('receipt'), delivered: z.number().int().nonnegative().optional(), read: z.number().int().nonnegative().optional() }),
  z.object({ t: z.literal('typing'), on: z.boolean() }),
  z.object({ t: z.literal('recall'), messageId: Id }),
]);
export type MemberToHq = z.infer<typeof MemberToHq>;

// HQ → member
export const HqToMember = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('welcome'),
    memberId: Id,
    memberName: z.string(),
    storeId: Id,
    storeName: z.string(),
    receipts: Receipts,
    lastN: z.number().int().nonnegative(),
    storeOnline: z.boolean(),
  }),
  z.object({ t: z.literal('message'), message: Message, receipts: Receipts }),
  z.object({
    t: z.literal('sendAck'),
    clientId: z.string(),
    status: z.enum(['ok', 'duplicate', 'rejected']),
    message: Message.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  z.object({ t: z.literal('receipt'), receipts: Receipts }),
  z.object({ t: z.literal('recalled'), message: Message }),
  z.object({ t: z.literal('typing'), on: z.boolean(), by: z.string().optional() }),
  z.object({ t: z.literal('presence'), storeOnline: z.boolean() }),
  z.object({ t: z.literal('error'), code: z.string(), message: z.string() }),
  // 5/8: live frames of the member's groups (memberHub.ts routes them)
  GroupToMember['group.message'],
  GroupToMember['group.messageChanged'],
  GroupToMember['group.updated'],
  GroupToMember['group.gone'],
]);
export type HqToMember = z.infer<typeof HqToMember>;
