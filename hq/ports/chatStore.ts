// Chat storage (issue 3), behind a narrow interface like the rest of HQ's storage. It shares the
// SQLite connection (and so the transactions) of HqStorage: a message, its conversation position
// and its event commit together.
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

export interface ChatStorage {
  getConversation(storeId: string, memberId: string): ConversationRecord | null;
  putConversation(c: ConversationRecord): void;
  /** Conversations with a message at or after `since`, newest first. */
  listConversations(storeId: string, since: number, limit: number): ConversationRecord[];
  /** Stores the message with the seq of the event that announced it. */
  insertMessage(m: Message, eventSeq: number): void;
  getMessage(id: string): Message | null;
  findByClientId(storeId: string, memberId: string, from: Message['from'], clientId: string): Message | null;
  /** Up to `limit` messages with n < before (all when null), oldest first. */
  messages(storeId: string, memberId: string, before: number | null, limit: number): Message[];
  recall(id: string, at: number): void;
  /** Per member: the newest member-sent n whose event seq is in (afterSeq, uptoSeq]. */
  memberMessagesAnnounced(storeId: string, afterSeq: number, uptoSeq: number): Array<{ memberId: string; n: number }>;
  /** Whether an image is shown in a message of this conversation. */
  imageInConversation(storeId: string, memberId: string, imageId: string): boolean;
  putImage(img: ImageRecord): void;
  getImage(id: string): ImageRecord | null;
  /** Whether the member has ever had a visit at the store. */
  memberVisited(storeId: string, memberId: string): boolean;
  createMemberSession(tokenHash: string, s: MemberSessionRecord, now: number): void;
  memberSession(tokenHash: string, now: number): MemberSessionRecord | null;
  purgeMemberSessions(now: number): void;
}
