// The bus port's adapters against one behaviour suite: the in-memory hub (two views = two nodes in
// one process) and core NATS (two connections = two nodes) on the real server at 127.0.0.1:4222.
// NATS outages are made with a TCP proxy in the test, never by stopping the shared server.
import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBusHub, createMemoryBus } from '../../hq/adapters/memory/memoryBus.ts';
import { connectNatsBus, createNatsBus } from '../../hq/adapters/nats/natsBus.ts';
import { connectNats, type NatsLink } from '../../hq/adapters/nats/natsConnection.ts';
import { decodeToken, encodeToken } from '../../hq/adapters/nats/tokens.ts';
import { type Bus, type BusStatus, type Control, type Doorbell, type RoomSignal, type StoreSignal } from '../../hq/ports/bus.ts';
import { waitFor } from '../support/waitFor.ts';

const NATS = '127.0.0.1:4222';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two nodes on one bus. `settle` makes subscriptions made so far effective everywhere. */
interface TwoNodes {
  a: Bus;
  b: Bus;
  settle(): Promise<void>;
  /** Subjects node b is subscribed to on the wire (NATS only). */
  wireSubjects?(): string[];
  close(): Promise<void>;
}

interface Flavour {
  name: string;
  nodes(): Promise<TwoNodes>;
}

const memory: Flavour = {
  name: 'memory',
  async nodes() {
    const hub = new MemoryBusHub();
    const a = hub.bus({ log: () => {} });
    const b = hub.bus({ log: () => {} });
    return { a, b, settle: async () => {}, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
};

/** Each run of the suite on its own subjects, so parallel runs and other suites never cross. */
const prefix = () => `fftest.${randomBytes(6).toString('hex')}`;

async function link(name: string, log: (l: string) => void = () => {}, url = NATS): Promise<NatsLink> {
  return connectNats(url, { name, log });
}

/** Fails (never skips) when the shared NATS server is not there. */
async function mustLink(name: string, log?: (l: string) => void): Promise<NatsLink> {
  const l = await link(name, log);
  if (!l.status().up) {
    const why = l.status().detail;
    await l.close();
    throw new Error(`NATS is not reachable at ${NATS}: ${why}`);
  }
  return l;
}

function subjectsOf(l: NatsLink): string[] {
  const nc = l.connection() as unknown as { protocol: { subscriptions: { all(): { getSubject(): string }[] } } } | null;
  return nc ? nc.protocol.subscriptions.all().map((s) => s.getSubject()) : [];
}

async function flush(...links: NatsLink[]): Promise<void> {
  for (const l of links) await l.connection()?.flush();
}

const nats: Flavour = {
  name: 'nats',
  async nodes() {
    const p = prefix();
    const la = await mustLink('test-a');
    const lb = await mustLink('test-b');
    const a = createNatsBus(la, { prefix: p });
    const b = createNatsBus(lb, { prefix: p });
    return {
      a,
      b,
      settle: () => flush(la, lb),
      wireSubjects: () => subjectsOf(lb),
      async close() {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([la.close(), lb.close()]);
      },
    };
  },
};

const bell = (origin: string, storeId: string, head = 1): Doorbell => ({ origin, storeId, epoch: 'e1', head });

for (const flavour of [memory, nats]) {
  describe(`bus adapter: ${flavour.name}`, () => {
    let n: TwoNodes;
    beforeAll(async () => {
      n = await flavour.nodes();
    });
    afterAll(async () => {
      await n?.close();
    });

    it('is up', () => {
      expect(n.a.kind).toBe(flavour.name);
      expect(n.a.status().up).toBe(true);
      expect(n.b.status().up).toBe(true);
    });

    it('delivers a doorbell to the other node, origin intact, and not back to the sender', async () => {
      const atA: Doorbell[] = [];
      const atB: Doorbell[] = [];
      const stopA = n.a.onDoorbell('s1', (d) => atA.push(d));
      const stopB = n.b.onDoorbell('s1', (d) => atB.push(d));
      await n.settle();
      const d = bell('node-a', 's1', 42);
      n.a.publishDoorbell(d);
      // Node b's doorbell after a's: both reach a, in order, so by then a's own would have too.
      n.b.publishDoorbell(bell('node-b', 's1', 43));
      await waitFor(() => atA.length === 1 && atB.length === 1, 5000, "each node's doorbell at the other");
      await n.settle();
      expect(atB).toEqual([d]);
      expect(atA).toEqual([bell('node-b', 's1', 43)]);
      // Each node gets its own copy: a handler cannot change what the publisher (or others) hold.
      expect(atB[0]).not.toBe(d);
      stopA();
      stopB();
    });

    it('carries the committed events a doorbell holds, intact', async () => {
      const atB: Doorbell[] = [];
      const stopB = n.b.onDoorbell('s1', (d) => atB.push(d));
      await n.settle();
      const events = [7, 8].map((seq) => ({ storeId: 's1', epoch: 'e1', seq, id: `ev-${seq}`, type: 'visit.updated' as const, at: 1_700_000_000_000 + seq, data: `{"n":${seq},"名":"李娜"}` }));
      const d: Doorbell = { ...bell('node-a', 's1', 8), events };
      n.a.publishDoorbell(d);
      await waitFor(() => atB.length === 1, 5000, 'doorbell at node b');
      expect(atB[0]).toEqual(d);
      stopB();
    });

    it('never calls a handler inside publish', async () => {
      let inPublish = false;
      let reentered = false;
      let got = 0;
      const stop = n.a.onSignal('s-sync', () => {
        got++;
        if (inPublish) reentered = true;
      });
      await n.settle();
      inPublish = true;
      n.a.publishSignal({ origin: 'node-a', storeId: 's-sync', to: 'desks', text: '{}' });
      inPublish = false;
      await waitFor(() => got === 1, 5000, 'own signal');
      expect(reentered).toBe(false);
      stop();
    });

    it('keeps stores apart, whatever characters their ids hold', async () => {
      const ids = ['x', 'y', 'a.b', 'a_2Eb', '*', '>', 'store 1', 'ünï', ''];
      const seen = new Map<string, string[]>();
      const stops = ids.map((id) => n.b.onDoorbell(id, (d) => seen.set(id, [...(seen.get(id) ?? []), d.storeId])));
      await n.settle();
      for (const id of ids) n.a.publishDoorbell(bell('node-a', id));
      await waitFor(() => ids.every((id) => (seen.get(id) ?? []).length >= 1), 5000, 'one doorbell per store');
      await sleep(50);
      for (const id of ids) expect(seen.get(id)).toEqual([id]);
      for (const stop of stops) stop();
    });

    it('counts handlers per store: one wire subscription, dropped with the last handler', async () => {
      const got: string[] = [];
      const stop1 = n.b.onDoorbell('rc', () => got.push('h1'));
      const stop2 = n.b.onDoorbell('rc', () => got.push('h2'));
      const sentinel: Doorbell[] = [];
      const stopSentinel = n.b.onDoorbell('rc-sentinel', (d) => sentinel.push(d));
      await n.settle();
      if (n.wireSubjects) expect(n.wireSubjects().filter((s) => s.endsWith('.door.rc'))).toHaveLength(1);

      n.a.publishDoorbell(bell('node-a', 'rc', 1));
      await waitFor(() => got.length === 2, 5000, 'both handlers');
      expect(got.sort()).toEqual(['h1', 'h2']);

      stop1();
      stop1(); // a second call changes nothing (it must not take h2's place in the count)
      if (n.wireSubjects) expect(n.wireSubjects().filter((s) => s.endsWith('.door.rc'))).toHaveLength(1);
      got.length = 0;
      n.a.publishDoorbell(bell('node-a', 'rc', 2));
      await waitFor(() => got.length === 1, 5000, 'the remaining handler');
      expect(got).toEqual(['h2']);

      stop2();
      if (n.wireSubjects) expect(n.wireSubjects().filter((s) => s.endsWith('.door.rc'))).toHaveLength(0);
      got.length = 0;
      await n.settle();
      n.a.publishDoorbell(bell('node-a', 'rc', 3));
      n.a.publishDoorbell(bell('node-a', 'rc-sentinel', 3));
      // Messages from one publisher arrive in order: once the sentinel is in, rc's would have been too.
      await waitFor(() => sentinel.length === 1, 5000, 'sentinel');
      await sleep(30);
      expect(got).toEqual([]);
      stopSentinel();
    });

    it('keeps going when a handler throws', async () => {
      const got: number[] = [];
      const stop1 = n.b.onDoorbell('boom', () => {
        throw new Error('handler bug');
      });
      const stop2 = n.b.onDoorbell('boom', (d) => got.push(d.head));
      await n.settle();
      n.a.publishDoorbell(bell('node-a', 'boom', 7));
      n.a.publishDoorbell(bell('node-a', 'boom', 8));
      await waitFor(() => got.length === 2, 5000, 'both doorbells');
      expect(got).toEqual([7, 8]);
      stop1();
      stop2();
    });

    it('carries signals per store, optional fields only when set', async () => {
      const atB: StoreSignal[] = [];
      const other: StoreSignal[] = [];
      const stop = n.b.onSignal('s1', (s) => atB.push(s));
      const stopOther = n.b.onSignal('s2', (s) => other.push(s));
      await n.settle();
      const toDesks: StoreSignal = { origin: 'node-a', storeId: 's1', to: 'desks', exceptDeviceId: 'dev-1', text: '{"t":"signal"}' };
      const toMember: StoreSignal = { origin: 'node-a', storeId: 's1', to: 'members', memberId: 'm-9', text: 'typing' };
      const plain: StoreSignal = { origin: 'node-a', storeId: 's1', to: 'members', text: 'x'.repeat(10_000) };
      n.a.publishSignal(toDesks);
      n.a.publishSignal(toMember);
      n.a.publishSignal(plain);
      await waitFor(() => atB.length === 3, 5000, 'three signals');
      expect(atB).toEqual([toDesks, toMember, plain]);
      expect('memberId' in (atB[0] as StoreSignal)).toBe(false);
      expect(other).toEqual([]);
      // Doorbells and signals of one store are different streams.
      const bells: Doorbell[] = [];
      const stopBells = n.b.onDoorbell('s1', (d) => bells.push(d));
      await n.settle();
      n.a.publishSignal(plain);
      await waitFor(() => atB.length === 4, 5000, 'fourth signal');
      expect(bells).toEqual([]);
      stop();
      stopOther();
      stopBells();
    });

    it('carries a live room\'s comments, deletions, reaction counts and poll counts, per room (6/8)', async () => {
      const atB: RoomSignal[] = [];
      const other: RoomSignal[] = [];
      const atA: RoomSignal[] = [];
      const stop = n.b.onRoom('room.1 ä', (r) => atB.push(r));
      const stopOther = n.b.onRoom('room-2', (r) => other.push(r));
      const stopA = n.a.onRoom('room.1 ä', (r) => atA.push(r));
      await n.settle();
      const comments: RoomSignal = {
        origin: 'node-a',
        roomId: 'room.1 ä',
        kind: 'comments',
        items: [
          { id: 'c1', nickname: '小鹿', text: '好看！', at: 1_700_000_000_000, host: false },
          { id: 'c2', nickname: 'Store', text: 'x'.repeat(200), at: 1_700_000_000_001, host: true },
        ],
      };
      const deleted: RoomSignal = { origin: 'node-a', roomId: 'room.1 ä', kind: 'deleted', ids: ['c1'] };
      const reactions: RoomSignal = { origin: 'node-a', roomId: 'room.1 ä', kind: 'reactions', counts: { like: 40, wow: 2 } };
      const poll: RoomSignal = {
        origin: 'node-a',
        roomId: 'room.1 ä',
        kind: 'poll',
        poll: { id: 'p1', roomId: 'room.1 ä', question: 'Which colour?', options: ['red', 'blue'], state: 'open', openedAt: 1, closedAt: null, counts: [3, 4], voters: 7 },
      };
      for (const r of [comments, deleted, reactions, poll]) n.a.publishRoom(r);
      await waitFor(() => atB.length === 4 && atA.length === 4, 5000, 'four room signals on both nodes');
      expect(atB).toEqual([comments, deleted, reactions, poll]);
      // The sender hears its own (and ignores it by origin, as with every signal).
      expect(atA.map((r) => r.origin)).toEqual(['node-a', 'node-a', 'node-a', 'node-a']);
      expect(other).toEqual([]);
      stop();
      stopOther();
      stopA();
      n.a.publishRoom(deleted);
      await sleep(100);
      expect(atB).toHaveLength(4);
    });

    it('carries every kind of control message to every node', async () => {
      const atA: Control[] = [];
      const atB: Control[] = [];
      const stopA = n.a.onControl((c) => atA.push(c));
      const stopB = n.b.onControl((c) => atB.push(c));
      await n.settle();
      const all: Control[] = [
        { origin: 'node-a', kind: 'device.revoked', deviceId: 'd1', storeId: 's1' },
        { origin: 'node-a', kind: 'device.connected', deviceId: 'd1', storeId: 's1', connId: 'c-1', at: 1_700_000_000_000 },
        { origin: 'node-a', kind: 'epoch.rotated', storeId: 's1', epoch: 'e2', head: 0 },
        { origin: 'node-a', kind: 'catalog.changed' },
        { origin: 'node-a', kind: 'presence.changed', storeId: 's1', what: 'members' },
        { origin: 'node-a', kind: 'member.groups', memberId: 'm1' }, // 5/8: a member joined a group
      ];
      for (const c of all) n.a.publishControl(c);
      await waitFor(() => atA.length === all.length && atB.length === all.length, 5000, 'controls at both nodes');
      expect(atB).toEqual(all);
      expect(atA).toEqual(all);
      stopA();
      stopB();
    });

    it('stops delivering to a closed node, and a closed node publishes nothing', async () => {
      const extra = await flavour.nodes();
      const atA: Doorbell[] = [];
      const stopA = extra.a.onDoorbell('closing', (d) => atA.push(d));
      let signals = 0;
      const stopSignals = extra.a.onSignal('closing', () => signals++);
      extra.b.onDoorbell('closing', () => {
        throw new Error('closed node was called');
      });
      await extra.settle();
      await extra.b.close();
      expect(extra.b.status().up).toBe(false);
      extra.b.publishDoorbell(bell('node-b', 'closing', 1));
      extra.a.publishDoorbell(bell('node-a', 'closing', 2));
      // Published after both: once node a hears its own signal, what b published would have come.
      extra.a.publishSignal({ origin: 'node-a', storeId: 'closing', to: 'desks', text: '{}' });
      await waitFor(() => signals === 1, 5000, 'own signal');
      await extra.settle();
      await sleep(30);
      expect(atA).toEqual([]);
      stopA();
      stopSignals();
      await extra.close();
    });
  });
}

describe('memory bus', () => {
  it('createMemoryBus is one node hearing itself, always up', async () => {
    const bus = createMemoryBus();
    const statuses: BusStatus[] = [];
    bus.onStatus((s) => statuses.push(s));
    const got: Control[] = [];
    bus.onControl((c) => got.push(c));
    bus.publishControl({ origin: 'me', kind: 'catalog.changed' });
    expect(got).toEqual([]);
    await sleep(0);
    expect(got).toEqual([{ origin: 'me', kind: 'catalog.changed' }]);
    expect(bus.status()).toEqual({ up: true, detail: 'in-memory' });
    expect(statuses).toEqual([]);
    await bus.close();
  });
});

describe('nats subject tokens', () => {
  it('escape into [A-Za-z0-9_-] and back', () => {
    for (const s of ['', 'store-1', 'a.b', 'a_b', '_', '*', '>', 'two words', 'ünïcödé 🥾', 'x'.repeat(300)]) {
      const t = encodeToken(s);
      expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeToken(t)).toBe(s);
    }
    expect(encodeToken('store-1')).toBe('store-1');
    expect(new Set(['a.b', 'a_2Eb', 'a_b'].map(encodeToken)).size).toBe(3);
    expect(() => decodeToken('a_zz')).toThrow();
  });
});

/** A TCP proxy in front of the shared NATS server that the test can cut and restore. */
class Proxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(port = this.port): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(4222, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
  }

  /** Refuses new connections and drops the open ones, as a dead server or a cut network would. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }
}

describe('nats bus on the wire', () => {
  let direct: NatsLink;
  let p: string;
  const proxies: Proxy[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    direct = await mustLink('test-direct');
    p = prefix();
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    for (const x of proxies.splice(0)) await x.cut();
  });
  afterAll(async () => {
    await direct?.close();
  });

  it('makes no stack traces for requests it might fail: a request costs half the CPU without them (round 42)', () => {
    const nc = direct.connection() as unknown as { options?: { noAsyncTraces?: boolean } } | null;
    expect(nc?.options?.noAsyncTraces).toBe(true);
  });

  it('drops malformed payloads, logged, without throwing', async () => {
    const lines: string[] = [];
    const l = await mustLink('test-malformed');
    const bus = createNatsBus(l, { prefix: p, log: (line) => lines.push(line) });
    closers.push(async () => {
      await bus.close();
      await l.close();
    });
    const bells: Doorbell[] = [];
    const sigs: StoreSignal[] = [];
    const ctls: Control[] = [];
    bus.onDoorbell('m1', (d) => bells.push(d));
    bus.onSignal('m1', (s) => sigs.push(s));
    bus.onControl((c) => ctls.push(c));
    await l.connection()?.flush();

    const nc = direct.connection();
    if (!nc) throw new Error('no direct connection');
    const door = `${p}.door.${encodeToken('m1')}`;
    const sig = `${p}.sig.${encodeToken('m1')}`;
    const ctl = `${p}.ctl`;
    for (const bad of ['not json', '', '[]', 'null', '{"origin":1}', '{"origin":"x","storeId":"m1","epoch":"e","head":"7"}']) nc.publish(door, bad);
    // A doorbell that names another store than its subject does not belong to this store.
    nc.publish(door, JSON.stringify(bell('x', 'other')));
    nc.publish(sig, JSON.stringify({ origin: 'x', storeId: 'm1', to: 'everyone', text: 't' }));
    nc.publish(sig, JSON.stringify({ origin: 'x', storeId: 'm1', to: 'desks', text: 't', memberId: 5 }));
    nc.publish(ctl, JSON.stringify({ origin: 'x', kind: 'something.new' }));
    nc.publish(ctl, JSON.stringify({ origin: 'x', kind: 'device.revoked', deviceId: 'd' }));
    nc.publish(ctl, '{');
    // A doorbell whose events are not well formed, or of another store or epoch, arrives bare.
    const ev = { storeId: 'm1', epoch: 'e1', seq: 3, id: 'x', type: 'visit.updated', at: 1, data: '{}' };
    for (const events of [[{ ...ev, seq: '3' }], [{ ...ev, storeId: 'other' }], [{ ...ev, epoch: 'e2' }], [{ ...ev, type: 'no.such' }], [{ ...ev, type: 'constructor' }]]) {
      nc.publish(door, JSON.stringify({ ...bell('x', 'm1', 3), events }));
    }
    // Then one good message of each, with extra fields a newer node might add.
    nc.publish(door, JSON.stringify({ ...bell('x', 'm1', 9), extra: true }));
    nc.publish(sig, JSON.stringify({ origin: 'x', storeId: 'm1', to: 'desks', text: 'ok' }));
    nc.publish(ctl, JSON.stringify({ origin: 'x', kind: 'catalog.changed', extra: 1 }));
    await waitFor(() => bells.length === 6 && sigs.length === 1 && ctls.length === 1, 5000, 'the good messages');
    expect(bells).toEqual([...Array(5).fill(bell('x', 'm1', 3)), bell('x', 'm1', 9)]);
    expect(sigs).toEqual([{ origin: 'x', storeId: 'm1', to: 'desks', text: 'ok' }]);
    expect(ctls).toEqual([{ origin: 'x', kind: 'catalog.changed' }]);
    expect(lines.filter((x) => /malformed|not JSON/.test(x))).toHaveLength(12);
    expect(bus.status().up).toBe(true);
  });

  it('drops malformed room signals (6/8): wrong room, unknown kind, comments that break the wire schema', async () => {
    const lines: string[] = [];
    const l = await mustLink('test-room-malformed');
    const bus = createNatsBus(l, { prefix: p, log: (line) => lines.push(line) });
    closers.push(async () => {
      await bus.close();
      await l.close();
    });
    const got: RoomSignal[] = [];
    bus.onRoom('r1', (r) => got.push(r));
    await l.connection()?.flush();
    const nc = direct.connection();
    if (!nc) throw new Error('no direct connection');
    const subject = `${p}.room.${encodeToken('r1')}`;
    const comment = { id: 'c1', nickname: 'n', text: 't', at: 1, host: false };
    const bad = [
      'not json',
      { origin: 'x', roomId: 'r2', kind: 'comments', items: [comment] },
      { origin: 'x', roomId: 'r1', kind: 'shout', items: [comment] },
      { origin: 'x', roomId: 'r1', kind: 'comments', items: [{ ...comment, text: 'x'.repeat(201) }] },
      { origin: 'x', roomId: 'r1', kind: 'comments', items: [{ ...comment, host: 'yes' }] },
      { origin: 'x', roomId: 'r1', kind: 'reactions', counts: { like: -1 } },
      { origin: 'x', roomId: 'r1', kind: 'reactions', counts: { boo: 1 } },
      { origin: 'x', roomId: 'r1', kind: 'deleted', ids: 'c1' },
      { origin: 'x', roomId: 'r1', kind: 'poll', poll: { id: 'p' } },
    ];
    for (const b of bad) nc.publish(subject, typeof b === 'string' ? b : JSON.stringify(b));
    nc.publish(subject, JSON.stringify({ origin: 'x', roomId: 'r1', kind: 'comments', items: [comment] }));
    await waitFor(() => got.length === 1, 5000, 'the good room signal');
    expect(got).toEqual([{ origin: 'x', roomId: 'r1', kind: 'comments', items: [comment] }]);
    await waitFor(() => lines.filter((x) => /malformed|not JSON/.test(x)).length === bad.length, 5000, 'each bad one logged');
  });

  it('goes down when NATS is unreachable and up again when it is back, resubscribed', async () => {
    const proxy = new Proxy();
    proxies.push(proxy);
    await proxy.open(0);
    const lines: string[] = [];
    const bus = await connectNatsBus(proxy.url, { prefix: p, name: 'test-proxied', log: (l) => lines.push(l) });
    closers.push(() => bus.close());
    expect(bus.status().up).toBe(true);
    const statuses: BusStatus[] = [];
    bus.onStatus((s) => statuses.push(s));
    const got: Doorbell[] = [];
    bus.onDoorbell('px', (d) => got.push(d));
    const sender = createNatsBus(direct, { prefix: p });
    closers.push(() => sender.close());

    // Subscription traffic through the proxy is in flight; publish until one arrives.
    await eventually('a doorbell through the proxy', () => sender.publishDoorbell(bell('direct', 'px', 1)), () => got.length > 0);

    await proxy.cut();
    await waitFor(() => !bus.status().up, 5000, 'status down');
    expect(statuses.map((s) => s.up)).toEqual([false]);
    // Publishing while down neither throws nor queues without bound.
    expect(() => {
      for (let i = 0; i < 1000; i++) bus.publishDoorbell(bell('proxied', 'px', i));
      bus.publishSignal({ origin: 'proxied', storeId: 'px', to: 'desks', text: 't' });
      bus.publishControl({ origin: 'proxied', kind: 'catalog.changed' });
    }).not.toThrow();

    await proxy.open();
    await waitFor(() => bus.status().up, 10_000, 'status up');
    expect(statuses.map((s) => s.up)).toEqual([false, true]);
    got.length = 0;
    await eventually('a doorbell after the reconnect', () => sender.publishDoorbell(bell('direct', 'px', 2)), () => got.length > 0);
    expect(got[0]).toEqual(bell('direct', 'px', 2));
    expect(lines.some((l) => /dropped/.test(l))).toBe(true);
  });

  it('starts down when NATS is unreachable, and comes up (subscribed) when it appears', async () => {
    const proxy = new Proxy();
    proxies.push(proxy);
    await proxy.open(0);
    await proxy.cut(); // keeps the port number, now refusing connections

    const t0 = Date.now();
    const bus = await connectNatsBus(proxy.url, { prefix: p, name: 'test-late', log: () => {} });
    closers.push(() => bus.close());
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(bus.status().up).toBe(false);
    const statuses: BusStatus[] = [];
    bus.onStatus((s) => statuses.push(s));
    const got: Doorbell[] = [];
    bus.onDoorbell('late', (d) => got.push(d)); // subscribed before there is a connection
    expect(() => bus.publishDoorbell(bell('late', 'late', 0))).not.toThrow();

    await sleep(700); // a few failed attempts
    expect(bus.status().up).toBe(false);
    await proxy.open();
    await waitFor(() => bus.status().up, 10_000, 'status up');
    expect(statuses.map((s) => s.up)).toEqual([true]);

    const sender = createNatsBus(direct, { prefix: p });
    closers.push(() => sender.close());
    await eventually('a doorbell for the late subscriber', () => sender.publishDoorbell(bell('direct', 'late', 3)), () => got.length > 0);
    expect(got[0]).toEqual(bell('direct', 'late', 3));
  });

  it('closes while still trying to connect', async () => {
    const proxy = new Proxy();
    await proxy.open(0);
    await proxy.cut();
    const bus = await connectNatsBus(proxy.url, { prefix: p, log: () => {} });
    expect(bus.status().up).toBe(false);
    const t0 = Date.now();
    await bus.close();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(bus.status()).toEqual({ up: false, detail: 'closed' });
  });
});

/** Repeats `act` until `done`: for traffic whose subscription may still be on its way to the server. */
async function eventually(what: string, act: () => void, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    act();
    await sleep(50);
  }
}
