// Live events into the cache (called by sync.ts `applyEvent`, inside its transaction). Each event
// carries its record whole, so applying the log in order leaves the newest state; the event naming
// this desk's op settles it (a refusal stays shown until the clerk dismisses it, as for groups).
import type { EvFrame, Snapshot } from '../../../shared/protocol.ts';
import type { CacheQueries } from '../cache/queries.ts';

export type LiveEvent = Extract<EvFrame, { type: 'live.updated' | 'live.question' | 'live.poll' | 'live.lottery' | 'live.muted' | 'live.reserved' }>;

/** Applies one live event; answers the room it changed and the op it settles (this desk's), if any. */
export function applyLiveEvent(q: CacheQueries, ev: LiveEvent): { roomId: string; settledOpId: string | null; reserved: boolean } {
  let roomId: string;
  let opId: string | null = null;
  switch (ev.type) {
    case 'live.updated': {
      // peakViewers only grows: an older event replayed after a newer one must not lower it.
      const known = q.live.getRoom(ev.data.room.id);
      const r = ev.data.room;
      q.live.putRoom(known && known.peakViewers > r.peakViewers ? { ...r, peakViewers: known.peakViewers } : r);
      roomId = r.id;
      opId = ev.data.opId;
      break;
    }
    case 'live.question':
      q.live.putQuestion(ev.data.question);
      roomId = ev.data.question.roomId;
      opId = ev.data.opId;
      break;
    case 'live.poll':
      q.live.putPoll(ev.data.poll);
      roomId = ev.data.poll.roomId;
      opId = ev.data.opId;
      break;
    case 'live.lottery':
      q.live.putLottery(ev.data.lottery);
      roomId = ev.data.lottery.roomId;
      opId = ev.data.opId;
      break;
    case 'live.muted':
      q.live.putMute({ roomId: ev.data.roomId, memberId: ev.data.memberId, nickname: ev.data.nickname, until: ev.data.until, ...(ev.data.ref ? { ref: ev.data.ref } : {}) });
      roomId = ev.data.roomId;
      opId = ev.data.opId;
      break;
    case 'live.reserved':
      q.live.putReservation({ roomId: ev.data.roomId, hold: ev.data.hold, storeName: ev.data.storeName, expected: ev.data.expected });
      roomId = ev.data.roomId;
      break;
  }
  const settledOpId = opId && q.deleteOp(opId) ? opId : null;
  return { roomId, settledOpId, reserved: ev.type === 'live.reserved' };
}

/**
 * The snapshot's live rooms (the tables were wiped with the rest of HQ's state), with the
 * reservations and mutes their events would have left, so a desk set up or reset after those
 * events shows them too.
 */
export function applyLiveSnapshot(q: CacheQueries, snap: Snapshot): void {
  for (const { room, questions, polls, lotteries, reservations, mutes } of snap.liveRooms ?? []) {
    q.live.putRoom(room);
    for (const x of questions) q.live.putQuestion(x);
    for (const p of polls) q.live.putPoll(p);
    for (const l of lotteries) q.live.putLottery(l);
    for (const r of reservations) q.live.putReservation(r);
    for (const m of mutes) q.live.putMute(m);
  }
}
