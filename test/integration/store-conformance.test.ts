// One suite of storage behaviour, run against both adapters of the store port: the embedded
// SQLite file and PostgreSQL (a fresh schema for this file, dropped afterwards). Whatever HQ's use
// cases rely on — gap-free seqs, rollback and savepoint undo, idempotency rows, chat, clerks and
// the manager's figures — must come out the same on both. PostgreSQL-only behaviour (several
// nodes writing at once, outages, deadlock retries) follows in its own suites.
//
// PostgreSQL is required: when it is not reachable these tests fail (FOOTFALL_TEST_PG_URL).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { type Actor, type Message, type Note } from '../../shared/domain.ts';
import { buildReport, type ReportArgs, ReportArgs as ReportArgsSchema, type TimelineEntry } from '../../shared/kpis.ts';
import { type EventType } from '../../shared/protocol.ts';
import { DEFAULT_STORE_SETTINGS } from '../../shared/storeSettings.ts';
import { type StoreClerk } from '../../shared/clerks.ts';
import { type Hold } from '../../shared/holds.ts';
import { openPgStore, type PgStore } from '../../hq/adapters/postgres/pgStore.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore, type HqTx, type MemberRecord, StoreUnavailable, type VisitRow } from '../../hq/ports/store.ts';
import { DAY_FROM, DAY_TO, KPI_VISITS, kpiNotes, kpiRoster, T0 } from '../support/kpiVisits.ts';
import { freshPgSchema, freshPgStore, type PgSchema, withPgClient } from '../support/pg.ts';

interface Opened {
  store: HqStore;
  close(): Promise<void>;
}

const ADAPTERS: Array<{ name: string; open: () => Promise<Opened> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-conformance-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const { store, cleanup } = await freshPgStore({ poolSize: 4 });
      return { store, close: cleanup };
    },
  },
];

const ev = (id: string, data: unknown = { id }, at = 1000): { id: string; type: EventType; at: number; data: string } => ({
  id,
  type: 'visit.opened' as EventType,
  at,
  data: JSON.stringify(data),
});

const member = (id: string, over: Partial<MemberRecord> = {}): MemberRecord => ({
  id,
  code: `code-${id}`,
  name: `Member ${id}`,
  nameEn: '',
  tier: 'basic',
  phone: '',
  homeStoreId: 'home',
  sizes: { eu: 42.5, cn: 265 },
  preferences: ['running', 'retro'],
  points: 10,
  joinedAt: 1_000,
  updatedAt: 2_000,
  birthday: '02-29',
  consents: { marketing: true, personalization: false, contact: true },
  ...over,
});

const visit = (id: string, storeId: string, memberId: string, over: Partial<VisitRow> = {}): VisitRow => ({
  id,
  storeId,
  memberId,
  source: 'door',
  status: 'open',
  arrivedAt: 10_000,
  lastSeenAt: 10_000,
  arrivals: 1,
  claimedBy: null,
  claimedAt: null,
  closedAt: null,
  outcome: null,
  ...over,
});

const desk: Actor = { deviceId: 'd1', deviceName: 'Counter 1' };

const message = (id: string, storeId: string, memberId: string, n: number, over: Partial<Message> = {}): Message => ({
  id,
  clientId: `c-${id}`,
  storeId,
  memberId,
  n,
  from: 'member',
  by: null,
  kind: 'text',
  body: `text ${n}`,
  product: null,
  image: null,
  at: 5_000 + n,
  recalledAt: null,
  ...over,
});

const clerk = (id: string, storeId: string, name: string, over: Partial<StoreClerk> = {}): StoreClerk => ({
  id,
  storeId,
  name,
  role: 'clerk',
  enabled: true,
  pinHash: { alg: 'scrypt', N: 16384, r: 8, p: 1, keyLen: 32, salt: 'c2FsdHNhbHQ=', hash: 'aGFzaGhhc2hoYXNoaGFzaA==' },
  updatedAt: 0,
  ...over,
});

describe.each(ADAPTERS)('store conformance: $name', ({ name, open }) => {
  let opened: Opened;
  let store: HqStore;
  let counter = 0;
  /** Ids unique in this file: the tests share one database. */
  const uid = (prefix: string) => `${prefix}-${++counter}`;
  const tx = <T>(fn: (tx: HqTx) => Promise<T>) => store.withTx(fn);
  const read = <T>(fn: (r: HqTx) => Promise<T>) => store.read(fn);
  const newStore = async (id = uid('store'), epoch = 'e1') => {
    await tx((t) => t.upsertStore({ id, name: `Store ${id}`, city: 'Shanghai' }, epoch));
    return id;
  };

  beforeAll(async () => {
    opened = await open();
    store = opened.store;
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('says what it is and answers a ping', async () => {
    expect(store.kind).toBe(name);
    expect(await store.ping()).toBe(true);
  });

  it('keeps meta values', async () => {
    const key = uid('meta');
    expect(await read((r) => r.getMeta(key))).toBeNull();
    await tx((t) => t.setMeta(key, 'one'));
    await tx((t) => t.setMeta(key, 'two'));
    expect(await read((r) => r.getMeta(key))).toBe('two');
  });

  it('creates and renames stores; a rename keeps the epoch and the log', async () => {
    const id = uid('store');
    await tx((t) => t.upsertStore({ id, name: 'First', city: 'Beijing' }, 'epoch-1'));
    expect(await read((r) => r.getStore(id))).toEqual({ id, name: 'First', city: 'Beijing', epoch: 'epoch-1', head: 0, settings: DEFAULT_STORE_SETTINGS });
    await tx((t) => t.appendEvent(id, ev(uid('ev'))));
    await tx((t) => t.upsertStore({ id, name: 'Renamed', city: '' }, 'epoch-2'));
    expect(await read((r) => r.getStore(id))).toEqual({ id, name: 'Renamed', city: '', epoch: 'epoch-1', head: 1, settings: DEFAULT_STORE_SETTINGS });
    // Settings: given, they replace the store's; omitted on a later update, they stay.
    const settings = { unservedAfterMin: 45, closesAt: '21:30', utcOffsetMin: 480, opensAt: '10:00', assistant: false };
    await tx((t) => t.upsertStore({ id, name: 'Renamed', city: '', settings }, 'epoch-3'));
    await tx((t) => t.upsertStore({ id, name: 'Renamed again', city: '' }, 'epoch-4'));
    expect(await read((r) => r.getStore(id))).toMatchObject({ name: 'Renamed again', epoch: 'epoch-1', settings });
    expect((await read((r) => r.listStores())).find((x) => x.id === id)?.settings).toEqual(settings);
    expect(await read((r) => r.getStore('no-such-store'))).toBeNull();

    const other = await newStore(`${id}-b`);
    const listed = (await read((r) => r.listStores())).map((s) => s.id);
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining([id, other]));
    const heads = await read((r) => r.storeHeads([other, id, 'missing']));
    expect(heads.map((s) => [s.id, s.head, s.epoch]).sort()).toEqual([
      [id, 1, 'epoch-1'],
      [other, 0, 'e1'],
    ]);
    expect(await read((r) => r.storeHeads([]))).toEqual([]);
  });

  it('appends events with gap-free seqs and keeps the data text exactly as written', async () => {
    const s = await newStore();
    const data = { z: 'last key first', a: [1, 2.5, null], nested: { '名字': '王芳', quote: '"' } };
    const first = await tx((t) => t.appendEvent(s, ev('e1', data, 111)));
    expect(first).toEqual({ storeId: s, epoch: 'e1', seq: 1, id: 'e1', type: 'visit.opened', at: 111, data: JSON.stringify(data) });
    const more = await tx(async (t) => [await t.appendEvent(s, ev('e2')), await t.appendEvent(s, ev('e3')), await t.appendEvent(s, ev('e4'))]);
    expect(more.map((e) => e.seq)).toEqual([2, 3, 4]);

    const all = await read((r) => r.readEvents(s, 0, 100));
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(all[0]).toEqual(first);
    expect(typeof all[0]!.at).toBe('number');
    expect(await read((r) => r.readEvents(s, 1, 2))).toMatchObject([{ seq: 2, id: 'e2' }, { seq: 3, id: 'e3' }]);
    expect(await read((r) => r.readEvents(s, 4, 10))).toEqual([]);
    expect((await read((r) => r.getStore(s)))!.head).toBe(4);
    await expect(tx((t) => t.appendEvent('no-such-store', ev('x')))).rejects.toThrow(/unknown store/);
  });

  it('trims the log to the newest events, reports the oldest seq, and drops it all on a new epoch', async () => {
    const s = await newStore();
    expect(await read((r) => r.oldestSeq(s))).toBeNull();
    await tx(async (t) => {
      for (let i = 1; i <= 5; i++) await t.appendEvent(s, ev(`${s}-${i}`));
    });
    expect(await read((r) => r.oldestSeq(s))).toBe(1);
    await tx((t) => t.trimEvents(s, 2));
    expect(await read((r) => r.oldestSeq(s))).toBe(4);
    expect((await read((r) => r.readEvents(s, 0, 10))).map((e) => e.seq)).toEqual([4, 5]);
    await tx((t) => t.trimEvents(s, 10));
    expect(await read((r) => r.oldestSeq(s))).toBe(4);
    await tx((t) => t.trimEvents('no-such-store', 1));

    await tx((t) => t.rotateEpoch(s, 'e2'));
    expect(await read((r) => r.readEvents(s, 0, 10))).toEqual([]);
    expect(await read((r) => r.oldestSeq(s))).toBeNull();
    const next = await tx((t) => t.appendEvent(s, ev(`${s}-6`)));
    expect(next).toMatchObject({ seq: 6, epoch: 'e2' });
    expect(await read((r) => r.getStore(s))).toMatchObject({ epoch: 'e2', head: 6 });
  });

  it('a rolled-back transaction leaves no event and hands the same seq to the next writer', async () => {
    const s = await newStore();
    await tx((t) => t.appendEvent(s, ev(`${s}-ok1`)));
    await expect(
      tx(async (t) => {
        const e = await t.appendEvent(s, ev(`${s}-lost`));
        expect(e.seq).toBe(2);
        await t.setMeta(`${s}-meta`, 'lost too');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const again = await tx((t) => t.appendEvent(s, ev(`${s}-ok2`)));
    expect(again.seq).toBe(2);
    expect((await read((r) => r.readEvents(s, 0, 10))).map((e) => [e.seq, e.id])).toEqual([
      [1, `${s}-ok1`],
      [2, `${s}-ok2`],
    ]);
    expect(await read((r) => r.getMeta(`${s}-meta`))).toBeNull();
  });

  it('a savepoint that throws undoes only its own writes (seqs included) and the transaction goes on', async () => {
    const s = await newStore();
    const result = await tx(async (t) => {
      await t.appendEvent(s, ev(`${s}-a`));
      await expect(
        t.savepoint(async () => {
          await t.appendEvent(s, ev(`${s}-undone`));
          await t.setMeta(`${s}-sp`, 'undone');
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      const kept = await t.savepoint(async () => {
        const e = await t.appendEvent(s, ev(`${s}-b`));
        // Nested: the inner one is undone, the outer one stays.
        await t.savepoint(() => t.appendEvent(s, ev(`${s}-c`)).then(() => Promise.reject(new Error('nested')))).catch(() => undefined);
        return e.seq;
      });
      // A store error caught inside a savepoint leaves the transaction usable on every adapter.
      await expect(t.savepoint(() => t.putOp('dev', `${s}-op`, { status: 'ok', seq: 1, rejection: null }, 1).then(() => t.putOp('dev', `${s}-op`, { status: 'ok', seq: 1, rejection: null }, 1)))).rejects.toThrow();
      const last = await t.appendEvent(s, ev(`${s}-d`));
      return { kept, last: last.seq };
    });
    expect(result).toEqual({ kept: 2, last: 3 });
    expect((await read((r) => r.readEvents(s, 0, 10))).map((e) => e.id)).toEqual([`${s}-a`, `${s}-b`, `${s}-d`]);
    expect(await read((r) => r.getMeta(`${s}-sp`))).toBeNull();
    expect(await read((r) => r.getOp('dev', `${s}-op`))).toBeNull();
  });

  it('read() refuses a write and sees committed state only', async () => {
    const key = uid('ro');
    await expect(read((r) => r.setMeta(key, 'x'))).rejects.toThrow();
    expect(await read((r) => r.getMeta(key))).toBeNull();
    const s = await newStore();
    await expect(read((r) => r.appendEvent(s, ev(`${s}-ro`)))).rejects.toThrow();
    expect((await read((r) => r.getStore(s)))!.head).toBe(0);
    // Still usable afterwards.
    await tx((t) => t.setMeta(key, 'y'));
    expect(await read((r) => r.getMeta(key))).toBe('y');
  });

  it('lockStore takes the store for the rest of the transaction and says whether it exists (an unknown one is no error)', async () => {
    const s = await newStore();
    const seq = await tx(async (t) => {
      expect(await t.lockStore(s)).toBe(true);
      expect(await t.lockStore(s)).toBe(true);
      expect(await t.lockStore('no-such-store')).toBe(false);
      expect(await t.lockStore('no-such-store')).toBe(false);
      const appended = (await t.appendEvent(s, ev(`${s}-locked`))).seq;
      expect(await t.lockStore(s)).toBe(true);
      return appended;
    });
    expect(seq).toBe(1);
  });

  it('refuses a transaction object kept past its transaction', async () => {
    let kept: HqTx | undefined;
    await tx(async (t) => {
      kept = t;
    });
    await expect(kept!.getMeta('x')).rejects.toThrow(/outside its transaction/);
  });

  it('enrollment codes: consumed once; expired and unknown codes refused; spent codes purged', async () => {
    const s = await newStore();
    const [ok, late, other] = [uid('code'), uid('code'), uid('code')];
    await tx(async (t) => {
      await t.createEnrollmentCode(ok, s, 10_000, 1_000);
      await t.createEnrollmentCode(late, s, 5_000, 1_000);
      await t.createEnrollmentCode(other, s, 9_000_000_000_000, 1_000);
    });
    expect(await tx((t) => t.consumeEnrollmentCode(ok, 9_999))).toEqual({ ok: true, storeId: s });
    expect(await tx((t) => t.consumeEnrollmentCode(ok, 9_999))).toEqual({ ok: false, reason: 'used' });
    expect(await tx((t) => t.consumeEnrollmentCode(late, 5_000))).toEqual({ ok: false, reason: 'expired' });
    expect(await tx((t) => t.consumeEnrollmentCode('never-issued', 1))).toEqual({ ok: false, reason: 'unknown' });
    // A used code that also expired is reported as used.
    expect(await tx((t) => t.consumeEnrollmentCode(ok, 20_000))).toEqual({ ok: false, reason: 'used' });
    // Codes past expiry are dropped by the purge; a live one stays.
    await tx((t) => t.purgeOlderThan(10_001, 100));
    expect(await tx((t) => t.consumeEnrollmentCode(ok, 1))).toEqual({ ok: false, reason: 'unknown' });
    expect(await tx((t) => t.consumeEnrollmentCode(other, 2_000))).toEqual({ ok: true, storeId: s });
    // A code for a store that does not exist is refused by the database.
    await expect(tx((t) => t.createEnrollmentCode(uid('code'), 'no-such-store', 10, 1))).rejects.toThrow();
  });

  it('devices: tokens, acks, revocation, revokedSince and heads', async () => {
    const s = await newStore();
    const [d1, d2] = [uid('dev'), uid('dev')];
    await tx(async (t) => {
      await t.createDevice({ id: d2, storeId: s, name: 'Counter 2', createdAt: 500, revokedAt: null, ackedSeq: 0 }, `${d2}-token`);
      await t.createDevice({ id: d1, storeId: s, name: 'Counter 1', createdAt: 500, revokedAt: null, ackedSeq: 0 }, `${d1}-token`);
    });
    expect(await read((r) => r.deviceByTokenHash(`${d1}-token`))).toEqual({ id: d1, storeId: s, name: 'Counter 1', createdAt: 500, revokedAt: null, ackedSeq: 0 });
    expect(await read((r) => r.deviceByTokenHash('nope'))).toBeNull();
    expect((await read((r) => r.listDevices(s))).map((d) => d.id)).toEqual([d1, d2].sort());
    await tx((t) => t.recordAcks([{ deviceId: d1, seq: 42 }]));
    expect((await read((r) => r.getDevice(d1)))!.ackedSeq).toBe(42);
    await tx((t) => t.recordAcks([{ deviceId: d2, seq: 7 }, { deviceId: d1, seq: 43 }, { deviceId: 'nope', seq: 9 }]));
    expect((await read((r) => r.listDevices(s))).map((d) => [d.id, d.ackedSeq])).toEqual([[d1, 43], [d2, 7]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    await tx((t) => t.recordAcks([]));
    expect(await read((r) => r.getDevice('nope'))).toBeNull();

    const since = 7_000_000_000_000 + counter;
    expect(await tx((t) => t.revokeDevice(d1, since + 5))).toBe(true);
    expect(await tx((t) => t.revokeDevice(d1, since + 6))).toBe(false);
    expect(await tx((t) => t.revokeDevice('nope', since))).toBe(false);
    expect(await read((r) => r.deviceByTokenHash(`${d1}-token`))).toBeNull();
    expect(await read((r) => r.getDevice(d1))).toMatchObject({ revokedAt: since + 5 });
    const revoked = await read((r) => r.revokedSince(since));
    expect(revoked.map((d) => d.id)).toEqual([d1]);
    expect(await read((r) => r.revokedSince(since + 6))).toEqual([]);
    // Token hashes are unique.
    await expect(tx((t) => t.createDevice({ id: uid('dev'), storeId: s, name: 'x', createdAt: 1, revokedAt: null, ackedSeq: 0 }, `${d2}-token`))).rejects.toThrow();
  });

  it('members: upsert, by id, code and phone, home store, count', async () => {
    const home = await newStore();
    const before = await read((r) => r.countMembers());
    const phone = `139${counter}0001`;
    const [a, b, c] = [uid('mem'), uid('mem'), uid('mem')];
    await tx(async (t) => {
      await t.upsertMember(member(b, { homeStoreId: home, phone, updatedAt: 5_000, name: '李娜' }));
      await t.upsertMember(member(a, { homeStoreId: home, phone, updatedAt: 9_000 }));
      await t.upsertMember(member(c, { homeStoreId: 'elsewhere' }));
    });
    expect(await read((r) => r.countMembers())).toBe(before + 3);
    expect(await read((r) => r.getMember(b))).toEqual(member(b, { homeStoreId: home, phone, updatedAt: 5_000, name: '李娜' }));
    expect((await read((r) => r.findMemberByCode(`code-${c}`)))?.id).toBe(c);
    expect(await read((r) => r.findMemberByCode('nope'))).toBeNull();
    // The most recently updated member with that phone.
    expect((await read((r) => r.findMemberByPhone(phone)))?.id).toBe(a);
    expect(await read((r) => r.findMemberByPhone('000'))).toBeNull();
    expect((await read((r) => r.listHomeMembers(home))).map((m) => m.id)).toEqual([a, b].sort());

    await tx((t) => t.upsertMember(member(a, { homeStoreId: home, phone: '', tier: 'gold', points: 99, sizes: { eu: 38, cn: 240 }, preferences: [] })));
    expect(await read((r) => r.getMember(a))).toMatchObject({ tier: 'gold', points: 99, sizes: { eu: 38, cn: 240 }, preferences: [] });
    expect((await read((r) => r.findMemberByPhone(phone)))?.id).toBe(b);
    expect(await read((r) => r.countMembers())).toBe(before + 3);
    // Codes are unique.
    await expect(tx((t) => t.upsertMember(member(uid('mem'), { code: `code-${c}` })))).rejects.toThrow();
  });

  it('members: search keys by prefix (folded words, CJK parts, code, phone last 4), re-keyed on rename, walked by id', async () => {
    const home = await newStore();
    const tag = `zq${counter}x`; // unique words, so members of other tests never match
    const [a, b, c] = [uid('mem'), uid('mem'), uid('mem')];
    await tx(async (t) => {
      await t.upsertMember(member(a, { homeStoreId: home, name: `Renée ${tag}alexandra`, nameEn: '', phone: '13900009876' }));
      await t.upsertMember(member(b, { homeStoreId: home, name: `欧阳娜娜`, nameEn: `O'Brien ${tag}`, phone: '' }));
      await t.upsertMember(member(c, { homeStoreId: 'elsewhere', name: `${tag}bob`, nameEn: '' }));
    });
    const found = async (prefix: string) => (await read((r) => r.searchMembers(prefix, 100))).map((m) => m.id).sort();
    expect(await found(`${tag}alexandra`)).toEqual([a]); // a whole long word
    expect(await found(`${tag}al`)).toEqual([a]);
    expect(await found(tag)).toEqual([a, b, c].sort());
    expect(await found('阳娜')).toContain(b); // any part of a CJK name
    expect(await found('obrien')).toContain(b);
    expect(await found('renee')).toContain(a);
    expect(await found('9876')).toContain(a);
    expect(await found(`code-${c}`.replace(/-/g, ""))).toEqual([c]); // hyphens are folded away in codes too
    // The whole member comes back, full phone included (HQ masks it before it leaves).
    expect((await read((r) => r.searchMembers(`${tag}alexandra`, 5)))[0]).toEqual(member(a, { homeStoreId: home, name: `Renée ${tag}alexandra`, nameEn: '', phone: '13900009876' }));
    // A rename drops the old keys; an erasure drops them all.
    await tx((t) => t.upsertMember(member(a, { homeStoreId: home, name: `Zora ${tag}zed`, nameEn: '', phone: '13900009876' })));
    expect(await found(`${tag}alexandra`)).toEqual([]);
    expect(await found(`${tag}zed`)).toEqual([a]);
    await tx((t) => t.deleteMember(c));
    expect(await found(`${tag}bob`)).toEqual([]);
    // membersAfter walks everyone in id order, page by page.
    const all: string[] = [];
    for (let after = ''; ; ) {
      const page = await read((r) => r.membersAfter(after, 2));
      if (page.length === 0) break;
      all.push(...page.map((m) => m.id));
      after = page[page.length - 1]!.id;
    }
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining([a, b]));
    expect(all).toHaveLength(await read((r) => r.countMembers()));
  });

  it('purchases: upsert, newest first with a limit, popularity per style', async () => {
    const s = await newStore();
    const m = uid('mem');
    const p = (id: string, styleId: string, at: number) => ({
      id,
      memberId: m,
      styleId,
      styleName: `Style ${styleId}`,
      category: 'running' as const,
      color: 'red',
      size: 42.5,
      storeId: s,
      at,
      price: 899,
    });
    await tx(async (t) => {
      await t.upsertPurchase(p(`${m}-p1`, 'st-1', 1_000));
      await t.upsertPurchase(p(`${m}-p2`, 'st-1', 3_000));
      await t.upsertPurchase(p(`${m}-p3`, 'st-2', 2_000));
      await t.upsertPurchase(p(`${m}-p4`, 'st-2', 3_000));
    });
    expect((await read((r) => r.purchasesOf(m, 10))).map((x) => x.id)).toEqual([`${m}-p2`, `${m}-p4`, `${m}-p3`, `${m}-p1`]);
    expect((await read((r) => r.purchasesOf(m, 2))).map((x) => x.id)).toEqual([`${m}-p2`, `${m}-p4`]);
    expect((await read((r) => r.purchasesOf(m, 1)))[0]).toEqual(p(`${m}-p2`, 'st-1', 3_000));
    await tx((t) => t.upsertPurchase({ ...p(`${m}-p1`, 'st-3', 4_000), size: 9.5, price: 100 }));
    expect((await read((r) => r.purchasesOf(m, 1)))[0]).toEqual({ ...p(`${m}-p1`, 'st-3', 4_000), size: 9.5, price: 100 });
    expect(await read((r) => r.popularityForStore(s, 2_000))).toEqual(
      new Map([
        ['st-1', 1],
        ['st-2', 2],
        ['st-3', 1],
      ]),
    );
    expect(await read((r) => r.popularityForStore(s, 5_000))).toEqual(new Map());
  });

  it('profileReads answers exactly what purchasesOf, activeHoldsOfMember and lastSeenAt answer', async () => {
    const s = await newStore();
    const m = uid('mem');
    const other = uid('mem');
    const purchase = (id: string, at: number, member = m) => ({
      id, memberId: member, styleId: `st-${id}`, styleName: `款 ${id}`, category: 'running' as const, color: 'BLK', size: 38.5, storeId: s, at, price: 1_099,
    });
    const hold = (id: string, until: number, over: Partial<Hold> = {}): Hold => ({
      id, storeId: s, member: { id: m, name: '王芳', tier: 'gold' }, styleId: 'st-1', styleName: 'Style 1', color: 'BLK', colorName: '黑色', size: 38.5,
      placedAt: 1_000, until, by: desk, status: 'active', endedAt: null, endedBy: null, requestId: null, ...over,
    });
    const reads = (limit: number, except: string | null) =>
      read(async (r) => ({
        together: await r.profileReads(m, limit, except),
        apart: { purchases: await r.purchasesOf(m, limit), holds: await r.holds.activeHoldsOfMember(m), lastSeenAt: await r.memberHistory.lastSeenAt(m, except) },
      }));
    // Nothing yet: empty lists and never seen.
    expect((await reads(20, null)).together).toEqual({ purchases: [], holds: [], lastSeenAt: null });
    await tx(async (t) => {
      // Two purchases at one time (the id breaks the tie), one of another member.
      for (const [id, at] of [['p1', 1_000], ['p3', 3_000], ['p2', 3_000], ['p0', 500]] as const) await t.upsertPurchase(purchase(`${m}-${id}`, at));
      await t.upsertPurchase(purchase(`${other}-x`, 9_000, other));
      // Holds: two active with one until (the id breaks the tie), one ended, one of another member.
      await t.holds.putHold(hold(`${m}-h2`, 20_000));
      await t.holds.putHold(hold(`${m}-h1`, 20_000));
      await t.holds.putHold(hold(`${m}-h0`, 10_000));
      await t.holds.putHold(hold(`${m}-hx`, 5_000, { status: 'released', endedAt: 4_000, endedBy: desk }));
      await t.holds.putHold(hold(`${other}-h`, 1_000, { member: { id: other, name: '李雷', tier: 'basic' } }));
      await t.insertVisit(visit(`${m}-v1`, s, m, { arrivedAt: 1_000, lastSeenAt: 1_400 }));
      await t.insertVisit(visit(`${m}-v2`, s, m, { arrivedAt: 2_000, lastSeenAt: 2_600 }));
      await t.insertVisit(visit(`${other}-v`, s, other, { arrivedAt: 3_000, lastSeenAt: 3_000 }));
    });
    for (const [limit, except] of [[20, null], [2, null], [1, `${m}-v2`], [-1, `${m}-v1`], [20, 'no-such-visit']] as const) {
      const { together, apart } = await reads(limit, except);
      expect(together).toEqual(apart);
    }
    const { together } = await reads(3, `${m}-v2`);
    expect(together.purchases.map((p) => p.id)).toEqual([`${m}-p2`, `${m}-p3`, `${m}-p1`]);
    expect(together.purchases[0]).toEqual(purchase(`${m}-p2`, 3_000));
    expect(together.holds.map((h) => h.id)).toEqual([`${m}-h0`, `${m}-h1`, `${m}-h2`]);
    expect(together.holds[0]).toEqual(hold(`${m}-h0`, 10_000));
    expect(together.lastSeenAt).toBe(1_400); // v2 is the visit the profile is for: v1 was the one before
    expect((await reads(3, null)).together.lastSeenAt).toBe(2_600);
    // Inside a transaction it sees the transaction's own writes, as the three reads do.
    await tx(async (t) => {
      await t.insertVisit(visit(`${m}-v3`, s, m, { arrivedAt: 4_000, lastSeenAt: 4_100 }));
      expect((await t.profileReads(m, 1, null)).lastSeenAt).toBe(4_100);
      expect((await t.profileReads(m, 1, `${m}-v3`)).lastSeenAt).toBe(2_600);
    });
  });

  it('profileReadsOf answers, per member, what profileReads answers with no visit excluded', async () => {
    const s = await newStore();
    const [m1, m2, none] = [uid('mem'), uid('mem'), uid('mem')];
    const purchase = (id: string, memberId: string, at: number) => ({
      id, memberId, styleId: `st-${id}`, styleName: `款 ${id}`, category: 'running' as const, color: 'BLK', size: 38.5, storeId: s, at, price: 1_099,
    });
    const hold = (id: string, memberId: string, until: number): Hold => ({
      id, storeId: s, member: { id: memberId, name: '王芳', tier: 'gold' }, styleId: 'st-1', styleName: 'Style 1', color: 'BLK', colorName: '黑色', size: 38.5,
      placedAt: 1_000, until, by: desk, status: 'active', endedAt: null, endedBy: null, requestId: null,
    });
    await tx(async (t) => {
      for (const [id, at] of [['a', 1_000], ['c', 3_000], ['b', 3_000]] as const) await t.upsertPurchase(purchase(`${m1}-${id}`, m1, at));
      await t.upsertPurchase(purchase(`${m2}-a`, m2, 2_000));
      await t.holds.putHold(hold(`${m1}-h`, m1, 20_000));
      await t.insertVisit(visit(`${m1}-v1`, s, m1, { arrivedAt: 1_000, lastSeenAt: 1_400 }));
      await t.insertVisit(visit(`${m2}-v1`, s, m2, { arrivedAt: 2_000, lastSeenAt: 2_500 }));
    });
    for (const limit of [500, 2, 1]) {
      const { many, one } = await read(async (r) => ({
        many: await r.profileReadsOf([m1, m2, none, m1], limit),
        one: new Map([[m1, await r.profileReads(m1, limit, null)], [m2, await r.profileReads(m2, limit, null)], [none, await r.profileReads(none, limit, null)]]),
      }));
      expect(many).toEqual(one);
    }
    const m1Reads = (await read((r) => r.profileReadsOf([m1], 2))).get(m1)!;
    expect(m1Reads.purchases.map((p) => p.id)).toEqual([`${m1}-b`, `${m1}-c`]);
    expect(m1Reads.holds.map((h) => h.id)).toEqual([`${m1}-h`]);
    expect(m1Reads.lastSeenAt).toBe(1_400);
    expect(await read((r) => r.profileReadsOf([], 500))).toEqual(new Map());
    // A transaction sees its own writes, as profileReads does.
    await tx(async (t) => {
      await t.insertVisit(visit(`${m2}-v2`, s, m2, { arrivedAt: 5_000, lastSeenAt: 5_100 }));
      expect((await t.profileReadsOf([m2], 1)).get(m2)!.lastSeenAt).toBe(5_100);
    });
  });

  it('findMembers finds by id and by code at once, each member once; lockStores answers the stores that exist', async () => {
    const [a, b, c] = [member(uid('mem')), member(uid('mem')), member(uid('mem'))];
    await tx(async (t) => {
      for (const m of [a, b, c]) await t.upsertMember(m);
    });
    const byId = (list: MemberRecord[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
    const found = await read((r) => r.findMembers([a.id, 'no-such-id', a.id], [b.code, a.code, 'no-such-code']));
    expect(byId(found)).toEqual(byId([a, b]));
    expect(found.find((m) => m.id === a.id)).toEqual(await read((r) => r.getMember(a.id)));
    expect(await read((r) => r.findMembers([], []))).toEqual([]);

    const [s1, s2] = [await newStore(), await newStore()];
    const missing = uid('store');
    await tx(async (t) => {
      expect(await t.lockStores([s2, missing, s1, s2])).toEqual(new Set([s1, s2]));
      expect(await t.lockStores([])).toEqual(new Set());
      // Taken again inside the same transaction: still answered.
      expect(await t.lockStore(s1)).toBe(true);
      expect(await t.lockStores([s1, missing])).toEqual(new Set([s1]));
    });
  });

  it('events of a locked store: the seqs a statement would give, seen by the transaction, given back by a savepoint rolled back', async () => {
    // (PostgreSQL holds these events back once it knows the locked store's head, and writes them
    // with the transaction's next statement or its COMMIT: none of that may show.)
    const [s, t2] = [await newStore(), await newStore()];
    await tx((t) => t.appendEvent(s, ev(uid('ev'))));
    const seqs = await tx(async (t) => {
      expect(await t.lockStore(s)).toBe(true);
      const a = await t.appendEvent(s, ev('held-a', { n: 1 }, 10));
      const b = await t.appendEvent(s, ev('held-b', { n: 2 }, 11));
      expect(a).toEqual({ storeId: s, epoch: 'e1', seq: 2, id: 'held-a', type: 'visit.opened', at: 10, data: JSON.stringify({ n: 1 }) });
      // Read inside the transaction that appended them: the events and the head are there.
      expect((await t.readEvents(s, 1, 10)).map((e) => e.id)).toEqual(['held-a', 'held-b']);
      expect((await t.getStore(s))!.head).toBe(3);
      // A savepoint rolled back gives its seqs back; the next event takes the first of them.
      await expect(
        t.savepoint(async () => {
          await t.appendEvent(s, ev('dropped-1'));
          await t.appendEvent(s, ev('dropped-2'));
          throw new Error('the item failed');
        }),
      ).rejects.toThrow('the item failed');
      const c = await t.savepoint(() => t.appendEvent(s, ev('held-c')));
      // Two stores locked together; their seqs are their own.
      expect(await t.lockStores([t2, s])).toEqual(new Set([s, t2]));
      const d = await t.appendEvent(t2, ev('other-1'));
      const e = await t.appendEvent(s, ev('held-e'));
      return [a.seq, b.seq, c.seq, d.seq, e.seq];
    });
    expect(seqs).toEqual([2, 3, 4, 1, 5]);
    expect((await read((r) => r.readEvents(s, 0, 10))).map((e) => [e.seq, e.id])).toEqual([
      [1, expect.any(String)],
      [2, 'held-a'],
      [3, 'held-b'],
      [4, 'held-c'],
      [5, 'held-e'],
    ]);
    expect((await read((r) => r.getStore(s)))!.head).toBe(5);
    expect((await read((r) => r.readEvents(t2, 0, 10))).map((e) => e.id)).toEqual(['other-1']);
    // A transaction that fails after appending commits none of it, and its seqs are given back.
    await expect(
      tx(async (t) => {
        await t.lockStore(s);
        await t.appendEvent(s, ev('lost'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    // An event appended before the lock was taken, then after it; an epoch rotated in between.
    const after = await tx(async (t) => {
      const x = await t.appendEvent(s, ev('by-statement'));
      await t.lockStore(s);
      const y = await t.appendEvent(s, ev('after-lock'));
      await t.rotateEpoch(s, 'e2');
      const z = await t.appendEvent(s, ev('new-epoch'));
      return [x, y, z].map((e) => [e.seq, e.epoch]);
    });
    expect(after).toEqual([
      [6, 'e1'],
      [7, 'e1'],
      [8, 'e2'],
    ]);
    expect((await read((r) => r.readEvents(s, 0, 10))).map((e) => [e.seq, e.epoch, e.id])).toEqual([[8, 'e2', 'new-epoch']]);
    const locked = await tx(async (t) => {
      await t.lockStore(s);
      await t.rotateEpoch(s, 'e3');
      return t.appendEvent(s, ev('rotated-after-lock'));
    });
    expect([locked.seq, locked.epoch]).toEqual([9, 'e3']);
    expect((await read((r) => r.getStore(s)))).toMatchObject({ head: 9, epoch: 'e3' });
  });

  it('a transaction appending more events than one statement carries: all of them, gap-free', async () => {
    const s = await newStore();
    const n = 4_100; // past PostgreSQL's EVENTS_PER_STATEMENT (heldWrites.ts)
    const last = await tx(async (t) => {
      await t.lockStore(s);
      let ev_ = null;
      for (let i = 0; i < n; i++) ev_ = await t.appendEvent(s, ev(`many-${i}`, { i }));
      return ev_!;
    });
    expect(last.seq).toBe(n);
    const log = await read((r) => r.readEvents(s, 0, n + 10));
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(log[n - 1]).toEqual(last);
    expect((await read((r) => r.getStore(s)))!.head).toBe(n);
  });

  it('suggestions shown: a transaction reads its own, a savepoint rolled back drops its rows, a bad row fails where it was written', async () => {
    // (PostgreSQL holds these rows back and writes a batch's together: none of that may show.)
    const s = await newStore();
    const [m, v1, v2, v3] = [uid('mem'), uid('visit'), uid('visit'), uid('visit')];
    const shown = (visitId: string, styleId: string, role: unknown = 'style') => ({ storeId: s, visitId, memberId: m, styleId, role: role as 'style', at: 1_000 });
    const styles = (visitId: string) => read(async (r) => (await r.assist.shownOfVisit(visitId)).map((x) => x.styleId));
    await tx(async (t) => {
      await t.assist.putShown([shown(v1, 'a'), shown(v1, 'b')]);
      // Read back inside the transaction that wrote them.
      expect((await t.assist.shownOfVisit(v1)).map((x) => x.styleId)).toEqual(['a', 'b']);
      await t.assist.putShown([shown(v2, 'kept')]);
      await expect(
        t.savepoint(async () => {
          await t.assist.putShown([shown(v2, 'dropped')]);
          throw new Error('the item failed');
        }),
      ).rejects.toThrow('the item failed');
      // A bad row (no role) fails inside its own savepoint; the transaction goes on.
      await expect(t.savepoint(() => t.assist.putShown([shown(v3, 'bad', null)]))).rejects.toThrow(/null/i);
      await t.assist.putShown([shown(v3, 'good')]);
    });
    expect(await styles(v1)).toEqual(['a', 'b']);
    expect(await styles(v2)).toEqual(['kept']);
    expect(await styles(v3)).toEqual(['good']);
    // A bad row outside any savepoint fails the transaction, with its own error, and nothing of it commits.
    const v4 = uid('visit');
    await expect(
      tx(async (t) => {
        await t.insertVisit(visit(v4, s, m));
        await t.assist.putShown([shown(v4, 'x'), shown(v4, 'bad', null)]);
      }),
    ).rejects.toThrow(/null/i);
    expect(await read((r) => r.getVisit(v4))).toBeNull();
    expect(await styles(v4)).toEqual([]);
  });

  it('styles and stock: upsert, replace quantities, ordered listing', async () => {
    const s = await newStore();
    const id = uid('style');
    const style = { id, name: 'Air 1', category: 'retro' as const, price: 1299, colors: [{ code: 'RED', name: 'Red' }], sizes: [38, 42.5], releasedAt: 77 };
    await tx((t) => t.upsertStyle(style));
    expect((await read((r) => r.listStyles())).find((x) => x.id === id)).toEqual(style);
    await tx((t) => t.upsertStyle({ ...style, name: 'Air 1 OG', sizes: [40] }));
    expect((await read((r) => r.listStyles())).find((x) => x.id === id)).toEqual({ ...style, name: 'Air 1 OG', sizes: [40] });
    const ids = (await read((r) => r.listStyles())).map((x) => x.id);
    expect(ids).toEqual([...ids].sort());
    // 7/8: an accessory's kind and the categories it goes with round-trip; absent stays absent, and
    // an upsert without them clears them (the feed is the catalog's truth).
    const accId = uid('acc');
    const accessory = { ...style, id: accId, name: '篮球袜', kind: 'socks' as const, goesWith: ['basketball' as const, 'running' as const] };
    await tx((t) => t.upsertStyle(accessory));
    expect((await read((r) => r.listStyles())).find((x) => x.id === accId)).toEqual(accessory);
    await tx((t) => t.upsertStyle({ ...style, id: accId, kind: 'care', goesWith: [] }));
    expect((await read((r) => r.listStyles())).find((x) => x.id === accId)).toEqual({ ...style, id: accId, kind: 'care', goesWith: [] });
    await tx((t) => t.upsertStyle({ ...style, id: accId }));
    const plain = (await read((r) => r.listStyles())).find((x) => x.id === accId)!;
    expect(plain).toEqual({ ...style, id: accId });
    expect('kind' in plain || 'goesWith' in plain).toBe(false);

    await tx(async (t) => {
      await t.setStock({ storeId: s, styleId: 'b', color: 'RED', size: 42.5, qty: 3 });
      await t.setStock({ storeId: s, styleId: 'a', color: 'WHITE', size: 40, qty: 1 });
      await t.setStock({ storeId: s, styleId: 'a', color: 'BLACK', size: 44, qty: 2 });
      await t.setStock({ storeId: s, styleId: 'a', color: 'BLACK', size: 9.5, qty: 7 });
      await t.setStock({ storeId: s, styleId: 'b', color: 'RED', size: 42.5, qty: 0 });
    });
    expect(await read((r) => r.stockForStore(s))).toEqual([
      { storeId: s, styleId: 'a', color: 'BLACK', size: 9.5, qty: 7 },
      { storeId: s, styleId: 'a', color: 'BLACK', size: 44, qty: 2 },
      { storeId: s, styleId: 'a', color: 'WHITE', size: 40, qty: 1 },
      { storeId: s, styleId: 'b', color: 'RED', size: 42.5, qty: 0 },
    ]);
  });

  it('catalog counters: a store’s moves alone, the chain’s moves every store, a rollback moves none', async () => {
    const [a, b] = [await newStore(), await newStore()];
    const versions = () => read(async (r) => [await r.catalogVersion(a), await r.catalogVersion(b)]);
    const [a0, b0] = await versions();
    // A store's own counter (its stock or purchases written), named twice in one call: moved once.
    await tx((t) => t.catalogChanged([a, a]));
    expect(await versions()).toEqual([a0! + 1, b0]);
    await tx((t) => t.catalogChanged([b, a]));
    expect(await versions()).toEqual([a0! + 2, b0! + 1]);
    // The chain's (styles, pictures): every store's sum moves, one never named included.
    const c = await newStore();
    const c0 = await read((r) => r.catalogVersion(c));
    await tx((t) => t.catalogChanged(null));
    expect(await versions()).toEqual([a0! + 3, b0! + 2]);
    expect(await read((r) => r.catalogVersion(c))).toBe(c0 + 1);
    // Nothing named moves nothing; a transaction rolled back moves nothing.
    await tx((t) => t.catalogChanged([]));
    await expect(
      tx(async (t) => {
        await t.catalogChanged([a]);
        await t.catalogChanged(null);
        expect(await t.catalogVersion(a)).toBe(a0! + 5); // its own writes, seen in it
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await versions()).toEqual([a0! + 3, b0! + 2]);
  });

  it('visits and notes: insert, update, open visit lookup, visitsSince with notes', async () => {
    const s = await newStore();
    const m = uid('mem');
    const [v1, v2, v3] = [`${m}-v1`, `${m}-v2`, `${m}-v3`];
    const claimedBy: Actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'k1', clerkName: 'Ann' };
    await tx(async (t) => {
      await t.insertVisit(visit(v1, s, m, { arrivedAt: 1_000, lastSeenAt: 1_000, status: 'closed', closedAt: 1_500, outcome: 'tried', claimedBy, claimedAt: 1_100 }));
      await t.insertVisit(visit(v2, s, m, { arrivedAt: 2_000, lastSeenAt: 2_000 }));
      await t.insertVisit(visit(v3, s, 'someone-else', { arrivedAt: 2_000, lastSeenAt: 2_500 }));
    });
    const note = (id: string, visitId: string, at: number): Note => ({ id, visitId, memberId: m, text: `note ${id}`, by: desk, at });
    await tx(async (t) => {
      await t.insertNote(note(`${m}-n2`, v2, 2_200));
      await t.insertNote(note(`${m}-n1`, v2, 2_100));
      await t.insertNote(note(`${m}-n0`, v1, 1_200));
    });
    expect(await read((r) => r.getNote(`${m}-n1`))).toEqual(note(`${m}-n1`, v2, 2_100));
    expect(await read((r) => r.getNote('nope'))).toBeNull();
    expect(await read((r) => r.getVisit(v2))).toEqual({ ...visit(v2, s, m, { arrivedAt: 2_000, lastSeenAt: 2_000 }), notes: [note(`${m}-n1`, v2, 2_100), note(`${m}-n2`, v2, 2_200)] });
    expect(await read((r) => r.getVisit(v1))).toMatchObject({ claimedBy, claimedAt: 1_100, closedAt: 1_500, outcome: 'tried', status: 'closed' });
    expect(await read((r) => r.getVisit('nope'))).toBeNull();

    expect((await read((r) => r.findOpenVisit(s, m, 0)))?.id).toBe(v2);
    expect(await read((r) => r.findOpenVisit(s, m, 2_001))).toBeNull();
    await tx((t) => t.updateVisit(visit(v2, s, m, { arrivedAt: 2_000, lastSeenAt: 3_000, arrivals: 2, status: 'claimed', claimedBy: desk, claimedAt: 3_100, source: 'pos' })));
    expect(await read((r) => r.findOpenVisit(s, m, 2_500))).toMatchObject({ id: v2, arrivals: 2, status: 'claimed', claimedBy: desk, source: 'pos', lastSeenAt: 3_000 });
    await tx((t) => t.updateVisit(visit(v2, s, m, { arrivedAt: 2_000, lastSeenAt: 3_000, arrivals: 2, status: 'closed', claimedBy: desk, claimedAt: 3_100, closedAt: 3_200, outcome: 'purchased' })));
    expect(await read((r) => r.findOpenVisit(s, m, 0))).toBeNull();

    const since = await read((r) => r.visitsSince(s, 1_500));
    // Newest first; equal arrival times by id, descending.
    expect(since.map((v) => v.id)).toEqual([v3, v2].sort().reverse());
    expect(since.find((v) => v.id === v2)!.notes.map((n) => n.id)).toEqual([`${m}-n1`, `${m}-n2`]);
    expect(since.find((v) => v.id === v3)!.notes).toEqual([]);
    expect((await read((r) => r.visitsSince(s, 0))).map((v) => v.id)).toEqual([...[v3, v2].sort().reverse(), v1]);
    await expect(tx((t) => t.insertVisit(visit(v1, s, m)))).rejects.toThrow();

    // Waiting visits (open, nobody claimed) seen before a time, oldest first: v3 only (v1, v2 are closed).
    expect((await read((r) => r.waitingSeenBefore([{ storeId: s, before: 2_501 }], 10))).map((v) => v.id)).toEqual([v3]);
    expect(await read((r) => r.waitingSeenBefore([{ storeId: s, before: 2_500 }], 10))).toEqual([]);
    // Take-overs round-trip with the visit.
    const takeovers = [{ from: claimedBy, by: desk, at: 2_600 }];
    await tx((t) => t.updateVisit(visit(v3, s, 'someone-else', { arrivedAt: 2_000, lastSeenAt: 2_500, status: 'claimed', claimedBy: desk, claimedAt: 2_300, takeovers })));
    expect(await read((r) => r.getVisit(v3))).toMatchObject({ status: 'claimed', claimedBy: desk, takeovers });
    expect((await read((r) => r.visitsSince(s, 0))).find((v) => v.id === v3)?.takeovers).toEqual(takeovers);
    expect(await read((r) => r.waitingSeenBefore([{ storeId: s, before: 10_000 }], 10))).toEqual([]);
  });

  it('waitingSeenBefore reads several stores at once, each with its own cutoff: oldest first, at most `limit` in all', async () => {
    const [s1, s2, s3] = [await newStore(), await newStore(), await newStore()];
    const m = uid('mem');
    const at = (storeId: string, id: string, lastSeenAt: number, over: Partial<VisitRow> = {}) => visit(`${m}-${id}`, storeId, `${m}-${id}`, { arrivedAt: lastSeenAt, lastSeenAt, ...over });
    await tx(async (t) => {
      await t.insertVisit(at(s1, 'a', 1_000));
      await t.insertVisit(at(s1, 'b', 3_000));
      await t.insertVisit(at(s1, 'c', 500, { status: 'claimed', claimedBy: desk, claimedAt: 600 }));
      await t.insertVisit(at(s2, 'd', 2_000));
      await t.insertVisit(at(s2, 'e', 4_000));
      await t.insertVisit(at(s3, 'f', 100)); // a store not asked about
    });
    const ids = (vs: { id: string }[]) => vs.map((v) => v.id.slice(m.length + 1));
    const cutoffs = [
      { storeId: s1, before: 3_001 },
      { storeId: s2, before: 2_500 },
    ];
    expect(ids(await read((r) => r.waitingSeenBefore(cutoffs, 10)))).toEqual(['a', 'd', 'b']);
    expect(ids(await read((r) => r.waitingSeenBefore(cutoffs, 2)))).toEqual(['a', 'd']);
    expect(await read((r) => r.waitingSeenBefore([{ storeId: s1, before: 3_001 }], 10))).toEqual([
      at(s1, 'a', 1_000),
      at(s1, 'b', 3_000),
    ]);
    expect(await read((r) => r.waitingSeenBefore([], 10))).toEqual([]);
    expect(await read((r) => r.waitingSeenBefore([{ storeId: uid('nowhere'), before: 1e12 }], 10))).toEqual([]);
  });

  it('openVisitOrInsert: the open visit findOpenVisit finds with nothing written, else the new visit inserted', async () => {
    const s = await newStore();
    const s2 = await newStore();
    const m = uid('mem');
    const mine = (storeId: string) => read((r) => r.visitsSince(storeId, 0)).then((vs) => vs.filter((v) => v.memberId === m).map((v) => v.id).sort());
    // None yet: inserted, null answered.
    const v1 = visit(`${m}-v1`, s, m, { arrivedAt: 10_000, lastSeenAt: 10_000 });
    expect(await tx((t) => t.openVisitOrInsert(v1, 5_000))).toBeNull();
    expect(await read((r) => r.getVisit(v1.id))).toEqual({ ...v1, notes: [] });
    // Open and seen within the window: answered (with its notes) exactly as findOpenVisit answers, nothing inserted.
    await tx((t) => t.insertNote({ id: `${m}-n1`, visitId: v1.id, memberId: m, text: '试了 38 码', by: desk, at: 10_500 }));
    const found = await tx(async (t) => ({ open: await t.openVisitOrInsert(visit(`${m}-v2`, s, m, { arrivedAt: 12_000, lastSeenAt: 12_000 }), 9_000), find: await t.findOpenVisit(s, m, 9_000) }));
    expect(found.open).toEqual(found.find);
    expect(found.open?.id).toBe(v1.id);
    expect(found.open?.notes.map((n) => n.id)).toEqual([`${m}-n1`]);
    expect(await mine(s)).toEqual([v1.id]);
    // Seen before `since`: a new visit. Then the newest open one is the one answered.
    const v3 = visit(`${m}-v3`, s, m, { arrivedAt: 30_000, lastSeenAt: 30_000 });
    expect(await tx((t) => t.openVisitOrInsert(v3, 20_000))).toBeNull();
    expect((await tx((t) => t.openVisitOrInsert(visit(`${m}-v4`, s, m), 0)))?.id).toBe(v3.id);
    // Closed: not open, so a new visit; another store's open visit does not count either.
    await tx((t) => t.updateVisit({ ...v3, status: 'closed', closedAt: 31_000, outcome: 'tried' }));
    await tx((t) => t.updateVisit({ ...v1, status: 'closed', closedAt: 31_000, outcome: 'tried' }));
    const v5 = visit(`${m}-v5`, s, m, { arrivedAt: 32_000, lastSeenAt: 32_000, source: 'pos' });
    expect(await tx((t) => t.openVisitOrInsert(v5, 0))).toBeNull();
    expect(await read((r) => r.getVisit(v5.id))).toEqual({ ...v5, notes: [] });
    const v6 = visit(`${m}-v6`, s2, m, { arrivedAt: 32_000, lastSeenAt: 32_000 });
    expect(await tx((t) => t.openVisitOrInsert(v6, 0))).toBeNull();
    expect(await mine(s)).toEqual([v1.id, v3.id, v5.id].sort());
    expect(await mine(s2)).toEqual([v6.id]);
  });

  it('openVisitsSeen: each pair’s newest open visit since a time, by when it was last seen', async () => {
    const [s, s2] = [await newStore(), await newStore()];
    const [m, n, none] = [uid('mem'), uid('mem'), uid('mem')];
    await tx(async (t) => {
      await t.insertVisit(visit(`${m}-a`, s, m, { lastSeenAt: 5_000 }));
      await t.insertVisit(visit(`${m}-b`, s, m, { lastSeenAt: 9_000, status: 'claimed' }));
      await t.insertVisit(visit(`${m}-c`, s, m, { lastSeenAt: 12_000, status: 'closed', closedAt: 12_500 }));
      await t.insertVisit(visit(`${m}-d`, s2, m, { lastSeenAt: 3_000 }));
      await t.insertVisit(visit(`${n}-a`, s, n, { lastSeenAt: 7_000 }));
    });
    const seen = await read((r) =>
      r.openVisitsSeen(
        [
          { storeId: s, memberId: m },
          { storeId: s, memberId: m },
          { storeId: s2, memberId: m },
          { storeId: s, memberId: n },
          { storeId: s, memberId: none },
        ],
        4_000,
      ),
    );
    const by = (list: { storeId: string; memberId: string; lastSeenAt: number }[]) => list.map((v) => [v.storeId, v.memberId, v.lastSeenAt]).sort();
    // m at s: the claimed visit (the closed one does not count); m at s2: seen before 4,000; `none`: no visit.
    expect(by(seen)).toEqual(
      [
        [s, m, 9_000],
        [s, n, 7_000],
      ].sort(),
    );
    // As findOpenVisit answers for any later time.
    for (const [at, found] of [
      [8_000, true],
      [9_000, true],
      [9_001, false],
    ] as const)
      expect((await read((r) => r.findOpenVisit(s, m, at))) !== null).toBe(found);
    expect(await read((r) => r.openVisitsSeen([], 0))).toEqual([]);
  });

  it('arrivalReads answers, by member id or card code, what the member, open visit, profile and expectation reads answer', async () => {
    const [s, s2] = [await newStore(), await newStore()];
    const [m, n] = [uid('mem'), uid('mem')];
    const expectation = (id: string, storeId: string, until: number, status: ExpectedVisit['status'] = 'expected'): ExpectedVisit => ({
      id, storeId, member: { id: m, name: '王芳', tier: 'gold' }, styleId: 'st-1', styleName: 'Style 1', size: 38.5, holdId: null,
      source: { kind: 'chat', id: null, title: '' }, createdAt: 1_000, until, status, visitId: null, arrivedAt: null,
    });
    await tx(async (t) => {
      await t.upsertMember(member(m, { homeStoreId: s }));
      await t.upsertMember(member(n, { homeStoreId: s }));
      for (const [id, at] of [['p1', 1_000], ['p3', 3_000], ['p2', 3_000]] as const) {
        await t.upsertPurchase({ id: `${m}-${id}`, memberId: m, styleId: 'st-1', styleName: '款', category: 'running', color: 'BLK', size: 38.5, storeId: s, at, price: 1_099 });
      }
      await t.insertVisit(visit(`${m}-old`, s, m, { arrivedAt: 1_000, lastSeenAt: 1_500, status: 'closed', closedAt: 1_600 }));
      await t.insertVisit(visit(`${m}-open`, s, m, { arrivedAt: 8_000, lastSeenAt: 9_000, status: 'claimed' }));
      await t.insertVisit(visit(`${m}-there`, s2, m, { arrivedAt: 2_000, lastSeenAt: 2_500 }));
      await t.insertNote({ id: `${m}-note`, visitId: `${m}-open`, memberId: m, text: '试了 38 码', by: desk, at: 9_100 });
      await t.expected.putExpected(expectation(`${m}-e2`, s, 50_000), 2_000);
      await t.expected.putExpected(expectation(`${m}-e1`, s, 60_000), 1_000);
      await t.expected.putExpected(expectation(`${m}-gone`, s, 9_500), 1_000); // lapsed by `at`
      await t.expected.putExpected(expectation(`${m}-there`, s2, 60_000), 1_000);
    });
    const apart = async (r: HqTx, storeId: string, memberId: string, since: number, at: number, limit: number) => ({
      member: (await r.getMember(memberId))!,
      open: await r.findOpenVisit(storeId, memberId, since),
      profile: await r.profileReads(memberId, limit, null),
      expected: await r.expected.openAtStore(storeId, memberId, at),
    });
    for (const [storeId, memberId, since, at, limit] of [
      [s, m, 4_000, 10_000, 20],
      [s, m, 9_001, 10_000, 2],
      [s2, m, 2_000, 10_000, -1],
      [s, n, 0, 10_000, 20],
    ] as const) {
      const { byId, byCode, expected } = await read(async (r) => ({
        byId: await r.arrivalReads(storeId, { id: memberId }, since, at, limit),
        byCode: await r.arrivalReads(storeId, { code: `code-${memberId}` }, since, at, limit),
        expected: await apart(r, storeId, memberId, since, at, limit),
      }));
      expect(byId).toEqual(expected);
      expect(byCode).toEqual(expected);
    }
    const first = (await read((r) => r.arrivalReads(s, { code: `code-${m}` }, 4_000, 10_000, 20)))!;
    expect(first.open?.id).toBe(`${m}-open`);
    expect(first.open?.notes.map((x) => x.id)).toEqual([`${m}-note`]);
    expect(first.profile.purchases.map((p) => p.id)).toEqual([`${m}-p2`, `${m}-p3`, `${m}-p1`]);
    expect(first.profile.lastSeenAt).toBe(9_000);
    expect(first.expected.map((e) => e.id)).toEqual([`${m}-e1`, `${m}-e2`]);
    expect(await read((r) => r.arrivalReads(s, { code: 'no-such-code' }, 0, 10_000, 20))).toBeNull();
    expect(await read((r) => r.arrivalReads(s, { id: 'no-such-member' }, 0, 10_000, 20))).toBeNull();
    // Inside a transaction it sees the transaction's own writes.
    await tx(async (t) => {
      await t.insertVisit(visit(`${n}-new`, s, n, { arrivedAt: 11_000, lastSeenAt: 11_000 }));
      const r = (await t.arrivalReads(s, { id: n }, 10_000, 11_000, 20))!;
      expect(r.open?.id).toBe(`${n}-new`);
      expect(r.profile.lastSeenAt).toBe(11_000);
    });
  });

  it('new visits: read back in the transaction that inserted them, dropped with a savepoint rolled back, a bad one failing the commit', async () => {
    // (PostgreSQL holds new visits back and writes a batch's together: none of that may show.)
    const s = await newStore();
    const m = uid('mem');
    await tx(async (t) => {
      await t.insertVisit(visit(`${m}-1`, s, m, { lastSeenAt: 20_000 }));
      expect((await t.findOpenVisit(s, m, 0))?.id).toBe(`${m}-1`);
      expect(await t.openVisitsSeen([{ storeId: s, memberId: m }], 0)).toEqual([{ storeId: s, memberId: m, lastSeenAt: 20_000 }]);
      await expect(
        t.savepoint(async () => {
          await t.insertVisit(visit(`${m}-dropped`, s, m, { lastSeenAt: 30_000 }));
          throw new Error('the item failed');
        }),
      ).rejects.toThrow('the item failed');
      expect((await t.findOpenVisit(s, m, 0))?.id).toBe(`${m}-1`);
    });
    expect(await read((r) => r.getVisit(`${m}-dropped`))).toBeNull();
    expect((await read((r) => r.getVisit(`${m}-1`)))?.lastSeenAt).toBe(20_000);
    // The same id twice: refused, and nothing of the transaction commits.
    await expect(
      tx(async (t) => {
        await t.insertVisit(visit(`${m}-2`, s, m));
        await t.insertVisit(visit(`${m}-1`, s, m));
      }),
    ).rejects.toThrow(/unique|constraint|duplicate/i);
    expect(await read((r) => r.getVisit(`${m}-2`))).toBeNull();
  });

  it('desk ops and idempotency keys are remembered, refused twice, and purged by age', async () => {
    const dev = uid('dev');
    const rejection = { code: 'already_claimed' as const, message: 'taken', by: desk };
    await tx(async (t) => {
      await t.putOp(dev, 'op1', { status: 'ok', seq: 12, rejection: null }, 1_000);
      await t.putOp(dev, 'op2', { status: 'rejected', seq: null, rejection }, 3_000);
      await t.putIdempotent(`${dev}-k1`, 'hash1', '{"saved":1}', 1_000);
      await t.putIdempotent(`${dev}-k2`, 'hash2', '{"saved":2}', 3_000);
    });
    expect(await read((r) => r.getOp(dev, 'op1'))).toEqual({ status: 'ok', seq: 12, rejection: null });
    expect(await read((r) => r.getOp(dev, 'op2'))).toEqual({ status: 'rejected', seq: null, rejection });
    expect(await read((r) => r.getOp(dev, 'op3'))).toBeNull();
    expect(await read((r) => r.getIdempotent(`${dev}-k1`))).toEqual({ requestHash: 'hash1', result: '{"saved":1}' });
    expect(await read((r) => r.getIdempotent('nope'))).toBeNull();
    await expect(tx((t) => t.putOp(dev, 'op1', { status: 'ok', seq: 13, rejection: null }, 1))).rejects.toThrow();
    await expect(tx((t) => t.putIdempotent(`${dev}-k1`, 'x', 'y', 1))).rejects.toThrow();

    await tx((t) => t.chat.putLoginFailures(`${dev}-old`, { count: 3, since: 1_000 }));
    await tx((t) => t.chat.putLoginFailures(`${dev}-new`, { count: 1, since: 5_000 }));
    expect(await tx((t) => t.purgeOlderThan(2_000, 1_000_000))).toBeGreaterThanOrEqual(1);
    expect(await read((r) => r.chat.loginFailures(`${dev}-old`))).toBeNull();
    expect(await read((r) => r.chat.loginFailures(`${dev}-new`))).toEqual({ count: 1, since: 5_000 });
    expect(await read((r) => r.getOp(dev, 'op1'))).toBeNull();
    expect(await read((r) => r.getOp(dev, 'op2'))).not.toBeNull();
    expect(await read((r) => r.getIdempotent(`${dev}-k1`))).toBeNull();
    expect(await read((r) => r.getIdempotent(`${dev}-k2`))).not.toBeNull();

    // A limit: at most that many keys (and ops) a call, the oldest first; called again, the rest.
    await tx(async (t) => {
      for (let i = 0; i < 5; i++) await t.putIdempotent(`${dev}-old-${i}`, 'h', '{}', 2 + i);
      await t.putIdempotent(`${dev}-young`, 'h', '{}', 8);
    });
    expect(await tx((t) => t.purgeOlderThan(7, 2))).toBe(2);
    expect(await read((r) => r.getIdempotent(`${dev}-old-0`))).toBeNull();
    expect(await read((r) => r.getIdempotent(`${dev}-old-4`))).not.toBeNull();
    let calls = 1;
    while ((await tx((t) => t.purgeOlderThan(7, 2))) === 2) calls++;
    expect(calls).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 5; i++) expect(await read((r) => r.getIdempotent(`${dev}-old-${i}`))).toBeNull();
    expect(await read((r) => r.getIdempotent(`${dev}-young`))).not.toBeNull();
  });

  it('lastEventMentioning finds the newest event whose data contains the text', async () => {
    const s = await newStore();
    await tx(async (t) => {
      await t.appendEvent(s, ev('a', { memberId: 'mem-x' }));
      await t.appendEvent(s, ev('b', { memberId: 'mem-y' }));
      await t.appendEvent(s, ev('c', { note: 'about "mem-x" again', pct: '100%_' }));
      await t.appendEvent(s, ev('d', { memberId: 'mem-y' }));
    });
    expect(await read((r) => r.lastEventMentioning(s, '"mem-x"'))).toBe(1);
    expect(await read((r) => r.lastEventMentioning(s, 'mem-x'))).toBe(3);
    expect(await read((r) => r.lastEventMentioning(s, '%_'))).toBe(3);
    expect(await read((r) => r.lastEventMentioning(s, 'mem-z'))).toBeNull();
    expect(await read((r) => r.lastEventMentioning('no-such-store', 'mem-x'))).toBeNull();
  });

  it('deleteMember erases the member, purchases, visits, notes and chat', async () => {
    const s = await newStore();
    const [m, keep] = [uid('mem'), uid('mem')];
    await tx(async (t) => {
      for (const id of [m, keep]) {
        await t.upsertMember(member(id, { homeStoreId: s }));
        await t.upsertPurchase({ id: `${id}-p`, memberId: id, styleId: 'st', styleName: 'S', category: 'kids', color: 'c', size: 30, storeId: s, at: 1, price: 1 });
        await t.insertVisit(visit(`${id}-v`, s, id));
        await t.insertNote({ id: `${id}-n`, visitId: `${id}-v`, memberId: id, text: 't', by: desk, at: 1 });
        await t.chat.putConversation({ storeId: s, memberId: id, lastN: 1, lastAt: 1, receipts: { memberDelivered: 0, memberRead: 0, storeDelivered: 0, storeRead: 0 } });
        await t.chat.insertMessage(message(`${id}-msg`, s, id, 1), 1);
        await t.chat.putImage({ id: `${id}-img`, storeId: s, memberId: id, mime: 'image/png', bytes: Buffer.from([1, 2, 3]), createdAt: 1 });
        await t.chat.createMemberSession(`${id}-session`, { memberId: id, storeId: s, expiresAt: 9_999_999_999_999 }, 1);
      }
    });
    expect(await tx((t) => t.deleteMember(m))).toBe(true);
    expect(await tx((t) => t.deleteMember(m))).toBe(false);
    await read(async (r) => {
      expect(await r.getMember(m)).toBeNull();
      expect(await r.purchasesOf(m, 10)).toEqual([]);
      expect(await r.getVisit(`${m}-v`)).toBeNull();
      expect(await r.getNote(`${m}-n`)).toBeNull();
      expect(await r.chat.getConversation(s, m)).toBeNull();
      expect(await r.chat.getMessage(`${m}-msg`)).toBeNull();
      expect(await r.chat.getImage(`${m}-img`)).toBeNull();
      expect(await r.chat.memberSession(`${m}-session`, 2)).toBeNull();
      // The other member is untouched.
      expect(await r.getMember(keep)).not.toBeNull();
      expect(await r.purchasesOf(keep, 10)).toHaveLength(1);
      expect((await r.getVisit(`${keep}-v`))?.notes).toHaveLength(1);
      expect(await r.chat.getMessage(`${keep}-msg`)).not.toBeNull();
      expect(await r.chat.getImage(`${keep}-img`)).not.toBeNull();
      expect(await r.chat.memberSession(`${keep}-session`, 2)).not.toBeNull();
    });
  });

  describe('chat', () => {
    it('conversations: put, get, recent first since a time, with a limit', async () => {
      const s = await newStore();
      const conv = (memberId: string, lastAt: number) => ({
        storeId: s,
        memberId,
        lastN: 3,
        lastAt,
        receipts: { memberDelivered: 1, memberRead: 2, storeDelivered: 3, storeRead: 0 },
      });
      await tx(async (t) => {
        await t.chat.putConversation(conv('m-a', 100));
        await t.chat.putConversation(conv('m-b', 300));
        await t.chat.putConversation(conv('m-c', 200));
      });
      expect(await read((r) => r.chat.getConversation(s, 'm-a'))).toEqual(conv('m-a', 100));
      expect(await read((r) => r.chat.getConversation(s, 'nope'))).toBeNull();
      expect((await read((r) => r.chat.listConversations(s, 150, 10))).map((c) => c.memberId)).toEqual(['m-b', 'm-c']);
      expect((await read((r) => r.chat.listConversations(s, 0, 2))).map((c) => c.memberId)).toEqual(['m-b', 'm-c']);
      await tx((t) => t.chat.putConversation({ ...conv('m-a', 400), lastN: 9, receipts: { memberDelivered: 9, memberRead: 8, storeDelivered: 7, storeRead: 6 } }));
      expect(await read((r) => r.chat.getConversation(s, 'm-a'))).toEqual({ ...conv('m-a', 400), lastN: 9, receipts: { memberDelivered: 9, memberRead: 8, storeDelivered: 7, storeRead: 6 } });
    });

    it('messages: insert, get, by client id, pages before n, recall, announced per member', async () => {
      const s = await newStore();
      const m = uid('mem');
      const clerkBy: Actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'k1', clerkName: 'Ann' };
      const product = { styleId: 'st-1', name: 'Air 1', category: 'retro' as const, price: 1299, colors: [{ code: 'RED', name: 'Red' }], sizes: [{ size: 42.5, qty: 2 }] };
      const image = { id: `${m}-img`, mime: 'image/png' as const, bytes: 3 };
      const msgs: Message[] = [
        message(`${m}-1`, s, m, 1),
        message(`${m}-2`, s, m, 2, { from: 'clerk', by: clerkBy, kind: 'product', body: '', product }),
        message(`${m}-3`, s, m, 3, { kind: 'image', body: '', image }),
        message(`${m}-4`, s, m, 4, { from: 'clerk', by: desk }),
        message(`${m}-5`, s, m, 5),
      ];
      await tx(async (t) => {
        for (const [i, msg] of msgs.entries()) await t.chat.insertMessage(msg, 10 + i);
        await t.chat.insertMessage(message(`${m}-other`, s, `${m}-other`, 1), 12);
      });
      expect(await read((r) => r.chat.getMessage(`${m}-2`))).toEqual(msgs[1]);
      expect(await read((r) => r.chat.getMessage(`${m}-3`))).toEqual(msgs[2]);
      expect(await read((r) => r.chat.getMessage('nope'))).toBeNull();
      expect(await read((r) => r.chat.findByClientId(s, m, 'clerk', `c-${m}-4`))).toEqual(msgs[3]);
      expect(await read((r) => r.chat.findByClientId(s, m, 'member', `c-${m}-4`))).toBeNull();
      expect((await read((r) => r.chat.messages(s, m, null, 2))).map((x) => x.n)).toEqual([4, 5]);
      expect((await read((r) => r.chat.messages(s, m, 3, 10))).map((x) => x.n)).toEqual([1, 2]);
      expect((await read((r) => r.chat.messages(s, m, 5, 3))).map((x) => x.n)).toEqual([2, 3, 4]);
      expect(await read((r) => r.chat.messages(s, m, 1, 3))).toEqual([]);
      // The same n or the same client id twice in a conversation is refused.
      await expect(tx((t) => t.chat.insertMessage(message(`${m}-dup`, s, m, 5), 99))).rejects.toThrow();
      await expect(tx((t) => t.chat.insertMessage(message(`${m}-dup`, s, m, 6, { clientId: `c-${m}-5` }), 99))).rejects.toThrow();

      await tx((t) => t.chat.recall(`${m}-2`, 7_000));
      await tx((t) => t.chat.recall(`${m}-2`, 8_000));
      expect(await read((r) => r.chat.getMessage(`${m}-2`))).toEqual({ ...msgs[1], body: '', product: null, recalledAt: 7_000 });
      await tx((t) => t.chat.recall(`${m}-3`, 7_500));
      expect(await read((r) => r.chat.getMessage(`${m}-3`))).toMatchObject({ image: null, recalledAt: 7_500 });
      // The recalled image message still names its image for the conversation check.
      expect(await read((r) => r.chat.imageInConversation(s, m, `${m}-img`))).toBe(true);
      expect(await read((r) => r.chat.imageInConversation(s, `${m}-other`, `${m}-img`))).toBe(false);

      // Member messages announced by event seqs in (afterSeq, uptoSeq]: 10 (n1), 12 (n3), 14 (n5), other member at 12.
      const announced = async (after: number, upto: number) =>
        (await read((r) => r.chat.memberMessagesAnnounced(s, after, upto))).sort((a, b) => a.memberId.localeCompare(b.memberId));
      expect(await announced(0, 100)).toEqual([
        { memberId: m, n: 5 },
        { memberId: `${m}-other`, n: 1 },
      ]);
      expect(await announced(10, 13)).toEqual([
        { memberId: m, n: 3 },
        { memberId: `${m}-other`, n: 1 },
      ]);
      expect(await announced(12, 13)).toEqual([]);
    });

    it('images keep their bytes exactly', async () => {
      const s = await newStore();
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
      const id = uid('img');
      await tx((t) => t.chat.putImage({ id, storeId: s, memberId: null, mime: 'image/webp', bytes, createdAt: 123 }));
      const got = await read((r) => r.chat.getImage(id));
      expect(got).toEqual({ id, storeId: s, memberId: null, mime: 'image/webp', bytes, createdAt: 123 });
      expect(Buffer.isBuffer(got!.bytes)).toBe(true);
      expect(await read((r) => r.chat.getImage('nope'))).toBeNull();
    });

    it('member visits, sessions, sign-in failures and the delivered scan', async () => {
      const s = await newStore();
      const m = uid('mem');
      expect(await read((r) => r.chat.memberVisited(s, m))).toBe(false);
      await tx((t) => t.insertVisit(visit(`${m}-v`, s, m)));
      expect(await read((r) => r.chat.memberVisited(s, m))).toBe(true);

      await tx(async (t) => {
        await t.chat.createMemberSession(`${m}-s1`, { memberId: m, storeId: s, expiresAt: 5_000 }, 1_000);
        await t.chat.createMemberSession(`${m}-s2`, { memberId: m, storeId: s, expiresAt: 9_000 }, 1_000);
      });
      expect(await read((r) => r.chat.memberSession(`${m}-s1`, 4_999))).toEqual({ memberId: m, storeId: s, expiresAt: 5_000 });
      expect(await read((r) => r.chat.memberSession(`${m}-s1`, 5_000))).toBeNull();
      await tx((t) => t.chat.purgeMemberSessions(5_000));
      expect(await read((r) => r.chat.memberSession(`${m}-s1`, 0))).toBeNull();
      expect(await read((r) => r.chat.memberSession(`${m}-s2`, 0))).not.toBeNull();

      const key = `${s}:${m}`;
      expect(await read((r) => r.chat.loginFailures(key))).toBeNull();
      await tx((t) => t.chat.putLoginFailures(key, { count: 1, since: 100 }));
      await tx((t) => t.chat.putLoginFailures(key, { count: 2, since: 100 }));
      expect(await read((r) => r.chat.loginFailures(key))).toEqual({ count: 2, since: 100 });
      await tx((t) => t.chat.putLoginFailures(key, null));
      expect(await read((r) => r.chat.loginFailures(key))).toBeNull();

      expect(await read((r) => r.chat.deliveredScan(s))).toBe(0);
      await tx((t) => t.chat.setDeliveredScan(s, 5));
      await tx((t) => t.chat.setDeliveredScan(s, 3));
      expect(await read((r) => r.chat.deliveredScan(s))).toBe(5);
      await tx((t) => t.chat.setDeliveredScan(s, 8));
      expect(await read((r) => r.chat.deliveredScan(s))).toBe(8);
    });
  });

  describe('clerks', () => {
    it('clerks: upsert, get, list by store and by name', async () => {
      const [s1, s2] = [uid('cs'), uid('cs')];
      const [a, b, c] = [uid('clerk'), uid('clerk'), uid('clerk')];
      await tx(async (t) => {
        await t.clerks.upsertClerk(clerk(a, s1, 'Zed'), 100);
        await t.clerks.upsertClerk(clerk(b, s1, 'Ann', { role: 'manager', enabled: false }), 200);
        await t.clerks.upsertClerk(clerk(c, s2, 'Bo'), 300);
      });
      expect(await read((r) => r.clerks.getClerk(b))).toEqual(clerk(b, s1, 'Ann', { role: 'manager', enabled: false, updatedAt: 200 }));
      expect(await read((r) => r.clerks.getClerk('nope'))).toBeNull();
      expect((await read((r) => r.clerks.listClerks(s1))).map((x) => x.name)).toEqual(['Ann', 'Zed']);
      const everyone = (await read((r) => r.clerks.listClerks(null))).filter((x) => x.storeId === s1 || x.storeId === s2);
      expect(everyone.map((x) => x.id)).toEqual([b, a, c]);
      await tx((t) => t.clerks.upsertClerk(clerk(a, s2, 'Zed Two', { enabled: false }), 400));
      expect(await read((r) => r.clerks.getClerk(a))).toEqual(clerk(a, s2, 'Zed Two', { enabled: false, updatedAt: 400 }));
    });

    it('clerk sessions and lockouts', async () => {
      const k = uid('clerk');
      await tx(async (t) => {
        await t.clerks.putSession(`${k}-t1`, { clerkId: k, storeId: 's', deviceId: 'd', expiresAt: 5_000 }, 1_000);
        await t.clerks.putSession(`${k}-t2`, { clerkId: k, storeId: 's', deviceId: 'd', expiresAt: 9_000 }, 1_000);
      });
      expect(await read((r) => r.clerks.getSession(`${k}-t1`, 4_999))).toEqual({ clerkId: k, storeId: 's', deviceId: 'd', expiresAt: 5_000 });
      expect(await read((r) => r.clerks.getSession(`${k}-t1`, 5_000))).toBeNull();
      await tx((t) => t.clerks.purgeSessions(5_000));
      expect(await read((r) => r.clerks.getSession(`${k}-t1`, 0))).toBeNull();
      await tx((t) => t.clerks.deleteSession(`${k}-t2`));
      expect(await read((r) => r.clerks.getSession(`${k}-t2`, 0))).toBeNull();

      expect(await read((r) => r.clerks.getLockout(k))).toBeNull();
      await tx((t) => t.clerks.putLockout(k, { failures: 4, lockedUntil: 0 }));
      await tx((t) => t.clerks.putLockout(k, { failures: 5, lockedUntil: 123_456 }));
      expect(await read((r) => r.clerks.getLockout(k))).toEqual({ failures: 5, lockedUntil: 123_456 });
      await tx((t) => t.clerks.clearLockout(k));
      expect(await read((r) => r.clerks.getLockout(k))).toBeNull();
    });

    describe('reports on one fixed day of visits', () => {
      // The day of test/support/kpiVisits.ts at store rep-a (with its notes and clerks), one visit at rep-b.
      beforeAll(async () => {
        await tx(async (t) => {
          await t.upsertMember(member('m1', { code: 'kpi-m1', name: '王芳', tier: 'basic' }));
          await t.upsertMember(member('m2', { code: 'kpi-m2', name: '李娜', tier: 'gold' }));
          await t.upsertStore({ id: 'rep-b', name: 'Report Store B', city: 'Beijing' }, 'e1');
          for (const f of KPI_VISITS) {
            await t.insertVisit({
              id: f.visitId,
              storeId: 'rep-a',
              memberId: f.memberId,
              source: f.source,
              status: f.status,
              arrivedAt: f.arrivedAt,
              lastSeenAt: f.arrivedAt,
              arrivals: 1,
              claimedBy: f.claimedAt === null ? null : { deviceId: 'd1', deviceName: f.deviceName!, ...(f.clerkId ? { clerkId: f.clerkId, clerkName: f.clerkName! } : {}) },
              claimedAt: f.claimedAt,
              closedAt: f.closedAt,
              outcome: f.outcome,
            });
          }
          // Inserted newest first: the notes come back in time order all the same.
          for (const n of kpiNotes(KPI_VISITS).reverse()) await t.insertNote(n);
          for (const c of kpiRoster('rep-a')) await t.clerks.upsertClerk(clerk(c.id, c.storeId, c.name, { role: c.role, enabled: c.enabled }), 1);
          // Another store's clerk: never in rep-a's table.
          await t.clerks.upsertClerk(clerk('clerk-X', 'rep-b', 'Xu'), 1);
          await t.insertVisit(visit('vb', 'rep-b', 'm3', { arrivedAt: DAY_FROM + 1000, lastSeenAt: DAY_FROM + 1000 }));
        });
      });

      const filters: Partial<ReportArgs>[] = [
        {},
        { clerkId: 'clerk-A' },
        { clerkId: 'clerk-B' },
        { clerkId: 'clerk-C' },
        { clerkId: 'nobody' },
        { clerkId: 'clerk-B', tier: 'gold' },
        { clerkId: 'clerk-A', served: false },
        { tier: 'gold' },
        { outcome: 'open' },
        { outcome: 'purchased' },
        { served: true },
        { served: false },
        { tzOffsetMin: 0 },
        { tzOffsetMin: -720 },
        { tzOffsetMin: 840 },
        { tzOffsetMin: 330 },
        { tzOffsetMin: -210 },
        { from: DAY_FROM - 24 * 3600 * 1000 },
        { from: DAY_FROM - 6 * 24 * 3600 * 1000, tzOffsetMin: 0 },
        { limit: 3 },
      ];
      for (const f of filters) {
        it(`figures and visits agree with shared/kpis.ts: ${JSON.stringify(f)}`, async () => {
          const args: ReportArgs = { from: DAY_FROM, to: DAY_TO, ...f };
          const q = ReportArgsSchema.parse(args);
          const expected = buildReport(KPI_VISITS, args, 'hq', null, kpiRoster('rep-a'));
          const figures = await read((r) => r.clerks.figures(['rep-a'], q));
          expect(figures).toEqual({ kpis: expected.kpis, perClerk: expected.perClerk, byHour: expected.byHour, byDay: expected.byDay });
          expect(await read((r) => r.clerks.visitFacts(['rep-a'], q))).toEqual(expected.visits);
        });
      }

      it('every enabled clerk has a row, zero served included; a clerk filter counts that clerk among all arrivals', async () => {
        const q = (f: Partial<ReportArgs>) => ReportArgsSchema.parse({ from: DAY_FROM, to: DAY_TO, ...f });
        const all = await read((r) => r.clerks.figures(['rep-a'], q({})));
        expect(all.perClerk.map((c) => [c.clerkName, c.served])).toEqual([
          ['Ann', 3],
          ['Bo', 2],
          [null, 1],
          ['Cy', 0],
        ]);
        const ann = await read((r) => r.clerks.figures(['rep-a'], q({ clerkId: 'clerk-A' })));
        expect(ann.kpis).toMatchObject({ arrivals: 8, served: 3, servedRate: 3 / 8 });
      });

      it('covers every listed store and none other, and says which store each row is of', async () => {
        const q = ReportArgsSchema.parse({ from: DAY_FROM, to: DAY_TO });
        const both = await read((r) => r.clerks.figures(['rep-a', 'rep-b'], q));
        expect(both.kpis.arrivals).toBe(9);
        expect(both.perClerk.map((c) => [c.storeId, c.clerkName])).toEqual([
          ['rep-a', 'Ann'],
          ['rep-a', 'Bo'],
          ['rep-a', null],
          ['rep-a', 'Cy'],
          ['rep-b', 'Xu'],
        ]);
        expect((await read((r) => r.clerks.figures(['rep-b'], q))).kpis.arrivals).toBe(1);
        expect((await read((r) => r.clerks.figures([], q))).kpis.arrivals).toBe(0);
        const facts = await read((r) => r.clerks.visitFacts(['rep-a', 'rep-b'], q));
        expect(new Set(facts.map((f) => `${f.storeId}:${f.storeName}`))).toEqual(new Set(['rep-a:rep-a', 'rep-b:Report Store B']));
        // A member HQ does not know: empty name and card code, basic tier.
        expect(facts.find((f) => f.visitId === 'vb')).toMatchObject({ storeId: 'rep-b', memberName: '', memberCode: '', tier: 'basic', clerkId: null, notes: [] });
      });

      it('never counts a visit without a claim, or one closed as `left`, as served', async () => {
        const s = 'rep-left';
        const ann: Actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'clerk-L', clerkName: 'Lu' };
        await tx(async (t) => {
          await t.insertVisit(visit('left-1', s, 'm1', { arrivedAt: T0, lastSeenAt: T0, status: 'closed', claimedBy: ann, claimedAt: T0 + 5000, closedAt: T0 + 5000, outcome: 'left' as VisitRow['outcome'] }));
          await t.insertVisit(visit('left-2', s, 'm1', { arrivedAt: T0 + 1, lastSeenAt: T0 + 1, status: 'closed', closedAt: T0 + 9000, outcome: 'left' as VisitRow['outcome'] }));
          await t.insertVisit(visit('left-3', s, 'm1', { arrivedAt: T0 + 2, lastSeenAt: T0 + 2 }));
        });
        const q = (f: Partial<ReportArgs>) => ReportArgsSchema.parse({ from: DAY_FROM, to: DAY_TO, ...f });
        const fig = await read((r) => r.clerks.figures([s], q({})));
        expect(fig.kpis).toMatchObject({ arrivals: 3, served: 0, servedRate: 0, claimMedianMs: null });
        expect(fig.perClerk).toEqual([]);
        expect((await read((r) => r.clerks.visitFacts([s], q({ served: false })))).map((f) => f.visitId)).toEqual(['left-3', 'left-2', 'left-1']);
        expect(await read((r) => r.clerks.visitFacts([s], q({ served: true })))).toEqual([]);
      });

      it('the hour offset is cut toward zero, as SQLite casts it', async () => {
        // Not reachable through the API (ReportArgs wants an integer), but both engines must agree.
        for (const [given, used] of [
          [330.9, 330],
          [-330.9, -330],
        ] as const) {
          const q = { ...ReportArgsSchema.parse({ from: DAY_FROM, to: DAY_TO }), tzOffsetMin: given };
          const expected = buildReport(KPI_VISITS, { from: DAY_FROM, to: DAY_TO, tzOffsetMin: used }, 'hq', null, kpiRoster('rep-a'));
          expect((await read((r) => r.clerks.figures(['rep-a'], q))).byHour).toEqual(expected.byHour);
        }
      });

      it('timeline: arrival, repeat, claim, notes, the member chat of the visit with its senders and images, close', async () => {
        const s = 'tl-store';
        const ann: Actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'clerk-A', clerkName: 'Ann' };
        const bo: Actor = { deviceId: 'd2', deviceName: 'Counter 2', clerkId: 'clerk-B', clerkName: 'Bo' };
        const S = 1000;
        const photo = { id: 'img-1', mime: 'image/png' as const, bytes: 68 };
        await tx(async (t) => {
          await t.insertVisit(
            visit('tl-v', s, 'm1', { arrivedAt: T0, lastSeenAt: T0 + 60 * S, arrivals: 2, status: 'closed', claimedBy: ann, claimedAt: T0 + 30 * S, closedAt: T0 + 600 * S, outcome: 'purchased' }),
          );
          await t.insertVisit(visit('tl-open', s, 'm2', { arrivedAt: T0 }));
          // Claimed by Ann, taken over by Bo at the claim's own time and again by Ann, closed by Ann.
          const takeovers = [
            { from: ann, by: bo, at: T0 + 10 * S },
            { from: bo, by: ann, at: T0 + 20 * S },
          ];
          await t.insertVisit(visit('tl-taken', s, 'm2', { arrivedAt: T0, status: 'closed', claimedBy: ann, claimedAt: T0 + 10 * S, closedAt: T0 + 30 * S, outcome: 'tried', takeovers }));
          await t.insertNote({ id: 'tl-n1', visitId: 'tl-v', memberId: 'm1', text: 'likes red', by: { deviceId: 'd3', deviceName: 'Counter 3' }, at: T0 + 40 * S });
          await t.chat.insertMessage(message('tl-m1', s, 'm1', 1, { at: T0 - 1, body: 'before the visit' }), 1);
          // n 9 and 10 at the same time: ordered by n, not by its text.
          await t.chat.insertMessage(message('tl-m10', s, 'm1', 10, { at: T0 + 50 * S, from: 'clerk', by: bo, kind: 'product', body: '', product: { styleId: 'st', name: 'Air X', category: 'retro', price: 1, colors: [], sizes: [] } }), 3);
          await t.chat.insertMessage(message('tl-m9', s, 'm1', 9, { at: T0 + 50 * S, body: 'hi' }), 2);
          await t.chat.insertMessage(message('tl-m11', s, 'm1', 11, { at: T0 + 70 * S, body: 'take it back', recalledAt: T0 + 71 * S }), 4);
          await t.chat.insertMessage(message('tl-m12', s, 'm1', 12, { at: T0 + 80 * S, from: 'clerk', by: { deviceId: 'd3', deviceName: 'Counter 3' }, kind: 'image', body: '', image: photo }), 5);
          // A recalled image: its place stays, its picture goes.
          await t.chat.insertMessage(message('tl-m16', s, 'm1', 16, { at: T0 + 90 * S, kind: 'image', body: '', image: { ...photo, id: 'img-2' }, recalledAt: T0 + 91 * S }), 9);
          await t.chat.insertMessage(message('tl-m13', s, 'm1', 13, { at: T0 + 601 * S, body: 'after the close' }), 6);
          await t.chat.insertMessage(message('tl-m14', s, 'm2', 1, { at: T0 + 7_200 * S, body: 'two hours in' }), 7);
          await t.chat.insertMessage(message('tl-m15', s, 'm2', 2, { at: T0 + 7_200 * S + 1, body: 'too late' }), 8);
        });
        const entry = (at: number, kind: TimelineEntry['kind'], by: string | null = null, text: string | null = null, outcome: TimelineEntry['outcome'] = null): TimelineEntry => ({
          at,
          kind,
          by,
          from: null,
          text,
          image: null,
          outcome,
        });
        const said = (at: number, from: 'member' | 'clerk', by: string | null, text: string | null, image: TimelineEntry['image'] = null): TimelineEntry => ({
          ...entry(at, 'message', by, text),
          from,
          image,
        });
        const tl = await read((r) => r.clerks.timeline(s, 'tl-v'));
        expect(tl).toEqual({
          visit: {
            storeId: s,
            storeName: s,
            visitId: 'tl-v',
            memberId: 'm1',
            memberCode: 'kpi-m1',
            memberName: '王芳',
            tier: 'basic',
            source: 'door',
            status: 'closed',
            arrivedAt: T0,
            claimedAt: T0 + 30 * S,
            closedAt: T0 + 600 * S,
            outcome: 'purchased',
            clerkId: 'clerk-A',
            clerkName: 'Ann',
            deviceName: 'Counter 1',
            notes: ['likes red'],
          },
          entries: [
            entry(T0, 'arrival'),
            entry(T0 + 30 * S, 'claim', 'Ann'),
            entry(T0 + 40 * S, 'note', 'Counter 3', 'likes red'),
            said(T0 + 50 * S, 'member', '王芳', 'hi'),
            said(T0 + 50 * S, 'clerk', 'Bo', 'Air X'),
            entry(T0 + 60 * S, 'repeat', null, '2'),
            said(T0 + 70 * S, 'member', '王芳', null),
            said(T0 + 80 * S, 'clerk', 'Counter 3', null, photo),
            said(T0 + 90 * S, 'member', '王芳', null),
            entry(T0 + 600 * S, 'close', 'Ann', null, 'purchased'),
          ],
        });
        const open = await read((r) => r.clerks.timeline(s, 'tl-open'));
        expect(open?.visit).toMatchObject({ memberName: '李娜', tier: 'gold', clerkId: null, clerkName: null, deviceName: null, claimedAt: null });
        expect(open?.entries).toEqual([entry(T0, 'arrival'), said(T0 + 7_200 * S, 'member', '李娜', 'two hours in')]);
        // Take-overs: the claim names the first holder, each take-over who took it from whom (text).
        const taken = await read((r) => r.clerks.timeline(s, 'tl-taken'));
        expect(taken?.entries.filter((e) => e.kind !== 'message')).toEqual([
          entry(T0, 'arrival'),
          entry(T0 + 10 * S, 'claim', 'Ann'),
          entry(T0 + 10 * S, 'takeover', 'Bo', 'Ann'),
          entry(T0 + 20 * S, 'takeover', 'Ann', 'Bo'),
          entry(T0 + 30 * S, 'close', 'Ann', null, 'tried'),
        ]);
        expect(await read((r) => r.clerks.timeline('other-store', 'tl-v'))).toBeNull();
        expect(await read((r) => r.clerks.timeline(s, 'nope'))).toBeNull();
      });
    });
  });
});

// --- PostgreSQL only: several nodes, outages, retries -------------------------------------------

describe('postgres: several nodes writing to one store', () => {
  let schema: PgSchema;
  const stores: PgStore[] = [];

  beforeAll(async () => {
    schema = await freshPgSchema();
    // Migrate once up front; the nodes below then open an up-to-date schema at the same time.
    stores.push(await openPgStore(schema.url, { schema: schema.schema, poolSize: 2 }));
    await stores[0]!.withTx((t) => t.upsertStore({ id: 'busy', name: 'Busy', city: '' }, 'e1'));
    stores.push(...(await Promise.all(Array.from({ length: 7 }, () => openPgStore(schema.url, { schema: schema.schema, poolSize: 2 })))));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema?.cleanup();
  });

  it('8 writers × 50 events, some transactions rolled back: the log is 1..400, no gap, no duplicate, commit order', async () => {
    const committed: Array<Array<{ id: string; seq: number }>> = stores.map(() => []);
    let rolledBack = 0;
    await Promise.all(
      stores.map(async (node, w) => {
        for (let i = 0; i < 50; i++) {
          if (i % 7 === 3) {
            // A transaction that took a seq and then failed: its number must be reused.
            await node
              .withTx(async (t) => {
                await t.appendEvent('busy', ev(`w${w}-lost-${i}`));
                throw new Error('rollback');
              })
              .catch(() => rolledBack++);
          }
          const e = await node.withTx((t) => t.appendEvent('busy', ev(`w${w}-${i}`, { w, i })));
          committed[w]!.push({ id: e.id, seq: e.seq });
        }
      }),
    );
    expect(rolledBack).toBeGreaterThan(0);
    const log = await stores[0]!.read((r) => r.readEvents('busy', 0, 1000));
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(log.map((e) => e.id)).size).toBe(400);
    expect(log.some((e) => e.id.includes('lost'))).toBe(false);
    expect((await stores[3]!.read((r) => r.getStore('busy')))!.head).toBe(400);
    // What each writer was told is what the log holds, and each writer's events are in its order.
    const bySeq = new Map(log.map((e) => [e.seq, e.id]));
    for (const mine of committed) {
      expect(mine).toHaveLength(50);
      for (const { id, seq } of mine) expect(bySeq.get(seq)).toBe(id);
      expect(mine.map((x) => x.seq)).toEqual([...mine.map((x) => x.seq)].sort((a, b) => a - b));
    }
  });

  it('8 writers locking the store first (events held to commit), savepoints and transactions rolled back: no gap, no duplicate, commit order', async () => {
    await stores[0]!.withTx((t) => t.upsertStore({ id: 'held', name: 'Held', city: '' }, 'e1'));
    const committed: Array<Array<{ id: string; seq: number }>> = stores.map(() => []);
    let rolledBack = 0;
    await Promise.all(
      stores.map(async (node, w) => {
        for (let i = 0; i < 30; i++) {
          if (i % 7 === 3) {
            await node
              .withTx(async (t) => {
                await t.lockStore('held');
                await t.appendEvent('held', ev(`w${w}-lost-${i}`));
                throw new Error('rollback');
              })
              .catch(() => rolledBack++);
          }
          const told = await node.withTx(async (t) => {
            // Every other writer locks it among others, as a batch does.
            if (i % 2) await t.lockStores(['held', `absent-${w}`]);
            else await t.lockStore('held');
            const first = await t.appendEvent('held', ev(`w${w}-${i}-a`));
            await t.savepoint(async () => {
              await t.appendEvent('held', ev(`w${w}-${i}-undone`));
              throw new Error('item failed');
            }).catch(() => undefined);
            const second = await t.appendEvent('held', ev(`w${w}-${i}-b`));
            return [first, second];
          });
          committed[w]!.push(...told.map((e) => ({ id: e.id, seq: e.seq })));
        }
      }),
    );
    expect(rolledBack).toBeGreaterThan(0);
    const log = await stores[0]!.read((r) => r.readEvents('held', 0, 1000));
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 480 }, (_, i) => i + 1));
    expect(log.some((e) => e.id.includes('lost') || e.id.includes('undone'))).toBe(false);
    expect((await stores[5]!.read((r) => r.getStore('held')))!.head).toBe(480);
    const bySeq = new Map(log.map((e) => [e.seq, e.id]));
    for (const mine of committed) {
      expect(mine).toHaveLength(60);
      for (const { id, seq } of mine) expect(bySeq.get(seq)).toBe(id);
      // A transaction's two events are adjacent: nobody else wrote between them.
      for (let k = 0; k < mine.length; k += 2) expect(mine[k + 1]!.seq).toBe(mine[k]!.seq + 1);
    }
  });

  it("a connection's next transaction starts clean: what a rolled-back one held or locked is not carried into it", async () => {
    // One connection: every transaction below runs on it, through the tx object the connection made
    // on its first one (pgStore.ts connectionTx), each with state of its own.
    const single = await openPgStore(schema.url, { schema: schema.schema, poolSize: 1 });
    try {
      await single.withTx((t) => t.upsertStore({ id: 'turns', name: 'Turns', city: '' }, 'e1'));
      let kept: HqTx | null = null;
      await expect(
        single.withTx(async (t) => {
          kept = t;
          await t.lockStore('turns');
          // Held to the commit (the store is locked), then rolled back with the transaction.
          expect((await t.appendEvent('turns', ev('turns-undone'))).seq).toBe(1);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      const next = await single.withTx(async (t) => {
        expect(t).toBe(kept); // made once per connection
        await t.lockStore('turns');
        return t.appendEvent('turns', ev('turns-kept'));
      });
      expect(next.seq).toBe(1);
      const log = await single.read((r) => r.readEvents('turns', 0, 10));
      expect(log.map((e) => [e.seq, e.id])).toEqual([[1, 'turns-kept']]);
      // The connection idle: the object kept past its transaction is refused.
      await expect(kept!.getMeta('x')).rejects.toThrow(/outside its transaction/);
    } finally {
      await single.close();
    }
  });

  it('two nodes racing for one enrollment code: exactly one gets it', async () => {
    await stores[0]!.withTx((t) => t.createEnrollmentCode('race-code', 'busy', 9_999_999_999_999, 1));
    const results = await Promise.all(stores.map((s) => s.withTx((t) => t.consumeEnrollmentCode('race-code', 2))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(stores.length - 1);
  });

  it('a deadlock between two nodes is retried: both transactions commit once', async () => {
    const [a, b] = [stores[1]!, stores[2]!];
    await a.withTx(async (t) => {
      await t.upsertStore({ id: 'dl-1', name: '1', city: '' }, 'e');
      await t.upsertStore({ id: 'dl-2', name: '2', city: '' }, 'e');
    });
    // Each takes one store's row lock, then waits for the other's: PostgreSQL kills one, which
    // runs again. (Awaiting something else inside a transaction is only done here, to force it.)
    let firstHeld!: () => void;
    let secondHeld!: () => void;
    const aHolds = new Promise<void>((r) => (firstHeld = r));
    const bHolds = new Promise<void>((r) => (secondHeld = r));
    const runs = { a: 0, b: 0 };
    const [ra, rb] = await Promise.all([
      a.withTx(async (t) => {
        runs.a++;
        const x = await t.appendEvent('dl-1', ev(`a-1-${runs.a}`));
        firstHeld();
        await bHolds;
        const y = await t.appendEvent('dl-2', ev(`a-2-${runs.a}`));
        return [x.seq, y.seq];
      }),
      b.withTx(async (t) => {
        runs.b++;
        const x = await t.appendEvent('dl-2', ev(`b-2-${runs.b}`));
        secondHeld();
        await aHolds;
        const y = await t.appendEvent('dl-1', ev(`b-1-${runs.b}`));
        return [x.seq, y.seq];
      }),
    ]);
    expect(runs.a + runs.b).toBe(3);
    expect([...ra!, ...rb!].sort()).toEqual([1, 1, 2, 2]);
    for (const id of ['dl-1', 'dl-2']) {
      const log = await a.read((r) => r.readEvents(id, 0, 10));
      expect(log.map((e) => e.seq)).toEqual([1, 2]);
    }
  });

  it('lockStore serialises the writers of a store across nodes until the holder commits', async () => {
    const [a, b] = [stores[6]!, stores[7]!];
    const order: string[] = [];
    let aLocked!: () => void;
    const locked = new Promise<void>((r) => (aLocked = r));
    const first = a.withTx(async (t) => {
      await t.lockStore('busy');
      order.push('a locked');
      aLocked();
      // Only a test waits on something else inside a transaction: long enough for b to queue.
      await new Promise((r) => setTimeout(r, 200));
      await t.setMeta('lock-test', 'a');
      order.push('a commits');
    });
    await locked;
    const second = b.withTx(async (t) => {
      await t.lockStore('busy');
      order.push('b locked');
      return t.getMeta('lock-test');
    });
    await first;
    // b read after a committed, because it waited for the lock.
    expect(await second).toBe('a');
    expect(order).toEqual(['a locked', 'a commits', 'b locked']);
  });

  it('two nodes racing on read-then-insert of one key end as if one ran after the other', async () => {
    // Both look for the op, find none, and insert it: SQLite would have run them one after the
    // other; here the loser hits the unique key, runs again, and finds the winner's row.
    const [a, b] = [stores[4]!, stores[5]!];
    let bothLooked!: () => void;
    const looked = new Promise<void>((r) => (bothLooked = r));
    let lookups = 0;
    const node = (s: PgStore, seq: number) =>
      s.withTx(async (t) => {
        const seen = await t.getOp('race-dev', 'race-op');
        if (++lookups === 2) bothLooked();
        await looked;
        if (seen) return `seen ${seen.seq}`;
        await t.putOp('race-dev', 'race-op', { status: 'ok', seq, rejection: null }, 1);
        return 'inserted';
      });
    const outcomes = await Promise.all([node(a, 1), node(b, 2)]);
    expect(lookups).toBe(3);
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(1);
    const winner = outcomes[0] === 'inserted' ? 1 : 2;
    expect(outcomes).toContain(`seen ${winner}`);
    // A key that was there all along still fails, after a couple of quick runs.
    await expect(a.withTx((t) => t.putOp('race-dev', 'race-op', { status: 'ok', seq: 3, rejection: null }, 1))).rejects.toMatchObject({ code: '23505' });
  });

  it('a statement failure caught without a savepoint makes the commit fail instead of silently dropping the writes', async () => {
    // On SQLite the other statements of such a transaction would commit; PostgreSQL has aborted
    // the transaction at the failed statement, so the adapter says so rather than returning success.
    const node = stores[0]!;
    await node.withTx((t) => t.putOp('dev', 'dup-op', { status: 'ok', seq: 1, rejection: null }, 1));
    await expect(
      node.withTx(async (t) => {
        await t.setMeta('after-abort', 'x');
        await t.putOp('dev', 'dup-op', { status: 'ok', seq: 1, rejection: null }, 1).catch(() => undefined);
      }),
    ).rejects.toThrow(/rolled back/);
    expect(await node.read((r) => r.getMeta('after-abort'))).toBeNull();
  });
});

/** A TCP relay to PostgreSQL that a test can cut and restore, standing in for a database restart. */
class Relay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((down) => {
      const up = net.connect(this.target.port, this.target.host);
      for (const s of [down, up]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          down.destroy();
          up.destroy();
        });
      }
      down.pipe(up).pipe(down);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('postgres: outages', () => {
  let schema: PgSchema;
  let relay: Relay;
  let store: PgStore;
  const logs: string[] = [];

  beforeAll(async () => {
    schema = await freshPgSchema();
    const target = new URL(schema.url);
    relay = new Relay({ host: target.hostname, port: Number(target.port || 5432) });
    await relay.start();
    target.host = `127.0.0.1:${relay.port}`;
    store = await openPgStore(target.toString(), { schema: schema.schema, poolSize: 3, log: (l) => logs.push(l) });
    await store.withTx((t) => t.upsertStore({ id: 'o', name: 'O', city: '' }, 'e'));
  });
  afterAll(async () => {
    await store?.close();
    await relay?.cut();
    await schema?.cleanup();
  });

  it('an unreachable database is StoreUnavailable, ping says false, and the next calls work once it is back', async () => {
    // Fill the pool with idle connections, then drop them all (as a restart does).
    await Promise.all([1, 2, 3].map(() => store.read((r) => r.getStore('o'))));
    await relay.cut();
    const down = await store.withTx((t) => t.appendEvent('o', ev('during'))).catch((err: unknown) => err);
    expect(down).toBeInstanceOf(StoreUnavailable);
    expect((down as StoreUnavailable).retryAfterSeconds).toBe(2);
    await expect(store.read((r) => r.getStore('o'))).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await store.ping()).toBe(false);

    await relay.start();
    expect(await store.ping()).toBe(true);
    const e = await store.withTx((t) => t.appendEvent('o', ev('after')));
    expect(e.seq).toBe(1);
    expect(logs.some((l) => /connection/.test(l))).toBe(true);
  });

  it('a connection lost in the middle of a transaction: StoreUnavailable, nothing half-applied, then back to normal', async () => {
    const before = (await store.read((r) => r.getStore('o')))!.head;
    const failed = await store
      .withTx(async (t) => {
        await t.appendEvent('o', ev('half'));
        await relay.cut();
        await relay.start();
        await t.appendEvent('o', ev('half-2'));
      })
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(StoreUnavailable);
    expect((await store.read((r) => r.getStore('o')))!.head).toBe(before);
    expect((await store.withTx((t) => t.appendEvent('o', ev('next')))).seq).toBe(before + 1);
  });

  it('the server terminating idle connections (admin shutdown) does not crash the process; the next call works', async () => {
    // This store's own connections only (other suites share the server): check them all out at
    // once, note their backend pids, and put them back idle.
    const clients = await Promise.all([1, 2, 3].map(() => store.pool.connect()));
    const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    for (const c of clients) c.release();
    const lost = logs.length;
    await withPgClient((c) => c.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]));
    // Whether or not the pool has seen the terminations yet, the next transaction succeeds.
    expect((await store.withTx((t) => t.appendEvent('o', ev('after-terminate')))).seq).toBeGreaterThan(1);
    // Said in the log: by the pool once it sees the sockets close (on a busy machine, after 100 ms),
    // or by the store when a transaction meets a dead one first.
    await expect.poll(() => logs.length, { timeout: 5000 }).toBeGreaterThan(lost);
  });

  it('a store that cannot reach its database at all fails to open with StoreUnavailable', async () => {
    const dead = new Relay({ host: '127.0.0.1', port: 5432 });
    await dead.start();
    const port = dead.port;
    await dead.cut();
    const url = new URL(schema.url);
    url.host = `127.0.0.1:${port}`;
    await expect(openPgStore(url.toString(), { schema: schema.schema })).rejects.toBeInstanceOf(StoreUnavailable);
  });
});
