// The desk WebSocket: bad frames, oversize frames, store scoping, commands and their idempotency,
// claim conflicts, replacement, signals.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CmdAckFrame, CloseCode, MAX_FRAME_BYTES } from '../../shared/protocol.ts';
import { type Position, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';
import { DeskSocket } from '../../hq/edge/ws/deskSocket.ts';

let t: TestHq;
/** Store A's position after the seed (its members' `member.updated` events): the test's events follow it. */
let A: Position;
beforeEach(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  A = await t.position('store-a');
});
afterEach(async () => {
  await t.dispose();
});

const ackFor = (desk: RecordingDesk, opId: string) => desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === opId);

describe('desk socket', () => {
  it('refuses an unknown token at the upgrade with 401', async () => {
    await expect(RecordingDesk.connect(t.hq, 'not-a-token')).rejects.toThrow('HTTP 401');
  });

  it('welcomes with the store and device, and resets a desk without a position', async () => {
    const { token, deviceId } = await t.enroll('store-a', 'Till 2');
    const desk = await RecordingDesk.connect(t.hq, token);
    expect(desk.frames[0]).toMatchObject({ t: 'welcome', storeId: 'store-a', storeName: 'Store A', deviceId, deviceName: 'Till 2', epoch: A.epoch, head: A.seq });
    expect(desk.frames[1]).toMatchObject({ t: 'reset', epoch: A.epoch, head: A.seq });
    desk.close();
  });

  it('reads the database in two read views for a desk to connect: the token with its store, then the head at hello', async () => {
    // The store's first desk on a node also opens the store's feed (its own reads, once per store).
    const first = await RecordingDesk.connect(t.hq, (await t.enroll('store-a', 'Till 3')).token);
    const { token } = await t.enroll('store-a', 'Till 4');
    const read = vi.spyOn(t.hq.store, 'read');
    const withTx = vi.spyOn(t.hq.store, 'withTx');
    const desk = await RecordingDesk.connect(t.hq, token);
    expect(desk.frames[0]).toMatchObject({ t: 'welcome', storeId: 'store-a', storeName: 'Store A', deviceName: 'Till 4', epoch: A.epoch, head: A.seq });
    // A reconnect storm pays these per desk (the upgrade's device and its store were two reads before).
    expect(read).toHaveBeenCalledTimes(2);
    expect(withTx).not.toHaveBeenCalled();
    read.mockRestore();
    withTx.mockRestore();
    desk.close();
    first.close();
  });

  it('closes 4000 on malformed JSON and on a schema-invalid frame, while another desk keeps receiving', async () => {
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-a', 'A2');
    const c = await t.enroll('store-a', 'A3');
    const good = await RecordingDesk.connect(t.hq, a.token);
    const badJson = await RecordingDesk.connect(t.hq, b.token);
    const badSchema = await RecordingDesk.connect(t.hq, c.token);
    badJson.send('{not json');
    badSchema.send({ t: 'cmd', opId: 'x', type: 'claim', data: { visitId: 42 } });
    expect((await badJson.closed).code).toBe(CloseCode.badFrame);
    expect((await badSchema.closed).code).toBe(CloseCode.badFrame);
    expect(badJson.frames.at(-1)).toMatchObject({ t: 'error', code: 'bad_frame' });
    expect(badSchema.frames.at(-1)).toMatchObject({ t: 'error', code: 'bad_frame' });
    await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    await good.waitFor((f) => f.t === 'ev' && f.type === 'arrival');
    good.close();
  });

  it('closes 4003 when the first frame is not hello, and 4002 on a wrong version', async () => {
    const a = await t.enroll('store-a');
    const first = await RecordingDesk.connect(t.hq, a.token, null);
    first.send({ t: 'ack', seq: 0 });
    expect((await first.closed).code).toBe(CloseCode.protocolViolation);
    const second = await RecordingDesk.connect(t.hq, a.token, null);
    second.send({ t: 'hello', v: 2 });
    expect((await second.closed).code).toBe(CloseCode.unsupportedVersion);
  });

  it('closes 1009 on an oversize frame and keeps serving', async () => {
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-a', 'A2');
    const good = await RecordingDesk.connect(t.hq, a.token);
    const big = await RecordingDesk.connect(t.hq, b.token);
    big.send({ t: 'signal', kind: 'typing', data: { x: 'y'.repeat(MAX_FRAME_BYTES) } });
    expect((await big.closed).code).toBe(1009);
    await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    await good.waitFor((f) => f.t === 'ev');
    good.close();
  });

  it('never sends store B events to a store A desk', async () => {
    const a = await t.enroll('store-a');
    const b = await t.enroll('store-b');
    const deskA = await RecordingDesk.connect(t.hq, a.token);
    const deskB = await RecordingDesk.connect(t.hq, b.token);
    await t.postArrival({ storeId: 'store-b', memberId: 'm3', source: 'door' });
    await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    await deskA.waitFor((f) => f.t === 'ev');
    await deskB.waitFor((f) => f.t === 'ev');
    expect(deskA.events().map((e) => e.type === 'arrival' && e.data.visit.storeId)).toEqual(['store-a']);
    expect(deskB.events().map((e) => e.type === 'arrival' && e.data.visit.storeId)).toEqual(['store-b']);
    // A store-B visit id is not found for store A.
    const bVisit = deskB.events()[0]!;
    if (bVisit.type !== 'arrival') throw new Error('expected arrival');
    deskA.send({ t: 'cmd', opId: 'op-x', type: 'claim', data: { visitId: bVisit.data.visit.id } });
    expect((await ackFor(deskA, 'op-x')).rejection?.code).toBe('not_found');
    deskA.close();
    deskB.close();
  });

  it('applies a command once per opId and answers a resend with duplicate', async () => {
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-a', 'A2');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    const other = await RecordingDesk.connect(t.hq, b.token);
    const { body } = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    const cmd = { t: 'cmd', opId: 'op-1', type: 'note', data: { visitId: body.visitId, noteId: 'note-1', text: '喜欢白色' } };
    desk.send(cmd);
    const first = await ackFor(desk, 'op-1');
    expect(first).toMatchObject({ status: 'ok', seq: A.seq + 2 });
    desk.frames.length = 0;
    desk.send(cmd);
    const second = await ackFor(desk, 'op-1');
    expect(second).toMatchObject({ status: 'duplicate', seq: A.seq + 2 });
    const noted = await other.waitFor((f) => f.t === 'ev' && f.type === 'visit.noted');
    if (noted.t !== 'ev' || noted.type !== 'visit.noted') throw new Error('type');
    expect(noted.data.opId).toBe('op-1');
    expect(noted.data.by).toMatchObject({ deviceId: a.deviceId, deviceName: 'A1' });
    expect(noted.data.visit.notes.map((n) => n.text)).toEqual(['喜欢白色']);
    await new Promise((r) => setTimeout(r, 100));
    expect(other.events().filter((e) => e.type === 'visit.noted')).toHaveLength(1);
    expect((await t.hq.store.read((r) => r.getStore('store-a')))!.head).toBe(A.seq + 2);
    desk.close();
    other.close();
  });

  it('settles two claims: one ok, the other rejected naming the holder', async () => {
    const a = await t.enroll('store-a', 'Front');
    const b = await t.enroll('store-a', 'Back');
    const deskA = await RecordingDesk.connect(t.hq, a.token);
    const deskB = await RecordingDesk.connect(t.hq, b.token);
    const { body } = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    deskA.send({ t: 'cmd', opId: 'a-claim', type: 'claim', data: { visitId: body.visitId } });
    deskB.send({ t: 'cmd', opId: 'b-claim', type: 'claim', data: { visitId: body.visitId } });
    const [ackA, ackB] = await Promise.all([ackFor(deskA, 'a-claim'), ackFor(deskB, 'b-claim')]);
    const acks = [ackA, ackB].sort((x, y) => x.status.localeCompare(y.status));
    expect(acks.map((x) => x.status)).toEqual(['ok', 'rejected']);
    const loser = acks[1]!;
    expect(loser.rejection?.code).toBe('already_claimed');
    expect(loser.rejection?.by?.deviceName).toBe(ackA.status === 'ok' ? 'Front' : 'Back');
    // The rejection is remembered: a resend gets the same answer.
    const loserDesk = ackA.status === 'ok' ? deskB : deskA;
    loserDesk.frames.length = 0;
    loserDesk.send({ t: 'cmd', opId: loser.opId, type: 'claim', data: { visitId: body.visitId } });
    expect(await ackFor(loserDesk, loser.opId)).toMatchObject({ status: 'rejected', rejection: { code: 'already_claimed' } });
    // Only the claimer can release; closing an open visit makes the closer its owner.
    loserDesk.send({ t: 'cmd', opId: 'rel', type: 'release', data: { visitId: body.visitId } });
    expect((await ackFor(loserDesk, 'rel')).rejection?.code).toBe('not_claimed_by_you');
    loserDesk.send({ t: 'cmd', opId: 'close-1', type: 'close', data: { visitId: body.visitId, outcome: 'tried' } });
    expect((await ackFor(loserDesk, 'close-1')).rejection?.code).toBe('not_claimed_by_you');
    const winnerDesk = loserDesk === deskA ? deskB : deskA;
    winnerDesk.send({ t: 'cmd', opId: 'close-2', type: 'close', data: { visitId: body.visitId, outcome: 'purchased', note: '买了白色 38' } });
    expect((await ackFor(winnerDesk, 'close-2')).status).toBe('ok');
    const closed = await loserDesk.waitFor((f) => f.t === 'ev' && f.type === 'visit.closed');
    if (closed.t !== 'ev' || closed.type !== 'visit.closed') throw new Error('type');
    expect(closed.data.visit).toMatchObject({ status: 'closed', outcome: 'purchased' });
    expect(closed.data.visit.notes).toHaveLength(1);
    deskA.close();
    deskB.close();
  });

  it('replaces an older connection of the same device with 4009 and relays signals', async () => {
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-a', 'A2');
    const old = await RecordingDesk.connect(t.hq, a.token);
    const fresh = await RecordingDesk.connect(t.hq, a.token);
    expect((await old.closed).code).toBe(CloseCode.replaced);
    const other = await RecordingDesk.connect(t.hq, b.token);
    fresh.send({ t: 'signal', kind: 'typing', memberId: 'm1' });
    await other.waitFor((f) => f.t === 'signal');
    fresh.close();
    other.close();
  });

  it('closes a desk that floods frames with 4029', async () => {
    await t.restart({ maxFramesPerSecond: 20 });
    const a = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    // Past the burst (10 s worth, 200 frames): a sustained flood still drains the bucket.
    for (let i = 0; i < 300; i++) desk.send({ t: 'ack', seq: 0 });
    expect((await desk.closed).code).toBe(CloseCode.rateLimited);
  });

  it('lets a desk send a burst (an outbox flush) above the sustained frame rate', async () => {
    await t.restart({ maxFramesPerSecond: 20, maxFrameBurst: 1000 });
    const a = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    for (let i = 0; i < 900; i++) desk.send({ t: 'ack', seq: 0 });
    desk.send({ t: 'signal', kind: 'presence' });
    const racing = await Promise.race([desk.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 300))]);
    expect(racing).toBe('open');
    // The bucket is nearly empty now: the next flood is refused.
    for (let i = 0; i < 300; i++) desk.send({ t: 'ack', seq: 0 });
    expect((await desk.closed).code).toBe(CloseCode.rateLimited);
  });

  it('drops a desk that stops answering pings', async () => {
    await t.restart({ heartbeatMs: 100 });
    const a = await t.enroll('store-a');
    const ws = new WebSocket(`${t.hq.url.replace('http', 'ws')}/v1/desk`, { headers: { authorization: `Bearer ${a.token}` }, autoPong: false });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'hello', v: 1 }));
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(CloseCode.heartbeatTimeout);
  });

  it('sends no head frame to a desk that was sent every event, acked or not', async () => {
    await t.restart({ headEveryMs: 40 });
    const a = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    // Reset to the head, then three events; the desk never acks. Many head periods pass.
    for (const [i, memberId] of ['m1', 'm2', 'm3'].entries()) {
      await t.postArrival({ storeId: 'store-a', memberId, source: 'door' });
      await desk.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 1 + i);
      await new Promise((r) => setTimeout(r, 150));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(desk.frames.filter((f) => f.t === 'head')).toEqual([]);
    desk.close();
  });

  it('sends head frames to a live desk the node did not send an event it knows of, until it resumes', async () => {
    await t.restart({ headEveryMs: 40 });
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-a', 'A2');
    // `other` joins the store's desks first: the failure below ends the delivery loop after it.
    const other = await RecordingDesk.connect(t.hq, b.token);
    const missed = await RecordingDesk.connect(t.hq, a.token);
    // The node's delivery to one desk fails (the feed logs its listener's failure and moves on):
    // the other desk gets the event, this one can only learn of it from the heads.
    const real = DeskSocket.prototype.deliverLiveBatch;
    const deliver = vi.spyOn(DeskSocket.prototype, 'deliverLiveBatch').mockImplementation(function (this: DeskSocket, frames) {
      if (this.device.id === a.deviceId) throw new Error('delivery failed (test)');
      real.call(this, frames);
    });
    try {
      await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
      await other.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 1);
    } finally {
      // Never left in place for the file's other tests, should the wait fail.
      deliver.mockRestore();
    }
    await missed.waitFor((f) => f.t === 'head' && f.seq === A.seq + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(missed.frames.some((f) => f.t === 'ev')).toBe(false);
    expect(other.frames.some((f) => f.t === 'head')).toBe(false);
    // Resumed from its position, it is sent the event, and the heads stop.
    missed.close();
    const resumed = await RecordingDesk.connect(t.hq, a.token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq } });
    await resumed.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.frames.some((f) => f.t === 'head')).toBe(false);
    resumed.close();
    other.close();
  });

  it('closes sockets with 1001 when HQ shuts down', async () => {
    const a = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    await t.hq.close();
    expect((await desk.closed).code).toBe(CloseCode.goingAway);
    await t.restart();
  });
});

/** A desk that upgrades, says hello, and then never reads a byte (raw TCP, so nothing drains). */
function stalledDesk(url: string, token: string): Socket {
  const sock = connect(Number(new URL(url).port), '127.0.0.1');
  sock.write(
    `GET /v1/desk HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  const payload = Buffer.from(JSON.stringify({ t: 'hello', v: 1 }));
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  sock.pause();
  sock.on('error', () => undefined);
  return sock;
}

describe('slow consumer', () => {
  it('closes a desk that stops reading with 4004 while a reading desk gets everything', async () => {
    const lines: string[] = [];
    await t.restart({ slowConsumerBytes: 256 * 1024, slowConsumerMs: 2000, log: (l) => lines.push(l) });
    const a = await t.enroll('store-a', 'Reader');
    const b = await t.enroll('store-a', 'Stalled');
    const reader = await RecordingDesk.connect(t.hq, a.token);
    const stalled = stalledDesk(t.hq.url, b.token);
    await new Promise((r) => setTimeout(r, 100));
    const members = Array.from({ length: 4000 }, (_, i) => ({
      id: `bulk-${i}`,
      code: `B${i}`,
      name: `会员${i}`,
      phone: `139000${String(i).padStart(5, '0')}`,
      homeStoreId: 'store-a',
      sizes: { eu: 38, cn: 240 },
      // 7/8: consented, so each member.updated carries personalised suggestions (the burst's bytes
      // stay well past slowConsumerBytes; without consent the store, with no sales, suggests nothing).
      consents: { marketing: false, personalization: true, contact: false },
    }));
    const res = await fetch(`${t.hq.url}/v1/ingest/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey },
      body: JSON.stringify(members),
    });
    expect(res.status).toBe(200);
    // The reader is fed at its pace through the burst and misses nothing.
    await reader.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 4000, 10_000);
    expect(reader.events().map((e) => e.seq)).toEqual(Array.from({ length: 4000 }, (_, i) => A.seq + i + 1));
    await vi.waitFor(() => expect(lines.some((l) => l.includes('Stalled') && l.includes('closed 4004'))).toBe(true), { timeout: 8000 });
    expect(lines.some((l) => l.includes('Reader'))).toBe(false);
    stalled.destroy();
    reader.close();
  });
});
