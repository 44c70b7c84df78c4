// Chat as the clerk sees it: the cached conversations with the outbox replayed on top (views.ts),
// older history fetched from HQ on demand, and who is online or typing right now (HQ's signals,
// never stored). Chat ops go through the same outbox as visit actions, under chat:<memberId>.
import type { z } from 'zod';
import { checkImage } from '../../../shared/chatImages.ts';
import {
  DeskError,
  type ActionResult,
  type ChatImage,
  type ConversationPage,
  type ConversationPageArgs,
  type ConversationView,
  type DeskEvents,
  type ListConversationsArgs,
  type OutgoingMessage,
  type SendResult,
} from '../../../shared/deskApi.ts';
import type { Actor } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { ChatCommandType, SignalFrame } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import type { HqHttp } from '../hqAddresses.ts';
import { memberSummary } from '../overlay.ts';
import { NO_RECEIPTS } from './chatQueries.ts';
import { downloadImage, fetchHistory } from './hqChatHttp.ts';
import { applyRecalls, chatSubject, confirmedView, localReceipts, memberOfSubject, pendingViews } from './views.ts';

/** A member's typing signal counts for this long unless renewed. */
const TYPING_TTL_MS = 6000;

export interface ConversationsOptions {
  hq: HqHttp;
  token: string;
  log: (line: string) => void;
  self(): Actor;
  /** The session is live (history from HQ, typing signals). */
  live(): boolean;
  /** Sends a signal on the link when it is open. */
  signal(frame: SignalFrame): void;
  /** Queues a chat op durably (outbox.ts); answers its opId. */
  enqueue<T extends ChatCommandType>(type: T, memberId: string, data: OpData<T>): string;
  /** An op was queued and shown: the connection state, counts and flush follow. */
  queued(): void;
  chat(payload: DeskEvents['chat']): void;
  typing(payload: DeskEvents['chatTyping']): void;
  presence(payload: DeskEvents['chatPresence']): void;
}

export class Conversations {
  /** Members with the chat open right now (ephemeral, from HQ's presence signals). */
  private readonly online = new Set<string>();
  private readonly typing = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly q: CacheQueries,
    private readonly opts: ConversationsOptions,
  ) {}

  list(a: z.infer<typeof ListConversationsArgs>): ConversationView[] {
    const limit = a.limit ?? 100;
    const rows = this.q.chat.listConversations(limit);
    const ids = new Set(rows.map((r) => r.memberId));
    // Conversations begun offline exist only in the outbox so far.
    const extra = this.q.listOps().map((o) => memberOfSubject(o.visitId)).filter((m): m is string => m !== null && !ids.has(m));
    const views = [...rows.map((r) => r.memberId), ...new Set(extra)].map((memberId) => {
      const page = this.page(memberId, undefined, 1);
      const last = page.messages[page.messages.length - 1] ?? null;
      const member = this.q.getMember(memberId);
      return { memberId, member: member ? memberSummary(member, memberId) : null, last, lastAt: last?.at ?? 0, unread: page.unread, online: page.online, typing: page.typing, handover: page.handover ?? null };
    });
    return views.sort((x, y) => y.lastAt - x.lastAt).slice(0, limit);
  }

  /** A page of a conversation; older history than the cache holds comes from HQ (then it is cached) when live. */
  async get(memberId: string, p: z.infer<typeof ConversationPageArgs> | undefined): Promise<ConversationPage> {
    const limit = p?.limit ?? 30;
    let view = this.page(memberId, p?.before, limit);
    const confirmed = view.messages.filter((m) => !m.pending);
    const oldest = confirmed[0]?.n ?? p?.before ?? (this.q.chat.getConversation(memberId)?.lastN ?? 0) + 1;
    if (confirmed.length < limit && oldest > 1 && this.opts.live()) {
      try {
        const h = await fetchHistory(this.opts.hq, this.opts.token, memberId, oldest, limit - confirmed.length);
        this.q.tx(() => {
          for (const m of h.messages) if (!this.q.chat.getMessage(m.id)) this.q.chat.putMessage(m);
        });
        view = this.page(memberId, p?.before, limit);
      } catch (err) {
        this.opts.log(`desk: history for ${memberId}: ${(err as Error).message}`);
      }
    }
    return view;
  }

  send(memberId: string, msg: OutgoingMessage): SendResult {
    if (!this.q.getMember(memberId)) throw new DeskError('not_found', `no member ${memberId} in this desk's cache`);
    const clientId = uuidv7();
    let data: OpData<'chat.send'>;
    if (msg.kind === 'text') data = { memberId, clientId, kind: 'text', text: msg.text };
    else if (msg.kind === 'product') data = { memberId, clientId, kind: 'product', styleId: msg.styleId };
    else {
      const bytes = Buffer.from(msg.dataBase64, 'base64');
      const checked = checkImage(bytes);
      if (!checked.ok) throw new DeskError('invalid_argument', `sendMessage: ${checked.message}`);
      const uploadId = uuidv7();
      this.q.tx(() => this.q.chat.putUpload(uploadId, checked.mime, bytes, Date.now()));
      data = { memberId, clientId, kind: 'image', uploadId, mime: checked.mime, bytes: bytes.length };
    }
    const { opId } = this.act('chat.send', memberId, data);
    return { opId, clientId };
  }

  /** A refused message again, same clientId under a new opId: HQ keeps it one message whatever happened to the first try. */
  retry(clientId: string): ActionResult {
    const op = this.q.listOps().find((o) => o.type === 'chat.send' && o.data.clientId === clientId);
    if (!op || op.type !== 'chat.send') throw new DeskError('not_found', 'no such unsent message');
    if (op.state !== 'rejected') return { opId: op.opId };
    this.q.tx(() => this.q.deleteOp(op.opId));
    return this.act('chat.send', op.data.memberId, op.data);
  }

  recall(memberId: string, messageId: string): ActionResult {
    const m = this.q.chat.getMessage(messageId);
    if (!m || m.memberId !== memberId) throw new DeskError('not_found', 'no such message');
    if (m.from !== 'clerk' || m.by?.deviceId !== this.opts.self().deviceId) throw new DeskError('not_allowed', 'only the counter that sent a message can recall it');
    return this.act('chat.recall', memberId, { memberId, messageId });
  }

  /** Marks the member's messages read up to the newest; null when there was nothing unread. */
  markRead(memberId: string): ActionResult | null {
    const upTo = this.q.chat.newestMemberN(memberId);
    const receipts = localReceipts(this.q.chat.getConversation(memberId)?.receipts ?? NO_RECEIPTS, this.q.opsOfVisit(chatSubject(memberId)));
    if (upTo === 0 || receipts.storeRead >= upTo) return null;
    return this.act('chat.read', memberId, { memberId, upTo });
  }

  setTyping(memberId: string, on: boolean): void {
    if (this.opts.live()) this.opts.signal({ t: 'signal', kind: 'typing', memberId, data: { on } });
  }

  async image(imageId: string): Promise<ChatImage | null> {
    if (imageId.startsWith('local:')) {
      const u = this.q.chat.getUpload(imageId.slice(6));
      return u ? { mime: u.mime, dataBase64: u.bytes.toString('base64') } : null;
    }
    const cached = this.q.chat.getImage(imageId);
    if (cached) return { mime: cached.mime, dataBase64: cached.bytes.toString('base64') };
    try {
      const img = await downloadImage(this.opts.hq, this.opts.token, imageId);
      this.q.tx(() => this.q.chat.putImage(imageId, img.mime, img.bytes, Date.now()));
      return { mime: img.mime, dataBase64: img.bytes.toString('base64') };
    } catch (err) {
      this.opts.log(`desk: image ${imageId}: ${(err as Error).message}`);
      return null;
    }
  }

  /** Shows a conversation again; `incomingId`: a new message from the member (it stopped typing). */
  show(memberId: string, incomingId: string | null): void {
    if (incomingId) this.setMemberTyping(memberId, false);
    const page = this.page(memberId, undefined, 30);
    const incoming = incomingId ? (page.messages.find((m) => m.id === incomingId) ?? null) : null;
    this.opts.chat({ memberId, messages: page.messages, incoming });
  }

  /** HQ's ephemeral signals: a member opened or left the chat, or is typing. */
  signal(f: SignalFrame): void {
    if (!f.memberId) return;
    const memberId = f.memberId;
    if (f.kind === 'presence') {
      const online = f.data?.online === true;
      if (online === this.online.has(memberId)) return;
      if (online) this.online.add(memberId);
      else this.online.delete(memberId);
      this.opts.presence({ memberId, online });
      if (!online) this.setMemberTyping(memberId, false);
    } else if (f.kind === 'typing' && f.data?.from === 'member') {
      this.setMemberTyping(memberId, f.data.on === true);
    }
  }

  /** The link is down: presence and typing are only known while connected. */
  offline(): void {
    for (const memberId of [...this.online]) this.signal({ t: 'signal', kind: 'presence', memberId, data: { online: false } });
  }

  close(): void {
    for (const t of this.typing.values()) clearTimeout(t);
  }

  private act<T extends ChatCommandType>(type: T, memberId: string, data: OpData<T>): ActionResult {
    const opId = this.opts.enqueue(type, memberId, data);
    this.show(memberId, null);
    this.opts.queued();
    return { opId };
  }

  /** One page of a conversation from the cache, with the outbox overlaid. */
  private page(memberId: string, before: number | undefined, limit: number): ConversationPage {
    const ops = this.q.opsOfVisit(chatSubject(memberId));
    const conv = this.q.chat.getConversation(memberId);
    const receipts = localReceipts(conv?.receipts ?? NO_RECEIPTS, ops);
    const self = this.opts.self();
    const confirmed = this.q.chat.page(memberId, before, limit);
    let messages = confirmed.map((m) => confirmedView(m, receipts, self));
    if (before === undefined) {
      const cachedIds = new Set(confirmed.filter((m) => m.from === 'clerk').map((m) => m.clientId));
      messages.push(
        ...pendingViews(ops, {
          storeId: this.q.getIdentity()?.storeId ?? '',
          memberId,
          self,
          recommendations: this.q.getProfile(memberId)?.recommendations ?? [],
          hasClientId: (cid) => cachedIds.has(cid),
        }),
      );
    }
    messages = applyRecalls(messages, ops);
    return {
      memberId,
      messages,
      hasMore: (confirmed[0]?.n ?? 1) > 1,
      receipts,
      unread: this.q.chat.unread(memberId, receipts.storeRead),
      online: this.online.has(memberId),
      typing: this.typing.has(memberId),
      handover: this.q.handovers.waitingOf(memberId), // 7/8 assistant
    };
  }

  private setMemberTyping(memberId: string, on: boolean): void {
    const timer = this.typing.get(memberId);
    if (timer) clearTimeout(timer);
    if (on) {
      const t = setTimeout(() => this.setMemberTyping(memberId, false), TYPING_TTL_MS);
      t.unref();
      this.typing.set(memberId, t);
      if (!timer) this.opts.typing({ memberId, typing: true });
    } else if (timer) {
      this.typing.delete(memberId);
      this.opts.typing({ memberId, typing: false });
    }
  }
}
