// HTTP side of HQ: enrollment, ingest idempotency, repeat arrivals, CSV import, snapshot scoping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArrivalError } from '../../hq/app/arrivals.ts';
import { Snapshot } from '../../shared/protocol.ts';
import { type Position, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

let t: TestHq;
/** Store A's position after the seed (its members' `member.updated` events): the test's events follow it. */
let A: Position;
beforeEach(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  A = await t.position('store-a');
});
afterEach(async () => {
  await t.dispose();
});

const ingest = (path: string, body: string, contentType = 'application/json', key = t.hq.integrationKey) =>
  fetch(`${t.hq.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, 'x-integration-key': key }, body });

describe('enrollment', () => {
  it('accepts a code once', async () => {
    const code = await t.hq.createEnrollmentCode('store-a');
    const post = () =>
      fetch(`${t.hq.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName: 'Till' }) });
    const first = await post();
    expect(first.status).toBe(200);
    const body = (await first.json()) as { token: string; storeId: string; storeName: string };
    expect(body.storeId).toBe('store-a');
    expect(body.storeName).toBe('Store A');
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = await post();
    expect(second.status).toBe(410);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('code_used');
  });

  it('refuses expired and unknown codes, and bad bodies with JSON errors', async () => {
    const code = await t.hq.createEnrollmentCode('store-a', -1);
    const expired = await fetch(`${t.hq.url}/v1/enroll`, { method: 'POST', body: JSON.stringify({ code, deviceName: 'x' }) });
    expect(expired.status).toBe(410);
    const unknown = await fetch(`${t.hq.url}/v1/enroll`, { method: 'POST', body: JSON.stringify({ code: 'AAAA-BBBB-CCCC', deviceName: 'x' }) });
    expect(unknown.status).toBe(401);
    const bad = await fetch(`${t.hq.url}/v1/enroll`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    const invalid = await fetch(`${t.hq.url}/v1/enroll`, { method: 'POST', body: JSON.stringify({ code: 1 }) });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
  });
});

describe('arrivals ingest', () => {
  it('needs the integration key', async () => {
    const res = await ingest('/v1/ingest/arrivals', JSON.stringify({ storeId: 'store-a', memberId: 'm1', source: 'door' }), 'application/json', 'wrong');
    expect(res.status).toBe(401);
  });

  it('honours Idempotency-Key: same key, same answer, one effect', async () => {
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token);
    const body = { storeId: 'store-a', memberCode: 'M0001', source: 'door' };
    const first = await t.postArrival(body, 'door-1');
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('created');
    const again = await t.postArrival(body, 'door-1');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', visitId: first.body.visitId, seq: first.body.seq });
    await desk.waitFor((f) => f.t === 'ev');
    await new Promise((r) => setTimeout(r, 100));
    expect(desk.events()).toHaveLength(1);
    expect((await t.hq.store.read((r) => r.getStore('store-a')))!.head).toBe(A.seq + 1);
    // Reusing a key for another request is a client bug, and said so.
    const reused = await t.postArrival({ ...body, memberCode: 'M0002' }, 'door-1');
    expect(reused.status).toBe(422);
    desk.close();
  });

  it('POST /v1/ingest/arrivals/batch: each item as one arrival, in order, with its own idempotency key and errors by index', async () => {
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token);
    const post = async (body: unknown, key = t.hq.integrationKey) => {
      const res = await fetch(`${t.hq.url}/v1/ingest/arrivals/batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-integration-key': key }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { results: Array<Record<string, unknown>> } };
    };
    const items = [
      { idempotencyKey: 'pos-1', storeId: 'store-a', memberCode: 'M0001', source: 'door' },
      { storeId: 'store-a', memberCode: 'NOPE', source: 'door' },
      { storeId: 'store-a', memberCode: 'M0002', source: 'door', bogus: 1 },
      { idempotencyKey: 'pos-2', storeId: 'store-a', memberCode: 'M0002', source: 'door' },
    ];
    const first = await post({ items });
    expect(first.status).toBe(200);
    const r = first.body.results;
    expect(r.map((x) => x.index)).toEqual([0, 1, 2, 3]);
    expect(r[0]).toMatchObject({ status: 'created', seq: A.seq + 1 });
    expect(r[1]).toMatchObject({ error: { code: 'member_not_found' } });
    expect(r[2]).toMatchObject({ error: { code: 'invalid_body' } });
    expect(r[3]).toMatchObject({ status: 'created', seq: A.seq + 2 });
    // Retried: the keyed items are duplicates with the same visit; the key space is the single route's.
    const again = await post({ items: [items[0], items[3]] });
    expect(again.body.results).toEqual([
      { index: 0, status: 'duplicate', visitId: r[0]!.visitId, seq: A.seq + 1 },
      { index: 1, status: 'duplicate', visitId: r[3]!.visitId, seq: A.seq + 2 },
    ]);
    expect((await t.postArrival({ storeId: 'store-a', memberCode: 'M0001', source: 'door' }, 'pos-1')).body.status).toBe('duplicate');
    expect((await post({ items: [{ ...items[0], memberCode: 'M0002' }] })).body.results[0]).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    await desk.waitFor(() => desk.events().length >= 2);
    expect(desk.events()).toHaveLength(2);
    expect((await t.hq.store.read((r) => r.getStore('store-a')))!.head).toBe(A.seq + 2);
    // Schema-checked as a whole, and behind the integration key.
    expect((await post({ items: [] })).status).toBe(422);
    expect((await post([items[0]])).status).toBe(422);
    expect((await post({ items }, 'wrong')).status).toBe(401);
    desk.close();
  });

  it('POST /v1/ingest/arrivals/batch: one transaction, an item failing half-way is undone alone, seqs stay gap-free', async () => {
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token);
    // Fail the middle item inside its savepoint: after its visit and event were written.
    const store = t.hq.store;
    const withTx = store.withTx.bind(store);
    store.withTx = (fn) =>
      withTx((tx) =>
        fn(
          new Proxy(tx, {
            get: (target, prop, receiver) =>
              prop === 'putIdempotent'
                ? async (key: string, hash: string, result: string, now: number) => {
                    if (key === 'arrivals:boom') throw new ArrivalError('at_out_of_range', 'injected refusal after the event was appended');
                    await target.putIdempotent(key, hash, result, now);
                  }
                : Reflect.get(target, prop, receiver),
          }),
        ),
      );
    const items = [
      { idempotencyKey: 'b-1', storeId: 'store-a', memberCode: 'M0001', source: 'door' },
      { idempotencyKey: 'boom', storeId: 'store-a', memberCode: 'M0002', source: 'door' },
      { idempotencyKey: 'b-3', storeId: 'store-a', memberCode: 'M0003', source: 'door' },
    ];
    const res = await ingest('/v1/ingest/arrivals/batch', JSON.stringify({ items }));
    expect(res.status).toBe(200);
    const r = ((await res.json()) as { results: Array<Record<string, unknown>> }).results;
    expect(r[0]).toMatchObject({ index: 0, status: 'created', seq: A.seq + 1 });
    expect(r[1]).toMatchObject({ index: 1, error: { code: 'at_out_of_range', message: 'injected refusal after the event was appended' } });
    expect(r[2]).toMatchObject({ index: 2, status: 'created', seq: A.seq + 2 });
    expect((await store.read((r) => r.getStore('store-a')))!.head).toBe(A.seq + 2);
    expect((await store.read((r) => r.readEvents('store-a', A.seq, 10))).map((e) => e.seq)).toEqual([A.seq + 1, A.seq + 2]);
    expect(await store.read((r) => r.getIdempotent('arrivals:boom'))).toBeFalsy();
    expect(await store.read((r) => r.getIdempotent('arrivals:b-3'))).toBeTruthy();
    // The failed member got no visit; the desk saw exactly the two committed events, in order.
    await desk.waitFor(() => desk.events().length >= 2);
    expect(desk.events().map((e) => [e.seq, e.type])).toEqual([
      [A.seq + 1, 'arrival'],
      [A.seq + 2, 'arrival'],
    ]);
    const visited = desk.events().map((e) => (e.type === 'arrival' ? e.data.visit.memberId : null));
    expect(visited).not.toContain('m2');
    desk.close();
  });

  it('a repeat within 30 minutes bumps the visit (visit.updated), not a second arrival', async () => {
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token);
    const at = Date.now() - 20 * 60 * 1000;
    const first = await t.postArrival({ storeId: 'store-a', phone: '+86 138-0000-0001', source: 'door', at });
    const second = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'pos' });
    expect(second.body.status).toBe('updated');
    expect(second.body.visitId).toBe(first.body.visitId);
    await desk.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 2);
    const [arrival, updated] = desk.events();
    expect(arrival!.type).toBe('arrival');
    expect(updated!.type).toBe('visit.updated');
    if (updated?.type !== 'visit.updated' || arrival?.type !== 'arrival') throw new Error('types');
    expect(updated!.data.visit.arrivals).toBe(2);
    expect(updated!.data.visit.lastSeenAt).toBeGreaterThan(at);
    // The arrival carries the profile with a masked phone and recommendations.
    expect(arrival.data.profile.member.phoneMasked).toBe('138****0001');
    expect(JSON.stringify(arrival.data)).not.toContain('13800000001');
    expect(arrival.data.profile.recommendations.length).toBeGreaterThan(0);
    // An unknown member or store is a 404, and exactly one identifier is required.
    expect((await t.postArrival({ storeId: 'store-a', memberId: 'nobody', source: 'door' })).status).toBe(404);
    expect((await t.postArrival({ storeId: 'nowhere', memberId: 'm1', source: 'door' })).status).toBe(404);
    expect((await t.postArrival({ storeId: 'store-a', memberId: 'm1', memberCode: 'M0001', source: 'door' })).status).toBe(422);
    desk.close();
  });

  it('a return after more than 30 minutes is a new arrival', async () => {
    await t.postArrival({ storeId: 'store-a', memberId: 'm2', source: 'door', at: Date.now() - 31 * 60 * 1000 });
    const later = await t.postArrival({ storeId: 'store-a', memberId: 'm2', source: 'door' });
    expect(later.body.status).toBe('created');
  });
});

describe('CSV and JSON ingest', () => {
  it('imports good member rows and reports the bad one by line', async () => {
    const csv = [
      'id,code,name,nameEn,tier,phone,homeStoreId,sizeEu,preferences,points',
      'm10,M0010,陈静,Chen Jing,gold,139 0000 0010,store-a,37.5,running|retro,120',
      'm11,M0011,"Smith, Anna",Anna Smith,,13900000011,store-a,39,,0',
      'm12,M0012,周杰,Zhou Jie,diamond,13900000012,store-a,41,,0',
      'm13,M0013,吴敏,Wu Min,basic,13900000013,store-zz,36,,0',
    ].join('\r\n');
    const res = await ingest('/v1/ingest/members.csv', csv, 'text/csv');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { imported: number; errors: { line: number; message: string }[] };
    expect(body.imported).toBe(2);
    expect(body.errors.map((e) => e.line)).toEqual([4, 5]);
    expect(body.errors[0]!.message).toContain('tier');
    const chen = (await t.hq.store.read((r) => r.getMember('m10')))!;
    expect(chen.phone).toBe('13900000010');
    expect(chen.sizes).toEqual({ eu: 37.5, cn: 238 });
    expect(chen.preferences).toEqual(['running', 'retro']);
    expect((await t.hq.store.read((r) => r.getMember('m11')))!.name).toBe('Smith, Anna');
  });

  it('takes birthdays (MM-DD) and consents from CSV and JSON; an absent field keeps what HQ has, a bad one refuses the row', async () => {
    const csv = [
      'id,code,name,homeStoreId,sizeEu,birthday,consents',
      'm20,M0020,林芳,store-a,37,03-08,marketing|contact',
      'm21,M0021,何强,store-a,42,,',
      'm22,M0022,郑丽,store-a,38,13-01,',
      'm23,M0023,孙亮,store-a,43,,marketing|sms',
    ].join('\n');
    const body = (await (await ingest('/v1/ingest/members.csv', csv, 'text/csv')).json()) as { imported: number; errors: { line: number; message: string }[] };
    expect(body.imported).toBe(2);
    expect(body.errors.map((e) => e.line)).toEqual([4, 5]);
    expect(body.errors[0]!.message).toContain('MM-DD');
    expect(body.errors[1]!.message).toContain('sms');
    const lin = (await t.hq.store.read((r) => r.getMember('m20')))!;
    expect(lin.birthday).toBe('03-08');
    expect(lin.consents).toEqual({ marketing: true, personalization: false, contact: true });
    const he = (await t.hq.store.read((r) => r.getMember('m21')))!;
    expect(he.birthday).toBeNull();
    expect(he.consents).toEqual({ marketing: false, personalization: false, contact: false });
    // JSON: absent keeps, null clears, consents replace.
    const again = (b: object) => ingest('/v1/ingest/members', JSON.stringify([{ id: 'm20', code: 'M0020', name: '林芳', homeStoreId: 'store-a', sizes: { eu: 37, cn: 235 }, ...b }]));
    expect(((await (await again({})).json()) as { imported: number }).imported).toBe(1);
    expect((await t.hq.store.read((r) => r.getMember('m20')))!).toMatchObject({ birthday: '03-08', consents: { marketing: true, contact: true } });
    await again({ birthday: null, consents: { personalization: true } });
    expect((await t.hq.store.read((r) => r.getMember('m20')))!).toMatchObject({ birthday: null, consents: { marketing: false, personalization: true, contact: false } });
    expect((await again({ birthday: '2-30' })).status).toBe(200);
    expect((await t.hq.store.read((r) => r.getMember('m20')))!.birthday).toBeNull();
  });

  it('imports stock CSV and JSON catalog, refusing bad items', async () => {
    const catalog = [
      { id: 's9', name: '新款跑鞋', category: 'running', price: 69900, colors: [{ code: 'WHT', name: 'White' }], sizes: [38], releasedAt: Date.now() },
      { id: 's10', name: 'bad', category: 'golf', price: 1, colors: [], sizes: [], releasedAt: 0 },
    ];
    const cat = (await (await ingest('/v1/ingest/catalog', JSON.stringify(catalog))).json()) as { imported: number; errors: { index: number }[] };
    expect(cat.imported).toBe(1);
    expect(cat.errors[0]!.index).toBe(1);
    const csv = 'storeId,styleId,color,size,qty\nstore-a,s9,WHT,38,4\nstore-a,s9,WHT,38.3,1\nstore-a,s9,WHT,39,-1\n';
    const stock = (await (await ingest('/v1/ingest/stock.csv', csv, 'text/csv')).json()) as { imported: number; errors: { line: number }[] };
    expect(stock.imported).toBe(1);
    expect(stock.errors.map((e) => e.line)).toEqual([3, 4]);
    expect((await t.hq.store.read((r) => r.stockForStore('store-a'))).find((l) => l.styleId === 's9')).toMatchObject({ size: 38, qty: 4 });
    const noHeader = await ingest('/v1/ingest/stock.csv', 'a,b\n1,2\n', 'text/csv');
    expect(noHeader.status).toBe(400);
  });

  it('7/8: takes accessories (kind, goesWith) from the JSON catalog and from catalog.csv, refusing bad rows by line', async () => {
    const json = [
      { id: 'acc-j', name: '跑步袜', category: 'running', price: 4900, colors: [{ code: 'GRY', name: 'Grey' }], sizes: [38, 39], releasedAt: 1_700_000_000_000, kind: 'socks', goesWith: ['running'] },
      { id: 'acc-bad', name: 'x', category: 'running', price: 1, colors: [{ code: 'A', name: 'A' }], sizes: [38], releasedAt: 0, kind: 'hat' },
    ];
    const j = (await (await ingest('/v1/ingest/catalog', JSON.stringify(json))).json()) as { imported: number; errors: { index: number; message: string }[] };
    expect(j).toMatchObject({ imported: 1, errors: [{ index: 1 }] });
    expect(j.errors[0]!.message).toContain('kind');
    const csv = [
      'id,name,category,price,colors,sizes,releasedAt,kind,goes_with',
      'acc-c,缓震鞋垫 "Pro",running,12900,BLU:Blue|BLK:Black,38|38.5|39,2025-01-15,insoles,running|basketball',
      'shoe-c,Court 84,retro,69900,WHT:White,40|41,1700000000000,,',
      'acc-care,"小白鞋清洁套装, 含刷",casual,8900,WHT,40,,care,',
      'bad-1,Bad,golf,100,WHT:White,40,,,',
      'bad-2,Bad,running,100,WHT:White,40,,socks,running|tennis',
      'bad-3,Bad,running,100,WHT:White,40.3,,,',
    ].join('\n');
    const c = (await (await ingest('/v1/ingest/catalog.csv', csv, 'text/csv')).json()) as { imported: number; errors: { line: number }[] };
    expect(c.imported).toBe(3);
    expect(c.errors.map((e) => e.line)).toEqual([5, 6, 7]);
    const styles = new Map((await t.hq.store.read((r) => r.listStyles())).map((s) => [s.id, s]));
    expect(styles.get('acc-j')).toMatchObject({ kind: 'socks', goesWith: ['running'] });
    expect(styles.get('acc-c')).toEqual({
      id: 'acc-c',
      name: '缓震鞋垫 "Pro"',
      category: 'running',
      price: 12900,
      colors: [{ code: 'BLU', name: 'Blue' }, { code: 'BLK', name: 'Black' }],
      sizes: [38, 38.5, 39],
      releasedAt: Date.parse('2025-01-15'),
      kind: 'insoles',
      goesWith: ['running', 'basketball'],
    });
    expect(styles.get('shoe-c')).toEqual({ id: 'shoe-c', name: 'Court 84', category: 'retro', price: 69900, colors: [{ code: 'WHT', name: 'White' }], sizes: [40, 41], releasedAt: 1_700_000_000_000 });
    expect(styles.get('acc-care')).toMatchObject({ name: '小白鞋清洁套装, 含刷', kind: 'care', colors: [{ code: 'WHT', name: 'WHT' }] });
    expect(styles.get('acc-care')).not.toHaveProperty('goesWith');
    expect((await ingest('/v1/ingest/catalog.csv', 'id,name\nx,y\n', 'text/csv')).status).toBe(400);
  });

  it('member ingest emits member.updated to the home store', async () => {
    const { token } = await t.enroll('store-b');
    const desk = await RecordingDesk.connect(t.hq, token);
    const members = [{ id: 'm3', code: 'M0003', name: '张伟', phone: '13800000003', homeStoreId: 'store-b', sizes: { eu: 42, cn: 260 }, tier: 'gold' }];
    const res = await ingest('/v1/ingest/members', JSON.stringify(members));
    expect(((await res.json()) as { imported: number }).imported).toBe(1);
    const ev = await desk.waitFor((f) => f.t === 'ev');
    expect(ev.t === 'ev' && ev.type).toBe('member.updated');
    desk.close();
  });

  it('answers oversize and garbage bodies with 4xx, and keeps serving', async () => {
    const big = await ingest('/v1/ingest/members', 'x'.repeat(1024 * 1024 + 10)).catch(() => null);
    if (big) expect(big.status).toBe(413);
    expect((await ingest('/v1/ingest/members', '{"a":1}')).status).toBe(422);
    expect((await fetch(`${t.hq.url}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${t.hq.url}/v1/health`)).status).toBe(200);
  });
});

describe('snapshot', () => {
  it('is scoped to the token store and names its position', async () => {
    await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    await t.postArrival({ storeId: 'store-b', memberId: 'm3', source: 'door' });
    await t.postArrival({ storeId: 'store-b', memberId: 'm4', source: 'door' });
    const { token } = await t.enroll('store-a');
    const res = await fetch(`${t.hq.url}/v1/snapshot`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const snap = Snapshot.parse(await res.json());
    expect(snap.storeId).toBe('store-a');
    expect(snap.position).toEqual({ epoch: A.epoch, seq: A.seq + 1 });
    expect(snap.visits.map((v) => v.storeId)).toEqual(['store-a']);
    expect(snap.profiles.map((p) => p.member.id)).toEqual(['m1']);
    expect(snap.members.map((m) => m.id).sort()).toEqual(['m1', 'm2']);
    expect(JSON.stringify(snap)).not.toMatch(/1380000000\d/);
    expect((await fetch(`${t.hq.url}/v1/snapshot`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });
});
