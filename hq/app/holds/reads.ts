// What HQ tells about holds outside the event log: a style's stock across the chain with held
// pairs subtracted (a desk's "Other stores", no member data at all), a member's own holds (the
// member page), and a store's holds and requests for its snapshot.
import { DAY_MS, type Hold, HOLD_REQUESTS_SHOWN_DAYS, type HoldRequest, type MemberHold, type StyleStockResponse } from '../../../shared/holds.ts';
import { type HqStore, type HqTx } from '../../ports/store.ts';


/** The style's stock per store, by colour and size: qty, held, available. Null for an unknown style. */
export function styleStockFor(store: HqStore, deskStoreId: string, styleId: string, now = Date.now()): Promise<StyleStockResponse | null> {
  return store.read(async (r) => {
    const style = (await r.listStyles()).find((s) => s.id === styleId);
    if (!style) return null;
    const held = new Map<string, number>();
    for (const h of await r.holds.heldOfStyle(styleId)) held.set(`${h.storeId}|${h.color}|${h.size}`, h.held);
    const stores = new Map((await r.listStores()).map((s) => [s.id, s]));
    const byStore = new Map<string, StyleStockResponse['stores'][number]>();
    for (const line of await r.holds.stockOfStyle(styleId)) {
      const s = stores.get(line.storeId);
      if (!s) continue;
      let entry = byStore.get(s.id);
      if (!entry) byStore.set(s.id, (entry = { storeId: s.id, name: s.name, city: s.city ?? '', mine: s.id === deskStoreId, lines: [] }));
      const h = held.get(`${s.id}|${line.color}|${line.size}`) ?? 0;
      entry.lines.push({ color: line.color, size: line.size, qty: line.qty, held: h, available: Math.max(0, line.qty - h) });
    }
    // The desk's own store first, then the others by city and name.
    const list = [...byStore.values()].sort((a, b) => Number(b.mine) - Number(a.mine) || a.city.localeCompare(b.city) || a.name.localeCompare(b.name));
    return { styleId, styleName: style.name, colors: style.colors, sizes: style.sizes, stores: list, at: now };
  });
}

/** The member's active holds at every store of the chain: what, where, until when. */
export function memberHoldsFor(store: HqStore, memberId: string): Promise<MemberHold[]> {
  return store.read(async (r) => {
    const stores = new Map((await r.listStores()).map((s) => [s.id, s]));
    return (await r.holds.activeHoldsOfMember(memberId)).map((h) => ({
      id: h.id,
      styleName: h.styleName,
      colorName: h.colorName,
      size: h.size,
      until: h.until,
      placedAt: h.placedAt,
      storeName: stores.get(h.storeId)?.name ?? h.storeId,
      city: stores.get(h.storeId)?.city ?? '',
    }));
  });
}

/** A store's active holds and its requests (made or got), inside the snapshot's read. */
export async function holdsSnapshot(r: HqTx, storeId: string, now: number): Promise<{ holds: Hold[]; holdRequests: HoldRequest[] }> {
  return {
    holds: await r.holds.activeHolds(storeId),
    holdRequests: await r.holds.requestsOfStore(storeId, now - HOLD_REQUESTS_SHOWN_DAYS * DAY_MS, 500),
  };
}
