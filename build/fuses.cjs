// Electron fuses flipped into the packaged binary (electron-builder's `electronFuses`, which runs
// @electron/fuses after packing and before signing). One map, shared with docs/security.md.
//   runAsNode off                       ELECTRON_RUN_AS_NODE cannot turn the app into a Node shell
//   enableCookieEncryption on           the cookie store on disk is encrypted with the OS key
//   enableNodeOptionsEnvironmentVariable off   NODE_OPTIONS / NODE_EXTRA_CA_CERTS are ignored
//   enableNodeCliInspectArguments off   --inspect / SIGUSR1 cannot attach a debugger
//   enableEmbeddedAsarIntegrityValidation on   app.asar is checked against its hash (macOS, Windows)
//   onlyLoadAppFromAsar on              only app.asar is loaded (no app/ folder next to it)
//   grantFileProtocolExtraPrivileges off  file:// gets no extra powers (the UI is on app://)
//   loadBrowserProcessSpecificV8Snapshot off  (no custom snapshot)
/* global module */

/** @type {import('app-builder-lib').FuseOptionsV1} */
const fuses = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
};

module.exports = { fuses };
