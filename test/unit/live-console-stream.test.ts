// The console's live state (renderer/src/live/liveStore.ts foldStream): the welcome's backlog, new
// batches without repeats, the DOM cap of the newest COMMENTS_SHOWN, deletions, reaction counts
// summed over windows, the viewer count and live poll counts.
import { describe, expect, it } from 'vitest';
import { COMMENTS_SHOWN, foldStream, type LiveStreamState } from '../../renderer/src/live/liveStore.ts';
import type { LiveComment, LivePoll } from '../../shared/live.ts';

const empty: LiveStreamState = { status: 'closed', viewers: null, comments: [], reactions: {}, polls: {}, refused: null };
const comment = (i: number): LiveComment => ({ id: `c${i}`, nickname: `n${i}`, text: `t${i}`, at: i, host: false });
const poll: LivePoll = { id: 'p1', roomId: 'r', question: 'Q', options: ['a', 'b'], state: 'open', openedAt: 1, closedAt: null, counts: [0, 0], voters: 0 };

describe('the console stream fold', () => {
  it('keeps the newest comments once each, capped, and applies deletions, reactions, viewers and polls', () => {
    let s = foldStream(empty, { roomId: 'r', kind: 'welcome', viewers: 3, comments: [comment(1), comment(2)], polls: [poll] });
    expect(s).toMatchObject({ status: 'open', viewers: 3 });
    expect(s.comments.map((c) => c.id)).toEqual(['c1', 'c2']);
    s = foldStream(s, { roomId: 'r', kind: 'comments', items: [comment(2), comment(3)] });
    expect(s.comments.map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
    s = foldStream(s, { roomId: 'r', kind: 'comments', items: Array.from({ length: COMMENTS_SHOWN + 10 }, (_, i) => comment(100 + i)) });
    expect(s.comments).toHaveLength(COMMENTS_SHOWN);
    expect(s.comments.at(-1)!.id).toBe(`c${100 + COMMENTS_SHOWN + 9}`);
    s = foldStream(s, { roomId: 'r', kind: 'deleted', ids: [`c${100 + COMMENTS_SHOWN + 9}`] });
    expect(s.comments.at(-1)!.id).toBe(`c${100 + COMMENTS_SHOWN + 8}`);
    s = foldStream(s, { roomId: 'r', kind: 'reactions', counts: { like: 2, fire: 0 } });
    s = foldStream(s, { roomId: 'r', kind: 'reactions', counts: { like: 1, clap: 4 } });
    expect(s.reactions).toEqual({ like: 3, fire: 0, clap: 4 });
    s = foldStream(s, { roomId: 'r', kind: 'viewers', n: 9 });
    s = foldStream(s, { roomId: 'r', kind: 'poll', poll: { ...poll, counts: [2, 1], voters: 3 } });
    expect(s.viewers).toBe(9);
    expect(s.polls.p1!.counts).toEqual([2, 1]);
    s = foldStream(s, { roomId: 'r', kind: 'status', status: 'down', error: 'closed 1006' });
    expect(s.status).toBe('down');
    expect(s.comments).toHaveLength(COMMENTS_SHOWN - 1); // a drop keeps what was shown
  });
});
