// LiveOps on HQ's SQLite connection (tables created by HQ migration 16, MIGRATION_LIVE). A room, a
// question, a poll and a lottery are each kept whole as JSON (`data`) beside the columns their
// queries filter on, written from the same record by one statement.
//
// Invariants: a poll's counts are counted from `live_votes` on every read (one row per poll and
// member: a later vote replaces theirs); a lottery's winners are read from its eligible rows with a
// rank, so erasing a winner (nickname 'erased') shows in the lottery too; a question's
// (room, member, clientId) is unique, so a resend is the same question.
import type Database from 'better-sqlite3';
import { type LiveLottery, type LivePoll, type LiveQuestion, type LiveRoom } from '../../../shared/live.ts';
import { type LiveOps, type LiveReferral } from '../../ports/liveStore.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 16: live launch rooms (6/8). Same tables on PostgreSQL (migrations.ts step 16). */
export const MIGRATION_LIVE = `
  CREATE TABLE live_rooms (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, state TEXT NOT NULL, ended_at INTEGER, created_at INTEGER NOT NULL,
    salt TEXT NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX live_rooms_store ON live_rooms(store_id, created_at);
  CREATE INDEX live_rooms_created ON live_rooms(created_at);
  CREATE TABLE live_questions (
    id TEXT PRIMARY KEY, room_id TEXT NOT NULL, n INTEGER NOT NULL, member_id TEXT NOT NULL, client_id TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (room_id, n), UNIQUE (room_id, member_id, client_id)
  );
  CREATE INDEX live_questions_member ON live_questions(member_id);
  CREATE TABLE live_polls (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, opened_at INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE INDEX live_polls_room ON live_polls(room_id, opened_at);
  CREATE TABLE live_votes (
    poll_id TEXT NOT NULL, member_id TEXT NOT NULL, option INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (poll_id, member_id)
  ) WITHOUT ROWID;
  CREATE INDEX live_votes_member ON live_votes(member_id);
  CREATE TABLE live_lotteries (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, drawn_at INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE INDEX live_lotteries_room ON live_lotteries(room_id, drawn_at);
  -- The eligible list as recorded at the draw; rank is the winner's place (NULL: not drawn).
  -- member_id is NULLed when the member is erased (ref and nickname 'erased' stay for the audit).
  CREATE TABLE live_lottery_eligible (
    lottery_id TEXT NOT NULL, ref TEXT NOT NULL, member_id TEXT, nickname TEXT NOT NULL, rank INTEGER, PRIMARY KEY (lottery_id, ref)
  ) WITHOUT ROWID;
  CREATE INDEX live_lottery_eligible_member ON live_lottery_eligible(member_id) WHERE member_id IS NOT NULL;
  CREATE TABLE live_participants (
    room_id TEXT NOT NULL, member_id TEXT NOT NULL, ref TEXT NOT NULL, nickname TEXT NOT NULL,
    commented INTEGER NOT NULL DEFAULT 0, asked INTEGER NOT NULL DEFAULT 0, voted INTEGER NOT NULL DEFAULT 0, joined INTEGER NOT NULL DEFAULT 0,
    first_at INTEGER NOT NULL, PRIMARY KEY (room_id, member_id)
  ) WITHOUT ROWID;
  CREATE INDEX live_participants_member ON live_participants(member_id);
  CREATE TABLE live_mutes (room_id TEXT NOT NULL, member_id TEXT NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (room_id, member_id)) WITHOUT ROWID;
  CREATE INDEX live_mutes_member ON live_mutes(member_id);
  CREATE TABLE live_stats (room_id TEXT PRIMARY KEY, comments INTEGER NOT NULL) WITHOUT ROWID;
  -- Distinct viewer keys seen (opaque, from the socket nodes), and each node's latest viewer count.
  CREATE TABLE live_viewers (room_id TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (room_id, key)) WITHOUT ROWID;
  CREATE TABLE live_node_viewers (room_id TEXT NOT NULL, node_id TEXT NOT NULL, viewers INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (room_id, node_id)) WITHOUT ROWID;
  -- Holds and expected visits a room brought (source live), at any store: the manager's summary.
  -- id: the hold's id, else the expected visit's (a resend is the same row).
  CREATE TABLE live_referrals (
    id TEXT PRIMARY KEY, room_id TEXT NOT NULL, store_id TEXT NOT NULL, member_id TEXT NOT NULL, hold_id TEXT, expected_id TEXT, at INTEGER NOT NULL
  );
  CREATE INDEX live_referrals_room ON live_referrals(room_id, at);
  CREATE INDEX live_referrals_member ON live_referrals(member_id);
`;

type Row = Record<string, unknown>;
const parse = <T>(r: Row): T => JSON.parse(r.data as string) as T;
const FLAGS = ['commented', 'asked', 'voted', 'joined'] as const;

const referralFromRow = (r: Row): LiveReferral => ({
  roomId: r.room_id as string,
  storeId: r.store_id as string,
  memberId: r.member_id as string,
  holdId: (r.hold_id as string | null) ?? null,
  expectedId: (r.expected_id as string | null) ?? null,
  at: Number(r.at),
});

export function createSqliteLiveStorage(db: Database.Database): Sync<LiveOps> {
  const q = {
    getRoom: db.prepare('SELECT data FROM live_rooms WHERE id = ?'),
    putRoom: db.prepare(
      `INSERT INTO live_rooms (id, store_id, state, ended_at, created_at, salt, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, ended_at = excluded.ended_at, data = excluded.data`,
    ),
    salt: db.prepare('SELECT salt FROM live_rooms WHERE id = ?').pluck(),
    ofStore: db.prepare("SELECT data FROM live_rooms WHERE store_id = ? AND (state <> 'ended' OR ended_at >= ?) ORDER BY created_at DESC, id DESC"),
    chain: db.prepare("SELECT data FROM live_rooms WHERE state <> 'ended' OR ended_at >= ? ORDER BY created_at DESC, id DESC LIMIT +?"),
    getQ: db.prepare('SELECT data FROM live_questions WHERE id = ?'),
    qByClient: db.prepare('SELECT data FROM live_questions WHERE room_id = ? AND member_id = ? AND client_id = ?'),
    lastN: db.prepare('SELECT COALESCE(MAX(n), 0) FROM live_questions WHERE room_id = ?').pluck(),
    insQ: db.prepare('INSERT INTO live_questions (id, room_id, n, member_id, client_id, data) VALUES (?, ?, ?, ?, ?, ?)'),
    updQ: db.prepare('UPDATE live_questions SET data = ? WHERE id = ?'),
    qOfRoom: db.prepare('SELECT data FROM live_questions WHERE room_id = ? ORDER BY n'),
    putPoll: db.prepare('INSERT INTO live_polls (id, room_id, opened_at, data) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data'),
    getPoll: db.prepare('SELECT data FROM live_polls WHERE id = ?'),
    pollsOfRoom: db.prepare('SELECT data FROM live_polls WHERE room_id = ? ORDER BY opened_at, id'),
    counts: db.prepare('SELECT option, COUNT(*) AS n FROM live_votes WHERE poll_id = ? GROUP BY option'),
    putVote: db.prepare('INSERT INTO live_votes (poll_id, member_id, option, at) VALUES (?, ?, ?, ?) ON CONFLICT(poll_id, member_id) DO UPDATE SET option = excluded.option, at = excluded.at'),
    voters: db.prepare('SELECT member_id FROM live_votes WHERE poll_id = ? ORDER BY member_id').pluck(),
    insLottery: db.prepare('INSERT INTO live_lotteries (id, room_id, drawn_at, data) VALUES (?, ?, ?, ?)'),
    insEligible: db.prepare('INSERT INTO live_lottery_eligible (lottery_id, ref, member_id, nickname, rank) VALUES (?, ?, ?, ?, ?)'),
    getLottery: db.prepare('SELECT data FROM live_lotteries WHERE id = ?'),
    lotteriesOfRoom: db.prepare('SELECT data FROM live_lotteries WHERE room_id = ? ORDER BY drawn_at, id'),
    winners: db.prepare('SELECT ref, nickname FROM live_lottery_eligible WHERE lottery_id = ? AND rank IS NOT NULL ORDER BY rank'),
    winnerIds: db.prepare('SELECT member_id FROM live_lottery_eligible WHERE lottery_id = ? AND rank IS NOT NULL AND member_id IS NOT NULL ORDER BY rank').pluck(),
    eligible: db.prepare('SELECT ref, nickname FROM live_lottery_eligible WHERE lottery_id = ? ORDER BY ref'),
    participant: db.prepare('SELECT member_id, ref, nickname FROM live_participants WHERE room_id = ? AND member_id = ?'),
    // By the room's key prefix: a mute from a comment is rare, a room's participants a few thousand at most.
    participantByRef: db.prepare('SELECT member_id, ref, nickname FROM live_participants WHERE room_id = ? AND ref = ?'),
    setMute: db.prepare('INSERT INTO live_mutes (room_id, member_id, until) VALUES (?, ?, ?) ON CONFLICT(room_id, member_id) DO UPDATE SET until = excluded.until'),
    delMute: db.prepare('DELETE FROM live_mutes WHERE room_id = ? AND member_id = ?'),
    muteOf: db.prepare('SELECT until FROM live_mutes WHERE room_id = ? AND member_id = ?').pluck(),
    mutesOfRoom: db.prepare(
      `SELECT m.member_id, m.until, COALESCE(p.nickname, '') AS nickname, p.ref FROM live_mutes m
       LEFT JOIN live_participants p ON p.room_id = m.room_id AND p.member_id = m.member_id
       WHERE m.room_id = ? AND m.until > ? ORDER BY m.until DESC, m.member_id`,
    ),
    addComments: db.prepare('INSERT INTO live_stats (room_id, comments) VALUES (?, ?) ON CONFLICT(room_id) DO UPDATE SET comments = comments + excluded.comments'),
    addViewer: db.prepare('INSERT OR IGNORE INTO live_viewers (room_id, key) VALUES (?, ?)'),
    nodeViewers: db.prepare('INSERT INTO live_node_viewers (room_id, node_id, viewers, at) VALUES (?, ?, ?, ?) ON CONFLICT(room_id, node_id) DO UPDATE SET viewers = excluded.viewers, at = excluded.at'),
    comments: db.prepare('SELECT comments FROM live_stats WHERE room_id = ?').pluck(),
    viewers: db.prepare('SELECT COUNT(*) FROM live_viewers WHERE room_id = ?').pluck(),
    viewersNow: db.prepare('SELECT COALESCE(SUM(viewers), 0) FROM live_node_viewers WHERE room_id = ? AND at >= ?').pluck(),
    addReferral: db.prepare('INSERT OR IGNORE INTO live_referrals (id, room_id, store_id, member_id, hold_id, expected_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    referrals: db.prepare('SELECT room_id, store_id, member_id, hold_id, expected_id, at FROM live_referrals WHERE room_id = ? ORDER BY at, id'),
  };
  const noteFlag = Object.fromEntries(
    FLAGS.map((f) => [
      f,
      db.prepare(
        `INSERT INTO live_participants (room_id, member_id, ref, nickname, ${f}, first_at) VALUES (?, ?, ?, ?, 1, ?)
         ON CONFLICT(room_id, member_id) DO UPDATE SET nickname = excluded.nickname, ${f} = 1`,
      ),
    ]),
  ) as Record<(typeof FLAGS)[number], Database.Statement>;
  const participantsOf = Object.fromEntries(FLAGS.map((f) => [f, db.prepare(`SELECT member_id, ref, nickname FROM live_participants WHERE room_id = ? AND ${f} = 1 ORDER BY ref`)])) as Record<
    (typeof FLAGS)[number],
    Database.Statement
  >;
  const toParticipant = (r: Row) => ({ memberId: r.member_id as string, ref: r.ref as string, nickname: r.nickname as string });
  const withCounts = (poll: LivePoll): LivePoll => {
    const counts = poll.options.map(() => 0);
    let voters = 0;
    for (const r of q.counts.all(poll.id) as Row[]) {
      const i = r.option as number;
      if (i >= 0 && i < counts.length) counts[i] = r.n as number;
      voters += r.n as number;
    }
    return { ...poll, counts, voters };
  };
  const withWinners = (l: LiveLottery): LiveLottery => ({ ...l, winners: (q.winners.all(l.id) as Row[]).map((r) => ({ ref: r.ref as string, nickname: r.nickname as string })) });
  return {
    getRoom: (id) => {
      const r = q.getRoom.get(id) as Row | undefined;
      return r ? parse<LiveRoom>(r) : null;
    },
    putRoom: (room, salt) => void q.putRoom.run(room.id, room.storeId, room.state, room.endedAt, room.createdAt, salt, JSON.stringify(room)),
    roomSalt: (roomId) => (q.salt.get(roomId) as string | undefined) ?? null,
    roomsOfStore: (storeId, endedSince) => (q.ofStore.all(storeId, endedSince) as Row[]).map((r) => parse<LiveRoom>(r)),
    chainRooms: (endedSince, limit) => (q.chain.all(endedSince, limit) as Row[]).map((r) => parse<LiveRoom>(r)),
    getQuestion: (id) => {
      const r = q.getQ.get(id) as Row | undefined;
      return r ? parse<LiveQuestion>(r) : null;
    },
    questionByClientId: (roomId, memberId, clientId) => {
      const r = q.qByClient.get(roomId, memberId, clientId) as Row | undefined;
      return r ? parse<LiveQuestion>(r) : null;
    },
    lastQuestionN: (roomId) => q.lastN.get(roomId) as number,
    insertQuestion: (x, clientId) => void q.insQ.run(x.id, x.roomId, x.n, x.memberId, clientId, JSON.stringify(x)),
    updateQuestion: (x) => void q.updQ.run(JSON.stringify(x), x.id),
    questionsOfRoom: (roomId) => (q.qOfRoom.all(roomId) as Row[]).map((r) => parse<LiveQuestion>(r)),
    putPoll: (p) => void q.putPoll.run(p.id, p.roomId, p.openedAt, JSON.stringify({ ...p, counts: [], voters: 0 })),
    getPoll: (id) => {
      const r = q.getPoll.get(id) as Row | undefined;
      return r ? withCounts(parse<LivePoll>(r)) : null;
    },
    pollsOfRoom: (roomId) => (q.pollsOfRoom.all(roomId) as Row[]).map((r) => withCounts(parse<LivePoll>(r))),
    putVote: (pollId, memberId, option, at) => void q.putVote.run(pollId, memberId, option, at),
    pollVoters: (pollId) => q.voters.all(pollId) as string[],
    insertLottery: (l, eligible) => {
      q.insLottery.run(l.id, l.roomId, l.drawnAt, JSON.stringify({ ...l, winners: [] }));
      for (const e of eligible) q.insEligible.run(l.id, e.ref, e.memberId, e.nickname, e.rank);
    },
    getLottery: (id) => {
      const r = q.getLottery.get(id) as Row | undefined;
      return r ? withWinners(parse<LiveLottery>(r)) : null;
    },
    lotteriesOfRoom: (roomId) => (q.lotteriesOfRoom.all(roomId) as Row[]).map((r) => withWinners(parse<LiveLottery>(r))),
    lotteryEligible: (lotteryId) => (q.eligible.all(lotteryId) as Row[]).map((r) => ({ ref: r.ref as string, nickname: r.nickname as string })),
    lotteryWinnerIds: (lotteryId) => q.winnerIds.all(lotteryId) as string[],
    noteParticipant: (roomId, p, flag, at) => void noteFlag[flag].run(roomId, p.memberId, p.ref, p.nickname, at),
    participants: (roomId, flag) => (participantsOf[flag].all(roomId) as Row[]).map(toParticipant),
    participant: (roomId, memberId) => {
      const r = q.participant.get(roomId, memberId) as Row | undefined;
      return r ? toParticipant(r) : null;
    },
    participantByRef: (roomId, ref) => {
      const r = q.participantByRef.get(roomId, ref) as Row | undefined;
      return r ? toParticipant(r) : null;
    },
    setMute: (roomId, memberId, until) => void (until === null ? q.delMute.run(roomId, memberId) : q.setMute.run(roomId, memberId, until)),
    muteOf: (roomId, memberId) => (q.muteOf.get(roomId, memberId) as number | undefined) ?? null,
    mutesOfRoom: (roomId, now) => (q.mutesOfRoom.all(roomId, now) as Row[]).map((r) => ({ memberId: r.member_id as string, nickname: r.nickname as string, ref: (r.ref as string | null) ?? null, until: Number(r.until) })),
    addStats: (roomId, s) => {
      q.addComments.run(roomId, s.comments);
      for (const k of s.viewerKeys) q.addViewer.run(roomId, k);
      q.nodeViewers.run(roomId, s.nodeId, s.viewersNow, s.at);
      return { comments: q.comments.get(roomId) as number, viewers: q.viewers.get(roomId) as number, viewersNow: q.viewersNow.get(roomId, s.freshSince) as number };
    },
    stats: (roomId) => ({ comments: (q.comments.get(roomId) as number | undefined) ?? 0, viewers: q.viewers.get(roomId) as number }),
    addReferral: (r) => void q.addReferral.run(r.holdId ?? r.expectedId, r.roomId, r.storeId, r.memberId, r.holdId, r.expectedId, r.at),
    referralsOfRoom: (roomId) => (q.referrals.all(roomId) as Row[]).map(referralFromRow),
  };
}
