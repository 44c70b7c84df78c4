// Applying integration data (stores, members with purchases, catalog, stock). The JSON and CSV
// endpoints both end here, so the rules are the same whichever format a chain's system sends.
// Items are validated one by one: good items are imported, bad ones reported with their index.
import { z } from 'zod';
import { Consents, Id, MAX_MEMBER_NAME, Member, MonthDay, NO_CONSENTS, Millis, Purchase, StockLine, Store, Style } from '../../shared/domain.ts';
import { newEpoch } from './tokens.ts';
import { normalizePhone } from './phone.ts';
import { type HqStore, type MemberRecord } from '../ports/store.ts';
import { type EventLog } from './eventLog.ts';
import { invalidateCatalog } from './catalogCache.ts';
import { ProfileBuilder } from './profiles.ts';
import { setStockWithRestock } from './tasks/system.ts';
import { attributePurchase } from './assist/attribution.ts'; // 7/8 attribution

export const IngestPurchase = Purchase.omit({ memberId: true }).extend({ memberId: Id.optional() });

/** A member as an integration sends it: the full phone instead of the desk's masked fields. */
export const IngestMember = Member.pick({ id: true, code: true, name: true, homeStoreId: true, sizes: true })
  .extend({
    nameEn: z.string().max(MAX_MEMBER_NAME).default(''),
    tier: Member.shape.tier.default('basic'),
    phone: z.string().max(32).default(''),
    preferences: Member.shape.preferences,
    points: Member.shape.points,
    joinedAt: Millis.optional(),
    /** "MM-DD"; null clears it; absent keeps what HQ has. */
    birthday: MonthDay.nullable().optional(),
    /** The consents the programme recorded; absent keeps what HQ has (none for a new member). */
    consents: Consents.optional(),
    purchases: z.array(IngestPurchase).max(500).optional(),
  });
export type IngestMember = z.infer<typeof IngestMember>;

export interface ItemError {
  /** 0-based index in a JSON array, or the 1-based line of a CSV file. */
  index?: number;
  line?: number;
  message: string;
}
export interface ImportReport {
  imported: number;
  errors: ItemError[];
}

export async function upsertStores(store: HqStore, stores: readonly Store[]): Promise<ImportReport> {
  await store.withTx(async (tx) => {
    for (const s of stores) await tx.upsertStore(s, newEpoch());
  });
  return { imported: stores.length, errors: [] };
}

/**
 * Upserts members and their purchases, then emits `member.updated` (with a fresh profile) to each
 * member's home store, all in one transaction with the events.
 */
export async function upsertMembers(
  log: EventLog,
  members: readonly { item: IngestMember; index?: number; line?: number }[],
  now = Date.now(),
): Promise<ImportReport> {
  const report = await log.write(async (tx, append): Promise<ImportReport> => {
    const errors: ItemError[] = [];
    let imported = 0;
    const builders = new Map<string, ProfileBuilder>();
    const bought = new Set<string>(); // stores whose purchases changed: their popularity
    const stores = new Set((await tx.listStores()).map((s) => s.id));
    for (const { item, index, line } of members) {
      const where = line !== undefined ? { line } : { index };
      if (!stores.has(item.homeStoreId)) {
        errors.push({ ...where, message: `unknown homeStoreId ${item.homeStoreId}` });
        continue;
      }
      const byCode = await tx.findMemberByCode(item.code);
      if (byCode && byCode.id !== item.id) {
        errors.push({ ...where, message: `code ${item.code} belongs to member ${byCode.id}` });
        continue;
      }
      const existing = byCode ?? (await tx.getMember(item.id));
      const record: MemberRecord = {
        id: item.id,
        code: item.code,
        name: item.name,
        nameEn: item.nameEn,
        tier: item.tier,
        phone: normalizePhone(item.phone),
        homeStoreId: item.homeStoreId,
        sizes: item.sizes,
        preferences: item.preferences,
        points: item.points,
        joinedAt: item.joinedAt ?? existing?.joinedAt ?? now,
        updatedAt: now,
        birthday: item.birthday === undefined ? (existing?.birthday ?? null) : item.birthday,
        consents: item.consents ?? existing?.consents ?? { ...NO_CONSENTS },
      };
      await tx.upsertMember(record);
      for (const p of item.purchases ?? []) {
        await tx.upsertPurchase({ ...p, memberId: item.id });
        await attributePurchase(tx, { ...p, memberId: item.id }); // 7/8 attribution: in the purchase's transaction
        bought.add(p.storeId);
      }
      imported++;
      let builder = builders.get(record.homeStoreId);
      if (!builder) builders.set(record.homeStoreId, (builder = await ProfileBuilder.load(tx, record.homeStoreId, now)));
      await append(record.homeStoreId, 'member.updated', { profile: await builder.profile(record) }, now);
    }
    // The stores the purchases name. One corrected to another store leaves its old store's count
    // on a node that also lost this write's `catalog.changed` notice until its copy is an hour old.
    if (bought.size > 0) await tx.catalogChanged([...bought]);
    return { imported, errors };
  });
  invalidateCatalog(log.store); // purchases feed popularity
  return report;
}

export async function upsertStyles(store: HqStore, styles: readonly Style[]): Promise<ImportReport> {
  await store.withTx(async (tx) => {
    for (const s of styles) await tx.upsertStyle(s);
    await tx.catalogChanged(null);
  });
  invalidateCatalog(store);
  return { imported: styles.length, errors: [] };
}

/**
 * Replaces stock lines. Through the event log: a size a member waits for that goes from 0 to more
 * makes a restock task in the same transaction (hq/app/tasks/system.ts).
 */
export async function setStock(log: EventLog, lines: readonly { item: StockLine; index?: number; line?: number }[], now = Date.now()): Promise<ImportReport> {
  const report = await log.write(async (tx, append): Promise<ImportReport> => {
    const errors: ItemError[] = [];
    let imported = 0;
    const stores = new Set((await tx.listStores()).map((s) => s.id));
    const known = lines.filter(({ item, index, line }) => {
      if (stores.has(item.storeId)) return true;
      errors.push({ ...(line !== undefined ? { line } : { index }), message: `unknown storeId ${item.storeId}` });
      return false;
    });
    await setStockWithRestock(tx, append, known.map((l) => l.item), async (item) => {
      await tx.setStock(item);
      imported++;
      return true;
    }, now);
    if (known.length > 0) await tx.catalogChanged(known.map((l) => l.item.storeId));
    errors.sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
    return { imported, errors };
  });
  invalidateCatalog(log.store);
  return report;
}

export { StockLine, Store, Style };
