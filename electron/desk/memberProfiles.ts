// A member as the clerk opens them — from an arrival, search or the chat list — with the real
// profile: purchases, sizes and this store's in-stock suggestions.
//
// Invariant: what the desk shows is HQ's profile, never a guess. Online, a profile older than
// PROFILE_FRESH_MS (or one this counter never had: a home member from the snapshot, a member found
// at HQ) is fetched from HQ first and written to the cache; offline, or when HQ does not answer in
// LOOKUP_TIMEOUT_MS, the cached one is shown with the time it was received (MemberView.profileAt),
// and a member the cache holds without a profile says so (profileAt null) instead of "no purchases".
import type { MemberSearchHit, MemberView } from '../../shared/deskApi.ts';
import { describeIssues, MemberProfileResponse, MemberSearchResponse } from '../../shared/protocol.ts';
import type { CacheQueries } from './cache/queries.ts';
import type { HqHttp } from './hqAddresses.ts';
import type { StorageGuard } from './upkeep/storageGuard.ts';

/** A profile received this recently is shown as it is: an arrival has just brought one. */
export const PROFILE_FRESH_MS = 2 * 60 * 1000;
/** How long the clerk waits for HQ before the cached profile is shown. */
export const LOOKUP_TIMEOUT_MS = 3000;

export interface MemberProfilesOptions {
  hq: HqHttp;
  token: string;
  /** The desk is live with HQ. */
  online(): boolean;
  /** The member as the cache holds it (visits.ts). */
  view(memberId: string): MemberView | null;
  log: (line: string) => void;
  now?: () => number;
}

export class MemberProfiles {
  /** One HQ request per member at a time: a second caller waits for the first. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(
    private readonly q: CacheQueries,
    private readonly guard: StorageGuard,
    private readonly opts: MemberProfilesOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The member with the freshest profile the desk can get now. */
  async member(memberId: string): Promise<MemberView | null> {
    const cached = this.opts.view(memberId);
    if (!this.opts.online()) return cached;
    if (cached?.profileAt != null && this.now() - cached.profileAt < PROFILE_FRESH_MS) return cached;
    let request = this.inFlight.get(memberId);
    if (!request) {
      request = this.refresh(memberId, cached !== null).finally(() => this.inFlight.delete(memberId));
      this.inFlight.set(memberId, request);
    }
    await request;
    return this.opts.view(memberId);
  }

  /** GET /v1/desk/members/{id} into the cache; a failure leaves the cache as it was (and is logged). */
  private async refresh(memberId: string, wasCached: boolean): Promise<void> {
    const askedAt = this.now();
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/desk/members/${encodeURIComponent(memberId)}`, { headers: { authorization: `Bearer ${this.opts.token}` } }, LOOKUP_TIMEOUT_MS);
    } catch (err) {
      this.opts.log(`desk: profile of ${memberId} from HQ failed, showing the cache: ${(err as Error).message}`);
      return;
    }
    if (!res.ok) {
      if (res.status !== 404) this.opts.log(`desk: profile of ${memberId} from HQ refused: HTTP ${res.status}`);
      return;
    }
    const parsed = MemberProfileResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      this.opts.log(`desk: HQ sent a malformed profile: ${describeIssues(parsed.error)}`);
      return;
    }
    if (!this.q.db.open) return; // the desk closed while HQ answered
    const { profile } = parsed.data;
    try {
      this.guard.write(() => {
        // An event applied while HQ answered is newer than this answer: keep it. A member erased
        // meanwhile (member.deleted) stays erased.
        if (wasCached && !this.q.getMember(memberId)) return;
        const receivedAt = this.q.profileReceivedAt(memberId);
        if (receivedAt !== null && receivedAt > askedAt) return;
        this.q.upsertProfile(profile, this.now());
      });
    } catch (err) {
      this.opts.log(`desk: could not cache the profile of ${memberId}: ${(err as Error).message}`);
    }
  }

  /**
   * Members of the whole chain matching the query, found at HQ (at most `limit`; HQ needs two
   * characters or more). Null when HQ cannot be asked now (offline, no answer, refused).
   */
  async searchHq(query: string, limit: number): Promise<MemberSearchHit[] | null> {
    if (!this.opts.online()) return null;
    const qs = new URLSearchParams({ q: query, limit: String(Math.min(20, limit)) });
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/desk/members?${qs}`, { headers: { authorization: `Bearer ${this.opts.token}` } }, LOOKUP_TIMEOUT_MS);
    } catch {
      return null;
    }
    if (!res.ok) return null;
    const parsed = MemberSearchResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      this.opts.log(`desk: HQ sent a malformed member search: ${describeIssues(parsed.error)}`);
      return null;
    }
    const home = this.q.getIdentity()?.storeId;
    return parsed.data.members.map((m) => ({
      id: m.id,
      code: m.code,
      name: m.name,
      nameEn: m.nameEn,
      tier: m.tier,
      phoneMasked: m.phoneMasked,
      lastVisitAt: null,
      ...(m.homeStoreId !== home ? { homeStoreName: m.homeStoreName } : {}),
    }));
  }
}
