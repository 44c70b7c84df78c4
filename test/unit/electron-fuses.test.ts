// The fuse map the packaged desk is built with (build/fuses.ts): every fuse @electron/fuses knows
// is decided (strict), and the security-relevant ones are pinned.
import { createRequire } from 'node:module';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { electronBinaryPath, footfallFuses, FUSE_REASONS } from '../../build/fuses.ts';

describe('Electron fuses', () => {
  it('decides every fuse and pins the hardened values', () => {
    const fuses = footfallFuses() as unknown as Record<number, boolean> & { strictlyRequireAllFuses: boolean };
    expect(fuses.strictlyRequireAllFuses).toBe(true);
    const all = Object.values(FuseV1Options).filter((v): v is FuseV1Options => typeof v === 'number');
    for (const fuse of all) {
      expect(typeof fuses[fuse], FuseV1Options[fuse]).toBe('boolean');
      expect(FUSE_REASONS[fuse], FuseV1Options[fuse]).toMatch(/^(on|off): /);
      expect(FUSE_REASONS[fuse].startsWith(fuses[fuse] ? 'on' : 'off'), FuseV1Options[fuse]).toBe(true);
    }
    expect(fuses[FuseV1Options.RunAsNode]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
  });

  it('finds the binary electron-builder packed', () => {
    const ctx = (p: string) => ({ appOutDir: '/out', electronPlatformName: p, packager: { appInfo: { productFilename: 'Footfall' } } });
    expect(electronBinaryPath(ctx('win32'))).toBe('/out/Footfall.exe');
    expect(electronBinaryPath(ctx('darwin'))).toBe('/out/Footfall.app');
    expect(electronBinaryPath(ctx('linux'))).toBe('/out/footfall');
  });

  it('is the same map electron-builder flips (build/fuses.cjs → electronFuses)', () => {
    const { fuses: packaged } = createRequire(import.meta.url)('../../build/fuses.cjs') as { fuses: Record<string, boolean> };
    const ours = footfallFuses() as unknown as Record<number, boolean>;
    const all = Object.values(FuseV1Options).filter((v): v is FuseV1Options => typeof v === 'number');
    for (const fuse of all) {
      const name = FuseV1Options[fuse];
      const key = name.charAt(0).toLowerCase() + name.slice(1);
      expect(packaged[key], key).toBe(ours[fuse]);
    }
    expect(Object.keys(packaged).length).toBe(all.length);
  });
});
