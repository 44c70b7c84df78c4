// Nothing that must hold across HQ nodes lives in one node's memory: one link per device across
// nodes, chat receipts between a desk and a member on different nodes, sign-in throttles and
// clerk lockouts, catalog caches, one clerks.updated per change, and the admin CLI publishing
// like a node. Two real node processes on one PostgreSQL schema and one NATS.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, STORE_A } from '../support/cluster.ts';
import { deskSocketUrl, ProtocolDesk } from '../support/protocolClient.ts';
import { TEST_PG_URL } from '../support/pg.ts';
import { waitFor } from '../support/waitFor.ts';

const NATS_URL = process.env.FOOTFALL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('no single-process state across two HQ nodes', () => {
  let cluster: Cluster;
  const desks: ProtocolDesk[] = [];
  beforeAll(async () => {
    // A sweep far slower than any wait below: what crosses nodes here crosses by the bus.
    cluster = await Cluster.start({ nodes: 2, pgUrl: TEST_PG_URL, natsUrl: NATS_URL, node: { sweepMs: 60_000 } });
    await cluster.seed();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(desks.splice(0).map((d) => d.close()));
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  async function desk(name: string, nodeIndex: number, token?: string): Promise<{ d: ProtocolDesk; token: string; deviceId: string }> {
    const e = token ? { token, deviceId: '' } : await cluster.enroll(STORE_A, name, nodeIndex);
    const d = new ProtocolDesk({ urls: [cluster.urls[nodeIndex]!], token: e.token });
    desks.push(d);
    await d.start();
    return { d, token: e.token, deviceId: e.deviceId };
  }

  it('a device connected to two nodes: the older socket is closed with 4009', async () => {
    const e = await cluster.enroll(STORE_A, 'one device', 0);
    const older = new WebSocket(deskSocketUrl(cluster.urls[0]!), { headers: { authorization: `Bearer ${e.token}` } });
    const closed = new Promise<number>((resolve) => older.on('close', (code) => resolve(code)));
    await new Promise((r) => older.once('open', r));
    older.send(JSON.stringify({ t: 'hello', v: 1 }));
    await new Promise((r) => setTimeout(r, 200));
    const { d: newer } = await desk('', 1, e.token);
    expect(await closed).toBe(4009);
    // The newer one stays.
    const { seq } = await cluster.arrival(0, STORE_A, 'm1');
    await waitFor(() => newer.seq >= seq, 10_000, 'newer socket still served');
    expect(newer.connected).toBe(true);
  });

  it('chat receipts work when the desk and the member sit on different nodes', async () => {
    const { d } = await desk('chat desk', 1);
    const login = await fetch(`${cluster.urls[0]}/v1/member/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: STORE_A, memberCode: 'M0000001', phoneLast4: '1001' }),
    });
    expect(login.status).toBe(201);
    const { token } = (await login.json()) as { token: string };
    // The member's live socket on node 1.
    const member = new WebSocket(`${cluster.urls[0]!.replace('http', 'ws')}/v1/member/socket`);
    const frames: Array<{ t: string; receipts?: { storeDelivered: number; storeRead: number }; storeOnline?: boolean }> = [];
    member.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
    await new Promise((r) => member.once('open', r));
    member.send(JSON.stringify({ t: 'hello', v: 1, token }));
    // (15 s: the welcome reads the store's presence from NATS and the conversation from PostgreSQL, which
    // the node processes share with the rest of the suite on two cores; one CI run took over 5 s.)
    await waitFor(() => frames.some((f) => f.t === 'welcome'), 15_000, 'member welcome');
    // The desk on node 2 counts as "the store is online" for the member on node 1.
    expect(frames.find((f) => f.t === 'welcome')?.storeOnline).toBe(true);

    const sent = await fetch(`${cluster.urls[0]}/v1/member/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: randomUUID(), kind: 'text', text: '有42码吗?' }),
    });
    expect(sent.status).toBe(201);
    const { message } = (await sent.json()) as { message: { n: number } };
    await waitFor(() => d.events.some((e) => e.type === 'chat.message'), 10_000, 'message at the desk on node 2');
    // The desk acked it (the protocol client acks every event): "delivered to the store" reaches the member on node 1.
    await waitFor(() => frames.some((f) => f.t === 'receipt' && (f.receipts?.storeDelivered ?? 0) >= message.n), 10_000, 'delivered receipt at the member');
    // The clerk reads it on node 2: "read" reaches the member on node 1.
    const ack = await d.command('chat.read', { memberId: 'm1', upTo: message.n });
    expect(ack.status).toBe('ok');
    await waitFor(() => frames.some((f) => f.t === 'receipt' && (f.receipts?.storeRead ?? 0) >= message.n), 10_000, 'read receipt at the member');
    member.close();
  });

  it('member sign-in throttling holds across nodes', async () => {
    const attempt = (node: number, last4: string) =>
      fetch(`${cluster.urls[node]}/v1/member/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ storeId: STORE_A, memberCode: 'M0000003', phoneLast4: last4 }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt(i % 2, '0000')).status).toBe(401);
    // The right digits, on either node, are now throttled.
    expect((await attempt(0, '1003')).status).toBe(429);
    expect((await attempt(1, '1003')).status).toBe(429);
  });

  it('a clerk locked out on one node is locked out on the other', async () => {
    const saved = (await cluster.ingestOk(0, 'clerks', [{ storeId: STORE_A, name: '李娜', role: 'clerk', pin: '2468' }])) as { clerks: Array<{ id: string }> };
    const clerkId = saved.clerks[0]!.id;
    const e = await cluster.enroll(STORE_A, 'pin desk', 0);
    const signIn = (node: number, pin: string) =>
      fetch(`${cluster.urls[node]}/v1/clerks/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${e.token}` },
        body: JSON.stringify({ clerkId, pin }),
      });
    for (let i = 0; i < 4; i++) expect((await signIn(i % 2, '1111')).status).toBe(401);
    expect((await signIn(0, '1111')).status).toBe(423); // the fifth wrong PIN locks
    expect((await signIn(1, '2468')).status).toBe(423);
    expect((await signIn(0, '2468')).status).toBe(423);
  });

  it('one clerks.updated per change, not one per node', async () => {
    const { d } = await desk('clerk watcher', 1);
    const before = d.seq;
    await cluster.ingestOk(0, 'clerks', [
      { storeId: STORE_A, name: '王芳', role: 'clerk', pin: '1357' },
      { storeId: STORE_A, name: '陈静', role: 'manager', pin: '9753' },
    ]);
    await waitFor(() => d.events.some((e) => e.seq > before && e.type === 'clerks.updated'), 10_000, 'clerks.updated');
    await new Promise((r) => setTimeout(r, 1500)); // several sweeps of both nodes
    expect(d.events.filter((e) => e.seq > before && e.type === 'clerks.updated')).toHaveLength(1);
  });

  it('the catalog cache is invalidated on every node', async () => {
    // Node 2 builds its cache with the current stock, then stock changes through node 1.
    const first = await cluster.arrival(1, STORE_A, 'm5');
    const { d } = await desk('catalog watcher', 1);
    void first;
    await cluster.ingestOk(0, 'catalog', [
      { id: 'st-new', name: 'Trail Blazer', category: 'running', price: 99900, colors: [{ code: 'RED', name: 'Red' }], sizes: [42], releasedAt: Date.now() },
    ]);
    await cluster.ingestOk(0, 'stock', [{ storeId: STORE_A, styleId: 'st-new', color: 'RED', size: 42, qty: 4 }]);
    const { seq } = await cluster.arrival(1, STORE_A, 'm7');
    await waitFor(() => d.seq >= seq, 10_000, 'arrival at the desk');
    const ev = d.events.find((e) => e.seq === seq)!;
    const recs = (ev.data as { profile: { recommendations: Array<{ styleId: string }> } }).profile.recommendations;
    expect(recs.map((r) => r.styleId)).toContain('st-new');
  });

  it('the admin CLI publishes like a node: revoke and erase-member reach connected desks at once', async () => {
    const { d, deviceId } = await desk('to be revoked', 1);
    const { d: watcher } = await desk('watcher', 0);
    const admin = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'hq/admin.ts', ...args, '--pg', TEST_PG_URL, '--pg-schema', cluster.schema, '--nats', NATS_URL, '--nats-prefix', cluster.natsPrefix]);
    const closed = new Promise<number>((resolve) => (d.onClose = resolve));
    const t0 = Date.now();
    await admin('revoke', '--device', deviceId);
    expect(await closed).toBe(4001);
    // The nodes sweep only once a minute here: the CLI's control message did it.
    expect(Date.now() - t0).toBeLessThan(10_000);
    const before = watcher.seq;
    await admin('erase-member', '--member', 'm9');
    await waitFor(() => watcher.events.some((e) => e.seq > before && e.type === 'member.deleted'), 5000, 'member.deleted at the desk');
  }, 60_000);
});
