// The tray icon: today's waiting arrivals and unread messages at a glance (tooltip, the macOS
// menu-bar title, the app badge) and a menu to open the window or the settings, or to quit. The
// words come from trayText.ts; this file only puts them on Electron's tray. Some Linux desktops have
// no tray: then there is none (null), and closing the window quits the app.
import { join } from 'node:path';
import { app, Menu, nativeImage, Tray } from 'electron';
import { type TrayCounts, trayMenuLabels, trayText } from './trayText.ts';

export interface DeskTrayActions {
  open(): void;
  openSettings(): void;
  quit(): void;
}

export interface DeskTray {
  /** Show these counts, in this language (the desk's setting, else the OS locale). */
  show(counts: TrayCounts, locale: string): void;
  destroy(): void;
}

export function createDeskTray(iconDir: string, actions: DeskTrayActions): DeskTray | null {
  let tray: Tray;
  try {
    const image = nativeImage.createFromPath(join(iconDir, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'));
    tray = new Tray(image.isEmpty() ? nativeImage.createEmpty() : image);
  } catch {
    return null;
  }
  tray.on('click', () => actions.open());
  return {
    show(counts, locale) {
      const text = trayText(counts, locale);
      tray.setToolTip(text.tooltip);
      if (process.platform === 'darwin') tray.setTitle(text.title);
      app.setBadgeCount(counts.unclaimed + counts.unread + (counts.requests ?? 0));
      const labels = trayMenuLabels(locale);
      tray.setContextMenu(
        Menu.buildFromTemplate([
          { label: labels.open, click: () => actions.open() },
          { label: labels.settings, click: () => actions.openSettings() },
          { type: 'separator' },
          { label: labels.quit, click: () => actions.quit() },
        ]),
      );
    },
    destroy: () => tray.destroy(),
  };
}
