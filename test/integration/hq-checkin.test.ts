// Check-in at the counter (4/8 part A) at a real HQ over real desk sockets, on SQLite and on
// PostgreSQL: by card code, by phone (resolved at HQ), the door's repeat rule, idempotency by opId
// and by checkinId, an unknown member refused, a member of another store checking in, store isolation.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type CmdAckFrame, type EvFrame } from '../../shared/protocol.ts';
import { TestHq, type StoreAdapter } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

const ackFor = (desk: RecordingDesk, opId: string) => desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === opId);
const evFor = (desk: RecordingDesk, opId: string) => desk.waitFor<EvFrame>((f) => f.t === 'ev' && 'opId' in f.data && f.data.opId === opId);
const checkin = (data: Record<string, unknown>, opId = randomUUID(), extra: Record<string, unknown> = {}) => ({ t: 'cmd', opId, type: 'checkin', data: { checkinId: randomUUID(), ...data }, ...extra });

describe.each(['sqlite', 'postgres'] as StoreAdapter[])('check-in at the counter (%s)', (adapter) => {
  let t: TestHq;
  const desks: RecordingDesk[] = [];
  const open = async (storeId: string, name = 'Counter 1') => {
    const { token, deviceId } = await t.enroll(storeId, name);
    const desk = await RecordingDesk.connect(t.hq, token);
    desks.push(desk);
    return { desk, deviceId };
  };
  afterEach(async () => {
    for (const d of desks.splice(0)) d.close();
    await t?.dispose();
  });

  it('by card code: a visit with source counter, and the event names the op, the check-in and who did it', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk, deviceId } = await open('store-a');
    const cmd = checkin({ memberCode: 'M0002' });
    desk.send(cmd);
    const ack = await ackFor(desk, cmd.opId);
    expect(ack).toMatchObject({ status: 'ok' });
    const ev = await evFor(desk, cmd.opId);
    expect(ev.type).toBe('arrival');
    expect(ev.seq).toBe(ack.seq);
    if (ev.type !== 'arrival') throw new Error('expected an arrival');
    expect(ev.data.visit).toMatchObject({ memberId: 'm2', source: 'counter', status: 'open', arrivals: 1 });
    expect(ev.data.checkinId).toBe(cmd.data.checkinId);
    expect(ev.data.by).toMatchObject({ deviceId, deviceName: 'Counter 1' });
    expect(ev.data.profile.member.id).toBe('m2');
    // HQ recorded the check-in with its visit.
    const row = await t.hq.store.read((r) => r.checkins.get('store-a', cmd.data.checkinId as string));
    expect(row).toMatchObject({ visitId: ev.data.visit.id, memberId: 'm2', deviceId, status: 'created', seq: ev.seq });
    // Erasing the member drops their check-ins with the rest.
    await t.hq.store.withTx((tx) => tx.deleteMember('m2'));
    expect(await t.hq.store.read((r) => r.checkins.get('store-a', cmd.data.checkinId as string))).toBeNull();
  });

  it('by phone: HQ resolves the full number (spaces and dashes ignored); the event carries only the masked phone', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk } = await open('store-a');
    const cmd = checkin({ phone: '138-0000 0001' });
    desk.send(cmd);
    expect(await ackFor(desk, cmd.opId)).toMatchObject({ status: 'ok' });
    const ev = await evFor(desk, cmd.opId);
    if (ev.type !== 'arrival') throw new Error('expected an arrival');
    expect(ev.data.visit.memberId).toBe('m1');
    expect(JSON.stringify(ev)).not.toContain('13800000001');
  });

  it('the door rule: a check-in within 30 minutes of a door arrival bumps that visit (visit.updated), no second visit', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk } = await open('store-a');
    const door = await t.arrival('store-a', 'm1');
    await desk.waitFor((f) => f.t === 'ev' && f.type === 'arrival');
    const cmd = checkin({ memberId: 'm1' });
    desk.send(cmd);
    expect(await ackFor(desk, cmd.opId)).toMatchObject({ status: 'ok' });
    const ev = await evFor(desk, cmd.opId);
    expect(ev.type).toBe('visit.updated');
    if (ev.type !== 'visit.updated') throw new Error('expected visit.updated');
    expect(ev.data.visit).toMatchObject({ id: door.visitId, source: 'door', arrivals: 2 });
    const visits = await t.hq.store.read((r) => r.visitsSince('store-a', 0));
    expect(visits.filter((v) => v.memberId === 'm1')).toHaveLength(1);
    const row = await t.hq.store.read((r) => r.checkins.get('store-a', cmd.data.checkinId as string));
    expect(row).toMatchObject({ visitId: door.visitId, status: 'updated' });
  });

  it('idempotent: a resend of the op is a duplicate, the same checkinId under a new op changes nothing', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk } = await open('store-a');
    const cmd = checkin({ memberCode: 'M0001' });
    desk.send(cmd);
    const first = await ackFor(desk, cmd.opId);
    expect(first.status).toBe('ok');
    await evFor(desk, cmd.opId);
    const head = (await t.position('store-a')).seq;
    desk.send(cmd); // the same op again (a lost cmdAck)
    expect(await desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === cmd.opId && f.status === 'duplicate')).toMatchObject({ status: 'duplicate' });
    const again = { ...cmd, opId: randomUUID() }; // the clerk's retry under a new op: same checkinId
    desk.send(again);
    expect(await ackFor(desk, again.opId)).toMatchObject({ status: 'ok', seq: null });
    expect((await t.position('store-a')).seq).toBe(head);
    const visits = await t.hq.store.read((r) => r.visitsSince('store-a', 0));
    expect(visits.filter((v) => v.memberId === 'm1')).toHaveLength(1);
  });

  it('an unknown member is refused with member_not_found, and the refusal is remembered for a resend', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk } = await open('store-a');
    const head = (await t.position('store-a')).seq;
    for (const data of [{ memberCode: 'M9999' }, { phone: '13999999999' }, { memberId: 'nobody' }]) {
      const cmd = checkin(data);
      desk.send(cmd);
      expect(await ackFor(desk, cmd.opId)).toMatchObject({ status: 'rejected', rejection: { code: 'member_not_found' } });
      desk.send(cmd);
      expect(await desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === cmd.opId && desk.frames.filter((g) => g.t === 'cmdAck' && g.opId === cmd.opId).length === 2)).toMatchObject({
        status: 'rejected',
        rejection: { code: 'member_not_found' },
      });
    }
    expect((await t.position('store-a')).seq).toBe(head);
  });

  it('a member of another store checks in anywhere in the chain; only this store’s desks hear of it', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk } = await open('store-a');
    const other = await open('store-b', 'B1');
    const cmd = checkin({ memberCode: 'M0003' }); // 张伟, at home in store B
    desk.send(cmd);
    expect(await ackFor(desk, cmd.opId)).toMatchObject({ status: 'ok' });
    const ev = await evFor(desk, cmd.opId);
    if (ev.type !== 'arrival') throw new Error('expected an arrival');
    expect(ev.data.visit).toMatchObject({ storeId: 'store-a', memberId: 'm3', source: 'counter' });
    await new Promise((r) => setTimeout(r, 200));
    expect(other.desk.frames.some((f) => f.t === 'ev')).toBe(false);
    // Another store's desk using the same checkinId is its own check-in (the id is per store).
    const mirror = { ...checkin({ memberCode: 'M0003' }), data: { checkinId: cmd.data.checkinId, memberCode: 'M0003' } };
    other.desk.send(mirror);
    expect(await ackFor(other.desk, mirror.opId)).toMatchObject({ status: 'ok' });
    const evB = await evFor(other.desk, mirror.opId);
    if (evB.type !== 'arrival') throw new Error('expected an arrival');
    expect(evB.data.visit.storeId).toBe('store-b');
  });

  it('refuses a check-in naming two identifiers, or none, as a bad frame', async () => {
    t = await TestHq.start({ seed: 'storesAB', adapter });
    const { desk } = await open('store-a');
    desk.send(checkin({ memberCode: 'M0001', phone: '13800000001' }));
    expect((await desk.closed).code).toBe(4000);
  });
});
