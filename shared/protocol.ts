// Protocol v1 between HQ and a desk (one WebSocket per counter PC). See docs/protocol.md.
//
// Delivery is at-least-once on the wire and exactly-once in effect: every store has a gap-free
// event sequence inside an epoch, the desk owns its position, and commands carry a desk-made opId
// that HQ remembers per device, so a resend is answered `duplicate` instead of applied twice.
import { z } from 'zod';
import { Actor, Id, Member, MemberProfile, Message, Millis, Note, Receipts, ServedOutcome, Visit } from './domain.ts';
import { MemberNote, MEMBER_NOTE_MAX } from './memberHistory.ts';
import { Task, TaskKind, TaskText, TaskWant } from './tasks.ts'; // follow-up tasks (part D)
// 4/8 part C: holds
import { Hold, HoldCommandData, HoldEventData, HoldRequest, type HoldCommandType, isHoldCommand } from './holds.ts';
// 5/8: member communities (shared/groups.ts); expected visits and member-made holds (shared/expected.ts)
import { Group, GroupCommandData, GroupEventData, GroupInvite, GroupMembership, GroupMessage, type GroupCommandType, isGroupCommand } from './groups.ts';
import { ExpectEventData, ExpectedVisit } from './expected.ts';
// 6/8: live launch rooms (shared/live.ts)
import { isLiveCommand, LiveCommandData, LiveEventData, LiveLottery, LiveMute, LivePoll, LiveQuestion, LiveReservation, LiveRoom, type LiveCommandType } from './live.ts';
// 7/8: assisted selling
import { AssistCommandData, AssistEventData, Handover, isAssistCommand, RestockMatch, SuggestionMark, type AssistCommandType } from './assist.ts';

export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts, in bytes. HQ closes with 1009 above it (ws maxPayload). */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * How long HQ waits for `hello` on a new desk or member socket before closing it with 4003
 * (protocolViolation): a socket that never greets holds a connection slot and memory for nothing.
 */
export const HELLO_TIMEOUT_MS = 10_000;

/** WebSocket close codes used by Footfall (4000–4999 are application codes). */
export const CloseCode = {
  /** Normal close, e.g. the desk shutting down. */
  normal: 1000,
  /** HQ is shutting down or restarting; reconnect with backoff. */
  goingAway: 1001,
  /** Frame larger than MAX_FRAME_BYTES (set by ws itself). */
  tooLarge: 1009,
  /** A frame failed its schema or was not JSON. */
  badFrame: 4000,
  /** Missing, unknown or revoked device token. */
  unauthorized: 4001,
  /** `hello.v` is a version HQ does not speak. */
  unsupportedVersion: 4002,
  /** A frame arrived before `hello`, a second `hello`, or no `hello` within HELLO_TIMEOUT_MS. */
  protocolViolation: 4003,
  /** The desk's send buffer passed the slow-consumer limit; it should reconnect and resume. */
  slowConsumer: 4004,
  /** No pong within the heartbeat window. */
  heartbeatTimeout: 4005,
  /** The same device connected again; the older socket is closed. */
  replaced: 4009,
  /** Too many frames per second from this device. */
  rateLimited: 4029,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const Position = z.object({ epoch: z.string().min(1).max(64), seq: z.number().int().nonnegative() });
export type Position = z.infer<typeof Position>;

// ---------------------------------------------------------------------------------------------
// Events (HQ → desk, stored in the per-store log and replayed on resume)

/** Who caused a change and through which command, so the desk can settle its pending op. */
const Cause = { by: Actor.nullable(), opId: Id.nullable() };
/**
 * A counter check-in (command `checkin`) made this arrival or bump: who checked the member in, under
 * which op (so that desk settles it) and the desk-made `checkinId`. Absent on door, mini-program and
 * till arrivals.
 */
const CheckinCause = { by: Actor.nullable().optional(), opId: Id.nullable().optional(), checkinId: Id.optional() };

export const EventData = {
  /** A member walked in: a new visit with the profile and recommendations for this store. */
  arrival: z.object({
    visit: Visit,
    profile: MemberProfile,
    ...CheckinCause,
    /** The member said they would come (a group's or a live room's product card): HQ marked it arrived with this visit. */
    expected: ExpectedVisit.optional(),
  }),
  /** The same member again within 30 minutes: the open visit is bumped, not re-alerted. */
  'visit.updated': z.object({ visit: Visit, ...CheckinCause }),
  /**
   * A desk claimed the visit. `from`: the claim it displaced — a claim made offline earlier (by the
   * clerks' action times) than the one HQ had recorded wins the visit (docs/protocol.md, "Claims made offline").
   */
  'visit.claimed': z.object({ visit: Visit, ...Cause, from: Actor.nullable().optional() }),
  /** A clerk took the claimed visit over from its holder (`from`), explicitly. */
  'visit.takenOver': z.object({ visit: Visit, from: Actor, ...Cause }),
  'visit.released': z.object({ visit: Visit, ...Cause }),
  'visit.noted': z.object({ visit: Visit, note: Note, ...Cause }),
  /** Closed with an outcome; `left` with `by` null: HQ marked a visit nobody claimed in time as left unserved. */
  'visit.closed': z.object({ visit: Visit, ...Cause }),
  /** Member record or profile changed at HQ (ingest, purchase). */
  'member.updated': z.object({ profile: MemberProfile }),
  /** The member was erased at HQ (privacy request): drop everything cached about them. */
  'member.deleted': z.object({ memberId: Id }),
  /** A chat message, from the member or a clerk; `receipts` is the conversation's after it. */
  'chat.message': z.object({ message: Message, receipts: Receipts, ...Cause }),
  /** Receipts of a conversation moved (delivered/read on either side). */
  'chat.receipt': z.object({ memberId: Id, receipts: Receipts, ...Cause }),
  /** A message was recalled by its sender: its content is gone, its place stays. */
  'chat.recalled': z.object({ message: Message, ...Cause }),
  /**
   * The store's clerk list changed at HQ (added, disabled, enabled, renamed, new PIN).
   * Carries no hashes: the desk refetches GET /v1/clerks and signs out a clerk who was disabled.
   */
  'clerks.updated': z.object({ storeId: Id }),
  // 4/8 member page
  /** A member-level note (not tied to a visit), in the writing store's log and the member's home store's. */
  'member.noted': z.object({ note: MemberNote, ...Cause }),
  // --- follow-up tasks (shared/tasks.ts) ---
  /** A task was set: by a clerk (`by`, `opId`), or by HQ itself (`by` null: restock, birthday week, hold expiring). */
  'task.created': z.object({ task: Task, ...Cause }),
  /** A task was done or snoozed (or closed by HQ: a want whose size arrived). */
  'task.updated': z.object({ task: Task, ...Cause }),
  // 4/8 part C: holds and cross-store hold requests (shared/holds.ts)
  ...HoldEventData,
  // 5/8: groups (shared/groups.ts), expected visits (shared/expected.ts)
  ...GroupEventData,
  ...ExpectEventData,
  // 6/8: live rooms (shared/live.ts)
  ...LiveEventData,
  // 7/8: assisted selling (shared/assist.ts)
  ...AssistEventData,
} as const;
export type EventType = keyof typeof EventData;

const eventFrame = <T extends EventType>(type: T) =>
  z.object({
    t: z.literal('ev'),
    epoch: z.string(),
    seq: z.number().int().positive(),
    id: Id,
    type: z.literal(type),
    at: Millis,
    data: EventData[type],
  });

export const EvFrame = z.discriminatedUnion('type', [
  eventFrame('arrival'),
  eventFrame('visit.updated'),
  eventFrame('visit.claimed'),
  eventFrame('visit.takenOver'),
  eventFrame('visit.released'),
  eventFrame('visit.noted'),
  eventFrame('visit.closed'),
  eventFrame('member.updated'),
  eventFrame('member.deleted'),
  eventFrame('chat.message'),
  eventFrame('chat.receipt'),
  eventFrame('chat.recalled'),
  eventFrame('clerks.updated'),
  eventFrame('member.noted'), // 4/8 member page
  eventFrame('task.created'),
  eventFrame('task.updated'),
  // 4/8 part C: holds
  eventFrame('hold.placed'),
  eventFrame('hold.released'),
  eventFrame('hold.requested'),
  eventFrame('hold.answered'),
  // 5/8: groups and expected visits
  eventFrame('group.updated'),
  eventFrame('group.message'),
  eventFrame('group.messageChanged'),
  eventFrame('group.membership'),
  eventFrame('group.read'),
  eventFrame('group.invite'),
  eventFrame('expect.updated'),
  // 6/8: live rooms
  eventFrame('live.updated'),
  eventFrame('live.question'),
  eventFrame('live.poll'),
  eventFrame('live.lottery'),
  eventFrame('live.muted'),
  eventFrame('live.reserved'),
  // 7/8: assisted selling
  eventFrame('suggest.marked'),
  eventFrame('restock.matched'),
  eventFrame('restock.updated'),
  eventFrame('assist.handover'),
]);
export type EvFrame = z.infer<typeof EvFrame>;

// ---------------------------------------------------------------------------------------------
// Commands (desk → HQ). The effect comes back as an event; the answer as cmdAck.

const CheckinData = z
  .object({
    checkinId: Id,
    memberId: Id.optional(),
    memberCode: z.string().trim().min(1).max(32).optional(),
    phone: z.string().trim().min(5).max(20).optional(),
  })
  .refine((d) => [d.memberId, d.memberCode, d.phone].filter((v) => v !== undefined).length === 1, 'give exactly one of memberId, memberCode, phone');

export const CommandData = {
  claim: z.object({ visitId: Id }),
  release: z.object({ visitId: Id }),
  note: z.object({ visitId: Id, noteId: Id, text: z.string().trim().min(1).max(2000) }),
  close: z.object({ visitId: Id, outcome: ServedOutcome, note: z.string().trim().max(2000).optional() }),
  /** Take a visit another clerk holds over, explicitly (recorded on the visit and in the manager's timeline). */
  takeover: z.object({ visitId: Id }),
  /** The member left before anyone served them: close a waiting (unclaimed) visit as `left`. */
  left: z.object({ visitId: Id }),
  /** Send a chat message to a member; `clientId` (desk-made) makes a resend under any opId one message. */
  'chat.send': z.discriminatedUnion('kind', [
    z.object({ memberId: Id, clientId: Id, kind: z.literal('text'), text: z.string().trim().min(1).max(2000) }),
    z.object({ memberId: Id, clientId: Id, kind: z.literal('product'), styleId: Id }),
    z.object({ memberId: Id, clientId: Id, kind: z.literal('image'), imageId: Id }),
  ]),
  /** The clerk has read the member's messages up to conversation position `upTo`. */
  'chat.read': z.object({ memberId: Id, upTo: z.number().int().positive() }),
  /** Recall a message this desk sent, within 2 minutes of HQ's timestamp. */
  'chat.recall': z.object({ memberId: Id, messageId: Id }),
  // 4/8 member page
  /** A note on the member, not on a visit; `noteId` (desk-made) makes a resend under any opId one note. */
  'member.note': z.object({ memberId: Id, noteId: Id, text: z.string().trim().min(1).max(MEMBER_NOTE_MAX) }),
  // --- follow-up tasks: the desk makes the taskId, so a resend under any opId is still one task ---
  'task.create': z.object({
    taskId: Id,
    memberId: Id.nullable(),
    kind: TaskKind.exclude(['restock', 'hold_expiring']),
    text: TaskText,
    dueAt: Millis,
    /** A clerk of this store, or null for the whole store. */
    assignee: Id.nullable(),
    /** call_back: the style and size the member waits for (HQ makes a restock task when it arrives). */
    want: TaskWant.omit({ styleName: true }).nullable().optional(),
  }),
  'task.done': z.object({ taskId: Id }),
  /** Show the task again from `until` (HQ bounds it to a year ahead). */
  'task.snooze': z.object({ taskId: Id, until: Millis }),
  // 4/8 part C: holds (shared/holds.ts)
  ...HoldCommandData,
  // 5/8: groups (shared/groups.ts)
  ...GroupCommandData,
  // 6/8: live rooms (shared/live.ts)
  ...LiveCommandData,
  // 7/8: assisted selling (shared/assist.ts)
  ...AssistCommandData,
  // --- 4/8 part A: check-in at the counter ---
  /**
   * Check a member in at the counter (source `counter`), by exactly one of memberId, memberCode
   * (the card or its QR) or phone (full number; HQ resolves it, the desk cannot). `checkinId`
   * (desk-made) makes a resend under any opId one check-in. Same repeat rule as door arrivals.
   */
  checkin: CheckinData,
} as const;
export type CommandType = keyof typeof CommandData;
/** The payload of command T as HQ validates it (the desk's outbox keeps its ops typed by it). */
export type CommandPayload<T extends CommandType> = z.infer<(typeof CommandData)[T]>;

const cmdFrame = <T extends CommandType>(type: T) =>
  z.object({
    t: z.literal('cmd'),
    opId: Id,
    type: z.literal(type),
    data: CommandData[type],
    clerkId: Id.optional(),
    /**
     * When the clerk acted, by the desk's clock (epoch ms). HQ corrects it by the clock offset it
     * learned from `hello.clock` and bounds it (docs/protocol.md, "Action time"); absent = when HQ applies it.
     */
    at: Millis.optional(),
  });

export const CmdFrame = z.discriminatedUnion('type', [
  cmdFrame('claim'),
  cmdFrame('release'),
  cmdFrame('note'),
  cmdFrame('close'),
  cmdFrame('takeover'),
  cmdFrame('left'),
  cmdFrame('chat.send'),
  cmdFrame('chat.read'),
  cmdFrame('chat.recall'),
  cmdFrame('member.note'), // 4/8 member page
  cmdFrame('task.create'),
  cmdFrame('task.done'),
  cmdFrame('task.snooze'),
  // 4/8 part C: holds
  cmdFrame('hold.place'),
  cmdFrame('hold.release'),
  cmdFrame('hold.request'),
  cmdFrame('hold.answer'),
  cmdFrame('checkin'), // 4/8 part A
  // 5/8: groups
  cmdFrame('group.create'),
  cmdFrame('group.update'),
  cmdFrame('group.host'),
  cmdFrame('group.close'),
  cmdFrame('group.send'),
  cmdFrame('group.read'),
  cmdFrame('group.recall'),
  cmdFrame('group.delete'),
  cmdFrame('group.mute'),
  cmdFrame('group.remove'),
  cmdFrame('group.invite'),
  cmdFrame('group.revokeInvite'),
  // 6/8: live rooms
  cmdFrame('live.create'),
  cmdFrame('live.update'),
  cmdFrame('live.state'),
  cmdFrame('live.pin'),
  cmdFrame('live.answer'),
  cmdFrame('live.poll'),
  cmdFrame('live.pollClose'),
  cmdFrame('live.draw'),
  cmdFrame('live.mute'),
  // 7/8: assisted selling
  cmdFrame('suggest.mark'),
  cmdFrame('restock.done'),
]);
export type CmdFrame = z.infer<typeof CmdFrame>;
export type ChatCommandType = Extract<CommandType, `chat.${string}`>;
/** The commands on one visit (hq/app/commands.ts); other families (chat., …) have their own use case. */
export const VISIT_COMMANDS = ['claim', 'release', 'note', 'close', 'takeover', 'left'] as const;
export type VisitCommandType = (typeof VISIT_COMMANDS)[number];
export const isVisitCommand = (type: string): type is VisitCommandType => (VISIT_COMMANDS as readonly string[]).includes(type);
export const isVisitCmd = (cmd: CmdFrame): cmd is VisitCmdFrame => isVisitCommand(cmd.type);
export type ChatCmdFrame = Extract<CmdFrame, { type: ChatCommandType }>;
export type VisitCmdFrame = Extract<CmdFrame, { type: VisitCommandType }>;
export const isChatCommand = (type: string): type is ChatCommandType => type.startsWith('chat.');
export const isChatCmd = (cmd: CmdFrame): cmd is ChatCmdFrame => isChatCommand(cmd.type);
// 4/8 member page
export type MemberNoteCmdFrame = Extract<CmdFrame, { type: 'member.note' }>;
export const isMemberNoteCmd = (cmd: CmdFrame): cmd is MemberNoteCmdFrame => cmd.type === 'member.note';
// Follow-up tasks (hq/app/tasks/commands.ts).
export type TaskCommandType = Extract<CommandType, `task.${string}`>;
export type TaskCmdFrame = Extract<CmdFrame, { type: TaskCommandType }>;
export const isTaskCommand = (type: string): type is TaskCommandType => type.startsWith('task.');
export const isTaskCmd = (cmd: CmdFrame): cmd is TaskCmdFrame => isTaskCommand(cmd.type);
// 4/8 part C: the hold family (hq/app/holds/commands.ts)
export type HoldCmdFrame = Extract<CmdFrame, { type: HoldCommandType }>;
export const isHoldCmd = (cmd: CmdFrame): cmd is HoldCmdFrame => isHoldCommand(cmd.type);
export { isHoldCommand };
/** 4/8 part A: the counter check-in (hq/app/checkins.ts). */
export type CheckinCmdFrame = Extract<CmdFrame, { type: 'checkin' }>;
export const isCheckinCmd = (cmd: CmdFrame): cmd is CheckinCmdFrame => cmd.type === 'checkin';
/** 5/8: the group family (hq/app/groups/). */
export type GroupCmdFrame = Extract<CmdFrame, { type: GroupCommandType }>;
export const isGroupCmd = (cmd: CmdFrame): cmd is GroupCmdFrame => isGroupCommand(cmd.type);
export { isGroupCommand };
/** 6/8: the live room family (hq/app/live/). */
export type LiveCmdFrame = Extract<CmdFrame, { type: LiveCommandType }>;
export const isLiveCmd = (cmd: CmdFrame): cmd is LiveCmdFrame => isLiveCommand(cmd.type);
export { isLiveCommand };
/** 7/8: the assisted-selling family (hq/app/assist/). */
export type AssistCmdFrame = Extract<CmdFrame, { type: AssistCommandType }>;
export const isAssistCmd = (cmd: CmdFrame): cmd is AssistCmdFrame => isAssistCommand(cmd.type);
export { isAssistCommand };

/** Why HQ refused a command; `by` names who holds the visit when it is theirs. */
export const Rejection = z.object({
  code: z.enum(['already_claimed', 'not_claimed_by_you', 'visit_closed', 'not_found', 'invalid', 'not_sender', 'recall_expired', 'out_of_stock', 'member_not_found',
    // 5/8 groups: not a host of this group; the member is muted; slow mode or the per-minute limit; a keyword the chain blocks; the group is closed
    'forbidden', 'muted', 'slow_mode', 'rate_limited', 'blocked_word', 'closed']),
  message: z.string().max(300),
  by: Actor.nullable().optional(),
});
export type Rejection = z.infer<typeof Rejection>;

// ---------------------------------------------------------------------------------------------
// Frames

export const HelloFrame = z.object({
  t: z.literal('hello'),
  v: z.number().int().positive(),
  resume: Position.optional(),
  /** The desk's clock when it sent hello (epoch ms): HQ keeps `its now − clock` as this connection's clock offset. */
  clock: Millis.optional(),
});
export const AckFrame = z.object({ t: z.literal('ack'), seq: z.number().int().nonnegative() });
/** Ephemeral, never stored or replayed (typing, presence). */
export const SignalFrame = z.object({
  t: z.literal('signal'),
  kind: z.enum(['typing', 'presence']),
  memberId: Id.optional(),
  data: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
});

export const DeskToHq = z.discriminatedUnion('t', [HelloFrame, AckFrame, CmdFrame, SignalFrame]);
export type DeskToHq = z.infer<typeof DeskToHq>;
export type HelloFrame = z.infer<typeof HelloFrame>;

export const WelcomeFrame = z.object({
  t: z.literal('welcome'),
  storeId: Id,
  storeName: z.string(),
  deviceId: Id,
  deviceName: z.string(),
  epoch: z.string(),
  /** The store's newest seq at the time of welcome. */
  head: z.number().int().nonnegative(),
  /** Heartbeat interval HQ uses, so the desk can size its silence timeout. */
  heartbeatMs: z.number().int().positive(),
});
export const ResetFrame = z.object({
  t: z.literal('reset'),
  epoch: z.string(),
  head: z.number().int().nonnegative(),
  reason: z.enum(['epoch_changed', 'gap_too_old', 'ahead_of_hq']),
});
export const CmdAckFrame = z.object({
  t: z.literal('cmdAck'),
  opId: Id,
  status: z.enum(['ok', 'duplicate', 'rejected']),
  /** Seq of the event the command produced, when it produced one. */
  seq: z.number().int().positive().nullable().optional(),
  rejection: Rejection.optional(),
});
export const HeadFrame = z.object({ t: z.literal('head'), epoch: z.string(), seq: z.number().int().nonnegative() });
export const ErrorFrame = z.object({
  t: z.literal('error'),
  code: z.enum(['bad_frame', 'unsupported_version', 'protocol_violation', 'rate_limited', 'internal']),
  message: z.string().max(500),
});

export const HqToDesk = z.union([
  WelcomeFrame,
  ResetFrame,
  EvFrame,
  CmdAckFrame,
  HeadFrame,
  ErrorFrame,
  SignalFrame,
]);
export type HqToDesk = z.infer<typeof HqToDesk>;
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type ResetFrame = z.infer<typeof ResetFrame>;
export type CmdAckFrame = z.infer<typeof CmdAckFrame>;
export type HeadFrame = z.infer<typeof HeadFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type SignalFrame = z.infer<typeof SignalFrame>;

// ---------------------------------------------------------------------------------------------
// HTTP bodies shared by HQ and the desk

/** GET /v1/snapshot — the store's state at one position; the desk resumes from `position`. */
export const Snapshot = z.object({
  storeId: Id,
  storeName: z.string(),
  position: Position,
  /** Visits of the last `days` days, newest first. */
  visits: z.array(Visit),
  /** Profiles of members with a visit in the snapshot plus the store's home members. */
  profiles: z.array(MemberProfile),
  /** Home members without a recent visit, for search (profiles come with their next arrival). */
  members: z.array(Member),
  /** Chat: the store's recent conversations with their receipts and newest messages. */
  conversations: z.array(z.object({ memberId: Id, receipts: Receipts, messages: z.array(Message) })).optional(),
  /** Follow-up tasks: the store's open ones and those done in the last days. */
  tasks: z.array(Task).optional(),
  // 4/8 part C: the store's active holds, and the requests it made or got (pending, or answered lately)
  holds: z.array(Hold).optional(),
  holdRequests: z.array(HoldRequest).optional(),
  // 5/8: the store's groups (open ones, and closed in the last 30 days) with their newest messages,
  // active memberships and live invites; the store's expected visits (open, or settled today)
  groups: z.array(z.object({ group: Group, messages: z.array(GroupMessage), members: z.array(GroupMembership), invites: z.array(GroupInvite) })).optional(),
  expected: z.array(ExpectedVisit).optional(),
  // 6/8: the store's live rooms (scheduled, live, and ended in the last 30 days) with their durable parts
  liveRooms: z
    .array(
      z.object({
        room: LiveRoom,
        questions: z.array(LiveQuestion),
        polls: z.array(LivePoll),
        lotteries: z.array(LiveLottery),
        // 6/8 livefix: the room's reservations (newest first) and the mutes in force, so a desk set up
        // (or reset) after their events knows them too
        reservations: z.array(LiveReservation).default([]),
        mutes: z.array(LiveMute).default([]),
      }),
    )
    .optional(),
  // 7/8: marks on the snapshot's visits; the store's restock matches of the last RESTOCK_MATCH_DAYS;
  // hand-overs still waiting for a clerk, and those settled in the last day
  suggestionMarks: z.array(SuggestionMark).optional(),
  restockMatches: z.array(RestockMatch).optional(),
  handovers: z.array(Handover).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** GET /v1/desk/members/{id} — one member's profile as the token's store sees it (its stock, its suggestions). */
export const MemberProfileResponse = z.object({ profile: MemberProfile, at: Millis });
export type MemberProfileResponse = z.infer<typeof MemberProfileResponse>;
/** GET /v1/desk/members?q= — members of the chain a clerk's query finds: what a pick list needs (phone masked), no more. */
export const MemberLookupHit = Member.pick({ id: true, code: true, name: true, nameEn: true, tier: true, phoneMasked: true, homeStoreId: true }).extend({
  homeStoreName: z.string(),
});
export type MemberLookupHit = z.infer<typeof MemberLookupHit>;
export const MemberSearchResponse = z.object({ members: z.array(MemberLookupHit) });
export type MemberSearchResponse = z.infer<typeof MemberSearchResponse>;

/** POST /v1/enroll — exchange a one-time enrollment code for a device token. */
export const EnrollRequest = z.object({
  code: z.string().trim().min(6).max(64),
  deviceName: z.string().trim().min(1).max(60),
});
export const EnrollResponse = z.object({
  token: z.string(),
  deviceId: Id,
  storeId: Id,
  storeName: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** Parse one text frame: JSON, size, then schema. Returns a readable error instead of throwing. */
/**
 * Text may not carry the NUL character anywhere in Footfall: PostgreSQL cannot store it, so HQ
 * refuses it at every boundary rather than answer differently on each storage adapter. In JSON it
 * can only appear escaped, so one substring test finds it.
 */
export const NUL_REFUSED = 'text must not contain the NUL character (\\u0000)';
export const hasEscapedNul = (json: string): boolean => json.includes('\\u0000');

/**
 * `fast`: a faster parser of the same schema (the desk's compiled one, electron/desk/fastSchema.ts)
 * that answers only when the schema would accept the value with the same output, and null
 * otherwise; then the schema decides (and says why it refuses).
 */
export function parseFrame<T>(schema: z.ZodType<T>, raw: string, fast?: (json: unknown) => T | null): { ok: true; frame: T } | { ok: false; error: string } {
  if (raw.length > MAX_FRAME_BYTES) return { ok: false, error: `frame of ${raw.length} bytes exceeds ${MAX_FRAME_BYTES}` };
  if (hasEscapedNul(raw)) return { ok: false, error: NUL_REFUSED };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'frame is not valid JSON' };
  }
  const quick = fast?.(json);
  if (quick != null) return { ok: true, frame: quick };
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, error: describeIssues(result.error) };
  return { ok: true, frame: result.data };
}

/** A short, human-readable summary of schema issues (first three, with paths). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export type { Member, MemberProfile, Visit };
