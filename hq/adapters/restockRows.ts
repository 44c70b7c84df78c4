// What both adapters' restock queries share (sqlite/restockStorage.ts, postgres/pgRestock.ts): the
// candidates' order and how a candidate row becomes a match member.
import { type RestockMatchMember } from '../../shared/assist.ts';

/** Platinum first: the tier's rank in the candidates' order. */
export const TIER_ORDER_SQL = "CASE c.tier WHEN 'platinum' THEN 0 WHEN 'gold' THEN 1 WHEN 'silver' THEN 2 ELSE 3 END";

type Row = Record<string, unknown>;

/** A candidate row (id, name, tier, prefers, last_visit_at) as a match member; `why` is the preference when there is one. */
export const candidateFromRow = (r: Row): RestockMatchMember => ({
  memberId: r.id as string,
  name: r.name as string,
  tier: r.tier as RestockMatchMember['tier'],
  why: r.prefers ? 'preference' : 'bought',
  lastVisitAt: r.last_visit_at === null || r.last_visit_at === undefined ? null : Number(r.last_visit_at),
});
