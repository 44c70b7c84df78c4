// The electron-builder configuration (build/electron-builder.config.cjs): valid against
// electron-builder's own JSON schema, names every target, the fuses, the generic update feed per
// chain/channel, better-sqlite3 unpacked and rebuilt — and the icons and sounds it ships are real.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultSettingsFor } from '../../shared/settings.ts';

const require = createRequire(import.meta.url);

type Config = Record<string, unknown> & {
  win: { target: Array<{ target: string }> };
  linux: { target: Array<{ target: string }> };
  mac: { target: Array<{ target: string }> };
  electronFuses: Record<string, boolean>;
  publish: Array<{ provider: string; url: string }>;
  files: string[];
  asarUnpack: string[];
};

function loadConfig(env: Record<string, string> = {}): Config {
  const path = require.resolve('../../build/electron-builder.config.cjs');
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    delete require.cache[path];
    return require(path) as Config;
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
}

describe('electron-builder configuration', () => {
  const config = loadConfig();

  it('is valid against app-builder-lib/scheme.json', () => {
    const schemaPath = require.resolve('app-builder-lib/scheme.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const Ajv = require('ajv') as new (opts: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
    const validate = new Ajv({ allErrors: true, schemaId: 'auto', unknownFormats: 'ignore', logger: false }).compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? null, JSON.stringify(validate.errors, null, 2)).toBeNull();
    expect(ok).toBe(true);
  });

  it('has the identity, files and package.json main', () => {
    expect(config.appId).toBe('com.footfall.desk');
    expect(config.productName).toBe('Footfall');
    expect(config.files).toEqual(expect.arrayContaining(['out/electron/**/*', 'out/renderer/**/*', 'package.json']));
    expect((config.extraMetadata as { main: string }).main).toBe('out/electron/main.cjs');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('out/electron/main.cjs');
    expect(pkg.scripts.dist).toMatch(/build:renderer.*build:electron.*electron-builder --config build\/electron-builder\.config\.cjs/);
  });

  it('names every target: nsis, AppImage, deb, dmg', () => {
    const targets = [...config.win.target, ...config.linux.target, ...config.mac.target].map((t) => t.target);
    expect(targets).toEqual(expect.arrayContaining(['nsis', 'AppImage', 'deb', 'dmg']));
  });

  it('unpacks and rebuilds better-sqlite3 for Electron', () => {
    expect(config.asarUnpack.some((p) => p.includes('better-sqlite3') && p.endsWith('.node'))).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    expect(config.asar).toBe(true);
  });

  it('flips the fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('publishes to a generic feed per chain and channel', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: 'http://127.0.0.1:8080/updates/stable/' }]);
    const acme = loadConfig({ FOOTFALL_CHAIN: 'acme' });
    expect(acme.publish[0]!.url).toBe('https://hq.acme-shoes.example/updates/acme-stable/');
    const custom = loadConfig({ FOOTFALL_CHAIN: 'acme', FOOTFALL_UPDATES_URL: 'https://hq.example/', FOOTFALL_UPDATE_CHANNEL: 'acme-beta' });
    expect(custom.publish[0]!.url).toBe('https://hq.example/updates/acme-beta/');
    expect(() => loadConfig({ FOOTFALL_CHAIN: 'nope' })).toThrow(/unknown FOOTFALL_CHAIN/);
  });

  it("writes the chain's channel into package.json, and the packaged desk's settings default to it", () => {
    const acme = loadConfig({ FOOTFALL_CHAIN: 'acme-pilot' });
    expect(acme.extraMetadata).toMatchObject({ footfall: { chain: 'acme-pilot', updateChannel: 'acme-pilot' } });
    expect(defaultSettingsFor(acme.extraMetadata).updateChannel).toBe('acme-pilot');
    expect(defaultSettingsFor(config.extraMetadata).updateChannel).toBe('stable');
  });

  it('ships a real 512×512 PNG icon and the tray icons', () => {
    const png = readFileSync('build/icons/icon.png');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
    // The IDAT inflates to 512 rows of (1 filter byte + 512 RGBA pixels).
    const idat = png.indexOf('IDAT');
    const len = png.readUInt32BE(idat - 4);
    expect(inflateSync(png.subarray(idat + 4, idat + 4 + len)).length).toBe(512 * (512 * 4 + 1));
    for (const f of ['tray.png', 'trayTemplate.png', '256x256.png']) expect(existsSync(`build/icons/${f}`)).toBe(true);
  });

  it('ships the alert sounds (and the chat message sound) as WAV files', () => {
    for (const name of ['chime', 'bell', 'knock', 'message']) {
      const wav = readFileSync(`renderer/public/sounds/${name}.wav`);
      expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
      expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
      expect(wav.length).toBeLessThan(64 * 1024);
    }
  });
});
