// The member-side assistant: answers a member's chat message from live data read in the
// transaction that stores the message, or hands the conversation to the store's clerks.
//
// Invariants:
// - It never invents: every number it says is read here, in this transaction — pairs per colour
//   from the store's stock less the pairs under an active hold (as product cards count them,
//   chat/service.ts productCardIn), the store's hours from its settings, the member's own active
//   holds, a size from the size chart (shared/sizeChart.ts). What it cannot read it does not say:
//   an unknown intent, a style it cannot find or cannot tell apart, a store it cannot tell, hours
//   not set, a size off the chart → "a clerk will answer" and a hand-over.
// - It answers at most once per member message, in that message's transaction (two HQ nodes cannot
//   both answer), and only when the store has it on (StoreSettings.assistant), no clerk wrote to the
//   member within ASSISTANT_QUIET_AFTER_CLERK_MS, and no hand-over of the conversation is waiting.
// - Its replies are store messages by ASSISTANT_ACTOR, so desks and the member page label them; a
//   hand-over is an `assist.handover` (by null) in the store's log, settled by the next clerk's
//   message to the member (settleHandover, called from the chat service).
//
// An external language model could word the replies or understand the message (docs/assistant.md);
// none is wired in: the rules below are the product.
import { ASSISTANT_QUIET_AFTER_CLERK_MS, type AssistIntent, type Handover } from '../../../shared/assist.ts';
import { ASSISTANT_ACTOR, isAssistantActor } from '../../../shared/actors.ts';
import { type Actor, type Message } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { convertSize, SIZE_SYSTEMS, sizeRow, type SizeSystem } from '../../../shared/sizeChart.ts';
import { type StoreSettings } from '../../../shared/storeSettings.ts';
import { type Append } from '../eventLog.ts';
import { commitStoreText } from '../chat/service.ts';
import { type HqTx, type StoreRecord } from '../../ports/store.ts';
import { type Understanding, understand } from './intent.ts';

/** How many of the conversation's newest messages the assistant reads (the last card, the quiet rule, the exchange). */
const LOOK_BACK = 40;
const MAX_HOLDS_LISTED = 10;
/** Hand-overs the snapshot carries: waiting ones, and those settled this recently. */
export const HANDOVER_SNAPSHOT_MS = 24 * 60 * 60 * 1000;
export const HANDOVER_SNAPSHOT_MAX = 200;

type Lang = 'zh' | 'en';
interface Reply {
  text: string;
  /** Hand the conversation over after this reply. */
  handover: Handover['reason'] | null;
}

/**
 * Called in the transaction of a NEW member text message (the caller holds the store's lock).
 * Returns the assistant's reply, or null when it stays silent.
 */
export async function answerMember(tx: HqTx, append: Append, store: StoreRecord, question: Message, now: number): Promise<Message | null> {
  if (!store.settings.assistant || question.kind !== 'text' || question.from !== 'member') return null;
  const { storeId, memberId } = question;
  if (await tx.handovers.waiting(storeId, memberId)) return null;
  const recent = await tx.chat.messages(storeId, memberId, null, LOOK_BACK);
  if (recent.some((m) => m.from === 'clerk' && !isAssistantActor(m.by) && m.at >= now - ASSISTANT_QUIET_AFTER_CLERK_MS)) return null;

  const lastCard = [...recent].reverse().find((m) => m.kind === 'product' && m.product && m.recalledAt === null)?.product?.styleId ?? null;
  const [styles, stores] = [await tx.listStyles(), await tx.listStores()];
  const u = understand(question.body, { styles, stores, storeId, lastCardStyleId: lastCard });
  const reply = await compose(tx, u, store, stores, memberId);

  const message = await commitStoreText(tx, append, storeId, memberId, ASSISTANT_ACTOR, `assist-${question.id}`, reply.text, now);
  if (reply.handover) {
    const answered = exchange(recent, styles, stores, store, lastCard, message, u.intent);
    const handover: Handover = { id: uuidv7(now), storeId, memberId, reason: reply.handover, question: question.body.slice(0, 2000), answered, at: now, settledAt: null, settledBy: null };
    await tx.handovers.putHandover(handover);
    await append(storeId, 'assist.handover', { handover, by: null, opId: null }, now);
  }
  return message;
}

/** A clerk's chat message to the member settles the conversation's waiting hand-over; returns it settled, or null. */
export async function settleHandover(tx: HqTx, append: Append, storeId: string, memberId: string, by: Actor, now: number): Promise<Handover | null> {
  const waiting = await tx.handovers.waiting(storeId, memberId);
  if (!waiting) return null;
  const handover: Handover = { ...waiting, settledAt: now, settledBy: by };
  await tx.handovers.putHandover(handover);
  // `opId` null: the clerk's command has its own event (the chat.message naming it); one op, one
  // event naming it — the rule the desk settles ops by and the fault harness checks.
  await append(storeId, 'assist.handover', { handover, by, opId: null }, now);
  return handover;
}

/**
 * The assistant's replies of this exchange (since a clerk last wrote), each with the intent of the
 * member message it answered (understood again: `understand` is pure), the new reply last.
 */
function exchange(
  recent: readonly Message[],
  styles: Parameters<typeof understand>[1]['styles'],
  stores: Parameters<typeof understand>[1]['stores'],
  store: StoreRecord,
  lastCard: string | null,
  reply: Message,
  intent: AssistIntent,
): Handover['answered'] {
  const out: Handover['answered'] = [];
  let lastMember: Message | null = null;
  for (const m of recent) {
    if (m.from === 'clerk' && !isAssistantActor(m.by)) {
      out.length = 0; // a clerk spoke: the exchange starts after them
      lastMember = null;
    } else if (m.from === 'member') lastMember = m;
    else if (isAssistantActor(m.by) && lastMember) out.push({ intent: understand(lastMember.body, { styles, stores, storeId: store.id, lastCardStyleId: lastCard }).intent, messageId: m.id });
  }
  out.push({ intent, messageId: reply.id });
  return out.slice(-20);
}

// --- replies ------------------------------------------------------------------------------------------

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);
const sizeText = (n: number) => String(n);
const unsure = (lang: Lang, why: { zh: string; en: string }): Reply => ({
  text: t(lang, `${why.zh}我请店员来回答您，请稍候。`, `${why.en} I'll ask a clerk to answer you — one moment, please.`),
  handover: 'unsure',
});

async function compose(tx: HqTx, u: Understanding, home: StoreRecord, stores: readonly StoreRecord[], memberId: string): Promise<Reply> {
  const { lang } = u;
  const slot = u.store;
  const target = slot.kind === 'ambiguous' ? null : (stores.find((s) => s.id === slot.storeId) ?? null);
  switch (u.intent) {
    case 'handover':
      return { text: t(lang, '好的，已为您转接店员，请稍候。', "Sure — I've asked a clerk to take over. One moment, please."), handover: 'asked' };
    case 'greeting':
      return {
        text: t(
          lang,
          `您好！我是${home.name}的智能助手，可以帮您查库存、营业时间、您的预留和尺码换算。需要店员时请说“转人工”。`,
          `Hello! I'm the assistant of ${home.name}. I can check stock, store hours, your holds and size conversions. Say "clerk" any time to talk to a person.`,
        ),
        handover: null,
      };
    case 'hours': {
      if (!target) return unsure(lang, { zh: '您问的是哪家门店？', en: 'Which store do you mean?' });
      return hoursReply(lang, target);
    }
    case 'hold_status':
      return holdsReply(tx, lang, memberId, stores);
    case 'size_convert':
      return convertReply(u);
    case 'stock':
      return stockReply(tx, u, target);
    case 'unknown':
      return unsure(lang, { zh: '这个问题我还答不了，', en: "I can't answer that one myself." });
  }
}

function hoursReply(lang: Lang, s: StoreRecord): Reply {
  const { opensAt, closesAt } = s.settings as StoreSettings;
  if (opensAt === null && closesAt === null)
    return unsure(lang, { zh: `${s.name}的营业时间还没有在系统里设置，`, en: `${s.name} has not set its opening hours here.` });
  if (opensAt !== null && closesAt !== null)
    return { text: t(lang, `${s.name}的营业时间是 ${opensAt}–${closesAt}（当地时间）。`, `${s.name} is open ${opensAt}–${closesAt} (local time).`), handover: null };
  return opensAt !== null
    ? { text: t(lang, `${s.name}每天 ${opensAt} 开门；关门时间没有设置，需要的话我可以请店员告诉您。`, `${s.name} opens at ${opensAt}; its closing time is not set here — ask for a clerk if you need it.`), handover: null }
    : { text: t(lang, `${s.name}每天 ${closesAt} 关门；开门时间没有设置，需要的话我可以请店员告诉您。`, `${s.name} closes at ${closesAt}; its opening time is not set here — ask for a clerk if you need it.`), handover: null };
}

/** "3月5日 18:00" / "Mar 5, 18:00" in the store's zone (its fixed UTC offset). */
function localDateTime(lang: Lang, at: number, utcOffsetMin: number): string {
  const d = new Date(at + utcOffsetMin * 60_000);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  if (lang === 'zh') return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hm}`;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  return `${month} ${d.getUTCDate()}, ${hm}`;
}

async function holdsReply(tx: HqTx, lang: Lang, memberId: string, stores: readonly StoreRecord[]): Promise<Reply> {
  const holds = (await tx.holds.activeHoldsOfMember(memberId)).sort((a, b) => a.until - b.until);
  if (holds.length === 0) return { text: t(lang, '您目前没有预留的鞋。', "You have no pairs on hold right now."), handover: null };
  const lines = holds.slice(0, MAX_HOLDS_LISTED).map((h) => {
    const s = stores.find((x) => x.id === h.storeId);
    const name = s?.name ?? h.storeId;
    const until = localDateTime(lang, h.until, s?.settings.utcOffsetMin ?? 480);
    return t(lang, `· ${h.styleName}（${h.colorName}）${sizeText(h.size)}码，${name}，保留到 ${until}`, `· ${h.styleName} (${h.colorName}) size ${sizeText(h.size)} at ${name}, held until ${until}`);
  });
  const more = holds.length > MAX_HOLDS_LISTED ? t(lang, `\n另有 ${holds.length - MAX_HOLDS_LISTED} 双未列出。`, `\n…and ${holds.length - MAX_HOLDS_LISTED} more.`) : '';
  return { text: t(lang, `您有 ${holds.length} 双预留：\n`, `You have ${holds.length} pair(s) on hold:\n`) + lines.join('\n') + more, handover: null };
}

const SYSTEM_NAMES: Record<SizeSystem, { zh: string; en: string }> = {
  eu: { zh: '欧码', en: 'EU' },
  mm: { zh: '脚长(毫米)', en: 'foot length (mm)' },
  usMen: { zh: '美码(男)', en: 'US men' },
  usWomen: { zh: '美码(女)', en: 'US women' },
  uk: { zh: '英码', en: 'UK' },
};
const say = (lang: Lang, system: SizeSystem, value: number) => (system === 'mm' ? t(lang, `${value} 毫米`, `${value} mm`) : `${SYSTEM_NAMES[system][lang]} ${value}`);

function convertReply(u: Understanding): Reply {
  const { lang, sizeAsked } = u;
  if (!sizeAsked) return unsure(lang, { zh: '我没看出您要换算哪个尺码，', en: "I couldn't tell which size to convert." });
  const row = sizeRow(sizeAsked.system, sizeAsked.value);
  if (!row) return unsure(lang, { zh: `${say(lang, sizeAsked.system, sizeAsked.value)} 不在我的尺码表里，`, en: `${say(lang, sizeAsked.system, sizeAsked.value)} is off my size chart.` });
  const to = u.convertTo ? [u.convertTo] : SIZE_SYSTEMS.filter((s) => s !== sizeAsked.system);
  const parts = to.map((s) => say(lang, s, convertSize(sizeAsked.system, sizeAsked.value, s)!));
  return {
    text: t(lang, `${say(lang, sizeAsked.system, sizeAsked.value)} ≈ ${parts.join('，')}（常用尺码表，各品牌可能差半码）。`, `${say(lang, sizeAsked.system, sizeAsked.value)} ≈ ${parts.join(', ')} (a common chart; brands differ by up to half a size).`),
    handover: null,
  };
}

async function stockReply(tx: HqTx, u: Understanding, store: StoreRecord | null): Promise<Reply> {
  const { lang } = u;
  if (!store) return unsure(lang, { zh: '您说的门店有好几家，', en: 'Several of our stores match that.' });
  const styleId = u.style.kind === 'named' ? u.style.styleId : u.style.kind === 'this' ? u.style.styleId : null;
  if (u.style.kind === 'ambiguous') return unsure(lang, { zh: '有好几款鞋都叫这个名字，', en: 'Several styles match that name.' });
  if (!styleId) return unsure(lang, { zh: '我没找到您说的是哪一款，', en: "I couldn't find which style you mean." });
  const style = (await tx.listStyles()).find((s) => s.id === styleId);
  if (!style) return unsure(lang, { zh: '我没找到这一款，', en: "I couldn't find that style." });
  if (u.sizeAsked && u.size === null) return unsure(lang, { zh: `${say(lang, u.sizeAsked.system, u.sizeAsked.value)} 不在我的尺码表里，`, en: `${say(lang, u.sizeAsked.system, u.sizeAsked.value)} is off my size chart.` });

  // Pairs per (colour, size) at that store, less the pairs under an active hold there.
  const held = new Map((await tx.holds.heldOfStyle(style.id)).filter((h) => h.storeId === store.id).map((h) => [`${h.color}|${h.size}`, h.held]));
  const lines = (await tx.stockForStore(store.id))
    .filter((l) => l.styleId === style.id)
    .map((l) => ({ color: l.color, size: l.size, qty: Math.max(0, l.qty - (held.get(`${l.color}|${l.size}`) ?? 0)) }))
    .filter((l) => l.qty > 0);
  const colorName = (code: string) => style.colors.find((c) => c.code === code)?.name ?? code;
  const asked = u.sizeAsked && u.sizeAsked.system !== 'eu' ? t(lang, `（${say(lang, u.sizeAsked.system, u.sizeAsked.value)} ≈ ${u.size}码）`, ` (${say(lang, u.sizeAsked.system, u.sizeAsked.value)} ≈ EU ${u.size})`) : '';
  const inStockSizes = [...new Set(lines.map((l) => l.size))].sort((a, b) => a - b);

  if (u.size === null) {
    if (inStockSizes.length === 0) return { text: t(lang, `${store.name}的 ${style.name} 目前没有现货。`, `${style.name} is out of stock at ${store.name} right now.`), handover: null };
    return { text: t(lang, `${store.name}的 ${style.name} 现有这些尺码：${inStockSizes.join('、')}码。您穿多大码？`, `${style.name} at ${store.name} is in stock in EU sizes ${inStockSizes.join(', ')}. Which size do you wear?`), handover: null };
  }
  if (!style.sizes.includes(u.size)) {
    return { text: t(lang, `${style.name} 没有 ${u.size} 码${asked}（这款有 ${style.sizes.join('、')} 码）。`, `${style.name} does not come in EU ${u.size}${asked} (it comes in ${style.sizes.join(', ')}).`), handover: null };
  }
  const inSize = lines.filter((l) => l.size === u.size);
  const total = inSize.reduce((n, l) => n + l.qty, 0);
  if (total === 0) {
    const others = inStockSizes.length ? t(lang, `目前有货的尺码：${inStockSizes.join('、')}码。`, ` In stock there: EU ${inStockSizes.join(', ')}.`) : '';
    return { text: t(lang, `${store.name}的 ${style.name} ${u.size}码${asked}暂时没有现货。${others}`, `${style.name} in EU ${u.size}${asked} is not in stock at ${store.name} right now.${others}`), handover: null };
  }
  const byColor = inSize.map((l) => t(lang, `${colorName(l.color)} ${l.qty} 双`, `${colorName(l.color)}: ${l.qty}`)).join(t(lang, '，', ', '));
  return {
    text: t(lang, `${store.name}的 ${style.name} ${u.size}码${asked}现有 ${total} 双（${byColor}）。`, `${style.name} in EU ${u.size}${asked} at ${store.name}: ${total} pair(s) in stock (${byColor}).`),
    handover: null,
  };
}
