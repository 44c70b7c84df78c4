// The presence port's adapters against one behaviour suite: the in-memory map and a JetStream KV
// bucket on the real NATS server at 127.0.0.1:4222 (a bucket of its own per run, destroyed after).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryPresence } from '../../hq/adapters/memory/memoryPresence.ts';
import { connectNats, type NatsLink } from '../../hq/adapters/nats/natsConnection.ts';
import { createNatsBus } from '../../hq/adapters/nats/natsBus.ts';
import { connectNatsPresence, createNatsPresence } from '../../hq/adapters/nats/natsPresence.ts';
import { type Control } from '../../hq/ports/bus.ts';
import { type Presence } from '../../hq/ports/presence.ts';

const NATS = '127.0.0.1:4222';
/** Short enough to watch entries expire; JetStream's expiry (the stream's max age) is exact to a few ms here. */
const TTL = 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: string[]) => [...xs].sort();

/** Fails (never skips) when the shared NATS server is not there. */
async function mustLink(name: string): Promise<NatsLink> {
  const l = await connectNats(NATS, { name, log: () => {} });
  if (!l.status().up) {
    const why = l.status().detail;
    await l.close();
    throw new Error(`NATS is not reachable at ${NATS}: ${why}`);
  }
  return l;
}

/** Deletes a test bucket's stream with a raw JetStream API request. */
async function destroyBucket(link: NatsLink, bucket: string): Promise<void> {
  await link.connection()?.request(`$JS.API.STREAM.DELETE.KV_${bucket}`, '', { timeout: 2000 });
}

async function bucketMaxAgeMs(link: NatsLink, bucket: string): Promise<number> {
  const reply = await link.connection()?.request(`$JS.API.STREAM.INFO.KV_${bucket}`, '', { timeout: 2000 });
  const info = reply?.json<{ config: { max_age: number } }>();
  return (info?.config.max_age ?? 0) / 1_000_000;
}

interface Flavour {
  name: string;
  /** Two handles on one presence (two nodes), each seeing the other's entries. */
  make(): Promise<{ a: Presence; b: Presence; close(): Promise<void> }>;
}

const memory: Flavour = {
  name: 'memory',
  async make() {
    const p = createMemoryPresence();
    return { a: p, b: p, close: () => p.close() };
  },
};

const nats: Flavour = {
  name: 'nats',
  async make() {
    const bucket = `fftest-presence-${randomBytes(5).toString('hex')}`;
    const la = await mustLink('test-presence-a');
    const lb = await mustLink('test-presence-b');
    const a = createNatsPresence(la, { bucket, ttlMs: TTL });
    const b = await connectNatsPresence(lb, { bucket, ttlMs: TTL });
    return {
      a,
      b,
      async close() {
        await Promise.all([a.close(), b.close()]);
        await destroyBucket(la, bucket);
        await Promise.all([la.close(), lb.close()]);
      },
    };
  },
};

for (const flavour of [memory, nats]) {
  describe(`presence adapter: ${flavour.name}`, () => {
    let p: Awaited<ReturnType<Flavour['make']>>;
    beforeAll(async () => {
      p = await flavour.make();
    });
    afterAll(async () => {
      await p?.close();
    });

    it('adds, lists (each client once) and removes, across nodes', async () => {
      expect(await p.a.list('desks.s1')).toEqual([]);
      await p.a.add('desks.s1', 'dev-1', TTL);
      await p.b.add('desks.s1', 'dev-2', TTL);
      await p.a.add('desks.s1', 'dev-1', TTL);
      expect(sorted(await p.b.list('desks.s1'))).toEqual(['dev-1', 'dev-2']);
      expect(sorted(await p.a.list('desks.s1'))).toEqual(['dev-1', 'dev-2']);
      await p.b.remove('desks.s1', 'dev-1');
      expect(await p.a.list('desks.s1')).toEqual(['dev-2']);
      await p.a.remove('desks.s1', 'dev-2');
      await p.a.remove('desks.s1', 'never-there');
      expect(await p.b.list('desks.s1')).toEqual([]);
    });

    it('keeps channels apart, even when one name starts with another or holds dots', async () => {
      const channels = ['desks.s1', 'desks.s10', 'desks', 'members.s1', 'desks.s1.x', 'a b', ''];
      for (const [i, ch] of channels.entries()) await p.a.add(ch, `c${i}`, TTL);
      await p.a.add('desks.s1', 'client.with.dots', TTL);
      await p.a.add('desks.s1', 'ünï 🥾', TTL);
      for (const [i, ch] of channels.entries()) {
        const expected = ch === 'desks.s1' ? ['c0', 'client.with.dots', 'ünï 🥾'] : [`c${i}`];
        expect(sorted(await p.b.list(ch))).toEqual(sorted(expected));
      }
      for (const [i, ch] of channels.entries()) await p.a.remove(ch, `c${i}`);
      await p.a.remove('desks.s1', 'client.with.dots');
      await p.a.remove('desks.s1', 'ünï 🥾');
      for (const ch of channels) expect(await p.b.list(ch)).toEqual([]);
    });

    it('forgets an entry that is not refreshed within the TTL', async () => {
      await p.a.add('ttl.s1', 'gone', TTL);
      expect(await p.b.list('ttl.s1')).toEqual(['gone']);
      await sleep(TTL + 300);
      expect(await p.b.list('ttl.s1')).toEqual([]);
    });

    it('keeps a refreshed entry alive past its first TTL', async () => {
      await p.a.add('ttl.s2', 'kept', TTL);
      await p.a.add('ttl.s2', 'dropped', TTL);
      await sleep(TTL * 0.6);
      await p.a.add('ttl.s2', 'kept', TTL);
      await sleep(TTL * 0.6); // 1.2 TTL after the first add, 0.6 after the refresh
      expect(await p.b.list('ttl.s2')).toEqual(['kept']);
      await sleep(TTL * 0.7);
      expect(await p.b.list('ttl.s2')).toEqual([]);
    });

    it('rejects once closed', async () => {
      const extra = await flavour.make();
      await extra.a.close();
      await expect(extra.a.add('c', 'x', TTL)).rejects.toThrow(/closed/);
      await expect(extra.a.list('c')).rejects.toThrow(/closed/);
      await extra.close();
    });
  });
}

describe('nats presence', () => {
  let link: NatsLink;
  const buckets: string[] = [];
  beforeAll(async () => {
    link = await mustLink('test-presence');
  });
  afterAll(async () => {
    for (const b of buckets) await destroyBucket(link, b).catch(() => {});
    await link?.close();
  });

  it('makes the bucket with the configured TTL, and moves an existing bucket to it', async () => {
    const bucket = `fftest-presence-${randomBytes(5).toString('hex')}`;
    buckets.push(bucket);
    const lines: string[] = [];
    const first = await connectNatsPresence(link, { bucket, ttlMs: 2000, log: (l) => lines.push(l) });
    expect(await bucketMaxAgeMs(link, bucket)).toBe(2000);
    await first.add('ch', 'x', 2000);
    const second = await connectNatsPresence(link, { bucket, ttlMs: 1000, log: (l) => lines.push(l) });
    expect(await bucketMaxAgeMs(link, bucket)).toBe(1000);
    expect(lines.some((l) => /TTL changed from 2000 ms to 1000 ms/.test(l))).toBe(true);
    expect(await second.list('ch')).toEqual(['x']);
    // An add with another TTL than the bucket's is logged (once): the bucket's TTL is what counts.
    await second.add('ch', 'y', 5000);
    await second.add('ch', 'z', 5000);
    expect(lines.filter((l) => /add with TTL 5000 ms/.test(l))).toHaveLength(1);
    await first.close();
    await second.close();
  });

  it('shares one connection with the bus; closing either leaves the link to its owner', async () => {
    const bucket = `fftest-presence-${randomBytes(5).toString('hex')}`;
    buckets.push(bucket);
    const bus = createNatsBus(link, { prefix: `fftest.${randomBytes(6).toString('hex')}` });
    const presence = createNatsPresence(link, { bucket, ttlMs: TTL });
    const got: Control[] = [];
    bus.onControl((c) => got.push(c));
    await link.connection()?.flush();
    await presence.add('desks.s1', 'dev-1', TTL);
    bus.publishControl({ origin: 'n1', kind: 'presence.changed', storeId: 's1', what: 'desks' });
    for (let i = 0; i < 100 && got.length === 0; i++) await sleep(10);
    expect(got).toEqual([{ origin: 'n1', kind: 'presence.changed', storeId: 's1', what: 'desks' }]);
    expect(await presence.list('desks.s1')).toEqual(['dev-1']);
    await bus.close();
    await presence.close();
    expect(link.status().up).toBe(true);
    expect(link.closed).toBe(false);
  });

  it('names its bucket after the deployment prefix unless told a bucket', async () => {
    const tag = randomBytes(5).toString('hex');
    buckets.push(`fftest-${tag}-presence`);
    const p = createNatsPresence(link, { prefix: `fftest.${tag}`, ttlMs: TTL });
    await p.add('ch', 'x', TTL);
    expect(await bucketMaxAgeMs(link, `fftest-${tag}-presence`)).toBe(TTL);
    await p.close();
  });

  it('owns its connection when given servers', async () => {
    const bucket = `fftest-presence-${randomBytes(5).toString('hex')}`;
    buckets.push(bucket);
    const p = await connectNatsPresence(NATS, { bucket, ttlMs: TTL, name: 'test-presence-own' });
    await p.add('ch', 'me', TTL);
    expect(await p.list('ch')).toEqual(['me']);
    await p.close();
    await expect(p.list('ch')).rejects.toThrow(/closed/);
  });

  it('rejects at once, never hangs, while NATS cannot be reached', async () => {
    // A port that refuses connections: bound, noted, released.
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const addr = s.address();
        s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    const t0 = Date.now();
    const p = await connectNatsPresence(`127.0.0.1:${port}`, { ttlMs: TTL, log: () => {} });
    await expect(p.add('ch', 'x', TTL)).rejects.toThrow(/NATS is down/);
    await expect(p.list('ch')).rejects.toThrow(/NATS is down/);
    await expect(p.remove('ch', 'x')).rejects.toThrow(/NATS is down/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await p.close();
  });

  it('refuses a TTL JetStream cannot keep, before connecting', async () => {
    await expect(connectNatsPresence(NATS, { ttlMs: 50 })).rejects.toThrow(/at least 100 ms/);
    await expect(connectNatsPresence(NATS, { ttlMs: 1000, bucket: 'bad.name' })).rejects.toThrow(/bucket name/);
  });
});

describe('presence adapter: memory, on a driven clock', () => {
  // `add` sweeps its channel only once a TTL (1,000 refreshes a second at 10,000 desks); `list`
  // sweeps before it reads, so what is listed is exact whatever `add` left behind.
  const make = () => {
    let t = 1000.4;
    const p = createMemoryPresence({ now: () => t });
    return { p, at: (ms: number) => (t = ms) };
  };

  it('lists an entry until its deadline (whole ms, rounded up), never after', async () => {
    const { p, at } = make();
    await p.add('ch', 'a', TTL); // deadline ⌈1000.4 + 1500⌉ = 2501
    at(2500.9);
    expect(await p.list('ch')).toEqual(['a']);
    at(2501);
    expect(await p.list('ch')).toEqual([]);
  });

  it('leaves out an expired entry that no add has swept yet, and keeps refreshed ones', async () => {
    const { p, at } = make();
    await p.add('ch', 'gone', TTL);
    await p.add('ch', 'kept', TTL);
    at(2000); // within a TTL of the channel's last sweep: this add does not sweep
    await p.add('ch', 'kept', TTL);
    await p.add('ch', 'late', TTL);
    at(2600); // 'gone' expired at 2501, unswept by any add
    expect(sorted(await p.list('ch'))).toEqual(['kept', 'late']);
    at(3600); // past every deadline, within a TTL of the list's sweep: the add does not sweep, the list does
    await p.add('ch', 'new', TTL);
    expect(await p.list('ch')).toEqual(['new']);
    await p.remove('ch', 'new');
    expect(await p.list('ch')).toEqual([]);
  });
});
