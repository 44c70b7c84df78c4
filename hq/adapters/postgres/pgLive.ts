// LiveOps on PostgreSQL (tables from migration 16), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/liveStorage.ts statement for statement (the invariants are there).
import { type LiveLottery, type LivePoll, type LiveQuestion, type LiveRoom } from '../../../shared/live.ts';
import { type LiveOps, type LiveReferral, type ParticipationFlag } from '../../ports/liveStore.ts';
import { type Exec, limitParam, type Row } from './pgOps.ts';

const parse = <T>(r: Row): T => JSON.parse(r.data as string) as T;
const FLAGS: readonly ParticipationFlag[] = ['commented', 'asked', 'voted', 'joined'];
/** The flag's column, from the fixed list only (it is spliced into SQL). */
const flagColumn = (f: ParticipationFlag): string => {
  if (!FLAGS.includes(f)) throw new Error(`unknown participation flag ${String(f)}`);
  return f;
};

const referralFromRow = (r: Row): LiveReferral => ({
  roomId: r.room_id as string,
  storeId: r.store_id as string,
  memberId: r.member_id as string,
  holdId: (r.hold_id as string | null) ?? null,
  expectedId: (r.expected_id as string | null) ?? null,
  at: Number(r.at),
});

export function createPgLiveOps(exec: Exec): LiveOps {
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;
  const one = async (text: string, values: unknown[]): Promise<Row | undefined> => (await exec(text, values)).rows[0];
  const withCounts = async (poll: LivePoll): Promise<LivePoll> => {
    const counts = poll.options.map(() => 0);
    let voters = 0;
    for (const r of await all('SELECT option, COUNT(*) AS n FROM live_votes WHERE poll_id = $1 GROUP BY option', [poll.id])) {
      const i = Number(r.option);
      if (i >= 0 && i < counts.length) counts[i] = Number(r.n);
      voters += Number(r.n);
    }
    return { ...poll, counts, voters };
  };
  const withWinners = async (l: LiveLottery): Promise<LiveLottery> => ({
    ...l,
    winners: (await all('SELECT ref, nickname FROM live_lottery_eligible WHERE lottery_id = $1 AND rank IS NOT NULL ORDER BY rank', [l.id])).map((r) => ({
      ref: r.ref as string,
      nickname: r.nickname as string,
    })),
  });
  const toParticipant = (r: Row) => ({ memberId: r.member_id as string, ref: r.ref as string, nickname: r.nickname as string });
  const ops: LiveOps = {
    getRoom: async (id) => (await all('SELECT data FROM live_rooms WHERE id = $1', [id])).map((r) => parse<LiveRoom>(r))[0] ?? null,
    putRoom: async (room, salt) => {
      await exec(
        `INSERT INTO live_rooms (id, store_id, state, ended_at, created_at, salt, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, ended_at = EXCLUDED.ended_at, data = EXCLUDED.data`,
        [room.id, room.storeId, room.state, room.endedAt, room.createdAt, salt, JSON.stringify(room)],
      );
    },
    roomSalt: async (roomId) => ((await one('SELECT salt FROM live_rooms WHERE id = $1', [roomId]))?.salt as string | undefined) ?? null,
    roomsOfStore: async (storeId, endedSince) =>
      (await all("SELECT data FROM live_rooms WHERE store_id = $1 AND (state <> 'ended' OR ended_at >= $2) ORDER BY created_at DESC, id DESC", [storeId, endedSince])).map((r) =>
        parse<LiveRoom>(r),
      ),
    chainRooms: async (endedSince, limit) =>
      (await all("SELECT data FROM live_rooms WHERE state <> 'ended' OR ended_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2", [endedSince, limitParam(limit)])).map((r) =>
        parse<LiveRoom>(r),
      ),
    getQuestion: async (id) => (await all('SELECT data FROM live_questions WHERE id = $1', [id])).map((r) => parse<LiveQuestion>(r))[0] ?? null,
    questionByClientId: async (roomId, memberId, clientId) =>
      (await all('SELECT data FROM live_questions WHERE room_id = $1 AND member_id = $2 AND client_id = $3', [roomId, memberId, clientId])).map((r) => parse<LiveQuestion>(r))[0] ?? null,
    lastQuestionN: async (roomId) => Number((await one('SELECT COALESCE(MAX(n), 0) AS n FROM live_questions WHERE room_id = $1', [roomId]))?.n ?? 0),
    insertQuestion: async (x, clientId) => {
      await exec('INSERT INTO live_questions (id, room_id, n, member_id, client_id, data) VALUES ($1, $2, $3, $4, $5, $6)', [x.id, x.roomId, x.n, x.memberId, clientId, JSON.stringify(x)]);
    },
    updateQuestion: async (x) => {
      await exec('UPDATE live_questions SET data = $1 WHERE id = $2', [JSON.stringify(x), x.id]);
    },
    questionsOfRoom: async (roomId) => (await all('SELECT data FROM live_questions WHERE room_id = $1 ORDER BY n', [roomId])).map((r) => parse<LiveQuestion>(r)),
    putPoll: async (p) => {
      await exec('INSERT INTO live_polls (id, room_id, opened_at, data) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [
        p.id,
        p.roomId,
        p.openedAt,
        JSON.stringify({ ...p, counts: [], voters: 0 }),
      ]);
    },
    getPoll: async (id) => {
      const r = await one('SELECT data FROM live_polls WHERE id = $1', [id]);
      return r ? withCounts(parse<LivePoll>(r)) : null;
    },
    pollsOfRoom: async (roomId) => Promise.all((await all('SELECT data FROM live_polls WHERE room_id = $1 ORDER BY opened_at, id', [roomId])).map((r) => withCounts(parse<LivePoll>(r)))),
    putVote: async (pollId, memberId, option, at) => {
      await exec(
        'INSERT INTO live_votes (poll_id, member_id, option, at) VALUES ($1, $2, $3, $4) ON CONFLICT (poll_id, member_id) DO UPDATE SET option = EXCLUDED.option, at = EXCLUDED.at',
        [pollId, memberId, option, at],
      );
    },
    pollVoters: async (pollId) => (await all('SELECT member_id FROM live_votes WHERE poll_id = $1 ORDER BY member_id', [pollId])).map((r) => r.member_id as string),
    insertLottery: async (l, eligible) => {
      await exec('INSERT INTO live_lotteries (id, room_id, drawn_at, data) VALUES ($1, $2, $3, $4)', [l.id, l.roomId, l.drawnAt, JSON.stringify({ ...l, winners: [] })]);
      // One statement for the whole list (a big room's list has thousands of rows).
      if (eligible.length) {
        await exec(
          `INSERT INTO live_lottery_eligible (lottery_id, ref, member_id, nickname, rank)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])`,
          [l.id, eligible.map((e) => e.ref), eligible.map((e) => e.memberId), eligible.map((e) => e.nickname), eligible.map((e) => e.rank)],
        );
      }
    },
    getLottery: async (id) => {
      const r = await one('SELECT data FROM live_lotteries WHERE id = $1', [id]);
      return r ? withWinners(parse<LiveLottery>(r)) : null;
    },
    lotteriesOfRoom: async (roomId) =>
      Promise.all((await all('SELECT data FROM live_lotteries WHERE room_id = $1 ORDER BY drawn_at, id', [roomId])).map((r) => withWinners(parse<LiveLottery>(r)))),
    lotteryEligible: async (lotteryId) =>
      (await all('SELECT ref, nickname FROM live_lottery_eligible WHERE lottery_id = $1 ORDER BY ref', [lotteryId])).map((r) => ({ ref: r.ref as string, nickname: r.nickname as string })),
    lotteryWinnerIds: async (lotteryId) =>
      (await all('SELECT member_id FROM live_lottery_eligible WHERE lottery_id = $1 AND rank IS NOT NULL AND member_id IS NOT NULL ORDER BY rank', [lotteryId])).map((r) => r.member_id as string),
    noteParticipant: async (roomId, p, flag, at) => {
      const f = flagColumn(flag);
      await exec(
        `INSERT INTO live_participants (room_id, member_id, ref, nickname, ${f}, first_at) VALUES ($1, $2, $3, $4, 1, $5)
         ON CONFLICT (room_id, member_id) DO UPDATE SET nickname = EXCLUDED.nickname, ${f} = 1`,
        [roomId, p.memberId, p.ref, p.nickname, at],
      );
    },
    participants: async (roomId, flag) => (await all(`SELECT member_id, ref, nickname FROM live_participants WHERE room_id = $1 AND ${flagColumn(flag)} = 1 ORDER BY ref`, [roomId])).map(toParticipant),
    participant: async (roomId, memberId) => (await all('SELECT member_id, ref, nickname FROM live_participants WHERE room_id = $1 AND member_id = $2', [roomId, memberId])).map(toParticipant)[0] ?? null,
    participantByRef: async (roomId, ref) => (await all('SELECT member_id, ref, nickname FROM live_participants WHERE room_id = $1 AND ref = $2', [roomId, ref])).map(toParticipant)[0] ?? null,
    setMute: async (roomId, memberId, until) => {
      if (until === null) await exec('DELETE FROM live_mutes WHERE room_id = $1 AND member_id = $2', [roomId, memberId]);
      else await exec('INSERT INTO live_mutes (room_id, member_id, until) VALUES ($1, $2, $3) ON CONFLICT (room_id, member_id) DO UPDATE SET until = EXCLUDED.until', [roomId, memberId, until]);
    },
    muteOf: async (roomId, memberId) => {
      const r = await one('SELECT until FROM live_mutes WHERE room_id = $1 AND member_id = $2', [roomId, memberId]);
      return r ? Number(r.until) : null;
    },
    mutesOfRoom: async (roomId, now) =>
      (
        await all(
          `SELECT m.member_id, m.until, COALESCE(p.nickname, '') AS nickname, p.ref FROM live_mutes m
           LEFT JOIN live_participants p ON p.room_id = m.room_id AND p.member_id = m.member_id
           WHERE m.room_id = $1 AND m.until > $2 ORDER BY m.until DESC, m.member_id`,
          [roomId, now],
        )
      ).map((r) => ({ memberId: r.member_id as string, nickname: r.nickname as string, ref: (r.ref as string | null) ?? null, until: Number(r.until) })),
    addStats: async (roomId, s) => {
      await exec('INSERT INTO live_stats (room_id, comments) VALUES ($1, $2) ON CONFLICT (room_id) DO UPDATE SET comments = live_stats.comments + EXCLUDED.comments', [roomId, s.comments]);
      if (s.viewerKeys.length) await exec('INSERT INTO live_viewers (room_id, key) SELECT $1, k FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING', [roomId, [...s.viewerKeys]]);
      await exec(
        'INSERT INTO live_node_viewers (room_id, node_id, viewers, at) VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, node_id) DO UPDATE SET viewers = EXCLUDED.viewers, at = EXCLUDED.at',
        [roomId, s.nodeId, s.viewersNow, s.at],
      );
      const st = await ops.stats(roomId);
      const now = await one('SELECT COALESCE(SUM(viewers), 0) AS n FROM live_node_viewers WHERE room_id = $1 AND at >= $2', [roomId, s.freshSince]);
      return { ...st, viewersNow: Number(now?.n ?? 0) };
    },
    stats: async (roomId) => {
      const c = await one('SELECT comments FROM live_stats WHERE room_id = $1', [roomId]);
      const v = await one('SELECT COUNT(*) AS n FROM live_viewers WHERE room_id = $1', [roomId]);
      return { comments: Number(c?.comments ?? 0), viewers: Number(v?.n ?? 0) };
    },
    addReferral: async (r) => {
      await exec('INSERT INTO live_referrals (id, room_id, store_id, member_id, hold_id, expected_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING', [r.holdId ?? r.expectedId, r.roomId, r.storeId, r.memberId, r.holdId, r.expectedId, r.at]);
    },
    referralsOfRoom: async (roomId) => (await all('SELECT room_id, store_id, member_id, hold_id, expected_id, at FROM live_referrals WHERE room_id = $1 ORDER BY at, id', [roomId])).map(referralFromRow),
  };
  return ops;
}
