// A cluster of real HQ node processes on one PostgreSQL schema and one NATS subject prefix, for
// tests that kill nodes like crashed machines. Seeded only over HTTP, like a chain's integrations.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type HqOptions } from '../../hq/server.ts';
import { EnrollResponse } from '../../shared/protocol.ts';
import { applySeed } from './seeds.ts';
import { freePort } from './services.ts';

const NODE_SCRIPT = fileURLToPath(new URL('./hqNode.ts', import.meta.url));

export { STORE_A, STORE_B } from './seeds.ts';

/** One HQ node process. */
export class HqNode {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(v: string): void; reject(e: Error): void }>();
  url = '';
  integrationKey = '';

  private constructor(
    readonly opts: HqOptions,
    private proc: ChildProcess,
  ) {}

  static async start(opts: HqOptions): Promise<HqNode> {
    const node = new HqNode(opts, HqNode.spawn(opts));
    await node.waitReady();
    return node;
  }

  private static spawn(opts: HqOptions): ChildProcess {
    return fork(NODE_SCRIPT, [JSON.stringify(opts)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  private waitReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${this.opts.nodeId} did not start`)), 20_000);
      this.proc.on('message', (raw) => {
        const msg = raw as { ready?: boolean; url?: string; integrationKey?: string; id?: number; result?: string; error?: string };
        if (msg.ready) {
          clearTimeout(timer);
          this.url = msg.url!;
          this.integrationKey = msg.integrationKey!;
          resolve();
        } else if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(msg.error));
          else p?.resolve(msg.result!);
        }
      });
      this.proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node ${this.opts.nodeId} exited with ${code}`));
      });
    });
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  code(storeId: string): Promise<string> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ id, cmd: 'code', storeId });
    });
  }

  /** kill -9: no goodbye to desks, nothing flushed. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGTERM');
    });
  }

  /** Starts the node again on the same port. */
  async restart(): Promise<void> {
    await this.kill9();
    this.proc = HqNode.spawn(this.opts);
    await this.waitReady();
  }
}

export interface ClusterOptions {
  nodes: number;
  pgUrl: string;
  natsUrl?: string;
  /** Extra options for every node. */
  node?: Partial<HqOptions>;
}

/** A fresh PostgreSQL schema for one cluster; dropped by `dropSchema`. */
export async function createSchema(pgUrl: string): Promise<string> {
  const schema = `c_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await c.end();
  }
  return schema;
}

export async function dropSchema(pgUrl: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

export class Cluster {
  readonly nodes: HqNode[] = [];

  private constructor(
    readonly schema: string,
    readonly natsPrefix: string,
    readonly opts: ClusterOptions,
  ) {}

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const schema = await createSchema(opts.pgUrl);
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const c = new Cluster(schema, prefix, opts);
    // The first node migrates the schema; the others start beside it.
    for (let i = 0; i < opts.nodes; i++) {
      const nodeOpts: HqOptions = {
        pgUrl: opts.pgUrl,
        pgSchema: schema,
        ...(opts.natsUrl ? { natsUrl: opts.natsUrl, natsPrefix: prefix } : {}),
        nodeId: `node${i + 1}`,
        port: await freePort(),
        heartbeatMs: 500,
        headEveryMs: 300,
        sweepMs: 500,
        presenceTtlMs: 3000,
        httpRateLimits: false,
        assistant: false, // 7/8: off unless a test asks (as TestHq): tests before it count a conversation's messages
        ...opts.node,
      };
      c.nodes.push(await HqNode.start(nodeOpts));
    }
    return c;
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  async ingest(nodeIndex: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const node = this.nodes[nodeIndex]!;
    return fetch(`${node.url}/v1/ingest/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-integration-key': node.integrationKey, ...headers },
      body: JSON.stringify(body),
    });
  }

  async ingestOk(nodeIndex: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    const res = await this.ingest(nodeIndex, path, body, headers);
    const json = await res.json();
    if (!res.ok) throw new Error(`ingest ${path} at node ${nodeIndex + 1}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** The `nanjingSanlitunLean` set (seeds.ts): two stores, 20 members, one style in stock; through node 1. */
  async seed(): Promise<void> {
    await applySeed((path, body) => this.ingestOk(0, path, body), 'nanjingSanlitunLean');
  }

  /** An arrival at a node; retried at the next live node on a network error (the key keeps it one visit). */
  async arrival(nodeIndex: number, storeId: string, memberId: string, key: string = randomUUID()): Promise<{ status: string; visitId: string; seq: number }> {
    let last: unknown;
    for (let attempt = 0; attempt < this.nodes.length * 3; attempt++) {
      const i = (nodeIndex + attempt) % this.nodes.length;
      if (!this.nodes[i]!.alive) continue;
      try {
        const res = await this.ingest(i, 'arrivals', { storeId, memberId, source: 'door' }, { 'idempotency-key': key });
        if (res.status === 503) {
          last = new Error('503');
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const json = (await res.json()) as { status: string; visitId: string; seq: number };
        if (!res.ok) throw new Error(`arrival: HTTP ${res.status} ${JSON.stringify(json)}`);
        return json;
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`arrival failed on every node: ${String(last)}`);
  }

  async enroll(storeId: string, deviceName: string, nodeIndex = 0): Promise<EnrollResponse> {
    const node = this.nodes[nodeIndex]!;
    const code = await node.code(storeId);
    const res = await fetch(`${node.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName }) });
    if (!res.ok) throw new Error(`enroll: HTTP ${res.status}`);
    return EnrollResponse.parse(await res.json());
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.stop()));
    await dropSchema(this.opts.pgUrl, this.schema).catch(() => undefined);
  }
}
