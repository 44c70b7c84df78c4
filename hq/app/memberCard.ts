// The member's card as a QR (4/8 part A): the member page shows it ("My card") and the counter's
// USB scanner reads it to check the member in (shared/memberScan.ts parses it).
//
// What the QR holds: `FOOTFALL:<card code>` and nothing else. The card code is already printed on
// the member's physical card and is not a credential: it names the member, it does not sign anyone
// in (member sign-in also needs the phone's last 4 digits, throttled chain-wide; a check-in is a
// clerk's action at a counter with a device token, with the member standing there). A signed,
// short-lived token would only stop a photographed QR from checking someone in — which the printed
// code allows anyway — and would need the desk to verify it offline; so the QR stays the plain code,
// which also scans offline into the cache's member.
import QRCode from 'qrcode';
import { MEMBER_QR_PREFIX } from '../../shared/memberScan.ts';

/** The text a member's QR holds. */
export const memberQrText = (code: string): string => `${MEMBER_QR_PREFIX}${code}`;

/** The member's QR as an SVG document. */
export function memberCardSvg(code: string): Promise<string> {
  return qrSvg(memberQrText(code));
}

/** Any text as a QR SVG document (error correction M: a phone screen with some glare still reads); a group's join link too (5/8). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 240 });
}
