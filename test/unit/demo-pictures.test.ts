// The demo's style pictures (4/8 part E): a real PNG per category and colour, the same bytes every
// time, the colourway's colour really in it, and the seed stores one per colourway of every style.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { pictureRef } from '../../hq/app/pictures/stylePictures.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { colourOf, drawStylePicture, PICTURE_HEIGHT, PICTURE_WIDTH } from '../../hq/demo/stylePictures.ts';
import { startHq } from '../../hq/server.ts';
import { pictureOf } from '../../hq/ports/styleImageStore.ts';
import { Category, isAccessory } from '../../shared/domain.ts';

/** Pixels within a small distance of `rgb`. */
function pixelsNear(png: PNG, rgb: readonly number[], within = 6): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - rgb[0]!) + Math.abs(png.data[i + 1]! - rgb[1]!) + Math.abs(png.data[i + 2]! - rgb[2]!) <= within) n++;
  }
  return n;
}

describe('demo style pictures', () => {
  it('draws a 320×240 PNG per category and colour, deterministic, in the colourway’s colour', () => {
    const seen = new Set<string>();
    for (const category of Category.options) {
      for (const colour of ['RED', 'NVY', 'WHT', 'GRN', 'ZZZ']) {
        const bytes = drawStylePicture(category, colour);
        expect(drawStylePicture(category, colour)).toEqual(bytes); // no randomness
        const ref = pictureRef(bytes);
        expect(ref.mime).toBe('image/png');
        expect(ref.bytes).toBeLessThan(16 * 1024); // small: npm start seeds dozens
        seen.add(ref.id);
        const png = PNG.sync.read(bytes);
        expect([png.width, png.height]).toEqual([PICTURE_WIDTH, PICTURE_HEIGHT]);
        // The shoe is mostly its colourway's colour: a real area of it, not a few stray pixels.
        expect(pixelsNear(png, colourOf(colour)), `${category} ${colour}`).toBeGreaterThan(PICTURE_WIDTH * PICTURE_HEIGHT * 0.05);
      }
    }
    expect(seen.size).toBe(Category.options.length * 5); // every pair its own picture
  });

  it('the demo seed stores a picture per colourway of every shoe, and its first colourway’s as the default; accessories have none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-pictures-'));
    const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
    try {
      await seedDemo(hq, { members: 20, styles: 30, seed: 3 });
      const [styles, refs] = await hq.store.read(async (r) => [await r.listStyles(), await r.styleImages.refs()] as const);
      // 7/8: the demo's accessories come beside the 30 shoes; the drawings are of shoes, so they have no picture.
      const shoes = styles.filter((s) => !isAccessory(s));
      expect(shoes).toHaveLength(30);
      expect(styles.length).toBeGreaterThan(30);
      for (const s of styles.filter(isAccessory)) expect(refs.get(s.id), s.id).toBeUndefined();
      for (const s of shoes) {
        const want = new Map(s.colors.map((c) => [c.code, pictureRef(drawStylePicture(s.category, c.code))]));
        want.set('', pictureRef(drawStylePicture(s.category, s.colors[0]!.code)));
        expect(refs.get(s.id), s.id).toEqual(want);
        for (const c of s.colors) expect(pictureOf(refs, s.id, c.code), `${s.id} ${c.code}`).toEqual(want.get(c.code));
      }
    } finally {
      await hq.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
