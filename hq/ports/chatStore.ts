// The chat part of the store port (reached as `tx.chat`): it runs in the caller's transaction, so
// a message, its conversation position and its event commit together.
import { type ImageMime, type Message, type Receipts } from '../../shared/domain.ts';

export interface ConversationRecord {
  storeId: string;
  memberId: string;
  /** Newest conversation position (0 when empty). */
  lastN: number;
  lastAt: number;
  receipts: Receipts;
}

export interface ImageRecord {
  id: string;
  storeId: string;
  /** The member who uploaded it; null for a desk upload. */
  memberId: string | null;
  mime: ImageMime;
  bytes: Buffer;
  createdAt: number;
}

export interface MemberSessionRecord {
  memberId: string;
  storeId: string;
  expiresAt: number;
}

export interface ChatOps {
  getConversation(storeId: string, memberId: string): Promise<ConversationRecord | null>;
  putConversation(c: ConversationRecord): Promise<void>;
  /** Conversations with a message at or after `since`, newest first. */
  listConversations(storeId: string, since: number, limit: number): Promise<ConversationRecord[]>;
  /** Stores the message with the seq of the event that announced it. */
  insertMessage(m: Message, eventSeq: number): Promise<void>;
  getMessage(id: string): Promise<Message | null>;
  findByClientId(storeId: string, memberId: string, from: Message['from'], clientId: string): Promise<Message | null>;
  /** Up to `limit` messages with n < before (all when null), oldest first. */
  messages(storeId: string, memberId: string, before: number | null, limit: number): Promise<Message[]>;
  recall(id: string, at: number): Promise<void>;
  /** Per member: the newest member-sent n whose event seq is in (afterSeq, uptoSeq]. */
  memberMessagesAnnounced(storeId: string, afterSeq: number, uptoSeq: number): Promise<Array<{ memberId: string; n: number }>>;
  /** Whether an image is shown in a message of this conversation. */
  imageInConversation(storeId: string, memberId: string, imageId: string): Promise<boolean>;
  putImage(img: ImageRecord): Promise<void>;
  getImage(id: string): Promise<ImageRecord | null>;
  /** Whether the member has ever had a visit at the store. */
  memberVisited(storeId: string, memberId: string): Promise<boolean>;
  createMemberSession(tokenHash: string, s: MemberSessionRecord, now: number): Promise<void>;
  memberSession(tokenHash: string, now: number): Promise<MemberSessionRecord | null>;
  purgeMemberSessions(now: number): Promise<void>;
  /** Failed member sign-ins for a key (store + card code) within the current window, or null. */
  loginFailures(key: string): Promise<LoginFailures | null>;
  /** Record (or with null, clear) the failures of a key; kept in the database so every node sees them. */
  putLoginFailures(key: string, failures: LoginFailures | null): Promise<void>;
  /** How far the store's desk acks have been scanned for "delivered to the store" receipts. */
  deliveredScan(storeId: string): Promise<number>;
  setDeliveredScan(storeId: string, seq: number): Promise<void>;
}

export interface LoginFailures {
  count: number;
  /** Start of the window (epoch ms). */
  since: number;
}
