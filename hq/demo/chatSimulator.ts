// Simulated members for the demo chat: now and then a member of a store writes to it, and a member
// a clerk has written to reads the message and answers. Goes through the same ChatService calls
// as the member API (HTTP and WebSocket), so desks see ordinary chat events.
import { randomUUID } from 'node:crypto';
import { type HqHandle } from '../server.ts';

const OPENERS = ['你好，请问这周有新款跑鞋吗？', '我上次买的鞋子有点挤脚，可以换大半码吗？', '周末店里有活动吗？', '请问42码的白色板鞋还有货吗？', '想给孩子买双运动鞋，有推荐吗？'];
const REPLIES = ['好的，谢谢！', '那我周六下午过去看看。', '可以帮我留一双吗？', '明白了，谢谢店员～', '价格还能优惠吗？'];

export function startChatSimulator(handle: HqHandle, options: { everyMs?: number; storeIds?: string[]; log?: (line: string) => void } = {}): { stop(): void } {
  const everyMs = options.everyMs ?? 20_000;
  const storeIds = options.storeIds ?? handle.storage.listStores().map((s) => s.id);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const tick = () => {
    try {
      for (const storeId of storeIds) {
        // Members answer clerks: a conversation whose newest message is the clerk's gets read, then a reply.
        for (const c of handle.storage.chat.listConversations(storeId, Date.now() - 60 * 60 * 1000, 20)) {
          const [last] = handle.storage.chat.messages(storeId, c.memberId, null, 1);
          if (!last || last.from !== 'clerk' || c.receipts.memberRead >= last.n) continue;
          handle.chat.memberReceipt(storeId, c.memberId, { delivered: last.n, read: last.n });
          if (Math.random() < 0.7) handle.chat.sendFromMember(storeId, c.memberId, { clientId: randomUUID(), kind: 'text', text: pick(REPLIES)! });
        }
      }
      if (Math.random() < 0.5) {
        const storeId = pick(storeIds);
        const member = storeId ? pick(handle.storage.listHomeMembers(storeId)) : undefined;
        if (storeId && member) handle.chat.sendFromMember(storeId, member.id, { clientId: randomUUID(), kind: 'text', text: pick(OPENERS)! });
      }
    } catch (err) {
      if (!stopped) options.log?.(`chat simulator: ${(err as Error).message}`);
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick();
      schedule();
    }, everyMs * (0.5 + Math.random()));
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
export function demoMemberLogin(handle: HqHandle, storeId: string): { url: string; code: string; phoneLast4: string } | null {
  const m = handle.storage.listHomeMembers(storeId)[0];
  if (!m) return null;
  return { url: `${handle.url}/m/?store=${encodeURIComponent(storeId)}`, code: m.code, phoneLast4: m.phone.slice(-4) };
}
