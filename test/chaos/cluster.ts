// HQ as a cluster for the fault harness: N node processes (test/chaos/hqChild.ts) on one schema of
// a private PostgreSQL and one private NATS, each behind its own fault-injecting proxy. Private, so
// that stopping the database or the bus harms no other test running on the machine. The cluster
// faults: kill -9 of a node (restarted on the same port after a while; a start refused while the
// database is down is tried again), the bus stopped for a few seconds (doorbells lost: the nodes
// deliver by their sweep meanwhile), the database stopped for a few seconds (fast or immediate
// shutdown: every connection cut, transactions in flight aborted; writes answer 503 meanwhile).
import { type ChildProcess, execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSchema } from '../support/cluster.ts';
import { PrivateNats, PrivatePg } from '../support/services.ts';
import { Child, freePort, sleep } from './child.ts';
import { ChaosProxy } from './proxy.ts';
import { type HqTruth, readPgTruth } from './truth.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);
/** Up time between two outages of the bus, or of the database. */
const OUTAGE_GAP_MS = 3000;

/**
 * pg_ctl on a PrivatePg without blocking the event loop (PrivatePg.start/stop are synchronous, which
 * would freeze the harness's proxies and load for the second the server takes): the same commands.
 */
async function pgCtl(server: PrivatePg, args: string[]): Promise<void> {
  const cmd = `${PG_BIN}/pg_ctl`;
  const data = ['-D', join(server.dir, 'data')];
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', cmd, ...data, ...args]);
  else await run(cmd, [...data, ...args]);
}

const pgStart = (server: PrivatePg) =>
  pgCtl(server, ['-l', join(server.dir, 'log'), '-w', '-o', `-p ${server.port} -k ${server.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
const pgStop = (server: PrivatePg, mode: 'fast' | 'immediate') => pgCtl(server, ['-m', mode, '-w', 'stop']);

export interface ClusterStats {
  nodes: number;
  /** Per node: kill -9 by the schedule. */
  nodeKills: number[];
  /** Per node: exits nobody asked for (a crash of HQ; restarted like a kill). */
  nodeCrashes: number[];
  /** Node starts that failed (the database was down at the time) and were tried again. */
  nodeStartsRefused: number;
  natsOutages: number;
  natsDownMs: number;
  pgRestarts: number;
  /** Of those, immediate shutdowns (no checkpoint; crash recovery at the next start). */
  pgImmediate: number;
  pgDownMs: number;
}

export interface ClusterOptions {
  nodes: number;
  stores: string[];
  members: number;
  log: (line: string) => void;
  /** For the timestamps of debug lines (CHAOS_DEBUG=1). */
  startedAt?: number;
}

export class ChaosCluster {
  readonly nodes: Child[] = [];
  readonly ports: number[] = [];
  readonly proxies: ChaosProxy[] = [];
  private pg: PrivatePg | null = null;
  private nats: PrivateNats | null = null;
  private schema = '';
  private readonly restarts: (Promise<void> | null)[] = [];
  private natsOutage: Promise<void> | null = null;
  private pgOutage: Promise<void> | null = null;
  private closing = false;
  /** When the last outage of the bus / the database ended: the next waits a little (OUTAGE_GAP_MS). */
  private natsBackAt = 0;
  private pgBackAt = 0;
  integrationKey = '';
  /** Things that went wrong with the cluster itself (a node that never came back). */
  readonly failures: string[] = [];
  readonly stats: ClusterStats;

  constructor(private readonly opts: ClusterOptions) {
    this.stats = {
      nodes: opts.nodes,
      nodeKills: Array.from({ length: opts.nodes }, () => 0),
      nodeCrashes: Array.from({ length: opts.nodes }, () => 0),
      nodeStartsRefused: 0,
      natsOutages: 0,
      natsDownMs: 0,
      pgRestarts: 0,
      pgImmediate: 0,
      pgDownMs: 0,
    };
  }

  /** Direct addresses of the nodes (the integration's arrivals go there). */
  get urls(): string[] {
    return this.ports.map((p) => `http://127.0.0.1:${p}`);
  }

  /** The nodes as the desks and members see them: through their proxies. */
  get proxyUrls(): string[] {
    return this.proxies.map((p) => `http://127.0.0.1:${p.port}`);
  }

  get pgUrl(): string {
    return this.pg?.url ?? '';
  }

  get natsUrl(): string {
    return this.nats?.url ?? '';
  }

  /**
   * If the harness dies without disposing (a crash), the database and the bus must not outlive it
   * (the nodes and desks exit by themselves when their IPC channel closes). Synchronous: 'exit'.
   */
  private readonly onExit = () => {
    try {
      this.pg?.stop();
    } catch {
      /* not running */
    }
    // PrivateNats keeps its process to itself; at this point only a signal can help.
    (this.nats as unknown as { proc: ChildProcess | null } | null)?.proc?.kill('SIGKILL');
  };

  async start(): Promise<void> {
    const t0 = Date.now();
    process.on('exit', this.onExit);
    this.pg = await PrivatePg.create();
    this.nats = await PrivateNats.create();
    this.schema = await createSchema(this.pg.url);
    if (process.env.CHAOS_DEBUG) this.opts.log(`DEBUG pg+nats ${Date.now() - t0} ms`);
    // The first node migrates the schema and seeds it; the others start beside it, at once.
    const ports: number[] = [];
    for (let i = 0; i < this.opts.nodes; i++) ports.push(await freePort());
    const arg = (i: number, seed: boolean) =>
      JSON.stringify({
        pgUrl: this.pg!.url,
        pgSchema: this.schema,
        natsUrl: this.nats!.url,
        natsPrefix: 'chaos',
        nodeId: `node${i + 1}`,
        port: ports[i],
        stores: this.opts.stores,
        members: this.opts.members,
        heartbeatMs: 500,
        headEveryMs: 400,
        sweepMs: 500,
        presenceTtlMs: 3000,
        seed,
      });
    for (let i = 0; i < this.opts.nodes; i++) {
      const node = new Child('hqChild.ts', arg(i, i === 0));
      node.onCrash = (code, signal) => {
        this.stats.nodeCrashes[i]!++;
        this.opts.log(`chaos: node ${i + 1} exited by itself (code ${code}, signal ${signal}); restarting it`);
        this.restartNode(i, 200);
      };
      this.nodes.push(node);
      this.ports.push(ports[i]!);
      this.restarts.push(null);
      this.proxies.push(new ChaosProxy({ host: '127.0.0.1', port: ports[i]! }));
    }
    await this.nodes[0]!.start();
    this.nodes[0]!.arg = arg(0, false); // restarts never seed
    await Promise.all(this.nodes.slice(1).map((n) => n.start()));
    await Promise.all(this.proxies.map((p) => p.start()));
    if (process.env.CHAOS_DEBUG) this.opts.log(`DEBUG nodes up at ${Date.now() - t0} ms`);
    this.integrationKey = this.nodes[0]!.readyInfo.integrationKey as string;
  }

  /** The nodes that may be killed now: up, with another node up to serve meanwhile. */
  killable(): number[] {
    const up = this.nodes.map((n, i) => n.alive && !this.restarts[i]);
    return up.flatMap((u, i) => (u && up.some((v, j) => v && j !== i) ? [i] : []));
  }

  private debug(line: string): void {
    if (process.env.CHAOS_DEBUG) {
      this.opts.log(`DEBUG ${((Date.now() - (this.opts.startedAt ?? 0)) / 1000).toFixed(1)} s @${new Date().toISOString().slice(11, 23)} node ${line}`);
    }
  }

  async killNode(i: number, restartAfterMs: number): Promise<void> {
    this.debug(`${i + 1}: kill -9, restart in ${restartAfterMs} ms`);
    await this.nodes[i]!.kill9();
    this.stats.nodeKills[i]!++;
    this.restartNode(i, restartAfterMs);
  }

  /**
   * Starts node i again on its port after `afterMs`; a refused start (the database was down when the
   * node opened it) is tried again. On a loaded machine one attempt can take half a minute, and the
   * database can be down again by then, so only five minutes of failures count as "does not start".
   */
  private restartNode(i: number, afterMs: number): Promise<void> {
    if (this.restarts[i]) return this.restarts[i]!;
    const p = (async () => {
      await sleep(afterMs);
      const end = Date.now() + 300_000;
      for (;;) {
        if (this.closing || this.nodes[i]!.alive) return;
        try {
          this.debug(`${i + 1}: starting`);
          await this.nodes[i]!.start();
          this.debug(`${i + 1}: up`);
          return;
        } catch (err) {
          this.debug(`${i + 1}: start failed: ${(err as Error).message}`);
          this.stats.nodeStartsRefused++;
          if (Date.now() > end) {
            this.failures.push(`node ${i + 1} did not start again within 5 min: ${(err as Error).message}`);
            return;
          }
          await sleep(300);
        }
      }
    })().finally(() => (this.restarts[i] = null));
    this.restarts[i] = p;
    return p;
  }

  /** Stops NATS for `ms`, then starts it on the same port; false while an outage is under way. */
  busOutage(ms: number): boolean {
    if (this.natsOutage || !this.nats || Date.now() - this.natsBackAt < OUTAGE_GAP_MS) return false;
    const nats = this.nats;
    this.stats.natsOutages++;
    this.natsOutage = (async () => {
      const t = Date.now();
      await nats.stop();
      await sleep(ms);
      await nats.start();
      this.stats.natsDownMs += Date.now() - t;
      this.natsBackAt = Date.now();
    })()
      .catch((err: unknown) => void this.failures.push(`NATS did not come back: ${(err as Error).message}`))
      .finally(() => (this.natsOutage = null));
    return true;
  }

  /** Stops PostgreSQL (fast or immediate) for `ms`, then starts it; false while an outage is under way. */
  databaseRestart(ms: number, immediate: boolean): boolean {
    if (this.pgOutage || !this.pg || Date.now() - this.pgBackAt < OUTAGE_GAP_MS) return false;
    const server = this.pg;
    this.stats.pgRestarts++;
    if (immediate) this.stats.pgImmediate++;
    this.pgOutage = (async () => {
      const t = Date.now();
      this.debug(`-: PostgreSQL stopping (${immediate ? 'immediate' : 'fast'})`);
      await pgStop(server, immediate ? 'immediate' : 'fast');
      this.debug(`-: PostgreSQL stopped`);
      await sleep(ms);
      for (let attempt = 1; ; attempt++) {
        try {
          await pgStart(server);
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
          await sleep(500);
        }
      }
      this.debug(`-: PostgreSQL up`);
      this.stats.pgDownMs += Date.now() - t;
      this.pgBackAt = Date.now();
    })()
      .catch((err: unknown) => void this.failures.push(`PostgreSQL restart failed: ${(err as Error).message}`))
      .finally(() => (this.pgOutage = null));
    return true;
  }

  /** Ends every fault: the bus and the database up, every node up, the proxies healed. */
  async heal(): Promise<void> {
    await this.natsOutage;
    await this.pgOutage;
    await Promise.all(this.nodes.map((n, i) => (n.alive && !this.restarts[i] ? undefined : this.restartNode(i, 0))));
    for (const p of this.proxies) p.heal();
  }

  truth(storeId: string): Promise<HqTruth> {
    return readPgTruth(this.pg!.url, this.schema, storeId);
  }

  async dispose(keep: boolean): Promise<void> {
    this.closing = true;
    process.off('exit', this.onExit);
    await this.natsOutage;
    await this.pgOutage;
    await Promise.all(this.restarts);
    await Promise.allSettled(this.nodes.map((n) => n.stop()));
    await Promise.all(this.proxies.map((p) => p.close()));
    if (keep) {
      this.opts.log(`chaos: kept PostgreSQL's data in ${this.pg?.dir}/data (schema ${this.schema}), NATS's in ${this.nats?.dir}`);
      await this.nats?.stop();
      try {
        if (this.pg) await pgStop(this.pg, 'fast');
      } catch {
        /* already stopped */
      }
    } else {
      await this.nats?.dispose();
      this.pg?.dispose();
    }
  }
}
