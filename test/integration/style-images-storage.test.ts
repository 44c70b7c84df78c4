// The style-picture part of the store port (`tx.styleImages`, 4/8 part E) behaves the same on both
// adapters: the embedded SQLite file and PostgreSQL (a fresh schema, dropped afterwards). The bytes
// come back exactly (BLOB / BYTEA), a replaced picture is gone, a colour's picture falls back to the
// style's default, and a rolled-back write left nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { pictureOf, type StyleImageRecord } from '../../hq/ports/styleImageStore.ts';
import { pictureRef } from '../../hq/app/pictures/stylePictures.ts';
import { drawStylePicture } from '../../hq/demo/stylePictures.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-style-images-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const { store, cleanup } = await freshPgStore({ poolSize: 2 });
      return { store, close: cleanup };
    },
  },
];

const record = (styleId: string, data: Buffer, at = 1000, color = ''): StyleImageRecord => ({ ...pictureRef(data), styleId, color, data, updatedAt: at });

describe.each(ADAPTERS)('tx.styleImages on $name', ({ open }) => {
  let store: HqStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(async () => {
    await close();
  });

  it('keeps a picture per style, finds it by style and by id, lists references without bytes', async () => {
    const red = drawStylePicture('running', 'RED');
    const blue = drawStylePicture('retro', 'BLU');
    // Every byte value, so an encoding that mangles any (text, escapes) shows.
    const allBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    await store.withTx(async (tx) => {
      await tx.styleImages.put(record('s1', red));
      await tx.styleImages.put(record('s2', red)); // the same picture for two styles
      await tx.styleImages.put(record('s3', allBytes));
    });
    const got = await store.read((r) => r.styleImages.get('s1'));
    expect(got).toEqual(record('s1', red));
    expect((await store.read((r) => r.styleImages.get('s3')))!.data).toEqual(allBytes);
    expect(await store.read((r) => r.styleImages.ref('s3'))).toEqual(pictureRef(allBytes));
    expect(await store.read((r) => r.styleImages.ref('nope'))).toBeNull();
    expect((await store.read((r) => r.styleImages.byId(pictureRef(red).id)))!.data).toEqual(red);
    expect(await store.read((r) => r.styleImages.byId('f'.repeat(64)))).toBeNull();
    const refs = await store.read((r) => r.styleImages.refs());
    expect(Object.fromEntries([...refs].map(([k, v]) => [k, Object.fromEntries(v)]))).toEqual({ s1: { '': pictureRef(red) }, s2: { '': pictureRef(red) }, s3: { '': pictureRef(allBytes) } });

    // Replacing a style's picture: the old one is gone for that style, still there for the other.
    await store.withTx((tx) => tx.styleImages.put(record('s1', blue, 2000)));
    expect(await store.read((r) => r.styleImages.get('s1'))).toEqual(record('s1', blue, 2000));
    expect((await store.read((r) => r.styleImages.byId(pictureRef(red).id)))!.styleId).toBe('s2');

    expect(await store.withTx((tx) => tx.styleImages.remove('s2'))).toBe(true);
    expect(await store.withTx((tx) => tx.styleImages.remove('s2'))).toBe(false);
    expect(await store.read((r) => r.styleImages.byId(pictureRef(red).id))).toBeNull();
  });

  it('keeps a picture per colour: a colour without its own falls back to the default, or to none', async () => {
    const dflt = drawStylePicture('casual', 'BEI');
    const red = drawStylePicture('casual', 'RED');
    const navy = drawStylePicture('casual', 'NVY');
    await store.withTx(async (tx) => {
      await tx.styleImages.put(record('c1', dflt));
      await tx.styleImages.put(record('c1', red, 1000, 'RED'));
      await tx.styleImages.put(record('c1', navy, 1000, 'NVY'));
      await tx.styleImages.put(record('c2', red, 1000, 'RED')); // a colour's picture, no default
    });
    const ref = (styleId: string, color?: string) => store.read((r) => r.styleImages.ref(styleId, color));
    expect(await ref('c1', 'RED')).toEqual(pictureRef(red));
    expect(await ref('c1', 'NVY')).toEqual(pictureRef(navy));
    expect(await ref('c1', 'GRN')).toEqual(pictureRef(dflt)); // no picture of its own: the default
    expect(await ref('c1')).toEqual(pictureRef(dflt));
    expect(await ref('c2', 'RED')).toEqual(pictureRef(red));
    expect(await ref('c2', 'GRN')).toBeNull();
    expect(await ref('c2')).toBeNull();
    expect(await store.read((r) => r.styleImages.get('c1', 'NVY'))).toEqual(record('c1', navy, 1000, 'NVY'));
    expect(await store.read((r) => r.styleImages.get('c1', 'GRN'))).toEqual(record('c1', dflt));

    // The catalog cache's view answers the same, without a query per style.
    const refs = await store.read((r) => r.styleImages.refs());
    expect(pictureOf(refs, 'c1', 'RED')).toEqual(pictureRef(red));
    expect(pictureOf(refs, 'c1', 'GRN')).toEqual(pictureRef(dflt));
    expect(pictureOf(refs, 'c1')).toEqual(pictureRef(dflt));
    expect(pictureOf(refs, 'c2', 'GRN')).toBeNull();
    expect(pictureOf(refs, 'nope', 'RED')).toBeNull();

    // Replacing one colour leaves the others; removing one colour, then all of a style.
    await store.withTx((tx) => tx.styleImages.put(record('c1', dflt, 3000, 'RED')));
    expect(await ref('c1', 'RED')).toEqual(pictureRef(dflt));
    expect(await ref('c1', 'NVY')).toEqual(pictureRef(navy));
    expect(await store.withTx((tx) => tx.styleImages.remove('c1', 'NVY'))).toBe(true);
    expect(await ref('c1', 'NVY')).toEqual(pictureRef(dflt));
    expect(await store.withTx((tx) => tx.styleImages.remove('c1'))).toBe(true);
    expect(await ref('c1', 'RED')).toBeNull();
    expect(await store.withTx((tx) => tx.styleImages.remove('c1'))).toBe(false);
  });

  it('a rolled-back transaction stores no picture', async () => {
    const pic = drawStylePicture('kids', 'PNK');
    await expect(
      store.withTx(async (tx) => {
        await tx.styleImages.put(record('rolled', pic));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.read((r) => r.styleImages.get('rolled'))).toBeNull();
  });
});
