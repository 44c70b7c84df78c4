// The fault harness: HQ and N desks as child processes, a fault-injecting TCP proxy between them,
// a steady load of arrivals and clerk actions, and a seeded schedule of faults (connection drops,
// stalls, blackholes, frames cut mid-way, SIGKILL of a desk, SIGKILL of HQ). After the last fault it
// heals everything, waits for the desks to converge, and checks against HQ's SQLite file that:
//   - every seq of HQ's log reached every desk exactly once (applied as an event, or covered by a
//     snapshot) — from the per-desk applied-seq record (test/chaos/positionLog.ts);
//   - every command a desk queued is in HQ's `ops` exactly once, with exactly one event when it
//     produced one, and no event names an opId twice;
//   - every desk's outbox is settled and its visits equal HQ's;
//   - chat: every message a desk queued (by clientId) and every member send HQ acknowledged is in
//     HQ's `messages` exactly once, each sender's messages have HQ's `n` in send order, and every
//     desk's cached conversations equal HQ's (ids and order).
// Used by scripts/chaos.ts (`npm run chaos -- --faults 200 --seed S`) and the short run in
// test/integration/chaos-short.test.ts.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type VisitView } from '../../shared/deskApi.ts';
import { type Outcome } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';
import { ChaosProxy, type ProxyFault } from './proxy.ts';
import { type PositionLogRow, readPositionLog } from './positionLog.ts';
import { type DeskRequest } from './types.ts';

export type FaultKind = ProxyFault | 'killDesk' | 'killHq';

export interface ChaosOptions {
  faults: number;
  seed: number;
  desks?: number;
  /** Mean gap between faults (ms). */
  faultGapMs?: number;
  /** How long to wait for convergence after healing. */
  healTimeoutMs?: number;
  log?: (line: string) => void;
  keepDir?: boolean;
}

export interface DeskVerdict {
  desk: number;
  deviceId: string;
  position: number;
  appliedByEvent: number;
  coveredBySnapshot: number;
  snapshots: number;
  lost: number;
  twice: number;
  backwards: number;
  kills: number;
  commandsQueued: number;
  commandsOk: number;
  commandsRejected: number;
  commandsLost: number;
  commandsTwice: number;
  unsettled: number;
  divergedVisits: number;
}

export interface ChatVerdict {
  /** chat.send queued by the desks (clientIds handed back), refused (member not cached yet), lost with a killed desk mid-call. */
  deskQueued: number;
  deskRefused: number;
  deskFailed: number;
  /** Desk messages HQ holds whose clientId the harness never saw (the desk was killed mid-call, after its outbox commit). */
  deskUnrecorded: number;
  memberSent: number;
  memberAcked: number;
  /** Member sends repeated with the same clientId after a failed or unanswered request. */
  memberRetries: number;
  memberDuplicateAcks: number;
  hqMessages: number;
  conversations: number;
  lost: number;
  twice: number;
  outOfOrder: number;
  /** Per desk: conversations whose cached messages differ from HQ's. */
  divergedConversations: number[];
}

export interface ChaosReport {
  seed: number;
  faultsInjected: Record<FaultKind, number>;
  hqHead: number;
  hqKills: number;
  arrivals: { ok: number; failed: number };
  actions: { queued: number; refused: number; failed: number };
  desks: DeskVerdict[];
  eventsNamingAnOpTwice: number;
  chat: ChatVerdict;
  converged: boolean;
  violations: string[];
  durationMs: number;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const STORE = 'chaos-a';
const OTHER_STORE = 'chaos-b';
/** Members of STORE (home store by the seeding in hqChild.ts: even numbers) the desks chat with. */
const CHAT_MEMBERS = Array.from({ length: 10 }, (_, i) => `cm${2 * (i + 1)}`);
/** Of those, members whose own client sends too (over the member HTTP API, through the proxy). */
const CHATTING_MEMBERS = CHAT_MEMBERS.slice(0, 2);
/** How many messages of each conversation a snapshot carries (HQ's SNAPSHOT conversation page). */
const SNAPSHOT_MESSAGES = 50;

/** A child process with request/response over IPC. */
class Child {
  proc: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readyInfo: Record<string, unknown> = {};
  kills = 0;

  constructor(
    private readonly script: string,
    private readonly arg: string,
  ) {}

  get alive(): boolean {
    return this.proc !== null;
  }

  async start(): Promise<void> {
    const proc = fork(join(HERE, this.script), [this.arg], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.proc = proc;
    proc.on('error', () => {}); // a send racing a SIGKILL: the request fails by timeout or on exit
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = null;
      for (const p of this.pending.values()) p.reject(new Error('child exited'));
      this.pending.clear();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.script} did not start`)), 20_000);
      proc.on('message', (raw) => {
        const msg = raw as { ready?: boolean; id?: number; result?: unknown; error?: string };
        if (msg.ready) {
          this.readyInfo = msg as Record<string, unknown>;
          clearTimeout(timer);
          return resolve();
        }
        const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
        if (!p) return;
        this.pending.delete(msg.id!);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      });
      proc.once('exit', (code) => reject(new Error(`${this.script} exited (${code}) before ready`)));
    });
  }

  request<T>(msg: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    const proc = this.proc;
    if (!proc) return Promise.reject(new Error('child not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`timeout: ${JSON.stringify(msg).slice(0, 80)}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      const failed = (err: Error) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(err);
      };
      if (!proc.connected) return failed(new Error('child not connected'));
      proc.send({ ...msg, id }, (err) => {
        if (err) failed(err);
      });
    });
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.kills++;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => (clearTimeout(timer), resolve()));
      proc.kill('SIGTERM');
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DeskSlot {
  index: number;
  child: Child;
  deviceId: string;
  dbPath: string;
  /** opIds the desk returned for a queued action (the clerk saw "pending"). */
  opIds: string[];
  /** chat.send in the order the desk accepted them. */
  chats: { memberId: string; clientId: string }[];
  restarting: Promise<void> | null;
}

interface DeskState {
  position: { epoch: string; seq: number };
  outbox: { opId: string; state: string; clientId?: string; memberId?: string }[];
  visits: VisitView[];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const rng = new Prng(options.seed);
  const deskCount = Math.max(3, options.desks ?? 3);
  const gap = options.faultGapMs ?? 150;
  const dir = mkdtempSync(join(tmpdir(), 'footfall-chaos-'));
  const hqDb = join(dir, 'hq.db');
  const hqPort = await freePort();
  const hq = new Child('hqChild.ts', JSON.stringify({ dbPath: hqDb, port: hqPort, stores: [STORE, OTHER_STORE], members: 40, heartbeatMs: 500 }));
  const proxy = new ChaosProxy({ host: '127.0.0.1', port: hqPort });
  const faults: Record<FaultKind, number> = { drop: 0, stall: 0, blackhole: 0, cut: 0, killDesk: 0, killHq: 0 };
  const arrivals = { ok: 0, failed: 0 };
  const actions = { queued: 0, refused: 0, failed: 0 };
  const visitIds: string[] = [];
  const desks: DeskSlot[] = [];
  let hqRestart: Promise<void> | null = null;
  let running = true;

  try {
    await hq.start();
    const hqUrl = `http://127.0.0.1:${hqPort}`;
    const key = hq.readyInfo.integrationKey as string;
    await proxy.start();
    const viaProxy = `http://127.0.0.1:${proxy.port}`;
    log(`chaos: seed ${options.seed}, ${options.faults} faults, ${deskCount} desks, HQ :${hqPort} behind proxy :${proxy.port}, dir ${dir}`);

    for (let i = 0; i < deskCount; i++) {
      const code = await hq.request<string>({ cmd: 'code', storeId: STORE });
      const res = await fetch(`${hqUrl}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, deviceName: `Chaos counter ${i + 1}` }),
      });
      const e = (await res.json()) as { token: string; deviceId: string };
      const dbPath = join(dir, `desk-${i + 1}.db`);
      const child = new Child('deskChild.ts', JSON.stringify({ dbPath, hqUrl: viaProxy, token: e.token }));
      await child.start();
      await child.request({ cmd: 'start' });
      desks.push({ index: i, child, deviceId: e.deviceId, dbPath, opIds: [], chats: [], restarting: null });
    }

    // --- load: arrivals straight to HQ (the integration is not under test), actions on the desks
    const members = Array.from({ length: 40 }, (_, i) => `cm${i + 1}`);
    const arrivalLoop = (async () => {
      while (running) {
        const storeId = rng.chance(0.85) ? STORE : OTHER_STORE;
        try {
          const res = await fetch(`${hqUrl}/v1/ingest/arrivals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-integration-key': key, 'idempotency-key': randomUUID(), connection: 'close' },
            body: JSON.stringify({ storeId, memberId: rng.pick(members), source: 'door' }),
            signal: AbortSignal.timeout(3000),
          });
          const body = (await res.json()) as { visitId?: string };
          if (res.ok && body.visitId) {
            arrivals.ok++;
            if (storeId === STORE && !visitIds.includes(body.visitId)) visitIds.push(body.visitId);
          } else arrivals.failed++;
        } catch {
          arrivals.failed++; // HQ is down (killed): nothing committed, or committed and HQ's log says so
        }
        await sleep(rng.int(20, 80));
      }
    })();
    const actionLoop = (async () => {
      while (running) {
        await sleep(rng.int(10, 50));
        const slot = rng.pick(desks);
        if (!slot.child.alive || slot.restarting || visitIds.length === 0) continue;
        const visitId = rng.pick(visitIds.slice(-15));
        const action = rng.weighted([
          ['claim', 4],
          ['note', 4],
          ['close', 1],
          ['release', 1],
        ] as const);
        const outcome: Outcome = rng.pick(['purchased', 'tried', 'browsed'] as const);
        const req: Omit<Extract<DeskRequest, { cmd: 'act' }>, 'id'> = { cmd: 'act', action, visitId, text: `chaos note ${rng.int(1, 1e6)}`, outcome };
        try {
          const r = await slot.child.request<{ opId: string }>(req, 5000);
          slot.opIds.push(r.opId);
          actions.queued++;
        } catch (err) {
          if (/no visit|not_found/.test((err as Error).message)) actions.refused++;
          else actions.failed++; // killed mid-request: the op may be in the outbox; it is checked from there
        }
      }
    })();

    // --- chat: desks send to the store's members; members send from their own client through the proxy
    const chat = { deskQueued: 0, deskRefused: 0, deskFailed: 0, memberSent: 0, memberAcked: 0, memberRetries: 0, memberDuplicateAcks: 0 };
    const chatLoop = (async () => {
      let k = 0;
      while (running) {
        await sleep(rng.int(30, 120));
        const slot = rng.pick(desks);
        if (!slot.child.alive || slot.restarting) continue;
        const memberId = rng.pick(CHAT_MEMBERS);
        try {
          const r = await slot.child.request<{ opId: string; clientId: string }>({ cmd: 'chat', memberId, text: `chaos chat ${slot.index + 1}/${++k}` }, 5000);
          slot.opIds.push(r.opId);
          slot.chats.push({ memberId, clientId: r.clientId });
          chat.deskQueued++;
        } catch (err) {
          if (/not_found|no member/.test((err as Error).message)) chat.deskRefused++;
          else chat.deskFailed++; // killed mid-call: the op may be in the outbox (counted as unrecorded at HQ)
        }
      }
    })();
    const memberAcked = new Map<string, string[]>(); // memberId → clientIds in send (= ack) order
    let memberUnacked = 0;
    const memberLoops = CHATTING_MEMBERS.map(async (memberId) => {
      const res = await fetch(`${hqUrl}/v1/integration/member-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-integration-key': key },
        body: JSON.stringify({ storeId: STORE, memberId }),
      });
      const { token } = (await res.json()) as { token: string };
      const acked: string[] = [];
      memberAcked.set(memberId, acked);
      let k = 0;
      while (running) {
        await sleep(rng.int(60, 200));
        const clientId = `chaos-${memberId}-${++k}`;
        chat.memberSent++;
        // The next message goes only once this one is acknowledged: the member's send order is HQ's n order.
        // After the load stops it is retried until acknowledged (HQ and the proxy are healed by then).
        const deadline = () => !running && Date.now() > healedAt + 20_000;
        for (let attempt = 0; ; attempt++) {
          if (attempt) chat.memberRetries++;
          try {
            const r = await fetch(`${viaProxy}/v1/member/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ clientId, kind: 'text', text: `member ${memberId} ${k}` }),
              signal: AbortSignal.timeout(3000),
            });
            const body = (await r.json()) as { status?: string };
            if (r.ok) {
              if (body.status === 'duplicate') chat.memberDuplicateAcks++;
              acked.push(clientId);
              chat.memberAcked++;
              break;
            }
          } catch {
            // dropped, cut, stalled, blackholed or HQ killed: resend with the same clientId
          }
          if (deadline()) {
            memberUnacked++;
            break;
          }
          await sleep(rng.int(50, 250));
        }
      }
    });
    let healedAt = Number.POSITIVE_INFINITY;

    // --- faults on a seeded schedule
    const restartDesk = (slot: DeskSlot, afterMs: number) => {
      slot.restarting = (async () => {
        await sleep(afterMs);
        await slot.child.start();
        await slot.child.request({ cmd: 'start' });
      })().finally(() => (slot.restarting = null));
    };
    let injected = 0;
    let attempts = 0;
    await sleep(300);
    while (injected < options.faults && attempts < options.faults * 20) {
      attempts++;
      await sleep(rng.int(Math.round(gap / 3), Math.round(gap * 5 / 3)));
      const kind = rng.weighted<FaultKind>([
        ['drop', 3],
        ['stall', 2],
        ['blackhole', 2],
        ['cut', 3],
        ['killDesk', 2],
        ['killHq', 1],
      ]);
      if (kind === 'killDesk') {
        const slot = rng.pick(desks);
        if (!slot.child.alive || slot.restarting) continue;
        await slot.child.kill9();
        restartDesk(slot, rng.int(100, 800));
      } else if (kind === 'killHq') {
        if (!hq.alive || hqRestart) continue;
        await hq.kill9();
        const after = rng.int(200, 1200);
        hqRestart = (async () => {
          await sleep(after);
          await hq.start();
        })().finally(() => (hqRestart = null));
      } else {
        const ok = proxy.inject(kind, (items) => rng.pick(items), { stallMs: rng.int(200, 2500), cutBytes: rng.int(1, 3000), cutUp: rng.chance(0.3) });
        if (!ok) continue;
      }
      faults[kind]++;
      injected++;
      if (injected % 25 === 0) log(`chaos: ${injected}/${options.faults} faults (${JSON.stringify(faults)})`);
    }

    // --- heal
    running = false;
    await Promise.all([arrivalLoop, actionLoop]);
    await hqRestart;
    if (!hq.alive) await hq.start();
    for (const slot of desks) {
      await slot.restarting;
      if (!slot.child.alive) {
        await slot.child.start();
        await slot.child.request({ cmd: 'start' });
      }
    }
    proxy.heal();
    healedAt = Date.now();
    await Promise.all([chatLoop, ...memberLoops]);
    log('chaos: healed; waiting for the desks to converge');

    const readHq = () => readHqState(hqDb);
    let converged = false;
    let stableHead = -1;
    let states: DeskState[] = [];
    const healEnd = Date.now() + (options.healTimeoutMs ?? 30_000);
    while (Date.now() < healEnd) {
      const truth = readHq();
      states = await Promise.all(desks.map((d) => d.child.request<DeskState>({ cmd: 'state' }).catch(() => null as unknown as DeskState)));
      const now = states.every(
        (s) => s && s.position.epoch === truth.epoch && s.position.seq === truth.head && s.outbox.every((o) => o.state === 'rejected'),
      );
      // Chat receipts follow the desks' acks (a chat.receipt event per storeDelivered move), so HQ's
      // head can still move just after the desks caught up: converged = the same head twice in a row.
      converged = now && stableHead === truth.head;
      stableHead = now ? truth.head : -1;
      if (converged) break;
      await sleep(250);
    }

    // --- verify
    const truth = readHq();
    const violations: string[] = [];
    const opEvents = new Map<string, number[]>();
    for (const ev of truth.events) if (ev.opId) opEvents.set(ev.opId, [...(opEvents.get(ev.opId) ?? []), ev.seq]);
    const eventsNamingAnOpTwice = [...opEvents.values()].filter((seqs) => seqs.length > 1).length;
    if (eventsNamingAnOpTwice) violations.push(`${eventsNamingAnOpTwice} opIds produced more than one event`);

    const verdicts: DeskVerdict[] = desks.map((slot, i) => {
      const state = states[i];
      const cover = coverage(readPositionLog(slot.dbPath), truth.epoch, truth.head);
      // Commands: every opId the desk handed out, plus any still in its outbox.
      const queued = new Set([...slot.opIds, ...(state?.outbox.map((o) => o.opId) ?? [])]);
      let ok = 0;
      let rejected = 0;
      let lost = 0;
      let twice = 0;
      for (const opId of queued) {
        const op = truth.ops.get(`${slot.deviceId}/${opId}`);
        const evs = opEvents.get(opId) ?? [];
        if (!op) lost++;
        else if (op.status === 'rejected') {
          rejected++;
          if (evs.length) twice++;
        } else {
          ok++;
          const expected = op.seq == null ? 0 : 1;
          if (evs.length > expected) twice++;
          if (evs.length < expected) lost++;
        }
      }
      const unsettled = state ? state.outbox.filter((o) => o.state !== 'rejected').length : -1;
      const diverged = state ? divergedVisits(state.visits, truth.visits) : -1;
      const v: DeskVerdict = {
        desk: i + 1,
        deviceId: slot.deviceId,
        position: state?.position.seq ?? -1,
        appliedByEvent: cover.byEvent,
        coveredBySnapshot: cover.bySnapshot,
        snapshots: cover.snapshots,
        lost: cover.lost,
        twice: cover.twice,
        backwards: cover.backwards,
        kills: slot.child.kills,
        commandsQueued: queued.size,
        commandsOk: ok,
        commandsRejected: rejected,
        commandsLost: lost,
        commandsTwice: twice,
        unsettled,
        divergedVisits: diverged,
      };
      const name = `desk ${i + 1}`;
      if (!state) violations.push(`${name}: did not answer`);
      if (v.lost) violations.push(`${name}: ${v.lost} events lost`);
      if (v.twice) violations.push(`${name}: ${v.twice} events applied twice`);
      if (v.backwards) violations.push(`${name}: position went backwards ${v.backwards} times`);
      if (lost) violations.push(`${name}: ${lost} commands lost`);
      if (twice) violations.push(`${name}: ${twice} commands applied twice`);
      if (unsettled) violations.push(`${name}: ${unsettled} commands still unsettled in the outbox`);
      if (diverged) violations.push(`${name}: ${diverged} visits differ from HQ`);
      return v;
    });
    if (!converged) violations.push('desks did not converge to HQ within the heal timeout');

    // --- chat
    const chatVerdict = verifyChat(truth.messages, desks, states, memberAcked, violations);
    if (memberUnacked) violations.push(`chat: ${memberUnacked} member sends never acknowledged after healing`);

    return {
      seed: options.seed,
      faultsInjected: faults,
      hqHead: truth.head,
      hqKills: hq.kills,
      arrivals,
      actions,
      desks: verdicts,
      eventsNamingAnOpTwice,
      chat: { ...chat, ...chatVerdict },
      converged,
      violations,
      durationMs: Date.now() - started,
    };
  } finally {
    running = false;
    await Promise.allSettled(desks.map((d) => d.child.stop()));
    await hq.stop().catch(() => {});
    await proxy.close();
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Walks a desk's position log for HQ's epoch: a +1 step is one event applied; any other forward
 * move is a snapshot covering (from, to]. Every seq 1..head must be covered exactly once.
 */
export function coverage(rows: PositionLogRow[], epoch: string, head: number) {
  const count = new Uint32Array(head + 2);
  let byEvent = 0;
  let bySnapshot = 0;
  let snapshots = 0;
  let backwards = 0;
  for (const r of rows) {
    if (r.toEpoch !== epoch) continue;
    const from = r.fromEpoch === epoch ? r.fromSeq : 0;
    if (r.toSeq < from) {
      backwards++;
      continue;
    }
    if (r.fromEpoch === epoch && r.toSeq === from + 1) {
      byEvent++;
      if (r.toSeq <= head) count[r.toSeq]!++;
      continue;
    }
    if (r.toSeq === from) continue; // a snapshot at the position the desk already had
    snapshots++;
    for (let s = from + 1; s <= Math.min(r.toSeq, head); s++) {
      count[s]!++;
      bySnapshot++;
    }
  }
  let lost = 0;
  let twice = 0;
  for (let s = 1; s <= head; s++) {
    if (count[s] === 0) lost++;
    else if (count[s]! > 1) twice++;
  }
  return { byEvent, bySnapshot, snapshots, lost, twice, backwards };
}

interface HqVisit {
  id: string;
  status: string;
  claimedBy: string | null;
  outcome: string | null;
  arrivals: number;
  notes: string[];
}

function readHqState(dbPath: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const store = db.prepare('SELECT epoch, head FROM stores WHERE id = ?').get(STORE) as { epoch: string; head: number };
    const events = (db.prepare('SELECT seq, type, data FROM events WHERE store_id = ? ORDER BY seq').all(STORE) as { seq: number; type: string; data: string }[]).map(
      (e) => ({ seq: e.seq, type: e.type, opId: (JSON.parse(e.data) as { opId?: string | null }).opId ?? null }),
    );
    const ops = new Map<string, { status: string; seq: number | null }>();
    for (const o of db.prepare('SELECT device_id, op_id, status, seq FROM ops').all() as { device_id: string; op_id: string; status: string; seq: number | null }[]) {
      ops.set(`${o.device_id}/${o.op_id}`, { status: o.status, seq: o.seq });
    }
    const notes = new Map<string, string[]>();
    for (const n of db.prepare('SELECT id, visit_id FROM notes').all() as { id: string; visit_id: string }[]) {
      notes.set(n.visit_id, [...(notes.get(n.visit_id) ?? []), n.id]);
    }
    const visits = new Map<string, HqVisit>();
    for (const v of db.prepare('SELECT * FROM visits WHERE store_id = ?').all(STORE) as Record<string, unknown>[]) {
      const id = v.id as string;
      visits.set(id, {
        id,
        status: v.status as string,
        claimedBy: v.claimed_by ? (JSON.parse(v.claimed_by as string) as { deviceId: string }).deviceId : null,
        outcome: (v.outcome as string | null) ?? null,
        arrivals: v.arrivals as number,
        notes: (notes.get(id) ?? []).sort(),
      });
    }
    const messages = db
      .prepare("SELECT id, member_id AS memberId, n, sender, client_id AS clientId, by FROM messages WHERE store_id = ? ORDER BY member_id, n")
      .all(STORE) as HqMessage[];
    return { epoch: store.epoch, head: store.head, events, ops, visits, messages };
  } finally {
    db.close();
  }
}

interface HqMessage {
  id: string;
  memberId: string;
  n: number;
  sender: 'member' | 'clerk';
  clientId: string;
  by: string | null;
}

function byMember<T extends { memberId: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.memberId, [...(out.get(r.memberId) ?? []), r]);
  return out;
}

/** Counts rows per key. */
function tally(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/** Whether the n of these clientIds (in send order) only grows. */
function inOrder(clientIds: string[], nOf: Map<string, number>): boolean {
  let last = 0;
  for (const cid of clientIds) {
    const n = nOf.get(cid);
    if (n === undefined) continue; // lost: counted as such
    if (n <= last) return false;
    last = n;
  }
  return true;
}

function verifyChat(
  messages: HqMessage[],
  desks: DeskSlot[],
  states: (DeskState | null)[],
  memberAcked: Map<string, string[]>,
  violations: string[],
): Omit<ChatVerdict, 'deskQueued' | 'deskRefused' | 'deskFailed' | 'memberSent' | 'memberAcked' | 'memberRetries' | 'memberDuplicateAcks'> {
  let lost = 0;
  let twice = 0;
  let outOfOrder = 0;
  let deskUnrecorded = 0;
  const clerkByDevice = new Map<string, HqMessage[]>();
  for (const m of messages) {
    if (m.sender !== 'clerk') continue;
    const deviceId = m.by ? (JSON.parse(m.by) as { deviceId: string }).deviceId : '';
    clerkByDevice.set(deviceId, [...(clerkByDevice.get(deviceId) ?? []), m]);
  }
  for (const slot of desks) {
    const mine = clerkByDevice.get(slot.deviceId) ?? [];
    const counts = tally(mine.map((m) => `${m.memberId}/${m.clientId}`));
    const queued = [...slot.chats];
    const known = new Set(queued.map((c) => c.clientId));
    // Anything still in the outbox counts as queued too (a desk killed mid-call had committed it).
    for (const o of states[slot.index]?.outbox ?? []) if (o.clientId && o.memberId && !known.has(o.clientId)) queued.push({ memberId: o.memberId, clientId: o.clientId });
    for (const c of queued) {
      const k = counts.get(`${c.memberId}/${c.clientId}`) ?? 0;
      if (k === 0) lost++;
      if (k > 1) twice++;
    }
    deskUnrecorded += mine.filter((m) => !known.has(m.clientId)).length;
    const nOf = new Map(mine.map((m) => [m.clientId, m.n]));
    for (const sent of byMember(slot.chats).values()) if (!inOrder(sent.map((c) => c.clientId), nOf)) outOfOrder++;
  }
  const memberMsgs = byMember(messages.filter((m) => m.sender === 'member'));
  for (const [memberId, acked] of memberAcked) {
    const mine = memberMsgs.get(memberId) ?? [];
    const counts = tally(mine.map((m) => m.clientId));
    for (const cid of acked) {
      const k = counts.get(cid) ?? 0;
      if (k === 0) lost++;
      if (k > 1) twice++;
    }
    if (!inOrder(acked, new Map(mine.map((m) => [m.clientId, m.n])))) outOfOrder++;
  }
  // A conversation's n must be 1..last without a gap or a repeat.
  const hqConvs = byMember(messages);
  for (const [memberId, list] of hqConvs) {
    if (list.some((m, i) => m.n !== i + 1)) violations.push(`chat: HQ's conversation with ${memberId} has a gap or a repeated n`);
  }
  // Every desk's cache: each conversation equals HQ's (a snapshot carries the newest SNAPSHOT_MESSAGES
  // of each; the cache must then hold HQ's newest messages, contiguous, in HQ's order).
  const divergedConversations = desks.map((slot) => {
    const cached = byMember(readDeskMessages(slot.dbPath));
    let diverged = 0;
    for (const memberId of new Set([...hqConvs.keys(), ...cached.keys()])) {
      const hq = (hqConvs.get(memberId) ?? []).map((m) => m.id);
      const desk = (cached.get(memberId) ?? []).map((m) => m.id);
      const same = desk.length >= Math.min(hq.length, SNAPSHOT_MESSAGES) && desk.length <= hq.length && JSON.stringify(desk) === JSON.stringify(hq.slice(hq.length - desk.length));
      if (!same) diverged++;
    }
    if (diverged) violations.push(`desk ${slot.index + 1}: ${diverged} chat conversations differ from HQ`);
    return diverged;
  });
  if (lost) violations.push(`chat: ${lost} messages lost`);
  if (twice) violations.push(`chat: ${twice} messages duplicated`);
  if (outOfOrder) violations.push(`chat: ${outOfOrder} sender/conversation pairs out of send order`);
  return { deskUnrecorded, hqMessages: messages.length, conversations: hqConvs.size, lost, twice, outOfOrder, divergedConversations };
}

function readDeskMessages(dbPath: string): { id: string; memberId: string; n: number }[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, member_id AS memberId, n FROM chat_messages ORDER BY member_id, n').all() as { id: string; memberId: string; n: number }[];
  } finally {
    db.close();
  }
}

function divergedVisits(deskVisits: VisitView[], hqVisits: Map<string, HqVisit>): number {
  let diverged = Math.abs(hqVisits.size - deskVisits.length);
  for (const d of deskVisits) {
    const h = hqVisits.get(d.id);
    if (!h) continue;
    const same =
      h.status === d.status &&
      h.claimedBy === (d.claimedBy?.deviceId ?? null) &&
      h.outcome === (d.outcome ?? null) &&
      h.arrivals === d.arrivals &&
      JSON.stringify(h.notes) === JSON.stringify(d.notes.map((n) => n.id).sort());
    if (!same) diverged++;
  }
  return diverged;
}

/** Human-readable summary of a report. */
export function formatReport(r: ChaosReport): string {
  const lines = [
    `chaos seed ${r.seed}: ${Object.values(r.faultsInjected).reduce((a, b) => a + b, 0)} faults ${JSON.stringify(r.faultsInjected)} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `HQ: head ${r.hqHead}, killed ${r.hqKills}×; arrivals ok ${r.arrivals.ok}, failed while HQ was down ${r.arrivals.failed}`,
    `actions: queued ${r.actions.queued}, refused (visit not in cache yet) ${r.actions.refused}, lost with a killed desk mid-call ${r.actions.failed}`,
    'desk  kills  position  byEvent  bySnapshot(snapshots)  lost  twice  | cmds  ok  rejected  lost  twice  unsettled | diverged visits',
    ...r.desks.map(
      (d) =>
        `${String(d.desk).padEnd(5)} ${String(d.kills).padEnd(6)} ${String(d.position).padEnd(9)} ${String(d.appliedByEvent).padEnd(8)} ${`${d.coveredBySnapshot}(${d.snapshots})`.padEnd(22)} ${String(d.lost).padEnd(5)} ${String(d.twice).padEnd(6)} | ${String(d.commandsQueued).padEnd(5)} ${String(d.commandsOk).padEnd(3)} ${String(d.commandsRejected).padEnd(9)} ${String(d.commandsLost).padEnd(5)} ${String(d.commandsTwice).padEnd(6)} ${String(d.unsettled).padEnd(9)} | ${d.divergedVisits}`,
    ),
    `events naming an opId twice: ${r.eventsNamingAnOpTwice}; converged: ${r.converged}`,
    `chat: desks queued ${r.chat.deskQueued} (refused ${r.chat.deskRefused}, lost with a killed desk mid-call ${r.chat.deskFailed}, of which reached HQ anyway ${r.chat.deskUnrecorded}); ` +
      `members sent ${r.chat.memberSent}, acked ${r.chat.memberAcked} (retries ${r.chat.memberRetries}, answered duplicate ${r.chat.memberDuplicateAcks})`,
    `chat at HQ: ${r.chat.hqMessages} messages in ${r.chat.conversations} conversations; lost ${r.chat.lost}, duplicated ${r.chat.twice}, out of order ${r.chat.outOfOrder}; ` +
      `diverged conversations per desk ${r.chat.divergedConversations.join('/')}`,
    r.violations.length
      ? `VIOLATIONS:\n  ${r.violations.join('\n  ')}`
      : 'OK: zero events lost, zero applied twice, zero commands lost or applied twice; chat: zero lost, zero duplicated, order kept, caches equal HQ',
  ];
  return lines.join('\n');
}
