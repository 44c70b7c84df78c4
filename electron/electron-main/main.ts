// Electron main process: the desk host (desk core + settings, enrollment, logs, diagnostics,
// updates, from electron/host/ as the web shell has it) behind IPC, the desk window (window.ts), the
// tray (tray.ts), native notifications, the app:// protocol. The decisions (window flags and
// remembered bounds, CSP, navigation/sender/permission guards, argument validation, tray text, alert
// policy, token sealing, update state) live in small pure modules — here when only Electron needs
// them, in electron/host/ when both shells do — and are unit-tested; this folder wires them to Electron.
//
// Run: `npm run build:renderer && npm run build:electron && npx electron out/electron/main.cjs`
// (scripts/start.ts does this when the Electron binary is present). Data folder: the folder of
// FOOTFALL_DESK_CONFIG when set (start.ts points it at .footfall/desk.json), else Electron's
// userData folder. Without an enrollment there the window opens on the first-run setup screen.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { arch, homedir, release } from 'node:os';
import { dirname, join } from 'node:path';
import { app, type BrowserWindow, ipcMain, type IpcMainInvokeEvent, net, Notification, protocol, safeStorage, session } from 'electron';
import { autoUpdater } from 'electron-updater';
import { type ShellEvents } from '../../shared/bridge.ts';
import { type DeskApi } from '../../shared/deskApi.ts';
import { DESK_EVENT_NAMES } from '../../shared/deskApiNames.ts';
import { defaultSettingsFor, type SettingsView } from '../../shared/settings.ts';
import { type AttentionCounts, DeskCore, enroll } from '../desk/deskCore.ts';
import { securityHeaders } from '../host/csp.ts';
import { DeskHost } from '../host/deskHost.ts';
import { COMMAND_CHANNELS, EVENT_CHANNEL_PREFIX } from '../host/ipcChannels.ts';
import { dispatchCommand, toErrorShape, validateInvoke } from '../host/ipcValidation.ts';
import { createRotatingLog } from '../host/logs.ts';
import { fileKeyBox } from '../host/secretBox.ts';
import { mimeType, resolveStaticPath } from '../host/staticFiles.ts';
import { createUpdateController, type UpdaterLike } from '../host/updater.ts';
import { alertDecision } from './alertPolicy.ts';
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME } from './appOrigin.ts';
import { setLinuxAutostart } from './autostart.ts';
import { chatNotificationOpen, chatNotificationText, shouldNotifyChat } from './chatNotification.ts';
import { isTrustedSender, permissionDecision } from './guards.ts';
import { notificationText } from './notificationText.ts';
import { safeStorageBox } from './safeStorageBox.ts';
import { createDeskTray, type DeskTray } from './tray.ts';
import { createDeskWindow, showWindow as raise } from './window.ts';

// Bundled to out/electron/main.cjs; the renderer build sits next to it in out/renderer.
const rendererDir = join(__dirname, '..', 'renderer');
const preloadPath = join(__dirname, 'preload.cjs');
const iconDir = join(__dirname, 'icons');

// Must run before `ready`: a standard + secure scheme gets a real origin, so the sender and
// navigation checks can compare origins (file:// cannot be told apart from any other local file).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let mainWindow: BrowserWindow | null = null;
let host: DeskHost | null = null;
let tray: DeskTray | null = null;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  // One desk per PC: a second launch focuses the first window instead.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.whenReady().then(boot, (error: unknown) => {
    console.error('footfall: failed to start', error);
    app.exit(1);
  });
}

function showWindow(): void {
  raise(mainWindow);
}

function sendToRenderer(event: string, payload: unknown): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL_PREFIX + event, payload);
}

function appVersion(): string {
  try {
    return app.getVersion();
  } catch {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  }
}

/** The app's package.json (a packaged build carries `footfall.updateChannel`, its chain's channel); null if unreadable. */
function packageJson(): unknown {
  try {
    return JSON.parse(readFileSync(join(app.getAppPath(), 'package.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** The desk's language for native text: its setting, else the OS locale. */
function nativeLocale(): string {
  const language = host?.currentSettings().language ?? 'system';
  return language === 'system' ? app.getLocale() : language;
}

async function boot(): Promise<void> {
  const configFromEnv = process.env.FOOTFALL_DESK_CONFIG;
  const dataDir = configFromEnv ? dirname(configFromEnv) : app.getPath('userData');
  const log = createRotatingLog({ dir: join(dataDir, 'logs'), echo: process.env.FOOTFALL_VERBOSE ? (l) => console.log(l) : undefined });
  const fileBox = fileKeyBox(join(dataDir, 'desk.key'));
  // The OS keychain when it really protects something; else the 0600 key file (see host/secretBox.ts).
  const sealBox = safeStorageBox(safeStorage, process.platform) ?? fileBox;
  if (sealBox === fileBox) log.write('warn', 'safeStorage unavailable (no OS keyring): the device token is sealed with a key file');

  // electron-updater only works from a packaged app (it reads app-update.yml from resources).
  const updater = app.isPackaged ? (autoUpdater as unknown as UpdaterLike) : null;
  if (app.isPackaged) autoUpdater.logger = { info: (m: unknown) => log.write('info', `update: ${String(m)}`), warn: (m: unknown) => log.write('warn', `update: ${String(m)}`), error: (m: unknown) => log.write('error', `update: ${String(m)}`), debug: () => {} };
  const updates = createUpdateController({ updater, currentVersion: appVersion(), onChange: () => host?.publishSettings() });

  const startOnLoginSupported = process.platform === 'win32' || process.platform === 'darwin' || process.platform === 'linux';
  host = new DeskHost({
    dataDir,
    settingsPath: join(dataDir, 'settings.json'),
    // A packaged build defaults to its chain's update channel (electron-builder writes it into package.json).
    defaultSettings: defaultSettingsFor(packageJson()),
    configPath: configFromEnv ?? join(dataDir, 'desk.json'),
    dbPath: join(dataDir, 'desk.db'),
    sealBox,
    openBoxes: [fileBox],
    capabilities: { shell: 'electron', startOnLogin: startOnLoginSupported, autoUpdate: updater !== null, nativeNotifications: Notification.isSupported() },
    appVersion: appVersion(),
    versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node, v8: process.versions.v8 },
    os: { platform: process.platform, release: release(), arch: arch(), locale: app.getLocale() },
    log,
    updates,
    openCore: (config, settings) => DeskCore.open({ dbPath: config.dbPath, hqUrls: config.hqUrls, token: config.token, retentionDays: settings.retentionDays, log: log.line }),
    enroll,
    setStartOnLogin: (on) => {
      if (process.platform === 'linux') setLinuxAutostart(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), on, process.env.APPIMAGE ?? process.execPath);
      else app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
    },
    onSettingsChanged: (view) => updateTray(view),
  });

  registerAppProtocol();
  lockDownSession();
  host.start();
  watchNetwork();

  createWindow(dataDir);
  createTray();
  registerIpc(host.api, () => mainWindow?.webContents.id ?? null);
  forwardEvents(host);
  await mainWindow!.loadURL(APP_ENTRY_URL);
  // Look for an update shortly after start, then every 6 hours (downloads in the background).
  if (updater) {
    setTimeout(() => void updates.checkNow(), 30_000).unref();
    setInterval(() => void updates.checkNow(), 6 * 60 * 60 * 1000).unref();
  }
}

function createWindow(dataDir: string): void {
  const identity = host?.identity;
  mainWindow = createDeskWindow({
    statePath: join(dataDir, 'window-state.json'),
    preloadPath,
    iconPath: join(iconDir, 'icon.png'),
    title: identity ? `Footfall · ${identity.storeName}` : 'Footfall',
    startHidden: process.argv.includes('--hidden'),
    // The counter keeps listening for arrivals: closing the window hides it to the tray.
    hideOnClose: () => !quitting && tray !== null,
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

function createTray(): void {
  tray = createDeskTray(iconDir, {
    open: () => showWindow(),
    openSettings: () => {
      showWindow();
      const payload: ShellEvents['openSettings'] = {};
      sendToRenderer('openSettings', payload);
    },
    quit: () => app.quit(),
  });
  if (!tray) return;
  if (host) {
    counts = host.counts();
    updateTray(host.view());
  }
}

/** Waiting arrivals, unread messages and hold requests to answer: kept by the desk core as it changes them (`counts` event). */
let counts: AttentionCounts = { waiting: 0, unread: 0, requests: 0 };
function updateTray(_view?: SettingsView): void {
  if (!tray || !host) return;
  const connection = host.desk ? lastConnection : null;
  tray.show({ unclaimed: counts.waiting, unread: counts.unread, requests: counts.requests, connection, storeName: host.identity?.storeName ?? null }, nativeLocale());
}

let lastConnection: 'online' | 'connecting' | 'offline' | null = null;

/** Serve out/renderer on app://footfall/ with the CSP and other security headers. */
function registerAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveStaticPath(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { 'Content-Type': mimeType(file), ...securityHeaders() } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionDecision(permission, details.requestingUrl));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionDecision(permission, requestingOrigin));
}

function registerIpc(desk: DeskApi, windowContentsId: () => number | null): void {
  for (const channel of COMMAND_CHANNELS) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const frame = event.senderFrame;
      const trusted = isTrustedSender(
        { frameUrl: frame?.url ?? null, isMainFrame: frame !== null && frame === event.sender.mainFrame, senderId: event.sender.id },
        windowContentsId(),
      );
      if (!trusted) return { ok: false, error: { code: 'not_allowed', message: 'untrusted sender' } };
      const command = validateInvoke(channel, args);
      if (!command.ok) return command;
      try {
        return { ok: true, result: await dispatchCommand(desk, command) };
      } catch (error) {
        return { ok: false, error: toErrorShape(error) };
      }
    });
  }
}

function forwardEvents(desk: DeskHost): void {
  for (const name of DESK_EVENT_NAMES) desk.on(name, (payload) => sendToRenderer(name, payload));
  desk.on('counts', (c) => {
    counts = c;
    updateTray();
  });
  desk.on('connection', (c) => {
    if (c.status !== lastConnection) {
      lastConnection = c.status;
      updateTray();
    }
  });
  desk.on('arrival', ({ visit }) => {
    // The renderer plays the chosen sound; the toast itself is silent so it never plays twice.
    const decision = alertDecision(desk.currentSettings(), new Date(), Notification.isSupported());
    if (!decision.notify) return;
    const text = notificationText(visit, nativeLocale());
    const note = new Notification({ title: text.title, body: text.body, silent: true, urgency: 'normal' });
    note.on('click', () => {
      showWindow();
      const payload: ShellEvents['openVisit'] = { visitId: visit.id, memberId: visit.memberId };
      sendToRenderer('openVisit', payload);
    });
    note.show();
  });
  // A member's chat message while the window is not focused: a native notification.
  desk.on('chat', ({ memberId, incoming }) => {
    if (!shouldNotifyChat(incoming, mainWindow?.isFocused() ?? false)) return;
    if (!alertDecision(desk.currentSettings(), new Date(), Notification.isSupported()).notify) return;
    void desk.api.getMember(memberId).then((m) => {
      const text = chatNotificationText(incoming, m?.member.name ?? memberId, nativeLocale());
      const note = new Notification({ title: text.title, body: text.body, silent: true });
      note.on('click', () => {
        showWindow();
        const payload: ShellEvents['openVisit'] = chatNotificationOpen(incoming);
        sendToRenderer('openVisit', payload);
      });
      note.show();
    });
  });
}

/** Electron has no online/offline event in main; poll the OS view and tell the link at once. */
function watchNetwork(): void {
  let online = net.isOnline();
  const timer = setInterval(() => {
    const now = net.isOnline();
    if (now !== online) {
      online = now;
      host?.desk?.networkChanged?.(now);
    }
  }, 3000);
  timer.unref();
}

// With a tray the desk keeps running when its window is closed; without one, closing quits.
app.on('window-all-closed', () => {
  if (!tray) app.quit();
});
app.on('activate', () => showWindow());
let closed = false;
app.on('before-quit', (event) => {
  quitting = true;
  // Let the desk core send its last ack and close SQLite cleanly before the process goes.
  if (!host || closed) return;
  closed = true;
  event.preventDefault();
  const closing = host;
  host = null;
  tray?.destroy();
  tray = null;
  void closing.close().finally(() => app.quit());
});
