// The fuse map electron-builder flips into the packaged desk (build/fuses.cjs → `electronFuses`):
// every fuse @electron/fuses knows is decided, so a fuse added by a new Electron fails this test
// until someone decides it, and the security-relevant ones are pinned (reasons in fuses.cjs).
import { createRequire } from 'node:module';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const { fuses } = createRequire(import.meta.url)('../../build/fuses.cjs') as { fuses: Record<string, boolean> };
/** electron-builder names a fuse like FuseV1Options with a lower-case first letter. */
const keyOf = (fuse: FuseV1Options) => FuseV1Options[fuse].charAt(0).toLowerCase() + FuseV1Options[fuse].slice(1);
const allFuses = Object.values(FuseV1Options).filter((v): v is FuseV1Options => typeof v === 'number');

describe('Electron fuses', () => {
  it('decides every fuse Electron knows, and nothing else', () => {
    for (const fuse of allFuses) expect(typeof fuses[keyOf(fuse)], keyOf(fuse)).toBe('boolean');
    expect(Object.keys(fuses).sort()).toEqual(allFuses.map(keyOf).sort());
  });

  it('pins the hardened values', () => {
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
