// Domain model shared by HQ, the desk core and the renderer.
// Schemas are the source of truth; the TypeScript types are inferred from them so that
// what is validated at a boundary and what the code believes can never drift apart.
import { z } from 'zod';
import { EU_SIZE_MAX, EU_SIZE_MIN, isHalfStep } from './limits.ts';
import { StoreSettings } from './storeSettings.ts';
import { TIERS } from './tiers.ts';

export const Id = z.string().min(1).max(64);
/** Epoch milliseconds. */
export const Millis = z.number().int().nonnegative();

export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

export const Category = z.enum(['running', 'basketball', 'retro', 'casual', 'kids']);
export type Category = z.infer<typeof Category>;

/** 7/8: what a catalog style is: a shoe (absent = shoe, as every style before 7/8) or an accessory an add-on can be. */
export const StyleKind = z.enum(['shoe', 'socks', 'insoles', 'care']);
export type StyleKind = z.infer<typeof StyleKind>;
export const AccessoryKind = StyleKind.exclude(['shoe']);
export type AccessoryKind = z.infer<typeof AccessoryKind>;
/** Whether a style is an accessory (never suggested as a style; only as an add-on). */
export const isAccessory = (s: { kind?: StyleKind | undefined }): boolean => (s.kind ?? 'shoe') !== 'shoe';

/** EU shoe size, whole or half (e.g. 38, 38.5). */
export const EuSize = z.number().min(EU_SIZE_MIN).max(EU_SIZE_MAX).refine(isHalfStep, 'sizes go in half steps');

export const Store = z.object({
  id: Id,
  name: z.string().min(1).max(80),
  city: z.string().max(40).default(''),
  /** The store's rules for its visits (shared/storeSettings.ts); omitted on an update keeps the current ones. */
  settings: StoreSettings.optional(),
});
export type Store = z.infer<typeof Store>;

export const Sizes = z.object({
  /** EU size, e.g. 38.5 */
  eu: EuSize,
  /** Chinese size in mm of foot length, e.g. 240 */
  cn: z.number().int().min(100).max(330),
});
export type Sizes = z.infer<typeof Sizes>;

/**
 * Longest member name (and English name) in characters. People's names run long — a Spanish or
 * Portuguese name with both family names, a Malay or Indian name with patronymics, a Hong Kong
 * member's Chinese name plus an English one — so a limit near 60 refused real members outright.
 */
export const MAX_MEMBER_NAME = 200;
export const MemberName = z.string().min(1).max(MAX_MEMBER_NAME);

/**
 * A member's birthday as month and day ("MM-DD"): enough for a birthday-week cue and a greeting;
 * the year is not kept (PIPL: no more personal data than the purpose needs).
 */
export const MonthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'give the birthday as MM-DD');
export type MonthDay = z.infer<typeof MonthDay>;

/**
 * What the member agreed to, as recorded by the loyalty programme (PIPL asks for separate consent
 * per purpose). `marketing`: announcements and offers pushed to them; `personalization`:
 * suggestions from their purchases; `contact`: a clerk may reach out 1:1 (follow-up calls, a hold
 * ready). Absent = not given.
 */
export const Consents = z.object({
  marketing: z.boolean().default(false),
  personalization: z.boolean().default(false),
  contact: z.boolean().default(false),
});
export type Consents = z.infer<typeof Consents>;
export const NO_CONSENTS: Consents = { marketing: false, personalization: false, contact: false };

export const Member = z.object({
  id: Id,
  /** Loyalty card code printed on the member's card / QR, e.g. "M0012345". */
  code: z.string().min(1).max(32),
  name: MemberName,
  /** Optional romanised/English name, searched as well. */
  nameEn: z.string().max(MAX_MEMBER_NAME).default(''),
  tier: Tier,
  /** Full phone lives at HQ only; desks receive the masked form and the last 4 digits. */
  phoneMasked: z.string().max(20).default(''),
  phoneLast4: z.string().regex(/^\d{0,4}$/).default(''),
  homeStoreId: Id,
  sizes: Sizes,
  preferences: z.array(Category).max(5).default([]),
  points: z.number().int().nonnegative().default(0),
  /** Member since: the membership anniversary is this date's month and day. */
  joinedAt: Millis,
  updatedAt: Millis,
  birthday: MonthDay.nullable().default(null),
  consents: Consents.default(NO_CONSENTS),
});
export type Member = z.infer<typeof Member>;

export const Purchase = z.object({
  id: Id,
  memberId: Id,
  styleId: Id,
  styleName: z.string().max(80),
  category: Category,
  color: z.string().max(40),
  size: EuSize,
  storeId: Id,
  at: Millis,
  /** Price paid, in fen (1/100 CNY). */
  price: z.number().int().nonnegative(),
});
export type Purchase = z.infer<typeof Purchase>;

export const Colorway = z.object({ code: z.string().min(1).max(20), name: z.string().min(1).max(40) });
export type Colorway = z.infer<typeof Colorway>;

export const Style = z.object({
  id: Id,
  name: z.string().min(1).max(80),
  category: Category,
  /** Price in fen (1/100 CNY). */
  price: z.number().int().nonnegative(),
  colors: z.array(Colorway).min(1).max(20),
  sizes: z.array(EuSize).min(1).max(40),
  releasedAt: Millis,
  /** 7/8: a shoe (absent: shoe) or an accessory (socks, insoles, care) that only ever shows as an add-on. */
  kind: StyleKind.optional(),
  /** 7/8: for an accessory, the shoe categories it goes with (absent or empty: its own `category`). */
  goesWith: z.array(Category).max(5).optional(),
});
export type Style = z.infer<typeof Style>;

export const StockLine = z.object({
  storeId: Id,
  styleId: Id,
  color: z.string().min(1).max(20),
  size: EuSize,
  qty: z.number().int().nonnegative(),
});
export type StockLine = z.infer<typeof StockLine>;

// 4/8 part E (pictures): a style's picture, by reference. The id is the SHA-256 of the bytes (hex),
// so it doubles as the ETag and a picture that did not change is never downloaded twice.
/** Largest style picture HQ keeps, in bytes (as chat images). */
export const MAX_STYLE_IMAGE_BYTES = 2 * 1024 * 1024;
export const StyleImageRef = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/, 'a picture id is the SHA-256 of its bytes, in hex'),
  mime: z.enum(['image/png', 'image/jpeg', 'image/webp']),
  bytes: z.number().int().positive().max(MAX_STYLE_IMAGE_BYTES),
});
export type StyleImageRef = z.infer<typeof StyleImageRef>;

// ---------------------------------------------------------------------------------------------
// 7/8 assisted selling: The next best action (computed at HQ with the profile, per store; rides `arrival`, `member.updated`
// and the snapshot as MemberProfile.next)

/** Why the add-on: structured, so each desk words it in its language. */
export const AddOnReason = z.discriminatedUnion('code', [
  /** "bought running shoes 3 weeks ago": a shoe of a category the accessory goes with, bought lately. */
  z.object({ code: z.literal('bought_recently'), category: Category, styleName: z.string().max(80), days: z.number().int().nonnegative() }),
  /** Goes with the first style suggested today. */
  z.object({ code: z.literal('goes_with_suggestion'), category: Category, styleName: z.string().max(80) }),
  /** The member likes the category (their stated preference). */
  z.object({ code: z.literal('likes_category'), category: Category }),
]);
export type AddOnReason = z.infer<typeof AddOnReason>;

export const AddOn = z.object({
  styleId: Id,
  name: z.string().max(80),
  kind: AccessoryKind,
  /** Price in fen. */
  price: z.number().int().nonnegative(),
  /** The size in stock to hand over (the member's, or the nearest stocked); null when any size does (care kits). */
  size: EuSize.nullable(),
  image: StyleImageRef.nullable().optional(),
  reason: AddOnReason,
});
export type AddOn = z.infer<typeof AddOn>;

/** Cues HQ adds to the card (the birthday week the desk works out itself, in the store's zone). */
export const ActionCue = z.discriminatedUnion('code', [
  /** Not seen at any store for `days` days (LONG_ABSENT_DAYS or more). */
  z.object({ code: z.literal('long_absent'), days: z.number().int().nonnegative() }),
  /** A pair is held for them at this store. */
  z.object({ code: z.literal('hold_waiting'), holdId: Id, styleName: z.string().max(80), size: EuSize, until: Millis }),
]);
export type ActionCue = z.infer<typeof ActionCue>;

export const LONG_ABSENT_DAYS = 90;
export const MAX_NEXT_STYLES = 3;

export const NextBestAction = z.object({
  /** false: the member opted out of personalised suggestions; `styles` are this store's popular ones. */
  personalized: z.boolean(),
  /** The member's last purchase anywhere in the chain (null: none). */
  lastPurchase: z
    .object({ styleId: Id, styleName: z.string().max(80), category: Category, size: EuSize, at: Millis, storeId: Id })
    .nullable(),
  /** Up to 3 style ids, in order, from the profile's `recommendations` (which carry name, stock, reasons). */
  styles: z.array(Id).max(MAX_NEXT_STYLES),
  /** At most one accessory, with its reason; null when none fits or the member opted out. */
  addOn: AddOn.nullable(),
  cues: z.array(ActionCue).max(5),
});
export type NextBestAction = z.infer<typeof NextBestAction>;


/**
 * Why a style is recommended, as structured codes so each desk renders them in its own
 * language (see shared/i18n). `formatReasons` turns them into the sentence a clerk reads aloud.
 */
export const Reason = z.discriminatedUnion('code', [
  z.object({ code: z.literal('preference'), category: Category }),
  z.object({ code: z.literal('bought_category'), category: Category, count: z.number().int().positive() }),
  z.object({ code: z.literal('size_in_stock'), size: EuSize, qty: z.number().int().positive() }),
  z.object({ code: z.literal('new_this_week') }),
  z.object({ code: z.literal('new_arrival') }),
  z.object({ code: z.literal('popular_in_store') }),
]);
export type Reason = z.infer<typeof Reason>;

export const Recommendation = z.object({
  styleId: Id,
  name: z.string().max(80),
  category: Category,
  price: z.number().int().nonnegative(),
  /** Colors in stock at this store in the member's size. */
  colors: z.array(Colorway),
  /** Stock at this store per size (all sizes of the style, summed over colors). */
  stockBySize: z.array(z.object({ size: EuSize, qty: z.number().int().nonnegative() })),
  score: z.number(),
  reasons: z.array(Reason).min(1),
  /** The style's picture (part E); absent on rows made before pictures, null when the style has none. */
  image: StyleImageRef.nullable().optional(),
});
export type Recommendation = z.infer<typeof Recommendation>;

/** Where an arrival came from; `counter`: a clerk checked the member in at the desk (4/8 part A). */
export const ArrivalSource = z.enum(['door', 'miniprogram', 'pos', 'counter']);
export type ArrivalSource = z.infer<typeof ArrivalSource>;

export const VisitStatus = z.enum(['open', 'claimed', 'closed']);
export type VisitStatus = z.infer<typeof VisitStatus>;

/**
 * How a visit ended: the three a clerk picks when closing a served visit, or `left` — the member
 * went without being served (a clerk marked it, or HQ did when nobody claimed it in time).
 */
export const Outcome = z.enum(['purchased', 'tried', 'browsed', 'left']);
export type Outcome = z.infer<typeof Outcome>;
/** The outcomes of closing a served visit (`left` has its own command). */
export const ServedOutcome = z.enum(['purchased', 'tried', 'browsed']);
export type ServedOutcome = z.infer<typeof ServedOutcome>;

/** Who acted: the counter PC, and the clerk signed in at it (absent on actions recorded before clerk sign-in existed). */
export const Actor = z.object({
  deviceId: Id,
  deviceName: z.string().max(60),
  clerkId: Id.optional(),
  clerkName: z.string().max(60).optional(),
});
export type Actor = z.infer<typeof Actor>;


/** A clerk took a claimed visit over from its holder: who, from whom, when (HQ's bounded action time). */
export const Takeover = z.object({ from: Actor, by: Actor, at: Millis });
export type Takeover = z.infer<typeof Takeover>;

export const Note = z.object({
  id: Id,
  visitId: Id,
  memberId: Id,
  text: z.string().min(1).max(2000),
  by: Actor,
  at: Millis,
});
export type Note = z.infer<typeof Note>;

export const Visit = z.object({
  id: Id,
  storeId: Id,
  memberId: Id,
  source: ArrivalSource,
  status: VisitStatus,
  arrivedAt: Millis,
  /** Last time the member was seen (a repeat arrival within 30 minutes bumps this). */
  lastSeenAt: Millis,
  arrivals: z.number().int().positive(),
  claimedBy: Actor.nullable(),
  claimedAt: Millis.nullable(),
  closedAt: Millis.nullable(),
  outcome: Outcome.nullable(),
  notes: z.array(Note),
  /** Explicit take-overs of the claim, oldest first (absent on visits never taken over). */
  takeovers: z.array(Takeover).max(100).optional(),
});
export type Visit = z.infer<typeof Visit>;

/** What a desk needs to serve a member: the member, recent purchases, and styles to suggest. */
export const MemberProfile = z.object({
  member: Member,
  purchases: z.array(Purchase).max(50),
  recommendations: z.array(Recommendation).max(6),
  /** 7/8: the next best action at this store (absent on profiles made before 7/8). */
  next: NextBestAction.optional(),
});
export type MemberProfile = z.infer<typeof MemberProfile>;

export const MessageKind = z.enum(['text', 'product', 'image']);
export type MessageKind = z.infer<typeof MessageKind>;

/** A style sent in chat: the catalog entry with its price and what this store has in stock. */
export const ProductCard = z.object({
  styleId: Id,
  name: z.string().max(80),
  category: Category,
  /** Price in fen (1/100 CNY). */
  price: z.number().int().nonnegative(),
  /** Colors with stock at the store. */
  colors: z.array(Colorway).max(20),
  /** Sizes in stock at the store (qty > 0), summed over colors. */
  sizes: z.array(z.object({ size: EuSize, qty: z.number().int().positive() })).max(40),
  /** The style's picture (part E); absent on cards sent before pictures, null when the style has none. */
  image: StyleImageRef.nullable().optional(),
});
export type ProductCard = z.infer<typeof ProductCard>;

export const ImageMime = z.enum(['image/png', 'image/jpeg', 'image/webp']);
export type ImageMime = z.infer<typeof ImageMime>;
/** Largest chat image HQ accepts, in bytes. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** An uploaded chat image; the bytes are at GET /v1/chat/images/{id} (authenticated). */
export const ImageRef = z.object({ id: Id, mime: ImageMime, bytes: z.number().int().positive().max(MAX_IMAGE_BYTES) });
export type ImageRef = z.infer<typeof ImageRef>;

/**
 * Chat message between a member and a store (one conversation per member and store).
 * `n` is HQ's order inside the conversation (1, 2, …, gap-free); `clientId` is the sender's own id
 * for the message, which makes a resend idempotent. A recalled message keeps its place but loses
 * its content (`body` '', `product`/`image` null).
 */
export const Message = z.object({
  id: Id,
  clientId: Id,
  storeId: Id,
  memberId: Id,
  n: z.number().int().positive(),
  from: z.enum(['member', 'clerk']),
  /** The desk (and clerk) that sent a clerk message; null for the member. */
  by: Actor.nullable(),
  kind: MessageKind,
  body: z.string().max(4000),
  product: ProductCard.nullable().default(null),
  image: ImageRef.nullable().default(null),
  at: Millis,
  recalledAt: Millis.nullable().default(null),
});
export type Message = z.infer<typeof Message>;

/**
 * Cumulative receipts of a conversation, as conversation positions (`n`): the member's client has
 * received / read every store message up to `memberDelivered` / `memberRead`; some desk of the
 * store has received every member message up to `storeDelivered`, and a clerk read up to `storeRead`.
 */
export const Receipts = z.object({
  memberDelivered: z.number().int().nonnegative(),
  memberRead: z.number().int().nonnegative(),
  storeDelivered: z.number().int().nonnegative(),
  storeRead: z.number().int().nonnegative(),
});
export type Receipts = z.infer<typeof Receipts>;
