// A sale attributed to what the store did for the member (7/8): the suggestion or add-on an
// arrival card showed, or a product card a clerk sent in chat.
//
// Invariant: one attribution per purchase id, decided once, in the transaction that stores the
// purchase — a purchase ingested twice counts once, and what is counted never changes afterwards.
//
// The rules, and why:
//  - Only at the store where it was bought, within ATTRIBUTION_WINDOW_DAYS before the purchase:
//    a suggestion earns credit where it was made, and a sale weeks later owes it nothing.
//  - A suggestion shown on the card first (source `suggestion` or `addon`, by the role it was shown
//    in; the newest such visit, credited to the clerk who claimed it): the card is the assisted
//    moment at the counter — the chat card is usually its follow-up.
//  - Not a suggestion the clerk marked `not_relevant`: the clerk said it did not help; a sale of it
//    later is the member's own choice, and counting it would flatter the suggestions.
//  - Else a product card of that style a clerk of the store sent the member in chat (`chat_card`,
//    the newest, credited to its sender; the assistant's cards are not a clerk's and do not count).
//  - Else nothing: a sale nobody suggested is not attributed.
import { ATTRIBUTION_WINDOW_DAYS } from '../../../shared/assist.ts';
import { isAssistantActor } from '../../../shared/actors.ts';
import { type Purchase } from '../../../shared/domain.ts';
import { type SaleAttribution } from '../../ports/assistStore.ts';
import { type HqTx } from '../../ports/store.ts';

export const ATTRIBUTION_WINDOW_MS = ATTRIBUTION_WINDOW_DAYS * 24 * 60 * 60 * 1000;

/** What the purchase would be attributed to (pure reads), or null. */
export async function attributionFor(tx: HqTx, p: Purchase): Promise<SaleAttribution | null> {
  const since = p.at - ATTRIBUTION_WINDOW_MS;
  const base = { purchaseId: p.id, storeId: p.storeId, memberId: p.memberId, styleId: p.styleId, price: p.price, at: p.at };
  const shown = (await tx.assist.shownForSale(p.storeId, p.memberId, p.styleId, since, p.at)).find((s) => s.verdict !== 'not_relevant');
  if (shown) {
    return { ...base, source: shown.role === 'addon' ? 'addon' : 'suggestion', visitId: shown.visitId, clerkId: shown.claimedBy?.clerkId ?? null };
  }
  const card = (await tx.assist.cardsSent(p.storeId, p.memberId, p.styleId, since, p.at)).find((c) => !isAssistantActor(c.by));
  if (card) return { ...base, source: 'chat_card', visitId: null, clerkId: card.by?.clerkId ?? null };
  return null;
}

/** Attributes a purchase just stored (in its transaction); a purchase attributed before keeps its attribution. */
export async function attributePurchase(tx: HqTx, p: Purchase): Promise<SaleAttribution | null> {
  if (await tx.assist.getAttribution(p.id)) return null;
  const a = await attributionFor(tx, p);
  if (a) await tx.assist.putAttribution(a);
  return a;
}
