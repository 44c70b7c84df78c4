// Structure-aware fuzzing (test/fuzz/zodFuzz.ts) against the real boundaries: HQ's desk socket
// (DeskToHq frames), HQ's HTTP bodies (ingest arrivals/members, enrollment) and the web shell's
// bridge. Every bad input gets a clear answer — an error frame and a close code, a 4xx JSON error,
// an `invalid_argument` reply or the bridge's 4000 close — nothing crashes, and a well-behaved desk
// connected the whole time receives every event.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { startWebShell } from '../../electron/web/webShell.ts';
import { BRIDGE_PATH } from '../../shared/bridgeSocket.ts';
import { ArrivalRequest } from '../../hq/edge/http/ingest.ts';
import { IngestMember } from '../../hq/app/catalogIngest.ts';
import { type DeskApi } from '../../shared/deskApi.ts';
import { CloseCode, DeskToHq, EnrollRequest } from '../../shared/protocol.ts';
import { mutate, prototypeIsClean, Prng, validSamples } from '../fuzz/zodFuzz.ts';
import { FAST, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';
import { waitFor } from '../support/waitFor.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0xf00d);
let t: TestHq;
let good: DeskCore;
let arrivals = 0;

beforeAll(async () => {
  // Rate limits off: the fuzzer sends far more than one client IP may (the limits have their own test).
  t = await TestHq.start({ httpRateLimits: false, maxFramesPerSecond: 1000, seed: 'storesAB' });
  const e = await t.enroll('store-a', 'Well-behaved counter');
  good = DeskCore.open({ dbPath: join(t.dir, 'good-desk.db'), hqUrls: [t.hq.url], token: e.token, ...FAST });
  good.start();
  await waitFor(async () => (await good.getConnection()).status === 'online', 5000, 'good desk online');
});
afterAll(async () => {
  await good.close();
  await t.dispose();
});

async function arrival(): Promise<void> {
  const r = await t.postArrival({ storeId: 'store-a', memberId: arrivals % 2 ? 'm1' : 'm2', source: 'door' }, `fuzz-${SEED}-${arrivals}`);
  expect(r.status).toBeLessThan(300);
  arrivals++;
}

const ALLOWED_CLOSES = new Set<number>([CloseCode.badFrame, CloseCode.protocolViolation, CloseCode.unsupportedVersion, CloseCode.tooLarge, CloseCode.rateLimited]);

describe('HQ desk socket fuzz', () => {
  it('mutated DeskToHq frames: error frame + close code or a normal answer; the good desk keeps receiving', async () => {
    const rng = new Prng(SEED);
    const fuzzer = await t.enroll('store-a', 'Fuzzer');
    const seeds = [
      { t: 'hello', v: 1 },
      { t: 'hello', v: 1, resume: { epoch: (await t.position('store-a')).epoch, seq: 0 } },
      { t: 'ack', seq: 0 },
      { t: 'cmd', opId: 'op-seed-1', type: 'claim', data: { visitId: 'v-unknown' } },
      { t: 'cmd', opId: 'op-seed-2', type: 'note', data: { visitId: 'v-unknown', noteId: 'n-1', text: 'hello' } },
      { t: 'cmd', opId: 'op-seed-3', type: 'close', data: { visitId: 'v-unknown', outcome: 'tried' } },
      { t: 'signal', kind: 'typing', memberId: 'm1', data: { on: true } },
    ];
    const valid = validSamples(DeskToHq, rng, seeds, 20);
    const tally: Record<string, number> = {};
    for (let i = 0; i < 120; i++) {
      if (i % 10 === 0) await arrival();
      const { text, kind } = mutate(rng.pick(valid), rng, { hugeBytes: rng.pick([300, 70 * 1024]) });
      const d = await RecordingDesk.connect(t.hq, fuzzer.token);
      d.send(text);
      const probe = `probe-${i}`;
      if (d.ws.readyState === WebSocket.OPEN) d.send({ t: 'cmd', opId: probe, type: 'claim', data: { visitId: 'v-none' } });
      const outcome = await Promise.race([
        d.closed.then((c) => `close ${c.code}`),
        d.waitFor((f) => f.t === 'cmdAck' && f.opId === probe, 3000).then(() => 'answered'),
      ]);
      if (outcome.startsWith('close')) {
        const code = Number(outcome.slice(6));
        expect(ALLOWED_CLOSES.has(code), `${kind}: ${text.slice(0, 120)} → ${outcome}`).toBe(true);
        if (code !== CloseCode.tooLarge) expect(d.frames.some((f) => f.t === 'error'), `${kind}: error frame before ${code}`).toBe(true);
      }
      tally[outcome] = (tally[outcome] ?? 0) + 1;
      d.close();
    }
    expect(Object.keys(tally).length).toBeGreaterThan(1);
    const head = (await t.hq.store.read((r) => r.getStore('store-a')))!.head;
    await waitFor(() => good.position.seq === head, 5000, 'good desk at head');
    expect((await good.listArrivals({})).length).toBe(2); // m1 and m2: repeats bump the open visit
    expect(good.stats.gaps).toBe(0);
    expect((await fetch(`${t.hq.url}/v1/health`)).status).toBe(200);
  });
});

describe('HQ HTTP fuzz', () => {
  it('mutated ingest and enrollment bodies: 4xx JSON errors, never a 5xx', async () => {
    const rng = new Prng(SEED + 1);
    const targets = [
      { path: '/v1/ingest/arrivals', schema: ArrivalRequest, seeds: [{ storeId: 'store-a', memberId: 'm1', source: 'door' }, { storeId: 'store-b', phone: '13800000003', source: 'miniprogram' }] },
      { path: '/v1/ingest/members', schema: null, seeds: [[{ id: 'mx', code: 'MX01', name: '新会员', tier: 'gold', phone: '13900000000', homeStoreId: 'store-a', sizes: { eu: 40, cn: 250 } }]] },
      { path: '/v1/enroll', schema: EnrollRequest, seeds: [{ code: 'ABCD-EFGH', deviceName: 'Counter' }] },
    ];
    const statuses: Record<number, number> = {};
    for (const target of targets) {
      const valid = target.schema ? validSamples(target.schema, rng, target.seeds, 10) : [...target.seeds, ...validSamples(IngestMember, rng, [], 5).map((m) => [m])];
      for (let i = 0; i < 60; i++) {
        if (i % 20 === 0) await arrival();
        const { text, kind } = mutate(rng.pick(valid), rng, { hugeBytes: rng.pick([300, 200_000, 1_100_000]) });
        const res = await fetch(`${t.hq.url}${target.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-integration-key': t.hq.integrationKey, 'idempotency-key': `fz-${i}-${target.path}` },
          body: text,
        });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        expect(res.status, `${target.path} ${kind}: ${text.slice(0, 120)}`).toBeLessThan(500);
        const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
        expect(body, `${target.path} ${kind}: JSON answer`).not.toBeNull();
        if (res.status >= 400) expect(typeof body!.error?.code).toBe('string');
      }
    }
    expect(Object.keys(statuses).some((s) => Number(s) >= 400)).toBe(true);
    expect(prototypeIsClean()).toBe(true);
    const head = (await t.hq.store.read((r) => r.getStore('store-a')))!.head;
    await waitFor(() => good.position.seq === head, 5000, 'good desk at head');
  });
});

describe('web shell bridge fuzz', () => {
  it('mutated bridge requests: an invalid_argument reply or close 4000, never a crash', async () => {
    const calls: string[] = [];
    const core = new Proxy({} as Record<string, unknown>, {
      get: (_t, prop) => (prop === 'on' ? () => () => {} : (...args: unknown[]) => (calls.push(String(prop)), Promise.resolve(args.length ? null : null))),
    }) as unknown as DeskApi;
    const staticDir = join(t.dir, 'renderer');
    mkdirSync(staticDir, { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    const shell = await startWebShell({ core, staticDir, token: 'fuzz-token-0123456789abcdef' });
    const origin = `http://127.0.0.1:${shell.port}`;
    const rng = new Prng(SEED + 2);
    const seeds = [
      { id: 1, method: 'getVisit', args: ['v1'] },
      { id: 2, method: 'listVisits', args: [{ limit: 10 }] },
      { id: 3, method: 'addNote', args: ['v1', 'hello'] },
      { id: 4, method: 'searchMembers', args: [{ query: '张' }] },
      { id: 5, method: 'closeVisit', args: ['v1', 'purchased', 'note'] },
    ];
    let socket: WebSocket | null = null;
    const open = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${shell.port}${BRIDGE_PATH}?token=${shell.token}`, { origin });
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      return ws;
    };
    const tally: Record<string, number> = {};
    try {
      for (let i = 0; i < 150; i++) {
        socket ??= await open();
        const ws = socket;
        const { text, kind } = mutate(rng.pick(seeds), rng, { hugeBytes: rng.pick([300, 100_000]) });
        const outcome = await new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve('silent'), 1500);
          const onMsg = (data: WebSocket.RawData) => {
            const m = JSON.parse(data.toString()) as { id?: number; ok?: boolean; error?: { code: string } };
            if (m.id === undefined) return;
            clearTimeout(timer);
            ws.off('message', onMsg);
            resolve(m.ok ? 'ok' : `error ${m.error?.code}`);
          };
          ws.on('message', onMsg);
          ws.once('close', (code) => (clearTimeout(timer), resolve(`close ${code}`)));
          ws.send(text);
        });
        if (outcome.startsWith('close')) socket = null;
        expect(['ok', 'error invalid_argument', 'close 4000', 'close 1009'], `${kind}: ${text.slice(0, 120)}`).toContain(outcome);
        tally[outcome] = (tally[outcome] ?? 0) + 1;
      }
    } finally {
      socket?.close();
      await shell.close();
    }
    expect(tally['error invalid_argument']).toBeGreaterThan(0);
    expect(tally['close 4000']).toBeGreaterThan(0);
    expect(prototypeIsClean()).toBe(true);
  });
});
