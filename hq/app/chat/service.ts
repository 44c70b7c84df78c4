// Chat between a member and a store. One conversation per (member, store); any desk of
// the store answers, and each clerk message names its desk (Actor). Every change — a message, a
// receipt, a recall — is a state change plus an event in the store's log, in one transaction, so
// desks get chat with the same resume/replay/reset guarantees as visits. Members are told through
// the member hub, which listens to the same published events.
//
// Idempotency: a message's (sender side, clientId) is unique in its conversation, so a resend —
// from a member after a lost HTTP answer, or from a desk under a new opId — returns the original.
import { type Actor, type ImageRef, type Message, type ProductCard, type Receipts, type StyleImageRef } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type ChatCmdFrame, type CmdAckFrame, type Rejection } from '../../../shared/protocol.ts';
import { RECALL_WINDOW_MS } from '../../../shared/limits.ts';
import { okOp, rejectOp, runDeskCommand } from '../deskCommand.ts';
import { type Append, type EventLog } from '../eventLog.ts';
import { type DeviceRecord, type HqStore, type HqTx, type StoredEvent } from '../../ports/store.ts';
import { type ConversationRecord } from '../../ports/chatStore.ts';
import { answerMember, settleHandover } from '../assist/assistant.ts'; // 7/8 assistant
import { isAssistantActor } from '../../../shared/actors.ts'; // 7/8 assistant

export const ZERO_RECEIPTS: Receipts = { memberDelivered: 0, memberRead: 0, storeDelivered: 0, storeRead: 0 };
export const HISTORY_PAGE_MAX = 100;

export class ChatError extends Error {
  constructor(
    readonly code: Rejection['code'],
    message: string,
  ) {
    super(message);
  }
}

export type MessageInput =
  | { clientId: string; kind: 'text'; text: string }
  | { clientId: string; kind: 'product'; styleId: string }
  | { clientId: string; kind: 'image'; imageId: string };

export interface SendResult {
  message: Message;
  duplicate: boolean;
}

/**
 * What this node knows of a store's log for delivered receipts: events `(from, upTo]` were all
 * seen here, `pending` holds the seqs of member messages among them not yet scanned, and acks up
 * to `scanned` need nothing (their member messages were receipted, here or by another node, or
 * there were none).
 */
interface AckWatch {
  from: number;
  upTo: number;
  pending: number[];
  scanned: number;
  /** The highest ack asked for; a running scan goes on until it reaches it. */
  target: number;
  scanning: Promise<void> | null;
}

export class ChatService {
  readonly store: HqStore;
  /** Per store: what this node's feed delivered and how far the desks' acks were scanned. */
  private readonly acks = new Map<string, AckWatch>();

  constructor(
    private readonly log: EventLog,
    readonly now: () => number = Date.now,
    /** 7/8 assistant: whether the member-side assistant may answer at all (each store then has its own switch). */
    private readonly options: { assistant?: boolean } = {},
  ) {
    this.store = log.store;
  }

  // --- reads ----------------------------------------------------------------------------------

  receipts(storeId: string, memberId: string): Promise<Receipts> {
    return this.store.read((r) => receiptsIn(r, storeId, memberId));
  }

  /** Receipts and newest position of a conversation, from one read (a member's welcome). */
  conversationState(storeId: string, memberId: string): Promise<{ receipts: Receipts; lastN: number }> {
    return this.store.read(async (r) => {
      const conv = await r.chat.getConversation(storeId, memberId);
      return { receipts: conv?.receipts ?? { ...ZERO_RECEIPTS }, lastN: conv?.lastN ?? 0 };
    });
  }

  history(storeId: string, memberId: string, before: number | null, limit: number): Promise<{ messages: Message[]; receipts: Receipts; hasMore: boolean }> {
    return this.store.read(async (r) => {
      const n = Math.min(Math.max(1, limit), HISTORY_PAGE_MAX);
      const messages = await r.chat.messages(storeId, memberId, before, n);
      return { messages, receipts: await receiptsIn(r, storeId, memberId), hasMore: (messages[0]?.n ?? 1) > 1 };
    });
  }

  /** Whether a desk of `storeId` may chat with this member: a home member or one who visited. */
  memberReachable(storeId: string, memberId: string): Promise<boolean> {
    return this.store.read((r) => memberReachableIn(r, storeId, memberId));
  }

  // --- member side ----------------------------------------------------------------------------

  async sendFromMember(storeId: string, memberId: string, input: MessageInput): Promise<SendResult> {
    if (input.kind === 'product') throw new ChatError('invalid', 'members send text and images');
    return this.log.write(async (tx, append): Promise<SendResult> => {
      await tx.lockStore(storeId); // the next message number is read, then taken
      const seen = await tx.chat.findByClientId(storeId, memberId, 'member', input.clientId);
      if (seen) return { message: seen, duplicate: true };
      const message = await this.compose(tx, storeId, memberId, 'member', null, input);
      const sent = (await this.commit(tx, append, message, null, null)).message;
      // 7/8 assistant: answered in this transaction, so exactly once (a resend returned above).
      const store = this.options.assistant !== false ? await tx.getStore(storeId) : null;
      if (store) await answerMember(tx, append, store, sent, this.now());
      return { message: sent, duplicate: false };
    });
  }

  /** The member's client has received / read the store's messages up to these positions. */
  memberReceipt(storeId: string, memberId: string, r: { delivered?: number; read?: number }): Promise<Receipts> {
    return this.log.write(async (tx, append) => {
      await tx.lockStore(storeId);
      const conv = await tx.chat.getConversation(storeId, memberId);
      if (!conv) return { ...ZERO_RECEIPTS };
      const read = Math.min(conv.lastN, Math.max(conv.receipts.memberRead, r.read ?? 0));
      const delivered = Math.min(conv.lastN, Math.max(conv.receipts.memberDelivered, r.delivered ?? 0, read));
      if (read === conv.receipts.memberRead && delivered === conv.receipts.memberDelivered) return conv.receipts;
      const next = { ...conv, receipts: { ...conv.receipts, memberRead: read, memberDelivered: delivered } };
      await tx.chat.putConversation(next);
      await append(storeId, 'chat.receipt', { memberId, receipts: next.receipts, by: null, opId: null }, this.now());
      return next.receipts;
    });
  }

  recallByMember(storeId: string, memberId: string, messageId: string): Promise<Message> {
    return this.log.write(async (tx, append) => {
      await tx.lockStore(storeId);
      const m = await tx.chat.getMessage(messageId);
      if (!m || m.storeId !== storeId || m.memberId !== memberId) throw new ChatError('not_found', 'no such message');
      if (m.from !== 'member') throw new ChatError('not_sender', 'only the sender can recall a message');
      return (await this.recall(tx, append, m, null, null)).message;
    });
  }

  // --- desk side (commands) -------------------------------------------------------------------

  /** A desk's chat command, exactly once per (device, opId) like every other command. */
  applyDeskCommand(device: DeviceRecord, cmd: ChatCmdFrame): Promise<CmdAckFrame> {
    // Read-then-write (the op, the conversation, the message number) under the store's lock (deskCommand.ts).
    return runDeskCommand(this.log, device, cmd, this.now(), async (tx, append, actor) => {
      try {
        return okOp(await this.executeDesk(tx, append, device.storeId, actor, cmd));
      } catch (err) {
        // Every ChatError is thrown before the command writes anything, so only the op row remains.
        if (!(err instanceof ChatError)) throw err;
        return rejectOp(err.code, err.message);
      }
    });
  }

  private async executeDesk(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: ChatCmdFrame): Promise<number | null> {
    const memberId = cmd.data.memberId;
    if (!(await memberReachableIn(tx, storeId, memberId))) throw new ChatError('not_found', 'no such member for this store');
    const cause = { by: actor, opId: cmd.opId };
    switch (cmd.type) {
      case 'chat.send': {
        // The same clientId under another opId (a retry after a rejection was fixed, say) is one message.
        if (await tx.chat.findByClientId(storeId, memberId, 'clerk', cmd.data.clientId)) return null;
        const message = await this.compose(tx, storeId, memberId, 'clerk', actor, cmd.data);
        const { seq } = await this.commit(tx, append, message, actor, cmd.opId);
        // 7/8 assistant: a clerk answering the member settles the conversation's waiting hand-over.
        await settleHandover(tx, append, storeId, memberId, actor, message.at);
        return seq;
      }
      case 'chat.read': {
        const conv = await tx.chat.getConversation(storeId, memberId);
        if (!conv) throw new ChatError('not_found', 'no conversation with this member');
        const read = Math.min(conv.lastN, Math.max(conv.receipts.storeRead, cmd.data.upTo));
        if (read === conv.receipts.storeRead) return null;
        const receipts = { ...conv.receipts, storeRead: read, storeDelivered: Math.max(conv.receipts.storeDelivered, read) };
        await tx.chat.putConversation({ ...conv, receipts });
        return (await append(storeId, 'chat.receipt', { memberId, receipts, ...cause }, this.now())).seq;
      }
      case 'chat.recall': {
        const m = await tx.chat.getMessage(cmd.data.messageId);
        if (!m || m.storeId !== storeId || m.memberId !== memberId) throw new ChatError('not_found', 'no such message');
        if (m.from !== 'clerk' || m.by?.deviceId !== actor.deviceId) throw new ChatError('not_sender', 'only the counter that sent a message can recall it');
        return (await this.recall(tx, append, m, actor, cmd.opId)).seq;
      }
    }
  }

  /**
   * The store's committed events as this node's feed handed them to its desks (consecutive, in
   * seq order). Remembering which of them were member messages lets most acks skip the database:
   * an ack whose range holds no member message has nothing to mark delivered.
   */
  noteEvents(storeId: string, events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const w = this.watch(storeId);
    if (events[0]!.seq !== w.upTo + 1) {
      // First events seen, or a gap (the feed was closed and reopened): what came before is unknown.
      w.from = w.upTo = events[0]!.seq - 1;
      w.pending = [];
    }
    for (const ev of events) {
      if (ev.type === 'chat.message' && (JSON.parse(ev.data) as { message?: { from?: string } }).message?.from === 'member') w.pending.push(ev.seq);
      w.upTo = ev.seq;
    }
  }

  /**
   * A desk acked the store's log up to `seq` (never beyond what it was sent): member messages
   * announced up to there are delivered to the store.
   *
   * The shared scan position lives in the database (`tx.chat.deliveredScan`), read and advanced in
   * the transaction that appends the receipts, so the nodes share one position and each message's
   * receipt is appended once. That transaction runs only when a member message may be in the
   * acked range: not when this node saw every event of the range and none was one. One scan per
   * store at a time; acks that come meanwhile only raise its target.
   */
  async onDeskAck(storeId: string, seq: number): Promise<void> {
    const w = this.watch(storeId);
    if (seq <= w.target) return void (await w.scanning);
    w.target = seq;
    const known = w.from <= w.scanned && seq <= w.upTo;
    if (known && !(w.pending.length > 0 && w.pending[0]! <= seq)) {
      w.scanned = Math.max(w.scanned, seq);
      return;
    }
    w.scanning ??= this.scanTo(storeId, w).finally(() => (w.scanning = null));
    await w.scanning;
  }

  private watch(storeId: string): AckWatch {
    let w = this.acks.get(storeId);
    if (!w) this.acks.set(storeId, (w = { from: 0, upTo: 0, pending: [], scanned: 0, target: 0, scanning: null }));
    return w;
  }

  /** Marks member messages delivered up to the watch's target, until no ack raised it further. */
  private async scanTo(storeId: string, w: AckWatch): Promise<void> {
    while (w.target > w.scanned) {
      const want = w.target;
      // First in a read-only snapshot: a busy store's acks were mostly scanned by another node.
      const shared = await this.store.read((r) => r.chat.deliveredScan(storeId));
      const upTo =
        shared >= want
          ? shared
          : await this.log.write(async (tx, append) => {
              await tx.lockStore(storeId);
              const from = await tx.chat.deliveredScan(storeId);
              if (want <= from) return from;
              // Never past the store's head: a position beyond it would hide every later message.
              const head = (await tx.getStore(storeId))?.head ?? 0;
              const to = Math.min(want, head);
              if (to <= from) return from;
              await tx.chat.setDeliveredScan(storeId, to);
              for (const { memberId, n } of await tx.chat.memberMessagesAnnounced(storeId, from, to)) {
                const conv = await tx.chat.getConversation(storeId, memberId);
                if (!conv || conv.receipts.storeDelivered >= n) continue;
                const receipts = { ...conv.receipts, storeDelivered: n };
                await tx.chat.putConversation({ ...conv, receipts });
                await append(storeId, 'chat.receipt', { memberId, receipts, by: null, opId: null }, this.now());
              }
              return to;
            });
      w.scanned = Math.max(w.scanned, upTo);
      while (w.pending.length > 0 && w.pending[0]! <= upTo) w.pending.shift();
      if (upTo < want) {
        // The head was below the ack (a desk cannot have more than the store): lower the target.
        w.target = Math.max(upTo, w.scanned);
        return;
      }
    }
  }

  // --- shared ---------------------------------------------------------------------------------

  private async compose(tx: HqTx, storeId: string, memberId: string, from: Message['from'], by: Actor | null, input: MessageInput): Promise<Omit<Message, 'n'>> {
    let body = '';
    let product: ProductCard | null = null;
    let image: ImageRef | null = null;
    if (input.kind === 'text') body = input.text;
    else if (input.kind === 'product') product = await productCardIn(tx, storeId, input.styleId);
    else {
      const img = await tx.chat.getImage(input.imageId);
      // An image is usable by whoever uploaded it: a desk of the store, or this member.
      const mine = img && img.storeId === storeId && (from === 'clerk' ? img.memberId === null : img.memberId === memberId);
      if (!img || !mine) throw new ChatError('not_found', 'no such image (upload it first)');
      image = { id: img.id, mime: img.mime, bytes: img.bytes.length };
    }
    const at = this.now();
    return { id: uuidv7(at), clientId: input.clientId, storeId, memberId, from, by, kind: input.kind, body, product, image, at, recalledAt: null };
  }

  /** Catalog entry + this store's stock, sizes with stock only. */
  productCard(storeId: string, styleId: string): Promise<ProductCard> {
    return this.store.read((r) => productCardIn(r, storeId, styleId));
  }

  /** Stores the message and announces it; returns it with the seq of its event. */
  private commit(tx: HqTx, append: Append, draft: Omit<Message, 'n'>, by: Actor | null, opId: string | null): Promise<{ message: Message; seq: number }> {
    return commitMessage(tx, append, draft, by, opId);
  }

  /** Recalls a message; returns it with the seq of the `chat.recalled` event (null: it was already recalled). */
  private async recall(tx: HqTx, append: Append, m: Message, by: Actor | null, opId: string | null): Promise<{ message: Message; seq: number | null }> {
    if (m.recalledAt !== null) return { message: m, seq: null }; // already recalled: nothing changes
    const now = this.now();
    if (now - m.at > RECALL_WINDOW_MS) throw new ChatError('recall_expired', 'messages can be recalled within 2 minutes');
    await tx.chat.recall(m.id, now);
    const message = (await tx.chat.getMessage(m.id))!;
    const ev = await append(m.storeId, 'chat.recalled', { message, by, opId }, now);
    return { message, seq: ev.seq };
  }
}

/** Stores a message in its conversation (the next `n`) and announces it (`chat.message`) in the caller's transaction. */
async function commitMessage(tx: HqTx, append: Append, draft: Omit<Message, 'n'>, by: Actor | null, opId: string | null): Promise<{ message: Message; seq: number }> {
  const conv: ConversationRecord = (await tx.chat.getConversation(draft.storeId, draft.memberId)) ?? {
    storeId: draft.storeId,
    memberId: draft.memberId,
    lastN: 0,
    lastAt: draft.at,
    receipts: { ...ZERO_RECEIPTS },
  };
  const message: Message = { ...draft, n: conv.lastN + 1 };
  // The sender has, of course, received and read everything up to its own message — except the
  // assistant (7/8): its answer is not a clerk reading the member, whose messages stay unread on the desks.
  const receipts =
    message.from === 'member'
      ? { ...conv.receipts, memberDelivered: message.n, memberRead: message.n }
      : isAssistantActor(message.by)
        ? conv.receipts
        : { ...conv.receipts, storeDelivered: message.n, storeRead: message.n };
  await tx.chat.putConversation({ ...conv, lastN: message.n, lastAt: message.at, receipts });
  const ev = await append(draft.storeId, 'chat.message', { message, receipts, by, opId }, message.at);
  await tx.chat.insertMessage(message, ev.seq);
  return { message, seq: ev.seq };
}

/**
 * A text message from the store to a member, committed in the caller's transaction on behalf of
 * `by` (a desk's clerk drawing a live room's lottery, 6/8): the member's 1:1 chat gets it like any
 * clerk message. A second call with the same clientId is the same message. Callers hold the store's lock.
 */
export async function commitStoreText(tx: HqTx, append: Append, storeId: string, memberId: string, by: Actor, clientId: string, text: string, at: number): Promise<Message> {
  const seen = await tx.chat.findByClientId(storeId, memberId, 'clerk', clientId);
  if (seen) return seen;
  const draft: Omit<Message, 'n'> = { id: uuidv7(at), clientId, storeId, memberId, from: 'clerk', by, kind: 'text', body: text, product: null, image: null, at, recalledAt: null };
  return (await commitMessage(tx, append, draft, by, null)).message;
}

async function receiptsIn(r: HqTx, storeId: string, memberId: string): Promise<Receipts> {
  return (await r.chat.getConversation(storeId, memberId))?.receipts ?? { ...ZERO_RECEIPTS };
}

async function memberReachableIn(r: HqTx, storeId: string, memberId: string): Promise<boolean> {
  const member = await r.getMember(memberId);
  if (!member) return false;
  return member.homeStoreId === storeId || (await r.chat.memberVisited(storeId, memberId)) || (await r.chat.getConversation(storeId, memberId)) !== null;
}

/**
 * A style's card with this store's stock (pairs under an active hold subtracted), sizes in stock
 * only; `sizes` narrows it to the sizes one member wears (a group host answering them, 5/8), and
 * `out_of_stock` then means none of those.
 */
export async function productCardIn(r: HqTx, storeId: string, styleId: string, sizes?: (size: number) => boolean): Promise<ProductCard> {
  const style = (await r.listStyles()).find((s) => s.id === styleId);
  if (!style) throw new ChatError('not_found', 'no such style in the catalog');
  // 4/8 part C: pairs under an active hold are not offered.
  const held = new Map((await r.holds.heldOfStyle(styleId)).filter((h) => h.storeId === storeId).map((h) => [`${h.color}|${h.size}`, h.held]));
  const lines = (await r.stockForStore(storeId))
    .filter((l) => l.styleId === styleId && (!sizes || sizes(l.size)))
    .map((l) => ({ ...l, qty: l.qty - (held.get(`${l.color}|${l.size}`) ?? 0) }))
    .filter((l) => l.qty > 0);
  if (lines.length === 0) throw new ChatError('out_of_stock', sizes ? "this style is not in stock at this store in the member's size" : 'this style is not in stock at this store');
  const bySize = new Map<number, number>();
  for (const l of lines) bySize.set(l.size, (bySize.get(l.size) ?? 0) + l.qty);
  const colorCodes = new Set(lines.map((l) => l.color));
  const colors = style.colors.filter((c) => colorCodes.has(c.code));
  return {
    styleId,
    name: style.name,
    category: style.category,
    price: style.price,
    colors,
    sizes: [...bySize].sort((a, b) => a[0] - b[0]).map(([size, qty]) => ({ size, qty })),
    image: await stylePictureRef(r, styleId, colors[0]?.code),
  };
}

/** The card's picture (part E): its first listed colour's, else the style's default; without bytes. */
async function stylePictureRef(r: HqTx, styleId: string, color: string | undefined): Promise<StyleImageRef | null> {
  return r.styleImages.ref(styleId, color);
}
