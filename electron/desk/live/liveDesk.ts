// Live rooms on the desk (6/8): the store's clerks create and host rooms, offline as well as online
// — every host action is queued durably in the outbox (subject `live:<roomId>`), shown at once as
// pending over HQ's confirmed state (liveViews.ts), settled by the `live.*` event naming its op, and
// kept as refused (with HQ's reason) until the clerk dismisses it. Ids the desk makes (room, poll,
// lottery) are UUIDv7s made once when the clerk acts, so a resend is the same thing at HQ.
// The live part of the console (comments, reactions, viewers) needs HQ now: liveStream.ts. The
// summary and the room's QR are HQ's to tell: asked online only.
import type { ActionResult } from '../../../shared/deskApi.ts';
import { DeskError } from '../../../shared/deskApi.ts';
import {
  AnswerLiveArgs,
  CreateLiveArgs,
  DrawLotteryArgs,
  OpenPollArgs,
  PinLiveArgs,
  UpdateLiveArgs,
  type LiveConsole,
  type LiveMuteTarget,
  type LiveRoomView,
} from '../../../shared/deskLive.ts';
import type { Actor } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { LiveSummary } from '../../../shared/live.ts';
import type { CommandType } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import type { HqHttp } from '../hqAddresses.ts';
import type { LiveStreams } from './liveStream.ts';
import { consoleParts, liveSubject, roomView, roomViews, type LiveViewInputs } from './liveViews.ts';

const HQ_TIMEOUT_MS = 5000;
const SVG_MAX = 200_000;

export interface LiveDeskOptions {
  hq: HqHttp & { readonly current?: string };
  token: string;
  log: (line: string) => void;
  online(): boolean;
  self(): Actor;
  streams: LiveStreams;
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string;
  /** A clerk action was queued: counts, connection and the flush follow. */
  queued(): void;
  /** A room changed here (shown again by the UI). */
  changed(roomId: string | null): void;
}

export class LiveDesk {
  constructor(
    private readonly q: CacheQueries,
    private readonly opts: LiveDeskOptions,
  ) {}

  private inputs(): LiveViewInputs {
    return { storeId: this.q.getIdentity()?.storeId ?? '', self: this.opts.self(), ops: this.q.listOps(), linkOf: (id) => this.linkOf(id) };
  }

  list(): LiveRoomView[] {
    return roomViews(this.q.live.rooms(), this.inputs());
  }

  console(roomId: string): LiveConsole {
    const i = this.inputs();
    const room = this.known(roomId, i);
    const parts = consoleParts(room, { questions: this.q.live.questions(roomId), polls: this.q.live.polls(roomId) }, i.ops);
    return { room, ...parts, lotteries: this.q.live.lotteries(roomId), reservations: this.q.live.reservations(roomId), mutes: this.q.live.mutes(roomId) };
  }

  create(input: CreateLiveArgs): ActionResult & { roomId: string } {
    const a = CreateLiveArgs.parse(input);
    const roomId = uuidv7();
    const opId = this.opts.enqueue('live.create', liveSubject(roomId), { roomId, title: a.title, description: a.description ?? '', streamUrl: a.streamUrl, scheduledAt: a.scheduledAt });
    this.done(roomId);
    return { opId, roomId };
  }

  update(roomId: string, patch: UpdateLiveArgs): ActionResult {
    const p = UpdateLiveArgs.parse(patch);
    this.notEnded(roomId);
    return this.queue('live.update', roomId, { roomId, ...p });
  }

  setState(roomId: string, state: 'live' | 'ended'): ActionResult {
    const r = this.notEnded(roomId);
    if (r.state === state) throw new DeskError('not_allowed', `the room is already ${state}`);
    return this.queue('live.state', roomId, { roomId, state });
  }

  pin(roomId: string, pin: PinLiveArgs): ActionResult {
    const p = PinLiveArgs.parse(pin);
    this.notEnded(roomId);
    return this.queue('live.pin', roomId, { roomId, ...(p.styleId !== undefined ? { styleId: p.styleId } : {}), ...(p.message !== undefined ? { message: p.message || null } : {}) });
  }

  answer(roomId: string, questionId: string, how: AnswerLiveArgs): ActionResult {
    const a = AnswerLiveArgs.parse(how);
    this.known(roomId);
    const question = this.q.live.getQuestion(questionId);
    if (!question || question.roomId !== roomId) throw new DeskError('not_found', 'no such question in this room');
    return this.queue('live.answer', roomId, { roomId, questionId, onAir: a.onAir ?? false, ...(a.answer ? { answer: a.answer } : {}), ...(a.dismiss ? { dismiss: true } : {}) });
  }

  openPoll(roomId: string, poll: OpenPollArgs): ActionResult & { pollId: string } {
    const p = OpenPollArgs.parse(poll);
    this.notEnded(roomId);
    const pollId = uuidv7();
    const { opId } = this.queue('live.poll', roomId, { roomId, pollId, question: p.question, options: p.options });
    return { opId, pollId };
  }

  closePoll(roomId: string, pollId: string): ActionResult {
    this.known(roomId);
    if (!this.console(roomId).polls.some((p) => p.id === pollId)) throw new DeskError('not_found', 'no such poll in this room');
    return this.queue('live.pollClose', roomId, { roomId, pollId });
  }

  draw(roomId: string, args: DrawLotteryArgs): ActionResult & { lotteryId: string } {
    const d = DrawLotteryArgs.parse(args);
    this.known(roomId);
    const lotteryId = uuidv7();
    const { opId } = this.queue('live.draw', roomId, { roomId, lotteryId, prize: d.prize, eligibility: d.eligibility, ...(d.pollId ? { pollId: d.pollId } : {}), winners: d.winners });
    return { opId, lotteryId };
  }

  /**
   * Mute a viewer the console knows: an asker in the queue or one muted before (`memberId`), or the
   * author of a comment this console was shown (`ref`: HQ names the member, and refuses a ref it
   * does not know in the room).
   */
  mute(roomId: string, who: LiveMuteTarget, minutes: number): ActionResult {
    this.known(roomId);
    if ('ref' in who) {
      if (!this.opts.streams.sawRef(roomId, who.ref)) throw new DeskError('not_found', 'no comment of that viewer was shown in this room');
      return this.queue('live.mute', roomId, { roomId, ref: who.ref, minutes });
    }
    const { memberId } = who;
    if (!this.q.live.questions(roomId).some((x) => x.memberId === memberId) && !this.q.live.mutes(roomId).some((m) => m.memberId === memberId)) {
      throw new DeskError('not_found', 'that viewer has not asked in this room');
    }
    return this.queue('live.mute', roomId, { roomId, memberId, minutes });
  }

  /** The clerk has read HQ's refusals of actions on this room: stop showing them. */
  dismiss(roomId: string): number {
    const n = this.q.tx(() => this.q.deleteRejectedOfVisit(liveSubject(roomId)));
    if (n > 0) this.opts.changed(roomId);
    return n;
  }

  // --- the live part ------------------------------------------------------------------------

  openStream(roomId: string): void {
    this.known(roomId);
    this.opts.streams.open(roomId);
  }

  closeStream(roomId: string): void {
    this.opts.streams.close(roomId);
  }

  /** A host comment: needs the open stream (comments are never queued: they are of the moment). */
  comment(roomId: string, text: string): void {
    if (this.known(roomId).state !== 'live') throw new DeskError('not_allowed', 'the room is not live');
    if (!this.opts.streams.comment(roomId, text)) throw new DeskError('not_allowed', 'the room’s live stream is not connected');
  }

  deleteComment(roomId: string, commentId: string): void {
    this.known(roomId);
    if (!this.opts.streams.delete(roomId, commentId)) throw new DeskError('not_allowed', 'the room’s live stream is not connected');
  }

  /** The manager's summary from HQ; null offline or when HQ cannot tell now. */
  async summary(roomId: string): Promise<LiveSummary | null> {
    this.known(roomId);
    if (!this.opts.online() || !this.q.live.getRoom(roomId)) return null;
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/desk/live/rooms/${encodeURIComponent(roomId)}/summary`, { headers: { authorization: `Bearer ${this.opts.token}` } }, HQ_TIMEOUT_MS);
    } catch (err) {
      this.opts.log(`desk: live summary from HQ failed: ${(err as Error).message}`);
      return null;
    }
    if (res.status === 404) throw new DeskError('not_found', 'HQ has no such room');
    if (!res.ok) {
      this.opts.log(`desk: live summary refused: HTTP ${res.status}`);
      return null;
    }
    const parsed = LiveSummary.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      this.opts.log('desk: HQ sent a live summary outside the contract');
      return null;
    }
    return parsed.data;
  }

  /** The room link's QR (SVG text) from HQ; null offline, before HQ has the room, or when it cannot tell. */
  async qr(roomId: string): Promise<string | null> {
    this.known(roomId);
    if (!this.opts.online() || !this.q.live.getRoom(roomId)) return null;
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/live/rooms/${encodeURIComponent(roomId)}/qr.svg`, { headers: { authorization: `Bearer ${this.opts.token}` } }, HQ_TIMEOUT_MS);
    } catch (err) {
      this.opts.log(`desk: live room QR from HQ failed: ${(err as Error).message}`);
      return null;
    }
    if (!res.ok) return null;
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text().catch(() => '');
    // Shown as an <img> data: URL (never inline markup); still, only an SVG of sane size is passed on.
    if (!type.startsWith('image/svg+xml') || text.length > SVG_MAX || !/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(text)) return null;
    return text;
  }

  /** The viewer's page of a room, at the HQ address the desk uses (as HQ makes it: hq/edge/http/liveRoutes.ts roomLink). */
  private linkOf(roomId: string): string {
    const base = (this.opts.hq.current ?? '').replace(/\/+$/, '');
    return `${base}/m/live.html?room=${encodeURIComponent(roomId)}`;
  }

  private queue<T extends CommandType>(type: T, roomId: string, data: OpData<T>): ActionResult {
    const opId = this.opts.enqueue(type, liveSubject(roomId), data);
    this.done(roomId);
    return { opId };
  }

  private known(roomId: string, i: LiveViewInputs = this.inputs()): LiveRoomView {
    const r = roomView(this.q.live.getRoom(roomId), roomId, i);
    if (!r) throw new DeskError('not_found', 'no such live room at this store');
    return r;
  }

  private notEnded(roomId: string): LiveRoomView {
    const r = this.known(roomId);
    if (r.state === 'ended') throw new DeskError('not_allowed', 'this room has ended');
    return r;
  }

  private done(roomId: string): void {
    this.opts.queued();
    this.opts.changed(roomId);
  }
}
