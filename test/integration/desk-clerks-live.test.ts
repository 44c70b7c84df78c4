// Clerk-list changes reach connected desks live (`clerks.updated`), not at reconnect: from
// the ingest route at once, and from writes that bypass it (the admin CLI's process, which appends
// the event itself but tells no node) via HQ's periodic sweep. A clerk disabled while signed in is
// signed out.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { TestHq } from '../support/hq.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
let core: DeskCore;
let reconnects = 0;

const ingest = (body: unknown) => t.ingestRaw('clerks', body);
const ids = async () => (await core.listClerks()).map((c) => c.id);

beforeAll(async () => {
  t = await TestHq.start({ sweepMs: 200, seed: 'storesAB' });
  expect((await ingest([{ id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' }])).status).toBe(200);
  const { token } = await t.enroll('store-a');
  core = DeskCore.open({ dbPath: join(t.dir, 'desk.db'), hqUrls: [t.hq.url], token, reconnect: { minMs: 50, maxMs: 200 }, lockAfterMs: 60_000 });
  core.start();
  await waitFor(async () => (await core.getConnection()).status === 'online', 10_000, 'online');
  await waitFor(async () => (await ids()).length === 1, 5000, 'clerk list');
  core.on('connection', (c) => {
    if (c.status !== 'online') reconnects++;
  });
}, 30_000);

afterAll(async () => {
  await core?.close();
  await t?.dispose();
});

describe('live clerk list', () => {
  it('a clerk added through the ingest route shows on the connected desk within a second', async () => {
    const before = (await t.hq.store.read((r) => r.getStore('store-a')))!.head;
    expect((await ingest([{ id: 'bo', storeId: 'store-a', name: 'Bo', role: 'clerk', pin: '2222' }])).status).toBe(200);
    await waitFor(async () => (await ids()).includes('bo'), 1000, 'Bo on the desk');
    const events = (await t.hq.store.read((r) => r.readEvents('store-a', before, 100))).filter((e) => e.type === 'clerks.updated');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toEqual({ storeId: 'store-a' }); // no hashes in the log
    expect(reconnects).toBe(0);
  });

  it('disabling the signed-in clerk signs them out at the desk', async () => {
    expect((await core.signIn('bo', '2222')).ok).toBe(true);
    expect((await ingest([{ id: 'bo', storeId: 'store-a', name: 'Bo', role: 'clerk', enabled: false }])).status).toBe(200);
    await waitFor(async () => (await core.currentClerk()).clerk === null, 1000, 'Bo signed out');
    expect(await ids()).toEqual(['ann']);
    expect(reconnects).toBe(0);
  });

  it('a change written to the database by another writer (admin CLI) arrives through the poll', async () => {
    // `hq:admin enable-clerk` itself, bypassing the routes: another process writes the file (and
    // appends `clerks.updated`) without telling the running HQ.
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'hq/admin.ts', 'enable-clerk', '--clerk', 'bo', ...t.adminArgs]);
    await waitFor(async () => (await ids()).includes('bo'), 2000, 'Bo back on the desk');
    expect(reconnects).toBe(0);
  });
});
