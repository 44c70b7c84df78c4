// The birthday sweep asks its index for the week's "MM-DD" keys (shared/tasks.ts birthdayKeysWithin):
// they must be exactly the birthdays `birthdayWithin` places in the week — over the turn of the year,
// and 29 February in years with and without it.
import { describe, expect, it } from 'vitest';
import { birthdayKeysWithin, birthdayWithin } from '../../shared/tasks.ts';

describe('birthdayKeysWithin', () => {
  it('answers the week’s seven days, the turn of the year included', () => {
    expect(birthdayKeysWithin({ year: 2026, month: 7, day: 14 })).toEqual(['07-14', '07-15', '07-16', '07-17', '07-18', '07-19', '07-20']);
    expect(birthdayKeysWithin({ year: 2026, month: 12, day: 28 })).toEqual(['01-01', '01-02', '01-03', '12-28', '12-29', '12-30', '12-31']);
  });

  it('asks for 29 February in a week holding 28 February of a year without it, and in a leap year only when the 29th is in the week', () => {
    // 2027: 29 February is celebrated on the 28th, so a week from 25 February holds it.
    expect(birthdayKeysWithin({ year: 2027, month: 2, day: 25 })).toEqual(['02-25', '02-26', '02-27', '02-28', '02-29', '03-01', '03-02', '03-03']);
    expect(birthdayKeysWithin({ year: 2027, month: 3, day: 1 })).not.toContain('02-29');
    // 2028 is a leap year: the 29th is a day of its own.
    expect(birthdayKeysWithin({ year: 2028, month: 2, day: 25 })).toEqual(['02-25', '02-26', '02-27', '02-28', '02-29', '03-01', '03-02']);
    expect(birthdayKeysWithin({ year: 2028, month: 2, day: 22 })).not.toContain('02-29');
    // A week from 23 December reaches 29 February of no year.
    expect(birthdayKeysWithin({ year: 2027, month: 12, day: 23 })).toHaveLength(7);
  });

  it('agrees with birthdayWithin on every day of a leap year and of a year without 29 February, for every birthday', () => {
    const every: string[] = [];
    for (let m = 1; m <= 12; m++) for (let d = 1; d <= new Date(Date.UTC(2000, m, 0)).getUTCDate(); d++) every.push(`${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    expect(every).toHaveLength(366);
    for (const year of [2027, 2028]) {
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
        const at = new Date(t);
        const today = { year, month: at.getUTCMonth() + 1, day: at.getUTCDate() };
        const keys = birthdayKeysWithin(today);
        expect(keys, JSON.stringify(today)).toEqual(every.filter((b) => birthdayWithin(b, today) !== null));
        expect(keys.length).toBeGreaterThanOrEqual(7);
        expect(keys.length).toBeLessThanOrEqual(8);
      }
    }
  });
});
