// The shells' pure modules: secret boxes and the sealed desk config, settings file, rotating
// logs, redaction and diagnostics, tray text, window state, alert policy, update controller,
// Linux autostart, and the desk host (first-run enrollment, settings, forwarding).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildUpdateChannel, DeskSettings, DEFAULT_SETTINGS, defaultSettingsFor, EnrollCode, HqUrl, SettingsPatch, updateFeedUrl } from '../../shared/settings.ts';
import { inQuietHours } from '../../shared/settingsRules.ts';
import { alertDecision } from '../../electron/electron-main/alertPolicy.ts';
import { autostartDesktopEntry, setLinuxAutostart } from '../../electron/electron-main/autostart.ts';
import { readDeskConfig, storedTokenBox, writeDeskConfig, type DeskConfig } from '../../electron/host/deskConfig.ts';
import { DeskHost, type HostedCore } from '../../electron/host/deskHost.ts';
import { buildDiagnostics } from '../../electron/host/diagnostics.ts';
import { createRotatingLog } from '../../electron/host/logs.ts';
import { redactLogLine, redactText } from '../../electron/host/redact.ts';
import { aesGcmBox, fileKeyBox } from '../../electron/host/secretBox.ts';
import { safeStorageBox } from '../../electron/electron-main/safeStorageBox.ts';
import { applyPatch, loadSettings, saveSettings } from '../../electron/host/settingsStore.ts';
import { trayText } from '../../electron/electron-main/trayText.ts';
import { createUpdateController, type UpdaterLike } from '../../electron/host/updater.ts';
import { debouncedSaver, restoreBounds } from '../../electron/electron-main/windowState.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const config: DeskConfig = { hqUrls: ['http://hq.example:8080'], token: 'secret-device-token-123', deviceId: 'd1', deviceName: 'Counter 1', storeId: 's1', storeName: 'Nanjing Rd', dbPath: '/tmp/desk.db', demo: false };

describe('secret boxes and the sealed desk config', () => {
  it('AES-GCM seals and opens, and refuses a wrong key or tampered data', () => {
    const box = aesGcmBox(randomBytes(32));
    // A secret long enough that random ciphertext cannot spell it by chance: with 'tok' the base64
    // of a sealed box (44 characters) contains it about once in 6,000 runs; CI met it once.
    const secret = config.token;
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret);
    expect(Buffer.from(sealed, 'base64').includes(Buffer.from(secret))).toBe(false);
    expect(box.open(sealed)).toBe(secret);
    expect(() => aesGcmBox(randomBytes(32)).open(sealed)).toThrow();
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(raw.toString('base64'))).toThrow();
  });

  it('keeps the key file at 0600 and reuses it', () => {
    const a = fileKeyBox(join(dir, 'desk.key'));
    if (process.platform !== 'win32') expect(statSync(join(dir, 'desk.key')).mode & 0o777).toBe(0o600);
    expect(fileKeyBox(join(dir, 'desk.key')).open(a.seal('x'))).toBe('x');
  });

  it('writes no plain token, reads it back, and still reads an older plain file', () => {
    const path = join(dir, 'desk.json');
    const box = fileKeyBox(join(dir, 'desk.key'));
    writeDeskConfig(path, config, box);
    expect(readFileSync(path, 'utf8')).not.toContain(config.token);
    expect(storedTokenBox(path)).toBe('aes-gcm-file');
    expect(readDeskConfig(path, [box])).toEqual(config);
    expect(readDeskConfig(path, [])).toBeNull();
    writeFileSync(path, JSON.stringify(config));
    expect(storedTokenBox(path)).toBe('plain');
    expect(readDeskConfig(path)).toEqual(config);
  });

  it('uses safeStorage only when it really encrypts', () => {
    const fake = { isEncryptionAvailable: () => true, encryptString: (s: string) => Buffer.from(`enc:${s}`), decryptString: (b: Buffer) => b.toString().slice(4), getSelectedStorageBackend: () => 'gnome_libsecret' };
    const box = safeStorageBox(fake, 'linux')!;
    expect(box.kind).toBe('safeStorage');
    expect(box.open(box.seal('t'))).toBe('t');
    expect(safeStorageBox({ ...fake, getSelectedStorageBackend: () => 'basic_text' }, 'linux')).toBeNull();
    expect(safeStorageBox({ ...fake, isEncryptionAvailable: () => false }, 'win32')).toBeNull();
  });
});

describe('settings schema and file', () => {
  it('validates URLs, codes and patches', () => {
    expect(HqUrl.parse('https://hq.example.com/')).toBe('https://hq.example.com');
    for (const bad of ['ftp://x', 'hq.example.com', 'https://u:p@hq.example', 'https://hq?x=1', 'javascript:alert(1)']) expect(HqUrl.safeParse(bad).success).toBe(false);
    expect(EnrollCode.safeParse('ABCD-1234').success).toBe(true);
    expect(EnrollCode.safeParse('abc').success).toBe(false);
    expect(EnrollCode.safeParse('abc def 123').success).toBe(false);
    expect(SettingsPatch.safeParse({ volume: 101 }).success).toBe(false);
    expect(SettingsPatch.safeParse({ hqUrl: 'https://x' }).success).toBe(false);
    expect(SettingsPatch.safeParse({ updateChannel: 'Acme Stable' }).success).toBe(false);
    expect(SettingsPatch.safeParse({ quietHours: { enabled: true, from: '25:00', to: '08:00' } }).success).toBe(false);
  });

  it('loads defaults for a missing file and keeps valid fields of a damaged one', () => {
    const path = join(dir, 'settings.json');
    expect(loadSettings(path)).toEqual(DEFAULT_SETTINGS);
    writeFileSync(path, JSON.stringify({ volume: 'loud', sound: 'bell', retentionDays: 9 }));
    expect(loadSettings(path)).toMatchObject({ volume: 70, sound: 'bell', retentionDays: 9 });
    saveSettings(path, applyPatch(DEFAULT_SETTINGS, { volume: 20 }));
    expect(DeskSettings.parse(JSON.parse(readFileSync(path, 'utf8'))).volume).toBe(20);
  });

  it("defaults the update channel to the build's chain channel (package.json footfall.updateChannel)", () => {
    expect(buildUpdateChannel({ name: 'footfall', footfall: { chain: 'acme', updateChannel: 'acme-stable' } })).toBe('acme-stable');
    for (const bad of [null, 'x', {}, { footfall: null }, { footfall: {} }, { footfall: { updateChannel: 'Not Valid!' } }, { footfall: { updateChannel: 7 } }]) expect(buildUpdateChannel(bad)).toBeNull();
    expect(defaultSettingsFor({ footfall: { updateChannel: 'acme-stable' } })).toEqual({ ...DEFAULT_SETTINGS, updateChannel: 'acme-stable' });
    expect(defaultSettingsFor({ version: '0.1.0' })).toEqual(DEFAULT_SETTINGS);
    const defaults = defaultSettingsFor({ footfall: { updateChannel: 'acme-pilot' } });
    const path = join(dir, 'settings.json');
    // No file yet (first start): the build's channel; a damaged channel field falls back to it too.
    expect(loadSettings(path, defaults).updateChannel).toBe('acme-pilot');
    writeFileSync(path, JSON.stringify({ volume: 20, updateChannel: 'BAD CHANNEL' }));
    expect(loadSettings(path, defaults)).toMatchObject({ volume: 20, updateChannel: 'acme-pilot' });
    // A channel the desk chose in its settings wins over the build's.
    saveSettings(path, { ...defaults, updateChannel: 'acme-beta' });
    expect(loadSettings(path, defaults).updateChannel).toBe('acme-beta');
  });

  it('computes the update feed and quiet hours across midnight', () => {
    expect(updateFeedUrl('https://hq.example/', 'acme-stable')).toBe('https://hq.example/updates/acme-stable/');
    expect(updateFeedUrl('', 'x')).toBeNull();
    const q = { enabled: true, from: '22:00', to: '08:00' };
    expect(inQuietHours(q, new Date(2025, 0, 1, 23, 0))).toBe(true);
    expect(inQuietHours(q, new Date(2025, 0, 1, 7, 59))).toBe(true);
    expect(inQuietHours(q, new Date(2025, 0, 1, 8, 0))).toBe(false);
    expect(inQuietHours({ ...q, enabled: false }, new Date(2025, 0, 1, 23, 0))).toBe(false);
  });

  it('decides alerts from settings, quiet hours and OS support', () => {
    const noon = new Date(2025, 0, 1, 12, 0);
    expect(alertDecision(DEFAULT_SETTINGS, noon, true)).toMatchObject({ notify: true, sound: 'chime', reason: 'ok' });
    expect(alertDecision({ ...DEFAULT_SETTINGS, notifications: false }, noon, true)).toMatchObject({ notify: false, sound: 'chime' });
    expect(alertDecision({ ...DEFAULT_SETTINGS, quietHours: { enabled: true, from: '11:00', to: '13:00' } }, noon, true)).toMatchObject({ notify: false, sound: 'none', reason: 'quiet_hours' });
    expect(alertDecision(DEFAULT_SETTINGS, noon, false).reason).toBe('unsupported');
    expect(alertDecision({ ...DEFAULT_SETTINGS, volume: 0 }, noon, true).sound).toBe('none');
  });
});

describe('rotating logs', () => {
  it('writes JSON lines and rotates by size, keeping N files', () => {
    const log = createRotatingLog({ dir, maxBytes: 300, files: 3, now: () => 0 });
    for (let i = 0; i < 40; i++) log.write('info', `line ${i}`, { i });
    const paths = log.paths();
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['desk.log', 'desk.log.1', 'desk.log.2']);
    for (const p of paths) expect(statSync(p).size).toBeLessThanOrEqual(300);
    const recent = log.recent(5);
    expect(recent).toHaveLength(5);
    expect(JSON.parse(recent[4]!)).toMatchObject({ level: 'info', msg: 'line 39', i: 39, t: '1970-01-01T00:00:00.000Z' });
    expect(JSON.parse(recent[0]!).i).toBe(35);
    log.line('desk: link down (enrollment refused)');
    expect(JSON.parse(log.recent(1)[0]!).level).toBe('warn');
  });
});

describe('redaction and diagnostics', () => {
  it('removes phones, names, notes, tokens and codes', () => {
    const line = JSON.stringify({ msg: 'note added', name: '王小明', phone: '13812345678', note: 'likes red', token: 'abc', nested: { memberName: 'Li Lei', text: 'hi' }, visitId: 'v1' });
    const out = redactLogLine(line);
    for (const secret of ['王小明', '13812345678', 'likes red', 'Li Lei', '"hi"', 'abc']) expect(out).not.toContain(secret);
    expect(out).toContain('"visitId":"v1"');
    const text = redactText('call 138 1234 5678 or +86 21 5555 1234, masked 138****5678, mail a.b@shop.cn, Bearer eyJhbGciOiJIUzI1NiJ9.x.y, token=s3cr3t code: ABCD-1234, 张三 来了, key 0123456789abcdef0123456789abcdef');
    for (const secret of ['1234 5678', '5555', '138****5678', 'a.b@shop.cn', 'eyJhbGci', 's3cr3t', 'ABCD-1234', '张三', '0123456789abcdef']) expect(text).not.toContain(secret);
  });

  it('builds the support text with versions, connection, queue and redacted log lines', () => {
    const text = buildDiagnostics({
      appVersion: '0.1.0',
      shell: 'electron',
      versions: { electron: '39.2.0', node: '22.0.0' },
      os: { platform: 'win32', release: '10.0.22631', arch: 'x64' },
      identity: { storeId: 'sh-nanjing', storeName: 'Nanjing', deviceId: 'dev1', deviceName: 'Counter 1', hqUrls: ['https://hq.example'] },
      connection: { status: 'offline', queued: 3, since: 0, retryAt: null, lastError: 'refused token=abc', head: 10, position: 7, storage: { status: 'ok', message: null, since: 0, rebuiltAt: null, outboxLost: false } },
      settings: DEFAULT_SETTINGS,
      update: null,
      logLines: [JSON.stringify({ msg: 'claim', name: 'Zhou Jie', phone: '13900001111' })],
      now: 0,
    });
    expect(text).toContain('version 0.1.0 · electron shell · electron 39.2.0');
    expect(text).toContain('os win32 10.0.22631 x64');
    expect(text).toContain('connection offline');
    expect(text).toContain('queued 3');
    expect(text).toContain('store sh-nanjing');
    expect(text).not.toContain('Zhou Jie');
    expect(text).not.toContain('13900001111');
    expect(text).not.toContain('token=abc');
  });
});

describe('tray text', () => {
  it('formats counts in both languages', () => {
    expect(trayText({ unclaimed: 2, unread: 5, connection: 'online', storeName: 'Nanjing' }, 'en-US')).toEqual({ tooltip: 'Footfall · Nanjing · 2 waiting · 5 unread', title: '2·5', attention: true });
    expect(trayText({ unclaimed: 0, unread: 0, connection: 'offline', storeName: '南京路' }, 'zh-CN')).toEqual({ tooltip: 'Footfall · 南京路 · 待接待 0 · 未读消息 0 · 离线', title: '', attention: false });
    expect(trayText({ unclaimed: 150, unread: 0, connection: 'online', storeName: 'X' }, 'en').title).toBe('99+·0');
    // Another store's request to hold a pair waits for this store: it counts, and is said.
    expect(trayText({ unclaimed: 0, unread: 0, requests: 1, connection: 'online', storeName: 'Nanjing' }, 'en-US')).toEqual({ tooltip: 'Footfall · Nanjing · 0 waiting · 0 unread · 1 hold request', title: '0·0·1', attention: true });
    expect(trayText({ unclaimed: 1, unread: 0, requests: 2, connection: 'online', storeName: '南京路' }, 'zh-CN').tooltip).toBe('Footfall · 南京路 · 待接待 1 · 未读消息 0 · 留货请求 2');
    expect(trayText({ unclaimed: 1, unread: 1, connection: null, storeName: null }, 'en').tooltip).toMatch(/not set up/);
  });
});

describe('window state', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1040 };
  const second = { x: 1920, y: 0, width: 1280, height: 1024 };
  it('restores a saved window on the display it was on', () => {
    expect(restoreBounds({ x: 2000, y: 100, width: 1100, height: 800, maximized: false }, [primary, second])).toEqual({ x: 2000, y: 100, width: 1100, height: 800, maximized: false });
  });
  it('centres on the primary display when the saved display is gone', () => {
    expect(restoreBounds({ x: 2000, y: 100, width: 1100, height: 800, maximized: true }, [primary])).toEqual({ x: 410, y: 120, width: 1100, height: 800, maximized: true });
  });
  it('clamps size and pulls a half-off-screen window inside', () => {
    expect(restoreBounds({ x: -300, y: 900, width: 5000, height: 700, maximized: false }, [primary])).toEqual({ x: 0, y: 340, width: 1920, height: 700, maximized: false });
    expect(restoreBounds(null, [{ x: 0, y: 0, width: 1366, height: 728 }])).toEqual({ x: 43, y: 0, width: 1280, height: 728, maximized: false });
  });
  it('saves debounced, once, with the last state', () => {
    vi.useFakeTimers();
    try {
      const save = vi.fn();
      const saver = debouncedSaver(save, 500);
      saver.schedule({ width: 1000, height: 700, maximized: false });
      vi.advanceTimersByTime(300);
      saver.schedule({ width: 1100, height: 700, maximized: false });
      vi.advanceTimersByTime(499);
      expect(save).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(save).toHaveBeenCalledTimes(1);
      expect(save).toHaveBeenCalledWith({ width: 1100, height: 700, maximized: false });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('update controller', () => {
  function fakeUpdater() {
    const handlers = new Map<string, (arg?: unknown) => void>();
    const u = {
      autoDownload: false,
      autoInstallOnAppQuit: false,
      allowDowngrade: true,
      feed: null as unknown,
      setFeedURL(o: unknown) {
        u.feed = o;
      },
      checkForUpdates: vi.fn(async () => {
        handlers.get('checking-for-update')?.();
        handlers.get('update-available')?.({ version: '0.2.0' });
        return null;
      }),
      quitAndInstall: vi.fn(),
      on(event: string, l: (arg?: unknown) => void) {
        handlers.set(event, l);
        return u;
      },
      emit: (event: string, arg?: unknown) => handlers.get(event)?.(arg),
    };
    return u;
  }
  it('points at <hq>/updates/<channel>/ and tracks the state', async () => {
    const u = fakeUpdater();
    const changes: string[] = [];
    const c = createUpdateController({ updater: u as unknown as UpdaterLike, currentVersion: '0.1.0', now: () => 42, onChange: (s) => changes.push(s.state) });
    expect(u.autoDownload).toBe(true);
    expect(u.allowDowngrade).toBe(false);
    c.configure('https://hq.example', 'acme-stable');
    expect(u.feed).toEqual({ provider: 'generic', url: 'https://hq.example/updates/acme-stable/' });
    const status = await c.checkNow();
    expect(status).toMatchObject({ state: 'downloading', availableVersion: '0.2.0', lastCheckAt: 42, channel: 'acme-stable' });
    u.emit('update-downloaded', { version: '0.2.0' });
    c.install();
    expect(u.quitAndInstall).toHaveBeenCalled();
    expect(changes).toContain('checking');
  });
  it('is "unsupported" without an updater and reports errors', async () => {
    expect(createUpdateController({ updater: null, currentVersion: '1' }).status().state).toBe('unsupported');
    const u = fakeUpdater();
    u.checkForUpdates.mockRejectedValueOnce(new Error('HTTP 404'));
    const c = createUpdateController({ updater: u as unknown as UpdaterLike, currentVersion: '1' });
    expect((await c.checkNow()).error).toMatch(/enroll/);
    c.configure('https://hq', 'stable');
    expect(await c.checkNow()).toMatchObject({ state: 'error', error: 'HTTP 404' });
  });
});

describe('Linux autostart', () => {
  it('writes and removes an XDG autostart entry', () => {
    expect(autostartDesktopEntry('/opt/Foot fall/foot"fall')).toContain('Exec="/opt/Foot fall/foot\\"fall" --hidden');
    const file = setLinuxAutostart(dir, true, '/opt/footfall/footfall');
    expect(readFileSync(file, 'utf8')).toContain('[Desktop Entry]');
    setLinuxAutostart(dir, false, '/opt/footfall/footfall');
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('desk host', () => {
  function makeHost(over: { enroll?: () => Promise<{ token: string; deviceId: string; storeId: string; storeName: string }>; startOnLogin?: boolean } = {}) {
    const listeners = new Map<string, (p: unknown) => void>();
    let countsListener: ((c: { waiting: number; unread: number }) => void) | null = null;
    const core = {
      counts: vi.fn(() => ({ waiting: 2, unread: 1 })),
      onCounts: (l: (c: { waiting: number; unread: number }) => void) => {
        countsListener = l;
        return () => (countsListener = null);
      },
      emitCounts: (c: { waiting: number; unread: number }) => countsListener?.(c),
      start: vi.fn(),
      close: vi.fn(async () => {}),
      setRetentionDays: vi.fn(),
      getIdentity: vi.fn(async () => ({ storeId: 's1' })),
      listArrivals: vi.fn(async () => [{ id: 'v1' }]),
      getConnection: vi.fn(async () => ({ status: 'online', queued: 0, since: 0, retryAt: null, lastError: null, head: 1, position: 1 })),
      on: (event: string, l: (p: unknown) => void) => {
        listeners.set(event, l);
        return () => listeners.delete(event);
      },
    };
    const setStartOnLogin = vi.fn();
    const host = new DeskHost({
      dataDir: dir,
      settingsPath: join(dir, 'settings.json'),
      configPath: join(dir, 'desk.json'),
      dbPath: join(dir, 'desk.db'),
      sealBox: fileKeyBox(join(dir, 'desk.key')),
      capabilities: { shell: 'web', startOnLogin: over.startOnLogin ?? false, autoUpdate: false, nativeNotifications: false },
      appVersion: '0.1.0',
      versions: { node: '20' },
      os: { platform: 'linux', release: '6', arch: 'x64' },
      log: createRotatingLog({ dir: join(dir, 'logs') }),
      updates: createUpdateController({ updater: null, currentVersion: '0.1.0' }),
      openCore: () => core as unknown as HostedCore,
      enroll: over.enroll ?? (async () => ({ token: 'tok-xyz', deviceId: 'd9', storeId: 's1', storeName: 'Nanjing' })),
      ...(over.startOnLogin ? { setStartOnLogin } : {}),
    });
    return { host, core, listeners, setStartOnLogin };
  }

  it('answers empty reads before enrollment, then enrolls, seals the token and forwards', async () => {
    const { host, core, listeners } = makeHost();
    host.start();
    const api = host.api;
    expect(await api.getIdentity()).toBeNull();
    expect(await api.listArrivals({})).toEqual([]);
    expect((await api.getSettings()).enrolled).toBe(false);
    await expect(api.claimVisit('v1')).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(api.enroll('not a url', 'ABCD-1234', 'Counter 1')).rejects.toMatchObject({ code: 'invalid_argument' });
    const resets: unknown[] = [];
    api.on('reset', (r) => resets.push(r));
    const identity = await api.enroll('https://hq.example/', 'ABCD-1234', 'Counter 2');
    expect(identity).toEqual({ storeId: 's1', storeName: 'Nanjing', deviceId: 'd9', deviceName: 'Counter 2', hqUrls: ['https://hq.example'] });
    expect(core.start).toHaveBeenCalled();
    expect(resets).toHaveLength(1);
    expect(readFileSync(join(dir, 'desk.json'), 'utf8')).not.toContain('tok-xyz');
    expect((await api.getSettings()).settings.hqUrls).toEqual(['https://hq.example']);
    expect(await api.listArrivals({})).toEqual([{ id: 'v1' }]);
    const seen: unknown[] = [];
    api.on('arrival', (p) => seen.push(p));
    listeners.get('arrival')!({ visit: { id: 'v2' } });
    expect(seen).toEqual([{ visit: { id: 'v2' } }]);
    await expect(api.enroll('https://hq.example', 'ABCD-1234', 'x')).rejects.toMatchObject({ code: 'not_allowed' });
    expect(await api.getDiagnostics()).toContain('store s1');
    await host.close();
    expect(core.close).toHaveBeenCalled();
  });

  it('gives the tray the core’s counts: once at attach, then each change, none after close', async () => {
    const { host, core } = makeHost();
    host.start();
    expect(host.counts()).toEqual({ waiting: 0, unread: 0, requests: 0 }); // not enrolled
    const seen: unknown[] = [];
    host.on('counts', (c) => seen.push(c));
    await host.api.enroll('https://hq.example', 'ABCD-1234', 'Counter 1');
    expect(seen).toEqual([{ waiting: 2, unread: 1 }]);
    core.emitCounts({ waiting: 3, unread: 1 });
    expect(seen).toEqual([{ waiting: 2, unread: 1 }, { waiting: 3, unread: 1 }]);
    expect(host.counts()).toEqual({ waiting: 2, unread: 1 }); // read from the core itself
    await host.close();
    core.emitCounts({ waiting: 9, unread: 9 });
    expect(seen).toHaveLength(2);
  });

  it('shows HQ’s refusal and stays unenrolled', async () => {
    const { host } = makeHost({ enroll: async () => Promise.reject(Object.assign(new Error('enrollment refused: unknown or used code'), { code: 'not_allowed' })) });
    host.start();
    await expect(host.api.enroll('https://hq.example', 'ABCD-1234', 'C1')).rejects.toThrow(/unknown or used code/);
    expect(await host.api.getIdentity()).toBeNull();
  });

  it('validates, persists and applies settings; start on login only where supported', async () => {
    const web = makeHost();
    web.host.start();
    await expect(web.host.api.updateSettings({ startOnLogin: true })).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(web.host.api.updateSettings({ volume: 300 } as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    const events: unknown[] = [];
    web.host.api.on('settings', (v) => events.push(v));
    const view = await web.host.api.updateSettings({ sound: 'bell', volume: 40 });
    expect(view.settings).toMatchObject({ sound: 'bell', volume: 40 });
    expect(events).toHaveLength(1);
    expect(loadSettings(join(dir, 'settings.json'))).toMatchObject({ sound: 'bell', volume: 40 });

    // A new retention period goes to the running core at once (not only at the next start).
    await web.host.api.enroll('http://hq.example:8080', 'CODE-123456', 'Counter 1');
    await web.host.api.updateSettings({ retentionDays: 12 });
    expect(web.core.setRetentionDays).toHaveBeenCalledTimes(1);
    expect(web.core.setRetentionDays).toHaveBeenCalledWith(12);
    await web.host.api.updateSettings({ volume: 45 });
    expect(web.core.setRetentionDays).toHaveBeenCalledTimes(1);

    const electronLike = makeHost({ startOnLogin: true });
    electronLike.host.start();
    await electronLike.host.api.updateSettings({ startOnLogin: true });
    expect(electronLike.setStartOnLogin).toHaveBeenCalledWith(true);
  });
});
