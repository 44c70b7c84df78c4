// Input that is wrong, too big or too slow harms nobody but its sender: HQ refuses it with a clear
// answer (an HTTP error naming the field and its bound, or a documented close code) and every
// other member, desk and request carries on. Real HQ, real sockets.
import { request } from 'node:http';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARRIVAL_MAX_AHEAD_MS } from '../../hq/app/arrivals.ts';
import { type EvFrame, CloseCode } from '../../shared/protocol.ts';
import { MAX_MEMBER_NAME } from '../../shared/domain.ts';
import { FAST, type Position, TestHq } from '../support/hq.ts';
import { deskSocketUrl, RecordingDesk } from '../support/protocolClient.ts';
import { DAY } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
let A: Position;
beforeEach(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  A = await t.position('store-a');
});
afterEach(async () => {
  await t.dispose();
});

type ErrorBody = { error: { code: string; message: string } };

describe('arrival time', () => {
  it('refuses an `at` a day ahead, in microseconds or in seconds with 422 naming the field, and the member still alerts', async () => {
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token);
    const now = Date.now();
    for (const at of [now + DAY, now * 1000, Math.floor(now / 1000)]) {
      const res = await t.ingestRaw('arrivals', { storeId: 'store-a', memberId: 'm1', source: 'door', at });
      expect(res.status).toBe(422);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('at_out_of_range');
      expect(body.error.message).toMatch(/^at /);
      expect(body.error.message).toContain('epoch milliseconds');
    }
    // The batch route reports the same refusal by index and applies the others.
    const batch = await t.ingest('arrivals/batch', {
      items: [
        { storeId: 'store-a', memberId: 'm1', source: 'door', at: now + DAY },
        { storeId: 'store-a', memberId: 'm2', source: 'door' },
      ],
    });
    expect(batch).toMatchObject({ results: [{ index: 0, error: { code: 'at_out_of_range' } }, { index: 1, status: 'created' }] });
    // Nothing of the refused ones was kept: m1's next real arrival is a new visit and alerts.
    const real = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    expect(real.status).toBe(201);
    expect(real.body.status).toBe('created');
    const alert = await desk.waitFor<EvFrame>((f) => f.t === 'ev' && f.type === 'arrival' && f.data.visit.memberId === 'm1');
    expect(alert.seq).toBe(A.seq + 2);
    // A door system whose clock runs a little ahead of HQ's is still taken.
    const skewed = await t.postArrival({ storeId: 'store-a', memberId: 'm3', source: 'door', at: Date.now() + ARRIVAL_MAX_AHEAD_MS - 30_000 });
    expect(skewed.status).toBe(201);
    desk.close();
  });
});

describe('desk socket without hello', () => {
  it(`closes a desk socket that sends no hello within the deadline with 4003, as the member socket does`, async () => {
    await t.restart({ helloTimeoutMs: 300 });
    const { token } = await t.enroll('store-a', 'Silent');
    const silent = await RecordingDesk.connect(t.hq, token, null);
    const started = Date.now();
    const { code } = await silent.closed;
    expect(code).toBe(CloseCode.protocolViolation);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(silent.frames).toEqual([{ t: 'error', code: 'protocol_violation', message: 'no hello within 300 ms' }]);
    // A desk that greets in time stays open past the deadline.
    const other = await t.enroll('store-a', 'Polite');
    const polite = await RecordingDesk.connect(t.hq, other.token);
    await new Promise((r) => setTimeout(r, 600));
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
    polite.close();
  });
});

describe('acks', () => {
  // HQ reads the exact text a desk sends for an ack without JSON.parse (deskSocket.ts ACK_TEXT);
  // every other spelling of an ack, good or bad, goes through the schema as before.
  it('takes acks in the desk’s own spelling and in any other valid JSON; refuses a bad seq as a bad frame', async () => {
    const { token } = await t.enroll('store-a', 'Acks');
    const desk = await RecordingDesk.connect(t.hq, token);
    await desk.waitFor((f) => f.t === 'welcome');
    for (const text of [`{"t":"ack","seq":${A.seq}}`, `{ "t": "ack", "seq": ${A.seq} }`, `{"seq":${A.seq},"t":"ack"}`, '{"t":"ack","seq":0}', '{"t":"ack","seq":1,"x":2}']) desk.send(text);
    // Beyond the head: answered with an error frame, the socket stays (either spelling).
    desk.send(`{"t":"ack","seq":${A.seq + 1000}}`);
    await desk.waitFor((f) => f.t === 'error' && /beyond the store's head/.test((f as { message: string }).message));
    expect(desk.ws.readyState).toBe(WebSocket.OPEN);
    for (const bad of ['{"t":"ack","seq":-1}', '{"t":"ack","seq":1.5}', '{"t":"ack","seq":"7"}', '{"t":"ack","seq":01}']) {
      const { token: tk } = await t.enroll('store-a', 'Bad ack');
      const d = await RecordingDesk.connect(t.hq, tk);
      await d.waitFor((f) => f.t === 'welcome');
      d.send(bad);
      expect((await d.closed).code, bad).toBe(CloseCode.badFrame);
    }
    desk.close();
  });
});

describe('long member names', () => {
  const longName = '阿'.repeat(MAX_MEMBER_NAME);
  const longEn = ('Maria de los Angeles Fernandez-Rodriguez y Gonzalez ').repeat(4).slice(0, MAX_MEMBER_NAME).trim();

  it(`takes a ${MAX_MEMBER_NAME}-character name over JSON and CSV, and a desk shows it whole; one longer is refused naming the limit`, async () => {
    expect(MAX_MEMBER_NAME).toBeGreaterThanOrEqual(200);
    const base = { code: 'L0001', homeStoreId: 'store-a', sizes: { eu: 38, cn: 240 }, tier: 'gold' };
    const json = (await t.ingest('members', [{ ...base, id: 'long1', name: longName, nameEn: longEn }])) as { imported: number };
    expect(json.imported).toBe(1);
    const csv = `id,code,name,nameEn,homeStoreId,sizeEu\nlong2,L0002,${'李'.repeat(MAX_MEMBER_NAME)},${longEn},store-a,38\n`;
    const csvRes = await fetch(`${t.url}/v1/ingest/members.csv`, { method: 'POST', headers: { 'x-integration-key': t.hq.integrationKey, 'content-type': 'text/csv' }, body: csv });
    expect(await csvRes.json()).toMatchObject({ imported: 1, rejected: 0 });

    const tooLong = (await t.ingest('members', [{ ...base, id: 'long3', code: 'L0003', name: '王'.repeat(MAX_MEMBER_NAME + 1) }])) as { imported: number; errors: { message: string }[] };
    expect(tooLong.imported).toBe(0);
    expect(tooLong.errors[0]!.message).toContain('name');
    expect(tooLong.errors[0]!.message).toContain(String(MAX_MEMBER_NAME));

    // A real desk core (its own schema checks and SQLite cache) gets the arrival with the whole name.
    const { desk } = await t.desk('store-a', 'Counter 1', FAST);
    await desk.start();
    const { visitId } = await t.arrival('store-a', 'long1');
    await waitFor(async () => (await desk.getVisit(visitId)) !== null, 5000, 'the long-named member’s arrival at the desk');
    const view = await desk.getVisit(visitId);
    expect(view!.member.name).toBe(longName);
    expect(view!.member.nameEn).toBe(longEn);
    const found = await desk.searchMembers({ query: '阿阿阿' });
    expect(found.map((m) => m.id)).toContain('long1');
  });
});

describe('slow consumer', () => {
  it('a desk that stops reading gets the 4004 close frame when it reads again, not a cut connection', async () => {
    const lines: string[] = [];
    await t.restart({ slowConsumerBytes: 64 * 1024, slowConsumerMs: 300, log: (l) => lines.push(l) });
    const { token } = await t.enroll('store-a', 'Paused');
    const ws = new WebSocket(deskSocketUrl(t.url), { headers: { authorization: `Bearer ${token}` } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'hello', v: 1, resume: A }));
    await new Promise((r) => ws.once('message', r));
    ws.pause(); // a desk that stops reading: the kernel buffers fill, then HQ's
    // 7/8: consented to personalisation, so each member.updated carries suggestions and the burst's
    // bytes stay well past slowConsumerBytes (without consent a store with no sales suggests nothing).
    const consents = { marketing: false, personalization: true, contact: false };
    const members = Array.from({ length: 4000 }, (_, i) => ({ id: `bulk-${i}`, code: `B${i}`, name: `会员${i}`, homeStoreId: 'store-a', sizes: { eu: 38, cn: 240 }, consents }));
    await t.ingest('members', members);
    await waitFor(() => lines.some((l) => l.includes('Paused') && l.includes('closed 4004')), 10_000, 'HQ closing the paused desk');
    // Longer than the grace a peer gets to answer a close it has received.
    await new Promise((r) => setTimeout(r, 3000));
    ws.resume();
    expect(await closed).toBe(CloseCode.slowConsumer);
  });
});

describe('oversized bodies', () => {
  /** A POST announcing `length` bytes; the body is sent only after `100 Continue` (when `expect`). */
  function announce(path: string, length: number, expectContinue: boolean): Promise<{ status: number; continued: boolean; body: ErrorBody }> {
    return new Promise((resolve, reject) => {
      let continued = false;
      const req = request({
        host: '127.0.0.1',
        port: t.hq.port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': String(length),
          'x-integration-key': t.hq.integrationKey,
          ...(expectContinue ? { expect: '100-continue' } : {}),
        },
      });
      req.on('continue', () => {
        continued = true;
        req.end(Buffer.alloc(length, 0x20));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as ErrorBody }));
      });
      req.on('error', reject);
      if (expectContinue) req.flushHeaders();
      else req.write(Buffer.alloc(64 * 1024, 0x20)); // a first part only: the answer must not wait for the rest
    });
  }

  it('answers 413 to `Expect: 100-continue` with a 10 MB Content-Length, without 100 Continue', async () => {
    for (const path of ['/v1/ingest/members', '/v1/ingest/arrivals', '/v1/enroll', '/v1/member/images']) {
      const r = await announce(path, 10 * 1024 * 1024, true);
      expect(r, path).toMatchObject({ status: 413, continued: false });
      expect(r.body.error.message).toMatch(/bytes/);
    }
    // Within its route's limit, the client is told to continue and the request is handled.
    const csv = await announce('/v1/ingest/members.csv', 2 * 1024 * 1024, true);
    expect(csv.continued).toBe(true);
    expect(csv.status).toBe(400); // 2 MiB of spaces is within the CSV limit: read, then refused as a CSV
  });

  it('answers 413 to an oversized Content-Length before the body has arrived', async () => {
    for (const path of ['/v1/ingest/members', '/v1/health', '/v1/snapshot']) {
      const r = await announce(path, 10 * 1024 * 1024, false);
      expect(r.status, path).toBe(413);
      expect(r.body.error.code).toBe('body_too_large');
    }
    expect((await fetch(`${t.url}/v1/health`)).status).toBe(200);
  });
});
