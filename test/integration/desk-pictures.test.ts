// The desk caches the pictures its suggestions and product cards name (4/8 part E): fetched in the
// background after an arrival (a real HQ on loopback, a real SQLite cache), shown from the cache
// with HQ stopped, and a picture the desk never had is null (the UI's placeholder), never an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { pictureRef } from '../../hq/app/pictures/stylePictures.ts';
import { drawStylePicture } from '../../hq/demo/stylePictures.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

const RUN = drawStylePicture('running', 'BLK');
const RETRO = drawStylePicture('retro', 'WHT');

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
});
afterEach(async () => {
  await t.dispose();
});

async function putPicture(styleId: string, bytes: Buffer): Promise<void> {
  const res = await fetch(`${t.url}/v1/ingest/styles/${styleId}/image`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png', 'x-integration-key': t.hq.integrationKey },
    body: new Uint8Array(bytes),
  });
  expect(res.status).toBe(200);
}

const online = async (desk: DeskCore) => (await desk.getConnection()).status === 'online';
const bytesOf = (img: { dataBase64: string } | null) => (img ? Buffer.from(img.dataBase64, 'base64') : null);

describe('style pictures on the desk', () => {
  it('fetches what an arrival’s suggestions name in the background and shows it with HQ stopped', async () => {
    await putPicture('st-run', RUN);
    await putPicture('st-retro', RETRO);
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    const arrived: string[] = [];
    desk.on('styleImage', (e) => arrived.push(e.imageId));
    desk.start();
    await waitFor(() => online(desk), 5000, 'desk online');

    const run = pictureRef(RUN).id;
    const retro = pictureRef(RETRO).id;
    // Before any card names them, the desk fetches neither.
    await new Promise((r) => setTimeout(r, 400));
    expect(arrived).toEqual([]);

    await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await desk.listArrivals({})).length === 1, 5000, 'arrival shown');
    const member = await desk.getMember('m1');
    expect(Object.fromEntries(member!.recommendations.map((r) => [r.styleId, r.image?.id]))).toEqual({ 'st-run': run, 'st-retro': retro });
    // Nobody opened anything: the arrival alone brought both pictures into the cache.
    await waitFor(() => arrived.includes(run) && arrived.includes(retro), 5000, 'pictures fetched');
    expect(bytesOf(await desk.getStyleImage(run))).toEqual(RUN);
    expect((await desk.getStyleImage(retro))?.mime).toBe('image/png');

    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'desk offline');
    expect(bytesOf(await desk.getStyleImage(run))).toEqual(RUN);
    expect(bytesOf(await desk.getStyleImage(retro))).toEqual(RETRO);
    // A picture this desk never had: null (the placeholder), not an error, and nothing asked offline.
    expect(await desk.getStyleImage('a'.repeat(64))).toBeNull();
    expect(await desk.getStyleImage('not-a-picture-id')).toBeNull();
    await expect(desk.getStyleImage('x'.repeat(65))).rejects.toThrow();
  });

  it('a desk enrolled after the arrival fetches the pictures its snapshot’s suggestions name', async () => {
    await putPicture('st-run', RUN);
    await t.arrival(STORE_A, 'm1'); // before this desk exists: its snapshot brings the profile
    const { desk } = await t.desk(STORE_A, 'Counter 2');
    const arrived: string[] = [];
    desk.on('styleImage', (e) => arrived.push(e.imageId));
    desk.start();
    await waitFor(() => arrived.includes(pictureRef(RUN).id), 5000, 'the snapshot’s pictures fetched');
    expect(bytesOf(await desk.getStyleImage(pictureRef(RUN).id))).toEqual(RUN);
  });

  it('a picture set after the desk cached the card is fetched when the next card names it; a product card shows the cached one', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    const arrived: string[] = [];
    desk.on('styleImage', (e) => arrived.push(e.imageId));
    desk.start();
    await waitFor(() => online(desk), 5000, 'desk online');
    await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await desk.getMember('m1'))?.recommendations.length === 2, 5000, 'profile');
    expect((await desk.getMember('m1'))!.recommendations.every((r) => r.image === null)).toBe(true);

    await putPicture('st-run', RUN);
    const run = pictureRef(RUN).id;
    await desk.sendMessage('m1', { kind: 'product', styleId: 'st-run' });
    await waitFor(() => arrived.includes(run), 5000, 'the card’s picture fetched');
    const card = (await desk.getConversation('m1')).messages.find((m) => m.product && !m.pending)!.product!;
    expect(card.image?.id).toBe(run);
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'desk offline');
    expect(bytesOf(await desk.getStyleImage(run))).toEqual(RUN);
  });
});
