// The live-room part of the store port (`tx.live`, HQ migration 16), one suite on both adapters (a
// SQLite file and a fresh PostgreSQL schema): what hq/app/live/ relies on — rooms kept whole with
// their salt, the lists by state, questions unique by (room, member, clientId) and numbered, poll
// counts counted from votes (a later vote replaces), lotteries whose winners read back from their
// eligible rows, participants by flag and by ref, mutes (one, and a room's in force), the counters,
// referrals, and member erasure — must
// come out the same on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { storedMember } from '../support/builders.ts';
import { type LiveLottery, type LivePoll, type LiveQuestion, type LiveRoom } from '../../shared/live.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-live-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  { name: 'postgres', open: async () => freshPgStore({ poolSize: 2 }).then(({ store, cleanup }) => ({ store, close: cleanup })) },
];

const room = (id: string, over: Partial<LiveRoom> = {}): LiveRoom => ({
  id,
  storeId: 'a',
  title: '春季新品发布',
  description: '',
  streamUrl: 'https://live.example.com/r/1',
  scheduledAt: 5_000,
  state: 'scheduled',
  startedAt: null,
  endedAt: null,
  createdAt: 1_000,
  createdBy: { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'ann', clerkName: 'Ann' },
  slowModeSec: 0,
  pinnedMessage: null,
  pinnedStyleId: null,
  peakViewers: 0,
  ...over,
});
const question = (id: string, n: number, memberId: string, over: Partial<LiveQuestion> = {}): LiveQuestion => ({
  id,
  roomId: 'r1',
  n,
  memberId,
  nickname: `nick-${memberId}`,
  text: '有 38 码吗？',
  askedAt: 2_000 + n,
  status: 'open',
  onAir: false,
  answer: null,
  answeredAt: null,
  answeredBy: null,
  ...over,
});
const poll = (id: string, over: Partial<LivePoll> = {}): LivePoll => ({
  id,
  roomId: 'r1',
  question: 'Which colour?',
  options: ['black', 'white', 'red'],
  state: 'open',
  openedAt: 3_000,
  closedAt: null,
  counts: [0, 0, 0],
  voters: 0,
  ...over,
});
const member = storedMember;
const p = (memberId: string, ref: string) => ({ memberId, ref, nickname: `nick-${memberId}` });

for (const adapter of ADAPTERS) {
  describe(`live storage on ${adapter.name}`, () => {
    it('keeps rooms whole with their salt, and lists a store’s and the chain’s by state', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.live.putRoom(room('r1'), 'salt-1');
          await tx.live.putRoom(room('r2', { storeId: 'b', createdAt: 2_000, state: 'live', startedAt: 2_500 }), 'salt-2');
          await tx.live.putRoom(room('r3', { createdAt: 3_000, state: 'ended', endedAt: 4_000 }), 'salt-3');
        });
        // A replace keeps the salt it was created with.
        await store.withTx((tx) => tx.live.putRoom(room('r1', { state: 'live', startedAt: 6_000, peakViewers: 12 }), ''));
        await store.read(async (r) => {
          expect(await r.live.getRoom('r1')).toEqual(room('r1', { state: 'live', startedAt: 6_000, peakViewers: 12 }));
          expect(await r.live.getRoom('nope')).toBeNull();
          expect(await r.live.roomSalt('r1')).toBe('salt-1');
          expect(await r.live.roomSalt('nope')).toBeNull();
          expect((await r.live.roomsOfStore('a', 4_000)).map((x) => x.id)).toEqual(['r3', 'r1']);
          expect((await r.live.roomsOfStore('a', 4_001)).map((x) => x.id)).toEqual(['r1']);
          expect((await r.live.chainRooms(0, 10)).map((x) => x.id)).toEqual(['r3', 'r2', 'r1']);
          expect((await r.live.chainRooms(5_000, 1)).map((x) => x.id)).toEqual(['r2']);
        });
      } finally {
        await close();
      }
    });

    it('numbers questions, finds a resend by clientId and refuses a duplicate; counts votes with replacement', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.live.putRoom(room('r1'), 'salt');
          expect(await tx.live.lastQuestionN('r1')).toBe(0);
          await tx.live.insertQuestion(question('q1', 1, 'm1'), 'client-0001');
          await tx.live.insertQuestion(question('q2', 2, 'm2'), 'client-0001');
          expect(await tx.live.lastQuestionN('r1')).toBe(2);
        });
        await expect(store.withTx((tx) => tx.live.insertQuestion(question('q3', 3, 'm1'), 'client-0001'))).rejects.toThrow();
        await expect(store.withTx((tx) => tx.live.insertQuestion(question('q3', 2, 'm3'), 'client-0003'))).rejects.toThrow();
        const answered = question('q1', 1, 'm1', { status: 'answered', answer: '有', answeredAt: 9_000, answeredBy: { deviceId: 'd1', deviceName: 'C1' } });
        await store.withTx((tx) => tx.live.updateQuestion(answered));
        await store.read(async (r) => {
          expect(await r.live.getQuestion('q1')).toEqual(answered);
          expect((await r.live.questionByClientId('r1', 'm1', 'client-0001'))?.id).toBe('q1');
          expect(await r.live.questionByClientId('r1', 'm3', 'client-0001')).toBeNull();
          expect((await r.live.questionsOfRoom('r1')).map((q) => q.n)).toEqual([1, 2]);
        });

        await store.withTx(async (tx) => {
          await tx.live.putPoll(poll('p1', { counts: [99, 99, 99], voters: 7 })); // counts given are ignored
          await tx.live.putVote('p1', 'm1', 0, 3_100);
          await tx.live.putVote('p1', 'm2', 0, 3_200);
          await tx.live.putVote('p1', 'm1', 2, 3_300); // m1 changes their mind
        });
        await store.read(async (r) => {
          expect(await r.live.getPoll('p1')).toEqual(poll('p1', { counts: [1, 0, 1], voters: 2 }));
          expect(await r.live.pollVoters('p1')).toEqual(['m1', 'm2']);
          expect((await r.live.pollsOfRoom('r1')).map((x) => x.voters)).toEqual([2]);
          expect(await r.live.getPoll('nope')).toBeNull();
        });
      } finally {
        await close();
      }
    });

    it('keeps participants by flag, lotteries with their eligible list, mutes, counters and referrals; erasure keeps the audit’s ref', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertMember(member('m1'));
          await tx.upsertMember(member('m2'));
          await tx.live.putRoom(room('r1', { state: 'live' }), 'salt');
          await tx.live.noteParticipant('r1', p('m1', 'aaaa000000000001'), 'joined', 1_000);
          await tx.live.noteParticipant('r1', p('m1', 'aaaa000000000001'), 'commented', 1_100);
          await tx.live.noteParticipant('r1', { ...p('m2', 'aaaa000000000002'), nickname: 'Bo' }, 'commented', 1_200);
          await tx.live.noteParticipant('r1', p('m2', 'aaaa000000000002'), 'asked', 1_300); // a new nickname replaces
          await tx.live.putVote('p1', 'm2', 1, 1_400);
        });
        await store.read(async (r) => {
          expect(await r.live.participants('r1', 'commented')).toEqual([p('m1', 'aaaa000000000001'), p('m2', 'aaaa000000000002')]);
          expect(await r.live.participants('r1', 'joined')).toEqual([p('m1', 'aaaa000000000001')]);
          expect(await r.live.participants('r1', 'voted')).toEqual([]);
          expect(await r.live.participant('r1', 'm2')).toEqual(p('m2', 'aaaa000000000002'));
          expect(await r.live.participant('r1', 'm9')).toBeNull();
          // By ref (a mute from a comment): this room's participants only.
          expect(await r.live.participantByRef('r1', 'aaaa000000000002')).toEqual(p('m2', 'aaaa000000000002'));
          expect(await r.live.participantByRef('r1', 'aaaa00000000000f')).toBeNull();
          expect(await r.live.participantByRef('r2', 'aaaa000000000002')).toBeNull();
        });
        const lottery: LiveLottery = {
          id: 'l1',
          roomId: 'r1',
          prize: 'A pair of socks',
          eligibility: 'commented',
          pollId: null,
          winnersWanted: 1,
          eligibleCount: 2,
          eligibleDigest: 'd'.repeat(64),
          seed: 'e'.repeat(64),
          algorithm: 'sha256-rank-v1',
          winners: [{ ref: 'aaaa000000000002', nickname: 'nick-m2' }],
          drawnAt: 5_000,
          by: { deviceId: 'd1', deviceName: 'C1', clerkId: 'ann', clerkName: 'Ann' },
        };
        await store.withTx(async (tx) => {
          await tx.live.insertLottery(lottery, [
            { ...p('m1', 'aaaa000000000001'), rank: null },
            { ...p('m2', 'aaaa000000000002'), rank: 0 },
          ]);
          await tx.live.setMute('r1', 'm1', 9_000);
          await tx.live.setMute('r1', 'm2', 9_000);
          await tx.live.setMute('r1', 'm2', null);
          await tx.live.setMute('r1', 'm3', 12_000); // no participant row: nickname '' and no ref
          await tx.live.setMute('r1', 'm4', 4_000); // over by 5_000
          await tx.live.setMute('r2', 'm1', 20_000); // another room
          await tx.live.insertQuestion(question('q1', 1, 'm2', { roomId: 'r1' }), 'client-0001');
          await tx.live.addReferral({ roomId: 'r1', storeId: 'b', memberId: 'm2', holdId: 'h1', expectedId: 'e1', at: 6_000 });
          await tx.live.addReferral({ roomId: 'r1', storeId: 'b', memberId: 'm2', holdId: 'h1', expectedId: 'e1', at: 6_000 }); // again: one
          await tx.live.addReferral({ roomId: 'r1', storeId: 'a', memberId: 'm1', holdId: null, expectedId: 'e2', at: 7_000 });
        });
        await store.read(async (r) => {
          expect(await r.live.getLottery('l1')).toEqual(lottery);
          expect(await r.live.lotteriesOfRoom('r1')).toEqual([lottery]);
          expect(await r.live.lotteryEligible('l1')).toEqual([
            { ref: 'aaaa000000000001', nickname: 'nick-m1' },
            { ref: 'aaaa000000000002', nickname: 'nick-m2' },
          ]);
          expect(await r.live.lotteryWinnerIds('l1')).toEqual(['m2']);
          expect(await r.live.muteOf('r1', 'm1')).toBe(9_000);
          expect(await r.live.muteOf('r1', 'm2')).toBeNull();
          // The room's mutes in force at 5_000, longest first, with nickname and ref where known.
          expect(await r.live.mutesOfRoom('r1', 5_000)).toEqual([
            { memberId: 'm3', nickname: '', ref: null, until: 12_000 },
            { memberId: 'm1', nickname: 'nick-m1', ref: 'aaaa000000000001', until: 9_000 },
          ]);
          expect(await r.live.mutesOfRoom('r1', 9_000)).toEqual([{ memberId: 'm3', nickname: '', ref: null, until: 12_000 }]);
          expect((await r.live.referralsOfRoom('r1')).map((x) => [x.storeId, x.holdId, x.expectedId])).toEqual([
            ['b', 'h1', 'e1'],
            ['a', null, 'e2'],
          ]);
        });
        // Counters: comments add up, viewer keys are distinct, viewers now sums the fresh nodes.
        const a = await store.withTx((tx) => tx.live.addStats('r1', { comments: 5, viewerKeys: ['k1', 'k2'], nodeId: 'n1', viewersNow: 2, at: 10_000, freshSince: 0 }));
        expect(a).toEqual({ comments: 5, viewers: 2, viewersNow: 2 });
        const b = await store.withTx((tx) => tx.live.addStats('r1', { comments: 3, viewerKeys: ['k2', 'k3'], nodeId: 'n2', viewersNow: 4, at: 20_000, freshSince: 0 }));
        expect(b).toEqual({ comments: 8, viewers: 3, viewersNow: 6 });
        const c = await store.withTx((tx) => tx.live.addStats('r1', { comments: 0, viewerKeys: [], nodeId: 'n2', viewersNow: 1, at: 30_000, freshSince: 15_000 }));
        expect(c).toEqual({ comments: 8, viewers: 3, viewersNow: 1 }); // n1 is stale
        expect(await store.read((r) => r.live.stats('r1'))).toEqual({ comments: 8, viewers: 3 });
        expect(await store.read((r) => r.live.stats('nope'))).toEqual({ comments: 0, viewers: 0 });

        // Erasing m2 (a winner): their question, vote, participation, referrals go; the audit keeps the ref as 'erased'.
        expect(await store.withTx((tx) => tx.deleteMember('m2'))).toBe(true);
        await store.read(async (r) => {
          expect(await r.live.getQuestion('q1')).toBeNull();
          expect(await r.live.pollVoters('p1')).toEqual([]);
          expect(await r.live.participant('r1', 'm2')).toBeNull();
          expect(await r.live.lotteryEligible('l1')).toEqual([
            { ref: 'aaaa000000000001', nickname: 'nick-m1' },
            { ref: 'aaaa000000000002', nickname: 'erased' },
          ]);
          expect((await r.live.getLottery('l1'))?.winners).toEqual([{ ref: 'aaaa000000000002', nickname: 'erased' }]);
          expect(await r.live.lotteryWinnerIds('l1')).toEqual([]);
          expect((await r.live.referralsOfRoom('r1')).map((x) => x.memberId)).toEqual(['m1']);
          expect(await r.live.muteOf('r1', 'm1')).toBe(9_000);
          expect(await r.live.participantByRef('r1', 'aaaa000000000002')).toBeNull();
        });
        expect(await store.withTx((tx) => tx.deleteMember('m1'))).toBe(true);
        expect(await store.read((r) => r.live.muteOf('r1', 'm1'))).toBeNull();
      } finally {
        await close();
      }
    });
  });
}
