// Suggestion marks on real desk cores (own cache files) against a real HQ (7/8 card): the arrival
// brings HQ's next best action into the cache (styles and, with running socks in stock, an add-on);
// a clerk's "Used" / "Not relevant" on them made offline shows pending at once, goes to HQ exactly
// once when the link is back, and comes back as HQ's `suggest.marked` into the cache (confirmed, the
// outbox empty); a later mark replaces the verdict; a mark on something the card did not show is
// refused by HQ and shown refused; a desk enrolled later gets the marks from its snapshot; a visit
// the desk does not have (another store's) is refused before anything is queued; erasure leaves no
// mark in the cache.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { DeskError } from '../../shared/deskApi.ts';
import type { NextBestAction, Style } from '../../shared/domain.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'storesAB', unservedSweepMs: 0 });
});
afterEach(async () => {
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
async function started(storeId: string, name: string) {
  const c = await t.desk(storeId, name);
  c.desk.start();
  await waitFor(() => online(c.desk), 5000, `${name} online`);
  return c;
}
/** Running socks in stock at store A in every size, as the chain's systems would send them: the card's add-on. */
async function stockSocks(): Promise<void> {
  const sizes = [37, 38, 39];
  const socks: Style = { id: 'acc-socks', name: 'Run Socks', category: 'running', price: 5900, colors: [{ code: 'WHT', name: 'White' }], sizes, releasedAt: Date.now() - 86_400_000, kind: 'socks', goesWith: ['running', 'casual', 'retro'] };
  await t.ingest('catalog', [socks]);
  await t.ingest('stock', sizes.map((size) => ({ storeId: 'store-a', styleId: socks.id, color: 'WHT', size, qty: 5 })));
}
/** The next best action the arrival brought into the desk's cache. */
async function nextOf(d: DeskCore, memberId: string): Promise<NextBestAction> {
  const next = (await d.getMember(memberId))?.next;
  if (!next) throw new Error(`no next best action for ${memberId} in the cache`);
  return next;
}
const marksOf = (d: DeskCore, visitId: string) => d.listSuggestionMarks(visitId).then((ms) => ms.map((m) => [m.styleId, m.role, m.verdict, m.sync]));

describe('suggestion marks on the desk', () => {
  it('a mark made offline shows pending, goes out once when online, and comes back confirmed; marking again replaces it', async () => {
    await stockSocks();
    const { desk, deviceId } = await started('store-a', 'A1');
    const events: Array<string | null> = [];
    desk.on('marks', (e) => events.push(e.visitId));
    const { visitId } = await t.arrival('store-a', 'm1');
    await waitFor(async () => (await desk.getVisit(visitId)) !== null, 5000, 'arrival on the desk');
    // HQ's next best action came with the arrival and is in the cache: styles, and the socks as add-on.
    const next = await nextOf(desk, 'm1');
    expect(next.personalized).toBe(true);
    expect(next.styles.length).toBeGreaterThanOrEqual(2);
    expect(next.addOn).toMatchObject({ styleId: 'acc-socks', kind: 'socks', size: 38 });
    const [s1, s2] = next.styles as [string, string];

    await desk.stop();
    expect(await online(desk)).toBe(false);
    const { opId } = await desk.markSuggestion(visitId, s1, 'style', 'used');
    await desk.markSuggestion(visitId, 'acc-socks', 'addon', 'not_relevant');
    // Shown at once, pending; on disk in the outbox under the mark's own subject, not the visit's.
    expect(await marksOf(desk, visitId)).toEqual([
      [s1, 'style', 'used', 'pending'],
      ['acc-socks', 'addon', 'not_relevant', 'pending'],
    ]);
    expect(events).toEqual([visitId, visitId]);
    expect(desk.outbox().map((o) => [o.type, o.visitId])).toEqual([
      ['suggest.mark', `mark:${visitId}`],
      ['suggest.mark', `mark:${visitId}`],
    ]);
    // The visit itself shows no pending action: a mark is not a claim or a close.
    expect((await desk.getVisit(visitId))!.sync).toBeNull();
    expect(desk.stats.commandsSent).toBe(0);

    desk.start();
    await waitFor(async () => desk.outbox().length === 0, 5000, 'marks settled');
    // Confirmed ones are listed by HQ's action time: two marks queued offline within a moment may get
    // the same bounded time, so compare them as a set.
    expect((await marksOf(desk, visitId)).sort()).toEqual([
      ['acc-socks', 'addon', 'not_relevant', 'confirmed'],
      [s1, 'style', 'used', 'confirmed'],
    ].sort());
    expect(desk.stats.commandsSent).toBe(2);
    // HQ's log has each mark once, naming the op and this desk.
    const log = (await t.readLog('store-a')).filter((e) => e.type === 'suggest.marked');
    expect(log).toHaveLength(2);
    const first = log[0]!;
    if (first.type !== 'suggest.marked') throw new Error('not a mark');
    expect(first.data.opId).toBe(opId);
    expect(first.data.mark).toMatchObject({ storeId: 'store-a', visitId, memberId: 'm1', styleId: s1, role: 'style', verdict: 'used', by: { deviceId } });

    // The clerk changes their mind: the same suggestion again replaces the verdict.
    await desk.markSuggestion(visitId, s1, 'style', 'not_relevant');
    expect((await marksOf(desk, visitId)).find((m) => m[0] === s1)).toEqual([s1, 'style', 'not_relevant', 'pending']);
    await waitFor(async () => desk.outbox().length === 0, 5000, 'second mark settled');
    expect((await marksOf(desk, visitId)).sort()).toEqual([
      ['acc-socks', 'addon', 'not_relevant', 'confirmed'],
      [s1, 'style', 'not_relevant', 'confirmed'],
    ].sort());
    expect((await t.readLog('store-a')).filter((e) => e.type === 'suggest.marked')).toHaveLength(3);

    // A mark on a style in the wrong role, and on a style the card never showed: HQ refuses both,
    // and the card shows each refused with HQ's reason (the visit itself gets no notice).
    await desk.markSuggestion(visitId, s2, 'addon', 'used');
    await desk.markSuggestion(visitId, 'not-shown', 'style', 'used');
    await waitFor(async () => desk.outbox().every((o) => o.state === 'rejected'), 5000, 'refusals');
    const refused = (await desk.listSuggestionMarks(visitId)).filter((m) => m.sync === 'rejected');
    expect(refused.map((m) => [m.styleId, m.rejection?.code])).toEqual([
      [s2, 'invalid'],
      ['not-shown', 'invalid'],
    ]);
    expect((await desk.getVisit(visitId))!.notice).toBeNull();
    // Marking the same suggestion again (rightly) replaces the refusal.
    await desk.markSuggestion(visitId, s2, 'style', 'used');
    await waitFor(async () => (await desk.listSuggestionMarks(visitId)).some((m) => m.styleId === s2 && m.sync === 'confirmed'), 5000, 'remarked');
    expect(desk.outbox().map((o) => o.data)).toEqual([expect.objectContaining({ styleId: 'not-shown' })]);
  });

  it('a desk enrolled later loads the marks from its snapshot; another store’s visit is unknown; erasure removes them', async () => {
    const a1 = await started('store-a', 'A1');
    const { visitId } = await t.arrival('store-a', 'm2');
    await waitFor(async () => (await a1.desk.getVisit(visitId)) !== null, 5000, 'arrival on A1');
    const shown = (await nextOf(a1.desk, 'm2')).styles[0]!;
    await a1.desk.markSuggestion(visitId, shown, 'style', 'used');
    await waitFor(async () => a1.desk.outbox().length === 0, 5000, 'mark settled');

    const a2 = await started('store-a', 'A2');
    await waitFor(async () => (await a2.desk.listSuggestionMarks(visitId)).length === 1, 5000, 'snapshot marks');
    expect(await marksOf(a2.desk, visitId)).toEqual([[shown, 'style', 'used', 'confirmed']]);
    expect((await t.snapshot(a2.token)).suggestionMarks?.map((m) => [m.visitId, m.styleId, m.verdict])).toEqual([[visitId, shown, 'used']]);

    // Store B's desk does not have store A's visit: refused here, nothing queued, nothing sent.
    const b1 = await started('store-b', 'B1');
    await expect(b1.desk.markSuggestion(visitId, shown, 'style', 'used')).rejects.toMatchObject({ code: 'not_found' });
    expect(b1.desk.outbox()).toEqual([]);
    expect(await b1.desk.listSuggestionMarks(visitId)).toEqual([]);
    // A bad verdict or role never reaches the outbox either.
    await expect(a1.desk.markSuggestion(visitId, shown, 'style', 'maybe' as never)).rejects.toBeInstanceOf(DeskError);
    await expect(a1.desk.markSuggestion(visitId, shown, 'shoe' as never, 'used')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(a1.desk.outbox()).toEqual([]);

    // m2 is erased at HQ: no mark of theirs stays in either cache.
    const res = await fetch(`${t.url}/v1/ingest/members/m2`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    await waitFor(async () => (await a2.desk.listSuggestionMarks(visitId)).length === 0, 5000, 'erased on A2');
    await waitFor(async () => (await a1.desk.listSuggestionMarks(visitId)).length === 0, 5000, 'erased on A1');
  });
});
