// Simulated members for the demo chat: now and then a member of a store writes to it, and a member
// a clerk has written to reads the message and answers. Goes through the same ChatService calls
// as the member API (HTTP and WebSocket), so desks see ordinary chat events.
//
// A member someone is playing on the member page (a live member socket, on any HQ node: presence)
// is off-limits: the simulator never reads their messages nor writes as them, so what the person
// on the page sees is only what they and the clerk did.
import { randomUUID } from 'node:crypto';
import { type HqHandle } from '../server.ts';

const OPENERS = ['你好，请问这周有新款跑鞋吗？', '我上次买的鞋子有点挤脚，可以换大半码吗？', '周末店里有活动吗？', '请问42码的白色板鞋还有货吗？', '想给孩子买双运动鞋，有推荐吗？'];
const REPLIES = ['好的，谢谢！', '那我周六下午过去看看。', '可以帮我留一双吗？', '明白了，谢谢店员～', '价格还能优惠吗？'];

export async function startChatSimulator(
  handle: HqHandle,
  options: { everyMs?: number; storeIds?: string[]; log?: (line: string) => void } = {},
): Promise<{ stop(): void }> {
  const everyMs = options.everyMs ?? 20_000;
  const storeIds = options.storeIds ?? (await handle.store.read((r) => r.listStores())).map((s) => s.id);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const tick = async () => {
    try {
      for (const storeId of storeIds) {
        const played = new Set(await handle.onlineMembers(storeId));
        // Members answer clerks: a conversation whose newest message is the clerk's gets read, then a reply.
        const unread = await handle.store.read(async (r) => {
          const out: { memberId: string; n: number }[] = [];
          for (const c of await r.chat.listConversations(storeId, Date.now() - 60 * 60 * 1000, 20)) {
            if (played.has(c.memberId)) continue;
            const [last] = await r.chat.messages(storeId, c.memberId, null, 1);
            if (last && last.from === 'clerk' && c.receipts.memberRead < last.n) out.push({ memberId: c.memberId, n: last.n });
          }
          return out;
        });
        for (const { memberId, n } of unread) {
          if ((await handle.onlineMembers(storeId)).includes(memberId)) continue; // opened the page meanwhile
          await handle.chat.memberReceipt(storeId, memberId, { delivered: n, read: n });
          if (Math.random() < 0.7) await handle.chat.sendFromMember(storeId, memberId, { clientId: randomUUID(), kind: 'text', text: pick(REPLIES)! });
        }
      }
      if (Math.random() < 0.5) {
        const storeId = pick(storeIds);
        const played = new Set(storeId ? await handle.onlineMembers(storeId) : []);
        const member = storeId ? pick((await handle.store.read((r) => r.listHomeMembers(storeId))).filter((m) => !played.has(m.id))) : undefined;
        if (storeId && member) await handle.chat.sendFromMember(storeId, member.id, { clientId: randomUUID(), kind: 'text', text: pick(OPENERS)! });
      }
    } catch (err) {
      if (!stopped) options.log?.(`chat simulator: ${(err as Error).message}`);
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), everyMs * (0.5 + Math.random()));
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** A sign-in the demo prints for the member page: a home member's card code and phone last 4. */
export async function demoMemberLogin(handle: HqHandle, storeId: string): Promise<{ url: string; code: string; phoneLast4: string } | null> {
  const [m] = await handle.store.read((r) => r.listHomeMembers(storeId));
  if (!m) return null;
  return { url: `${handle.url}/m/?store=${encodeURIComponent(storeId)}`, code: m.code, phoneLast4: m.phone.slice(-4) };
}
