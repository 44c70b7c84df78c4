// Rows to records, for both SQL adapters: the SQLite and the PostgreSQL schemas use the same
// column names and encodings (JSON text for lists and actors, epoch-ms integers, 0/1 for flags), so
// one mapping serves both and a column added to one schema cannot be read differently by the other.
import { type PinHash, type StoreClerk } from '../../shared/clerks.ts';
import { Consents, NO_CONSENTS, type Category, type Message, type Note, type Purchase, type Receipts, type Style, type Visit } from '../../shared/domain.ts';
import { type EventType } from '../../shared/protocol.ts';
import { storeSettingsFromJson } from '../../shared/storeSettings.ts';
import { type ConversationRecord } from '../ports/chatStore.ts';
import { type DeviceRecord, type MemberRecord, type StoreRecord, type StoredEvent, type VisitRow } from '../ports/store.ts';
import { type MemberNote } from '../../shared/memberHistory.ts';

export type Row = Record<string, unknown>;

/** Consents as stored (JSON); anything unreadable counts as none given. */
export function consentsFromJson(text: string | null | undefined): Consents {
  if (!text) return { ...NO_CONSENTS };
  try {
    const parsed = Consents.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : { ...NO_CONSENTS };
  } catch {
    return { ...NO_CONSENTS };
  }
}

export function memberFromRow(r: Row): MemberRecord {
  return {
    id: r.id as string,
    code: r.code as string,
    name: r.name as string,
    nameEn: r.name_en as string,
    tier: r.tier as MemberRecord['tier'],
    phone: r.phone as string,
    homeStoreId: r.home_store_id as string,
    sizes: { eu: r.size_eu as number, cn: r.size_cn as number },
    preferences: JSON.parse(r.preferences as string) as Category[],
    points: r.points as number,
    joinedAt: r.joined_at as number,
    updatedAt: r.updated_at as number,
    birthday: (r.birthday as string | null) ?? null,
    consents: consentsFromJson(r.consents as string | null),
  };
}

export function purchaseFromRow(r: Row): Purchase {
  return {
    id: r.id as string,
    memberId: r.member_id as string,
    styleId: r.style_id as string,
    styleName: r.style_name as string,
    category: r.category as Category,
    color: r.color as string,
    size: r.size as number,
    storeId: r.store_id as string,
    at: r.at as number,
    price: r.price as number,
  };
}

export function styleFromRow(r: Row): Style {
  return {
    id: r.id as string,
    name: r.name as string,
    category: r.category as Category,
    price: r.price as number,
    colors: JSON.parse(r.colors as string) as Style['colors'],
    sizes: JSON.parse(r.sizes as string) as number[],
    releasedAt: r.released_at as number,
    // 7/8: NULL kind / goes_with = absent (a shoe; an accessory that goes with its own category)
    ...(r.kind ? { kind: r.kind as NonNullable<Style['kind']> } : {}),
    ...(r.goes_with ? { goesWith: JSON.parse(r.goes_with as string) as Category[] } : {}),
  };
}

/** 7/8: a style's kind and goes_with columns as stored (NULL when absent). */
export function styleKindColumns(s: Pick<Style, 'kind' | 'goesWith'>): { kind: string | null; goesWith: string | null } {
  return { kind: s.kind ?? null, goesWith: s.goesWith === undefined ? null : JSON.stringify(s.goesWith) };
}

export function visitRowFromRow(r: Row): VisitRow {
  return {
    id: r.id as string,
    storeId: r.store_id as string,
    memberId: r.member_id as string,
    source: r.source as Visit['source'],
    status: r.status as Visit['status'],
    arrivedAt: r.arrived_at as number,
    lastSeenAt: r.last_seen_at as number,
    arrivals: r.arrivals as number,
    claimedBy: r.claimed_by ? (JSON.parse(r.claimed_by as string) as Visit['claimedBy']) : null,
    claimedAt: (r.claimed_at as number | null) ?? null,
    closedAt: (r.closed_at as number | null) ?? null,
    outcome: (r.outcome as Visit['outcome']) ?? null,
    ...(r.takeovers ? { takeovers: JSON.parse(r.takeovers as string) as NonNullable<Visit['takeovers']> } : {}),
  };
}

export function noteFromRow(r: Row): Note {
  return {
    id: r.id as string,
    visitId: r.visit_id as string,
    memberId: r.member_id as string,
    text: r.text as string,
    by: JSON.parse(r.by as string) as Note['by'],
    at: r.at as number,
  };
}

export function deviceFromRow(r: Row): DeviceRecord {
  return {
    id: r.id as string,
    storeId: r.store_id as string,
    name: r.name as string,
    createdAt: r.created_at as number,
    revokedAt: (r.revoked_at as number | null) ?? null,
    ackedSeq: r.acked_seq as number,
  };
}

export function eventFromRow(r: Row): StoredEvent {
  return {
    storeId: r.store_id as string,
    epoch: r.epoch as string,
    seq: r.seq as number,
    id: r.id as string,
    type: r.type as EventType,
    at: r.at as number,
    data: r.data as string,
  };
}

export const storeFromRow = (r: Row): StoreRecord => ({
  id: r.id as string,
  name: r.name as string,
  city: r.city as string,
  epoch: r.epoch as string,
  head: r.head as number,
  settings: storeSettingsFromJson(r.settings as string | null | undefined),
});

export function messageFromRow(r: Row): Message {
  return {
    id: r.id as string,
    clientId: r.client_id as string,
    storeId: r.store_id as string,
    memberId: r.member_id as string,
    n: r.n as number,
    from: r.sender as Message['from'],
    by: r.by ? (JSON.parse(r.by as string) as Message['by']) : null,
    kind: r.kind as Message['kind'],
    body: r.body as string,
    product: r.product ? (JSON.parse(r.product as string) as Message['product']) : null,
    image: r.image ? (JSON.parse(r.image as string) as Message['image']) : null,
    at: r.at as number,
    recalledAt: (r.recalled_at as number | null) ?? null,
  };
}

export function conversationFromRow(r: Row): ConversationRecord {
  const receipts: Receipts = {
    memberDelivered: r.member_delivered as number,
    memberRead: r.member_read as number,
    storeDelivered: r.store_delivered as number,
    storeRead: r.store_read as number,
  };
  return { storeId: r.store_id as string, memberId: r.member_id as string, lastN: r.last_n as number, lastAt: r.last_at as number, receipts };
}

export const clerkFromRow = (r: Row): StoreClerk => ({
  id: r.id as string,
  storeId: r.store_id as string,
  name: r.name as string,
  role: r.role as StoreClerk['role'],
  enabled: r.enabled === 1,
  pinHash: JSON.parse(r.pin_hash as string) as PinHash,
  updatedAt: r.updated_at as number,
});

// 4/8 member page: a member-level note (member_notes, HQ migration 10).
export function memberNoteFromRow(r: Record<string, unknown>): MemberNote {
  return {
    id: r.id as string,
    memberId: r.member_id as string,
    storeId: r.store_id as string,
    text: r.text as string,
    by: JSON.parse(r.by as string) as MemberNote['by'],
    at: r.at as number,
  };
}

/**
 * The `catalog_versions` rows a `catalogChanged(storeIds)` moves: '' (the chain's) for null, else
 * each store once, in one order, so that two writers moving the same stores lock their rows alike.
 */
export function catalogScopes(storeIds: readonly string[] | null): string[] {
  return storeIds === null ? [''] : [...new Set(storeIds)].sort();
}
