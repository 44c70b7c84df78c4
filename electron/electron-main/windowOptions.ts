// BrowserWindow options for the desk window. Kept pure (it returns a plain object typed against
// Electron's own option type, imported as a type only) so tests can assert the security flags.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  preloadPath: string;
  title: string;
  iconPath?: string;
}

export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: input.title,
    // Shown on 'ready-to-show' so the clerk never sees an empty white frame.
    show: false,
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A counter PC sits in the background a lot; alerts must still render promptly.
      backgroundThrottling: false,
    },
  };
}
