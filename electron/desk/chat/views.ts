// Chat as the clerk sees it: HQ's confirmed messages and receipts plus the outbox replayed on top
// (queued sends as `sending`, refused ones as `failed`, queued recalls and reads) — the same
// "never write optimism into the confirmed tables" rule as visits (see ../overlay.ts).
import type { ChatMessageView, ChatSendState } from '../../../shared/deskApi.ts';
import type { Actor, Message, ProductCard, Receipts, Recommendation } from '../../../shared/domain.ts';
import type { OpOf, OutboxOp } from '../cache/queries.ts';

/** Outbox ops of a conversation are filed under this subject (the outbox's visit_id column). */
export const chatSubject = (memberId: string) => `chat:${memberId}`;
export const memberOfSubject = (subject: string) => (subject.startsWith('chat:') ? subject.slice(5) : null);

export function confirmedView(m: Message, receipts: Receipts, self: Actor): ChatMessageView {
  let state: ChatSendState;
  if (m.from === 'clerk') state = receipts.memberRead >= m.n ? 'read' : receipts.memberDelivered >= m.n ? 'delivered' : 'sent';
  else state = receipts.storeRead >= m.n ? 'read' : 'delivered';
  return { ...m, state, pending: false, mine: m.from === 'clerk' && m.by?.deviceId === self.deviceId, recalling: false, rejection: null };
}

/** Receipts with the clerk's queued reads applied. */
export function localReceipts(receipts: Receipts, ops: readonly OutboxOp[]): Receipts {
  let storeRead = receipts.storeRead;
  for (const op of ops) if (op.type === 'chat.read' && op.state !== 'rejected') storeRead = Math.max(storeRead, Number(op.data.upTo) || 0);
  return { ...receipts, storeRead };
}

export interface OverlayContext {
  storeId: string;
  memberId: string;
  self: Actor;
  /** Cached recommendations of the member, to show a queued product card before HQ builds it. */
  recommendations: readonly Recommendation[];
  /** Whether a confirmed clerk message with this clientId is already cached. */
  hasClientId(clientId: string): boolean;
}

/** Messages still in the outbox (sending or failed), in the order the clerk wrote them. */
export function pendingViews(ops: readonly OutboxOp[], ctx: OverlayContext): ChatMessageView[] {
  const out: ChatMessageView[] = [];
  for (const op of ops) {
    if (op.type !== 'chat.send') continue;
    const d = op.data;
    if (ctx.hasClientId(d.clientId)) continue; // HQ has it; its event is applied
    let product: ProductCard | null = null;
    if (d.kind === 'product') {
      const r = ctx.recommendations.find((x) => x.styleId === d.styleId);
      product = {
        styleId: String(d.styleId),
        name: r?.name ?? String(d.styleId),
        category: r?.category ?? 'casual',
        price: r?.price ?? 0,
        colors: r?.colors ?? [],
        sizes: (r?.stockBySize ?? []).filter((s) => s.qty > 0),
      };
    }
    out.push({
      id: d.clientId,
      clientId: d.clientId,
      storeId: ctx.storeId,
      memberId: ctx.memberId,
      n: 0,
      from: 'clerk',
      by: ctx.self,
      kind: d.kind,
      body: d.kind === 'text' ? String(d.text ?? '') : '',
      product,
      image: d.kind === 'image' ? { id: `local:${d.uploadId}`, mime: d.mime ?? 'image/png', bytes: d.bytes ?? 1 } : null,
      at: op.createdAt,
      recalledAt: null,
      state: op.state === 'rejected' ? 'failed' : 'sending',
      pending: true,
      mine: true,
      recalling: false,
      rejection: op.rejection,
    });
  }
  return out;
}

const isRecall = (o: OutboxOp): o is OpOf<'chat.recall'> => o.type === 'chat.recall';

/** Marks messages with a queued recall. */
export function applyRecalls(views: ChatMessageView[], ops: readonly OutboxOp[]): ChatMessageView[] {
  const recalls = ops.filter(isRecall);
  const recalling = new Set(recalls.filter((o) => o.state !== 'rejected').map((o) => o.data.messageId));
  const failed = new Map(recalls.filter((o) => o.state === 'rejected').map((o) => [o.data.messageId, o.rejection]));
  return views.map((v) => (recalling.has(v.id) ? { ...v, recalling: true } : failed.has(v.id) ? { ...v, rejection: failed.get(v.id) ?? null } : v));
}
