// Groups (5/8): one group of 5,000 members, all online, on two HQ nodes over PostgreSQL + NATS; a
// host's desk sends 20 messages a second for 20 s. Reports the delivery latency (host sends the
// command → the frame is at a member's socket) p50/p99 and frames delivered per second.
//
// The two HQ nodes run in processes of their own (bench/lib/setups.ts `pg2`), seeded with one store
// of 5,000 members and the demo clerks; the group is created by the host's desk (a clerk of the
// store, over the desk protocol, in this process, on node 1) and its 5,000 memberships are written
// to the store as a seed (bench/children/hq.ts `groupMembers`). The member sockets live in child
// processes of their own, one per node (half the members on node 1, half on node 2), so half of every message reaches its
// members through the other node (the doorbell over NATS and that node's fan-out). The host's
// desk stamps its send time into the text; a member socket reads it back (one machine, one clock).
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { num, profileDir } from './lib/env.ts';
import { forkChild, nowMs, sleep } from './lib/proc.ts';
import { benchStoreId, benchToken } from './lib/seed.ts';
import { HqSetup } from './lib/setups.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const MEMBERS = num('GROUPS_MEMBERS', 5000);
const RATE = num('GROUPS_RATE', 20);
const SECONDS = num('GROUPS_SECONDS', 20);
/** Targets on this 2-core box, everything on it (HQ nodes, PostgreSQL, NATS, 5,000 sockets). */
const TARGET = { p50Ms: 250, p99Ms: 1000, delivered: 1 };

const storeId = benchStoreId(0);
/** A demo clerk of store 0 (hq/demo/clerks.ts): the group's host. */
const clerkId = `${storeId}-c1`;

/** The host's desk: a bare desk-protocol socket that sends commands and waits for their acks. */
class HostDesk {
  private readonly acks = new Map<string, (status: string) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const text = d.toString();
      if (!text.startsWith('{"t":"cmdAck"')) return;
      const f = JSON.parse(text) as { opId: string; status: string; rejection?: unknown };
      this.acks.get(f.opId)?.(f.status === 'rejected' ? `rejected ${JSON.stringify(f.rejection)}` : f.status);
      this.acks.delete(f.opId);
    });
  }

  static open(url: string, token: string): Promise<HostDesk> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/desk`, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
      ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1 })));
      ws.on('message', (d: Buffer) => {
        if (d.toString().startsWith('{"t":"welcome"')) resolve(new HostDesk(ws));
      });
      ws.once('error', reject);
    });
  }

  /** Sends a command; answers its ack's status, or `no ack` after 30 s (a dropped desk fails the run rather than hanging it). */
  command(type: string, data: Record<string, unknown>): Promise<string> {
    const opId = randomUUID();
    const acked = new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('no ack'), 30_000);
      this.acks.set(opId, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    this.ws.send(JSON.stringify({ t: 'cmd', opId, type, data, clerkId }));
    return acked;
  }

  close(): void {
    this.ws.close();
  }
}

/** One member-socket process per HQ node (`pg2`: two). */
const members = [forkChild('groupMembers', { maxOldSpaceMb: 2048 }), forkChild('groupMembers', { maxOldSpaceMb: 2048 })];
const all = <T>(type: string, payload: (k: number) => unknown = () => ({})) => Promise.all(members.map((m, k) => m.call<T>(type, payload(k))));
type Results = { received: number; closes: number };
let setup: HqSetup | null = null;
let host: HostDesk | null = null;
try {
  const t0 = Date.now();
  setup = await HqSetup.start('pg2', { stores: 1, membersPerStore: MEMBERS, desksPerStore: 1, clerks: true } as Parameters<typeof HqSetup.start>[1], {
    cpuProfDir: profileDir(),
  });
  host = await HostDesk.open(setup.urls[0]!, benchToken(0, 0));
  const groupId = randomUUID();
  const created = await host.command('group.create', { groupId, scope: 'store', name: '跑步俱乐部', topic: 'bench', welcome: '' });
  if (created !== 'ok') throw new Error(`group.create: ${created}`);
  const { tokens } = await setup.nodes[0]!.call<{ tokens: string[] }>('groupMembers', { storeId, groupId, members: MEMBERS });
  console.log(`groups: ${setup.label}; ${MEMBERS} members seeded, group made and joined in ${Date.now() - t0} ms`);
  const parts = await all<{ connected: number; ms: number; retried: number }>('connect', (k) => ({ urls: [setup!.urls[k]], tokens: tokens.filter((_, i) => i % members.length === k) }));
  const c = { connected: parts.reduce((a, p) => a + p.connected, 0), ms: Math.max(...parts.map((p) => p.ms)), retried: parts.reduce((a, p) => a + p.retried, 0) };
  console.log(`groups: ${c.connected} member sockets online over ${setup.urls.length} nodes in ${c.ms} ms (${c.retried} hellos unanswered in 15 s and retried)`);

  // The host's desk connects again now: it sat idle through the members' connect storm (minutes on
  // a loaded box), and the measured sends should not depend on that socket having survived it.
  host.close();
  host = await HostDesk.open(setup.urls[0]!, benchToken(0, 0));
  // A short warm-up (caches, JIT), then the measured window.
  for (let i = 0; i < RATE; i++) await host.command('group.send', { groupId, clientId: randomUUID(), kind: 'text', text: `warm ${i}` });
  await sleep(1000);
  await all('record', () => ({ on: true }));
  const count = RATE * SECONDS;
  const start = nowMs();
  const sends: Promise<string>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    sends.push(host.command('group.send', { groupId, clientId: randomUUID(), kind: 'text', text: `bench ${i} ${nowMs().toFixed(3)}` }));
  }
  const refused = (await Promise.all(sends)).filter((s) => s !== 'ok');
  const sentFor = (nowMs() - start) / 1000;
  // Wait for the stragglers (at most 10 s), then read.
  const expected = count * c.connected;
  const results = async (): Promise<Results> => {
    const rs = await all<Results>('results');
    return { received: rs.reduce((a, x) => a + x.received, 0), closes: rs.reduce((a, x) => a + x.closes, 0) };
  };
  let r0 = await results();
  for (let waited = 0; r0.received < expected && waited < 10_000; waited += 250) {
    await sleep(250);
    r0 = await results();
  }
  const seconds = (nowMs() - start) / 1000;
  await all('record', () => ({ on: false }));
  const r = { ...r0, latency: summarize((await all<Float64Array>('samples')).flatMap((a) => [...a])) };
  const deliveredPerSec = Math.round(r.received / seconds);
  const share = expected ? r.received / expected : 0;
  console.log(`groups: ${count} messages sent in ${sentFor.toFixed(1)} s (${refused.length} refused), ${r.received} of ${expected} frames at member sockets (${(share * 100).toFixed(2)} %), ${r.closes} sockets closed`);
  console.log(`groups: latency send → member socket p50 ${fmtMs(r.latency.p50)}, p90 ${fmtMs(r.latency.p90)}, p99 ${fmtMs(r.latency.p99)}, max ${fmtMs(r.latency.max)}; ${deliveredPerSec} frames/s delivered`);
  const pass = r.latency.p50 <= TARGET.p50Ms && r.latency.p99 <= TARGET.p99Ms && share >= TARGET.delivered && refused.length === 0;
  printResult('groups', {
    pass,
    members: c.connected,
    rate: RATE,
    messages: count,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    deliveredPerSec,
    deliveredShare: Math.round(share * 10000) / 10000,
    targets: TARGET,
  });
} finally {
  host?.close();
  await Promise.all(members.map((m) => m.stop()));
  await setup?.stop();
}
