// What the desk side (commands.ts) and the member side (memberSide.ts) of groups share: the
// announcement cap's month, invite tokens, emptying a recalled or deleted message, the host rule.
//
// Invariant: these are pure (no store, no clock of their own), so both sides apply one rule the
// same way, and the unit tests hold them without an HQ.
import { randomBytes } from 'node:crypto';
import { type Actor } from '../../../shared/domain.ts';
import { type Group, type GroupMessage } from '../../../shared/groups.ts';
import { type Rejection } from '../../../shared/protocol.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;
/** The zone the chain's monthly announcement cap counts in (China has kept UTC+8 without DST since 1991). */
export const CAP_ZONE = 'Asia/Shanghai';
/** Members read per page when an announcement works out its recipients (one underCap query per page). */
export const ANNOUNCE_PAGE = 500;

/**
 * A refusal of a group use case, thrown before anything is written. Desk commands turn it into a
 * rejection; the member routes (hq/edge/http) into an HTTP status. `gone`: the member's membership
 * or the link ended; `unauthorized`: no such member (erased meanwhile).
 */
export class GroupError extends Error {
  constructor(
    readonly code: Rejection['code'] | 'unauthorized' | 'gone',
    message: string,
  ) {
    super(message);
    this.name = 'GroupError';
  }
}

const monthFormat = new Intl.DateTimeFormat('en-CA', { timeZone: CAP_ZONE, year: 'numeric', month: '2-digit' });
const minuteFormat = new Intl.DateTimeFormat('en-CA', { timeZone: CAP_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The calendar month ('YYYY-MM') of `at` in Asia/Shanghai: the announcement cap's counting period. */
export function capMonth(at: number): string {
  const parts = Object.fromEntries(monthFormat.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}`;
}

/** `at` as 'YYYY-MM-DD HH:mm' in Asia/Shanghai (a mute's end, in a refusal's message). */
export function shanghaiMinute(at: number): string {
  const p = Object.fromEntries(minuteFormat.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** An invite token: 32 url-safe characters from 24 random bytes (192 bits: not guessable). */
export function newInviteToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Whether the acting clerk hosts the group (a desk with no clerk signed in hosts nothing). */
export function isHost(group: Group, actor: Actor): boolean {
  return actor.clerkId !== undefined && group.hosts.some((h) => h.clerkId === actor.clerkId);
}

/** A recalled or deleted message keeps its place and its sender, and loses its content. */
export function emptied(m: GroupMessage, change: { recalledAt: number } | { deletedAt: number; deletedBy: Actor }): GroupMessage {
  return { ...m, body: '', product: null, image: null, replyTo: null, ...change };
}

/** A reply's quote: the answered message's position, its sender's nickname and the start of its text. */
export function replyRef(m: GroupMessage): { n: number; nickname: string | null; excerpt: string } {
  const gone = m.recalledAt !== null || m.deletedAt !== null;
  const text = gone ? '' : m.body || (m.product ? m.product.name : '');
  let excerpt = '';
  for (const ch of text) {
    if (excerpt.length + ch.length > 80) break; // whole characters, within the schema's 80 code units
    excerpt += ch;
  }
  return { n: m.n, nickname: m.nickname, excerpt };
}
