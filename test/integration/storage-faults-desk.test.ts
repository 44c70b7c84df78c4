// Storage faults on the desk: a full disk (SQLite's max_page_count makes SQLITE_FULL without a
// small filesystem), a read-only database, a damaged cache file (garbage, damaged pages of a table,
// a damaged outbox). Each is reported clearly (DeskError 'storage', ConnectionState.storage), keeps
// what the desk already had, and a damaged file is never used: it is moved aside and rebuilt from HQ.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { type CacheQueries } from '../../electron/desk/cache/queries.ts';
import { DeskError } from '../../shared/deskApi.ts';
import { FAST, FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
});
afterEach(async () => {
  await t.dispose();
});

const dbOf = (desk: DeskCore) => (desk as unknown as { q: CacheQueries }).q.db;

async function syncedDesk() {
  const d = await t.desk(STORE_A, 'Counter 1');
  d.desk.start();
  const { visitId } = await t.arrival(STORE_A, 'm1');
  await waitFor(async () => (await d.desk.getVisit(visitId)) !== null, 5000, 'arrival on the desk');
  return { ...d, visitId };
}

function reopen(dbPath: string, token: string): DeskCore {
  const desk = DeskCore.open({ dbPath, hqUrls: [t.url], token, ...FAST });
  t.desks.push(desk);
  return desk;
}

/** Overwrites one page of a closed SQLite file with garbage. */
function smashPage(path: string, page: number): void {
  const fd = openSync(path, 'r+');
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
  writeSync(fd, junk, 0, junk.length, (page - 1) * 4096);
  closeSync(fd);
}

function rootPage(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number }).rootpage;
  } finally {
    db.close();
  }
}

const quarantined = (path: string) => readdirSync(dirname(path)).filter((f) => f.startsWith(`${basename(path)}.corrupt-`) && !f.endsWith('-wal') && !f.endsWith('-shm'));

describe('full disk', () => {
  it('a clerk action fails with DeskError storage, nothing already saved is lost, and the desk catches up once space is back', async () => {
    const { desk, visitId } = await syncedDesk();
    await desk.claimVisit(visitId);
    await waitFor(async () => (await desk.getConnection()).queued === 0, 5000, 'claim settled');
    const db = dbOf(desk);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);

    let error: unknown = null;
    for (let i = 0; i < 300 && !error; i++) {
      try {
        await desk.addNote(visitId, `note ${i} ${'x'.repeat(1900)}`);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(DeskError);
    expect((error as DeskError).code).toBe('storage');
    expect((error as DeskError).message).toMatch(/disk .* is full/);
    // Fill what a big note left, so the arrivals below (a profile row is ~1 KB since migration 019)
    // find no room either: smaller and smaller notes until none fits.
    for (const size of [400, 100, 10]) {
      for (let i = 0; i < 300; i++) {
        const failed = await desk.addNote(visitId, `fill ${'y'.repeat(size)}`).then(
          () => false,
          () => true,
        );
        if (failed) break;
      }
    }
    const conn = await desk.getConnection();
    expect(conn.storage.status).toBe('full');
    expect(conn.storage.message).toMatch(/full/);
    // What it had is still there and readable.
    expect((await desk.getVisit(visitId))?.status).toBe('claimed');

    // HQ moves on while the disk is full: the desk cannot apply, its position does not move.
    const before = desk.position.seq;
    for (let i = 2; i <= 8; i++) await t.arrival(STORE_A, `m${i * 2 - 1}`);
    await new Promise((r) => setTimeout(r, 400));
    expect(desk.position.seq).toBeLessThan(before + 7);

    // Space is back: it resumes and catches up, exactly.
    db.pragma('max_page_count = 1073741823');
    const head = (await t.snapshot((await t.enroll(STORE_A, 'auditor')).token)).position.seq;
    await waitFor(() => desk.position.seq === head, 8000, 'catch up after the disk was freed');
    await desk.addNote(visitId, 'after the disk was freed');
    expect((await desk.getConnection()).storage.status).toBe('ok');
  });
});

describe('read-only database', () => {
  it('an action fails with DeskError storage (readonly) and the desk keeps serving reads', async () => {
    const { desk, visitId } = await syncedDesk();
    await desk.stop();
    dbOf(desk).pragma('query_only = ON');
    const err = await desk.claimVisit(visitId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeskError);
    expect((err as DeskError).code).toBe('storage');
    expect((await desk.getConnection()).storage.status).toBe('readonly');
    expect(await desk.getVisit(visitId)).not.toBeNull();
    expect((await desk.getConnection()).queued).toBe(0);
    dbOf(desk).pragma('query_only = OFF');
    await desk.claimVisit(visitId);
    expect((await desk.getConnection()).storage.status).toBe('ok');
  });
});

describe('damaged cache file', () => {
  it('garbage bytes: detected at open, moved aside, rebuilt from HQ by snapshot with the same device identity', async () => {
    const { desk, dbPath, token, deviceId } = await syncedDesk();
    await desk.close();
    writeFileSync(dbPath, Buffer.from('this is not a database '.repeat(300)));
    const again = reopen(dbPath, token);
    const conn = await again.getConnection();
    expect(conn.storage.rebuiltAt).not.toBeNull();
    expect(conn.storage.outboxLost).toBe(true); // nothing readable: reported, not guessed
    expect(quarantined(dbPath)).toHaveLength(1);
    expect(statSync(dbPath).size).toBeGreaterThan(0);
    again.start();
    const head = (await t.snapshot(token)).position.seq;
    await waitFor(() => again.position.seq === head && again.stats.resets === 1, 5000, 'rebuilt by snapshot');
    expect((await again.getIdentity())?.deviceId).toBe(deviceId);
    expect((await again.listArrivals({})).length).toBeGreaterThan(0);
  });

  it('a truncated file is detected and never used', async () => {
    const { desk, dbPath, token } = await syncedDesk();
    await desk.close();
    const size = statSync(dbPath).size;
    // Keep the first page (header + schema) only.
    writeFileSync(dbPath, readFileSync(dbPath).subarray(0, 4096));
    expect(statSync(dbPath).size).toBeLessThan(size);
    const again = reopen(dbPath, token);
    expect((await again.getConnection()).storage.rebuiltAt).not.toBeNull();
    expect(quarantined(dbPath)).toHaveLength(1);
  });

  it('damaged pages of a table: the outbox is salvaged and its queued claim reaches HQ exactly once', async () => {
    const { desk, dbPath, token, visitId, deviceId } = await syncedDesk();
    await desk.stop();
    const { opId } = await desk.claimVisit(visitId); // queued offline
    await desk.close();
    smashPage(dbPath, rootPage(dbPath, 'visits'));
    const again = reopen(dbPath, token);
    const conn = await again.getConnection();
    expect(conn.storage.rebuiltAt).not.toBeNull();
    expect(conn.storage.outboxLost).toBe(false);
    expect(again.outbox().map((o) => o.opId)).toEqual([opId]);
    again.start();
    await waitFor(async () => (await again.getConnection()).queued === 0, 8000, 'salvaged op settled');
    const claims = (await t.readLog(STORE_A)).filter((e) => e.type === 'visit.claimed');
    expect(claims).toHaveLength(1);
    expect((claims[0]!.data as { opId: string }).opId).toBe(opId);
    expect((await again.getVisit(visitId))?.claimedBy?.deviceId).toBe(deviceId);
  });

  it('a damaged outbox is reported as lost (never silently dropped)', async () => {
    const { desk, dbPath, token, visitId } = await syncedDesk();
    await desk.stop();
    await desk.claimVisit(visitId);
    await desk.close();
    smashPage(dbPath, rootPage(dbPath, 'outbox'));
    const again = reopen(dbPath, token);
    const conn = await again.getConnection();
    expect(conn.storage.rebuiltAt).not.toBeNull();
    expect(conn.storage.outboxLost).toBe(true);
    expect(existsSync(dbPath)).toBe(true);
  });
});
