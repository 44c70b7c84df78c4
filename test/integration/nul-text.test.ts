// Text carrying the NUL character is refused at every boundary, with a clear error, the same way on
// every storage adapter (PostgreSQL cannot store it; SQLite could) — and it never reaches a desk's
// outbox, where HQ would refuse it on every resend.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskError } from '../../shared/deskApi.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';

describe('the NUL character', () => {
  let t: TestHq;
  beforeAll(async () => {
    t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('is refused in JSON and CSV ingest (422) and nothing is imported', async () => {
    const member = { id: 'nul-1', code: 'MNUL0001', name: '张\u0000伟', nameEn: 'Z', tier: 'gold', phone: '13900000001', homeStoreId: STORE_A, sizes: { eu: 42, cn: 260 }, preferences: ['running'], points: 0 };
    const res = await t.ingestRaw('members', [member]);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_body', message: expect.stringContaining('NUL') });
    const csv = await fetch(`${t.url}/v1/ingest/stock.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-integration-key': t.hq.integrationKey },
      body: `storeId,styleId,color,size,qty\n${STORE_A},st-run,BLK\u0000,42,1\n`,
    });
    expect(csv.status).toBe(422);
    const arrival = await t.postArrival({ storeId: STORE_A, memberCode: 'M000\u00001', source: 'door' });
    expect(arrival.status).toBe(422);
    expect(await t.hq.store.read((r) => r.getMember('nul-1'))).toBeNull();
  });

  it('in a desk frame is a bad frame, and the HQ process carries on', async () => {
    const { token } = await t.enroll(STORE_A, 'Raw counter');
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/v1/desk`, { headers: { authorization: `Bearer ${token}` } });
    const frames: Array<{ t: string; code?: string; message?: string }> = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'hello', v: 1 }));
    ws.send(JSON.stringify({ t: 'cmd', opId: '0190aaaa-0000-7000-8000-00000000000a', type: 'chat.send', data: { memberId: 'm1', clientId: 'nul-msg-1', kind: 'text', text: '在\u0000吗' } }));
    expect(await closed).toBe(4000); // CloseCode.badFrame
    expect(frames.find((f) => f.t === 'error')).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('NUL') });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('is refused by the desk before anything is queued', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter NUL');
    await expect(desk.sendMessage('m1', { kind: 'text', text: '在\u0000吗' })).rejects.toBeInstanceOf(DeskError);
    await expect(desk.sendMessage('m1', { kind: 'text', text: '在\u0000吗' })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(desk.outbox()).toHaveLength(0);
  });
});
