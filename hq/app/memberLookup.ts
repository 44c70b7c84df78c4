// A desk looking a member up at HQ: a profile for the desk's store, and a search over the chain.
//
// What a desk gets is what serving the member at its counter needs (docs/security.md): the
// profile an arrival at this store would carry — masked phone, recent purchases, suggestions from
// THIS store's stock — and never another store's visits, notes or chat. Search answers a pick
// list only (name, card code, tier, masked phone, home store), for a query of at least
// MIN_QUERY_CHARS characters, at most MAX_HITS members.
import { type MemberProfile } from '../../shared/domain.ts';
import { matchesSearch, searchKeyPrefix, searchQuery } from '../../shared/memberSearch.ts';
import { type MemberLookupHit } from '../../shared/protocol.ts';
import { type HqStore } from '../ports/store.ts';
import { maskPhone, phoneLast4 } from './phone.ts';
import { ProfileBuilder } from './profiles.ts';

/** Shortest query (folded, spaces aside) HQ searches the chain for: one letter would list a tenth of it. */
export const MIN_QUERY_CHARS = 2;
/** Longest query HQ takes, as typed (a clerk types the start of a name, a code or 4 digits). */
export const MAX_QUERY_CHARS = 60;
export const MAX_HITS = 20;
export const DEFAULT_HITS = 10;
/** Key rows read per hit wanted: a member has several keys, and the whole query filters them. */
const KEY_ROWS_PER_HIT = 10;

/** The member's profile as `storeId` serves it; null for an unknown member. */
export function memberProfileFor(store: HqStore, storeId: string, memberId: string, now: number): Promise<MemberProfile | null> {
  return store.read(async (r) => {
    const member = await r.getMember(memberId);
    if (!member) return null;
    const builder = await ProfileBuilder.cached(store, r, storeId, now);
    return builder.profile(member);
  });
}

export type SearchAnswer = { ok: true; members: MemberLookupHit[] } | { ok: false; reason: 'too_short' };

/** Members of the chain the query finds: the desk's own store's first, then by name. */
export function searchMembersFor(store: HqStore, storeId: string, query: string, limit: number): Promise<SearchAnswer> {
  const q = searchQuery(query);
  if ([...q.replace(/ /g, '')].length < MIN_QUERY_CHARS) return Promise.resolve({ ok: false, reason: 'too_short' });
  const want = Math.max(1, Math.min(MAX_HITS, limit));
  return store.read(async (r) => {
    const rows = await r.searchMembers(searchKeyPrefix(q), want * KEY_ROWS_PER_HIT);
    const found = rows.filter((m) => matchesSearch({ ...m, phoneLast4: phoneLast4(m.phone) }, q));
    found.sort((a, b) => Number(b.homeStoreId === storeId) - Number(a.homeStoreId === storeId));
    const names = new Map((await r.listStores()).map((s) => [s.id, s.name]));
    const members = found.slice(0, want).map((m) => ({
      id: m.id,
      code: m.code,
      name: m.name,
      nameEn: m.nameEn,
      tier: m.tier,
      phoneMasked: maskPhone(m.phone),
      homeStoreId: m.homeStoreId,
      homeStoreName: names.get(m.homeStoreId) ?? m.homeStoreId,
    }));
    return { ok: true, members };
  });
}

/** Bumped when memberSearchKeys changes: a node that starts on older keys rebuilds them. */
export const SEARCH_KEYS_VERSION = '1';
const SEARCH_KEYS_META = 'member_search_keys_version';
const BACKFILL_PAGE = 500;

/**
 * Members written before search keys existed (or under older rules) get theirs: every member is
 * written again, page by page, which re-derives its keys. Idempotent, so nodes starting together
 * may both run it; the version is recorded only once every page is done.
 */
export async function ensureMemberSearchKeys(store: HqStore, log: (line: string) => void): Promise<number> {
  if ((await store.read((r) => r.getMeta(SEARCH_KEYS_META))) === SEARCH_KEYS_VERSION) return 0;
  let after = '';
  let n = 0;
  for (;;) {
    const page = await store.withTx(async (tx) => {
      const members = await tx.membersAfter(after, BACKFILL_PAGE);
      for (const m of members) await tx.upsertMember(m);
      return members;
    });
    if (page.length === 0) break;
    n += page.length;
    after = page[page.length - 1]!.id;
  }
  await store.withTx((tx) => tx.setMeta(SEARCH_KEYS_META, SEARCH_KEYS_VERSION));
  if (n > 0) log(`member search keys built for ${n} members`);
  return n;
}
