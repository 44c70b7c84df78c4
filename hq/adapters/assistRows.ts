// Assisted selling's rows to records (7/8), for both SQL adapters (hq/adapters/sqlite/assistStorage.ts,
// hq/adapters/postgres/pgAssist.ts): the same column names and encodings (epoch-ms integers, actors
// as JSON text), so the two cannot drift apart in anything but their SQL.
import { type SuggestionMark } from '../../shared/assist.ts';
import { type Actor } from '../../shared/domain.ts';
import { type SaleAttribution, type ShownSuggestion } from '../ports/assistStore.ts';
import { type Row } from './sqlRows.ts';

export const shownFromRow = (r: Row): ShownSuggestion => ({
  storeId: r.store_id as string,
  visitId: r.visit_id as string,
  memberId: r.member_id as string,
  styleId: r.style_id as string,
  role: r.role as ShownSuggestion['role'],
  at: Number(r.at),
});

export const markFromRow = (r: Row): SuggestionMark => ({
  storeId: r.store_id as string,
  visitId: r.visit_id as string,
  memberId: r.member_id as string,
  styleId: r.style_id as string,
  role: r.role as SuggestionMark['role'],
  verdict: r.verdict as SuggestionMark['verdict'],
  by: JSON.parse(r.by_actor as string) as Actor,
  at: Number(r.at),
});

export const attributionFromRow = (r: Row): SaleAttribution => ({
  purchaseId: r.purchase_id as string,
  storeId: r.store_id as string,
  memberId: r.member_id as string,
  styleId: r.style_id as string,
  source: r.source as SaleAttribution['source'],
  visitId: (r.visit_id as string | null) ?? null,
  clerkId: (r.clerk_id as string | null) ?? null,
  price: Number(r.price),
  at: Number(r.at),
});

export const actorOf = (json: unknown): Actor | null => (typeof json === 'string' && json ? (JSON.parse(json) as Actor) : null);

