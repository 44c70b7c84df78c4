// DeskApi: the one contract between the desk core and the UI, whatever carries it
// (Electron IPC through the preload, or the web shell's local WebSocket bridge).
//
// Every command is listed in `DeskCommands` with a schema for its arguments, so each transport
// validates what it receives before the desk core sees it (IPC arguments are untrusted input).
import { z } from 'zod';
import { type Actor, type Category, Id, ImageMime, type Member, type MemberProfile, type Message, Millis, type Note, type Receipts, ServedOutcome, type Tier, type Visit } from './domain.ts';
import type { Rejection } from './protocol.ts';
import type { DeskCommandName } from './deskApiNames.ts'; // the names alone, which the page reads without the schemas
import { type ClerkPublic, type ClerkState, Pin, type SignInResult } from './clerks.ts';
import { ReportArgs, type VisitReport, type VisitTimeline } from './kpis.ts';
import { EnrollArgs, SettingsPatch, type SettingsView, type UpdateStatus } from './settings.ts';
import type { MemberPageView } from './memberHistory.ts';
import { type Task, TaskKind, TaskText, TaskWant } from './tasks.ts'; // follow-up tasks (part D)
// 4/8 part C: holds
// 5/8: the Groups pane (shared/deskGroups.ts)
import { CreateGroupArgs, GroupOutgoing, GroupPageArgs, InviteDays, MuteMinutes, UpdateGroupArgs } from './deskGroups.ts';
import type { GroupInviteView, GroupMemberView, GroupPage, GroupStyleChoice, GroupView } from './deskGroups.ts';
import { HoldEnd, type HoldRequestView, type HoldView, PlaceHoldArgs, RequestHoldArgs, type StyleStockResponse } from './holds.ts';
import type { ExpectedVisit } from './expected.ts'; // 5/8 expected visits
import type { Handover } from './assist.ts'; // 7/8 assistant
// 6/8: the Live pane (shared/deskLive.ts)
import { AnswerLiveArgs, CreateLiveArgs, DrawLotteryArgs, HostComment, LiveMuteMinutes, LiveMuteTarget, OpenPollArgs, PinLiveArgs, UpdateLiveArgs } from './deskLive.ts';
import type { LiveConsole, LiveRoomView, LiveStreamEvent, LiveSummary } from './deskLive.ts';
// 7/8 restock: the restock list (shared/assist.ts)
import { RestockDone, type RestockMatch, type RestockMatchMember } from './assist.ts';
// 7/8 card: marks on the arrival card's suggestions
import { MarkVerdict, SuggestionRole } from './assist.ts';

/** 7/8 restock: act on one member of a restock match — send the style's card, set a follow-up task, or pass. */
export const RestockAction = z.object({ matchId: Id, memberId: Id, how: RestockDone.shape.how }).strict();
export type RestockAction = z.infer<typeof RestockAction>;
/** 7/8 restock: a member of a match as the desk shows them — what was done (HQ's record, or this desk's queued act, `pending`). */
export interface RestockMemberView extends RestockMatchMember {
  done: { how: RestockDone['how']; by: Actor | null; at: number; pending: boolean } | null;
  /** HQ refused this desk's act on them (its message), until acted on again. */
  refused: string | null;
}
export interface RestockMatchView extends Omit<RestockMatch, 'members' | 'done'> {
  members: RestockMemberView[];
}

/** Where HQ stands with a local change: sent and waiting, applied, or refused (with why). */
export type SyncState = 'pending' | 'confirmed' | 'rejected';

export type ConnectionStatus = 'online' | 'connecting' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Commands in the outbox that HQ has not answered yet. */
  queued: number;
  /** When the status last changed (epoch ms). */
  since: number;
  /** Next reconnect attempt (epoch ms) while offline. */
  retryAt: number | null;
  lastError: string | null;
  /** The store's head seq as last heard from HQ, and ours: lag = head - position. */
  head: number;
  position: number;
  /** The desk's own disk: a full disk, a read-only or damaged file, a cache rebuilt from HQ. */
  storage: StorageHealth;
}

/** State of the desk's local data file, for a banner the clerk can act on. */
export interface StorageHealth {
  /** ok · full (disk full) · readonly (cannot write) · failed (damaged file or I/O error). */
  status: 'ok' | 'full' | 'readonly' | 'failed';
  /** Readable explanation while status is not ok. */
  message: string | null;
  /** When the status last changed (epoch ms; 0 = since start). */
  since: number;
  /** Set when a damaged cache was moved aside at start and rebuilt from HQ (epoch ms). */
  rebuiltAt: number | null;
  /** The damaged cache's outbox could not be read: queued actions HQ had not confirmed may be lost. */
  outboxLost: boolean;
}

/** A note as the desk shows it: confirmed notes from HQ plus local ones still pending. */
export interface NoteView extends Note {
  sync: SyncState;
}

/** A clerk action on a visit (the protocol's visit commands). */
export type VisitAction = 'claim' | 'release' | 'close' | 'note' | 'takeover' | 'left';

/**
 * Something HQ decided against this desk's action on a visit — a claim another counter won, a close
 * HQ refused, a claim taken over — kept (in the cache, across restarts) until a clerk dismisses it.
 */
export interface VisitNotice {
  /** What the clerk here had done. */
  action: VisitAction;
  /** HQ's rejection code; `already_claimed` also when an earlier offline claim won; `taken_over` when another clerk took the visit over. */
  code: Rejection['code'] | 'taken_over';
  /** Who holds the visit instead, when HQ said. */
  by: Actor | null;
  /** When the desk learned it (epoch ms). */
  at: number;
}

/** A visit as the desk shows it, with the local optimistic overlay applied. */
export interface VisitView extends Omit<Visit, 'notes'> {
  notes: NoteView[];
  member: Pick<Member, 'id' | 'code' | 'name' | 'nameEn' | 'tier' | 'sizes' | 'preferences' | 'phoneMasked'> & { birthday?: Member['birthday'] };
  /** State of the last local action on this visit. Null when nothing local is outstanding. */
  sync: SyncState | null;
  /** The local action that is pending or was rejected, e.g. "claim". */
  pendingAction: VisitAction | null;
  rejection: Rejection | null;
  /** The newest notice not yet dismissed (dismissNotice), or null. */
  notice: VisitNotice | null;
  /** 5/8: the expectation this visit fulfilled ("came to try X, from group Y"), if any. */
  expected?: ExpectedVisit | null;
}

export interface MemberSearchHit {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  tier: Tier;
  phoneMasked: string;
  lastVisitAt: number | null;
  /** Set on a member of another store found at HQ: their home store's name. */
  homeStoreName?: string;
}

export interface DeskIdentity {
  storeId: string;
  storeName: string;
  deviceId: string;
  deviceName: string;
  /** Addresses of the HQ this desk is enrolled with (its nodes; the desk fails over between them). */
  hqUrls: string[];
}

export const ListArrivalsArgs = z
  .object({
    limit: z.number().int().min(1).max(10_000).optional(),
    /** Only visits that arrived at or after this time. */
    since: Millis.optional(),
  })
  .strict();
export const ListVisitsArgs = z
  .object({
    from: Millis.optional(),
    to: Millis.optional(),
    status: z.enum(['open', 'claimed', 'closed']).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
export const SearchArgs = z.object({ query: z.string().max(60), limit: z.number().int().min(1).max(100).optional() }).strict();
export const NoteText = z.string().trim().min(1).max(2000);

// --- chat ------------------------------------------------------------------------------------------
export const ListConversationsArgs = z.object({ limit: z.number().int().min(1).max(500).optional() }).strict();
export const ConversationPageArgs = z
  .object({
    /** Messages before this conversation position (older page); absent = the newest page. */
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();
/** What the clerk sends: text, a catalog style as a product card, or an image (≤ 2 MiB png/jpeg/webp). */
export const OutgoingMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().trim().min(1).max(2000) }).strict(),
  z.object({ kind: z.literal('product'), styleId: Id }).strict(),
  z.object({ kind: z.literal('image'), mime: ImageMime, dataBase64: z.string().min(4).max(2_900_000) }).strict(),
]);
export type OutgoingMessage = z.infer<typeof OutgoingMessage>;

// --- follow-up tasks (part D) ------------------------------------------------------------------------
/** A "Today" list: `mine` (assigned to the signed-in clerk) or `store` (every task of the store); `member`: one member's open tasks. */
export const ListTasksArgs = z
  .object({
    scope: z.enum(['mine', 'store', 'member']),
    memberId: Id.optional(),
    /** Due at or before this (epoch ms): the end of the desk's today, by default. */
    dueBy: Millis.optional(),
  })
  .strict();
export const NewTaskArgs = z
  .object({
    memberId: Id.nullable(),
    kind: TaskKind.exclude(['restock', 'hold_expiring']),
    text: TaskText,
    dueAt: Millis,
    /** A clerk of the store, or null for the whole store. */
    assignee: Id.nullable(),
    want: TaskWant.omit({ styleName: true }).nullable().optional(),
  })
  .strict()
  .refine((t) => t.kind !== 'other' || t.text.length > 0, { message: 'a task of kind "other" needs its text', path: ['text'] });

/** A task as the desk shows it: HQ's confirmed task with the clerk's queued create/done/snooze laid over it. */
export interface TaskView extends Task {
  /** pending: a local create, done or snooze not yet confirmed; rejected: HQ refused the last one. */
  sync: SyncState | null;
  pendingAction: 'create' | 'done' | 'snooze' | null;
  rejection: Rejection | null;
  /** The member it is about, from this desk's cache (null when none, or not cached). */
  member: Pick<Member, 'id' | 'code' | 'name' | 'nameEn' | 'tier'> | null;
}

// --- 4/8 part A: check-in at the counter ----------------------------------------------------------
/** Who checks in: a member picked in the desk, a card code (typed or scanned), or a phone number (HQ resolves it). */
export const CheckinArgs = z.union([
  z.object({ memberId: Id }).strict(),
  z.object({ memberCode: z.string().trim().min(1).max(32) }).strict(),
  z.object({ phone: z.string().trim().regex(/^\+?[\d\s()-]{5,24}$/, 'a phone number') }).strict(),
]);
export type CheckinArgs = z.infer<typeof CheckinArgs>;

/** A check-in in the outbox, shown at once: until HQ's arrival (or bump) settles it, or refused (dismiss it). */
export interface PendingCheckinView {
  checkinId: string;
  opId: string;
  /** The member, when the cache knows them (by id or card code); null for a phone HQ will match. */
  member: VisitView['member'] | null;
  memberCode: string | null;
  /** A phone check-in shows only its first digits ("138…"): the desk keeps the number only in the op, until HQ settles it. */
  phoneHint: string | null;
  createdAt: number;
  sync: 'pending' | 'rejected';
  rejection: Rejection | null;
}

export interface CheckinResult extends ActionResult {
  checkinId: string;
}

/** Command name → schema of its argument tuple. The IPC and web bridges validate against these. */
export const DeskCommands = {
  getIdentity: z.tuple([]),
  getConnection: z.tuple([]),
  listArrivals: z.tuple([ListArrivalsArgs]),
  listVisits: z.tuple([ListVisitsArgs]),
  getVisit: z.tuple([Id]),
  getMember: z.tuple([Id]),
  searchMembers: z.tuple([SearchArgs]),
  /** Members of the whole chain, found at HQ (null when it cannot be asked now). */
  searchMembersAtHq: z.tuple([SearchArgs]),
  claimVisit: z.tuple([Id]),
  releaseVisit: z.tuple([Id]),
  addNote: z.tuple([Id, NoteText]),
  /** The clerk picks the outcome: there is no default. */
  closeVisit: z.tuple([Id, ServedOutcome, NoteText.optional()]),
  /** Take over a visit another clerk holds (an explicit action HQ records). */
  takeOverVisit: z.tuple([Id]),
  /** The member left before anyone served them (a waiting visit). */
  markLeft: z.tuple([Id]),
  /** The clerk has read the visit's notice (a lost claim, a refused action): stop showing it. */
  dismissNotice: z.tuple([Id]),
  /** Ask the link to try HQ now instead of waiting for the backoff timer. */
  reconnectNow: z.tuple([]),
  listConversations: z.tuple([ListConversationsArgs]),
  getConversation: z.tuple([Id, ConversationPageArgs.optional()]),
  sendMessage: z.tuple([Id, OutgoingMessage]),
  /** Re-send a failed message (by its clientId) under a new opId; HQ keeps it one message. */
  retryMessage: z.tuple([Id]),
  recallMessage: z.tuple([Id, Id]),
  markRead: z.tuple([Id]),
  setTyping: z.tuple([Id, z.boolean()]),
  /** An image of a message (HQ id, or `local:…` for one still queued), as base64. */
  getImage: z.tuple([Id]),
  /** A style's picture by its id (part E), from the cache as base64; null while the desk lacks it. */
  getStyleImage: z.tuple([z.string().max(64)]),
  /** Clerk sign-in: at HQ when online, from the cached PIN hash when offline. */
  signIn: z.tuple([Id, Pin]),
  signOut: z.tuple([]),
  /** Lock the desk (inactivity): the clerk stays named but must enter the PIN again. */
  lock: z.tuple([]),
  /** The store's enabled clerks (from the cache; refreshed from HQ in the background). */
  listClerks: z.tuple([]),
  currentClerk: z.tuple([]),
  /** Manager only (DeskError 'not_allowed' otherwise): visits and KPIs, from HQ or, offline, the cache. */
  managerReport: z.tuple([ReportArgs]),
  /** Manager only: one visit's timeline. */
  managerTimeline: z.tuple([Id]),
  // 4/8 member page
  /** A chain member's page: history from HQ when online (cached), else the cached copy (null: unknown member). */
  getMemberPage: z.tuple([Id]),
  /** A note on the member, not on a visit: queued, shown pending at once, settled by HQ's event. */
  addMemberNote: z.tuple([Id, NoteText]),
  // --- follow-up tasks (part D) ---
  listTasks: z.tuple([ListTasksArgs]),
  /** Set a task; the desk makes its id (queued, shown at once as pending). */
  createTask: z.tuple([NewTaskArgs]),
  completeTask: z.tuple([Id]),
  /** Show the task again from `until` (1 h, tomorrow, next week: the UI picks). */
  snoozeTask: z.tuple([Id, Millis]),
  /** The clerk has read HQ's refusal of an action on this task: stop showing it. */
  dismissTaskRejection: z.tuple([Id]),
  // --- 4/8 part C: holds (shared/holds.ts) ---
  /** The store's active holds, with this desk's queued hold actions applied. */
  listHolds: z.tuple([]),
  /** Cross-store hold requests this store made or got (pending, or answered in the last 7 days). */
  listHoldRequests: z.tuple([]),
  /** Put a pair aside for a member at this store (queued offline; HQ checks the stock). */
  placeHold: z.tuple([PlaceHoldArgs]),
  /** End a hold of this store: released, or collected by the member. */
  releaseHold: z.tuple([Id, HoldEnd]),
  /** Ask another store to put a pair aside (from "Other stores"). */
  requestHold: z.tuple([RequestHoldArgs]),
  /** Accept or decline a request addressed to this store. */
  answerHoldRequest: z.tuple([Id, z.boolean()]),
  /** The clerk has read a refused hold action (by hold or request id): stop showing it. */
  dismissHold: z.tuple([Id]),
  /** A style's stock at every store of the chain from HQ (held pairs subtracted); null offline. */
  getStyleStock: z.tuple([Id]),
  // --- 5/8: groups (shared/deskGroups.ts) ---
  /** The store's groups (open first) with unread counts and this desk's queued changes. */
  listGroups: z.tuple([]),
  /** A group and a page of its messages (oldest first; the newest page by default, queued sends last). */
  getGroup: z.tuple([Id, GroupPageArgs.optional()]),
  listGroupMembers: z.tuple([Id]),
  listGroupInvites: z.tuple([Id]),
  /** Open a group (the signed-in clerk is its first host); the desk makes its id. */
  createGroup: z.tuple([CreateGroupArgs]),
  /** Name, topic, welcome, pinned notice, slow mode. */
  updateGroup: z.tuple([Id, UpdateGroupArgs]),
  /** Make a clerk of the store a host (true) or not (false). */
  setGroupHost: z.tuple([Id, Id, z.boolean()]),
  closeGroup: z.tuple([Id]),
  sendGroupMessage: z.tuple([Id, GroupOutgoing]),
  /** The store has read the group to its newest message (null: nothing unread). */
  readGroup: z.tuple([Id]),
  recallGroupMessage: z.tuple([Id, Id]),
  deleteGroupMessage: z.tuple([Id, Id]),
  /** Mute a member for this many minutes (0 lifts it). */
  muteGroupMember: z.tuple([Id, Id, MuteMinutes]),
  removeGroupMember: z.tuple([Id, Id]),
  createGroupInvite: z.tuple([Id, InviteDays.optional()]),
  revokeGroupInvite: z.tuple([Id, Id]),
  /** An invite link's QR code (SVG text) from HQ; null offline or before HQ made the link. */
  getGroupInviteQr: z.tuple([Id]),
  /** Styles the product picker offers: the asker's suggestions (their sizes), or the store's. */
  listGroupStyles: z.tuple([Id.nullable()]),
  /** The clerk has read HQ's refusals of actions on this group: stop showing them. */
  dismissGroupRejection: z.tuple([Id]),
  // --- 6/8: live rooms (shared/deskLive.ts) ---
  /** The store's rooms: live, scheduled (soonest first), ended (newest first), with queued changes. */
  listLiveRooms: z.tuple([]),
  /** A room's console: the room, the question queue, polls, lotteries, reservations, mutes, refusals. */
  getLiveConsole: z.tuple([Id]),
  /** Create (schedule) a room; the desk makes its id. */
  createLiveRoom: z.tuple([CreateLiveArgs]),
  updateLiveRoom: z.tuple([Id, UpdateLiveArgs]),
  /** Go live, or end the room (final). */
  setLiveState: z.tuple([Id, z.enum(['live', 'ended'])]),
  pinLive: z.tuple([Id, PinLiveArgs]),
  answerLiveQuestion: z.tuple([Id, Id, AnswerLiveArgs]),
  openLivePoll: z.tuple([Id, OpenPollArgs]),
  closeLivePoll: z.tuple([Id, Id]),
  drawLiveLottery: z.tuple([Id, DrawLotteryArgs]),
  /** Mute a viewer — `{memberId}` from the question queue, `{ref}` from a comment — for this many minutes (0 lifts it). */
  muteLiveViewer: z.tuple([Id, LiveMuteTarget, LiveMuteMinutes]),
  /** The clerk has read HQ's refusals of actions on this room: stop showing them. */
  dismissLiveRejection: z.tuple([Id]),
  /** Open the console's room socket (comments, reactions, viewers flow as `liveStream` events) / close it. */
  openLiveStream: z.tuple([Id]),
  closeLiveStream: z.tuple([Id]),
  /** A host comment (always through); needs the open stream. */
  sendLiveComment: z.tuple([Id, HostComment]),
  /** Remove a viewer's comment for everyone; needs the open stream. */
  deleteLiveComment: z.tuple([Id, Id]),
  /** The manager's after-stream summary from HQ; null offline. */
  getLiveSummary: z.tuple([Id]),
  /** The room link's QR (SVG text) from HQ; null offline or before HQ has the room. */
  getLiveQr: z.tuple([Id]),
  // --- 7/8 card: the arrival card's next best action ---
  /** Mark a suggestion of a visit of this store used or not relevant (queued offline; again: replaces the verdict). */
  markSuggestion: z.tuple([Id, Id, SuggestionRole, MarkVerdict]),
  /** A visit's marks: HQ's, with this desk's queued and refused ones over them. */
  listSuggestionMarks: z.tuple([Id]),
  // 4/8 part A: check-in at the counter
  /** Check a member in (a visit with source `counter`): queued, shown at once as pending, settled by HQ. */
  checkIn: z.tuple([CheckinArgs]),
  // --- 5/8: expected visits (shared/expected.ts) ---
  /** The store's open expected visits (soonest first) and those settled since the start of the desk's day. */
  listExpected: z.tuple([]),
  // --- 7/8 restock: restock matches (shared/assist.ts) ---
  /** The store's restock matches of the last RESTOCK_MATCH_DAYS, newest first, with what was done (queued acts laid over). */
  listRestockMatches: z.tuple([]),
  /** Act on one member of a match: `message` sends the style's product card in chat, `task` sets a call-back due today; each also records it (queued, works offline). */
  actOnRestock: z.tuple([RestockAction]),
  // --- 7/8 assistant ---
  /** The store's conversations the member-side assistant handed to the clerks and no clerk answered yet, oldest first. */
  listHandovers: z.tuple([]),
  /** Check-ins still in the outbox (pending, or refused until dismissed). */
  listCheckins: z.tuple([]),
  /** The clerk has read why HQ refused a check-in (by its checkinId): it goes. */
  dismissCheckin: z.tuple([Id]),
  // --- the shell's own commands: settings, first-run enrollment, diagnostics, updates ---
  // Answered by the shell that hosts the desk core (electron/host/deskHost.ts), not by the core.
  getSettings: z.tuple([]),
  updateSettings: z.tuple([SettingsPatch]),
  /** First run: enroll with HQ (its addresses — a list, or one comma-separated string —, one-time code, this counter's name); answers the identity. */
  enroll: EnrollArgs,
  /** Support text: versions, OS, connection, queue, recent log lines with personal data redacted. */
  getDiagnostics: z.tuple([]),
  checkForUpdates: z.tuple([]),
  /** Restart into a downloaded update (Electron only). */
  installUpdate: z.tuple([]),
} as const satisfies Record<DeskCommandName, z.ZodTuple>;

/** Result of a local action: the opId it was queued under. */
export interface ActionResult {
  opId: string;
}

/** 7/8 card: one suggestion's mark on a visit as the card shows it — HQ's (`confirmed`), queued here (`pending`) or refused (`rejected`, with why; the verdict is the one tried). */
export interface SuggestionMarkView {
  visitId: string;
  styleId: string;
  role: SuggestionRole;
  verdict: MarkVerdict;
  by: Actor | null;
  at: number;
  sync: SyncState;
  rejection: Rejection | null;
}

/** Events pushed from the desk core to the UI. */
export interface DeskEvents {
  /** Connection state changed (status, queued count, lag). */
  connection: ConnectionState;
  /** A new member arrived (not a repeat within 30 minutes): raise an alert. */
  arrival: { visit: VisitView };
  /** One or more visits changed (HQ event, local action, or a rejection). */
  visits: { visits: VisitView[] };
  /** A member profile changed. */
  member: { memberId: string };
  /** The cache was rebuilt from a snapshot: reload everything. */
  reset: { at: number };
  /** Messages of a conversation changed; `incoming` is set for a new message from the member. */
  chat: { memberId: string; messages: ChatMessageView[]; incoming: ChatMessageView | null };
  /** The member is typing (or stopped). Ephemeral. */
  chatTyping: { memberId: string; typing: boolean };
  /** The member opened or left the chat. Ephemeral. */
  chatPresence: { memberId: string; online: boolean };
  /** Sign-in state changed: signed in, switched, locked, signed out. */
  clerk: ClerkState;
  /** The store's clerk list changed (HQ sent a new one). */
  clerks: { clerks: ClerkPublic[] };
  /** Settings, enrollment or update state changed (sent by the shell). */
  settings: SettingsView;
  /** Follow-up tasks changed (HQ event, local action, a refusal): reload the lists shown. */
  tasks: { at: number };
  /** 4/8 part C: holds or hold requests changed (an HQ event, a local action, HQ's answer): list them again. */
  holds: { at: number };
  /** 4/8 part A: the check-ins in the outbox changed (queued, settled, refused, dismissed). */
  checkins: { checkins: PendingCheckinView[] };
  /** Part E: a style picture arrived in the cache (a card showing the placeholder can show it now). */
  styleImage: { imageId: string };
  /** 5/8: an expected visit was made, fulfilled, cancelled or lapsed: list them again. */
  expected: { at: number };
  /** 5/8: a group changed (an HQ event, a local action, HQ's answer); `groupId` null: several. */
  groups: { groupId: string | null; at: number };
  /** 6/8: a live room changed (an HQ event, a local action, HQ's answer); `roomId` null: several; `reserved`: a viewer reserved their size. */
  live: { roomId: string | null; reserved: boolean; at: number };
  /** 7/8 restock: a restock match came or changed (an HQ event, a local act, HQ's answer): list them again. */
  restock: { at: number };
  /** 6/8: the open console's live stream (comments, deletions, reactions, viewers, live poll counts, its status). Ephemeral. */
  liveStream: LiveStreamEvent;
  /** 7/8 card: a visit's suggestion marks changed (an HQ event, a local mark, HQ's answer); `visitId` null: several. */
  marks: { visitId: string | null; at: number };
}
export type DeskEventName = keyof DeskEvents;

/**
 * Where a message stands. The clerk's: sending (in the outbox) → sent (HQ has it) → delivered (the
 * member's client got it) → read; failed when HQ refused it (retry with retryMessage). The member's:
 * delivered, or read once a clerk read it.
 */
export type ChatSendState = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ChatMessageView extends Message {
  state: ChatSendState;
  /** Still in the outbox: `n` is 0 and `id` is the clientId until HQ orders it. */
  pending: boolean;
  /** Sent from this counter (only these can be recalled here). */
  mine: boolean;
  /** A recall of this message is queued. */
  recalling: boolean;
  rejection: Rejection | null;
}

export interface ConversationPage {
  memberId: string;
  /** Oldest first; pending messages last (on the newest page only). */
  messages: ChatMessageView[];
  /** Older messages exist (page with `before` = the first message's n). */
  hasMore: boolean;
  receipts: Receipts;
  unread: number;
  online: boolean;
  typing: boolean;
  /** 7/8 assistant: the conversation's hand-over still waiting for a clerk (null: none). */
  handover?: Handover | null;
}

export interface ConversationView {
  memberId: string;
  member: VisitView['member'] | null;
  last: ChatMessageView | null;
  lastAt: number;
  unread: number;
  online: boolean;
  typing: boolean;
  /** 7/8 assistant: the conversation's hand-over still waiting for a clerk (null: none). */
  handover?: Handover | null;
}

export interface ChatImage {
  mime: string;
  dataBase64: string;
}

export interface SendResult extends ActionResult {
  clientId: string;
}

export interface MemberView extends MemberProfile {
  /** Visits of this member at this store, newest first (cache only). */
  visits: VisitView[];
  notes: NoteView[];
  /**
   * When the purchases and suggestions shown were received from HQ (epoch ms): just now when the
   * desk fetched them online, older when shown from the cache. Null when this counter has never
   * had them (they are unknown, not empty).
   */
  profileAt: number | null;
}

/** The API the renderer calls. All methods are async because they cross a process boundary. */
export interface DeskApi {
  getIdentity(): Promise<DeskIdentity | null>;
  getConnection(): Promise<ConnectionState>;
  listArrivals(args: z.infer<typeof ListArrivalsArgs>): Promise<VisitView[]>;
  listVisits(args: z.infer<typeof ListVisitsArgs>): Promise<VisitView[]>;
  getVisit(visitId: string): Promise<VisitView | null>;
  getMember(memberId: string): Promise<MemberView | null>;
  searchMembers(args: z.infer<typeof SearchArgs>): Promise<MemberSearchHit[]>;
  searchMembersAtHq(args: z.infer<typeof SearchArgs>): Promise<MemberSearchHit[] | null>;
  claimVisit(visitId: string): Promise<ActionResult>;
  releaseVisit(visitId: string): Promise<ActionResult>;
  addNote(visitId: string, text: string): Promise<ActionResult>;
  closeVisit(visitId: string, outcome: ServedOutcome, note?: string): Promise<ActionResult>;
  takeOverVisit(visitId: string): Promise<ActionResult>;
  markLeft(visitId: string): Promise<ActionResult>;
  dismissNotice(visitId: string): Promise<void>;
  reconnectNow(): Promise<void>;
  listConversations(args: z.infer<typeof ListConversationsArgs>): Promise<ConversationView[]>;
  getConversation(memberId: string, page?: z.infer<typeof ConversationPageArgs>): Promise<ConversationPage>;
  sendMessage(memberId: string, message: OutgoingMessage): Promise<SendResult>;
  retryMessage(clientId: string): Promise<ActionResult>;
  recallMessage(memberId: string, messageId: string): Promise<ActionResult>;
  /** Marks the member's messages read up to the newest; null when there was nothing unread. */
  markRead(memberId: string): Promise<ActionResult | null>;
  setTyping(memberId: string, typing: boolean): Promise<void>;
  getImage(imageId: string): Promise<ChatImage | null>;
  /** Part E: a style picture from the cache; null while missing (the `styleImage` event says when it came). */
  getStyleImage(imageId: string): Promise<ChatImage | null>;
  signIn(clerkId: string, pin: string): Promise<SignInResult>;
  signOut(): Promise<ClerkState>;
  lock(): Promise<ClerkState>;
  listClerks(): Promise<ClerkPublic[]>;
  currentClerk(): Promise<ClerkState>;
  managerReport(args: ReportArgs): Promise<VisitReport>;
  managerTimeline(visitId: string): Promise<VisitTimeline | null>;
  // 4/8 member page
  getMemberPage(memberId: string): Promise<MemberPageView | null>;
  addMemberNote(memberId: string, text: string): Promise<ActionResult>;
  listTasks(args: z.infer<typeof ListTasksArgs>): Promise<TaskView[]>;
  createTask(task: z.infer<typeof NewTaskArgs>): Promise<ActionResult & { taskId: string }>;
  completeTask(taskId: string): Promise<ActionResult>;
  snoozeTask(taskId: string, until: number): Promise<ActionResult>;
  dismissTaskRejection(taskId: string): Promise<void>;
  // --- 4/8 part C: holds ---
  listHolds(): Promise<HoldView[]>;
  listHoldRequests(): Promise<HoldRequestView[]>;
  placeHold(args: z.input<typeof PlaceHoldArgs>): Promise<ActionResult & { holdId: string }>;
  releaseHold(holdId: string, reason: HoldEnd): Promise<ActionResult>;
  requestHold(args: z.input<typeof RequestHoldArgs>): Promise<ActionResult & { requestId: string }>;
  answerHoldRequest(requestId: string, accept: boolean): Promise<ActionResult>;
  dismissHold(id: string): Promise<void>;
  getStyleStock(styleId: string): Promise<StyleStockResponse | null>;
  on<E extends DeskEventName>(event: E, listener: (payload: DeskEvents[E]) => void): () => void;
  // --- 5/8: groups ---
  listGroups(): Promise<GroupView[]>;
  getGroup(groupId: string, page?: GroupPageArgs): Promise<GroupPage>;
  listGroupMembers(groupId: string): Promise<GroupMemberView[]>;
  listGroupInvites(groupId: string): Promise<GroupInviteView[]>;
  createGroup(args: CreateGroupArgs): Promise<ActionResult & { groupId: string }>;
  updateGroup(groupId: string, patch: UpdateGroupArgs): Promise<ActionResult>;
  setGroupHost(groupId: string, clerkId: string, host: boolean): Promise<ActionResult>;
  closeGroup(groupId: string): Promise<ActionResult>;
  sendGroupMessage(groupId: string, message: GroupOutgoing): Promise<ActionResult & { clientId: string }>;
  readGroup(groupId: string): Promise<ActionResult | null>;
  recallGroupMessage(groupId: string, messageId: string): Promise<ActionResult>;
  deleteGroupMessage(groupId: string, messageId: string): Promise<ActionResult>;
  muteGroupMember(groupId: string, memberId: string, minutes: number): Promise<ActionResult>;
  removeGroupMember(groupId: string, memberId: string): Promise<ActionResult>;
  createGroupInvite(groupId: string, days?: number): Promise<ActionResult & { inviteId: string }>;
  revokeGroupInvite(groupId: string, inviteId: string): Promise<ActionResult>;
  getGroupInviteQr(inviteId: string): Promise<string | null>;
  listGroupStyles(memberId: string | null): Promise<GroupStyleChoice[]>;
  dismissGroupRejection(groupId: string): Promise<void>;
  // --- 6/8: live rooms ---
  listLiveRooms(): Promise<LiveRoomView[]>;
  getLiveConsole(roomId: string): Promise<LiveConsole>;
  createLiveRoom(args: z.input<typeof CreateLiveArgs>): Promise<ActionResult & { roomId: string }>;
  updateLiveRoom(roomId: string, patch: z.input<typeof UpdateLiveArgs>): Promise<ActionResult>;
  setLiveState(roomId: string, state: 'live' | 'ended'): Promise<ActionResult>;
  pinLive(roomId: string, pin: z.input<typeof PinLiveArgs>): Promise<ActionResult>;
  answerLiveQuestion(roomId: string, questionId: string, how: z.input<typeof AnswerLiveArgs>): Promise<ActionResult>;
  openLivePoll(roomId: string, poll: z.input<typeof OpenPollArgs>): Promise<ActionResult & { pollId: string }>;
  closeLivePoll(roomId: string, pollId: string): Promise<ActionResult>;
  drawLiveLottery(roomId: string, args: z.input<typeof DrawLotteryArgs>): Promise<ActionResult & { lotteryId: string }>;
  muteLiveViewer(roomId: string, who: LiveMuteTarget, minutes: number): Promise<ActionResult>;
  dismissLiveRejection(roomId: string): Promise<void>;
  openLiveStream(roomId: string): Promise<void>;
  closeLiveStream(roomId: string): Promise<void>;
  sendLiveComment(roomId: string, text: string): Promise<void>;
  deleteLiveComment(roomId: string, commentId: string): Promise<void>;
  getLiveSummary(roomId: string): Promise<LiveSummary | null>;
  getLiveQr(roomId: string): Promise<string | null>;
  // --- 7/8 card: the arrival card's next best action ---
  markSuggestion(visitId: string, styleId: string, role: SuggestionRole, verdict: MarkVerdict): Promise<ActionResult>;
  listSuggestionMarks(visitId: string): Promise<SuggestionMarkView[]>;
  // 4/8 part A: check-in at the counter
  checkIn(args: CheckinArgs): Promise<CheckinResult>;
  listCheckins(): Promise<PendingCheckinView[]>;
  dismissCheckin(checkinId: string): Promise<void>;
  // 5/8: expected visits
  listExpected(): Promise<ExpectedVisit[]>;
  // 7/8 restock
  listRestockMatches(): Promise<RestockMatchView[]>;
  actOnRestock(action: RestockAction): Promise<ActionResult>;
  // 7/8 assistant
  listHandovers(): Promise<Handover[]>;
  // --- the shell's own commands ---
  getSettings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  enroll(hqUrls: string | readonly string[], code: string, deviceName: string): Promise<DeskIdentity>;
  getDiagnostics(): Promise<string>;
  checkForUpdates(): Promise<UpdateStatus>;
  installUpdate(): Promise<void>;
}

/** Commands the shell answers itself; the desk core implements the rest (DeskCoreApi). */
export const SHELL_COMMAND_NAMES = ['getSettings', 'updateSettings', 'enroll', 'getDiagnostics', 'checkForUpdates', 'installUpdate'] as const;
export type ShellCommandName = (typeof SHELL_COMMAND_NAMES)[number];
/** What the desk core itself implements: DeskApi without the shell's commands. */
export type DeskCoreApi = Omit<DeskApi, ShellCommandName>;

/** Errors crossing the bridge carry a stable code the UI can translate. */
export interface DeskErrorShape {
  code: 'invalid_argument' | 'not_found' | 'not_allowed' | 'storage' | 'internal';
  message: string;
}

export class DeskError extends Error implements DeskErrorShape {
  constructor(
    public code: DeskErrorShape['code'],
    message: string,
  ) {
    super(message);
    this.name = 'DeskError';
  }
}

export type { Category };
export type { MemberPageView };
