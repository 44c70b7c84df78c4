// DeskCore's protocol session against a scripted ws server: a gap is never applied and leads to
// a resume from the last applied seq; replay → live → outbox flush; cumulative acks.
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { openCache } from '../../electron/desk/cache/db.ts';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { arrivalEv, member, visit } from '../support/builders.ts';
import { waitFor } from '../support/waitFor.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const welcome = (head: number) => ({ t: 'welcome', storeId: 'store-a', storeName: 'A', deviceId: 'd1', deviceName: 'Counter 1', epoch: 'E', head, heartbeatMs: 1000 });

describe('DeskCore session', () => {
  it('refuses a gap, resumes from its position, then flushes the outbox and acks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-gap-'));
    const dbPath = join(dir, 'desk.db');
    const q = openCache(dbPath);
    q.tx(() => q.setPosition({ epoch: 'E', seq: 0 }));
    q.db.close();

    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => void wss.close());
    const hellos: unknown[] = [];
    const received: Array<{ t: string; seq?: number; type?: string; opId?: string }> = [];
    const evs = [1, 2, 3].map((n) => arrivalEv('E', n, visit(`v${n}`, `m${n}`, { arrivedAt: 1000 * n, lastSeenAt: 1000 * n }), member(`m${n}`)));
    let connection = 0;
    wss.on('connection', (ws: WebSocket) => {
      const n = ++connection;
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { t: string };
        if (f.t !== 'hello') return void received.push(f);
        hellos.push(f);
        ws.send(JSON.stringify(welcome(3)));
        // First connection: seq 1, then seq 3 — a hole at 2. Second: the real rest.
        const batch = n === 1 ? [evs[0], evs[2]] : [evs[1], evs[2]];
        for (const ev of batch) ws.send(JSON.stringify(ev));
      });
    });

    const desk = DeskCore.open({
      dbPath,
      hqUrls: [`http://127.0.0.1:${(wss.address() as AddressInfo).port}`],
      token: 't',
      reconnect: { minMs: 20, maxMs: 50 },
      silenceMs: 2000,
      ackEveryMs: 30,
    });
    cleanups.push(() => desk.close());
    const alerts: string[] = [];
    desk.on('arrival', ({ visit: v }) => alerts.push(v.id));
    desk.start();

    await waitFor(() => desk.position.seq === 3);
    // `clock`: the desk's own time, from which HQ learns its clock offset.
    expect(hellos).toEqual([
      { t: 'hello', v: 1, resume: { epoch: 'E', seq: 0 }, clock: expect.any(Number) },
      { t: 'hello', v: 1, resume: { epoch: 'E', seq: 1 }, clock: expect.any(Number) },
    ]);
    expect(desk.stats).toMatchObject({ applied: 3, gaps: 1, duplicates: 0 });
    expect(alerts).toEqual(['v1', 'v2', 'v3']);
    expect((await desk.getConnection()).status).toBe('online');

    // Live: an action goes out at once; acks are cumulative.
    const { opId } = await desk.claimVisit('v2');
    await waitFor(() => received.some((f) => f.t === 'cmd'));
    expect(received.find((f) => f.t === 'cmd')).toMatchObject({ t: 'cmd', opId, type: 'claim', data: { visitId: 'v2' } });
    await waitFor(() => received.some((f) => f.t === 'ack' && f.seq === 3));
    expect(received.filter((f) => f.t === 'ack').every((f) => f.seq! <= 3)).toBe(true);
  });
});
