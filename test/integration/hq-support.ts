// Test support for HQ integration tests: a real HQ on a free port with a temp SQLite file, a tiny
// fixture chain (two stores), enrollment over HTTP, and a recording WebSocket desk client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type Style } from '../../shared/domain.ts';
import { type HqToDesk } from '../../shared/protocol.ts';
import { type HqHandle, type HqOptions, startHq } from '../../hq/server.ts';

export const DAY = 24 * 60 * 60 * 1000;

export interface TestHq {
  hq: HqHandle;
  dir: string;
  dbPath: string;
  restart(extra?: Partial<HqOptions>): Promise<HqHandle>;
  cleanup(): Promise<void>;
}

export async function startTestHq(extra: Partial<HqOptions> = {}): Promise<TestHq> {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-hq-'));
  const dbPath = join(dir, 'hq.db');
  const opts = { dbPath, log: () => undefined, ...extra };
  const t: TestHq = {
    hq: await startHq(opts),
    dir,
    dbPath,
    async restart(more = {}) {
      await t.hq.close();
      t.hq = await startHq({ ...opts, ...more });
      return t.hq;
    },
    async cleanup() {
      await t.hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await seedFixture(t.hq);
  return t;
}

/** Stores A and B, four members, three styles with stock. */
export async function seedFixture(hq: HqHandle): Promise<void> {
  const now = Date.now();
  await hq.store.withTx(async (s) => {
    await s.upsertStore({ id: 'store-a', name: 'Store A', city: 'Shanghai' }, 'epoch-a1');
    await s.upsertStore({ id: 'store-b', name: 'Store B', city: 'Beijing' }, 'epoch-b1');
    const member = (id: string, code: string, name: string, phone: string, home: string) =>
      s.upsertMember({
        id,
        code,
        name,
        nameEn: '',
        tier: 'basic',
        phone,
        homeStoreId: home,
        sizes: { eu: 38, cn: 240 },
        preferences: ['running'],
        points: 0,
        joinedAt: now - 100 * DAY,
        updatedAt: now,
      });
    await member('m1', 'M0001', '王芳', '13800000001', 'store-a');
    await member('m2', 'M0002', '李娜', '13800000002', 'store-a');
    await member('m3', 'M0003', '张伟', '13800000003', 'store-b');
    await member('m4', 'M0004', '刘洋', '13800000004', 'store-b');
    const style = (id: string, category: Style['category']): Style => ({
      id,
      name: `Style ${id}`,
      category,
      price: 59900,
      colors: [{ code: 'BLK', name: 'Black' }],
      sizes: [37, 38, 39],
      releasedAt: now - 60 * DAY,
    });
    for (const st of [style('s1', 'running'), style('s2', 'casual'), style('s3', 'retro')]) {
      await s.upsertStyle(st);
      for (const store of ['store-a', 'store-b']) await s.setStock({ storeId: store, styleId: st.id, color: 'BLK', size: 38, qty: 2 });
    }
  });
}

export async function enroll(hq: HqHandle, storeId: string, deviceName = 'Counter 1'): Promise<{ token: string; deviceId: string }> {
  const code = await hq.createEnrollmentCode(storeId);
  const res = await fetch(`${hq.url}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, deviceName }),
  });
  if (res.status !== 200) throw new Error(`enroll failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; deviceId: string };
}

export async function postArrival(hq: HqHandle, body: Record<string, unknown>, idempotencyKey?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-integration-key': hq.integrationKey };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(`${hq.url}/v1/ingest/arrivals`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { status: string; visitId: string; seq: number } };
}

/** POST /v1/ingest/clerks (JSON) with the integration key; returns the raw response. */
export function ingestClerks(hq: HqHandle, clerks: unknown): Promise<Response> {
  return fetch(`${hq.url}/v1/ingest/clerks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-integration-key': hq.integrationKey },
    body: JSON.stringify(clerks),
  });
}

/** A bare protocol client that records every frame HQ sends. */
export class TestDesk {
  readonly frames: HqToDesk[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(hq: HqHandle, token: string) {
    this.ws = new WebSocket(`${hq.url.replace('http', 'ws')}/v1/desk`, { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as HqToDesk);
      for (const w of this.waiters) w();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(hq: HqHandle, token: string, hello: Record<string, unknown> | null = { t: 'hello', v: 1 }): Promise<TestDesk> {
    const desk = new TestDesk(hq, token);
    await desk.opened;
    if (hello) {
      desk.send(hello);
      await desk.waitFor((f) => f.t === 'welcome');
    }
    return desk;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  events(): Extract<HqToDesk, { t: 'ev' }>[] {
    return this.frames.filter((f): f is Extract<HqToDesk, { t: 'ev' }> => f.t === 'ev');
  }

  /** Resolves with the first recorded frame matching `pred` (past or future). */
  waitFor<F extends HqToDesk>(pred: (f: HqToDesk) => boolean, timeoutMs = 3000): Promise<F> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.frames.find(pred);
        if (hit) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(hit as F);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${this.frames.length} frames; last: ${JSON.stringify(this.frames.slice(-5).map((f) => f.t))}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}
