// scripts/bundles.ts sourceUrlPlugin: in a bundle, each of the project's modules still sees its own
// source file's URL as import.meta.url (HQ's member page and checkpoint thread rely on it), in both
// output formats; the expression inside quotes is left alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceUrlPlugin } from '../../scripts/bundles.ts';

const dir = mkdtempSync(join(tmpdir(), 'ff-source-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(join(dir, 'src', 'deep', 'er'), { recursive: true });
writeFileSync(join(dir, 'src', 'deep', 'er', 'leaf.ts'), "export const leafUrl: string = import.meta.url;\nexport const quoted = 'import.meta.url';\n");
writeFileSync(join(dir, 'src', 'main.ts'), "import { leafUrl, quoted } from './deep/er/leaf.ts';\nexport const urls = { main: import.meta.url, leaf: leafUrl, quoted, page: new URL('../page/', import.meta.url).href };\n");

describe('bundles: import.meta.url stays each module’s own', () => {
  for (const format of ['esm', 'cjs'] as const) {
    it(`in a ${format} bundle written elsewhere`, async () => {
      const outdir = join(dir, 'out', format);
      const outfile = join(outdir, format === 'esm' ? 'main.mjs' : 'main.cjs');
      await build({ entryPoints: [join(dir, 'src', 'main.ts')], bundle: true, platform: 'node', format, outfile, plugins: [sourceUrlPlugin(outdir, format)], logLevel: 'silent' });
      const loaded = (await import(pathToFileURL(outfile).href)) as { urls?: Record<string, string>; default?: { urls: Record<string, string> } };
      const urls = loaded.urls ?? loaded.default!.urls;
      expect(urls).toEqual({
        main: pathToFileURL(join(dir, 'src', 'main.ts')).href,
        leaf: pathToFileURL(join(dir, 'src', 'deep', 'er', 'leaf.ts')).href,
        quoted: 'import.meta.url',
        page: pathToFileURL(join(dir, 'page')).href + '/',
      });
    });
  }
});
