// Phone numbers: HQ matches on digits only and keeps the full number to itself.
// Desks get a masked form (138****5678) and the last 4 digits for search at the counter.

/** Digits only, without a leading +86/0086 country code, so "+86 138-0013-8000" = "13800138000". */
export function normalizePhone(raw: string): string {
  let digits = raw.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  else if (digits.length === 15 && digits.startsWith('0086')) digits = digits.slice(4);
  return digits;
}

export function maskPhone(digits: string): string {
  if (digits.length < 7) return digits.length ? '*'.repeat(Math.max(0, digits.length - 2)) + digits.slice(-2) : '';
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

export function phoneLast4(digits: string): string {
  return digits.slice(-4);
}
