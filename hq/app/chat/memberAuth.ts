// Member authentication. Two ways to a member token, both for one (member, store):
//  - POST /v1/member/session with the member's card code and the last 4 digits of their phone
//    (the demo / member-page path; failed attempts are throttled per store + code);
//  - POST /v1/integration/member-token with the X-Integration-Key (the brand's mini-program
//    backend has already authenticated the member, e.g. through WeChat login).
// HQ keeps only the SHA-256 of a token. A token reaches one conversation: its member at its store.
import { type HqStore, type HqTx, type MemberRecord } from '../../ports/store.ts';
import { newToken, sha256 } from '../tokens.ts';
import { type MemberSession } from '../../edge/ws/memberProtocol.ts';
import { type MemberSessionRecord } from '../../ports/chatStore.ts';

export const MEMBER_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Failed member sign-ins per store + card code within the window before HQ answers 429. */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

export type { MemberSessionRecord };

export class MemberAuth {
  constructor(
    private readonly store: HqStore,
    private readonly now: () => number,
  ) {}

  /** The session a bearer token names, or null (unknown, expired). */
  async session(token: string | null): Promise<(MemberSessionRecord & { storeName: string; memberName: string }) | null> {
    if (!token || token.length > 200) return null;
    const hash = sha256(token);
    const now = this.now();
    return this.store.read(async (r) => {
      const s = await r.chat.memberSession(hash, now);
      if (!s) return null;
      const store = await r.getStore(s.storeId);
      const member = await r.getMember(s.memberId);
      if (!store || !member) return null;
      return { ...s, storeName: store.name, memberName: member.name };
    });
  }

  /** Whether this member may open a chat with this store: their home store, or one they visited. */
  mayChat(member: MemberRecord, storeId: string): Promise<boolean> {
    return this.store.read((r) => mayChatIn(r, member, storeId));
  }

  /**
   * Card code + phone last 4. Returns 'throttled' after too many failures for this code. The
   * failures are kept in the database, so the limit holds across every HQ node.
   */
  login(storeId: string, memberCode: string, phoneLast4: string): Promise<MemberSession | 'denied' | 'throttled'> {
    // JSON, not a separator character: unambiguous, and PostgreSQL text cannot hold a NUL.
    const key = JSON.stringify([storeId, memberCode.toUpperCase()]);
    const now = this.now();
    return this.store.withTx(async (tx): Promise<MemberSession | 'denied' | 'throttled'> => {
      await tx.lockStore(storeId); // two nodes counting one code's failures must not both read the old count
      const f = await tx.chat.loginFailures(key);
      if (f && now - f.since < FAILURE_WINDOW_MS && f.count >= MAX_FAILURES) return 'throttled';
      const member = (await tx.findMemberByCode(memberCode)) ?? (await tx.findMemberByCode(memberCode.toUpperCase()));
      const ok =
        member &&
        (await tx.getStore(storeId)) &&
        member.phone.length >= 4 &&
        member.phone.slice(-4) === phoneLast4 &&
        (await mayChatIn(tx, member, storeId));
      if (!ok) {
        const fresh = !f || now - f.since >= FAILURE_WINDOW_MS;
        await tx.chat.putLoginFailures(key, { count: fresh ? 1 : f.count + 1, since: fresh ? now : f.since });
        return 'denied';
      }
      if (f) await tx.chat.putLoginFailures(key, null);
      return issueIn(tx, member, storeId, now);
    });
  }

  /** A token for a member the integration has already authenticated. */
  issue(member: MemberRecord, storeId: string): Promise<MemberSession> {
    const now = this.now();
    return this.store.withTx((tx) => issueIn(tx, member, storeId, now));
  }
}

async function mayChatIn(r: HqTx, member: MemberRecord, storeId: string): Promise<boolean> {
  return member.homeStoreId === storeId || (await r.chat.memberVisited(storeId, member.id));
}

async function issueIn(tx: HqTx, member: MemberRecord, storeId: string, now: number): Promise<MemberSession> {
  const store = (await tx.getStore(storeId))!;
  const token = newToken();
  const expiresAt = now + MEMBER_TOKEN_TTL_MS;
  await tx.chat.createMemberSession(sha256(token), { memberId: member.id, storeId, expiresAt }, now);
  return { token, memberId: member.id, memberName: member.name, storeId, storeName: store.name, expiresAt };
}
