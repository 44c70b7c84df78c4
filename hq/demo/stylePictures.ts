// The demo's style pictures (4/8 part E): a clean, flat side view of a shoe per category, in the
// colourway's colour, drawn with a tiny scanline rasteriser into a 320×240 PNG (pngjs). Pure and
// deterministic: the same category and colour always give the same bytes (so the same picture id),
// and it draws with no randomness at all (the seed's `rng` is left untouched).
//
// Drawn at twice the size and averaged down 2×2, which is enough anti-aliasing for flat shapes.
import { PNG } from 'pngjs';
import { type Category } from '../../shared/domain.ts';

export const PICTURE_WIDTH = 320;
export const PICTURE_HEIGHT = 240;
const SCALE = 2;

type RGB = readonly [number, number, number];

/** The demo colourways' colours (hq/demo/names.ts COLORWAYS); an unknown code gets a hue from its letters. */
const COLOURS: Record<string, RGB> = {
  BLK: [43, 43, 46],
  WHT: [242, 242, 238],
  GRY: [140, 144, 150],
  NVY: [31, 47, 85],
  RED: [200, 50, 46],
  BLU: [47, 111, 192],
  GRN: [47, 138, 87],
  PNK: [232, 140, 166],
  BEI: [216, 195, 160],
  ORG: [236, 122, 44],
};

export function colourOf(code: string): RGB {
  const known = COLOURS[code];
  if (known) return known;
  let h = 0;
  for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return hsl(h, 0.55, 0.5);
}

function hsl(h: number, s: number, l: number): RGB {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

const mix = (a: RGB, b: RGB, t: number): RGB => [0, 1, 2].map((i) => Math.round(a[i]! * (1 - t) + b[i]! * t)) as unknown as RGB;
const BLACK: RGB = [20, 20, 24];
const WHITE: RGB = [250, 250, 247];
const luminance = (c: RGB) => (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255;

/** A path in picture coordinates (320×240), flattened to a polygon. */
class Path {
  readonly pts: Array<[number, number]> = [];
  private x = 0;
  private y = 0;
  M(x: number, y: number): this {
    this.pts.push([x, y]);
    this.x = x;
    this.y = y;
    return this;
  }
  L(x: number, y: number): this {
    return this.M(x, y);
  }
  Q(cx: number, cy: number, x: number, y: number): this {
    const [x0, y0] = [this.x, this.y];
    for (let i = 1; i <= 12; i++) {
      const t = i / 12;
      const u = 1 - t;
      this.pts.push([u * u * x0 + 2 * u * t * cx + t * t * x, u * u * y0 + 2 * u * t * cy + t * t * y]);
    }
    this.x = x;
    this.y = y;
    return this;
  }
}

function ellipse(cx: number, cy: number, rx: number, ry: number): Path {
  const p = new Path();
  for (let i = 0; i < 48; i++) p.L(cx + rx * Math.cos((i / 48) * 2 * Math.PI), cy + ry * Math.sin((i / 48) * 2 * Math.PI));
  return p;
}

function rect(x: number, y: number, w: number, h: number): Path {
  return new Path().M(x, y).L(x + w, y).L(x + w, y + h).L(x, y + h);
}

/** An RGB canvas at SCALE× the picture size. */
class Canvas {
  readonly w = PICTURE_WIDTH * SCALE;
  readonly h = PICTURE_HEIGHT * SCALE;
  readonly px = new Float32Array(this.w * this.h * 3);
  /** Vertical shift of what is drawn (a low shoe sits higher, so every shoe looks centred). */
  dy = 0;

  /** Fills a polygon (even-odd, sampled at pixel centres) with `colour` at `alpha`. */
  fill(path: Path, colour: RGB, alpha = 1): void {
    const pts = path.pts.map(([x, y]) => [x * SCALE, (y + this.dy) * SCALE] as const);
    const ys = pts.map((p) => p[1]);
    const top = Math.max(0, Math.floor(Math.min(...ys)));
    const bottom = Math.min(this.h - 1, Math.ceil(Math.max(...ys)));
    for (let row = top; row <= bottom; row++) {
      const y = row + 0.5;
      const xs: number[] = [];
      for (let i = 0; i < pts.length; i++) {
        const [x1, y1] = pts[i]!;
        const [x2, y2] = pts[(i + 1) % pts.length]!;
        if (y1 <= y === y2 <= y) continue;
        xs.push(x1 + ((y - y1) / (y2 - y1)) * (x2 - x1));
      }
      xs.sort((a, b) => a - b);
      const [r, g, b] = colour;
      const keep = 1 - alpha;
      const px = this.px;
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
        const to = Math.min(this.w - 1, Math.floor(xs[k + 1]! - 0.5));
        for (let o = (row * this.w + from) * 3, end = (row * this.w + to) * 3; o <= end; o += 3) {
          px[o] = px[o]! * keep + r * alpha;
          px[o + 1] = px[o + 1]! * keep + g * alpha;
          px[o + 2] = px[o + 2]! * keep + b * alpha;
        }
      }
    }
  }

  /** Paints every pixel of a row (the background). */
  row(row: number, colour: RGB): void {
    this.px.fill(colour[0], row * this.w * 3, (row + 1) * this.w * 3);
    for (let o = row * this.w * 3; o < (row + 1) * this.w * 3; o += 3) {
      this.px[o + 1] = colour[1];
      this.px[o + 2] = colour[2];
    }
  }

  /** Averages SCALE×SCALE blocks into a PNG. */
  png(): Buffer {
    const out = new PNG({ width: PICTURE_WIDTH, height: PICTURE_HEIGHT, colorType: 2 });
    const px = this.px;
    const data = out.data;
    const stride = this.w * 3;
    for (let y = 0; y < PICTURE_HEIGHT; y++) {
      for (let x = 0; x < PICTURE_WIDTH; x++) {
        const o = (y * PICTURE_WIDTH + x) * 4;
        const i = y * SCALE * stride + x * SCALE * 3; // SCALE is 2: the four samples of the block
        for (let c = 0; c < 3; c++) data[o + c] = ((px[i + c]! + px[i + 3 + c]! + px[i + stride + c]! + px[i + stride + 3 + c]!) * 0.25 + 0.5) | 0;
        data[o + 3] = 255;
      }
    }
    // One filter (Paeth suits flat shapes on a gradient) instead of trying all five per line: 3× faster.
    return PNG.sync.write(out, { colorType: 2, filterType: 4 });
  }
}

interface Palette {
  main: RGB;
  shade: RGB;
  accent: RGB;
  sole: RGB;
  lining: RGB;
}

function paletteFor(colour: RGB, category: Category): Palette {
  const light = luminance(colour) > 0.72;
  const dark = luminance(colour) < 0.25;
  return {
    main: colour,
    shade: mix(colour, BLACK, light ? 0.12 : 0.28),
    accent: light ? mix(colour, BLACK, 0.65) : dark ? mix(colour, WHITE, 0.85) : WHITE,
    sole: category === 'retro' ? [196, 150, 96] : category === 'casual' ? (light ? [120, 86, 60] : [60, 48, 42]) : light ? [70, 72, 78] : [246, 245, 240],
    lining: mix(colour, BLACK, 0.55),
  };
}

function background(c: Canvas): void {
  for (let row = 0; row < c.h; row++) c.row(row, mix([247, 245, 241], [232, 228, 221], row / c.h));
}

/** How far up each category is drawn, so that each shoe sits in the middle of the picture. */
const LIFT: Record<Category, number> = { running: -22, basketball: -8, retro: -24, casual: -30, kids: -18 };

/** A low shoe's upper (running, retro), heel at the left, toe to the right. */
function lowUpper(heelTop: number): Path {
  return new Path()
    .M(46, 172)
    .L(46, heelTop + 16)
    .Q(46, heelTop, 62, heelTop)
    .Q(90, heelTop + 2, 104, heelTop + 14)
    .Q(136, 114, 190, 128)
    .Q(252, 140, 274, 160)
    .Q(284, 168, 280, 174)
    .L(46, 174);
}

function drawRunning(c: Canvas, p: Palette): void {
  c.fill(lowUpper(104), p.main);
  c.fill(new Path().M(46, 174).L(46, 128).Q(60, 126, 82, 150).Q(96, 168, 100, 174), p.shade); // heel counter
  c.fill(new Path().M(226, 146).Q(262, 150, 276, 162).Q(284, 170, 278, 174).L(222, 174).Q(214, 160, 226, 146), p.shade); // toe
  c.fill(new Path().M(68, 104).Q(90, 106, 100, 120).Q(84, 116, 66, 112), p.lining); // collar opening
  // The stripe: a sweep from the heel to the midfoot.
  c.fill(new Path().M(84, 166).Q(150, 158, 222, 128).Q(176, 162, 98, 172), p.accent);
  for (let i = 0; i < 4; i++) c.fill(rect(116 + i * 17, 121 + i * 3.2, 10, 3.2), p.accent, 0.9); // laces
  // Sole: a thick cushioned midsole with a darker outsole.
  c.fill(new Path().M(40, 170).L(276, 170).Q(296, 172, 292, 184).Q(288, 192, 270, 192).L(52, 192).Q(36, 192, 36, 182).Q(36, 170, 40, 170), p.sole);
  c.fill(new Path().M(38, 188).L(290, 186).Q(288, 194, 270, 195).L(52, 195).Q(38, 195, 38, 188), mix(p.sole, BLACK, 0.35));
}

function drawBasketball(c: Canvas, p: Palette): void {
  c.fill(
    new Path().M(50, 172).L(50, 70).Q(50, 56, 66, 56).Q(100, 56, 112, 70).L(120, 110).Q(150, 124, 200, 132).Q(256, 142, 276, 160).Q(286, 170, 280, 174).L(50, 174),
    p.main,
  );
  c.fill(new Path().M(50, 174).L(50, 112).Q(80, 112, 96, 140).Q(104, 160, 108, 174), p.shade); // heel panel
  c.fill(new Path().M(222, 144).Q(262, 150, 276, 162).Q(284, 170, 278, 174).L(214, 174).Q(208, 156, 222, 144), p.shade); // toe
  c.fill(new Path().M(66, 58).Q(96, 58, 110, 72).Q(92, 66, 66, 66), p.lining); // collar
  c.fill(new Path().M(60, 96).L(118, 86).L(122, 104).L(62, 114), p.accent); // ankle strap
  c.fill(ellipse(150, 150, 20, 12), p.accent); // side badge
  c.fill(ellipse(150, 150, 12, 6), p.shade);
  for (let i = 0; i < 5; i++) c.fill(rect(114 + i * 16, 92 + i * 8, 10, 3.2), p.accent, 0.9); // laces
  c.fill(new Path().M(44, 170).L(276, 170).Q(296, 172, 292, 182).Q(288, 190, 270, 190).L(54, 190).Q(40, 190, 40, 180).Q(40, 170, 44, 170), p.sole);
  c.fill(rect(44, 176, 240, 2.5), mix(p.sole, BLACK, 0.25));
}

function drawRetro(c: Canvas, p: Palette): void {
  c.fill(lowUpper(112), p.main);
  c.fill(new Path().M(220, 148).Q(262, 152, 276, 164).Q(282, 170, 278, 174).L(214, 174).Q(208, 158, 220, 148), mix(p.main, WHITE, 0.35)); // suede toe
  c.fill(new Path().M(46, 174).L(46, 134).Q(62, 134, 70, 150).L(74, 174), p.shade); // heel tab
  c.fill(new Path().M(68, 112).Q(90, 114, 100, 128).Q(84, 122, 66, 120), p.lining);
  for (let i = 0; i < 3; i++) {
    const x = 112 + i * 20;
    c.fill(new Path().M(x, 132).L(x + 10, 130).L(x + 44, 172).L(x + 32, 172), p.accent); // three stripes
  }
  c.fill(new Path().M(42, 172).L(280, 172).Q(292, 174, 290, 182).Q(288, 188, 276, 188).L(50, 188).Q(40, 188, 40, 180).Q(40, 172, 42, 172), p.sole);
  c.fill(rect(44, 177, 240, 2), mix(p.sole, BLACK, 0.3));
}

function drawCasual(c: Canvas, p: Palette): void {
  c.fill(new Path().M(48, 176).L(48, 132).Q(48, 120, 62, 122).Q(110, 130, 150, 130).Q(230, 132, 268, 152).Q(288, 164, 282, 176).L(48, 176), p.main);
  c.fill(new Path().M(64, 124).Q(108, 134, 150, 132).Q(120, 140, 66, 132), p.lining); // opening
  c.fill(new Path().M(150, 132).Q(196, 126, 232, 140).Q(196, 144, 150, 140), p.shade); // vamp seam
  c.fill(new Path().M(156, 142).L(222, 144).L(220, 154).L(158, 152), p.accent); // strap
  c.fill(ellipse(189, 148, 5, 4), p.shade);
  c.fill(new Path().M(44, 174).L(282, 174).Q(292, 176, 290, 182).Q(288, 186, 278, 186).L(50, 186).Q(42, 186, 42, 180).Q(42, 174, 44, 174), p.sole);
  c.fill(rect(48, 186, 50, 6), p.sole); // heel block
}

function drawKids(c: Canvas, p: Palette): void {
  c.fill(new Path().M(76, 170).L(76, 110).Q(76, 94, 96, 94).Q(124, 94, 136, 110).Q(170, 116, 206, 124).Q(252, 134, 258, 160).Q(260, 172, 250, 172).L(76, 172), p.main);
  c.fill(new Path().M(196, 124).Q(248, 132, 256, 156).Q(258, 170, 250, 172).L(196, 172).Q(184, 146, 196, 124), mix(p.main, WHITE, 0.45)); // rubber toe cap
  c.fill(new Path().M(92, 96).Q(118, 96, 132, 110).Q(110, 104, 92, 104), p.lining);
  c.fill(new Path().M(118, 112).L(170, 118).L(168, 132).L(116, 126), p.accent); // two hook-and-loop straps
  c.fill(new Path().M(122, 132).L(176, 136).L(174, 150).L(120, 146), p.accent);
  c.fill(ellipse(98, 142, 9, 9), p.accent);
  c.fill(new Path().M(70, 168).L(254, 168).Q(272, 170, 268, 182).Q(264, 192, 248, 192).L(82, 192).Q(66, 192, 66, 180).Q(66, 168, 70, 168), p.sole);
  c.fill(rect(72, 184, 190, 3), mix(p.sole, BLACK, 0.25));
}

const DRAW: Record<Category, (c: Canvas, p: Palette) => void> = {
  running: drawRunning,
  basketball: drawBasketball,
  retro: drawRetro,
  casual: drawCasual,
  kids: drawKids,
};

/** The picture of a style of `category` in the colourway `colorCode`, as PNG bytes. */
export function drawStylePicture(category: Category, colorCode: string): Buffer {
  const c = new Canvas();
  background(c);
  c.dy = LIFT[category];
  c.fill(ellipse(162, 196, 132, 11), [0, 0, 0], 0.12); // the floor shadow
  const colour = colourOf(colorCode);
  DRAW[category](c, paletteFor(colour, category));
  return c.png();
}
