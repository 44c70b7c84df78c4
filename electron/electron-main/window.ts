// The desk window: one BrowserWindow with the hardened options (windowOptions.ts), its size and
// place remembered between starts (windowState.ts), navigation and new windows held to our own
// origin (guards.ts). Closing it only hides it while the tray keeps the desk reachable: the counter
// must go on hearing arrivals.
import { BrowserWindow, screen, shell } from 'electron';
import { isAllowedNavigation, windowOpenDecision } from './guards.ts';
import { windowOptions } from './windowOptions.ts';
import { debouncedSaver, loadWindowState, restoreBounds, saveWindowState } from './windowState.ts';

export interface DeskWindowOptions {
  /** window-state.json in the data folder. */
  statePath: string;
  preloadPath: string;
  iconPath: string;
  title: string;
  /** Started on login (--hidden): created without being shown. */
  startHidden: boolean;
  /** Asked when the clerk closes the window: true hides it instead (the desk runs on in the tray). */
  hideOnClose(): boolean;
}

export function createDeskWindow(options: DeskWindowOptions): BrowserWindow {
  const displays = [screen.getPrimaryDisplay(), ...screen.getAllDisplays().filter((d) => d.id !== screen.getPrimaryDisplay().id)];
  const bounds = restoreBounds(loadWindowState(options.statePath), displays.map((d) => d.workArea));
  const base = windowOptions({ preloadPath: options.preloadPath, title: options.title, iconPath: options.iconPath });
  const win = new BrowserWindow({ ...base, x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height });
  const saver = debouncedSaver((state) => saveWindowState(options.statePath, state), 500);
  const remember = () => {
    if (win.isDestroyed() || win.isMinimized()) return;
    const b = win.getNormalBounds();
    saver.schedule({ x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event as 'resize', remember);

  const contents = win.webContents;
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
  win.once('ready-to-show', () => {
    if (bounds.maximized) win.maximize();
    if (!options.startHidden) win.show();
  });
  win.on('close', (event) => {
    remember();
    saver.flush();
    if (options.hideOnClose()) {
      event.preventDefault();
      win.hide();
    }
  });
  return win;
}

/** Bring the window to the front: a tray click, a second launch, a notification clicked. */
export function showWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
