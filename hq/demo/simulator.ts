// Simulated door check-ins for the demo: every few seconds (with jitter) a random member walks
// into one of the stores, posted through the real HTTP ingest endpoint as an integration would.
// Now and then the same member is seen again within 30 minutes, to show `visit.updated`.
//
// 7/8: when the arrival's card offers an add-on, the member takes it or not by their hidden taste
// for accessories (accessories.ts) — HQ never sees the taste — and one who takes it buys it, posted
// as a purchase through the member ingest route as a POS would. The count of add-ons offered and
// taken is kept (`addOns()`); the offline evaluation (scripts/eval-suggestions.ts) uses the same taste.
import { randomUUID } from 'node:crypto';
import { type AddOn, type ArrivalSource, type MemberProfile, type Purchase, type Style } from '../../shared/domain.ts';
import { type MemberRecord } from '../ports/store.ts';
import { type HqHandle } from '../server.ts';
import { startChatSimulator } from './chatSimulator.ts';
import { accessoryTaste, addOnAcceptance, CARE_KIT_SIZE } from './accessories.ts';

export interface SimulatorOptions {
  everyMs?: number;
  storeIds?: string[];
  log?: (line: string) => void;
  /** Simulated member chat messages and replies (see chatSimulator.ts); 0 turns them off. Default ~20 s. */
  chatEveryMs?: number;
  /** The demo seed the chain was made with (the members' hidden taste for accessories comes from it). */
  seed?: number;
  /** The draw that decides whether a member takes an add-on, uniform in [0, 1) (default Math.random; a test pins it). */
  takeDraw?: () => number;
}

export interface AddOnCounts {
  /** Arrivals whose card offered an add-on. */
  offered: number;
  /** Of those, the member bought the add-on. */
  taken: number;
}

export async function startSimulator(handle: HqHandle, options: SimulatorOptions = {}): Promise<{ stop(): void; addOns(): AddOnCounts }> {
  const seed = options.seed ?? 20251124;
  const counts: AddOnCounts = { offered: 0, taken: 0 };
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
      const res = await fetch(`${handle.url}/v1/ingest/arrivals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-integration-key': handle.integrationKey, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ storeId: target.storeId, memberCode: target.code, source }),
      });
      recent.push({ ...target, at: Date.now() });
      if (recent.length > 50) recent.shift();
      const answer = (await res.json()) as { status?: string; seq?: number };
      if (answer.status === 'created' && typeof answer.seq === 'number') await atTheCounter(target.storeId, answer.seq);
    } catch (err) {
      if (!stopped) options.log?.(`simulator: ${(err as Error).message}`);
    }
  };

  /** The card of the arrival at `seq`: when it offers an add-on, the member takes it or not. */
  const atTheCounter = async (storeId: string, seq: number) => {
    const ev = (await handle.store.read((r) => r.readEvents(storeId, seq - 1, 1)))[0];
    if (!ev || ev.type !== 'arrival') return;
    const profile = (JSON.parse(ev.data) as { profile: MemberProfile }).profile;
    const addOn = profile.next?.addOn;
    if (!addOn) return;
    counts.offered++;
    const now = Date.now();
    const { member, purchases, styles } = await handle.store.read(async (r) => ({
      member: await r.getMember(profile.member.id),
      purchases: await r.purchasesOf(profile.member.id, 100),
      styles: await r.listStyles(),
    }));
    const accessory = styles.find((x) => x.id === addOn.styleId);
    if (!member || !accessory) return;
    const kinds = new Map(styles.map((x) => [x.id, x.kind ?? 'shoe']));
    const p = addOnAcceptance(accessoryTaste(seed, member), accessory, purchases, (id) => kinds.get(id) ?? 'shoe', now);
    if ((options.takeDraw ?? Math.random)() >= p) return;
    // Counted once the purchase is in: whoever reads the count finds the purchase at HQ.
    if (await buy(member, storeId, addOn, accessory, now)) counts.taken++;
  };

  /** The member buys the add-on: a purchase posted with the member record, as the chain's POS integration sends it. */
  const buy = async (member: MemberRecord, storeId: string, addOn: AddOn, accessory: Style, at: number): Promise<boolean> => {
    const purchase: Omit<Purchase, 'memberId'> = {
      id: `sim-${randomUUID()}`,
      styleId: addOn.styleId,
      styleName: addOn.name,
      category: accessory.category,
      color: accessory.colors[0]!.code,
      size: addOn.size ?? CARE_KIT_SIZE,
      storeId,
      at,
      price: addOn.price,
    };
    // Every field of the member as HQ has it (an absent one would be reset to its default); birthday and consents absent: kept.
    const { id, code, name, nameEn, tier, phone, homeStoreId, sizes, preferences, points, joinedAt } = member;
    const res = await fetch(`${handle.url}/v1/ingest/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-integration-key': handle.integrationKey },
      body: JSON.stringify([{ id, code, name, nameEn, tier, phone, homeStoreId, sizes, preferences, points, joinedAt, purchases: [purchase] }]),
    });
    await res.arrayBuffer();
    return res.ok;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), everyMs * (0.5 + Math.random()));
    timer.unref();
  };
  const chat = options.chatEveryMs === 0 ? null : await startChatSimulator(handle, { everyMs: options.chatEveryMs, storeIds, log: options.log });
  schedule();
  return {
    addOns: () => ({ ...counts }),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      chat?.stop();
    },
  };
}
