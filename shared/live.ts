// Live launch rooms (6/8): the interaction layer beside a brand's live stream. Footfall carries no
// video — the room links to the stream — only what viewers and hosts do around it.
//
// Invariants:
// - A room belongs to one store (`storeId`), whose desks host it; its DURABLE parts (the room, its
//   questions, polls, lotteries) are state plus an event in that store's log (`live.*`), so the host
//   console resumes like every desk view. Comments and reactions are EPHEMERAL: they travel on the
//   bus between nodes and on the viewers' sockets, never in a log (Stream and Agora do the same for
//   big rooms: a log of 200 comments/s would be read by nobody and cost every desk a resume).
// - Viewers see one another by nickname only; members' ids never reach a viewer. A viewer without a
//   member session reads but does not write.
// - A lottery is checkable afterwards: HQ records the eligible list (opaque per-room references and
//   nicknames), the seed and the algorithm beside the winners, and anyone can recompute the draw
//   with `drawWinners` below.
import { z } from 'zod';
import { Actor, Id, Millis } from './domain.ts';
import { ExpectedVisit } from './expected.ts';
import { Hold } from './holds.ts';

import { LIVE_TITLE_MAX, LIVE_TEXT_MAX, LIVE_COMMENT_MAX, LIVE_QUESTION_MAX, LIVE_SLOW_MODE_MAX_SEC, POLL_OPTIONS_MIN, POLL_OPTIONS_MAX, LOTTERY_WINNERS_MAX } from './limits.ts'; // the page reads the limits without the schemas

/** A participant's opaque per-room reference (hex): lotteries name winners by it, host consoles mute by it. */
export const LiveRef = z.string().regex(/^[0-9a-f]{16,64}$/);

export const LiveState = z.enum(['scheduled', 'live', 'ended']);
export type LiveState = z.infer<typeof LiveState>;
const StreamUrl = z.string().url().max(500).refine((u) => /^https:\/\//.test(u), 'the stream link must be https');

export const LiveRoom = z.object({
  id: Id,
  storeId: Id,
  title: z.string().min(1).max(LIVE_TITLE_MAX),
  description: z.string().max(LIVE_TEXT_MAX),
  streamUrl: StreamUrl,
  scheduledAt: Millis,
  state: LiveState,
  startedAt: Millis.nullable(),
  endedAt: Millis.nullable(),
  createdAt: Millis,
  createdBy: Actor,
  slowModeSec: z.number().int().min(0).max(LIVE_SLOW_MODE_MAX_SEC),
  /** A pinned message from the host, always shown on top. */
  pinnedMessage: z.string().max(LIVE_TEXT_MAX).nullable(),
  /** The pinned product (a style of the catalog); viewers see its card at the store they choose. */
  pinnedStyleId: Id.nullable(),
  /** Highest concurrent viewers seen (HQ updates it while live). */
  peakViewers: z.number().int().nonnegative(),
});
export type LiveRoom = z.infer<typeof LiveRoom>;

export const QuestionStatus = z.enum(['open', 'answered', 'dismissed']);
export const LiveQuestion = z.object({
  id: Id,
  roomId: Id,
  /** Order in the room's queue (1, 2, …). */
  n: z.number().int().positive(),
  /** The asker (desks only: the member view leaves it out). */
  memberId: Id,
  nickname: z.string().max(20),
  text: z.string().min(1).max(LIVE_QUESTION_MAX),
  askedAt: Millis,
  status: QuestionStatus,
  /** Answered on air (said in the stream) or in writing (`answer`). */
  onAir: z.boolean(),
  answer: z.string().max(LIVE_TEXT_MAX).nullable(),
  answeredAt: Millis.nullable(),
  answeredBy: Actor.nullable(),
});
export type LiveQuestion = z.infer<typeof LiveQuestion>;

export const LivePoll = z.object({
  id: Id,
  roomId: Id,
  question: z.string().min(1).max(120),
  options: z.array(z.string().min(1).max(40)).min(POLL_OPTIONS_MIN).max(POLL_OPTIONS_MAX),
  state: z.enum(['open', 'closed']),
  openedAt: Millis,
  closedAt: Millis.nullable(),
  /** Votes per option (one vote per signed-in viewer; a later vote replaces theirs). */
  counts: z.array(z.number().int().nonnegative()),
  voters: z.number().int().nonnegative(),
});
export type LivePoll = z.infer<typeof LivePoll>;

/** Who may win: viewers who commented, who voted in a poll (`pollId`), who asked, or any signed-in viewer who joined the room. */
export const LotteryEligibility = z.enum(['commented', 'voted', 'asked', 'joined']);
export const LOTTERY_ALGORITHM = 'sha256-rank-v1';
export const LiveLottery = z.object({
  id: Id,
  roomId: Id,
  prize: z.string().min(1).max(80),
  eligibility: LotteryEligibility,
  pollId: Id.nullable(),
  winnersWanted: z.number().int().min(1).max(LOTTERY_WINNERS_MAX),
  /** How many were eligible, and the SHA-256 (hex) of their sorted references joined by '\n'. */
  eligibleCount: z.number().int().nonnegative(),
  eligibleDigest: z.string().regex(/^[0-9a-f]{64}$/),
  /** 32 random bytes, hex, drawn by HQ at the draw and published with it. */
  seed: z.string().regex(/^[0-9a-f]{64}$/),
  algorithm: z.literal(LOTTERY_ALGORITHM),
  /** Winners by reference and nickname, in draw order. */
  winners: z.array(z.object({ ref: LiveRef, nickname: z.string().max(20) })),
  drawnAt: Millis,
  by: Actor,
});
export type LiveLottery = z.infer<typeof LiveLottery>;

/** GET /v1/live/rooms/{id}/lotteries/{lotteryId}/audit (no session): everything needed to recompute a draw. */
export const LotteryAudit = z.object({
  lottery: LiveLottery.omit({ by: true }),
  /** Every eligible viewer as (reference, nickname); references are per room, not member ids. */
  eligible: z.array(z.object({ ref: z.string(), nickname: z.string() })),
});
export type LotteryAudit = z.infer<typeof LotteryAudit>;

/**
 * The draw, deterministic from (seed, eligible refs): rank each ref by SHA-256(seed + ':' + ref)
 * (hex, ascending) and take the first `wanted`. Anyone can run it on the audit's list. `sha256` is
 * passed in so this file needs no runtime crypto (it runs in browsers too).
 */
export function drawWinners(seed: string, refs: readonly string[], wanted: number, sha256: (s: string) => string): string[] {
  return [...new Set(refs)]
    .map((ref) => ({ ref, rank: sha256(`${seed}:${ref}`) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.ref < b.ref ? -1 : 1))
    .slice(0, wanted)
    .map((r) => r.ref);
}

// ---------------------------------------------------------------------------------------------
// Desk commands (registered in shared/protocol.ts `CommandData`); any signed-in clerk of the room's store hosts.

export const LiveCommandData = {
  'live.create': z.object({ roomId: Id, title: z.string().trim().min(1).max(LIVE_TITLE_MAX), description: z.string().trim().max(LIVE_TEXT_MAX).default(''), streamUrl: StreamUrl, scheduledAt: Millis }),
  'live.update': z.object({
    roomId: Id,
    title: z.string().trim().min(1).max(LIVE_TITLE_MAX).optional(),
    description: z.string().trim().max(LIVE_TEXT_MAX).optional(),
    streamUrl: StreamUrl.optional(),
    scheduledAt: Millis.optional(),
    slowModeSec: z.number().int().min(0).max(LIVE_SLOW_MODE_MAX_SEC).optional(),
  }),
  /** Go live, or end the room (ended is final). */
  'live.state': z.object({ roomId: Id, state: z.enum(['live', 'ended']) }),
  /** Pin (or with null, unpin) a product and/or a message. */
  'live.pin': z.object({ roomId: Id, styleId: Id.nullable().optional(), message: z.string().trim().max(LIVE_TEXT_MAX).nullable().optional() }),
  /** Answer a question on air or in writing, or dismiss it. */
  'live.answer': z.object({ roomId: Id, questionId: Id, onAir: z.boolean().default(false), answer: z.string().trim().max(LIVE_TEXT_MAX).optional(), dismiss: z.boolean().optional() }),
  'live.poll': z.object({ roomId: Id, pollId: Id, question: z.string().trim().min(1).max(120), options: z.array(z.string().trim().min(1).max(40)).min(POLL_OPTIONS_MIN).max(POLL_OPTIONS_MAX) }),
  'live.pollClose': z.object({ roomId: Id, pollId: Id }),
  'live.draw': z.object({ roomId: Id, lotteryId: Id, prize: z.string().trim().min(1).max(80), eligibility: LotteryEligibility, pollId: Id.optional(), winners: z.number().int().min(1).max(LOTTERY_WINNERS_MAX) }),
  /**
   * Mute a viewer (a member) in the room for `minutes` (0 lifts it), named by `memberId` (an asker
   * in the queue) or by `ref` (a comment's author, as host consoles see comments): exactly one.
   */
  'live.mute': z
    .object({ roomId: Id, memberId: Id.optional(), ref: LiveRef.optional(), minutes: z.number().int().min(0).max(7 * 24 * 60) })
    .refine((d) => (d.memberId === undefined) !== (d.ref === undefined), { message: 'name the viewer by exactly one of memberId, ref' }),
} as const;
export const LIVE_COMMANDS = ['live.create', 'live.update', 'live.state', 'live.pin', 'live.answer', 'live.poll', 'live.pollClose', 'live.draw', 'live.mute'] as const;
export type LiveCommandType = (typeof LIVE_COMMANDS)[number];
export const isLiveCommand = (type: string): type is LiveCommandType => (LIVE_COMMANDS as readonly string[]).includes(type);

/** A viewer's reservation from the room ("reserve my size"), as `live.reserved` tells it and the desk snapshot carries it. */
export const LiveReservation = z.object({ roomId: Id, hold: Hold, storeName: z.string(), expected: ExpectedVisit.nullable() });
export type LiveReservation = z.infer<typeof LiveReservation>;
/**
 * A viewer muted in a room, as `live.muted` tells it (`until` null: lifted) and the desk snapshot
 * carries it (mutes in force). `ref`: the viewer's per-room ref when HQ knows it (always for a mute
 * from a comment), so the console can mark that viewer's comments.
 */
export const LiveMute = z.object({ roomId: Id, memberId: Id, nickname: z.string().max(20), until: Millis.nullable(), ref: LiveRef.optional() });
export type LiveMute = z.infer<typeof LiveMute>;

const Cause = { by: Actor.nullable(), opId: Id.nullable() };
/** Events in the room's store's log (registered in shared/protocol.ts `EventData`). */
export const LiveEventData = {
  'live.updated': z.object({ room: LiveRoom, ...Cause }),
  /** A question was asked (by a member: `by` null) or answered/dismissed. */
  'live.question': z.object({ question: LiveQuestion, ...Cause }),
  /** A poll opened or closed (counts as of then; live counts go to viewers on the socket). */
  'live.poll': z.object({ poll: LivePoll, ...Cause }),
  'live.lottery': z.object({ lottery: LiveLottery, ...Cause }),
  /** `ref`: the viewer's per-room ref when HQ knows it (a viewer who joined or commented), as host consoles see it on comments. */
  'live.muted': z.object({ roomId: Id, memberId: Id, nickname: z.string().max(20), until: Millis.nullable(), ref: LiveRef.optional(), ...Cause }),
  /** A viewer reserved their size from the room's pinned product ("reserve my size", at any store): the host console shows it. */
  'live.reserved': z.object({ roomId: Id, hold: Hold, storeName: z.string(), expected: ExpectedVisit.nullable() }),
} as const;

// ---------------------------------------------------------------------------------------------
// The room socket (`/v1/live/socket`): viewers (member token optional) and host consoles (device token).

export const ReactionKind = z.enum(['like', 'fire', 'clap', 'wow']);
export type ReactionKind = z.infer<typeof ReactionKind>;

/**
 * A comment as it goes out (ephemeral). `ref`: the commenter's per-room reference, in frames to
 * HOST consoles only (so a host can mute from a comment); viewers never get it (they need no more
 * than a nickname), and a host's own comments have none.
 */
export const LiveComment = z.object({ id: Id, nickname: z.string().max(20), text: z.string().max(LIVE_COMMENT_MAX), at: Millis, host: z.boolean(), ref: LiveRef.optional() });
export type LiveComment = z.infer<typeof LiveComment>;

const ClientId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);
export const ToLive = z.discriminatedUnion('t', [
  /** `token`: a member session (viewer who may write) or a device token (host console); none: read only. */
  z.object({ t: z.literal('hello'), v: z.literal(1), roomId: Id, token: z.string().min(1).max(200).optional(), nickname: z.string().trim().min(1).max(20).optional() }),
  z.object({ t: z.literal('comment'), clientId: ClientId, text: z.string().trim().min(1).max(LIVE_COMMENT_MAX) }),
  z.object({ t: z.literal('react'), kind: ReactionKind }),
  z.object({ t: z.literal('vote'), pollId: Id, option: z.number().int().min(0).max(POLL_OPTIONS_MAX - 1) }),
  z.object({ t: z.literal('ask'), clientId: ClientId, text: z.string().trim().min(1).max(LIVE_QUESTION_MAX) }),
  /** Host consoles only: remove a comment for everyone. */
  z.object({ t: z.literal('delete'), commentId: Id }),
]);
export type ToLive = z.infer<typeof ToLive>;

/** A question as a viewer sees it (no member id; `mine` for the asker). */
export const LiveQuestionView = LiveQuestion.omit({ memberId: true, answeredBy: true }).extend({ mine: z.boolean() });
/** A lottery as a viewer sees it (`won` for a winner). */
export const LiveLotteryView = LiveLottery.omit({ by: true }).extend({ won: z.boolean() });

export const FromLive = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('welcome'),
    room: LiveRoom.omit({ createdBy: true }),
    storeName: z.string(),
    role: z.enum(['viewer', 'member', 'host']),
    nickname: z.string().nullable(),
    viewers: z.number().int().nonnegative(),
    comments: z.array(LiveComment),
    polls: z.array(LivePoll),
    questions: z.array(LiveQuestionView),
    lotteries: z.array(LiveLotteryView),
  }),
  /** A batch of new comments (at most one frame per LIVE_BATCH_MS). */
  z.object({ t: z.literal('comments'), items: z.array(LiveComment) }),
  z.object({ t: z.literal('deleted'), ids: z.array(Id) }),
  /** Reactions in the last window, counted per kind (never one frame per reaction). */
  z.object({ t: z.literal('reactions'), counts: z.record(ReactionKind, z.number().int().nonnegative()) }),
  z.object({ t: z.literal('viewers'), n: z.number().int().nonnegative() }),
  z.object({ t: z.literal('room'), room: LiveRoom.omit({ createdBy: true }) }),
  z.object({ t: z.literal('poll'), poll: LivePoll }),
  z.object({ t: z.literal('question'), question: LiveQuestionView }),
  z.object({ t: z.literal('lottery'), lottery: LiveLotteryView }),
  /** The viewer's own comment or question was refused (muted, slow mode, rate, keyword, not signed in, ended). */
  z.object({ t: z.literal('refused'), clientId: z.string().optional(), code: z.string(), message: z.string() }),
  z.object({ t: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type FromLive = z.infer<typeof FromLive>;

/** GET /v1/desk/live/rooms/{id}/summary (device token of the room's store): the manager's after-stream summary. */
export const LiveSummary = z.object({
  roomId: Id,
  title: z.string(),
  state: LiveState,
  startedAt: Millis.nullable(),
  endedAt: Millis.nullable(),
  /** Distinct viewers who joined (signed in or not, by socket), and the peak at once. */
  viewers: z.number().int().nonnegative(),
  peakViewers: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  questions: z.number().int().nonnegative(),
  questionsAnswered: z.number().int().nonnegative(),
  polls: z.number().int().nonnegative(),
  lotteries: z.number().int().nonnegative(),
  /** Holds made from the room ("reserve my size"), at any store, and how many were collected. */
  holds: z.number().int().nonnegative(),
  holdsCollected: z.number().int().nonnegative(),
  /** Expected visits from the room, how many arrived, and purchases by those members at those stores after arriving. */
  expected: z.number().int().nonnegative(),
  visits: z.number().int().nonnegative(),
  purchases: z.number().int().nonnegative(),
});
export type LiveSummary = z.infer<typeof LiveSummary>;
