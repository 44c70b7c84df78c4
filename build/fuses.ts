// Electron fuses for the packaged desk (https://www.electronjs.org/docs/latest/tutorial/fuses):
// flipped in the binary at packaging time, so they hold even if an attacker controls the
// environment or the command line of the installed app. electron-builder flips them from
// build/fuses.cjs (its `electronFuses` option, see build/electron-builder.config.cjs); this module
// is the typed map for @electron/fuses with the reason for each value, and
// test/unit/electron-fuses.test.ts pins both to the same values, so a change is a reviewed decision.
// Without electron-builder's option, the same map works from an afterPack hook:
//
//   import { flipFuses } from '@electron/fuses';
//   import { footfallFuses, electronBinaryPath } from './build/fuses.ts';
//   export default async (ctx) => flipFuses(electronBinaryPath(ctx), footfallFuses());
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

/** Why each fuse is set the way it is (printed by the test on failure, read by reviewers). */
export const FUSE_REASONS: Record<FuseV1Options, string> = {
  [FuseV1Options.RunAsNode]: 'off: ELECTRON_RUN_AS_NODE would turn the signed app into a general Node interpreter',
  [FuseV1Options.EnableCookieEncryption]: 'on: the session cookie store is encrypted with the OS keychain key',
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: 'off: NODE_OPTIONS (e.g. --require) must not inject code into the main process',
  [FuseV1Options.EnableNodeCliInspectArguments]: 'off: --inspect/--inspect-brk must not open a debugger on a counter PC',
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: 'on: app.asar is checked against the hash embedded at build time',
  [FuseV1Options.OnlyLoadAppFromAsar]: 'on: the app is only loaded from the (integrity-checked) app.asar, never a loose folder',
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: 'off: one V8 snapshot; nothing gains from a browser-specific one',
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: 'off: file:// gets no extra privileges; the renderer is served from app://footfall',
};

/** The fuse wire for @electron/fuses' flipFuses(); strict, so a new Electron fuse must be decided. */
export function footfallFuses(): FuseV1Config {
  return {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    // macOS: re-sign ad hoc after flipping, so a local unsigned build still launches.
    resetAdHocDarwinSignature: process.platform === 'darwin',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** Path of the Electron binary inside electron-builder's afterPack output. */
export function electronBinaryPath(ctx: { appOutDir: string; electronPlatformName: string; packager: { appInfo: { productFilename: string } } }): string {
  const name = ctx.packager.appInfo.productFilename;
  switch (ctx.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(ctx.appOutDir, `${name}.app`);
    case 'win32':
      return join(ctx.appOutDir, `${name}.exe`);
    default:
      return join(ctx.appOutDir, name.toLowerCase());
  }
}
