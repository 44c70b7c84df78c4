// Electron main process: one desk window, the desk core hosted here, IPC to the renderer.
// The decisions (window flags, CSP, navigation/sender/permission guards, argument validation) live
// in small pure modules next to this file and are unit-tested; this file only wires them up.
//
// Run: `npm run build:renderer && npm run build:electron && npx electron out/electron/main.cjs`
// (scripts/start.ts does this when the Electron binary is present). The desk enrollment comes from
// the file named by FOOTFALL_DESK_CONFIG (default .footfall/desk.json), written by start.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, type IpcMainInvokeEvent, net, Notification, protocol, session, shell } from 'electron';
import { DESK_EVENT_NAMES, type DeskApi } from '../../shared/deskApi.ts';
import { DeskCore } from '../desk/deskCore.ts';
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME } from './appOrigin.ts';
import { securityHeaders } from './csp.ts';
import { readDeskConfig } from './deskConfig.ts';
import { isAllowedNavigation, isTrustedSender, permissionDecision, windowOpenDecision } from './guards.ts';
import { COMMAND_CHANNELS, dispatchCommand, EVENT_CHANNEL_PREFIX, type ShellEvents, toErrorShape, validateInvoke } from './ipcValidation.ts';
import { notificationText } from './notificationText.ts';
import { chatNotificationText, shouldNotifyChat } from './chatNotification.ts';
import { mimeType, resolveStaticPath } from './staticFiles.ts';
import { windowOptions } from './windowOptions.ts';

// Bundled to out/electron/main.cjs; the renderer build sits next to it in out/renderer.
const rendererDir = join(__dirname, '..', 'renderer');
const preloadPath = join(__dirname, 'preload.cjs');
const configPath = process.env.FOOTFALL_DESK_CONFIG ?? join(process.cwd(), '.footfall', 'desk.json');

// Must run before `ready`: a standard + secure scheme gets a real origin, so the sender and
// navigation checks can compare origins (file:// cannot be told apart from any other local file).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let mainWindow: BrowserWindow | null = null;
let core: DeskCore | null = null;

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
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function sendToRenderer<E extends string>(event: E, payload: unknown): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL_PREFIX + event, payload);
}

async function boot(): Promise<void> {
  const config = readDeskConfig(configPath);
  if (!config) {
    console.error(`footfall: no desk enrollment at ${configPath}; run \`npm start\` once to enroll this desk.`);
    app.exit(2);
    return;
  }

  registerAppProtocol();
  lockDownSession();

  core = DeskCore.open({ dbPath: config.dbPath, hqUrl: config.hqUrl, token: config.token });
  core.start();
  watchNetwork(core);

  mainWindow = new BrowserWindow(windowOptions({ preloadPath, title: `Footfall · ${config.storeName}` }));
  const contents = mainWindow.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally) void shell.openExternal(url);
    return { action: 'deny' };
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });

  registerIpc(core, () => mainWindow?.webContents.id ?? null);
  forwardEvents(core);
  await mainWindow.loadURL(APP_ENTRY_URL);
}

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

function forwardEvents(desk: DeskCore): void {
  for (const name of DESK_EVENT_NAMES) desk.on(name, (payload) => sendToRenderer(name, payload));
  desk.on('arrival', ({ visit }) => {
    if (!Notification.isSupported()) return;
    const text = notificationText(visit, app.getLocale());
    const note = new Notification({ title: text.title, body: text.body, silent: false, urgency: 'normal' });
    note.on('click', () => {
      showWindow();
      const payload: ShellEvents['openVisit'] = { visitId: visit.id, memberId: visit.memberId };
      sendToRenderer('openVisit', payload);
    });
    note.show();
  });
  // A member's chat message while the window is not focused: a native notification (issue 3).
  desk.on('chat', ({ memberId, incoming }) => {
    if (!shouldNotifyChat(incoming, mainWindow?.isFocused() ?? false) || !Notification.isSupported()) return;
    void desk.getMember(memberId).then((m) => {
      const text = chatNotificationText(incoming, m?.member.name ?? memberId, app.getLocale());
      const note = new Notification({ title: text.title, body: text.body, silent: false });
      note.on('click', () => showWindow());
      note.show();
    });
  });
}

/** Electron has no online/offline event in main; poll the OS view and tell the link at once. */
function watchNetwork(desk: DeskCore): void {
  let online = net.isOnline();
  const timer = setInterval(() => {
    const now = net.isOnline();
    if (now !== online) {
      online = now;
      desk.networkChanged(now);
    }
  }, 3000);
  timer.unref();
}

app.on('window-all-closed', () => app.quit());
let quitting = false;
app.on('before-quit', (event) => {
  // Let the desk core send its last ack and close SQLite cleanly before the process goes.
  if (!core || quitting) return;
  quitting = true;
  event.preventDefault();
  const closing = core;
  core = null;
  void closing.close().finally(() => app.quit());
});
