// electron-builder configuration for the desk app: `npm run dist` (renderer + main builds first).
// Needs the network for Electron's binaries and the NSIS/AppImage tool downloads, and rebuilds
// better-sqlite3 for Electron's ABI (npmRebuild; buildDependenciesFromSource so no prebuilt binary
// from a third-party host is trusted).
//
// Which chain the build is for: FOOTFALL_CHAIN (a key of build/update-channels.json, default
// "demo"); FOOTFALL_UPDATES_URL / FOOTFALL_UPDATE_CHANNEL override its HQ address and channel.
// The publish entry writes app-update.yml into the app: a generic provider at
// <hqUrl>/updates/<channel>/ (HQ serves it from --updates-dir). At run time the desk points the
// updater at the HQ it is enrolled with and the channel in its settings (electron/host/updater.ts).
/* global module, require, process */
/* eslint-disable @typescript-eslint/no-require-imports */
const { fuses } = require('./fuses.cjs');
const channels = require('./update-channels.json');

const chain = process.env.FOOTFALL_CHAIN || 'demo';
const entry = channels[chain];
if (!entry || typeof entry !== 'object') throw new Error(`unknown FOOTFALL_CHAIN "${chain}" (see build/update-channels.json)`);
const hqUrl = String(process.env.FOOTFALL_UPDATES_URL || entry.hqUrl).replace(/\/+$/, '');
const channel = process.env.FOOTFALL_UPDATE_CHANNEL || entry.channel;

/** @type {import('app-builder-lib').Configuration} */
const config = {
  appId: 'com.footfall.desk',
  productName: 'Footfall',
  copyright: 'Copyright © Footfall',
  directories: { output: 'dist', buildResources: 'build' },
  // Only the built app: main + preload bundles, the renderer, package.json (dependencies are added
  // by electron-builder from package.json's production dependencies).
  files: ['out/electron/**/*', 'out/renderer/**/*', 'package.json', '!**/*.map'],
  extraMetadata: { main: 'out/electron/main.cjs', footfall: { chain, updateChannel: channel } },
  asar: true,
  // Native modules cannot be loaded from inside app.asar.
  asarUnpack: ['**/node_modules/better-sqlite3/**/*.node'],
  npmRebuild: true,
  buildDependenciesFromSource: true,
  nodeGypRebuild: false,
  electronFuses: fuses,
  publish: [{ provider: 'generic', url: `${hqUrl}/updates/${channel}/` }],
  artifactName: '${productName}-${version}-${arch}.${ext}',
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'build/icons/icon.png',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'Footfall',
    artifactName: '${productName}-Setup-${version}.${ext}',
    deleteAppDataOnUninstall: false,
  },
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    icon: 'build/icons',
    category: 'Office',
    maintainer: 'Footfall <desk@footfall.example>',
    synopsis: 'Clienteling desk for shoe-store counters',
  },
  deb: { depends: ['libsecret-1-0', 'libnotify4', 'libxss1', 'libnss3'] },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    icon: 'build/icons/icon.png',
    category: 'public.app-category.business',
    hardenedRuntime: true,
  },
  dmg: { artifactName: '${productName}-${version}-${arch}.${ext}' },
};

module.exports = config;
