// The outbox against a real HQ: an offline claim survives the desk process being SIGKILLed and HQ
// restarting, and is applied exactly once; two desks racing for a visit settle by HQ's order.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { type VisitView } from '../../shared/deskApi.ts';
import { FAST, FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
});
afterEach(async () => {
  await t.dispose();
});

/** A desk in a child process (test/support/deskProcess.ts), driven over IPC. */
class DeskProcess {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const m = raw as { id?: number; result?: unknown; error?: string };
      if (m.id === undefined) return;
      const p = this.pending.get(m.id)!;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
  }
  static async spawn(opts: { dbPath: string; hqUrl: string; token: string }): Promise<DeskProcess> {
    const script = fileURLToPath(new URL('../support/deskProcess.ts', import.meta.url));
    const child = fork(script, [JSON.stringify(opts)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [first] = (await once(child, 'message')) as [{ ready?: boolean }];
    if (!first.ready) throw new Error('desk process did not start');
    return new DeskProcess(child);
  }
  call<T>(cmd: string, arg?: string): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, arg });
    });
  }
  async kill(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

describe('desk outbox', () => {
  it('an offline claim survives a killed desk process and an HQ restart, and applies exactly once', async () => {
    const { token, deviceId } = await t.enroll(STORE_A, 'Counter 1');
    const dbPath = `${t.dir}/desk-proc.db`;
    const { visitId } = await t.arrival(STORE_A, 'm1');

    const proc = await DeskProcess.spawn({ dbPath, hqUrl: t.url, token });
    let childOpId = '';
    try {
      await proc.call('start');
      await waitFor(async () => (await proc.call<VisitView | null>('getVisit', visitId)) !== null, 8000, 'visit in the child cache');
      await t.down();
      await waitFor(async () => (await proc.call<{ status: string }>('connection')).status === 'offline', 5000, 'child offline');

      childOpId = (await proc.call<{ opId: string }>('claim', visitId)).opId;
      expect(await proc.call<VisitView>('getVisit', visitId)).toMatchObject({ status: 'claimed', sync: 'pending', pendingAction: 'claim' });
    } finally {
      await proc.kill();
    }

    // Reopened on the same file, still offline: the claim is there, pending.
    const desk = DeskCore.open({ dbPath, hqUrls: [t.url], token, ...FAST });
    t.desks.push(desk);
    expect(await desk.getVisit(visitId)).toMatchObject({ status: 'claimed', sync: 'pending', claimedBy: { deviceId } });
    expect((await desk.getConnection()).queued).toBe(1);
    const [queued] = desk.outbox();
    expect(queued).toMatchObject({ opId: childOpId, type: 'claim', state: 'pending' });

    // HQ comes back on the same DB and port.
    await t.up();
    desk.start();
    await waitFor(async () => (await desk.getVisit(visitId))?.sync === 'confirmed', 8000, 'claim confirmed');
    expect(await desk.getVisit(visitId)).toMatchObject({ status: 'claimed', claimedBy: { deviceId }, pendingAction: null, rejection: null });
    expect(desk.outbox()).toEqual([]);
    expect((await desk.getConnection()).queued).toBe(0);

    // Exactly once in HQ's log, under the opId made on the desk before the kill.
    const claims = (await t.readLog(STORE_A)).filter((e) => e.type === 'visit.claimed');
    expect(claims).toHaveLength(1);
    expect(claims[0]!.data).toMatchObject({ opId: queued!.opId, visit: { id: visitId } });

    // A restart of the desk sends nothing again.
    await desk.stop();
    const sent = desk.stats.commandsSent;
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'online again');
    expect(desk.stats.commandsSent).toBe(sent);
  });

  it('two desks claiming one visit: one wins, the other is told who won', async () => {
    const c1 = await t.desk(STORE_A, 'Counter 1');
    const c2 = await t.desk(STORE_A, 'Counter 2');
    c1.desk.start();
    c2.desk.start();
    const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
    await waitFor(async () => (await online(c1.desk)) && (await online(c2.desk)), 5000, 'online');
    const { visitId } = await t.arrival(STORE_A, 'm3');
    await waitFor(async () => (await c1.desk.getVisit(visitId)) !== null && (await c2.desk.getVisit(visitId)) !== null, 5000, 'visit on both');

    await Promise.all([c1.desk.claimVisit(visitId), c2.desk.claimVisit(visitId)]);
    // The earlier action time wins (HQ's order breaks a tie): the other claim is refused, or — when
    // it was the earlier one and arrived second — displaces the first. Either way the loser is told.
    const settled = async (d: DeskCore) => {
      const v = await d.getVisit(visitId);
      return v?.sync !== 'pending' && v?.status === 'claimed';
    };
    await waitFor(async () => (await settled(c1.desk)) && (await settled(c2.desk)), 5000, 'both settled');
    const holder = (await t.snapshot(c1.token)).visits.find((v) => v.id === visitId)!.claimedBy!.deviceId;
    const [winner, loser] = holder === c1.deviceId ? [c1, c2] : [c2, c1];
    await waitFor(async () => (await loser.desk.getVisit(visitId))?.notice !== null, 5000, 'loser told');
    const winnerView = (await winner.desk.getVisit(visitId))!;
    const loserView = (await loser.desk.getVisit(visitId))!;
    expect(winnerView).toMatchObject({ status: 'claimed', claimedBy: { deviceId: winner.deviceId }, notice: null });
    expect(loserView).toMatchObject({ status: 'claimed', claimedBy: { deviceId: winner.deviceId } });
    expect(loserView.notice).toMatchObject({ action: 'claim', code: 'already_claimed', by: { deviceId: winner.deviceId } });
    expect((await loser.desk.getConnection()).queued).toBe(0);

    // The loser can still add a note; it reaches both desks, and clears the old rejection.
    await loser.desk.addNote(visitId, '他想试42码');
    await waitFor(async () => (await winner.desk.getVisit(visitId))!.notes.some((n) => n.text === '他想试42码'), 5000, 'note on the winner');
    await waitFor(async () => (await loser.desk.getVisit(visitId))!.sync === 'confirmed', 5000, 'note confirmed');
    const final = (await loser.desk.getVisit(visitId))!;
    expect(final.rejection).toBeNull();
    // The notice stays until the clerk dismisses it.
    expect(final.notice).toMatchObject({ code: 'already_claimed' });
    await loser.desk.dismissNotice(visitId);
    expect((await loser.desk.getVisit(visitId))!.notice).toBeNull();
    expect(final.notes).toMatchObject([{ text: '他想试42码', sync: 'confirmed', by: { deviceId: loser.deviceId } }]);
  });
});
