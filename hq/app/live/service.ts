// The durable side of live rooms (6/8) that the room socket (hq/edge/ws/liveHub.ts) calls: what a
// viewer's welcome carries, a viewer's question and vote, who took part (lottery eligibility) and
// the room's counters. Comments and reactions never come here: they are ephemeral (shared/live.ts).
//
// Invariants:
// - Every write runs in one transaction of the room's store's log under its lock, its state and
//   its `live.*` event together; the socket layer learns of it from the store's feed like desks do.
// - A viewer never gets a member id: questions go out as LiveQuestionView (`mine` for the asker),
//   lotteries as LiveLotteryView (`won` for a winner, found by the viewer's per-room ref).
// - Refusals are thrown as LiveError before anything is written.
import { createHash } from 'node:crypto';
import { type z } from 'zod';
import { blockedKeyword } from '../../../shared/groups.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type ProductCard } from '../../../shared/domain.ts';
import { type LiveLottery, type LiveLotteryView, type LivePoll, type LiveQuestion, type LiveQuestionView, type LiveRoom, type LiveSummary, type LotteryAudit } from '../../../shared/live.ts';
import { LIVE_QUESTION_MAX } from '../../../shared/limits.ts';
import { type Rejection } from '../../../shared/protocol.ts';
import { type HqTx } from '../../ports/store.ts';
import { type LiveParticipant } from '../../ports/liveStore.ts';
import { ChatError, productCardIn } from '../chat/service.ts';
import { type EventLog } from '../eventLog.ts';

/** A refusal of a live use case; `unauthorized`: no such member (erased meanwhile); `gone`: the room is over or unknown. */
export class LiveError extends Error {
  constructor(
    readonly code: Rejection['code'] | 'unauthorized' | 'gone',
    message: string,
  ) {
    super(message);
    this.name = 'LiveError';
  }
}

/** Ended rooms stay in the public room list this long. */
export const PUBLIC_ENDED_DAYS = 7;
/** Rooms the public list carries at most. */
export const PUBLIC_ROOMS_MAX = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A room as viewers see it: everything but who created it. */
export type PublicRoom = Omit<LiveRoom, 'createdBy'>;
export function publicRoom(room: LiveRoom): PublicRoom {
  const { createdBy: _by, ...rest } = room;
  return rest;
}

/** How long the chain's keyword list is kept before it is read again. */
export const KEYWORDS_TTL_MS = 30_000;
/** A node's viewer count counts toward "viewers now" while it reported within this. */
export const NODE_STATS_FRESH_MS = 30_000;
/** The room's peak is announced (`live.updated`) when it grows by this fraction (or from below 10 to any rise). */
export const PEAK_STEP = 0.1;

/** A participant's opaque per-room reference: the first 16 hex of SHA-256(roomId:memberId:salt). */
export function participantRef(roomId: string, memberId: string, salt: string): string {
  return createHash('sha256').update(`${roomId}:${memberId}:${salt}`).digest('hex').slice(0, 16);
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export function questionView(q: LiveQuestion, memberId: string | null): z.infer<typeof LiveQuestionView> {
  const { memberId: asker, answeredBy: _by, ...rest } = q;
  return { ...rest, mine: memberId !== null && asker === memberId };
}

export function lotteryView(l: LiveLottery, myRef: string | null): z.infer<typeof LiveLotteryView> {
  const { by: _by, ...rest } = l;
  return { ...rest, won: myRef !== null && l.winners.some((w) => w.ref === myRef) };
}

/** Records a participant (ref computed from the room's salt) with `flag` set; no-op for an unknown room. */
export async function noteParticipantIn(tx: HqTx, roomId: string, memberId: string, nickname: string, flag: 'commented' | 'asked' | 'voted' | 'joined', at: number): Promise<LiveParticipant | null> {
  const salt = await tx.live.roomSalt(roomId);
  if (salt === null) return null;
  const p = { memberId, nickname: nickname.slice(0, 20), ref: participantRef(roomId, memberId, salt) };
  await tx.live.noteParticipant(roomId, p, flag, at);
  return p;
}

export class LiveService {
  private keywordCache: { at: number; words: readonly string[] } | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** The room and its store's name, or null. */
  room(roomId: string): Promise<{ room: LiveRoom; storeName: string } | null> {
    return this.log.store.read(async (r) => {
      const room = await r.live.getRoom(roomId);
      if (!room) return null;
      const store = await r.getStore(room.storeId);
      return { room, storeName: store?.name ?? '' };
    });
  }

  /** What a viewer's welcome carries besides comments: polls (open, and closed ones), questions (answered ones + the viewer's own), lotteries (with `won`). */
  welcomeState(
    roomId: string,
    memberId: string | null,
  ): Promise<{ polls: LivePoll[]; questions: z.infer<typeof LiveQuestionView>[]; lotteries: z.infer<typeof LiveLotteryView>[] }> {
    return this.log.store.read(async (r) => {
      const polls = await r.live.pollsOfRoom(roomId);
      const questions = (await r.live.questionsOfRoom(roomId))
        .filter((q) => q.status === 'answered' || (memberId !== null && q.memberId === memberId))
        .map((q) => questionView(q, memberId));
      const salt = memberId ? await r.live.roomSalt(roomId) : null;
      const myRef = memberId && salt !== null ? participantRef(roomId, memberId, salt) : null;
      const lotteries = (await r.live.lotteriesOfRoom(roomId)).map((l) => lotteryView(l, myRef));
      return { polls, questions, lotteries };
    });
  }

  /** The member's mute in the room (epoch ms) or null (none, or already over). */
  async mutedUntil(roomId: string, memberId: string): Promise<number | null> {
    const until = await this.log.store.read((r) => r.live.muteOf(roomId, memberId));
    return until !== null && until > this.now() ? until : null;
  }

  /** The chain's blocked keywords (community settings, cached briefly). */
  async keywords(): Promise<readonly string[]> {
    const now = this.now();
    if (this.keywordCache && now - this.keywordCache.at < KEYWORDS_TTL_MS) return this.keywordCache.words;
    const words = (await this.log.store.read((r) => r.groups.communitySettings())).keywords;
    this.keywordCache = { at: now, words };
    return words;
  }

  /** A signed-in viewer's question: durable, `live.question` event, idempotent by (member, clientId). */
  async ask(roomId: string, memberId: string, nickname: string, clientId: string, text: string): Promise<LiveQuestion> {
    // The socket's frame schema checks these already; a second caller gets the same rule here.
    text = text.trim();
    if (text.length < 1 || text.length > LIVE_QUESTION_MAX) throw new LiveError('invalid', `A question is 1 to ${LIVE_QUESTION_MAX} characters`);
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(clientId)) throw new LiveError('invalid', 'A clientId is 8 to 64 letters, digits, - or _');
    const words = await this.keywords();
    return this.log.write(async (tx, append) => {
      const room = await this.lockedRoom(tx, roomId);
      const seen = await tx.live.questionByClientId(roomId, memberId, clientId);
      if (seen) return seen;
      if (!(await tx.getMember(memberId))) throw new LiveError('unauthorized', 'No such member');
      if (room.state !== 'live') throw new LiveError('closed', room.state === 'ended' ? 'The room has ended' : 'The room is not live yet');
      const now = this.now();
      const muted = await tx.live.muteOf(roomId, memberId);
      if (muted !== null && muted > now) throw new LiveError('muted', 'You are muted in this room for now');
      const word = blockedKeyword(text, words);
      if (word !== null) throw new LiveError('blocked_word', `this room does not allow “${word}”`);
      const question: LiveQuestion = {
        id: uuidv7(now),
        roomId,
        n: (await tx.live.lastQuestionN(roomId)) + 1,
        memberId,
        nickname: nickname.slice(0, 20),
        text,
        askedAt: now,
        status: 'open',
        onAir: false,
        answer: null,
        answeredAt: null,
        answeredBy: null,
      };
      await tx.live.insertQuestion(question, clientId);
      await noteParticipantIn(tx, roomId, memberId, nickname, 'asked', now);
      await append(room.storeId, 'live.question', { question, by: null, opId: null }, now);
      return question;
    });
  }

  /** A vote (replaces the member's earlier one in that poll); returns the poll with its counts. */
  vote(roomId: string, pollId: string, memberId: string, option: number): Promise<LivePoll> {
    return this.log.write(async (tx) => {
      await this.lockedRoom(tx, roomId);
      const poll = await tx.live.getPoll(pollId);
      if (!poll || poll.roomId !== roomId) throw new LiveError('not_found', 'No such poll in this room');
      if (poll.state !== 'open') throw new LiveError('closed', 'The poll is closed');
      if (!Number.isInteger(option) || option < 0 || option >= poll.options.length) throw new LiveError('invalid', 'No such option');
      const member = await tx.getMember(memberId);
      if (!member) throw new LiveError('unauthorized', 'No such member');
      const now = this.now();
      await tx.live.putVote(pollId, memberId, option, now);
      // The nickname the room knows them by (the socket notes them as joined first); never their name.
      const known = await tx.live.participant(roomId, memberId);
      await noteParticipantIn(tx, roomId, memberId, known?.nickname ?? '—', 'voted', now);
      // Live counts go to viewers on the socket; the log gets a poll when it opens and closes.
      return (await tx.live.getPoll(pollId))!;
    });
  }

  /** Who took part, batched by the socket layer (about once a second): eligibility for lotteries. */
  async noteParticipants(roomId: string, entries: ReadonlyArray<{ memberId: string; nickname: string; what: 'commented' | 'joined' }>): Promise<void> {
    if (!entries.length) return;
    await this.log.write(async (tx) => {
      const room = await tx.live.getRoom(roomId);
      if (!room) return;
      const now = this.now();
      for (const e of entries) if (e.what === 'commented' || e.what === 'joined') await noteParticipantIn(tx, roomId, e.memberId, e.nickname, e.what, now);
    });
  }

  /** Counters from a node, batched: comments since the last call, distinct viewers seen, the node's current viewer count. */
  async noteStats(roomId: string, s: { comments: number; viewerKeys: readonly string[]; viewersNow: number; nodeId: string }): Promise<void> {
    await this.log.write(async (tx, append) => {
      const room = await tx.live.getRoom(roomId);
      if (!room) return;
      await tx.lockStore(room.storeId);
      const now = this.now();
      const totals = await tx.live.addStats(roomId, {
        comments: Math.max(0, Math.floor(s.comments)),
        viewerKeys: s.viewerKeys.slice(0, 10_000).map((k) => String(k).slice(0, 100)),
        nodeId: s.nodeId.slice(0, 100),
        viewersNow: Math.max(0, Math.floor(s.viewersNow)),
        at: now,
        freshSince: now - NODE_STATS_FRESH_MS,
      });
      const current = (await tx.live.getRoom(roomId))!;
      if (totals.viewersNow <= current.peakViewers) return;
      // A higher peak is always kept; it is announced only when it moved enough (not on every viewer)
      // — or once the room has ended: each node reports its viewers at the end (liveHub), and a
      // report that lands after the summary was read must reach the desks that show it.
      const next: LiveRoom = { ...current, peakViewers: totals.viewersNow };
      const announce = current.state === 'ended' || current.peakViewers < 10 || totals.viewersNow >= current.peakViewers * (1 + PEAK_STEP);
      await tx.live.putRoom(next, '');
      if (announce) await append(room.storeId, 'live.updated', { room: next, by: null, opId: null }, now);
    });
  }

  // --- HTTP reads (hq/edge/http/liveRoutes.ts) ------------------------------------------------

  /** The chain's scheduled and live rooms, and those ended in the last PUBLIC_ENDED_DAYS, newest first (`storeId`'s first when given). */
  publicRooms(storeId: string | null): Promise<Array<PublicRoom & { storeName: string }>> {
    return this.log.store.read(async (r) => {
      const rooms = await r.live.chainRooms(this.now() - PUBLIC_ENDED_DAYS * DAY_MS, PUBLIC_ROOMS_MAX);
      const names = new Map((await r.listStores()).map((s) => [s.id, s.name]));
      const ordered = storeId === null ? rooms : [...rooms.filter((x) => x.storeId === storeId), ...rooms.filter((x) => x.storeId !== storeId)];
      return ordered.map((room) => ({ ...publicRoom(room), storeName: names.get(room.storeId) ?? '' }));
    });
  }

  /** The pinned product's card at `storeId` (held pairs left out); `not_found` when nothing is pinned, `out_of_stock` when none there. */
  productCard(roomId: string, storeId: string): Promise<ProductCard> {
    return this.log.store.read(async (r) => {
      const room = await r.live.getRoom(roomId);
      if (!room) throw new LiveError('not_found', 'No such room');
      if (!room.pinnedStyleId) throw new LiveError('not_found', 'Nothing is pinned in this room');
      if (!(await r.getStore(storeId))) throw new LiveError('not_found', `No store ${storeId}`);
      try {
        return await productCardIn(r, storeId, room.pinnedStyleId);
      } catch (err) {
        if (err instanceof ChatError) throw new LiveError(err.code, err.message);
        throw err;
      }
    });
  }

  /** Everything needed to recompute a draw (shared/live.ts `drawWinners`). */
  audit(roomId: string, lotteryId: string): Promise<LotteryAudit> {
    return this.log.store.read(async (r) => {
      const lottery = await r.live.getLottery(lotteryId);
      if (!lottery || lottery.roomId !== roomId) throw new LiveError('not_found', 'No such lottery in this room');
      const { by: _by, ...rest } = lottery;
      return { lottery: rest, eligible: await r.live.lotteryEligible(lotteryId) };
    });
  }

  /**
   * The manager's after-stream summary. Holds and expected visits are the room's referrals (source
   * live + this room, at any store); visits are those expectations `arrived`; purchases are the
   * purchases of those members at that store at or after their arrival (each counted once).
   * `not_found` for another store's room: a desk learns nothing about other stores' rooms.
   */
  summary(roomId: string, storeId: string): Promise<LiveSummary> {
    return this.log.store.read(async (r) => {
      const room = await r.live.getRoom(roomId);
      if (!room || room.storeId !== storeId) throw new LiveError('not_found', 'No such live room in this store');
      const stats = await r.live.stats(roomId);
      const questions = await r.live.questionsOfRoom(roomId);
      const referrals = await r.live.referralsOfRoom(roomId);
      let holds = 0;
      let holdsCollected = 0;
      let expected = 0;
      let visits = 0;
      const purchases = new Set<string>();
      for (const ref of referrals) {
        if (ref.holdId) {
          const hold = await r.holds.getHold(ref.holdId);
          if (hold) {
            holds++;
            if (hold.status === 'collected') holdsCollected++;
          }
        }
        const e = ref.expectedId ? await r.expected.getExpected(ref.expectedId) : null;
        if (!e) continue;
        expected++;
        if (e.status !== 'arrived' || e.arrivedAt === null) continue;
        visits++;
        const arrivedAt = e.arrivedAt;
        for (const p of await r.purchasesOf(e.member.id, 1000)) if (p.storeId === e.storeId && p.at >= arrivedAt) purchases.add(p.id);
      }
      return {
        roomId,
        title: room.title,
        state: room.state,
        startedAt: room.startedAt,
        endedAt: room.endedAt,
        viewers: stats.viewers,
        peakViewers: room.peakViewers,
        comments: stats.comments,
        questions: questions.length,
        questionsAnswered: questions.filter((q) => q.status === 'answered').length,
        polls: (await r.live.pollsOfRoom(roomId)).length,
        lotteries: (await r.live.lotteriesOfRoom(roomId)).length,
        holds,
        holdsCollected,
        expected,
        visits,
        purchases: purchases.size,
      };
    });
  }

  private async lockedRoom(tx: HqTx, roomId: string): Promise<LiveRoom> {
    const room = await tx.live.getRoom(roomId);
    if (!room) throw new LiveError('not_found', 'No such room');
    await tx.lockStore(room.storeId);
    return (await tx.live.getRoom(roomId))!;
  }
}
