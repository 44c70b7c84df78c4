// Chat between a member and a store (issue 3). One conversation per (member, store); any desk of
// the store answers, and each clerk message names its desk (Actor). Every change — a message, a
// receipt, a recall — is a state change plus an event in the store's log, in one transaction, so
// desks get chat with the same resume/replay/reset guarantees as visits. Members are told through
// the member hub, which listens to the same published events.
//
// Idempotency: a message's (sender side, clientId) is unique in its conversation, so a resend —
// from a member after a lost HTTP answer, or from a desk under a new opId — returns the original.
import { type Actor, type ImageRef, type Message, type ProductCard, type Receipts } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type ChatCmdFrame, type CmdAckFrame, RECALL_WINDOW_MS, type Rejection } from '../../../shared/protocol.ts';
import { commandActor, isRejection } from '../clerks/service.ts';
import { type EventLog } from '../eventLog.ts';
import { type DeviceRecord, type HqStorage, type OpRecord } from '../../ports/store.ts';
import { type ConversationRecord } from '../../ports/chatStore.ts';

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

export class ChatService {
  /** Per store: the highest desk-acked seq already scanned for "delivered to the store". */
  private readonly deliveredScan = new Map<string, number>();

  constructor(
    readonly storage: HqStorage,
    private readonly log: EventLog,
    readonly now: () => number = Date.now,
  ) {}

  // --- reads ----------------------------------------------------------------------------------

  receipts(storeId: string, memberId: string): Receipts {
    return this.storage.chat.getConversation(storeId, memberId)?.receipts ?? { ...ZERO_RECEIPTS };
  }

  history(storeId: string, memberId: string, before: number | null, limit: number): { messages: Message[]; receipts: Receipts; hasMore: boolean } {
    return this.storage.read(() => {
      const n = Math.min(Math.max(1, limit), HISTORY_PAGE_MAX);
      const messages = this.storage.chat.messages(storeId, memberId, before, n);
      return { messages, receipts: this.receipts(storeId, memberId), hasMore: (messages[0]?.n ?? 1) > 1 };
    });
  }

  /** Whether a desk of `storeId` may chat with this member: a home member or one who visited. */
  memberReachable(storeId: string, memberId: string): boolean {
    const member = this.storage.getMember(memberId);
    if (!member) return false;
    return member.homeStoreId === storeId || this.storage.chat.memberVisited(storeId, memberId) || this.storage.chat.getConversation(storeId, memberId) !== null;
  }

  // --- member side ----------------------------------------------------------------------------

  sendFromMember(storeId: string, memberId: string, input: MessageInput): SendResult {
    if (input.kind === 'product') throw new ChatError('invalid', 'members send text and images');
    return this.log.write((append) => {
      const seen = this.storage.chat.findByClientId(storeId, memberId, 'member', input.clientId);
      if (seen) return { message: seen, duplicate: true };
      const message = this.compose(storeId, memberId, 'member', null, input);
      return { message: this.commit(append, message, null, null), duplicate: false };
    });
  }

  /** The member's client has received / read the store's messages up to these positions. */
  memberReceipt(storeId: string, memberId: string, r: { delivered?: number; read?: number }): Receipts {
    return this.log.write((append) => {
      const conv = this.storage.chat.getConversation(storeId, memberId);
      if (!conv) return { ...ZERO_RECEIPTS };
      const read = Math.min(conv.lastN, Math.max(conv.receipts.memberRead, r.read ?? 0));
      const delivered = Math.min(conv.lastN, Math.max(conv.receipts.memberDelivered, r.delivered ?? 0, read));
      if (read === conv.receipts.memberRead && delivered === conv.receipts.memberDelivered) return conv.receipts;
      const next = { ...conv, receipts: { ...conv.receipts, memberRead: read, memberDelivered: delivered } };
      this.storage.chat.putConversation(next);
      append(storeId, 'chat.receipt', { memberId, receipts: next.receipts, by: null, opId: null }, this.now());
      return next.receipts;
    });
  }

  recallByMember(storeId: string, memberId: string, messageId: string): Message {
    return this.log.write((append) => {
      const m = this.storage.chat.getMessage(messageId);
      if (!m || m.storeId !== storeId || m.memberId !== memberId) throw new ChatError('not_found', 'no such message');
      if (m.from !== 'member') throw new ChatError('not_sender', 'only the sender can recall a message');
      return this.recall(append, m, null, null);
    });
  }

  // --- desk side (commands) -------------------------------------------------------------------

  /** A desk's chat command, exactly once per (device, opId) like every other command. */
  applyDeskCommand(device: DeviceRecord, cmd: ChatCmdFrame): CmdAckFrame {
    // The signed-in clerk the desk names (issue 5), checked against the device's store.
    const actor = commandActor(this.storage, device, cmd.clerkId);
    return this.log.write((append) => {
      const seen = this.storage.getOp(device.id, cmd.opId);
      if (seen) return ackFrame(cmd.opId, seen.status === 'rejected' ? 'rejected' : 'duplicate', seen);
      let op: OpRecord;
      try {
        op = isRejection(actor) ? { status: 'rejected', seq: null, rejection: actor } : { status: 'ok', seq: this.executeDesk(append, device.storeId, actor, cmd), rejection: null };
      } catch (err) {
        if (!(err instanceof ChatError)) throw err;
        op = { status: 'rejected', seq: null, rejection: { code: err.code, message: err.message } };
      }
      this.storage.putOp(device.id, cmd.opId, op, this.now());
      return ackFrame(cmd.opId, op.status, op);
    });
  }

  private executeDesk(append: Parameters<Parameters<EventLog['write']>[0]>[0], storeId: string, actor: Actor, cmd: ChatCmdFrame): number | null {
    const memberId = cmd.data.memberId;
    if (!this.memberReachable(storeId, memberId)) throw new ChatError('not_found', 'no such member for this store');
    const cause = { by: actor, opId: cmd.opId };
    switch (cmd.type) {
      case 'chat.send': {
        // The same clientId under another opId (a retry after a rejection was fixed, say) is one message.
        if (this.storage.chat.findByClientId(storeId, memberId, 'clerk', cmd.data.clientId)) return null;
        const message = this.compose(storeId, memberId, 'clerk', actor, cmd.data);
        this.commit(append, message, actor, cmd.opId);
        return this.storage.getStore(storeId)!.head;
      }
      case 'chat.read': {
        const conv = this.storage.chat.getConversation(storeId, memberId);
        if (!conv) throw new ChatError('not_found', 'no conversation with this member');
        const read = Math.min(conv.lastN, Math.max(conv.receipts.storeRead, cmd.data.upTo));
        if (read === conv.receipts.storeRead) return null;
        const receipts = { ...conv.receipts, storeRead: read, storeDelivered: Math.max(conv.receipts.storeDelivered, read) };
        this.storage.chat.putConversation({ ...conv, receipts });
        return append(storeId, 'chat.receipt', { memberId, receipts, ...cause }, this.now()).seq;
      }
      case 'chat.recall': {
        const m = this.storage.chat.getMessage(cmd.data.messageId);
        if (!m || m.storeId !== storeId || m.memberId !== memberId) throw new ChatError('not_found', 'no such message');
        if (m.from !== 'clerk' || m.by?.deviceId !== actor.deviceId) throw new ChatError('not_sender', 'only the counter that sent a message can recall it');
        const before = this.storage.getStore(storeId)!.head;
        this.recall(append, m, actor, cmd.opId);
        const after = this.storage.getStore(storeId)!.head;
        return after > before ? after : null;
      }
    }
  }

  /** A desk acked the store's log up to `seq`: member messages announced up to there are delivered. */
  onDeskAck(storeId: string, seq: number): void {
    const from = this.deliveredScan.get(storeId) ?? 0;
    if (seq <= from) return;
    this.deliveredScan.set(storeId, seq);
    const hits = this.storage.chat.memberMessagesAnnounced(storeId, from, seq);
    if (hits.length === 0) return;
    this.log.write((append) => {
      for (const { memberId, n } of hits) {
        const conv = this.storage.chat.getConversation(storeId, memberId);
        if (!conv || conv.receipts.storeDelivered >= n) continue;
        const receipts = { ...conv.receipts, storeDelivered: n };
        this.storage.chat.putConversation({ ...conv, receipts });
        append(storeId, 'chat.receipt', { memberId, receipts, by: null, opId: null }, this.now());
      }
    });
  }

  // --- shared ---------------------------------------------------------------------------------

  private compose(storeId: string, memberId: string, from: Message['from'], by: Actor | null, input: MessageInput): Omit<Message, 'n'> {
    let body = '';
    let product: ProductCard | null = null;
    let image: ImageRef | null = null;
    if (input.kind === 'text') body = input.text;
    else if (input.kind === 'product') product = this.productCard(storeId, input.styleId);
    else {
      const img = this.storage.chat.getImage(input.imageId);
      // An image is usable by whoever uploaded it: a desk of the store, or this member.
      const mine = img && img.storeId === storeId && (from === 'clerk' ? img.memberId === null : img.memberId === memberId);
      if (!img || !mine) throw new ChatError('not_found', 'no such image (upload it first)');
      image = { id: img.id, mime: img.mime, bytes: img.bytes.length };
    }
    const at = this.now();
    return { id: uuidv7(at), clientId: input.clientId, storeId, memberId, from, by, kind: input.kind, body, product, image, at, recalledAt: null };
  }

  /** Catalog entry + this store's stock, sizes with stock only. */
  productCard(storeId: string, styleId: string): ProductCard {
    const style = this.storage.listStyles().find((s) => s.id === styleId);
    if (!style) throw new ChatError('not_found', 'no such style in the catalog');
    const lines = this.storage.stockForStore(storeId).filter((l) => l.styleId === styleId && l.qty > 0);
    if (lines.length === 0) throw new ChatError('out_of_stock', 'this style is not in stock at this store');
    const bySize = new Map<number, number>();
    for (const l of lines) bySize.set(l.size, (bySize.get(l.size) ?? 0) + l.qty);
    const colorCodes = new Set(lines.map((l) => l.color));
    return {
      styleId,
      name: style.name,
      category: style.category,
      price: style.price,
      colors: style.colors.filter((c) => colorCodes.has(c.code)),
      sizes: [...bySize].sort((a, b) => a[0] - b[0]).map(([size, qty]) => ({ size, qty })),
    };
  }

  private commit(append: Parameters<Parameters<EventLog['write']>[0]>[0], draft: Omit<Message, 'n'>, by: Actor | null, opId: string | null): Message {
    const conv: ConversationRecord = this.storage.chat.getConversation(draft.storeId, draft.memberId) ?? {
      storeId: draft.storeId,
      memberId: draft.memberId,
      lastN: 0,
      lastAt: draft.at,
      receipts: { ...ZERO_RECEIPTS },
    };
    const message: Message = { ...draft, n: conv.lastN + 1 };
    // The sender has, of course, received and read everything up to its own message.
    const receipts =
      message.from === 'member'
        ? { ...conv.receipts, memberDelivered: message.n, memberRead: message.n }
        : { ...conv.receipts, storeDelivered: message.n, storeRead: message.n };
    this.storage.chat.putConversation({ ...conv, lastN: message.n, lastAt: message.at, receipts });
    const ev = append(draft.storeId, 'chat.message', { message, receipts, by, opId }, message.at);
    this.storage.chat.insertMessage(message, ev.seq);
    return message;
  }

  private recall(append: Parameters<Parameters<EventLog['write']>[0]>[0], m: Message, by: Actor | null, opId: string | null): Message {
    if (m.recalledAt !== null) return m; // already recalled: nothing changes
    const now = this.now();
    if (now - m.at > RECALL_WINDOW_MS) throw new ChatError('recall_expired', 'messages can be recalled within 2 minutes');
    this.storage.chat.recall(m.id, now);
    const message = this.storage.chat.getMessage(m.id)!;
    append(m.storeId, 'chat.recalled', { message, by, opId }, now);
    return message;
  }
}

function ackFrame(opId: string, status: CmdAckFrame['status'], op: OpRecord): CmdAckFrame {
  const frame: CmdAckFrame = { t: 'cmdAck', opId, status, seq: op.seq };
  if (op.rejection) frame.rejection = op.rejection;
  return frame;
}
