// Auto-update state for the settings screen, over electron-updater's generic provider: the feed is
// <hqUrl>/updates/<channel>/ (HQ serves it: hq/edge/http/updates.ts), one channel per chain. This module
// holds the state machine and takes the updater as an interface, so it is tested with a fake;
// electron-main/main.ts hands it electron-updater's autoUpdater (the web shell: none). No `electron` import.
import { type UpdateStatus, updateFeedUrl } from '../../shared/settings.ts';

/** The part of electron-updater's AppUpdater used here. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'checking-for-update' | 'update-not-available' | 'download-progress', listener: () => void): unknown;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface UpdateController {
  status(): UpdateStatus;
  /** Point at the feed for this HQ and channel (after enrollment or a channel change). */
  configure(hqUrl: string, channel: string): void;
  checkNow(): Promise<UpdateStatus>;
  install(): void;
}

export interface UpdateControllerOptions {
  /** null: this shell cannot update itself (web shell, or Electron not packaged). */
  updater: UpdaterLike | null;
  currentVersion: string;
  now?: () => number;
  onChange?: (status: UpdateStatus) => void;
}

export function createUpdateController(options: UpdateControllerOptions): UpdateController {
  const now = options.now ?? Date.now;
  const updater = options.updater;
  let status: UpdateStatus = {
    currentVersion: options.currentVersion,
    channel: 'stable',
    feedUrl: null,
    state: updater ? 'idle' : 'unsupported',
    availableVersion: null,
    lastCheckAt: null,
    error: null,
  };
  const set = (patch: Partial<UpdateStatus>) => {
    status = { ...status, ...patch };
    options.onChange?.(status);
  };

  if (updater) {
    // Download in the background; install when the desk quits (end of the day) or on "restart now".
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    updater.allowDowngrade = false;
    updater.on('checking-for-update', () => set({ state: 'checking', error: null }));
    updater.on('update-not-available', () => set({ state: 'none', availableVersion: null, lastCheckAt: now() }));
    updater.on('update-available', (info) => set({ state: 'downloading', availableVersion: info.version, lastCheckAt: now() }));
    updater.on('download-progress', () => {
      if (status.state !== 'downloading') set({ state: 'downloading' });
    });
    updater.on('update-downloaded', (info) => set({ state: 'downloaded', availableVersion: info.version }));
    updater.on('error', (error) => set({ state: 'error', error: String(error?.message ?? error).slice(0, 300), lastCheckAt: now() }));
  }

  return {
    status: () => status,
    configure(hqUrl, channel) {
      const feedUrl = updateFeedUrl(hqUrl, channel);
      set({ channel, feedUrl });
      // electron-updater reads <url>/latest.yml (latest-mac.yml, latest-linux.yml); the channel is
      // the folder, so the file name stays "latest".
      if (updater && feedUrl) updater.setFeedURL({ provider: 'generic', url: feedUrl });
    },
    async checkNow() {
      if (!updater) return status;
      if (!status.feedUrl) {
        set({ state: 'error', error: 'no HQ address: enroll this desk first', lastCheckAt: now() });
        return status;
      }
      set({ state: 'checking', error: null });
      try {
        await updater.checkForUpdates();
        // Events set the outcome; a check that resolved without any (dev build) counts as "none".
        if (status.state === 'checking') set({ state: 'none', lastCheckAt: now() });
      } catch (error) {
        set({ state: 'error', error: String((error as Error)?.message ?? error).slice(0, 300), lastCheckAt: now() });
      }
      return status;
    },
    install() {
      if (updater && status.state === 'downloaded') updater.quitAndInstall(false, true);
    },
  };
}
