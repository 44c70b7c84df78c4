// The pure parts of groups at HQ (hq/app/groups/rules.ts, the member views of memberSide.ts): the
// announcement cap's month in China time, invite tokens, a reply's quote, emptying a message, the
// host rule, and views that never carry a member id, a desk or the store's reach figures.
import { describe, expect, it } from 'vitest';
import { toMemberMessage, toMemberView } from '../../hq/app/groups/memberSide.ts';
import { capMonth, emptied, isHost, newInviteToken, replyRef, shanghaiMinute } from '../../hq/app/groups/rules.ts';
import { type Group, GroupInvite, type GroupMessage, MemberGroupMessage, MemberGroupView } from '../../shared/groups.ts';

const actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'ann', clerkName: 'Ann' };
const group: Group = {
  id: 'g1',
  storeId: 'store-a',
  scope: 'store',
  name: '跑步群',
  topic: '',
  notice: '',
  noticeAt: null,
  welcome: '',
  slowModeSec: 0,
  hosts: [{ clerkId: 'ann', clerkName: 'Ann' }],
  memberCount: 2,
  lastN: 3,
  lastAt: 1_000,
  storeReadN: 3,
  createdAt: 0,
  createdBy: actor,
  closedAt: null,
};
const message = (over: Partial<GroupMessage> = {}): GroupMessage => ({
  id: 'msg-1',
  groupId: 'g1',
  storeId: 'store-a',
  n: 1,
  clientId: 'c-1',
  from: 'member',
  memberId: 'm1',
  nickname: '小芳',
  by: null,
  kind: 'text',
  body: '有 38 码吗?',
  product: null,
  image: null,
  forMemberId: null,
  replyTo: null,
  reach: null,
  at: 1_000,
  recalledAt: null,
  deletedAt: null,
  deletedBy: null,
  ...over,
});

describe('group rules', () => {
  it('counts the cap by the calendar month in China time', () => {
    // 2026-01-31 16:30 UTC is 2026-02-01 00:30 in Shanghai.
    expect(capMonth(Date.UTC(2026, 0, 31, 16, 30))).toBe('2026-02');
    expect(capMonth(Date.UTC(2026, 0, 31, 15, 59))).toBe('2026-01');
    expect(capMonth(Date.UTC(2026, 11, 31, 16, 0))).toBe('2027-01');
    expect(shanghaiMinute(Date.UTC(2026, 0, 31, 16, 30))).toBe('2026-02-01 00:30');
  });

  it('makes unguessable url-safe invite tokens the schema takes', () => {
    const tokens = new Set(Array.from({ length: 200 }, newInviteToken));
    expect(tokens.size).toBe(200);
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(GroupInvite.shape.token.safeParse(t).success).toBe(true);
    }
  });

  it('quotes a message by its position, nickname and first 80 characters, and nothing of a removed one', () => {
    const long = '鞋'.repeat(100);
    expect(replyRef(message({ body: long }))).toEqual({ n: 1, nickname: '小芳', excerpt: '鞋'.repeat(80) });
    // Characters outside the BMP are not cut in half.
    expect(replyRef(message({ body: '👟'.repeat(50) })).excerpt).toBe('👟'.repeat(40));
    expect(replyRef(message({ recalledAt: 2_000 })).excerpt).toBe('');
    expect(replyRef(message({ kind: 'product', body: '', product: { styleId: 's1', name: 'Cloud', category: 'running', price: 1, colors: [], sizes: [], image: null } })).excerpt).toBe('Cloud');
  });

  it('empties a recalled or deleted message but keeps its place and sender', () => {
    const m = message({ replyTo: { n: 1, nickname: null, excerpt: 'x' }, image: { id: 'i', mime: 'image/png', bytes: 3 } });
    expect(emptied(m, { recalledAt: 5 })).toMatchObject({ n: 1, memberId: 'm1', body: '', image: null, replyTo: null, recalledAt: 5, deletedAt: null });
    expect(emptied(m, { deletedAt: 6, deletedBy: actor })).toMatchObject({ body: '', deletedAt: 6, deletedBy: actor, recalledAt: null });
  });

  it('the host rule: the signed-in clerk must be a host; a desk without a clerk never is', () => {
    expect(isHost(group, actor)).toBe(true);
    expect(isHost(group, { ...actor, clerkId: 'bo', clerkName: 'Bo' })).toBe(false);
    expect(isHost(group, { deviceId: 'd1', deviceName: 'Counter 1' })).toBe(false);
  });
});

describe('member views', () => {
  it('a message carries no member id, desk, addressee or reach; mine and forMe are the viewer’s', () => {
    const host = message({ from: 'host', memberId: null, nickname: null, by: actor, forMemberId: 'm1', reach: { pushed: 3, capped: 1 }, kind: 'announcement' });
    const seen = toMemberMessage(host, 'm1');
    expect(MemberGroupMessage.strict().parse(seen)).toMatchObject({ hostName: 'Ann', forMe: true, mine: false, reach: null });
    expect(JSON.stringify(seen)).not.toMatch(/"m1"|d1|Counter 1|memberId|deviceId/);
    expect(toMemberMessage(host, 'm2').forMe).toBe(false);
    // A renamed host shows by the name the group has now.
    expect(toMemberMessage(host, null, new Map([['ann', 'Ann L.']])).hostName).toBe('Ann L.');
    expect(toMemberMessage(message(), 'm1')).toMatchObject({ mine: true, nickname: '小芳', hostName: null });
    expect(toMemberMessage(message(), 'm2').mine).toBe(false);
    expect(toMemberMessage(message({ memberId: null, nickname: null }), null)).toMatchObject({ mine: false, nickname: null });
  });

  it('a group shows the viewer’s own membership only while it is active', () => {
    const me = { groupId: 'g1', memberId: 'm1', nickname: '小芳', status: 'active' as const, joinedAt: 0, inviteId: null, mutedUntil: null, readN: 2, endedAt: null };
    const view = MemberGroupView.strict().parse(toMemberView(group, 'Store A', me));
    expect(view).toMatchObject({ storeName: 'Store A', hostNames: ['Ann'], closed: false, me: { nickname: '小芳', readN: 2, notificationsOff: false } });
    expect(toMemberView(group, 'Store A', { ...me, status: 'left' }).me).toBeNull();
    expect(toMemberView({ ...group, closedAt: 9 }, 'Store A', null)).toMatchObject({ closed: true, me: null });
  });
});
