// For live-room tests: a store's host desk — a protocol desk of `storeId` with a clerk signed in
// (live commands are a clerk's), and `ok` to send one of its commands and expect HQ's `ok` — and
// two HQ nodes of one chain.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { HqNode } from './cluster.ts';
import { TestHq } from './hq.ts';
import { ProtocolDesk } from './protocolClient.ts';
import { freePort } from './services.ts';

export interface LiveHost {
  desk: ProtocolDesk;
  token: string;
  ok(type: Parameters<ProtocolDesk['command']>[0], data: Record<string, unknown>): Promise<void>;
}

/** Enrolls and starts the desk; `onClose` gets its close for the test's cleanup. */
export async function liveHost(t: TestHq, onClose: (close: () => Promise<void>) => void, storeId = 'store-a'): Promise<LiveHost> {
  const saved = (await t.ingest('clerks', [{ storeId, name: '李娜', role: 'clerk', pin: '2468' }])) as { clerks: Array<{ id: string }> };
  const { token } = await t.enroll(storeId, 'Live desk');
  const desk = new ProtocolDesk({ urls: [t.url], token, resume: await t.position(storeId), clerkId: saved.clerks[0]!.id });
  onClose(() => desk.close());
  await desk.start();
  return {
    desk,
    token,
    ok: async (type, data) => {
      const ack = await desk.command(type, data);
      expect(ack, `${type}: ${JSON.stringify(ack)}`).toMatchObject({ status: 'ok' });
    },
  };
}

/**
 * Two HQ nodes on one PostgreSQL schema and one NATS prefix: the test's own HQ (node 1, in this
 * process) and node 2 in a process of its own, so it can die like a machine (`kill9`).
 */
export async function twoLiveNodes(onClose: (close: () => Promise<void>) => void): Promise<{ t: TestHq; node2: HqNode }> {
  const natsUrl = process.env.FOOTFALL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const natsPrefix = `t${randomUUID().slice(0, 8)}`;
  const t = await TestHq.start({ adapter: 'postgres', seed: 'storesAB', unservedSweepMs: 0, natsUrl, natsPrefix, presenceTtlMs: 3000 });
  onClose(() => t.dispose());
  const [, pgUrl, , pgSchema] = t.adminArgs;
  const node2 = await HqNode.start({ pgUrl, pgSchema, natsUrl, natsPrefix, nodeId: 'node2', port: await freePort(), presenceTtlMs: 3000, unservedSweepMs: 0 });
  onClose(() => node2.kill9());
  return { t, node2 };
}
