// The desk host as the web shell (and `npm start` without Electron) runs it: settings and the
// enrollment in the data folder, the token sealed with AES-GCM under a 0600 key file (no OS
// keychain from plain Node), JSON-lines logs in <data>/logs, no self-update and no start-on-login.
import { readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { join } from 'node:path';
import { defaultSettingsFor } from '../../shared/settings.ts';
import { DeskCore, enroll } from '../desk/deskCore.ts';
import { DeskHost } from '../host/deskHost.ts';
import { createRotatingLog } from '../host/logs.ts';
import { fileKeyBox } from '../host/secretBox.ts';
import { createUpdateController } from '../host/updater.ts';

export interface WebHostOptions {
  dataDir: string;
  /** Echo log lines (FOOTFALL_VERBOSE). */
  echo?: (line: string) => void;
}

/** package.json (cwd is the repo when run with npm scripts); null when unreadable. */
function packageJson(): unknown {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** The app version from package.json. */
export function packageVersion(): string {
  const version = (packageJson() as { version?: unknown } | null)?.version;
  return typeof version === 'string' ? version : '0.0.0';
}

export function createWebDeskHost(options: WebHostOptions): DeskHost {
  const { dataDir } = options;
  const log = createRotatingLog({ dir: join(dataDir, 'logs'), echo: options.echo });
  const appVersion = packageVersion();
  let host: DeskHost | null = null;
  const updates = createUpdateController({ updater: null, currentVersion: appVersion, onChange: () => host?.publishSettings() });
  host = new DeskHost({
    dataDir,
    settingsPath: join(dataDir, 'settings.json'),
    defaultSettings: defaultSettingsFor(packageJson()),
    configPath: join(dataDir, 'desk.json'),
    dbPath: join(dataDir, 'desk.db'),
    sealBox: fileKeyBox(join(dataDir, 'desk.key')),
    capabilities: { shell: 'web', startOnLogin: false, autoUpdate: false, nativeNotifications: false },
    appVersion,
    versions: { node: process.versions.node, v8: process.versions.v8 },
    os: { platform: process.platform, release: release(), arch: arch() },
    log,
    updates,
    openCore: (config, settings) => DeskCore.open({ dbPath: config.dbPath, hqUrls: config.hqUrls, token: config.token, retentionDays: settings.retentionDays, log: log.line }),
    enroll,
  });
  return host;
}
