// The renderer's stores, created in one place with one client (state/stores.ts), and the web
// bridge client's events (api/webBridge.ts). A fake DeskClient records the calls; no HQ, no page.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bridgeUrlFromLocation, createWebBridge } from '../../renderer/src/api/webBridge.ts';
import type { BridgeState, DeskClient } from '../../renderer/src/api/types.ts';
import { createStores, type Stores } from '../../renderer/src/state/stores.ts';
import type { ShellEvents } from '../../shared/bridge.ts';
import type { ClerkState } from '../../shared/clerks.ts';
import type { ConnectionState, DeskEvents, VisitView } from '../../shared/deskApi.ts';
import { Emitter } from '../../shared/emitter.ts';
import { DeskSettings, type SettingsView } from '../../shared/settings.ts';

const settingsView = (language: DeskSettings['language']): SettingsView =>
  ({ settings: { ...DeskSettings.parse({}), language }, capabilities: {}, update: {}, enrolled: true, dataDir: '/tmp' }) as unknown as SettingsView;
const signedOut = { clerk: null, locked: false } as unknown as ClerkState;
const connection = { status: 'online' } as unknown as ConnectionState;

/** A DeskClient answering from fixed data, counting the calls, with real listeners. */
function fakeClient(language: DeskSettings['language'] = 'system') {
  const events = new Emitter<DeskEvents>();
  const shell = new Emitter<ShellEvents>();
  const calls: string[] = [];
  const answers: Record<string, unknown> = {
    getIdentity: { storeId: 's', deviceId: 'd' },
    getConnection: connection,
    listArrivals: [] as VisitView[],
    getMember: null,
    listConversations: [],
    listClerks: [{ id: 'c1', name: 'Ann', role: 'clerk' }],
    currentClerk: signedOut,
    getSettings: settingsView(language),
    // 4/8 part C: the holds store
    listHolds: [],
    listHoldRequests: [],
    // 5/8: the groups store
    listGroups: [],
    // 6/8: the live store
    listLiveRooms: [],
  };
  const subscribed: string[] = [];
  const client = new Proxy({} as DeskClient, {
    get(_, name: string) {
      if (name === 'on')
        return (event: keyof DeskEvents, listener: (p: unknown) => void) => {
          subscribed.push(event);
          return events.on(event, listener);
        };
      if (name === 'onShell') return (event: keyof ShellEvents, listener: (p: unknown) => void) => shell.on(event, listener);
      if (name === 'onBridge' || name === 'then') return undefined;
      return async (...args: unknown[]) => {
        calls.push(name);
        if (name === 'sendMessage') throw new Error(`refused ${JSON.stringify(args[1])}`);
        return answers[name];
      };
    },
  });
  return { client, events, shell, calls, subscribed, answers };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('createStores', () => {
  let stores: Stores | null = null;
  afterEach(() => {
    stores?.stop();
    stores = null;
  });

  it('starts every store with the one client: each loads what it shows', async () => {
    const fake = fakeClient();
    stores = createStores(fake.client);
    await settle();
    expect(stores.client).toBe(fake.client);
    expect(fake.calls).toEqual(expect.arrayContaining(['getIdentity', 'getConnection', 'listArrivals', 'listConversations', 'listClerks', 'currentClerk', 'getSettings', 'listHolds', 'listHoldRequests']));
    expect(stores.desk.getState().ready).toBe(true);
    expect(stores.clerk.getState().loaded).toBe(true);
    expect(stores.settings.getState().view?.enrolled).toBe(true);
  });

  it('asks for the arrivals with the identity, not after its answer (one round trip less to the first alert)', async () => {
    const fake = fakeClient();
    stores = createStores(fake.client);
    // Nothing answered yet: the calls made so far are the ones made at start.
    expect(fake.calls).toEqual(expect.arrayContaining(['getIdentity', 'getConnection', 'listArrivals']));
    await settle();
    expect(stores.desk.getState().ready).toBe(true);
  });

  it('a failed arrivals list leaves the desk not ready and nothing unhandled', async () => {
    const fake = fakeClient();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = new Proxy(fake.client, {
        get(target, name: string, receiver) {
          if (name === 'listArrivals') return async () => Promise.reject(new Error('cache gone'));
          if (name === 'getIdentity') return () => new Promise((r) => setTimeout(() => r({ storeId: 's', deviceId: 'd' }), 20));
          return Reflect.get(target, name, receiver);
        },
      });
      stores = createStores(failing);
      await new Promise((r) => setTimeout(r, 60));
      expect(stores.desk.getState().identity).toEqual({ storeId: 's', deviceId: 'd' });
      expect(stores.desk.getState().ready).toBe(false);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('subscribes to reset once, and a reset reloads every store', async () => {
    const fake = fakeClient();
    stores = createStores(fake.client);
    await settle();
    expect(fake.subscribed.filter((e) => e === 'reset')).toHaveLength(1);
    fake.calls.length = 0;
    fake.events.emit('reset', { at: 1 });
    await settle();
    expect([...new Set(fake.calls)].sort()).toEqual(['currentClerk', 'getConnection', 'getSettings', 'listArrivals', 'listCheckins', 'listClerks', 'listConversations', 'listGroups', 'listHoldRequests', 'listHolds', 'listLiveRooms']);
  });

  it('the language setting sets the desk locale; "system" follows the browser language', async () => {
    const fake = fakeClient('zh-CN');
    stores = createStores(fake.client);
    await settle();
    expect(stores.desk.getState().locale).toBe('zh-CN');
    fake.events.emit('settings', settingsView('system'));
    const browser = typeof navigator === 'undefined' ? undefined : navigator.language;
    expect(stores.desk.getState().locale).toBe(browser?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
    // The top bar's switch writes the same setting (and the locale follows the shell's answer).
    fake.answers.updateSettings = settingsView('zh-CN');
    expect(await stores.settings.getState().update({ language: 'zh-CN' })).toBe(true);
    expect(fake.calls).toContain('updateSettings');
    expect(stores.desk.getState().locale).toBe('zh-CN');
  });

  it('routes shell events to the store that owns them', async () => {
    const fake = fakeClient();
    stores = createStores(fake.client);
    await settle();
    fake.shell.emit('openSettings', {});
    fake.shell.emit('openVisit', { visitId: null, memberId: 'm1' });
    expect(stores.settings.getState().open).toBe(true);
    expect(stores.desk.getState().memberId).toBe('m1');
  });

  it('a product card that fails says so to its button, not in the open conversation', async () => {
    const fake = fakeClient();
    stores = createStores(fake.client);
    expect(await stores.chat.getState().sendCard('m1', 'style-1')).toBe(false);
    expect(stores.chat.getState().error).toBeNull();
  });

  it('stop unsubscribes every store from the client', async () => {
    const fake = fakeClient();
    stores = createStores(fake.client);
    await settle();
    stores.stop();
    for (const event of new Set(fake.subscribed)) expect(fake.events.has(event as keyof DeskEvents), event).toBe(false);
  });
});

/** Enough of a browser WebSocket for the bridge client: the test opens, pushes and closes it. */
class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  push(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe('web bridge client', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('delivers pushed events to every listener even when one throws, until removed', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const bridge = createWebBridge({ url: 'ws://x/bridge?token=t' });
    FakeSocket.all[0]!.open();
    const got: string[] = [];
    bridge.on('member', () => {
      throw new Error('boom');
    });
    const off = bridge.on('member', ({ memberId }) => got.push(memberId));
    FakeSocket.all[0]!.push({ event: 'member', payload: { memberId: 'm1' } });
    off();
    FakeSocket.all[0]!.push({ event: 'member', payload: { memberId: 'm2' } });
    expect(got).toEqual(['m1']);
    expect(errors).toHaveBeenCalledTimes(2);
  });

  it('reports its state, answers calls, and sends a reset after a reconnect (not after the first open)', async () => {
    const bridge = createWebBridge({ url: 'ws://x/bridge?token=t', minDelayMs: 10, maxDelayMs: 10 });
    const states: BridgeState[] = [];
    const resets: number[] = [];
    bridge.onBridge!((s) => states.push(s));
    bridge.on('reset', ({ at }) => resets.push(at));
    FakeSocket.all[0]!.open();
    const answer = bridge.getConnection();
    await vi.advanceTimersByTimeAsync(0);
    const request = JSON.parse(FakeSocket.all[0]!.sent[0]!) as { id: number; method: string; args: unknown[] };
    expect(request).toEqual({ id: request.id, method: 'getConnection', args: [] });
    FakeSocket.all[0]!.push({ id: request.id, ok: true, result: connection });
    expect(await answer).toEqual(connection);
    expect(resets).toEqual([]);
    FakeSocket.all[0]!.drop();
    await vi.advanceTimersByTimeAsync(20);
    FakeSocket.all[1]!.open();
    expect(resets).toHaveLength(1);
    FakeSocket.all[1]!.drop(4001);
    expect(states).toEqual(['connecting', 'up', 'down', 'up', 'unauthorized']);
  });

  it('builds its URL from the page: same host, the bridge path, the page token', () => {
    expect(bridgeUrlFromLocation({ host: '127.0.0.1:5000', search: '?token=a b' } as Location)).toBe('ws://127.0.0.1:5000/bridge?token=a%20b');
  });
});
