// The style-picture part of the store port (`tx.styleImages`, 4/8 part E) behaves the same on both
// adapters: the embedded SQLite file and PostgreSQL (a fresh schema, dropped afterwards). The bytes
// come back exactly (BLOB / BYTEA), a replaced picture is gone, and a rolled-back write left nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { type StyleImageRecord } from '../../hq/ports/styleImageStore.ts';
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

const record = (styleId: string, data: Buffer, at = 1000): StyleImageRecord => ({ ...pictureRef(data), styleId, data, updatedAt: at });

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
    expect(Object.fromEntries(refs)).toEqual({ s1: pictureRef(red), s2: pictureRef(red), s3: pictureRef(allBytes) });

    // Replacing a style's picture: the old one is gone for that style, still there for the other.
    await store.withTx((tx) => tx.styleImages.put(record('s1', blue, 2000)));
    expect(await store.read((r) => r.styleImages.get('s1'))).toEqual(record('s1', blue, 2000));
    expect((await store.read((r) => r.styleImages.byId(pictureRef(red).id)))!.styleId).toBe('s2');

    expect(await store.withTx((tx) => tx.styleImages.remove('s2'))).toBe(true);
    expect(await store.withTx((tx) => tx.styleImages.remove('s2'))).toBe(false);
    expect(await store.read((r) => r.styleImages.byId(pictureRef(red).id))).toBeNull();
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
