// Bounds a form shows and a schema enforces, held apart from the schemas so the page reads them
// without loading the schema library: building zod's schemas was ~100 ms of the page's start on a
// counter-class box (README.md, Layout; test/unit/renderer-start.test.ts keeps zod out of what the
// page loads at start). Groups, live rooms, holds, a message's recall window and shoe sizes; the
// schema modules (groups.ts, live.ts, holds.ts, domain.ts) build their checks on these, and every
// other reader, HQ and the desk core too, imports them from here.

// --- groups (shared/groups.ts) ---------------------------------------------------------------------

export const GROUP_NAME_MAX = 40;
export const GROUP_TOPIC_MAX = 200;
export const GROUP_NOTICE_MAX = 500;
export const GROUP_WELCOME_MAX = 500;
/** A member's message: shorter than a clerk's, as in WeCom groups. */
export const GROUP_MEMBER_TEXT_MAX = 500;
export const GROUP_HOST_TEXT_MAX = 2000;
export const NICKNAME_MAX = 20;
/** Slow mode: at most one message per member per this many seconds (0 = off). Hosts are never slowed. */
export const SLOW_MODE_MAX_SEC = 3600;
/** Every member, slow mode or not: at most this many messages per minute per group. */
export const GROUP_MEMBER_MESSAGES_PER_MIN = 10;
/** A host's mute: up to 30 days. */
export const GROUP_MUTE_MAX_MIN = 30 * 24 * 60;
/** An invite link: valid 1 to 90 days, 30 by default. */
export const INVITE_DAYS_DEFAULT = 30;
export const INVITE_DAYS_MAX = 90;
/** The chain's monthly announcement cap per member, unless it configures another (0 = no announcements pushed). */
export const PUSH_CAP_DEFAULT = 4;
export const KEYWORDS_MAX = 500;

// --- live rooms (shared/live.ts) -------------------------------------------------------------------

export const LIVE_TITLE_MAX = 60;
export const LIVE_TEXT_MAX = 500;
export const LIVE_COMMENT_MAX = 200;
export const LIVE_QUESTION_MAX = 300;
/** Every viewer, slow mode or not: at most this many comments per 10 s. */
export const LIVE_COMMENTS_PER_10S = 3;
export const LIVE_SLOW_MODE_MAX_SEC = 600;
export const POLL_OPTIONS_MIN = 2;
export const POLL_OPTIONS_MAX = 6;
export const LOTTERY_WINNERS_MAX = 50;
/** Comments a viewer's socket gets at welcome (the newest, from the node's memory). */
export const LIVE_BACKLOG = 50;
/** Comments and reactions are sent to viewers in batches at most this often. */
export const LIVE_BATCH_MS = 100;

// --- holds (shared/holds.ts) -----------------------------------------------------------------------

/** How long a hold lasts, in days: 1 to 14, 3 unless the clerk says otherwise. */
export const HOLD_DAYS_MIN = 1;
export const HOLD_DAYS_MAX = 14;
export const HOLD_DAYS_DEFAULT = 3;

// --- chat (shared/protocol.ts) ---------------------------------------------------------------------

/** How long after HQ's timestamp the sender may recall a message. */
export const RECALL_WINDOW_MS = 2 * 60 * 1000;

// --- shoe sizes (shared/domain.ts EuSize) ----------------------------------------------------------

export const EU_SIZE_MIN = 16;
export const EU_SIZE_MAX = 52;
/** Sizes go in half steps (38, 38.5). */
export const isHalfStep = (n: number): boolean => Number.isInteger(n * 2);
/** An EU shoe size, whole or half, as `EuSize` accepts it. */
export const isEuSize = (n: number): boolean => Number.isFinite(n) && n >= EU_SIZE_MIN && n <= EU_SIZE_MAX && isHalfStep(n);
