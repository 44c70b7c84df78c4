// HQ as a child process for the fault harness: a fixed port and SQLite file, so a SIGKILL followed
// by a restart is exactly what a crashed HQ server looks like to the desks. In a cluster run the same
// script is one node on the shared PostgreSQL schema and NATS prefix (pgUrl, natsUrl, nodeId), and
// only the first node's first start seeds. Controlled over IPC:
//   {id, cmd: 'code', storeId}  → a one-time enrollment code
// A start that fails (the database is down while a node restarts) answers {fatal} and exits 3, so
// the harness can try again without a stack trace in its output.
// Run with `node --import tsx test/chaos/hqChild.ts '{"dbPath":…,"port":…}'`.
import { startHq, type HqHandle } from '../../hq/server.ts';
import { type Style } from '../../shared/domain.ts';

const opts = JSON.parse(process.argv[2]!) as {
  dbPath?: string;
  pgUrl?: string;
  pgSchema?: string;
  natsUrl?: string;
  natsPrefix?: string;
  nodeId?: string;
  port: number;
  stores: string[];
  members: number;
  heartbeatMs?: number;
  headEveryMs?: number;
  sweepMs?: number;
  presenceTtlMs?: number;
  /** false: never seed (a cluster node other than the first, or a restart). */
  seed?: boolean;
};
// The harness may be gone (or killing us): a failed send is not an error worth a crash.
const send = (msg: unknown) => void (process.connected && process.send!(msg, () => {}));

// Orphaned while starting (the harness died or gave up on us): nothing to close yet, just go.
const orphaned = () => process.exit(0);
process.on('disconnect', orphaned);

let hq: HqHandle;
try {
  hq = await startHq({
    dbPath: opts.dbPath,
    pgUrl: opts.pgUrl,
    pgSchema: opts.pgSchema,
    natsUrl: opts.natsUrl,
    natsPrefix: opts.natsPrefix,
    nodeId: opts.nodeId,
    port: opts.port,
    heartbeatMs: opts.heartbeatMs ?? 500,
    headEveryMs: opts.headEveryMs ?? 400,
    sweepMs: opts.sweepMs,
    presenceTtlMs: opts.presenceTtlMs,
    ...(opts.pgUrl ? { httpRateLimits: false as const } : {}),
    // CHAOS_DEBUG=1: the node's own log on stderr, stamped with the wall clock.
    log: process.env.CHAOS_DEBUG ? (line) => process.stderr.write(`DEBUG ${new Date().toISOString().slice(11, 23)} ${opts.nodeId ?? 'hq'} ${line}\n`) : () => {},
  });
} catch (err) {
  const fatal = String((err as Error)?.message ?? err);
  await new Promise<void>((resolve) => (process.connected ? process.send!({ fatal }, () => resolve()) : resolve()));
  process.exit(3);
}

// Seed once (the file survives restarts): stores, members (home store round-robin), one style.
if (opts.seed !== false && !(await hq.store.read((r) => r.getStore(opts.stores[0]!)))) {
  const now = Date.now();
  await hq.store.withTx(async (s) => {
    for (const [i, id] of opts.stores.entries()) await s.upsertStore({ id, name: `Chaos store ${i + 1}`, city: 'Test' }, `epoch-${id}-1`);
    for (let i = 1; i <= opts.members; i++) {
      await s.upsertMember({
        id: `cm${i}`,
        code: `C${String(i).padStart(6, '0')}`,
        name: `会员${i}`,
        nameEn: `Member ${i}`,
        tier: 'silver',
        phone: `1390000${String(1000 + i)}`,
        homeStoreId: opts.stores[i % opts.stores.length]!,
        sizes: { eu: 40, cn: 250 },
        preferences: ['running'],
        points: i,
        joinedAt: now - 86_400_000,
        updatedAt: now,
        birthday: null,
        consents: { marketing: false, personalization: true, contact: true },
      });
    }
    const style: Style = { id: 'cs1', name: 'Chaos Runner', category: 'running', price: 49900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40], releasedAt: now - 86_400_000 };
    await s.upsertStyle(style);
    for (const store of opts.stores) await s.setStock({ storeId: store, styleId: 'cs1', color: 'BLK', size: 40, qty: 5 });
  });
}

process.on('message', (raw) => {
  const msg = raw as { id: number; cmd: 'code'; storeId: string };
  if (msg.cmd === 'code') {
    hq.createEnrollmentCode(msg.storeId).then(
      (result) => send({ id: msg.id, result }),
      (err: unknown) => send({ id: msg.id, error: String(err) }),
    );
  }
});
const stop = () => void hq.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.off('disconnect', orphaned);
process.on('disconnect', stop);
if (!process.connected) stop();
send({ ready: true, url: hq.url, integrationKey: hq.integrationKey });
