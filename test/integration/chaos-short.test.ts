// The short fault run in the normal suite: 15 seeded faults (drops, stalls, blackholes, cut frames,
// SIGKILL of a desk and of HQ) against HQ + 3 desk processes (visit commands and chat from desks and members), then heal and prove that nothing was
// lost or applied twice. The long run is `npm run chaos -- --faults 200` (see docs/faults.md).
import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../chaos/harness.ts';

describe('fault harness (short)', () => {
  it('15 faults: every desk converges to HQ; no event or command lost or applied twice', async () => {
    const seed = Number(process.env.CHAOS_SEED ?? 20240611);
    const report = await runChaos({ faults: 15, seed, desks: 3, healTimeoutMs: 30_000 });
    const text = formatReport(report);
    expect(report.violations, text).toEqual([]);
    expect(report.converged).toBe(true);
    expect(Object.values(report.faultsInjected).reduce((a, b) => a + b, 0)).toBe(15);
    for (const d of report.desks) {
      expect(d.lost + d.twice + d.commandsLost + d.commandsTwice + d.unsettled + d.divergedVisits).toBe(0);
      expect(d.position).toBe(report.hqHead);
    }
    // Chat went through the faults too: desks and members sent, nothing lost, duplicated or reordered.
    expect(report.chat.deskQueued, text).toBeGreaterThan(0);
    expect(report.chat.memberAcked, text).toBeGreaterThan(0);
    expect(report.chat.lost + report.chat.twice + report.chat.outOfOrder, text).toBe(0);
    expect(report.chat.divergedConversations.every((n) => n === 0), text).toBe(true);
  }, 90_000);
});
