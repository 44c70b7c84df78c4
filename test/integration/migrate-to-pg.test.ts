// `hq:admin migrate-to-pg`: a chain that started on the embedded HQ (SQLite) moves to PostgreSQL
// without its desks, members or integrations noticing. A real SQLite HQ gets real data over HTTP
// and the desk protocol; the real CLI copies the file as a child process; a PostgreSQL HQ on the
// copy then serves the same snapshot to the same device token, the same reports, the same chat,
// resumes the desk from its old position without a reset and continues the seq. The copy refuses a
// target that holds data, a schema version it does not match, and a table it does not know; a
// failure halfway leaves the target empty.
//
// PostgreSQL is required: when it is not reachable these tests fail (FOOTFALL_TEST_PG_URL).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey } from '../../hq/app/clerks/service.ts';
import { COPIED_TABLES, CopyRefused, copySqliteToPg } from '../../hq/adapters/postgres/copyFromSqlite.ts';
import { PG_MIGRATIONS } from '../../hq/adapters/postgres/migrations.ts';
import { MIGRATIONS } from '../../hq/adapters/sqlite/migrations.ts';
import { type HqHandle, startHq } from '../../hq/server.ts';
import { type CmdAckFrame, type Snapshot } from '../../shared/protocol.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { ProtocolDesk, RecordingDesk } from '../support/protocolClient.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';
import { drawStylePicture } from '../../hq/demo/stylePictures.ts';
import { waitFor } from '../support/waitFor.ts';
import { freshPgSchema, freshPgStore, type PgSchema, TEST_PG_URL, withPgClient } from '../support/pg.ts';

const DAY = 24 * 60 * 60 * 1000;
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the admin CLI as a child process; never throws, answers its exit code and output. */
function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'hq/admin.ts', ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const migrate = (dbPath: string, schema: string) => admin('migrate-to-pg', '--db', dbPath, '--pg', TEST_PG_URL, '--pg-schema', schema);

// ---------------------------------------------------------------------------------------------
// Both databases as plain values, table by table, so "the same rows" is one toEqual.

type Canon = Record<string, string | null>;
/** A value by type and content: 42 (INTEGER/BIGINT) and '42' (TEXT) stay different. */
const canon = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return `x:${v.toString('hex')}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `n:${String(v)}`;
  return `s:${String(v)}`;
};
const sortRows = (rows: Canon[]) => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort();

function dumpSqlite(path: string): Record<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, string[]> = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const t of tables) {
      const rows = db.prepare(`SELECT * FROM "${t}"`).safeIntegers(true).all() as Array<Record<string, unknown>>;
      out[t] = sortRows(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, canon(v)]))));
    }
    return out;
  } finally {
    db.close();
  }
}

const PG_NUMBERS = new Set([20, 21, 23, 700, 701]); // int8, int2, int4, float4, float8

async function dumpPg(schema: string): Promise<Record<string, string[]>> {
  return withPgClient(
    async (c: pg.Client) => {
      const out: Record<string, string[]> = {};
      const tables = await c.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'", [
        schema,
      ]);
      for (const { t } of tables.rows) {
        const r = await c.query(`SELECT * FROM "${t}"`);
        const numeric = new Set(r.fields.filter((f) => PG_NUMBERS.has(f.dataTypeID)).map((f) => f.name));
        out[t] = sortRows(
          r.rows.map((row: Record<string, unknown>) =>
            Object.fromEntries(Object.entries(row).map(([k, v]) => [k, numeric.has(k) && v !== null ? `n:${String(Number(v))}` : canon(v)])),
          ),
        );
      }
      return out;
    },
    { schema },
  );
}

const rowCounts = (dump: Record<string, string[]>) => Object.fromEntries(Object.entries(dump).map(([t, rows]) => [t, rows.length]));
const emptyTables = () => Object.fromEntries(COPIED_TABLES.map((t) => [t, 0]));

// ---------------------------------------------------------------------------------------------

/** A desk command with the signed-in clerk, answered by its cmdAck. */
const pick = <T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

async function command(desk: RecordingDesk, type: string, data: Record<string, unknown>, clerkId?: string, opId: string = randomUUID()): Promise<CmdAckFrame> {
  desk.send({ t: 'cmd', opId, type, data, ...(clerkId ? { clerkId } : {}) });
  return desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === opId, 5000);
}

async function http(url: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown; raw?: Uint8Array } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  let body: BodyInit | undefined;
  if (init.raw) {
    headers['content-type'] = 'application/octet-stream';
    body = new Uint8Array(init.raw) as unknown as BodyInit;
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(`${url}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    /* CSV or image bytes */
  }
  return { status: res.status, json: (json ?? {}) as Record<string, unknown>, text: bytes.toString('utf8'), bytes };
}

/** A PNG by its magic bytes, with enough random bytes after them to be a real BYTEA payload. */
const png = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size)]);

/** What the SQLite HQ answered, to be answered the same by the PostgreSQL HQ on the copy. */
interface Observed {
  snapshotA: Snapshot;
  snapshotB: Snapshot;
  kpis: unknown;
  visits: unknown;
  visitsCsv: string;
  timeline: unknown;
  adminKpis: unknown;
  clerks: unknown;
  memberHistory: unknown;
  memberMe: unknown;
  deskHistory: unknown;
  images: Map<string, Buffer>;
  groups: unknown;
  live: unknown;
}

describe('migrate-to-pg: an embedded HQ moves to PostgreSQL', () => {
  let t: TestHq;
  let target: PgSchema;
  let pgHq: HqHandle | null = null;
  const before = {} as Observed;
  let integrationKey = '';
  let chainAdminKey = '';
  let deskA = { token: '', deviceId: '' };
  let deskB = { token: '', deviceId: '' };
  let revokedToken = '';
  let spareCode = '';
  let managerSession = '';
  let lockedClerk = '';
  let memberToken = '';
  let position = { epoch: '', seq: 0 };
  let closeOp = { opId: randomUUID(), visitId: '' };
  let retriedArrival = { key: '', visitId: '', seq: 0 };
  let closedVisit = '';
  let copyRun = { code: 0, stdout: '', stderr: '' };
  let sqliteTables: Record<string, string[]> = {};
  let pgTables: Record<string, string[]> = {};
  const range = { from: Date.now() - DAY, to: Date.now() + DAY };
  const reportQuery = `from=${range.from}&to=${range.to}&tz=480`;

  beforeAll(async () => {
    target = await freshPgSchema();
    // SQLite by nature: the embedded HQ's file is what the CLI copies.
    t = await TestHq.start({ ...FAST_HQ, adapter: 'sqlite', seed: 'nanjingSanlitun' });
    const url = t.url;
    integrationKey = t.hq.integrationKey;
    chainAdminKey = await adminKey(t.hq.store);

    // A member with purchases (REAL sizes, BIGINT times), and clerks.
    await t.ingest('members', [
      {
        id: 'm31',
        code: 'M0000031',
        name: '赵敏',
        nameEn: 'Zhao Min',
        tier: 'platinum',
        phone: '13800001031',
        homeStoreId: STORE_A,
        sizes: { eu: 38.5, cn: 240 },
        preferences: ['running', 'retro'],
        points: 4200,
        consents: { marketing: false, personalization: true, contact: false }, // 7/8: a personalised card, with an add-on
        purchases: [
          { id: 'p-31-1', styleId: 'st-run', styleName: 'Cloud Runner', category: 'running', color: 'BLK', size: 38.5, storeId: STORE_A, at: Date.now() - 10 * DAY, price: 89900 },
          { id: 'p-31-2', styleId: 'st-retro', styleName: 'Court 84', category: 'retro', color: 'WHT', size: 39, storeId: STORE_B, at: Date.now() - 40 * DAY, price: 69900 },
        ],
      },
    ]);
    // 7/8: an accessory (styles.kind, styles.goes_with) in stock, offered as m31's add-on in the snapshot.
    await t.ingest('catalog', [
      { id: 'acc-run-socks', name: '跑步袜', category: 'running', price: 4900, colors: [{ code: 'GRY', name: 'Grey' }], sizes: [38.5, 42], releasedAt: Date.now() - 90 * DAY, kind: 'socks', goesWith: ['running'] },
    ]);
    await t.ingest('stock', [{ storeId: STORE_A, styleId: 'acc-run-socks', color: 'GRY', size: 38.5, qty: 6 }]);
    // A style picture (part E): BLOB → BYTEA, and its reference in the snapshot's suggestions.
    const picture = await fetch(`${url}/v1/ingest/styles/st-run/image`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png', 'x-integration-key': integrationKey },
      body: new Uint8Array(drawStylePicture('running', 'BLK')),
    });
    expect(picture.status).toBe(200);
    const saved = (await t.ingest('clerks', [
      { storeId: STORE_A, name: '王芳', role: 'clerk', pin: '1357' },
      { storeId: STORE_A, name: '陈静', role: 'manager', pin: '9753' },
      { storeId: STORE_A, name: '李娜', role: 'clerk', pin: '2468' },
    ])) as { clerks: Array<{ id: string; name: string }> };
    const clerkId = saved.clerks.find((c) => c.name === '王芳')!.id;
    const managerId = saved.clerks.find((c) => c.name === '陈静')!.id;
    lockedClerk = saved.clerks.find((c) => c.name === '李娜')!.id;

    // Devices: two enrolled and in use, one revoked, and a code nobody used yet.
    deskA = await t.enroll(STORE_A, 'Counter 1');
    deskB = await t.enroll(STORE_B, 'Counter B');
    const revoked = await t.enroll(STORE_A, 'Old PC');
    revokedToken = revoked.token;
    await t.hq.store.withTx((tx) => tx.revokeDevice(revoked.deviceId, Date.now()));
    spareCode = await t.hq.createEnrollmentCode(STORE_B);
    const auth = (token: string, session?: string) => ({ authorization: `Bearer ${token}`, ...(session ? { 'x-clerk-session': session } : {}) });

    // Clerk sessions, and a clerk locked out by five wrong PINs.
    expect((await http(url, '/v1/clerks/signin', { headers: auth(deskA.token), body: { clerkId, pin: '1357' } })).status).toBe(200);
    const manager = await http(url, '/v1/clerks/signin', { headers: auth(deskA.token), body: { clerkId: managerId, pin: '9753' } });
    expect(manager.status).toBe(200);
    managerSession = manager.json.session as string;
    for (let i = 0; i < 5; i++) await http(url, '/v1/clerks/signin', { headers: auth(deskA.token), body: { clerkId: lockedClerk, pin: '0000' } });
    expect((await http(url, '/v1/clerks/signin', { headers: auth(deskA.token), body: { clerkId: lockedClerk, pin: '2468' } })).status).toBe(423);

    // The desk of store A follows the log from here on.
    const desk = await RecordingDesk.connect(t.hq, deskA.token);
    const deskOfB = await RecordingDesk.connect(t.hq, deskB.token);

    // Arrivals through the integration API; one key is retried later against PostgreSQL.
    retriedArrival.key = randomUUID();
    const first = await t.arrival(STORE_A, 'm1', retriedArrival.key);
    retriedArrival = { key: retriedArrival.key, visitId: first.visitId, seq: first.seq };
    const second = await t.arrival(STORE_A, 'm3');
    await t.arrival(STORE_A, 'm31');
    await t.arrival(STORE_B, 'm2');
    await t.arrival(STORE_A, 'm1'); // a repeat: the same visit, arrivals = 2

    // Claim, note, close by the desk under its clerk; a second visit stays claimed.
    closedVisit = first.visitId;
    expect((await command(desk, 'claim', { visitId: first.visitId }, clerkId)).status).toBe('ok');
    expect((await command(desk, 'note', { visitId: first.visitId, noteId: randomUUID(), text: '试穿了42码，喜欢黑色' }, clerkId)).status).toBe('ok');
    closeOp = { opId: randomUUID(), visitId: first.visitId };
    expect((await command(desk, 'close', { visitId: first.visitId, outcome: 'purchased', note: '买了 Cloud Runner' }, clerkId, closeOp.opId)).status).toBe('ok');
    expect((await command(desk, 'claim', { visitId: second.visitId }, clerkId)).status).toBe('ok');
    // A follow-up task (HQ step 12), waiting for a size.
    expect((await command(desk, 'task.create', { taskId: randomUUID(), memberId: 'm1', kind: 'call_back', text: '39 码到货回电', dueAt: Date.now() + 86_400_000, assignee: clerkId, want: { styleId: 'st-retro', size: 39 } }, clerkId)).status).toBe('ok');

    // 7/8 attribution (HQ step 18): what the first visit's card showed (as the arrival records it once
    // HQ builds the next best action), the clerk's mark through the desk, and a sale attributed to it.
    await t.hq.store.withTx((tx) => tx.assist.putShown([{ storeId: STORE_A, visitId: first.visitId, memberId: 'm1', styleId: 'st-run', role: 'style', at: Date.now() }]));
    expect((await command(desk, 'suggest.mark', { visitId: first.visitId, styleId: 'st-run', role: 'style', verdict: 'used' }, clerkId)).status).toBe('ok');
    const m1Record = (await t.hq.store.read((r) => r.getMember('m1')))!;
    await t.ingest('members', [
      {
        ...pick(m1Record, ['id', 'code', 'name', 'nameEn', 'tier', 'phone', 'homeStoreId', 'sizes', 'preferences', 'points', 'joinedAt', 'birthday', 'consents']),
        purchases: [{ id: 'p-1-assist', styleId: 'st-run', styleName: 'Cloud Runner', category: 'running', color: 'BLK', size: 38, storeId: STORE_A, at: Date.now(), price: 89900 }],
      },
    ]);
    expect(await t.hq.store.read((r) => r.assist.getAttribution('p-1-assist'))).toMatchObject({ source: 'suggestion', visitId: first.visitId, clerkId });

    // Chat: a member session, messages both ways, an image each way (the bytes must survive), receipts.
    const member = await MemberClient.login(url, STORE_A, 'M0000001', '1001');
    memberToken = member.session.token;
    expect((await http(url, '/v1/member/session', { body: { storeId: STORE_A, memberCode: 'M0000003', phoneLast4: '9999' } })).status).toBe(401);
    const memberImage = png(150_000);
    const up = await member.http('/v1/member/images', { raw: memberImage, type: 'image/png' });
    expect(up.status).toBe(201);
    const memberImageId = ((await up.json()) as { image: { id: string } }).image.id;
    expect((await member.http('/v1/member/messages', { body: { clientId: 'member-0001', kind: 'text', text: '有42码吗？' } })).status).toBe(201);
    expect((await member.http('/v1/member/messages', { body: { clientId: 'member-0002', kind: 'image', imageId: memberImageId } })).status).toBe(201);
    const deskImage = png(80_000);
    const deskUp = await http(url, '/v1/desk/images', { headers: auth(deskA.token), raw: deskImage });
    expect(deskUp.status).toBe(201);
    const deskImageId = (deskUp.json.image as { id: string }).id;
    expect((await command(desk, 'chat.send', { memberId: 'm1', clientId: 'desk-0001', kind: 'text', text: '有的，黑色还有3双' }, clerkId)).status).toBe('ok');
    expect((await command(desk, 'chat.send', { memberId: 'm1', clientId: 'desk-0002', kind: 'image', imageId: deskImageId }, clerkId)).status).toBe('ok');
    expect((await command(desk, 'chat.send', { memberId: 'm1', clientId: 'desk-0003', kind: 'product', styleId: 'st-retro' }, clerkId)).status).toBe('ok');
    expect((await command(desk, 'chat.read', { memberId: 'm1', upTo: 2 }, clerkId)).status).toBe('ok');
    // 4/8: a check-in at the counter (checkins)
    expect((await command(desk, 'checkin', { checkinId: randomUUID(), memberCode: 'M0000002' }, clerkId)).status).toBe('ok');
    // 4/8 member page: a member-level note (member_notes)
    expect((await command(desk, 'member.note', { memberId: 'm1', noteId: randomUUID(), text: '脚背偏宽，喜欢宽楦' }, clerkId)).status).toBe('ok');
    // 4/8 part C: a hold, and a request to the other store (HQ step 11's tables)
    expect((await command(desk, 'hold.place', { holdId: 'hold-0001', memberId: 'm1', styleId: 'st-run', color: 'BLK', size: 42, days: 3 }, clerkId)).status).toBe('ok');
    expect((await command(desk, 'hold.request', { requestId: 'req-0001', toStoreId: STORE_B, memberId: 'm1', styleId: 'st-run', color: 'BLK', size: 40, days: 2 }, clerkId)).status).toBe('ok');
    // 5/8: an expected visit (HQ step 15's table)
    expect((await member.http('/v1/member/expected', { body: { clientId: 'expect-0001', styleId: 'st-run', source: { kind: 'member_page', id: null } } })).status).toBe(201);
    expect((await member.http('/v1/member/receipts', { body: { delivered: 5, read: 4 } })).status).toBe(200);
    // 7/8 assistant: a hand-over waiting for a clerk (HQ step 20's table), through the store port
    // (this HQ runs with the assistant off, as every TestHq unless a test asks).
    await t.hq.store.withTx((tx) =>
      tx.handovers.putHandover({ id: 'handover-0001', storeId: STORE_A, memberId: 'm1', reason: 'asked', question: '转人工', answered: [], at: Date.now(), settledAt: null, settledBy: null }),
    );
    // 5/8: a group with members, messages (a quoted answer, an announcement), an invite, the
    // announcement's push records and the community settings (HQ step 14's tables and meta key),
    // written through the store port: the group commands are not part of this branch of the work.
    await t.hq.store.withTx(async (tx) => {
      const by = { deviceId: deskA.deviceId, deviceName: 'Counter 1', clerkId, clerkName: '王芳' };
      const now = Date.now();
      await tx.groups.putGroup({
        ...{ id: 'grp-0001', storeId: STORE_A, scope: 'chain', name: '周末跑团', topic: '每周六晨跑', notice: '周六 7 点玄武湖', noticeAt: now },
        ...{ welcome: '欢迎 {nickname}', slowModeSec: 30, hosts: [{ clerkId, clerkName: '王芳' }], memberCount: 0, lastN: 3, lastAt: now },
        ...{ storeReadN: 2, createdAt: now - DAY, createdBy: by, closedAt: null },
      });
      await tx.groups.putMembership({ groupId: 'grp-0001', memberId: 'm1', nickname: '跑者小王', status: 'active', joinedAt: now - 1000, inviteId: 'inv-0001', mutedUntil: null, readN: 3, endedAt: null });
      await tx.groups.putMembership({ groupId: 'grp-0001', memberId: 'm3', nickname: 'Lee', status: 'left', joinedAt: now - 2000, inviteId: null, mutedUntil: null, readN: 1, endedAt: now });
      const message = { groupId: 'grp-0001', storeId: STORE_A, product: null, image: null, recalledAt: null, deletedAt: null, deletedBy: null };
      await tx.groups.insertMessage({
        ...message,
        ...{ id: 'gm-1', n: 1, clientId: 'member-g-0001', from: 'member', memberId: 'm1', nickname: '跑者小王', by: null, kind: 'text', body: '有 42.5 码吗？' },
        ...{ forMemberId: null, replyTo: null, reach: null, at: now - 900 },
      });
      await tx.groups.insertMessage({
        ...message,
        ...{ id: 'gm-2', n: 2, clientId: 'desk-g-0001', from: 'host', memberId: null, nickname: null, by, kind: 'text', body: '有的' },
        ...{ forMemberId: 'm1', replyTo: { n: 1, nickname: '跑者小王', excerpt: '有 42.5 码吗？' }, reach: null, at: now - 800 },
      });
      await tx.groups.insertMessage({
        ...message,
        ...{ id: 'gm-3', n: 3, clientId: 'desk-g-0002', from: 'host', memberId: null, nickname: null, by, kind: 'announcement', body: '新品到店' },
        ...{ forMemberId: null, replyTo: null, reach: { pushed: 1, capped: 0 }, at: now - 700 },
      });
      await tx.groups.putInvite({ id: 'inv-0001', groupId: 'grp-0001', token: 'tok-0123456789abcdef', createdAt: now - DAY, createdBy: by, expiresAt: now + 30 * DAY, revokedAt: null, joins: 1 });
      await tx.groups.addPushes('gm-3', ['m1'], '2026-12');
      await tx.groups.putCommunitySettings({ pushCapPerMonth: 3, keywords: ['代购'] });
    });
    before.groups = await t.hq.store.read(async (r) => ({
      group: await r.groups.getGroup('grp-0001'),
      members: await r.groups.memberships('grp-0001', ['active', 'left', 'removed'], 10),
      messages: await r.groups.messagesAfter('grp-0001', 0, 10),
      invite: await r.groups.inviteByToken('tok-0123456789abcdef'),
      pushed: await r.groups.pushedTo('gm-3'),
      count: await r.groups.pushCount('m1', '2026-12'),
      settings: await r.groups.communitySettings(),
    }));
    expect(before.groups).toMatchObject({ group: { memberCount: 1 }, pushed: ['m1'], count: 1, settings: { pushCapPerMonth: 3 } });
    // 6/8: a live room run through the desk commands and the room socket's use cases, so every
    // table of HQ step 16 has rows: a question, a poll and a vote, participants, a drawn lottery and
    // its eligible list, a mute, the counters and node viewers, and a referral (an expected visit from the room).
    const liveCmd = async (type: string, data: Record<string, unknown>) => expect((await command(desk, type, data, clerkId)).status).toBe('ok');
    await liveCmd('live.create', { roomId: 'room-0001', title: '春季新品', streamUrl: 'https://live.example.com/1', scheduledAt: Date.now() });
    await liveCmd('live.state', { roomId: 'room-0001', state: 'live' });
    await liveCmd('live.poll', { roomId: 'room-0001', pollId: 'poll-0001', question: 'Colour?', options: ['black', 'white'] });
    await t.hq.live.noteParticipants('room-0001', [{ memberId: 'm1', nickname: '跑者小王', what: 'joined' }, { memberId: 'm3', nickname: 'Lee', what: 'commented' }]);
    await t.hq.live.ask('room-0001', 'm1', '跑者小王', 'ask-00000001', '有 42 码吗？');
    await t.hq.live.vote('room-0001', 'poll-0001', 'm1', 1);
    await t.hq.live.noteStats('room-0001', { comments: 3, viewerKeys: ['v1', 'v2'], viewersNow: 2, nodeId: 'node-1' });
    await liveCmd('live.draw', { roomId: 'room-0001', lotteryId: 'lot-0001', prize: 'Socks', eligibility: 'commented', winners: 1 });
    await liveCmd('live.mute', { roomId: 'room-0001', memberId: 'm3', minutes: 10 });
    expect((await member.http('/v1/member/expected', { body: { clientId: 'expect-live-1', source: { kind: 'live', id: 'room-0001' } } })).status).toBe(201);
    before.live = { summary: await t.hq.live.summary('room-0001', STORE_A), audit: await t.hq.live.audit('room-0001', 'lot-0001'), welcome: await t.hq.live.welcomeState('room-0001', 'm1') };
    expect(before.live).toMatchObject({ summary: { questions: 1, polls: 1, lotteries: 1, comments: 3, viewers: 2, expected: 1 }, audit: { eligible: [{ nickname: 'Lee' }] } });
    // 7/8 restock: a member of store B who consented gets a restock match (HQ step 19's tables).
    const m6 = t.seeded!.members.find((m) => m.id === 'm6')!;
    await t.ingest('members', [{ ...m6, consents: { marketing: false, personalization: true, contact: true } }]);
    await t.ingest('stock', [{ storeId: STORE_B, styleId: 'st-run', color: 'BLK', size: 42, qty: 2 }]);
    expect(await t.hq.store.read((r) => r.restock.matchesOfMember('m6'))).toHaveLength(1);
    before.images = new Map([
      [memberImageId, memberImage],
      [deskImageId, deskImage],
    ]);

    // Settle: the desk acks everything (acks move "delivered" receipts, which append events) until
    // the log stops growing; that head is the position the desk resumes from after the move.
    for (;;) {
      const head = (await t.hq.store.read((r) => r.getStore(STORE_A)))!;
      await desk.waitFor((f) => f.t === 'ev' && f.seq === head.head, 5000);
      desk.send({ t: 'ack', seq: head.head });
      await new Promise((r) => setTimeout(r, 400));
      const again = (await t.hq.store.read((r) => r.getStore(STORE_A)))!;
      if (again.head === head.head) {
        position = { epoch: head.epoch, seq: head.head };
        break;
      }
    }
    desk.close();
    deskOfB.close();
    await Promise.all([desk.closed, deskOfB.closed]);

    // What the SQLite HQ answers, before the move.
    const snap = async (token: string) => (await http(url, '/v1/snapshot', { headers: auth(token) })).json as unknown as Snapshot;
    before.snapshotA = await snap(deskA.token);
    before.snapshotB = await snap(deskB.token);
    expect(before.snapshotA.position).toEqual(position);
    // 7/8: m31's card offers the running socks (bought running shoes 10 days ago), so the equal snapshot after the copy proves kind and goes_with came over.
    expect(before.snapshotA.profiles.find((p) => p.member.id === 'm31')?.next?.addOn).toMatchObject({ styleId: 'acc-run-socks', reason: { code: 'bought_recently', category: 'running' } });
    const manage = auth(deskA.token, managerSession);
    before.kpis = (await http(url, `/v1/reports/kpis?${reportQuery}`, { headers: manage })).json;
    before.visits = (await http(url, `/v1/reports/visits?${reportQuery}`, { headers: manage })).json;
    before.visitsCsv = (await http(url, `/v1/reports/visits.csv?${reportQuery}`, { headers: manage })).text;
    before.timeline = (await http(url, `/v1/reports/timeline?visit=${closedVisit}`, { headers: manage })).json;
    before.adminKpis = (await http(url, `/v1/reports/kpis?${reportQuery}`, { headers: { 'x-admin-key': chainAdminKey } })).json;
    before.clerks = (await http(url, '/v1/clerks', { headers: auth(deskA.token) })).json;
    before.memberHistory = (await http(url, '/v1/member/messages', { headers: auth(memberToken) })).json;
    before.memberMe = (await http(url, '/v1/member/me', { headers: auth(memberToken) })).json;
    before.deskHistory = (await http(url, '/v1/desk/messages?memberId=m1', { headers: auth(deskA.token) })).json;
    await t.down();

    // The move: the real CLI, as an operator runs it.
    copyRun = await migrate(t.dbPath, target.schema);
    sqliteTables = dumpSqlite(t.dbPath);
    pgTables = await dumpPg(target.schema);
    if (copyRun.code === 0) {
      pgHq = await startHq({ pgUrl: TEST_PG_URL, pgSchema: target.schema, heartbeatMs: 500, headEveryMs: 300, log: () => undefined });
    }
  }, 120_000);

  afterAll(async () => {
    await pgHq?.close();
    await t?.dispose();
    await target?.cleanup();
  });

  const pgUrl = () => {
    if (!pgHq) throw new Error(`the copy failed (exit ${copyRun.code}): ${copyRun.stderr}`);
    return pgHq.url;
  };
  const auth = (token: string, session?: string) => ({ authorization: `Bearer ${token}`, ...(session ? { 'x-clerk-session': session } : {}) });

  it('copies every table row for row, and prints the counts', () => {
    expect(copyRun.code, copyRun.stderr).toBe(0);
    // Every table of the file, with the same rows (type and value; event data as the same text).
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
    for (const table of Object.keys(sqliteTables)) expect(pgTables[table], table).toEqual(sqliteTables[table]);
    // Nothing above is vacuous: every kind of data the brief names was there to copy.
    const counts = rowCounts(sqliteTables);
    for (const table of COPIED_TABLES) expect(counts[table], table).toBeGreaterThan(0);
    // The CLI reports what it copied, per table.
    const printed = Object.fromEntries(
      copyRun.stdout
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((p) => p.length === 2)
        .map(([table, n]) => [table, Number(n)]),
    );
    expect(printed).toEqual(counts);
    expect(copyRun.stdout).toMatch(/copied \d+ rows \(schema v\d+\)/);
  });

  it('serves the same desk snapshot to the same device token', async () => {
    // No field is excluded: a snapshot holds stored state only (positions, visits, profiles whose
    // recommendations weigh time in days, chat) and both were taken seconds apart.
    const a = await http(pgUrl(), '/v1/snapshot', { headers: auth(deskA.token) });
    expect(a.status).toBe(200);
    expect(a.json).toEqual(before.snapshotA);
    expect((await http(pgUrl(), '/v1/snapshot', { headers: auth(deskB.token) })).json).toEqual(before.snapshotB);
    // A revoked token stays revoked.
    expect((await http(pgUrl(), '/v1/snapshot', { headers: auth(revokedToken) })).status).toBe(401);
  });

  it("gives the manager the same reports, with the manager's clerk session and with the chain admin key", async () => {
    const manage = auth(deskA.token, managerSession);
    expect((await http(pgUrl(), `/v1/reports/kpis?${reportQuery}`, { headers: manage })).json).toEqual(before.kpis);
    expect((await http(pgUrl(), `/v1/reports/visits?${reportQuery}`, { headers: manage })).json).toEqual(before.visits);
    expect((await http(pgUrl(), `/v1/reports/visits.csv?${reportQuery}`, { headers: manage })).text).toBe(before.visitsCsv);
    expect((await http(pgUrl(), `/v1/reports/timeline?visit=${closedVisit}`, { headers: manage })).json).toEqual(before.timeline);
    expect((await http(pgUrl(), `/v1/reports/kpis?${reportQuery}`, { headers: { 'x-admin-key': chainAdminKey } })).json).toEqual(before.adminKpis);
    // The figures are not empty: the copied visits count.
    expect((before.kpis as { kpis: { arrivals: number; purchased: number } }).kpis).toMatchObject({ arrivals: 4, purchased: 1 }); // three door arrivals and one check-in at the counter
  });

  it('keeps clerks, their PIN hashes and a lockout', async () => {
    expect((await http(pgUrl(), '/v1/clerks', { headers: auth(deskA.token) })).json).toEqual(before.clerks);
    const locked = await http(pgUrl(), '/v1/clerks/signin', { headers: auth(deskA.token), body: { clerkId: lockedClerk, pin: '2468' } });
    expect(locked.status).toBe(423);
  });

  it('keeps chat history, member sessions and image bytes', async () => {
    expect((await http(pgUrl(), '/v1/member/messages', { headers: auth(memberToken) })).json).toEqual(before.memberHistory);
    expect((await http(pgUrl(), '/v1/member/me', { headers: auth(memberToken) })).json).toEqual(before.memberMe);
    expect((await http(pgUrl(), '/v1/desk/messages?memberId=m1', { headers: auth(deskA.token) })).json).toEqual(before.deskHistory);
    expect((before.memberHistory as { messages: unknown[] }).messages).toHaveLength(5);
    for (const [id, bytes] of before.images) {
      const img = await http(pgUrl(), `/v1/chat/images/${id}`, { headers: auth(deskA.token) });
      expect(img.status).toBe(200);
      expect(img.bytes.equals(bytes)).toBe(true);
    }
  });

  it('keeps groups, memberships, messages, invites, push records and the community settings (5/8)', async () => {
    pgUrl();
    const after = await pgHq!.store.read(async (r) => ({
      group: await r.groups.getGroup('grp-0001'),
      members: await r.groups.memberships('grp-0001', ['active', 'left', 'removed'], 10),
      messages: await r.groups.messagesAfter('grp-0001', 0, 10),
      invite: await r.groups.inviteByToken('tok-0123456789abcdef'),
      pushed: await r.groups.pushedTo('gm-3'),
      count: await r.groups.pushCount('m1', '2026-12'),
      settings: await r.groups.communitySettings(),
    }));
    expect(after).toEqual(before.groups);
    // The copied columns still find what they index: a resend, the announcement cap.
    expect((await pgHq!.store.read((r) => r.groups.findByClientId('grp-0001', { memberId: 'm1' }, 'member-g-0001')))?.id).toBe('gm-1');
    expect(await pgHq!.store.read((r) => r.groups.underCap(['m1', 'm3'], '2026-12', 1))).toEqual(['m3']);
  });

  it('keeps live rooms, their questions, polls, lotteries and counters (6/8)', async () => {
    pgUrl();
    const after = { summary: await pgHq!.live.summary('room-0001', STORE_A), audit: await pgHq!.live.audit('room-0001', 'lot-0001'), welcome: await pgHq!.live.welcomeState('room-0001', 'm1') };
    expect(after).toEqual(before.live);
    // The copied salt still makes the same refs: m1 votes again (replacing) and is counted once.
    expect((await pgHq!.live.vote('room-0001', 'poll-0001', 'm1', 0)).counts).toEqual([1, 0]);
  });

  it('resumes the desk from its old (epoch, seq) without a reset; the integration key, idempotency keys, op ids and codes still work', async () => {
    expect(pgHq!.integrationKey).toBe(integrationKey);
    const desk = new ProtocolDesk({ urls: [pgUrl()], token: deskA.token, resume: position });
    try {
      await desk.start();
      // The retried ingest call is still one arrival: same visit, same seq, nothing appended.
      const ingest = (body: unknown, key: string) =>
        http(pgUrl(), '/v1/ingest/arrivals', { headers: { 'x-integration-key': integrationKey, 'idempotency-key': key }, body });
      const retried = await ingest({ storeId: STORE_A, memberId: 'm1', source: 'door' }, retriedArrival.key);
      expect(retried.status).toBe(200);
      expect(retried.json).toMatchObject({ status: 'duplicate', visitId: retriedArrival.visitId, seq: retriedArrival.seq });
      // The next arrival continues the store's seq, and the resumed desk gets exactly it.
      const next = await ingest({ storeId: STORE_A, memberId: 'm5', source: 'door' }, randomUUID());
      expect(next.status).toBe(201); // a new visit
      expect(next.json.seq).toBe(position.seq + 1);
      await waitFor(() => desk.seq === position.seq + 1, 10_000, 'the new arrival at the resumed desk');
      expect({ resets: desk.resets, gaps: desk.gaps, duplicates: desk.duplicates, epoch: desk.epoch }).toEqual({ resets: 0, gaps: 0, duplicates: 0, epoch: position.epoch });
      expect(desk.events.map((e) => [e.seq, e.type])).toEqual([[position.seq + 1, 'arrival']]);
      // A command resent under the opId it had before the move is answered as a duplicate.
      const resent = await desk.command('close', { visitId: closeOp.visitId, outcome: 'purchased' }, closeOp.opId);
      expect(resent.status).toBe('duplicate');
    } finally {
      await desk.close();
    }
    // The enrollment code issued before the move enrolls a desk after it.
    const enrolled = await http(pgUrl(), '/v1/enroll', { body: { code: spareCode, deviceName: 'New counter' } });
    expect(enrolled.status).toBe(200);
  });

  it('refuses a target that holds data, and leaves it as it was', async () => {
    await pgHq?.close();
    pgHq = null;
    const held = await dumpPg(target.schema);
    const again = await migrate(t.dbPath, target.schema);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refused: PostgreSQL schema \S+ is not empty \(rows in meta, stores, devices/);
    expect(await dumpPg(target.schema)).toEqual(held);
  }, 60_000);
});

describe('migrate-to-pg refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-migrate-'));
  const schemas: PgSchema[] = [];
  const fresh = async () => {
    const s = await freshPgSchema();
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A SQLite file migrated to `version` with a store in it (and whatever `extra` adds). */
  function sqliteFile(name: string, version: number, extra = ''): string {
    const path = join(dir, name);
    const db = new Database(path);
    for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
    db.exec("INSERT INTO meta (key, value) VALUES ('integration_key', 'k'); INSERT INTO stores (id, name, city, epoch, head) VALUES ('s1', 'Store', '', 'e1', 0);");
    db.exec(extra);
    db.pragma(`user_version = ${version}`);
    db.close();
    return path;
  }

  it('knows every table the SQLite migrations create', () => {
    const db = new Database(':memory:');
    for (const sql of MIGRATIONS) db.exec(sql);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    db.close();
    // A migration that adds a table fails here until the copy knows it.
    expect([...COPIED_TABLES].sort()).toEqual(tables.sort());
    expect(new Set(COPIED_TABLES).size).toBe(COPIED_TABLES.length);
  });

  it('refuses a SQLite file at another schema version, and writes nothing', async () => {
    const older = sqliteFile('older.db', MIGRATIONS.length - 1);
    const s = await fresh();
    const run = await migrate(older, s.schema);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`refused: the SQLite file is at schema v${MIGRATIONS.length - 1} and PostgreSQL schema ${s.schema} at v${PG_MIGRATIONS.length}`);
    expect(run.stderr).toContain('start this HQ once on the file');
    expect(rowCounts(await dumpPg(s.schema))).toEqual(emptyTables());

    const newer = sqliteFile('newer.db', MIGRATIONS.length);
    const bump = new Database(newer);
    bump.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    bump.close();
    const run2 = await migrate(newer, s.schema);
    expect(run2.code).toBe(1);
    expect(run2.stderr).toContain(`the SQLite file is at schema v${MIGRATIONS.length + 1}, newer than this HQ`);
    expect(rowCounts(await dumpPg(s.schema))).toEqual(emptyTables());
  }, 60_000);

  it('refuses a table it does not know (a migration the copy was not taught)', async () => {
    const path = sqliteFile('unknown.db', MIGRATIONS.length, 'CREATE TABLE loyalty_vouchers (id TEXT PRIMARY KEY, member_id TEXT NOT NULL);');
    const pgStore = await freshPgStore();
    const db = new Database(path, { readonly: true });
    try {
      const copy = copySqliteToPg(db, pgStore.store);
      await expect(copy).rejects.toBeInstanceOf(CopyRefused);
      await expect(copy).rejects.toThrow(/loyalty_vouchers exist but this copy does not know them/);
      expect(rowCounts(await dumpPg(pgStore.schema.schema))).toEqual(emptyTables());
    } finally {
      db.close();
      await pgStore.cleanup();
    }
  });

  it('a failure halfway rolls the whole copy back: the target stays empty', async () => {
    // Good rows in the first tables; in the last one a value PostgreSQL cannot take (SQLite keeps
    // text in an INTEGER column when it does not look like a number).
    const path = sqliteFile(
      'bad.db',
      MIGRATIONS.length,
      "INSERT INTO members (id, code, name, tier, home_store_id, size_eu, size_cn, joined_at, updated_at) VALUES ('m1', 'M1', 'A', 'basic', 's1', 42, 260, 1, 1);" +
        "INSERT INTO chat_delivered_scan (store_id, seq) VALUES ('s1', 'not a number');",
    );
    const pgStore = await freshPgStore();
    const db = new Database(path, { readonly: true });
    const log: string[] = [];
    try {
      await expect(copySqliteToPg(db, pgStore.store, { log: (l) => log.push(l), batchRows: 1 })).rejects.toThrow(
        /table chat_delivered_scan, column seq: expected an integer, found string not a number/,
      );
      // It got far before failing: the earlier tables had been written, then rolled back.
      expect(log).toContain('copied members: 1 rows');
      expect(rowCounts(await dumpPg(pgStore.schema.schema))).toEqual(emptyTables());
    } finally {
      db.close();
      await pgStore.cleanup();
    }
  });
});
