// What a node holds of a live room (LiveRoomHere, hq/edge/ws/liveHub.ts), at its two edges.
//
// A room's peak when it ends between two of the nodes' stats flushes (liveHub, every 3 s): the
// viewers who were there when it ended count in the summary the manager reads right after. (A
// browser test once saw a peak of 0 for four viewers: the stream's last few seconds had not been
// flushed, and after the end nothing carried them.) On one HQ (the default adapter), then on two
// nodes on PostgreSQL + NATS, where each node reports its own viewers. And the room a node opens for
// its first viewer while the room goes live: read before the store's feed listened, the go-live
// reached it by neither, and the room stayed "not started" there (comments refused) until its next
// update; the node now reads the room again once its feed listens.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveSummary } from '../../shared/live.ts';
import type { EvFrame } from '../../shared/protocol.ts';
import { TestHq } from '../support/hq.ts';
import { LiveViewer } from '../support/liveViewer.ts';
import { MemberClient } from '../support/memberClient.ts';
import { liveHost, twoLiveNodes } from '../support/liveHost.ts';
import { waitFor } from '../support/waitFor.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A host desk of store-a with a clerk signed in, and a live room it made. */
async function liveRoom(t: TestHq, goLive = true) {
  const { desk, token, ok } = await liveHost(t, (close) => cleanups.push(close));
  const roomId = randomUUID();
  await ok('live.create', { roomId, title: '新品发布', streamUrl: 'https://live.example.com/x', scheduledAt: Date.now() });
  if (goLive) await ok('live.state', { roomId, state: 'live' });
  /** The manager's summary, as the desk asks HQ for it. */
  const summary = async () => {
    const res = await fetch(`${t.url}/v1/desk/live/rooms/${roomId}/summary`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return LiveSummary.parse(await res.json());
  };
  return { roomId, desk, deskToken: token, goLive: () => ok('live.state', { roomId, state: 'live' }), end: () => ok('live.state', { roomId, state: 'ended' }), summary };
}

async function join(url: string, roomId: string, token?: string): Promise<LiveViewer> {
  const v = await LiveViewer.join(url, roomId, token);
  cleanups.push(async () => v.close());
  return v;
}

const memberToken = async (t: TestHq, storeId: string, memberId: string) => (await MemberClient.viaIntegration(t.url, t.hq.integrationKey, storeId, memberId)).session.token;
const sawEnd = (v: LiveViewer) => v.frames.some((f) => f.t === 'room' && f.room.state === 'ended');

describe('the peak of a room that ends between stats flushes', () => {
  it('one HQ: four viewers who joined after the last flush count in the summary read right after the end', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const room = await liveRoom(t);
    const tokens = [await memberToken(t, 'store-a', 'm1'), await memberToken(t, 'store-a', 'm2'), await memberToken(t, 'store-b', 'm3')];
    // The host console (never counted) and a first viewer; the node's next flush carries that one
    // (peak 1, announced to the room). From then on the next flush is 3 s away.
    await join(t.url, room.roomId, room.deskToken);
    const first = await join(t.url, room.roomId, tokens[0]);
    await waitFor(() => first.frames.some((f) => f.t === 'room' && f.room.peakViewers === 1), 8000, 'a stats flush with the first viewer');
    // Three more join and the room ends at once, long before that next flush.
    const others = [await join(t.url, room.roomId, tokens[1]), await join(t.url, room.roomId, tokens[2]), await join(t.url, room.roomId)];
    await room.end();
    await waitFor(() => [first, ...others].every(sawEnd), 5000, 'the end at every viewer');
    // The node reported its four at the end: read at once on SQLite (one turn at a time); on
    // PostgreSQL that write and this read are two connections, so a moment is allowed — far less
    // than the 3 s after which a regular flush would hide a missing one.
    await expect.poll(async () => (await room.summary()).peakViewers, { timeout: 1000, interval: 50 }).toBe(4);
    expect(await room.summary()).toMatchObject({ state: 'ended', viewers: 4 });
  }, 30_000);

  it('two nodes (PostgreSQL + NATS): each node reports its own viewers at the end; the peak is their sum', async () => {
    const { t, node2 } = await twoLiveNodes((close) => cleanups.push(close));
    const room = await liveRoom(t);
    const tokens = [await memberToken(t, 'store-a', 'm1'), await memberToken(t, 'store-a', 'm2'), await memberToken(t, 'store-b', 'm3')];
    await join(t.url, room.roomId, room.deskToken);
    // Two viewers on each node, then the end right away (the desk is on node 1): whichever node's
    // flush ran last before, neither has had a chance to report these four.
    const viewers = [await join(t.url, room.roomId, tokens[0]), await join(t.url, room.roomId), await join(node2.url, room.roomId, tokens[1]), await join(node2.url, room.roomId, tokens[2])];
    await room.end();
    await waitFor(() => viewers.every(sawEnd), 10_000, 'the end at every viewer on both nodes');
    await expect.poll(async () => (await room.summary()).peakViewers, { timeout: 1000, interval: 50 }).toBe(4);
  }, 60_000);
});

describe('a room opened on a node as it goes live', () => {
  it('the first viewer of a node joining while the go-live commits: the room is live there, comments taken', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const room = await liveRoom(t, false); // scheduled; the host desk keeps store-a's feed open on this node
    const token = await memberToken(t, 'store-a', 'm1');
    // The race, made certain: the node reads the room (still scheduled) for the viewer's hello, and
    // the go-live commits — and reaches the store's feed here — before the room listens to that feed.
    const live = t.hq.live;
    const read = live.room.bind(live);
    let raced = false;
    live.room = async (roomId) => {
      const found = await read(roomId);
      if (!raced && roomId === room.roomId) {
        raced = true;
        expect(found!.room.state).toBe('scheduled');
        await room.goLive();
        // Delivered to the desk: this node's feed of store-a is past the go-live.
        const wentLive = (e: EvFrame) => e.type === 'live.updated' && (e.data as { room: { id: string; state: string } }).room.state === 'live';
        await waitFor(() => room.desk.events.some(wentLive), 5000, 'the go-live at the desk');
      }
      return found;
    };
    const viewer = await join(t.url, room.roomId, token);
    expect(raced).toBe(true);
    const welcome = viewer.frames.find((f) => f.t === 'welcome')!;
    expect(welcome.t === 'welcome' && welcome.room.state).toBe('live');
    viewer.send({ t: 'comment', clientId: 'c-race-00001', text: '开始了！' });
    const other = await join(t.url, room.roomId); // a reader, to see the comment go out
    await waitFor(() => other.comments().some((c) => c.text === '开始了！') || viewer.frames.some((f) => f.t === 'refused'), 8000, 'the comment or its refusal');
    expect(viewer.frames.filter((f) => f.t === 'refused')).toEqual([]);
    expect(other.comments().map((c) => c.text)).toContain('开始了！');
  }, 30_000);
});
