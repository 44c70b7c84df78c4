// What a member shows at the counter, as text (4/8 part A): the member QR (`FOOTFALL:<card code>`,
// hq/app/memberCard.ts), a card code typed or read by a USB scanner (it types like a keyboard), or a
// phone number. Pure: the desk's check-in dialog and its scan catcher both parse with it.

/** What the member QR holds before the card code. */
export const MEMBER_QR_PREFIX = 'FOOTFALL:';

/** A card code: 1–4 letters, then digits (e.g. "M100013", "M0000001"); 4–32 characters. */
const CARD_CODE = /^[A-Z]{1,4}\d{3,28}$/;

export type MemberScan = { kind: 'code'; code: string; fromQr: boolean } | { kind: 'phone'; phone: string };

/**
 * Parses what was typed or scanned: a member QR's text, a card code (case-insensitive, spaces
 * ignored) or a phone number (digits with spaces, dashes, a leading +86; 5–20 digits). Null when it
 * is none of these.
 */
export function parseMemberScan(raw: string): MemberScan | null {
  const text = raw.trim();
  if (text === '' || text.length > 80) return null;
  if (text.toUpperCase().startsWith(MEMBER_QR_PREFIX)) {
    const code = text.slice(MEMBER_QR_PREFIX.length).trim().toUpperCase();
    return CARD_CODE.test(code) ? { kind: 'code', code, fromQr: true } : null;
  }
  const compact = text.replace(/\s+/g, '').toUpperCase();
  if (CARD_CODE.test(compact)) return { kind: 'code', code: compact, fromQr: false };
  if (/^\+?[\d\s()-]+$/.test(text)) {
    let digits = text.replace(/\D/g, '');
    if (text.startsWith('+86') && digits.length === 13) digits = digits.slice(2);
    if (digits.length >= 5 && digits.length <= 20) return { kind: 'phone', phone: digits };
  }
  return null;
}

/** What a pending phone check-in shows instead of the number: its first 3 digits ("138…"). */
export function phoneHint(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `${digits.slice(0, 3)}…`;
}

/** A scanner's burst: at least this many characters … */
export const SCAN_MIN_CHARS = 6;
/** … each within this many ms of the previous one, ended by Enter. People do not type that fast. */
export const SCAN_MAX_GAP_MS = 30;

/**
 * Catches a USB scanner typing while no field has focus: feed it each key (its `key` and time);
 * it answers the scanned text when Enter ends a burst of ≥ SCAN_MIN_CHARS characters less than
 * SCAN_MAX_GAP_MS apart, null otherwise. A slow key starts a new burst. Pure apart from its buffer.
 */
export class ScanCatcher {
  private buffer = '';
  private lastAt = -Infinity;

  key(key: string, at: number): string | null {
    const fast = at - this.lastAt < SCAN_MAX_GAP_MS;
    this.lastAt = at;
    if (key === 'Enter') {
      const text = fast ? this.buffer : '';
      this.buffer = '';
      return text.length >= SCAN_MIN_CHARS ? text : null;
    }
    if (key.length !== 1) {
      // Shift and the like come with a scanner's capitals: they neither add nor break the burst.
      if (key !== 'Shift') this.buffer = '';
      return null;
    }
    this.buffer = fast ? this.buffer + key : key;
    if (this.buffer.length > 80) this.buffer = this.buffer.slice(-80);
    return null;
  }

  reset(): void {
    this.buffer = '';
    this.lastAt = -Infinity;
  }
}
