// Desk cache migration 015 (live rooms, 6/8): its tables, that data written at step 14 survives it,
// and what the tables are read for — the room list order, the console's queue, reservations newest
// first, a lifted mute leaving, erasure (the member's questions, reservations, mutes) and retention
// (rooms ended before the cutoff, with their parts).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { LiveQueries } from '../../electron/desk/live/liveQueries.ts';
import type { LiveReservation } from '../../shared/deskLive.ts';
import type { LivePoll, LiveQuestion, LiveRoom } from '../../shared/live.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig15-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const actor = { deviceId: 'd1', deviceName: 'Counter 1' };
const room = (id: string, over: Partial<LiveRoom> = {}): LiveRoom => ({
  id,
  storeId: 'a',
  title: `Room ${id}`,
  description: '',
  streamUrl: 'https://video.example/s',
  scheduledAt: 10_000,
  state: 'scheduled',
  startedAt: null,
  endedAt: null,
  createdAt: 1_000,
  createdBy: actor,
  slowModeSec: 0,
  pinnedMessage: null,
  pinnedStyleId: null,
  peakViewers: 0,
  ...over,
});
const question = (id: string, n: number, memberId: string, roomId = 'r1'): LiveQuestion => ({
  id,
  roomId,
  n,
  memberId,
  nickname: `nick${n}`,
  text: `question ${n}`,
  askedAt: 2_000 + n,
  status: 'open',
  onAir: false,
  answer: null,
  answeredAt: null,
  answeredBy: null,
});
const poll = (id: string, roomId = 'r1'): LivePoll => ({ id, roomId, question: 'Colour?', options: ['red', 'blue'], state: 'open', openedAt: 3_000, closedAt: null, counts: [0, 0], voters: 0 });
const reservation = (holdId: string, memberId: string, at: number, roomId = 'r1'): LiveReservation => ({
  roomId,
  storeName: 'Jing’an',
  expected: null,
  hold: {
    id: holdId,
    storeId: 'a',
    member: { id: memberId, name: '王芳', tier: 'gold' },
    styleId: 's1',
    styleName: 'Cloud Runner',
    color: 'BLK',
    colorName: 'Black',
    size: 38,
    placedAt: at,
    until: at + 86_400_000,
    by: actor,
    status: 'active',
    endedAt: null,
    endedBy: null,
    requestId: null,
  },
});

describe('desk cache migration 015 (live rooms)', () => {
  it('adds the live tables and keeps step-14 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 14 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    // Code that runs on an older cache finds no table and does nothing.
    new LiveQueries(db).wipe();
    expect(deleteMemberData(db, 'm1')).toBe(0);
    expect(migrate(db, { target: 15 })).toBe(15);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'live_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(['live_lotteries', 'live_mutes', 'live_polls', 'live_questions', 'live_reservations', 'live_rooms']);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    db.close();
  });

  it('lists rooms live-first, keeps the queue in order, and erasure and retention drop the right rows', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const q = new LiveQueries(db);
    q.putRoom(room('r1', { state: 'live', startedAt: 9_000 }));
    q.putRoom(room('r2', { scheduledAt: 50_000 }));
    q.putRoom(room('r3', { scheduledAt: 20_000 }));
    q.putRoom(room('r4', { state: 'ended', endedAt: 500 }));
    q.putRoom(room('r5', { state: 'ended', endedAt: 5_000 }));
    expect(q.rooms().map((r) => r.id)).toEqual(['r1', 'r3', 'r2', 'r5', 'r4']);
    q.putQuestion(question('q2', 2, 'm2'));
    q.putQuestion(question('q1', 1, 'm1'));
    q.putQuestion({ ...question('q1', 1, 'm1'), status: 'answered', onAir: true });
    expect(q.questions('r1').map((x) => [x.id, x.status])).toEqual([['q1', 'answered'], ['q2', 'open']]);
    q.putPoll(poll('p1'));
    q.putPoll(poll('p9', 'r4'));
    q.putReservation(reservation('h1', 'm1', 4_000));
    q.putReservation(reservation('h2', 'm2', 6_000));
    expect(q.reservations('r1').map((r) => r.hold.id)).toEqual(['h2', 'h1']);
    q.putMute({ roomId: 'r1', memberId: 'm1', nickname: 'nick1', until: 90_000 });
    q.putMute({ roomId: 'r1', memberId: 'm2', nickname: 'nick2', until: 90_000 });
    q.putMute({ roomId: 'r1', memberId: 'm2', nickname: 'nick2', until: null });
    expect(q.mutes('r1').map((m) => m.memberId)).toEqual(['m1']);
    // Erasure: the member's questions, reservations and mutes go.
    deleteMemberData(db, 'm1');
    expect(q.questions('r1').map((x) => x.id)).toEqual(['q2']);
    expect(q.reservations('r1').map((r) => r.hold.id)).toEqual(['h2']);
    expect(q.mutes('r1')).toEqual([]);
    // Retention: rooms ended before the cutoff go with their parts; live and scheduled ones stay.
    purgeOlderThan(db, 1_000, 'a');
    expect(q.rooms().map((r) => r.id)).toEqual(['r1', 'r3', 'r2', 'r5']);
    expect(q.getPoll('p9')).toBeNull();
    expect(q.getPoll('p1')?.id).toBe('p1');
    q.wipe();
    expect(q.rooms()).toEqual([]);
    db.close();
  });
});
