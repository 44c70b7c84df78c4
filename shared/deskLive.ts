// The desk's Live pane (6/8) as the DeskApi carries it: the arguments the renderer sends (each
// checked by its schema at the IPC/web bridge and again by the desk core) and the views it gets
// back. A view is HQ's confirmed record (shared/live.ts) with this desk's queued actions laid over
// it (`sync`: null = confirmed, 'pending' = in the outbox, 'rejected' = HQ refused it). The
// console's live part (comments, reactions, viewers, live poll counts) is not stored: it comes as
// `liveStream` events while the console's room socket is open.
import { z } from 'zod';
import { Id, Millis } from './domain.ts';
import { LiveRef, LotteryEligibility, type LiveComment, type LiveLottery, type LiveMute, type LivePoll, type LiveQuestion, type LiveReservation, type LiveRoom, type LiveSummary, type ReactionKind } from './live.ts';
import { LIVE_COMMENT_MAX, LIVE_SLOW_MODE_MAX_SEC, LIVE_TEXT_MAX, LIVE_TITLE_MAX, LOTTERY_WINNERS_MAX, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN } from './limits.ts';
import type { Rejection } from './protocol.ts';

const StreamLink = z.string().trim().url().max(500).refine((u) => /^https:\/\//.test(u), 'the stream link must be https');

export const CreateLiveArgs = z
  .object({
    title: z.string().trim().min(1).max(LIVE_TITLE_MAX),
    description: z.string().trim().max(LIVE_TEXT_MAX).optional(),
    streamUrl: StreamLink,
    scheduledAt: Millis,
  })
  .strict();
export type CreateLiveArgs = z.infer<typeof CreateLiveArgs>;

export const UpdateLiveArgs = z
  .object({
    title: z.string().trim().min(1).max(LIVE_TITLE_MAX).optional(),
    description: z.string().trim().max(LIVE_TEXT_MAX).optional(),
    streamUrl: StreamLink.optional(),
    scheduledAt: Millis.optional(),
    slowModeSec: z.number().int().min(0).max(LIVE_SLOW_MODE_MAX_SEC).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'change at least one field' });
export type UpdateLiveArgs = z.infer<typeof UpdateLiveArgs>;

/** Pin a product (a style id; null unpins) and/or a message (null or '' unpins). */
export const PinLiveArgs = z
  .object({ styleId: Id.nullable().optional(), message: z.string().trim().max(LIVE_TEXT_MAX).nullable().optional() })
  .strict()
  .refine((p) => p.styleId !== undefined || p.message !== undefined, { message: 'pin a product or a message' });
export type PinLiveArgs = z.infer<typeof PinLiveArgs>;

export const AnswerLiveArgs = z
  .object({ onAir: z.boolean().optional(), answer: z.string().trim().max(LIVE_TEXT_MAX).optional(), dismiss: z.boolean().optional() })
  .strict()
  .refine((a) => a.dismiss || a.onAir || (a.answer ?? '').length > 0, { message: 'answer on air, in writing, or dismiss' });
export type AnswerLiveArgs = z.infer<typeof AnswerLiveArgs>;

export const OpenPollArgs = z
  .object({ question: z.string().trim().min(1).max(120), options: z.array(z.string().trim().min(1).max(40)).min(POLL_OPTIONS_MIN).max(POLL_OPTIONS_MAX) })
  .strict();
export type OpenPollArgs = z.infer<typeof OpenPollArgs>;

export const DrawLotteryArgs = z
  .object({ prize: z.string().trim().min(1).max(80), eligibility: LotteryEligibility, pollId: Id.optional(), winners: z.number().int().min(1).max(LOTTERY_WINNERS_MAX) })
  .strict()
  .refine((d) => d.eligibility !== 'voted' || d.pollId !== undefined, { message: 'a lottery among voters names its poll' });
export type DrawLotteryArgs = z.infer<typeof DrawLotteryArgs>;

export const LiveMuteMinutes = z.number().int().min(0).max(7 * 24 * 60);
/** Whom to mute: an asker in the queue (`memberId`), or a comment's author (`ref`, as the host console sees it on the comment). */
export const LiveMuteTarget = z.union([z.object({ memberId: Id }).strict(), z.object({ ref: LiveRef }).strict()]);
export type LiveMuteTarget = z.infer<typeof LiveMuteTarget>;
export const HostComment = z.string().trim().min(1).max(LIVE_COMMENT_MAX);

type Sync = 'pending' | 'rejected' | null;

/** A viewer's reservation from the room and a viewer muted in it (shared/live.ts: the event and the snapshot carry them). */
export type { LiveMute, LiveReservation };

export interface LiveRoomView extends LiveRoom {
  sync: Sync;
  rejection: Rejection | null;
  /** The member page's link to the room (viewers open it, or its QR). */
  link: string;
}

export interface LiveQuestionView extends LiveQuestion {
  /** An answer or a dismissal of it is queued. */
  pending: 'answer' | 'dismiss' | null;
}

export interface LivePollView extends LivePoll {
  /** Opened or closed here, not yet confirmed by HQ. */
  pending: 'open' | 'close' | null;
}

/** A queued draw (HQ draws: only the request is known until its event). */
export interface LivePendingDraw {
  lotteryId: string;
  prize: string;
  eligibility: LiveLottery['eligibility'];
  winners: number;
  rejection: Rejection | null;
}

/** A refused live action still shown (until the clerk dismisses it). */
export interface LiveRefusal {
  opId: string;
  type: string;
  rejection: Rejection;
}

export interface LiveConsole {
  room: LiveRoomView;
  /** The queue, in asking order. */
  questions: LiveQuestionView[];
  polls: LivePollView[];
  lotteries: LiveLottery[];
  pendingDraws: LivePendingDraw[];
  /** Newest first. */
  reservations: LiveReservation[];
  mutes: LiveMute[];
  /** Mutes queued here (the member's id, or the comment author's ref → minutes). */
  pendingMutes: Record<string, number>;
  refusals: LiveRefusal[];
}

/** The console's live part, pushed while its room socket is open. */
export type LiveStreamEvent =
  | { roomId: string; kind: 'status'; status: 'connecting' | 'open' | 'down' | 'closed'; error: string | null }
  | { roomId: string; kind: 'welcome'; viewers: number; comments: LiveComment[]; polls: LivePoll[] }
  | { roomId: string; kind: 'comments'; items: LiveComment[] }
  | { roomId: string; kind: 'deleted'; ids: string[] }
  | { roomId: string; kind: 'reactions'; counts: Partial<Record<ReactionKind, number>> }
  | { roomId: string; kind: 'viewers'; n: number }
  | { roomId: string; kind: 'poll'; poll: LivePoll }
  | { roomId: string; kind: 'refused'; code: string; message: string };

export type { LiveSummary };
