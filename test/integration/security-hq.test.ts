// Security at HQ's boundaries: store isolation from every entry point a desk token reaches (desk
// socket, snapshot, clerks, manager reports, chat history), revocation that closes a connected
// socket at once, and the limits (per-IP request rates, body size, frame size, frames per second).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, type Snapshot } from '../../shared/protocol.ts';
import { TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

const run = promisify(execFile);
let t: TestHq;

beforeEach(async () => {
  t = await TestHq.start({ sweepMs: 200, seed: 'storesAB' });
});
afterEach(async () => {
  await t.dispose();
});

const get = (path: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${t.hq.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe('store isolation from every entry point', () => {
  it('desk socket, snapshot, clerks, reports and chat history stay inside the token’s store', async () => {
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-b', 'B1');
    const deskA = await RecordingDesk.connect(t.hq, a.token);
    const visitA = (await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' })).body.visitId;
    const visitB = (await t.postArrival({ storeId: 'store-b', memberId: 'm3', source: 'door' })).body.visitId;
    await deskA.waitFor((f) => f.t === 'ev' && f.type === 'arrival');

    // Desk socket: a command on another store's visit is not found; its events never arrive.
    deskA.send({ t: 'cmd', opId: 'op-cross-1', type: 'claim', data: { visitId: visitB } });
    const ack = await deskA.waitFor<Extract<typeof deskA.frames[number], { t: 'cmdAck' }>>((f) => f.t === 'cmdAck');
    expect(ack.status).toBe('rejected');
    expect(ack.rejection?.code).toBe('not_found');
    await new Promise((r) => setTimeout(r, 200));
    const seen = JSON.stringify(deskA.frames);
    expect(seen).not.toContain(visitB);
    expect(seen).not.toContain('"m3"');
    expect(seen).toContain(visitA);

    // Snapshot: only store A's visits and home members.
    const snap = (await (await get('/v1/snapshot', a.token)).json()) as Snapshot;
    expect(snap.storeId).toBe('store-a');
    expect(snap.visits.map((v) => v.id)).toEqual([visitA]);
    expect(snap.members.every((m) => m.homeStoreId === 'store-a')).toBe(true);
    expect(JSON.stringify(snap)).not.toContain(visitB);

    // Clerks: the token's store only.
    const clerks = (await (await get('/v1/clerks', a.token)).json()) as { storeId: string };
    expect(clerks.storeId).toBe('store-a');

    // Manager reports: a device token without a manager session gets nothing, for any store.
    expect((await get('/v1/reports/kpis?store=store-b', a.token)).status).toBe(401);
    expect((await get('/v1/reports/kpis', a.token)).status).toBe(401);
    expect((await get('/v1/reports/kpis', a.token, { 'x-admin-key': 'guess' })).status).toBe(401);

    // Chat history: a member of another store who never visited this one is not reachable.
    expect((await get('/v1/desk/messages?memberId=m3', a.token)).status).toBe(404);
    expect((await get('/v1/desk/messages?memberId=m3', b.token)).status).toBe(200);
    deskA.close();
  });

  it('no token, a wrong token or a malformed header is refused everywhere', async () => {
    for (const path of ['/v1/snapshot', '/v1/clerks', '/v1/desk/messages?memberId=m1']) {
      expect((await fetch(`${t.hq.url}${path}`)).status, path).toBe(401);
      expect((await get(path, 'not-a-token')).status, path).toBe(401);
      expect((await fetch(`${t.hq.url}${path}`, { headers: { authorization: 'Basic abc' } })).status, path).toBe(401);
    }
    const d = new RecordingDesk(t.hq, 'x'.repeat(500));
    await expect(d.opened).rejects.toThrow(/401/);
    expect((await fetch(`${t.hq.url}/v1/ingest/arrivals`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});

describe('revocation', () => {
  it('hq:admin revoke closes the connected socket promptly (4001) and locks the token out', async () => {
    const a = await t.enroll('store-a', 'Doomed counter');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'hq/admin.ts', 'revoke', '--device', a.deviceId, ...t.adminArgs]);
    expect(stdout).toContain('revoked');
    const closed = await desk.closed;
    expect(closed.code).toBe(CloseCode.unauthorized);
    expect(Date.now() - started).toBeLessThan(5000);
    // The CLI itself takes most of that; HQ's part is one sweep (200 ms here, 3 s by default).
    const again = new RecordingDesk(t.hq, a.token);
    await expect(again.opened).rejects.toThrow(/401/);
    expect((await get('/v1/snapshot', a.token)).status).toBe(401);
  });
});

describe('limits', () => {
  it('per-IP rate on enrollment: a code guesser gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 45; i++) {
      const res = await fetch(`${t.hq.url}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: `GUESS-${i}-XXXX`, deviceName: 'guesser' }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('per-IP rate on ingest without the key; the integration with its key is not throttled', async () => {
    const bad = await Promise.all(
      Array.from({ length: 130 }, () => fetch(`${t.hq.url}/v1/ingest/arrivals`, { method: 'POST', headers: { 'x-integration-key': 'wrong' }, body: '{}' }).then((r) => r.status)),
    );
    expect(bad).toContain(429);
    expect(bad.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    const good = await Promise.all(
      Array.from({ length: 150 }, (_, i) => t.postArrival({ storeId: 'store-a', memberId: 'm2', source: 'door' }, `k-${i}`).then((r) => r.status)),
    );
    expect(good.filter((s) => s === 429)).toEqual([]);
  });

  it('a body over 1 MiB is refused with 413; a frame over 64 KiB closes 1009; a frame flood closes 4029', async () => {
    const big = JSON.stringify([{ id: 'x', pad: 'y'.repeat(1024 * 1024 + 10) }]);
    const res = await fetch(`${t.hq.url}/v1/ingest/members`, { method: 'POST', headers: { 'x-integration-key': t.hq.integrationKey, 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large');

    const a = await t.enroll('store-a', 'A1');
    const d1 = await RecordingDesk.connect(t.hq, a.token);
    d1.send({ t: 'ack', seq: 0, pad: 'z'.repeat(70 * 1024) });
    expect((await d1.closed).code).toBe(CloseCode.tooLarge);

    const d2 = await RecordingDesk.connect(t.hq, a.token);
    // 200 frames/s sustained with a 2,000-frame burst (an outbox flush): a flood past both is closed.
    for (let i = 0; i < 2300; i++) d2.send({ t: 'ack', seq: 0 });
    expect((await d2.closed).code).toBe(CloseCode.rateLimited);
    // HQ is still fine.
    expect((await fetch(`${t.hq.url}/v1/health`)).status).toBe(200);
  });
});
