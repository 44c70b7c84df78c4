// The fault harness: HQ and N desks as child processes, a fault-injecting TCP proxy between them,
// a steady load of arrivals and clerk actions, and a seeded schedule of faults (connection drops,
// stalls, blackholes, frames cut mid-way, SIGKILL of a desk, SIGKILL of HQ). After the last fault it
// heals everything, waits for the desks to converge, and checks against HQ's database that:
//   - every seq of HQ's log reached every desk exactly once (applied as an event, or covered by a
//     snapshot) — from the per-desk applied-seq record (test/chaos/positionLog.ts);
//   - every command a desk queued is in HQ's `ops` exactly once, with exactly one event when it
//     produced one, and no event names an opId twice;
//   - every desk's outbox is settled and its visits equal HQ's;
//   - chat: every message a desk queued (by clientId) and every member send HQ acknowledged is in
//     HQ's `messages` exactly once, each sender's messages have HQ's `n` in send order, and every
//     desk's cached conversations equal HQ's (ids and order).
// With `nodes` ≥ 2, HQ is a cluster (test/chaos/cluster.ts): N node processes on a private
// PostgreSQL and a private NATS, one proxy per node; desks get every node's address (each starts on
// a different one) and fail over; arrivals go to a random node and are retried with the same
// idempotency key at the next one on a refused connection or a 503. Added faults: kill -9 of a
// node, the bus stopped for a few seconds, the database stopped for a few seconds. Added checks:
// HQ's log is gap-free, every acknowledged arrival's visit is at HQ, no node exited by itself.
// Used by scripts/chaos.ts (`npm run chaos -- --faults 200 --seed S [--nodes 3]`) and the short run in
// test/integration/chaos-short.test.ts. CHAOS_DEBUG=1 logs every fault, arrival attempt and node
// start/kill with its time since the start of the run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type VisitView } from '../../shared/deskApi.ts';
import { type ServedOutcome as Outcome } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';
import { Child, freePort, sleep } from './child.ts';
import { ChaosCluster, type ClusterStats } from './cluster.ts';
import { ChaosProxy, type ProxyFault } from './proxy.ts';
import { type PositionLogRow, readPositionLog } from './positionLog.ts';
import { type HqMessage, type HqTruth, type HqVisit, readSqliteTruth, visitsOpenedTwice } from './truth.ts';
import { REPEAT_WINDOW_MS } from '../../hq/app/arrivals.ts';
import { type DeskChildOptions, type DeskRequest } from './types.ts';

/** killHq: HQ, or in a cluster one node chosen at random. natsDown, pgRestart: cluster runs only. */
export type FaultKind = ProxyFault | 'killDesk' | 'killHq' | 'natsDown' | 'pgRestart';

export interface ChaosOptions {
  faults: number;
  seed: number;
  desks?: number;
  /** HQ nodes: 1 (default) = one HQ on SQLite; ≥ 2 = a cluster on PostgreSQL and NATS. */
  nodes?: number;
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

export interface ClusterVerdict extends ClusterStats {
  /** Arrival requests sent again (same idempotency key) after a refused connection or a 503. */
  arrivalRetries: number;
  arrival503: number;
  /** Acknowledged arrivals (the desks' store) whose visit HQ does not hold. */
  arrivalsLost: number;
  /** Seqs of 1..head missing from HQ's log, and rows beyond it. */
  hqLogGaps: number;
  /** Member sends answered 503 (the database was down) and sent again. */
  member503: number;
}

export interface ChaosReport {
  seed: number;
  nodes: number;
  faultsInjected: Partial<Record<FaultKind, number>>;
  hqHead: number;
  hqKills: number;
  arrivals: { ok: number; failed: number };
  actions: { queued: number; refused: number; failed: number };
  desks: DeskVerdict[];
  eventsNamingAnOpTwice: number;
  /** Arrivals HQ opened as a second visit beside the member's visit still open at the store (truth.ts visitsOpenedTwice). */
  visitsOpenedTwice: number;
  chat: ChatVerdict;
  /** Cluster runs only. */
  cluster?: ClusterVerdict;
  converged: boolean;
  violations: string[];
  durationMs: number;
}

const STORE = 'chaos-a';
const OTHER_STORE = 'chaos-b';
/** Members of STORE (home store by the seeding in hqChild.ts: even numbers) the desks chat with. */
const CHAT_MEMBERS = Array.from({ length: 10 }, (_, i) => `cm${2 * (i + 1)}`);
/** Of those, members whose own client sends too (over the member HTTP API, through the proxy). */
const CHATTING_MEMBERS = CHAT_MEMBERS.slice(0, 2);
/** How many messages of each conversation a snapshot carries (HQ's SNAPSHOT conversation page). */
const SNAPSHOT_MESSAGES = 50;

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
  const deskCount = Math.max(3, options.desks ?? 3);
  const nodeCount = Math.max(1, options.nodes ?? 1);
  // The single-node run draws the load and the faults from one stream (so a given seed keeps giving
  // the run it always gave). A cluster run draws its fault schedule (kinds, targets, parameters,
  // gaps) from a stream of its own, so the seed fixes the schedule whatever the load's timing; only
  // whether a drawn fault can apply (a desk already down, no live connection) still depends on it.
  const rng = new Prng(nodeCount >= 2 ? (options.seed ^ 0x5bd1e995) >>> 0 : options.seed);
  const schedule = nodeCount >= 2 ? new Prng(options.seed) : rng;
  const gap = options.faultGapMs ?? 150;
  const dir = mkdtempSync(join(tmpdir(), 'footfall-chaos-'));
  // One HQ on a SQLite file, or a cluster: `hq` and `proxy` are the single run's, `cluster` the other's.
  const cluster = nodeCount >= 2 ? new ChaosCluster({ nodes: nodeCount, stores: [STORE, OTHER_STORE], members: 40, log, startedAt: started }) : null;
  const hqDb = join(dir, 'hq.db');
  const hqPort = cluster ? 0 : await freePort();
  const hq = cluster ? null : new Child('hqChild.ts', JSON.stringify({ dbPath: hqDb, port: hqPort, stores: [STORE, OTHER_STORE], members: 40, heartbeatMs: 500 }));
  const proxy = cluster ? null : new ChaosProxy({ host: '127.0.0.1', port: hqPort });
  const faults: Partial<Record<FaultKind, number>> = { drop: 0, stall: 0, blackhole: 0, cut: 0, killDesk: 0, killHq: 0, ...(cluster ? { natsDown: 0, pgRestart: 0 } : {}) };
  const arrivals = { ok: 0, failed: 0 };
  const actions = { queued: 0, refused: 0, failed: 0 };
  const clusterLoad = { arrivalRetries: 0, arrival503: 0, member503: 0 };
  const visitIds: string[] = [];
  /** Cluster runs: every visitId an arrival was acknowledged with (the desks' store). */
  const ackedVisits = new Set<string>();
  const desks: DeskSlot[] = [];
  let hqRestart: Promise<void> | null = null;
  let running = true;
  let watch: NodeJS.Timeout | null = null;

  try {
    let hqUrl: string;
    let key: string;
    /** The member API as each chatting member's client reaches it: [first choice, then the others]. */
    let memberUrls: string[];
    if (cluster) {
      await cluster.start();
      hqUrl = cluster.urls[0]!;
      key = cluster.integrationKey;
      memberUrls = cluster.proxyUrls;
      log(
        `chaos: seed ${options.seed}, ${options.faults} faults, ${deskCount} desks, ${nodeCount} HQ nodes ` +
          `(${cluster.ports.map((p, i) => `:${p} behind proxy :${cluster.proxies[i]!.port}`).join(', ')}), ` +
          `PostgreSQL ${cluster.pgUrl}, NATS ${cluster.natsUrl}, dir ${dir}`,
      );
    } else {
      await hq!.start();
      hqUrl = `http://127.0.0.1:${hqPort}`;
      key = hq!.readyInfo.integrationKey as string;
      await proxy!.start();
      memberUrls = [`http://127.0.0.1:${proxy!.port}`];
      log(`chaos: seed ${options.seed}, ${options.faults} faults, ${deskCount} desks, HQ :${hqPort} behind proxy :${proxy!.port}, dir ${dir}`);
    }

    const addDesk = async (i: number) => {
      // A cluster desk is enrolled at, and starts on, node i mod N.
      const node = cluster ? cluster.nodes[i % nodeCount]! : hq!;
      const enrollUrl = cluster ? cluster.urls[i % nodeCount]! : hqUrl;
      const code = await node.request<string>({ cmd: 'code', storeId: STORE });
      const res = await fetch(`${enrollUrl}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, deviceName: `Chaos counter ${i + 1}` }),
      });
      const e = (await res.json()) as { token: string; deviceId: string };
      const dbPath = join(dir, `desk-${i + 1}.db`);
      const deskOpts: DeskChildOptions = cluster
        ? { dbPath, hqUrls: cluster.proxyUrls, first: i % nodeCount, token: e.token }
        : { dbPath, hqUrl: memberUrls[0]!, token: e.token };
      const child = new Child('deskChild.ts', JSON.stringify(deskOpts));
      await child.start();
      await child.request({ cmd: 'start' });
      return { index: i, child, deviceId: e.deviceId, dbPath, opIds: [], chats: [], restarting: null } satisfies DeskSlot;
    };
    if (cluster) {
      // At once (each start compiles the desk), in index order in `desks`.
      const started = await Promise.allSettled(Array.from({ length: deskCount }, (_, i) => addDesk(i)));
      for (const r of started) if (r.status === 'fulfilled') desks.push(r.value);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    } else for (let i = 0; i < deskCount; i++) desks.push(await addDesk(i));

    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    /** For CHAOS_DEBUG lines: since the start, and the wall clock (the desks stamp their lines with it). */
    const stamp = () => `${elapsed()} @${new Date().toISOString().slice(11, 23)}`;
    log(`chaos: ${deskCount} desks started (${elapsed()})`);

    // --- load: arrivals straight to HQ (the integration is not under test), actions on the desks
    const members = Array.from({ length: 40 }, (_, i) => `cm${i + 1}`);
    const singleArrival = async (storeId: string) => {
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
    };
    // A cluster's integration sends to any node and, on a refused connection, a timeout or a 503
    // (the database is down), sends the same request again with the same idempotency keys to the
    // next node, until it is acknowledged: each arrival is applied exactly once, and checked. About
    // a third of the requests are batches of 2–4 arrivals (POST /v1/ingest/arrivals/batch: one
    // transaction, its reads taken ahead on PostgreSQL), a member now and then twice in one batch.
    const clusterArrival = async (storeId: string) => {
      const count = rng.chance(0.3) ? rng.int(2, 4) : 1;
      const items = Array.from({ length: count }, (_, i) => ({
        idempotencyKey: randomUUID(),
        storeId: i === 0 ? storeId : rng.chance(0.85) ? STORE : OTHER_STORE,
        memberId: rng.pick(members),
        source: 'door',
      }));
      const batch = count > 1;
      let node = rng.int(0, nodeCount - 1);
      const deadline = Date.now() + 45_000;
      for (let attempt = 0; ; attempt++) {
        if (attempt) clusterLoad.arrivalRetries++;
        try {
          const { idempotencyKey, ...single } = items[0]!;
          const res = await fetch(`${cluster!.urls[node]}/v1/ingest/arrivals${batch ? '/batch' : ''}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-integration-key': key, ...(batch ? {} : { 'idempotency-key': idempotencyKey }), connection: 'close' },
            body: JSON.stringify(batch ? { items } : single),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await res.json()) as { visitId?: string; results?: { index: number; visitId?: string }[] };
          const answers = batch ? (body.results ?? []) : [{ index: 0, visitId: body.visitId }];
          if (res.ok && answers.length === count) {
            if (process.env.CHAOS_DEBUG) log(`DEBUG ${stamp()} ${count} arrival(s) ok at node ${node + 1} after ${attempt} retries`);
            for (const answer of answers) {
              if (!answer.visitId) {
                arrivals.failed++; // an item refused: not expected
                log(`chaos: arrival refused in a batch: ${JSON.stringify(answer).slice(0, 200)}`);
                continue;
              }
              arrivals.ok++;
              if (items[answer.index]!.storeId === STORE) {
                ackedVisits.add(answer.visitId);
                if (!visitIds.includes(answer.visitId)) visitIds.push(answer.visitId);
              }
            }
            return;
          }
          if (res.status !== 503) {
            arrivals.failed += count; // an answer that is not "try again": not retried, and not expected
            log(`chaos: arrival refused with HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
            return;
          }
          clusterLoad.arrival503++;
          if (process.env.CHAOS_DEBUG) log(`DEBUG ${stamp()} arrival 503 at node ${node + 1} ${JSON.stringify(body).slice(0, 150)}`);
        } catch (err) {
          if (process.env.CHAOS_DEBUG) log(`DEBUG ${stamp()} arrival error at node ${node + 1}: ${(err as Error).message} ${String((err as Error).cause ?? '')}`);
          // the node is down (killed, restarting): the next one
        }
        if (Date.now() > deadline) {
          arrivals.failed += count;
          return;
        }
        node = (node + 1) % nodeCount;
        await sleep(150);
      }
    };
    const arrivalLoop = (async () => {
      while (running) {
        const storeId = rng.chance(0.85) ? STORE : OTHER_STORE;
        await (cluster ? clusterArrival(storeId) : singleArrival(storeId));
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
    const memberToken = async (memberId: string): Promise<string> => {
      if (!cluster) {
        const res = await fetch(`${hqUrl}/v1/integration/member-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-integration-key': key },
          body: JSON.stringify({ storeId: STORE, memberId }),
        });
        return ((await res.json()) as { token: string }).token;
      }
      // The faults may already have begun: a node down, or the database (503). Any node issues the
      // token; without one every send of this member would be refused for the whole run.
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(`${cluster.urls[attempt % nodeCount]}/v1/integration/member-token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-integration-key': key },
            body: JSON.stringify({ storeId: STORE, memberId }),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await res.json()) as { token?: string };
          if (res.ok && body.token) return body.token;
          if (res.status !== 503) throw new Error(`member token: HTTP ${res.status} ${JSON.stringify(body)}`);
        } catch (err) {
          if (attempt >= 150 || /member token: HTTP/.test((err as Error).message)) throw err;
        }
        await sleep(200);
      }
    };
    const memberLoops = CHATTING_MEMBERS.map(async (memberId, mi) => {
      const token = await memberToken(memberId);
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
            // Through the proxy of a node; in a cluster each failure moves on to the next node's.
            const r = await fetch(`${memberUrls[(mi + attempt) % memberUrls.length]}/v1/member/messages`, {
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
            if (r.status === 503) clusterLoad.member503++;
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
    // Seen (so not an unhandled rejection that ends the process) until awaited after healing.
    for (const loop of memberLoops) loop.catch(() => {});
    let healedAt = Number.POSITIVE_INFINITY;

    // CHAOS_DEBUG=1: each desk's connection every second, to follow a desk that falls behind.
    watch = process.env.CHAOS_DEBUG
      ? setInterval(() => {
          for (const d of desks) {
            if (!d.child.alive) continue;
            d.child
              .request<{ position: { seq: number }; connection: { status: string; lastError: string | null; head: number } }>({ cmd: 'conn' }, 2000)
              .then((c) => log(`DEBUG ${stamp()} desk ${d.index + 1}: ${c.connection.status} at ${c.position.seq}/${c.connection.head}${c.connection.lastError ? ` (${c.connection.lastError})` : ''}`))
              .catch(() => {});
          }
        }, 1000)
      : null;

    // --- faults on a seeded schedule
    // A start that fails (the machine too loaded to start a process in time) is tried again: it must
    // never become an unhandled rejection, which would end the harness and orphan its children.
    const startAgain = async (child: Child, what: string, then?: () => Promise<unknown>) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await child.start();
          await then?.();
          return;
        } catch (err) {
          log(`chaos: ${what} did not start again (attempt ${attempt}): ${(err as Error).message}`);
          if (attempt >= 3) throw err;
          await child.stop().catch(() => {});
        }
      }
    };
    const restartDesk = (slot: DeskSlot, afterMs: number) => {
      slot.restarting = (async () => {
        await sleep(afterMs);
        await startAgain(slot.child, `desk ${slot.index + 1}`, () => slot.child.request({ cmd: 'start' })).catch(() => {});
      })().finally(() => (slot.restarting = null));
    };
    const singleKinds: [FaultKind, number][] = [
      ['drop', 3],
      ['stall', 2],
      ['blackhole', 2],
      ['cut', 3],
      ['killDesk', 2],
      ['killHq', 1],
    ];
    // Bus and database outages last seconds (the faults above, tenths): rarer, so that the cluster
    // spends most of the run serving, and a database restart cannot follow the last one at once.
    const clusterKinds: [FaultKind, number][] = [...singleKinds, ['natsDown', 0.75], ['pgRestart', 0.5]];
    let injected = 0;
    let attempts = 0;
    await sleep(300);
    while (injected < options.faults && attempts < options.faults * 20) {
      attempts++;
      await sleep(schedule.int(Math.round(gap / 3), Math.round(gap * 5 / 3)));
      const kind = schedule.weighted<FaultKind>(cluster ? clusterKinds : singleKinds);
      if (cluster) {
        // Three draws per fault whatever happens (gap, kind, this one's parameters), so a fault that
        // cannot apply now does not shift the rest of the schedule.
        const f = new Prng(schedule.int(0, 0xffffffff));
        if (kind === 'killDesk') {
          const slot = f.pick(desks);
          if (!slot.child.alive || slot.restarting) continue;
          await slot.child.kill9();
          restartDesk(slot, f.int(100, 800));
        } else if (kind === 'killHq') {
          // A random node, restarted on its port after a while; always one other node up meanwhile.
          const killable = cluster.killable();
          if (!killable.length) continue;
          await cluster.killNode(f.pick(killable), f.int(300, 2500));
        } else if (kind === 'natsDown') {
          if (!cluster.busOutage(f.int(1000, 5000))) continue;
        } else if (kind === 'pgRestart') {
          if (!cluster.databaseRestart(f.int(500, 3000), f.chance(0.5))) continue;
        } else {
          // A live connection through the proxy of any node.
          const withConns = cluster.proxies.filter((p) => p.active > 0);
          if (!withConns.length) continue;
          const ok = f.pick(withConns).inject(kind as ProxyFault, (items) => f.pick(items), { stallMs: f.int(200, 2500), cutBytes: f.int(1, 3000), cutUp: f.chance(0.3) });
          if (!ok) continue;
        }
      } else if (kind === 'killDesk') {
        const slot = rng.pick(desks);
        if (!slot.child.alive || slot.restarting) continue;
        await slot.child.kill9();
        restartDesk(slot, rng.int(100, 800));
      } else if (kind === 'killHq') {
        if (!hq!.alive || hqRestart) continue;
        await hq!.kill9();
        const after = rng.int(200, 1200);
        hqRestart = (async () => {
          await sleep(after);
          await startAgain(hq!, 'HQ').catch(() => {});
        })().finally(() => (hqRestart = null));
      } else {
        const ok = proxy!.inject(kind as ProxyFault, (items) => rng.pick(items), { stallMs: rng.int(200, 2500), cutBytes: rng.int(1, 3000), cutUp: rng.chance(0.3) });
        if (!ok) continue;
      }
      if (process.env.CHAOS_DEBUG) log(`DEBUG ${stamp()} fault ${kind}`);
      faults[kind] = (faults[kind] ?? 0) + 1;
      injected++;
      if (injected % 25 === 0) log(`chaos: ${injected}/${options.faults} faults (${JSON.stringify(faults)})`);
    }

    // --- heal
    log(`chaos: ${injected} faults injected (${elapsed()}); healing`);
    running = false;
    await Promise.all([arrivalLoop, actionLoop]);
    if (cluster) await cluster.heal();
    else {
      await hqRestart;
      if (!hq!.alive) await hq!.start();
    }
    for (const slot of desks) {
      await slot.restarting;
      if (!slot.child.alive) {
        await slot.child.start();
        await slot.child.request({ cmd: 'start' });
      }
    }
    proxy?.heal();
    healedAt = Date.now();
    await Promise.all([chatLoop, ...memberLoops]);
    log(`chaos: healed (${elapsed()}); waiting for the desks to converge`);

    const readHq = async (): Promise<HqTruth> => (cluster ? cluster.truth(STORE) : readSqliteTruth(hqDb, STORE));
    let converged = false;
    let stableHead = -1;
    let states: DeskState[] = [];
    const healEnd = Date.now() + (options.healTimeoutMs ?? 30_000);
    while (Date.now() < healEnd) {
      const truth = await readHq();
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
    const truth = await readHq();
    const violations: string[] = [];
    const opEvents = new Map<string, number[]>();
    for (const ev of truth.events) if (ev.opId) opEvents.set(ev.opId, [...(opEvents.get(ev.opId) ?? []), ev.seq]);
    const eventsNamingAnOpTwice = [...opEvents.values()].filter((seqs) => seqs.length > 1).length;
    if (eventsNamingAnOpTwice) violations.push(`${eventsNamingAnOpTwice} opIds produced more than one event`);
    // One member walking in is one visit: an arrival beside their visit still open is a repeat.
    const openedTwice = visitsOpenedTwice(truth.events, REPEAT_WINDOW_MS);
    for (const t of openedTwice.slice(0, 3)) violations.push(`HQ opened visit ${t.visitId} (seq ${t.seq}) beside the member's visit ${t.openVisitId}, still open`);
    if (openedTwice.length > 3) violations.push(`…and ${openedTwice.length - 3} more visits opened beside an open one`);

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

    // --- cluster: HQ's log itself, the integration's arrivals, the nodes
    let clusterVerdict: ClusterVerdict | undefined;
    if (cluster) {
      const seqs = new Set(truth.events.map((e) => e.seq));
      let hqLogGaps = truth.events.filter((e) => e.seq < 1 || e.seq > truth.head).length;
      for (let s = 1; s <= truth.head; s++) if (!seqs.has(s)) hqLogGaps++;
      if (hqLogGaps) violations.push(`HQ's log: ${hqLogGaps} seqs of 1..${truth.head} missing or beyond the head`);
      const arrivalsLost = [...ackedVisits].filter((id) => !truth.visits.has(id)).length;
      if (arrivalsLost) violations.push(`${arrivalsLost} acknowledged arrivals have no visit at HQ`);
      cluster.stats.nodeCrashes.forEach((n, i) => n && violations.push(`node ${i + 1} exited by itself ${n}×`));
      for (const f of cluster.failures) violations.push(f);
      clusterVerdict = { ...cluster.stats, ...clusterLoad, arrivalsLost, hqLogGaps };
    }

    return {
      seed: options.seed,
      nodes: nodeCount,
      faultsInjected: faults,
      hqHead: truth.head,
      hqKills: cluster ? cluster.stats.nodeKills.reduce((a, b) => a + b, 0) : hq!.kills,
      arrivals,
      actions,
      desks: verdicts,
      eventsNamingAnOpTwice,
      visitsOpenedTwice: openedTwice.length,
      chat: { ...chat, ...chatVerdict },
      ...(clusterVerdict ? { cluster: clusterVerdict } : {}),
      converged,
      violations,
      durationMs: Date.now() - started,
    };
  } finally {
    running = false;
    if (watch) clearInterval(watch);
    await Promise.allSettled(desks.map((d) => d.child.stop()));
    if (cluster) await cluster.dispose(options.keepDir ?? false).catch(() => {});
    else {
      await hq!.stop().catch(() => {});
      await proxy!.close();
    }
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
    ...(r.cluster ? [formatCluster(r.cluster)] : []),
    'desk  kills  position  byEvent  bySnapshot(snapshots)  lost  twice  | cmds  ok  rejected  lost  twice  unsettled | diverged visits',
    ...r.desks.map(
      (d) =>
        `${String(d.desk).padEnd(5)} ${String(d.kills).padEnd(6)} ${String(d.position).padEnd(9)} ${String(d.appliedByEvent).padEnd(8)} ${`${d.coveredBySnapshot}(${d.snapshots})`.padEnd(22)} ${String(d.lost).padEnd(5)} ${String(d.twice).padEnd(6)} | ${String(d.commandsQueued).padEnd(5)} ${String(d.commandsOk).padEnd(3)} ${String(d.commandsRejected).padEnd(9)} ${String(d.commandsLost).padEnd(5)} ${String(d.commandsTwice).padEnd(6)} ${String(d.unsettled).padEnd(9)} | ${d.divergedVisits}`,
    ),
    `events naming an opId twice: ${r.eventsNamingAnOpTwice}; visits opened beside an open one: ${r.visitsOpenedTwice}; converged: ${r.converged}`,
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

function formatCluster(c: ClusterVerdict): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `cluster: ${c.nodes} nodes killed ${c.nodeKills.join('/')}×, exited by themselves ${c.nodeCrashes.join('/')}×, starts refused while the database was down ${c.nodeStartsRefused}; ` +
    `NATS stopped ${c.natsOutages}× (${secs(c.natsDownMs)} in all); PostgreSQL stopped ${c.pgRestarts}× (${c.pgImmediate} immediate, ${secs(c.pgDownMs)} in all); ` +
    `arrivals sent again ${c.arrivalRetries}× (503 answers ${c.arrival503}), acknowledged but missing ${c.arrivalsLost}; member sends answered 503 ${c.member503}; HQ log gaps ${c.hqLogGaps}`
  );
}

/** The run in one object (the last line of `npm run chaos`): the four numbers that must be 0, and what they were measured on. */
export function summarize(r: ChaosReport) {
  const total = (f: (d: DeskVerdict) => number) => r.desks.reduce((n, d) => n + f(d), 0);
  return {
    seed: r.seed,
    nodes: r.nodes,
    desks: r.desks.length,
    faults: Object.values(r.faultsInjected).reduce((a, b) => a + (b ?? 0), 0),
    faultsByKind: r.faultsInjected,
    events: r.hqHead,
    commands: total((d) => d.commandsQueued),
    chatMessages: r.chat.hqMessages,
    arrivals: r.arrivals.ok,
    lost: total((d) => d.lost + d.commandsLost) + r.chat.lost + (r.cluster ? r.cluster.arrivalsLost + r.cluster.hqLogGaps : 0),
    doubled: total((d) => d.twice + d.commandsTwice) + r.chat.twice + r.eventsNamingAnOpTwice + r.visitsOpenedTwice,
    reordered: total((d) => d.backwards) + r.chat.outOfOrder,
    diverged: total((d) => d.divergedVisits) + r.chat.divergedConversations.reduce((a, b) => a + b, 0),
    converged: r.converged,
    violations: r.violations.length,
    durationMs: r.durationMs,
  };
}
