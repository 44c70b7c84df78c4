// Shoe sizes between the systems a member may name: EU (what the catalog and stock use), the
// Chinese size in mm of foot length (GB/T 3293.1 style, as `Sizes.cn`), US men's, US women's and UK.
//
// Invariant: every conversion goes through the table below, and only through it — nothing is
// extrapolated beyond its rows (a size outside the chart converts to null, and the assistant then
// says it cannot convert it rather than invent a number).
//
// Source and approximation: a common retail chart for adult sports shoes in China (EU 38 = 240 mm,
// each EU size 5 mm; US women's = US men's + 1.5; UK = US men's − 0.5 to − 1). Brands differ by up
// to half a size, which is why the assistant calls its answers approximate. Half EU sizes are not
// rows of the chart: their mm is the midpoint (38.5 = 242.5 mm) and their US/UK the midpoint of
// the neighbours rounded down to a half size. Pure: no Node or DOM.

/** One row of the chart: a whole EU size. */
export interface SizeRow {
  eu: number;
  mm: number;
  usMen: number;
  usWomen: number;
  uk: number;
}

// prettier-ignore
/** The chart: EU | CN mm | US men | US women | UK */
const WHOLE: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [35, 225, 3.5,  5,    2.5],
  [36, 230, 4,    5.5,  3.5],
  [37, 235, 5,    6.5,  4],
  [38, 240, 6,    7.5,  5],
  [39, 245, 6.5,  8,    5.5],
  [40, 250, 7,    8.5,  6.5],
  [41, 255, 8,    9.5,  7],
  [42, 260, 8.5,  10,   7.5],
  [43, 265, 9.5,  11,   8.5],
  [44, 270, 10,   11.5, 9],
  [45, 275, 11,   12.5, 10],
  [46, 280, 12,   13.5, 11],
  [47, 285, 12.5, 14,   11.5],
];

const halfDown = (n: number) => Math.floor(n * 2) / 2;

/** The chart in half EU steps (whole rows as written, half rows between them). */
export const SIZE_CHART: readonly SizeRow[] = WHOLE.flatMap(([eu, mm, usMen, usWomen, uk], i) => {
  const row: SizeRow = { eu, mm, usMen, usWomen, uk };
  const next = WHOLE[i + 1];
  if (!next) return [row];
  const mid = (a: number, b: number) => halfDown((a + b) / 2);
  return [row, { eu: eu + 0.5, mm: (mm + next[1]) / 2, usMen: mid(usMen, next[2]), usWomen: mid(usWomen, next[3]), uk: mid(uk, next[4]) }];
});

export type SizeSystem = 'eu' | 'mm' | 'usMen' | 'usWomen' | 'uk';
export const SIZE_SYSTEMS: readonly SizeSystem[] = ['eu', 'mm', 'usMen', 'usWomen', 'uk'];

/**
 * The chart row a size in `system` names, or null when it is off the chart. EU and mm must be a
 * row's exact value (mm also within 2.5 mm: a foot of 243 mm is 38.5); US and UK sizes, which
 * several EU half sizes share, take the smallest EU row with that value.
 */
export function sizeRow(system: SizeSystem, value: number): SizeRow | null {
  if (!Number.isFinite(value)) return null;
  if (system === 'mm') {
    let best: SizeRow | null = null;
    for (const r of SIZE_CHART) if (Math.abs(r.mm - value) <= 1.25 && (!best || Math.abs(r.mm - value) < Math.abs(best.mm - value))) best = r;
    return best;
  }
  return SIZE_CHART.find((r) => r[system] === value) ?? null;
}

/** The EU size a size in `system` is (null: off the chart). */
export function toEu(system: SizeSystem, value: number): number | null {
  return sizeRow(system, value)?.eu ?? null;
}

/** `value` in `from` converted to `to` (null: off the chart). */
export function convertSize(from: SizeSystem, value: number, to: SizeSystem): number | null {
  const row = sizeRow(from, value);
  return row ? row[to] : null;
}
