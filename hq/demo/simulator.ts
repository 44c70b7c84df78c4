// Simulated door check-ins for the demo: every few seconds (with jitter) a random member walks
// into one of the stores, posted through the real HTTP ingest endpoint as an integration would.
// Now and then the same member is seen again within 30 minutes, to show `visit.updated`.
import { randomUUID } from 'node:crypto';
import { type ArrivalSource } from '../../shared/domain.ts';
import { type HqHandle } from '../server.ts';
import { startChatSimulator } from './chatSimulator.ts';

export interface SimulatorOptions {
  everyMs?: number;
  storeIds?: string[];
  log?: (line: string) => void;
  /** Simulated member chat messages and replies (see chatSimulator.ts); 0 turns them off. Default ~20 s. */
  chatEveryMs?: number;
}

export async function startSimulator(handle: HqHandle, options: SimulatorOptions = {}): Promise<{ stop(): void }> {
  const everyMs = options.everyMs ?? 4000;
  const { storeIds, members } = await handle.store.read(async (r) => {
    const storeIds = options.storeIds ?? (await r.listStores()).map((s) => s.id);
    const members = new Map<string, string[]>();
    for (const id of storeIds) members.set(id, (await r.listHomeMembers(id)).map((m) => m.code));
    return { storeIds, members };
  });
  const recent: { storeId: string; code: string; at: number }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

  const tick = async () => {
    const fresh = recent.filter((r) => Date.now() - r.at < 25 * 60 * 1000);
    let target = Math.random() < 0.15 ? pick(fresh) : undefined;
    if (!target) {
      const storeId = pick(storeIds);
      const code = storeId ? pick(members.get(storeId) ?? []) : undefined;
      if (storeId && code) target = { storeId, code, at: Date.now() };
    }
    if (!target) return;
    const source: ArrivalSource = Math.random() < 0.6 ? 'door' : Math.random() < 0.7 ? 'miniprogram' : 'pos';
    try {
      await fetch(`${handle.url}/v1/ingest/arrivals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-integration-key': handle.integrationKey, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ storeId: target.storeId, memberCode: target.code, source }),
      });
      recent.push({ ...target, at: Date.now() });
      if (recent.length > 50) recent.shift();
    } catch (err) {
      if (!stopped) options.log?.(`simulator: ${(err as Error).message}`);
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), everyMs * (0.5 + Math.random()));
    timer.unref();
  };
  const chat = options.chatEveryMs === 0 ? null : await startChatSimulator(handle, { everyMs: options.chatEveryMs, storeIds, log: options.log });
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      chat?.stop();
    },
  };
}
