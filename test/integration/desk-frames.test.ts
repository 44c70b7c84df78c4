// Bad peers on the desk socket: a malformed or oversized frame from a raw ws client gets a close
// code (and an error frame where the protocol says so) while HQ keeps serving a real desk.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { deskSocketUrl } from '../../electron/desk/link.ts';
import { CloseCode, MAX_FRAME_BYTES } from '../../shared/protocol.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
let desk: DeskCore;
let rawToken: string;

beforeAll(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
  ({ desk } = await t.desk(STORE_A, 'Counter 1'));
  rawToken = (await t.enroll(STORE_A, 'raw client')).token;
  desk.start();
  await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'desk online');
});
afterAll(async () => {
  await t.dispose();
});

/** Opens a raw socket, optionally says hello, sends `payload`, and reports the frames and close code. */
async function rawSession(payload: string | Buffer, opts: { hello?: boolean } = {}): Promise<{ code: number; frames: string[] }> {
  const ws = new WebSocket(deskSocketUrl(t.url), { headers: { authorization: `Bearer ${rawToken}` } });
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(d.toString()));
  ws.on('error', () => {});
  await once(ws, 'open');
  if (opts.hello) {
    ws.send(JSON.stringify({ t: 'hello', v: 1 }));
    await waitFor(() => frames.some((f) => f.includes('"welcome"')), 3000, 'welcome');
  }
  const closed = once(ws, 'close');
  ws.send(payload);
  const [code] = (await closed) as [number];
  return { code, frames };
}

async function deskStillServed(memberId: string): Promise<void> {
  const { visitId } = await t.arrival(STORE_A, memberId);
  await waitFor(async () => (await desk.getVisit(visitId)) !== null, 5000, 'arrival on the real desk');
}

describe('HQ desk socket vs bad frames', () => {
  it('closes 4000 with an error frame on a frame that is not JSON', async () => {
    const { code, frames } = await rawSession('{not json', { hello: true });
    expect(code).toBe(CloseCode.badFrame);
    expect(frames.map((f) => JSON.parse(f) as { t: string; code?: string }).find((f) => f.t === 'error')).toMatchObject({ code: 'bad_frame' });
    await deskStillServed('m1');
  });

  it('closes 4000 on a frame that fails its schema', async () => {
    const { code } = await rawSession(JSON.stringify({ t: 'cmd', opId: 'x', type: 'claim', data: { visitId: 42 } }), { hello: true });
    expect(code).toBe(CloseCode.badFrame);
    await deskStillServed('m3');
  });

  it('closes 1009 on a frame over MAX_FRAME_BYTES', async () => {
    const { code } = await rawSession(JSON.stringify({ t: 'hello', v: 1, pad: 'x'.repeat(MAX_FRAME_BYTES + 10) }));
    expect(code).toBe(CloseCode.tooLarge);
    await deskStillServed('m5');
  });

  it('closes 4003 on a frame before hello', async () => {
    const { code } = await rawSession(JSON.stringify({ t: 'ack', seq: 1 }));
    expect(code).toBe(CloseCode.protocolViolation);
    await deskStillServed('m7');
    expect(desk.stats.gaps).toBe(0);
    expect((await desk.getConnection()).status).toBe('online');
  });

  it('refuses the upgrade without a valid token', async () => {
    const ws = new WebSocket(deskSocketUrl(t.url), { headers: { authorization: 'Bearer forged' } });
    ws.on('error', () => {});
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(401);
    ws.terminate();
  });
});
