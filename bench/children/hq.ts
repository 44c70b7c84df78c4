// HQ in a process of its own, seeded with a synthetic chain. Answers stats requests with its own
// memory figures; the parent also reads /proc/<pid>/status for RSS and its peak.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoClerks } from '../../hq/demo/clerks.ts';
import { startHq, type HqHandle } from '../../hq/server.ts';
import { serve } from '../lib/proc.ts';
import { type BenchChainOptions, seedBenchChain } from '../lib/seed.ts';

let hq: HqHandle | null = null;
let dir = '';

serve({
  async init(o: BenchChainOptions & { maxFramesPerSecond?: number; retainEvents?: number; clerks?: boolean }) {
    dir = mkdtempSync(join(tmpdir(), 'footfall-bench-hq-'));
    hq = await startHq({
      dbPath: join(dir, 'hq.db'),
      log: () => {},
      ...(o.maxFramesPerSecond ? { maxFramesPerSecond: o.maxFramesPerSecond } : {}),
      ...(o.retainEvents ? { retainEvents: o.retainEvents } : {}),
    });
    const t0 = Date.now();
    const chain = await seedBenchChain(hq.store, o);
    // The demo clerks (manager PIN 9000, clerks 1001–1003) for benches that open the desk UI.
    if (o.clerks) await seedDemoClerks(hq.eventLog, chain.storeIds);
    return { url: hq.url, integrationKey: hq.integrationKey, storeIds: chain.storeIds, seedMs: Date.now() - t0, pid: process.pid };
  },
  stats() {
    const m = process.memoryUsage();
    return { rssMb: Math.round(m.rss / 1048576), heapUsedMb: Math.round(m.heapUsed / 1048576) };
  },
  async head({ storeId }: { storeId: string }) {
    const s = (await hq!.store.read((r) => r.getStore(storeId)))!;
    return { epoch: s.epoch, head: s.head };
  },
  async exit() {
    await hq?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
