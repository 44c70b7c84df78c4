// A store's host desk for live-room tests: a protocol desk of `storeId` with a clerk signed in
// (live commands are a clerk's), and `ok` to send one of its commands and expect HQ's `ok`.
import { expect } from 'vitest';
import { type TestHq } from './hq.ts';
import { ProtocolDesk } from './protocolClient.ts';

export interface LiveHost {
  desk: ProtocolDesk;
  token: string;
  ok(type: Parameters<ProtocolDesk['command']>[0], data: Record<string, unknown>): Promise<void>;
}

/** Enrolls and starts the desk; `onClose` gets its close for the test's cleanup. */
export async function liveHost(t: TestHq, onClose: (close: () => Promise<void>) => void, storeId = 'store-a'): Promise<LiveHost> {
  const saved = (await t.ingest('clerks', [{ storeId, name: '李娜', role: 'clerk', pin: '2468' }])) as { clerks: Array<{ id: string }> };
  const { token } = await t.enroll(storeId, 'Live desk');
  const desk = new ProtocolDesk({ urls: [t.url], token, resume: await t.position(storeId), clerkId: saved.clerks[0]!.id });
  onClose(() => desk.close());
  await desk.start();
  return {
    desk,
    token,
    ok: async (type, data) => {
      const ack = await desk.command(type, data);
      expect(ack, `${type}: ${JSON.stringify(ack)}`).toMatchObject({ status: 'ok' });
    },
  };
}
