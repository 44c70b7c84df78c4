// HQ's wrong-PIN count and lockout live in its database (migration 4), so restarting HQ on
// the same file neither clears a lockout nor resets the count of wrong PINs so far.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIN_MAX_FAILURES } from '../../shared/clerks.ts';
import { MIGRATIONS } from '../../hq/adapters/sqlite/migrations.ts';
import { TestHq } from '../support/hq.ts';

let t: TestHq;
let token: string;

const signIn = async (clerkId: string, pin: string) => {
  const res = await fetch(`${t.hq.url}/v1/clerks/signin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clerkId, pin }),
  });
  return { status: res.status, body: (await res.json()) as { attemptsLeft?: number; retryAt?: number } };
};

beforeAll(async () => {
  t = await TestHq.start({ httpRateLimits: false, seed: 'storesAB' });
  const res = await t.ingestRaw('clerks', [
      { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'bo', storeId: 'store-a', name: 'Bo', role: 'clerk', pin: '2222' },
    ]);
  expect(res.status).toBe(200);
  token = (await t.enroll('store-a')).token;
}, 30_000);

afterAll(async () => {
  await t?.dispose();
});

describe('HQ wrong-PIN lockout', () => {
  it('is schema step 4', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(5);
    expect(MIGRATIONS[3]).toContain('clerk_lockouts');
    // Step 5 moved the last per-process state into the database (sign-in failures, receipt scan).
    expect(MIGRATIONS[4]).toContain('member_login_failures');
  });

  it('survives an HQ restart on the same file, and so does the count of wrong PINs', async () => {
    for (let i = 1; i < PIN_MAX_FAILURES; i++) expect(await signIn('ann', '0000')).toMatchObject({ status: 401, body: { attemptsLeft: PIN_MAX_FAILURES - i } });
    const locked = await signIn('ann', '0000');
    expect(locked.status).toBe(423);
    const retryAt = locked.body.retryAt!;
    expect(retryAt).toBeGreaterThan(Date.now());

    expect(await signIn('bo', '0000')).toMatchObject({ status: 401, body: { attemptsLeft: PIN_MAX_FAILURES - 1 } });
    expect(await signIn('bo', '0000')).toMatchObject({ status: 401, body: { attemptsLeft: PIN_MAX_FAILURES - 2 } });

    await t.restart({ httpRateLimits: false });

    // Ann is still locked out, even with the right PIN, until the same time.
    expect(await signIn('ann', '1111')).toEqual({ status: 423, body: expect.objectContaining({ retryAt }) });
    // Bo's two wrong PINs still count.
    expect(await signIn('bo', '0000')).toMatchObject({ status: 401, body: { attemptsLeft: PIN_MAX_FAILURES - 3 } });
    // A right PIN clears the count.
    expect((await signIn('bo', '2222')).status).toBe(200);
    expect(await signIn('bo', '0000')).toMatchObject({ status: 401, body: { attemptsLeft: PIN_MAX_FAILURES - 1 } });
  });
});
