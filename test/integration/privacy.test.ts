// Privacy: a member erased at HQ leaves HQ and every desk cache (live desks by the member.deleted
// event, desks that were offline by a reset + snapshot, because the log entries carrying the
// member's data are trimmed); HQ never sends a full phone number; a desk purges old visits.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';
import { DeskCore } from '../../electron/desk/deskCore.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
});
afterEach(async () => {
  await t.dispose();
});

const del = (memberId: string, key = t.hq.integrationKey) =>
  fetch(`${t.url}/v1/ingest/members/${encodeURIComponent(memberId)}`, { method: 'DELETE', headers: { 'x-integration-key': key } });

describe('member deletion', () => {
  it('erases the member at HQ and from every desk cache, live or offline at the time', async () => {
    const live = await t.desk(STORE_A, 'Live counter');
    const offline = await t.desk(STORE_A, 'Offline counter');
    live.desk.start();
    offline.desk.start();
    const first = await t.arrival(STORE_A, 'm3');
    await waitFor(async () => (await offline.desk.getVisit(first.visitId)) !== null, 5000, 'arrival');
    await offline.desk.close(); // offline from before the member's data entered the log
    const { visitId } = await t.arrival(STORE_A, 'm1');
    await t.arrival(STORE_A, 'm5');
    await waitFor(async () => (await live.desk.getVisit(visitId)) !== null, 5000, 'arrival');

    expect((await del('m1', 'wrong')).status).toBe(401);
    const res = await del('m1');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ deleted: 'm1', stores: 2 });
    expect((await del('m1')).status).toBe(404);

    // HQ: gone from the snapshot and from every event it would still hand out, except the deletion.
    const auditor = await t.enroll(STORE_A, 'auditor');
    const snap = await t.snapshot(auditor.token);
    expect(JSON.stringify(snap)).not.toContain('"m1"');
    const head = snap.position.seq;
    expect(await t.hq.store.read((r) => r.getMember('m1'))).toBeNull();
    const retained = await t.hq.store.read((r) => r.readEvents(STORE_A, 0, 1000));
    expect(retained.filter((e) => e.data.includes('"m1"')).map((e) => e.type)).toEqual(['member.deleted']);
    expect((await t.hq.store.read((r) => r.readEvents(STORE_B, 0, 1000))).map((e) => e.type)).toContain('member.deleted');

    // The live desk applies member.deleted.
    await waitFor(async () => (await live.desk.getMember('m1')) === null && (await live.desk.getVisit(visitId)) === null, 5000, 'live desk erased m1');
    expect((await live.desk.searchMembers({ query: '张伟' })).length).toBe(0);
    await waitFor(() => live.desk.position.seq === head, 5000, 'live desk at head');

    // The desk that was offline: its resume point is inside the trimmed log → reset → snapshot.
    const back = DeskCore.open({ dbPath: offline.dbPath, hqUrls: [t.url], token: offline.token, ...FAST });
    t.desks.push(back);
    back.start();
    await waitFor(() => back.position.seq === head, 5000, 'offline desk caught up');
    expect(back.stats.resets).toBe(1);
    expect(await back.getMember('m1')).toBeNull();
    expect(await back.getVisit(visitId)).toBeNull();
    expect(await back.getMember('m3')).not.toBeNull();
  });
});

describe('member deletion in communities (5/8)', () => {
  it('erasure deletes the member’s memberships, group messages and push records; other members’ messages stay, quotes of the member lose them', async () => {
    const by = { deviceId: 'd-host', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' };
    const now = Date.now();
    const msg = { groupId: 'g1', storeId: STORE_A, by: null, kind: 'text' as const, product: null, image: null, forMemberId: null, replyTo: null, reach: null };
    const gone = { recalledAt: null, deletedAt: null, deletedBy: null };
    await t.hq.store.withTx(async (tx) => {
      await tx.groups.putGroup({
        ...{ id: 'g1', storeId: STORE_A, scope: 'chain', name: '跑团', topic: '', notice: '', noticeAt: null, welcome: '', slowModeSec: 0 },
        ...{ hosts: [{ clerkId: 'c1', clerkName: '李娜' }], memberCount: 0, lastN: 4, lastAt: now, storeReadN: 0, createdAt: now, createdBy: by, closedAt: null },
      });
      for (const memberId of ['m1', 'm3']) {
        await tx.groups.putMembership({ groupId: 'g1', memberId, nickname: `nick-${memberId}`, status: 'active', joinedAt: now, inviteId: null, mutedUntil: null, readN: 0, endedAt: null });
      }
      await tx.groups.insertMessage({ ...msg, ...gone, id: 'gm1', n: 1, clientId: 'c-0001', from: 'member', memberId: 'm1', nickname: 'nick-m1', body: '我的电话是…', at: now });
      await tx.groups.insertMessage({ ...msg, ...gone, id: 'gm2', n: 2, clientId: 'c-0001', from: 'member', memberId: 'm3', nickname: 'nick-m3', body: '周六见', at: now });
      await tx.groups.insertMessage({
        ...{ ...msg, ...gone, id: 'gm3', n: 3, clientId: 'c-0002', from: 'host', memberId: null, nickname: null, by, body: '好的' },
        ...{ forMemberId: 'm1', replyTo: { n: 1, nickname: 'nick-m1', excerpt: '我的电话是…' }, at: now },
      });
      await tx.groups.insertMessage({ ...msg, ...gone, id: 'gm4', n: 4, clientId: 'c-0003', from: 'host', memberId: null, nickname: null, by, kind: 'announcement', body: '新品', reach: { pushed: 2, capped: 0 }, at: now });
      await tx.groups.addPushes('gm4', ['m1', 'm3'], '2026-12');
    });

    expect((await del('m1')).status).toBe(200);

    const left = await t.hq.store.read(async (r) => ({
      group: await r.groups.getGroup('g1'),
      mine: await r.groups.membershipsOfMember('m1'),
      members: await r.groups.memberships('g1', ['active', 'left', 'removed'], 10),
      messages: await r.groups.messagesAfter('g1', 0, 10),
      pushed: await r.groups.pushedTo('gm4'),
      counts: [await r.groups.pushCount('m1', '2026-12'), await r.groups.pushCount('m3', '2026-12')],
    }));
    expect(left.mine).toEqual([]);
    expect(left.members.map((m) => m.memberId)).toEqual(['m3']);
    expect(left.group!.memberCount).toBe(1);
    expect(left.messages.map((m) => m.id)).toEqual(['gm2', 'gm3', 'gm4']);
    expect(left.messages[1]).toMatchObject({ forMemberId: null, replyTo: { n: 1, nickname: null, excerpt: '' }, body: '好的' });
    expect(left.pushed).toEqual(['m3']);
    expect(left.counts).toEqual([0, 1]);
    // Nothing of the member is left in what the groups store hands out.
    const text = JSON.stringify(left);
    for (const trace of ['"m1"', 'nick-m1', '我的电话是']) expect(text).not.toContain(trace);
  });
});

describe('member deletion from the command line', () => {
  const admin = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'hq/admin.ts', ...args, ...t.adminArgs]);

  it('hq:admin erase-member performs the HTTP route\'s erasure on the database file (HQ running)', async () => {
    const { visitId } = await t.arrival(STORE_A, 'm1');
    const { stdout } = await admin('erase-member', '--member', 'm1');
    expect(stdout).toMatch(/member m1 erased: member\.deleted in 2 stores, \d+ log entries trimmed/);
    expect(await t.hq.store.read((r) => r.getMember('m1'))).toBeNull();
    for (const store of [STORE_A, STORE_B]) {
      const left = (await t.hq.store.read((r) => r.readEvents(store, 0, 1000))).filter((e) => e.data.includes('"m1"'));
      expect(left.map((e) => e.type)).toEqual(['member.deleted']);
    }
    // A desk enrolled afterwards never sees the member; the running HQ appends after the CLI's event.
    const d = await t.desk(STORE_A, 'After erasure');
    d.desk.start();
    await t.arrival(STORE_A, 'm3');
    await waitFor(async () => (await d.desk.listVisits({ limit: 100 })).some((v) => v.memberId === 'm3'), 5000, 'desk live');
    expect(await d.desk.getMember('m1')).toBeNull();
    expect(await d.desk.getVisit(visitId)).toBeNull();
    // Unknown member: exit 1, as the route's 404.
    await expect(admin('erase-member', '--member', 'm1')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no member m1') });
  }, 30_000);
});

describe('phone numbers', () => {
  it('HQ never sends a full phone number to a desk (snapshot, events), only the masked form and last 4', async () => {
    const d = await t.desk(STORE_A, 'Counter');
    d.desk.start();
    for (const m of ['m1', 'm3', 'm5']) await t.arrival(STORE_A, m);
    await t.ingest('members', [{ id: 'm7', code: 'M0000007', name: '会员7', tier: 'gold', phone: '+86 138-0000-1007', homeStoreId: STORE_A, sizes: { eu: 42, cn: 260 } }]);
    const snap = JSON.stringify(await t.snapshot(d.token));
    const frames = JSON.stringify(await t.readLog(STORE_A));
    const full = /1380000\d{4}/;
    expect(snap).not.toMatch(full);
    expect(frames).not.toMatch(full);
    expect(snap).toContain('138****1001');
    await waitFor(async () => (await d.desk.getMember('m7')) !== null, 5000, 'member on desk');
    const m7 = await d.desk.getMember('m7');
    expect(m7!.member.phoneMasked).toBe('138****1007');
    expect(m7!.member.phoneLast4).toBe('1007');
  });
});

describe('retention', () => {
  it('the desk purges visits, notes and other stores’ members past the retention period, keeping unsettled work and home members', async () => {
    const d = await t.desk(STORE_A, 'Counter', { retentionDays: 30 });
    d.desk.start();
    const a = await t.arrival(STORE_A, 'm1'); // home member of A
    const b = await t.arrival(STORE_A, 'm2'); // home member of B, visiting A
    await waitFor(async () => (await d.desk.getVisit(b.visitId)) !== null, 5000, 'arrivals');
    await d.desk.stop();
    await d.desk.addNote(a.visitId, 'pending while offline'); // unsettled: kept
    expect(d.desk.purgeExpired(Date.now()).visits).toBe(0); // nothing is old yet
    const out = d.desk.purgeExpired(Date.now() + 31 * 24 * 60 * 60 * 1000);
    expect(out.visits).toBe(1);
    expect(out.members).toBe(1);
    expect(await d.desk.getVisit(b.visitId)).toBeNull();
    expect(await d.desk.getMember('m2')).toBeNull();
    expect(await d.desk.getVisit(a.visitId)).not.toBeNull();
    expect((await d.desk.searchMembers({ query: '张伟' })).map((h) => h.id)).toEqual(['m1']);
  });

  it('a new retention period applies live: the purge uses it at once and runs soon, not at the next start', async () => {
    const d = await t.desk(STORE_A, 'Counter', { retentionDays: 30 });
    d.desk.start();
    const b = await t.arrival(STORE_A, 'm2');
    await waitFor(async () => (await d.desk.getVisit(b.visitId)) !== null, 5000, 'arrival');
    const eightDaysOn = Date.now() + 8 * 24 * 60 * 60 * 1000;
    expect(d.desk.purgeExpired(eightDaysOn).visits).toBe(0); // 30 days: kept
    expect(() => d.desk.setRetentionDays(0)).toThrow(/1 to 365/);
    expect(() => d.desk.setRetentionDays(10_000)).toThrow(/1 to 365/);
    expect(d.desk.currentRetentionDays()).toBe(30);

    const runs: number[] = [];
    const purge = d.desk.purgeExpired.bind(d.desk);
    d.desk.purgeExpired = (now?: number) => (runs.push(now ?? Date.now()), purge(now));
    d.desk.setRetentionDays(7, 20);
    expect(d.desk.currentRetentionDays()).toBe(7);
    await waitFor(async () => runs.length > 0, 2000, 'the purge after the change');
    expect(d.desk.purgeExpired(eightDaysOn).visits).toBe(1); // 7 days: gone
    expect(await d.desk.getVisit(b.visitId)).toBeNull();
  });
});
