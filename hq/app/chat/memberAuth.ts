// Member authentication. Two ways to a member token, both for one (member, store):
//  - POST /v1/member/session with the member's card code and the last 4 digits of their phone
//    (the demo / member-page path; failed attempts are throttled per store + code);
//  - POST /v1/integration/member-token with the X-Integration-Key (the brand's mini-program
//    backend has already authenticated the member, e.g. through WeChat login).
// HQ keeps only the SHA-256 of a token. A token reaches one conversation: its member at its store.
import { type HqStorage, type MemberRecord } from '../../ports/store.ts';
import { newToken, sha256 } from '../tokens.ts';
import { type MemberSession } from '../../edge/ws/memberProtocol.ts';
import { type MemberSessionRecord } from '../../ports/chatStore.ts';

export const MEMBER_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

export type { MemberSessionRecord };

export class MemberAuth {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly storage: HqStorage,
    private readonly now: () => number,
  ) {}

  /** The session a bearer token names, or null (unknown, expired). */
  session(token: string | null): (MemberSessionRecord & { storeName: string; memberName: string }) | null {
    if (!token || token.length > 200) return null;
    const s = this.storage.chat.memberSession(sha256(token), this.now());
    if (!s) return null;
    const store = this.storage.getStore(s.storeId);
    const member = this.storage.getMember(s.memberId);
    if (!store || !member) return null;
    return { ...s, storeName: store.name, memberName: member.name };
  }

  /** Whether this member may open a chat with this store: their home store, or one they visited. */
  mayChat(member: MemberRecord, storeId: string): boolean {
    return member.homeStoreId === storeId || this.storage.chat.memberVisited(storeId, member.id);
  }

  /** Card code + phone last 4. Returns 'throttled' after too many failures for this code. */
  login(storeId: string, memberCode: string, phoneLast4: string): MemberSession | 'denied' | 'throttled' {
    const key = `${storeId}\u0000${memberCode.toUpperCase()}`;
    const now = this.now();
    const f = this.failures.get(key);
    if (f && now - f.since < FAILURE_WINDOW_MS && f.count >= MAX_FAILURES) return 'throttled';
    const member = this.storage.findMemberByCode(memberCode) ?? this.storage.findMemberByCode(memberCode.toUpperCase());
    const ok = member && this.storage.getStore(storeId) && member.phone.length >= 4 && member.phone.slice(-4) === phoneLast4 && this.mayChat(member, storeId);
    if (!ok) {
      const fresh = !f || now - f.since >= FAILURE_WINDOW_MS;
      this.failures.set(key, { count: fresh ? 1 : f.count + 1, since: fresh ? now : f.since });
      if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
      return 'denied';
    }
    this.failures.delete(key);
    return this.issue(member, storeId);
  }

  /** A token for a member the integration has already authenticated. */
  issue(member: MemberRecord, storeId: string): MemberSession {
    const store = this.storage.getStore(storeId)!;
    const token = newToken();
    const now = this.now();
    const expiresAt = now + MEMBER_TOKEN_TTL_MS;
    this.storage.chat.createMemberSession(sha256(token), { memberId: member.id, storeId, expiresAt }, now);
    return { token, memberId: member.id, memberName: member.name, storeId, storeName: store.name, expiresAt };
  }
}
