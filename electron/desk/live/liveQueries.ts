// The live tables of the desk cache (migration 015), reached as `q.live`. Everything here is HQ's,
// written by `live.*` events and snapshots only; what the clerk queued is laid over it by
// liveViews.ts, never written into these tables.
import type Database from 'better-sqlite3';
import type { LiveLottery, LivePoll, LiveQuestion, LiveRoom } from '../../../shared/live.ts';
import type { LiveMute, LiveReservation } from '../../../shared/deskLive.ts';
import { hasTable } from '../cache/migrate.ts';

const parse = <T>(rows: { json: string }[]): T[] => rows.map((r) => JSON.parse(r.json) as T);

export class LiveQueries {
  private prepared: ReturnType<LiveQueries['prepare']> | null = null;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no live tables yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      putRoom: db.prepare<[string, string, number, number | null, string]>(
        `INSERT INTO live_rooms (id, state, scheduled_at, ended_at, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, scheduled_at = excluded.scheduled_at, ended_at = excluded.ended_at, json = excluded.json`,
      ),
      getRoom: db.prepare<[string], { json: string }>('SELECT json FROM live_rooms WHERE id = ?'),
      // Live first, then the scheduled ones soonest first, then ended ones newest first.
      rooms: db.prepare<[], { json: string }>(
        `SELECT json FROM live_rooms ORDER BY CASE state WHEN 'live' THEN 0 WHEN 'scheduled' THEN 1 ELSE 2 END,
           CASE state WHEN 'ended' THEN -COALESCE(ended_at, scheduled_at) ELSE scheduled_at END, id`,
      ),
      putQuestion: db.prepare<[string, string, number, string, string, string]>(
        `INSERT INTO live_questions (id, room_id, n, member_id, status, json) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, json = excluded.json`,
      ),
      getQuestion: db.prepare<[string], { json: string }>('SELECT json FROM live_questions WHERE id = ?'),
      questions: db.prepare<[string], { json: string }>('SELECT json FROM live_questions WHERE room_id = ? ORDER BY n'),
      putPoll: db.prepare<[string, string, number, string]>('INSERT INTO live_polls (id, room_id, opened_at, json) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json'),
      getPoll: db.prepare<[string], { json: string }>('SELECT json FROM live_polls WHERE id = ?'),
      polls: db.prepare<[string], { json: string }>('SELECT json FROM live_polls WHERE room_id = ? ORDER BY opened_at, id'),
      putLottery: db.prepare<[string, string, number, string]>('INSERT INTO live_lotteries (id, room_id, drawn_at, json) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json'),
      lotteries: db.prepare<[string], { json: string }>('SELECT json FROM live_lotteries WHERE room_id = ? ORDER BY drawn_at, id'),
      putReservation: db.prepare<[string, string, string, number, string]>(
        'INSERT INTO live_reservations (hold_id, room_id, member_id, at, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hold_id) DO UPDATE SET json = excluded.json',
      ),
      reservations: db.prepare<[string], { json: string }>('SELECT json FROM live_reservations WHERE room_id = ? ORDER BY at DESC, hold_id'),
      putMute: db.prepare<[string, string, number | null, string]>(
        'INSERT INTO live_mutes (room_id, member_id, until, json) VALUES (?, ?, ?, ?) ON CONFLICT (room_id, member_id) DO UPDATE SET until = excluded.until, json = excluded.json',
      ),
      dropMute: db.prepare<[string, string]>('DELETE FROM live_mutes WHERE room_id = ? AND member_id = ?'),
      mutes: db.prepare<[string], { json: string }>('SELECT json FROM live_mutes WHERE room_id = ? ORDER BY until DESC'),
      wipe: ['live_rooms', 'live_questions', 'live_polls', 'live_lotteries', 'live_reservations', 'live_mutes'].map((t) => db.prepare(`DELETE FROM ${t}`)),
    };
  }

  putRoom(r: LiveRoom): void {
    this.s.putRoom.run(r.id, r.state, r.scheduledAt, r.endedAt, JSON.stringify(r));
  }
  getRoom(id: string): LiveRoom | null {
    const row = this.s.getRoom.get(id);
    return row ? (JSON.parse(row.json) as LiveRoom) : null;
  }
  rooms(): LiveRoom[] {
    return parse<LiveRoom>(this.s.rooms.all());
  }
  putQuestion(x: LiveQuestion): void {
    this.s.putQuestion.run(x.id, x.roomId, x.n, x.memberId, x.status, JSON.stringify(x));
  }
  getQuestion(id: string): LiveQuestion | null {
    const row = this.s.getQuestion.get(id);
    return row ? (JSON.parse(row.json) as LiveQuestion) : null;
  }
  questions(roomId: string): LiveQuestion[] {
    return parse<LiveQuestion>(this.s.questions.all(roomId));
  }
  putPoll(p: LivePoll): void {
    this.s.putPoll.run(p.id, p.roomId, p.openedAt, JSON.stringify(p));
  }
  getPoll(id: string): LivePoll | null {
    const row = this.s.getPoll.get(id);
    return row ? (JSON.parse(row.json) as LivePoll) : null;
  }
  polls(roomId: string): LivePoll[] {
    return parse<LivePoll>(this.s.polls.all(roomId));
  }
  putLottery(l: LiveLottery): void {
    this.s.putLottery.run(l.id, l.roomId, l.drawnAt, JSON.stringify(l));
  }
  lotteries(roomId: string): LiveLottery[] {
    return parse<LiveLottery>(this.s.lotteries.all(roomId));
  }
  putReservation(r: LiveReservation): void {
    this.s.putReservation.run(r.hold.id, r.roomId, r.hold.member.id, r.hold.placedAt, JSON.stringify(r));
  }
  /** Newest first. */
  reservations(roomId: string): LiveReservation[] {
    return parse<LiveReservation>(this.s.reservations.all(roomId));
  }
  /** A mute (until null: lifted, the row goes). */
  putMute(m: LiveMute): void {
    if (m.until === null) this.s.dropMute.run(m.roomId, m.memberId);
    else this.s.putMute.run(m.roomId, m.memberId, m.until, JSON.stringify(m));
  }
  mutes(roomId: string): LiveMute[] {
    return parse<LiveMute>(this.s.mutes.all(roomId));
  }
  wipe(): void {
    if (!hasLiveTables(this.db)) return;
    for (const st of this.s.wipe) st.run();
  }
}

/** Whether the cache has reached migration 015. */
export function hasLiveTables(db: Database.Database): boolean {
  return hasTable(db, 'live_rooms');
}

/** Erasure (`member.deleted`, cache/privacy.ts): the member's questions, reservations and mutes go (lottery winners name refs and nicknames, no member). */
export function deleteMemberLive(db: Database.Database, memberId: string): number {
  if (!hasLiveTables(db)) return 0;
  let n = 0;
  for (const t of ['live_questions', 'live_reservations', 'live_mutes']) n += db.prepare(`DELETE FROM ${t} WHERE member_id = ?`).run(memberId).changes;
  return n;
}

/** Retention (cache/privacy.ts): rooms ended before `cutoff`, with everything of theirs. */
export function purgeLiveBefore(db: Database.Database, cutoff: number): number {
  if (!hasLiveTables(db)) return 0;
  const old = "SELECT id FROM live_rooms WHERE state = 'ended' AND COALESCE(ended_at, scheduled_at) < ?";
  for (const t of ['live_questions', 'live_polls', 'live_lotteries', 'live_reservations', 'live_mutes']) db.prepare(`DELETE FROM ${t} WHERE room_id IN (${old})`).run(cutoff);
  return db.prepare(`DELETE FROM live_rooms WHERE id IN (${old})`).run(cutoff).changes;
}
