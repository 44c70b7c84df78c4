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
import { arrivalEv, claimedEv, member, visit } from '../support/builders.ts';
import type { VisitView } from '../../shared/deskApi.ts';
import { waitFor } from '../support/waitFor.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const welcome = (head: number) => ({ t: 'welcome', storeId: 'store-a', storeName: 'A', deviceId: 'd1', deviceName: 'Counter 1', epoch: 'E', head, heartbeatMs: 1000 });

/**
 * A fresh desk cache at position E/0 (`prepare` may change it further before it is closed) and a
 * scripted ws server for it to connect to; both removed after the test.
 */
async function cacheAndServer(prefix: string, prepare?: (q: ReturnType<typeof openCache>) => void): Promise<{ dbPath: string; wss: WebSocketServer; hqUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dir, 'desk.db');
  const q = openCache(dbPath);
  q.tx(() => q.setPosition({ epoch: 'E', seq: 0 }));
  prepare?.(q);
  q.db.close();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => void wss.close());
  return { dbPath, wss, hqUrl: `http://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

/** A started DeskCore on the scripted server that reconnects after 200–300 ms; its log lines and the visits it alerted. */
function startDesk(dbPath: string, hqUrl: string): { desk: DeskCore; logs: string[]; alerts: string[] } {
  const logs: string[] = [];
  const desk = DeskCore.open({ dbPath, hqUrls: [hqUrl], token: 't', reconnect: { minMs: 200, maxMs: 300 }, silenceMs: 2000, ackEveryMs: 30, log: (l) => logs.push(l) });
  cleanups.push(() => desk.close());
  const alerts: string[] = [];
  desk.on('arrival', ({ visit: v }) => alerts.push(v.id));
  desk.start();
  return { desk, logs, alerts };
}

describe('DeskCore session', () => {
  it('refuses a gap, resumes from its position, then flushes the outbox and acks', async () => {
    const { dbPath, wss, hqUrl } = await cacheAndServer('desk-gap-');

    const hellos: unknown[] = [];
    const received: Array<{ t: string; seq?: number; type?: string; opId?: string }> = [];
    // Recent arrivals (the desk alerts missed ones only when they are still news: visits.ts).
    const t0 = Date.now() - 60_000;
    const evs = [1, 2, 3].map((n) => arrivalEv('E', n, visit(`v${n}`, `m${n}`, { arrivedAt: t0 + 1000 * n, lastSeenAt: t0 + 1000 * n }), member(`m${n}`)));
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
      hqUrls: [hqUrl],
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

  it('acks at its slow cadence, but within ACK_SOON_MS after a member\'s chat message (its "delivered" waits on the ack)', async () => {
    const { dbPath, wss, hqUrl } = await cacheAndServer('desk-acks-');
    const t0 = Date.now() - 60_000;
    const arrival = (n: number) => arrivalEv('E', n, visit(`v${n}`, `m${n}`, { arrivedAt: t0 + n, lastSeenAt: t0 + n }), member(`m${n}`));
    const chat = (n: number, from: 'member' | 'clerk') => ({
      t: 'ev',
      epoch: 'E',
      seq: n,
      id: `e${n}`,
      type: 'chat.message',
      at: t0 + n,
      data: {
        message: { id: `msg${n}`, clientId: `c${n}`, storeId: 'store-a', memberId: 'm1', n, from, by: from === 'clerk' ? { deviceId: 'd2', deviceName: 'Counter 2' } : null, kind: 'text', body: 'hi', product: null, image: null, at: t0 + n, recalledAt: null },
        receipts: { memberDelivered: 0, memberRead: 0, storeDelivered: 0, storeRead: 0 },
        by: from === 'clerk' ? { deviceId: 'd2', deviceName: 'Counter 2' } : null,
        opId: null,
      },
    });
    const acks: Array<{ seq: number; at: number }> = [];
    let socket: WebSocket | null = null;
    wss.on('connection', (ws: WebSocket) => {
      socket = ws;
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { t: string; seq?: number };
        if (f.t === 'ack') acks.push({ seq: f.seq!, at: Date.now() });
        if (f.t === 'hello') {
          ws.send(JSON.stringify(welcome(1)));
          ws.send(JSON.stringify(arrival(1)));
        }
      });
    });
    // A cadence far longer than the test: only the first ack (none sent yet) and the soon ones come.
    const logs: string[] = [];
    const desk = DeskCore.open({ dbPath, hqUrls: [hqUrl], token: 't', reconnect: { minMs: 20, maxMs: 50 }, silenceMs: 5000, ackEveryMs: 60_000, log: (l) => logs.push(l) });
    cleanups.push(() => desk.close());
    desk.start();
    await waitFor(() => acks.some((a) => a.seq === 1));
    // An arrival, then a clerk's message from another counter: no ack before the cadence.
    socket!.send(JSON.stringify(arrival(2)));
    socket!.send(JSON.stringify(chat(3, 'clerk')));
    await waitFor(() => desk.position.seq === 3);
    expect(logs.filter((l) => l.includes('bad frame'))).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));
    expect(acks.map((a) => a.seq)).toEqual([1]);
    // A member's message: acked at once, covering everything before it.
    const sent = Date.now();
    socket!.send(JSON.stringify(chat(4, 'member')));
    await waitFor(() => acks.some((a) => a.seq === 4), 2000);
    expect(acks.map((a) => a.seq)).toEqual([1, 4]);
    expect(acks[1]!.at - sent).toBeLessThan(1000);
  });

  it('after a replayed batch, alerts only the arrivals still open, recent and latest of their member, once, from the end state', async () => {
    const { dbPath, wss, hqUrl } = await cacheAndServer('desk-alerts-');

    const now = Date.now();
    const at = (agoMs: number) => ({ arrivedAt: now - agoMs, lastSeenAt: now - agoMs });
    const old = visit('v-old', 'm1', at(2 * 3600_000)); // still open, but two hours ago
    const taken = visit('v-taken', 'm2', at(60_000)); // claimed at another counter later in the replay
    const first = visit('v-first', 'm3', at(50_000)); // m3 came again later in the replay: a newer visit
    const again = visit('v-again', 'm3', at(40_000));
    const news = visit('v-news', 'm4', at(30_000));
    const replay = [
      arrivalEv('E', 1, old, member('m1')),
      arrivalEv('E', 2, taken, member('m2')),
      arrivalEv('E', 3, first, member('m3')),
      arrivalEv('E', 4, news, member('m4')),
      claimedEv('E', 5, taken, null),
      arrivalEv('E', 6, again, member('m3')),
    ];
    // Live, after the catch-up: alerted whatever its time says (the desk's clock may be wrong).
    const live = arrivalEv('E', 7, visit('v-live', 'm5', at(5 * 3600_000)), member('m5'));
    let socket: WebSocket | null = null;
    wss.on('connection', (ws: WebSocket) => {
      socket = ws;
      ws.on('message', (d) => {
        if ((JSON.parse(d.toString()) as { t: string }).t !== 'hello') return;
        ws.send(JSON.stringify(welcome(6)));
        // One burst: the desk applies it as one batch (the events before its event loop turns).
        for (const ev of replay) ws.send(JSON.stringify(ev));
      });
    });

    const desk = DeskCore.open({ dbPath, hqUrls: [hqUrl], token: 't', reconnect: { minMs: 20, maxMs: 50 }, silenceMs: 2000, ackEveryMs: 30 });
    cleanups.push(() => desk.close());
    const heard: Array<{ e: 'arrival'; id: string } | { e: 'visits'; views: VisitView[] }> = [];
    desk.on('arrival', ({ visit: v }) => heard.push({ e: 'arrival', id: v.id }));
    desk.on('visits', ({ visits }) => heard.push({ e: 'visits', views: visits }));
    desk.start();
    await waitFor(async () => desk.position.seq === 6 && (await desk.getConnection()).status === 'online');

    expect(desk.stats).toMatchObject({ applied: 6, gaps: 0 });
    // One `visits` event with each changed visit's end state, then the alerts that are still news, in
    // arrival order: not the old one, not the one claimed meanwhile, not m3's first (m3 came again).
    expect(heard.map((h) => (h.e === 'arrival' ? h.id : 'visits'))).toEqual(['visits', 'v-news', 'v-again']);
    const shown = heard[0]!.e === 'visits' ? heard[0]!.views : [];
    expect(shown.map((v) => [v.id, v.status])).toEqual([
      ['v-old', 'open'],
      ['v-taken', 'claimed'],
      ['v-first', 'open'],
      ['v-news', 'open'],
      ['v-again', 'open'],
    ]);
    // The views of a batch are the views the desk answers one by one.
    for (const v of shown) expect(await desk.getVisit(v.id)).toEqual(v);

    heard.length = 0;
    socket!.send(JSON.stringify(live));
    await waitFor(() => heard.some((h) => h.e === 'arrival'));
    expect(heard.filter((h) => h.e === 'arrival')).toEqual([{ e: 'arrival', id: 'v-live' }]);
  });

  it('an event that fails rolls its whole batch back; the desk resumes from the last committed position and applies each event once', async () => {
    // A write fault on one visit only, until the test lifts it (a real fault: the SQLite write throws).
    const { dbPath, wss, hqUrl } = await cacheAndServer('desk-fail-', (setup) =>
      setup.db.exec("CREATE TRIGGER fault BEFORE INSERT ON visits WHEN NEW.id = 'v3' BEGIN SELECT RAISE(ABORT, 'disk says no'); END"),
    );
    const t0 = Date.now() - 60_000;
    const evs = [1, 2, 3, 4].map((n) => arrivalEv('E', n, visit(`v${n}`, `m${n}`, { arrivedAt: t0 + n, lastSeenAt: t0 + n }), member(`m${n}`)));
    const hellos: Array<{ resume?: { seq: number } }> = [];
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { t: string; resume?: { seq: number } };
        if (f.t !== 'hello') return;
        hellos.push(f);
        ws.send(JSON.stringify(welcome(4)));
        // First connection: seq 1 alone (committed), then 2–4 in one burst (3 fails). Later: from the position.
        if (hellos.length === 1) {
          ws.send(JSON.stringify(evs[0]));
          setTimeout(() => evs.slice(1).forEach((ev) => ws.send(JSON.stringify(ev))), 100);
        } else for (const ev of evs.slice(f.resume!.seq)) ws.send(JSON.stringify(ev));
      });
    });
    const { desk, logs, alerts } = startDesk(dbPath, hqUrl);

    await waitFor(() => logs.some((l) => l.includes('disk says no')));
    // Nothing of the failing batch: not v2 before the fault, nothing of v3; the position is seq 1's.
    const peek = openCache(dbPath);
    expect(peek.getPosition()).toEqual({ epoch: 'E', seq: 1 });
    expect([peek.getVisit('v2'), peek.getVisit('v3'), peek.getMember('m3')]).toEqual([null, null, null]);
    peek.db.exec('DROP TRIGGER fault');
    peek.db.close();

    await waitFor(() => desk.position.seq === 4, 5000);
    expect(hellos.map((h) => h.resume?.seq)).toEqual([0, ...hellos.slice(1).map(() => 1)]);
    expect(desk.stats).toMatchObject({ applied: 4, duplicates: 0 });
    expect(await desk.listVisits({})).toHaveLength(4);
    expect(alerts.sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
  });

  it('an event frame the schema refuses, in the middle of a burst: what came before it commits, the link closes with 4000, the resume brings the rest once', async () => {
    const { dbPath, wss, hqUrl } = await cacheAndServer('desk-badev-');
    const t0 = Date.now() - 60_000;
    const evs = [1, 2, 3, 4].map((n) => arrivalEv('E', n, visit(`v${n}`, `m${n}`, { arrivedAt: t0 + n, lastSeenAt: t0 + n }), member(`m${n}`)));
    const hellos: Array<{ resume?: { seq: number } }> = [];
    const closes: number[] = [];
    wss.on('connection', (ws: WebSocket) => {
      ws.on('close', (code) => closes.push(code));
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { t: string; resume?: { seq: number } };
        if (f.t !== 'hello') return;
        hellos.push(f);
        ws.send(JSON.stringify(welcome(4)));
        if (hellos.length > 1) return void evs.slice(f.resume!.seq).forEach((ev) => ws.send(JSON.stringify(ev)));
        // First connection: 1, 2, then seq 3 with a visit the schema refuses, then 4 — one burst.
        const broken = { ...evs[2]!, data: { ...evs[2]!.data, visit: { ...(evs[2]!.data as { visit: object }).visit, status: 'lost' } } };
        for (const ev of [evs[0], evs[1], broken, evs[3]]) ws.send(JSON.stringify(ev));
      });
    });
    const { desk, logs, alerts } = startDesk(dbPath, hqUrl);

    await waitFor(() => desk.position.seq === 4, 5000);
    expect(closes[0]).toBe(4000);
    expect(logs.filter((l) => l.includes('bad frame'))).toEqual(['link: dropping (bad frame from HQ: (root): Invalid input)', 'desk: link down (bad frame from HQ: (root): Invalid input)']);
    // The resume started after seq 2: the events before the refused one were committed, nothing after it.
    expect(hellos.map((h) => h.resume?.seq)).toEqual([0, 2]);
    expect(desk.stats).toMatchObject({ applied: 4, duplicates: 0 });
    expect((await desk.listVisits({})).map((v) => v.id).sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect((await desk.getVisit('v3'))?.status).toBe('open');
    expect(alerts.sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
  });
});

