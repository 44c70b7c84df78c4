// The live-room part of the store port (reached as `tx.live`, 6/8): rooms, questions, polls and
// votes, lotteries with their eligible lists, participants, mutes and the room's counters, on the
// caller's connection and transaction, so a room's change and its `live.*` event commit together.
// Callers take `tx.lockStore(room.storeId)` before a read-then-write (the next question number, a
// vote replacing another, a draw) — hq/app/live/.
//
// Invariants:
// - A poll's `counts` and `voters` are never stored: every read counts its votes (one per member,
//   a later vote replaces theirs), so a vote, a replacement and an erasure are right at once.
// - A participant's `ref` is opaque and stable per (room, member): the first 16 hex of
//   SHA-256(roomId:memberId:the room's salt). The salt never leaves HQ, so a ref names nobody.
// - A lottery's eligible list is written once, at the draw, with each winner's rank; the winners
//   read back are those rows, so an erased winner's nickname reads 'erased' there too.
import { type LiveLottery, type LivePoll, type LiveQuestion, type LiveRoom } from '../../shared/live.ts';

export type ParticipationFlag = 'commented' | 'asked' | 'voted' | 'joined';

export interface LiveParticipant {
  memberId: string;
  ref: string;
  nickname: string;
}

export interface LiveOps {
  getRoom(id: string): Promise<LiveRoom | null>;
  /** Insert or replace the whole room; `salt` is kept from the insert (ignored on a replace). */
  putRoom(room: LiveRoom, salt: string): Promise<void>;
  /** The room's salt for participants' refs (null: no such room). */
  roomSalt(roomId: string): Promise<string | null>;
  /** The store's rooms: scheduled and live ones, and ended ones that ended at or after `endedSince`; newest first. */
  roomsOfStore(storeId: string, endedSince: number): Promise<LiveRoom[]>;
  /** Every store's rooms by the same rule, newest first, at most `limit`. */
  chainRooms(endedSince: number, limit: number): Promise<LiveRoom[]>;

  getQuestion(id: string): Promise<LiveQuestion | null>;
  /** The question the member already asked under this clientId in the room. */
  questionByClientId(roomId: string, memberId: string, clientId: string): Promise<LiveQuestion | null>;
  /** The room's highest question number (0 when none). */
  lastQuestionN(roomId: string): Promise<number>;
  insertQuestion(q: LiveQuestion, clientId: string): Promise<void>;
  /** Replaces a question's changing parts (status, answer). */
  updateQuestion(q: LiveQuestion): Promise<void>;
  /** The room's questions in queue order. */
  questionsOfRoom(roomId: string): Promise<LiveQuestion[]>;

  /** Insert or replace a poll (its counts are ignored: they are counted from the votes). */
  putPoll(poll: LivePoll): Promise<void>;
  getPoll(id: string): Promise<LivePoll | null>;
  pollsOfRoom(roomId: string): Promise<LivePoll[]>;
  /** The member's vote in the poll, replacing an earlier one. */
  putVote(pollId: string, memberId: string, option: number, at: number): Promise<void>;
  /** Members who voted in the poll. */
  pollVoters(pollId: string): Promise<string[]>;

  /** Stores a drawn lottery and its eligible list (winners carry their rank: 0, 1, …). */
  insertLottery(lottery: LiveLottery, eligible: ReadonlyArray<LiveParticipant & { rank: number | null }>): Promise<void>;
  getLottery(id: string): Promise<LiveLottery | null>;
  lotteriesOfRoom(roomId: string): Promise<LiveLottery[]>;
  /** The eligible list of a lottery as recorded at the draw, by ref. */
  lotteryEligible(lotteryId: string): Promise<Array<{ ref: string; nickname: string }>>;
  /** The member ids of a lottery's winners (for telling them), in draw order; erased ones are left out. */
  lotteryWinnerIds(lotteryId: string): Promise<string[]>;

  /** Records (or refreshes the nickname of) a participant and sets `flag`. */
  noteParticipant(roomId: string, p: LiveParticipant, flag: ParticipationFlag, at: number): Promise<void>;
  /** Participants with `flag` set, ordered by ref. */
  participants(roomId: string, flag: ParticipationFlag): Promise<LiveParticipant[]>;
  participant(roomId: string, memberId: string): Promise<LiveParticipant | null>;
  /** The room's participant with this ref (a comment's author, as host consoles see it); null: none of this room (yet). */
  participantByRef(roomId: string, ref: string): Promise<LiveParticipant | null>;

  /** Mute until `until` (null lifts it). */
  setMute(roomId: string, memberId: string, until: number | null): Promise<void>;
  muteOf(roomId: string, memberId: string): Promise<number | null>;
  /** The room's mutes in force at `now` (until > now), with the participant's nickname ('' if none) and ref (null if none), longest first. */
  mutesOfRoom(roomId: string, now: number): Promise<Array<{ memberId: string; nickname: string; ref: string | null; until: number }>>;

  /**
   * Adds a node's counters: `comments` more comments, these viewer keys (distinct ones kept), and
   * the node's current viewers (replacing its earlier report). Answers the totals: comments,
   * distinct viewers, and viewers now (the sum over nodes that reported since `freshSince`).
   */
  addStats(roomId: string, s: { comments: number; viewerKeys: readonly string[]; nodeId: string; viewersNow: number; at: number; freshSince: number }): Promise<{ comments: number; viewers: number; viewersNow: number }>;
  stats(roomId: string): Promise<{ comments: number; viewers: number }>;

  /**
   * Records what a room brought: a member-made hold and/or an expected visit with source
   * {kind:'live', id: roomId}, at whichever store (the manager's summary counts them; the log is trimmed).
   * Keyed by the hold's id, else the expected visit's: recording one again changes nothing.
   */
  addReferral(r: LiveReferral): Promise<void>;
  referralsOfRoom(roomId: string): Promise<LiveReferral[]>;
}

export interface LiveReferral {
  roomId: string;
  storeId: string;
  memberId: string;
  holdId: string | null;
  expectedId: string | null;
  at: number;
}
