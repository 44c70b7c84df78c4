// HQ as a cluster: three real node processes on one PostgreSQL schema and one NATS, desks spread
// over them. Delivery across nodes, a claim race across nodes, kill -9 of a node under load, the
// bus and the database going away and coming back, and resuming on a node used before.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, STORE_A, STORE_B } from '../support/cluster.ts';
import WebSocket from 'ws';
import { deskSocketUrl, ProtocolDesk } from '../support/protocolClient.ts';
import { PrivateNats, PrivatePg } from '../support/services.ts';
import { TEST_PG_URL } from '../support/pg.ts';
import { waitFor } from '../support/waitFor.ts';

const NATS_URL = process.env.FOOTFALL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Every event of a store, read from seq 0 by a fresh device at the given node. */
async function fullLog(cluster: Cluster, storeId: string, nodeIndex: number, epoch: string, head: number): Promise<number[]> {
  const e = await cluster.enroll(storeId, `auditor ${storeId} ${Math.random()}`, nodeIndex);
  const reader = new ProtocolDesk({ urls: [cluster.urls[nodeIndex]!], token: e.token, resume: { epoch, seq: 0 } });
  await reader.start();
  await waitFor(() => reader.seq >= head, 10_000, `log read to ${head}`);
  await reader.close();
  expect(reader.duplicates).toBe(0);
  expect(reader.gaps).toBe(0);
  return reader.events.map((e) => e.seq);
}

const desks: ProtocolDesk[] = [];
afterEach(async () => {
  await Promise.all(desks.splice(0).map((d) => d.close()));
});

async function deskAt(cluster: Cluster, storeId: string, name: string, nodeIndex: number): Promise<ProtocolDesk> {
  const e = await cluster.enroll(storeId, name, nodeIndex);
  const d = new ProtocolDesk({ urls: cluster.urls, token: e.token, start: nodeIndex });
  desks.push(d);
  await d.start();
  return d;
}

describe('three HQ nodes on one PostgreSQL and one NATS', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start({ nodes: 3, pgUrl: TEST_PG_URL, natsUrl: NATS_URL });
    await cluster.seed();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('an arrival ingested at node 1 reaches desks on nodes 2 and 3, in order', async () => {
    const d2 = await deskAt(cluster, STORE_A, 'counter on node 2', 1);
    const d3 = await deskAt(cluster, STORE_A, 'counter on node 3', 2);
    const start = d2.seq;
    const seqs: number[] = [];
    for (let i = 1; i <= 20; i++) seqs.push((await cluster.arrival(0, STORE_A, `m${(i % 10) * 2 + 1}`)).seq);
    const last = Math.max(...seqs);
    await waitFor(() => d2.seq >= last && d3.seq >= last, 10_000, 'both desks at the last arrival');
    for (const d of [d2, d3]) {
      const got = d.events.filter((e) => e.seq > start).map((e) => e.seq);
      expect(got).toEqual(Array.from({ length: last - start }, (_, i) => start + i + 1));
      expect(d.duplicates).toBe(0);
      expect(d.gaps).toBe(0);
      expect(d.welcomedBy[0]).toBe(cluster.urls[d === d2 ? 1 : 2]);
    }
    expect(d2.events.map((e) => e.id)).toEqual(d3.events.map((e) => e.id));
  });

  it('two desks on different nodes claim one visit: one wins, the other is told who holds it', async () => {
    const a = await deskAt(cluster, STORE_A, '前台 1', 1);
    const b = await deskAt(cluster, STORE_A, '前台 2', 2);
    const { visitId, seq } = await cluster.arrival(0, STORE_A, 'm3');
    await waitFor(() => a.seq >= seq && b.seq >= seq, 10_000, 'arrival at both desks');
    const [ackA, ackB] = await Promise.all([a.command('claim', { visitId }), b.command('claim', { visitId })]);
    const statuses = [ackA.status, ackB.status].sort();
    expect(statuses).toEqual(['ok', 'rejected']);
    const [winner, loser] = ackA.status === 'ok' ? [ackA, ackB] : [ackB, ackA];
    expect(loser.rejection?.code).toBe('already_claimed');
    expect(loser.rejection?.by?.deviceName).toBe(winner === ackA ? '前台 1' : '前台 2');
    // Both desks see the one claim.
    await waitFor(() => [a, b].every((d) => d.events.some((e) => e.type === 'visit.claimed' && (e.data as { visit: { id: string } }).visit.id === visitId)), 10_000, 'claim event');
  });

  it('a desk that reconnects with an older position to a node it used before gets exactly the missing events', async () => {
    const d = await deskAt(cluster, STORE_B, 'counter B', 0);
    for (let i = 0; i < 5; i++) await cluster.arrival(1, STORE_B, `m${2 * i + 2}`);
    const mid = { epoch: d.epoch, seq: d.seq };
    const more: number[] = [];
    for (let i = 0; i < 7; i++) more.push((await cluster.arrival(2, STORE_B, `m${2 * i + 2}`)).seq);
    const head = Math.max(...more);
    await waitFor(() => d.seq >= head, 10_000, 'desk at head');
    const e = await cluster.enroll(STORE_B, 'same desk, older cache', 0);
    const again = new ProtocolDesk({ urls: [cluster.urls[0]!], token: e.token, resume: mid });
    desks.push(again);
    await again.start();
    await waitFor(() => again.seq >= head, 10_000, 'resume to head');
    expect(again.resets).toBe(0);
    expect(again.events.map((x) => x.seq)).toEqual(Array.from({ length: head - mid.seq }, (_, i) => mid.seq + i + 1));
    expect(again.events.map((x) => x.id)).toEqual(d.events.filter((x) => x.seq > mid.seq).map((x) => x.id));
  });

  it('kill -9 of a node under load: its desks resume on another node with 0 lost and 0 doubled', async () => {
    const spread: ProtocolDesk[] = [];
    for (let i = 0; i < 6; i++) spread.push(await deskAt(cluster, i % 2 ? STORE_B : STORE_A, `load desk ${i}`, i % 3));
    const victim = cluster.nodes[1]!;
    let stop = false;
    let sent = 0;
    const heads = new Map<string, number>();
    const load = (async () => {
      while (!stop) {
        const storeId = sent % 2 ? STORE_B : STORE_A;
        const r = await cluster.arrival(sent % 3, storeId, `m${(sent % 10) * 2 + (storeId === STORE_A ? 1 : 2)}`);
        heads.set(storeId, Math.max(heads.get(storeId) ?? 0, r.seq));
        sent++;
        await new Promise((res) => setTimeout(res, 10));
      }
    })();
    await waitFor(() => sent >= 60, 20_000, 'load under way');
    await victim.kill9();
    const killedAt = sent;
    await waitFor(() => sent >= killedAt + 80, 30_000, 'load after the kill');
    stop = true;
    await load;
    for (const d of spread) {
      const storeId = spread.indexOf(d) % 2 ? STORE_B : STORE_A;
      await waitFor(() => d.seq >= heads.get(storeId)!, 20_000, `desk ${spread.indexOf(d)} at head ${heads.get(storeId)}`);
    }
    // The victim's desks were served afterwards by a live node.
    for (const i of [1, 4]) expect(spread[i]!.welcomedBy.at(-1)).not.toBe(victim.url);
    for (const [storeId, head] of heads) {
      const epoch = spread.find((_, i) => (i % 2 ? STORE_B : STORE_A) === storeId)!.epoch;
      const log = await fullLog(cluster, storeId, 0, epoch, head);
      for (const d of spread.filter((_, i) => (i % 2 ? STORE_B : STORE_A) === storeId)) {
        const from = d.events[0]?.seq ?? head + 1;
        expect(d.events.map((e) => e.seq), 'lost or reordered').toEqual(log.filter((s) => s >= from && s <= d.seq));
        expect(d.duplicates, 'doubled').toBe(0);
      }
    }
    await victim.restart();
  }, 90_000);
});

describe('the bus goes away and comes back', () => {
  let nats: PrivateNats;
  let cluster: Cluster;
  beforeAll(async () => {
    nats = await PrivateNats.create();
    cluster = await Cluster.start({ nodes: 2, pgUrl: TEST_PG_URL, natsUrl: nats.url });
    await cluster.seed();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
    await nats?.dispose();
  });

  it('NATS stopped and restarted: desks still converge (by polling meanwhile) and readiness says so', async () => {
    const d = await deskAt(cluster, STORE_A, 'desk on node 2', 1);
    const before = (await cluster.arrival(0, STORE_A, 'm1')).seq;
    await waitFor(() => d.seq >= before, 10_000, 'delivery with the bus up');

    await nats.stop();
    await waitFor(async () => {
      const r = (await (await fetch(`${cluster.urls[1]}/readyz`)).json()) as { ready: boolean; bus: { up: boolean } };
      return r.ready && !r.bus.up;
    }, 15_000, 'readyz: ready, bus down');
    const during: number[] = [];
    for (let i = 0; i < 5; i++) during.push((await cluster.arrival(0, STORE_A, `m${2 * i + 1}`)).seq);
    await waitFor(() => d.seq >= Math.max(...during), 10_000, 'delivery by the sweep while the bus is down');

    await nats.start();
    await waitFor(async () => ((await (await fetch(`${cluster.urls[1]}/readyz`)).json()) as { bus: { up: boolean } }).bus.up, 20_000, 'bus up again');
    const after = (await cluster.arrival(0, STORE_A, 'm5')).seq;
    await waitFor(() => d.seq >= after, 10_000, 'delivery after the bus came back');
    expect(d.duplicates).toBe(0);
    expect(d.gaps).toBe(0);
    expect(d.events.map((e) => e.seq)).toEqual(Array.from({ length: d.events.length }, (_, i) => d.events[0]!.seq + i));
  }, 90_000);
});

describe('the database restarts', () => {
  let pgServer: PrivatePg;
  let cluster: Cluster;
  beforeAll(async () => {
    pgServer = await PrivatePg.create();
    cluster = await Cluster.start({ nodes: 2, pgUrl: pgServer.url, natsUrl: NATS_URL });
    await cluster.seed();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
    pgServer?.dispose();
  });

  it('writes during the outage get 503 + Retry-After, none half-applied, and the nodes recover by themselves', async () => {
    const d = await deskAt(cluster, STORE_A, 'desk', 1);
    const first = (await cluster.arrival(0, STORE_A, 'm1')).seq;
    await waitFor(() => d.seq >= first, 10_000, 'first arrival');

    // A desk whose socket opened just before the outage says hello during it: it is told and
    // closed, and the node stays up (an unawaited rejection here once killed the node).
    const hello = new WebSocket(deskSocketUrl(cluster.urls[1]!), { headers: { authorization: `Bearer ${d.token}` } });
    const helloClosed = new Promise<number>((resolve) => hello.on('close', (code) => resolve(code)));
    await new Promise((r) => hello.once('open', r));
    pgServer.stop();
    hello.send(JSON.stringify({ t: 'hello', v: 1, resume: { epoch: d.epoch, seq: d.seq } }));
    expect(await helloClosed).toBe(1001);
    await new Promise((r) => setTimeout(r, 300));
    expect(cluster.nodes[1]!.alive).toBe(true);
    const refused = await cluster.ingest(0, 'arrivals', { storeId: STORE_A, memberId: 'm3', source: 'door' }, { 'idempotency-key': 'outage-1' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    const ready = await fetch(`${cluster.urls[0]}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${cluster.urls[0]}/healthz`)).status).toBe(200);

    pgServer.start();
    // Same key again after the outage: applied once, now.
    await waitFor(async () => (await fetch(`${cluster.urls[0]}/readyz`)).status === 200, 20_000, 'node 1 ready again');
    const retried = await cluster.arrival(0, STORE_A, 'm3', 'outage-1');
    expect(retried.status).toBe('created');
    const last = (await cluster.arrival(1, STORE_A, 'm5')).seq;
    await waitFor(() => d.seq >= last, 15_000, 'desk converges after the restart');
    expect(last).toBe(first + 2); // nothing from the refused request reached the log
    expect(d.events.filter((e) => e.seq > first).map((e) => e.seq)).toEqual([first + 1, first + 2]);
    expect(d.duplicates).toBe(0);
  }, 90_000);
});
