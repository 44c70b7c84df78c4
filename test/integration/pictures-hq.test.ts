// Style pictures at HQ (4/8 part E), with a real HQ on loopback and a real local HTTP server as
// the catalog's picture host: upload (PUT) and URL ingest with every way a picture can be wrong,
// serving with ETag/304 and auth, pictures per colourway (falling back to the style's default), and
// the picture reference travelling in suggestions and chat product cards.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drawStylePicture } from '../../hq/demo/stylePictures.ts';
import { pictureRef } from '../../hq/app/pictures/stylePictures.ts';
import { isPrivateAddress } from '../../hq/app/pictures/fetchPicture.ts';
import { MemberProfileResponse } from '../../shared/protocol.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

const PNG = drawStylePicture('running', 'BLK');
const RED_PNG = drawStylePicture('running', 'RED');
const GRN_PNG = drawStylePicture('running', 'GRN');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

// ---------------------------------------------------------------------------------------------
// The catalog's picture host: a real HTTP server with one route per way of answering.

let host: Server;
let hostUrl: string;
const hung: Array<() => void> = [];
beforeAll(async () => {
  host = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/shoe.png') return res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    if (path === '/red.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(RED_PNG);
    if (path === '/shoe.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
    if (path === '/missing.png') return res.writeHead(404).end('no');
    if (path === '/page.png') return res.writeHead(200, { 'content-type': 'image/png' }).end('<html>not a picture</html>');
    if (path === '/logo.svg') return res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    if (path === '/huge.png') {
      // Chunked (no Content-Length): HQ must count as it reads and stop at 2 MiB.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG);
      const chunk = Buffer.alloc(256 * 1024, 7);
      let sent = 0;
      const more = () => {
        while (sent < 12 && res.write(chunk)) sent++;
        if (sent < 12) res.once('drain', more);
        else res.end();
      };
      more();
      return;
    }
    if (path === '/slow.png') {
      hung.push(() => res.destroy());
      return; // never answers
    }
    if (path === '/broken-redirect.png') return res.writeHead(302, { location: 'http://[::1' }).end();
    if (path === '/moved.png') return res.writeHead(302, { location: '/shoe.png' }).end();
    if (path === '/elsewhere.png') return res.writeHead(302, { location: `http://localhost:${(host.address() as AddressInfo).port}/shoe.png` }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const h of hung) h();
  await new Promise((r) => host.close(r));
});

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun', pictureFetch: { allowPrivate: true, timeoutMs: 800 } });
});
afterEach(async () => {
  await t.dispose();
});

const put = (styleId: string, body: Uint8Array, type: string, key: string | null = t.hq.integrationKey, color?: string) =>
  fetch(`${t.url}/v1/ingest/styles/${encodeURIComponent(styleId)}/image${color ? `?color=${encodeURIComponent(color)}` : ''}`, {
    method: 'PUT',
    headers: { 'content-type': type, ...(key ? { 'x-integration-key': key } : {}) },
    body: new Uint8Array(body),
  });

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('PUT /v1/ingest/styles/{id}/image', () => {
  it('stores a PNG or JPEG by its bytes, with the SHA-256 as id, and replaces the old one', async () => {
    const res = await put('st-run', PNG, 'image/png');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { styleId: string; image: { id: string; mime: string; bytes: number } };
    expect(body).toEqual({ styleId: 'st-run', image: pictureRef(PNG) });
    expect(body.image.id).toMatch(/^[0-9a-f]{64}$/);

    const again = await put('st-run', JPEG, 'image/jpeg; charset=binary');
    expect(again.status).toBe(200);
    const { token } = await t.enroll(STORE_A);
    const served = await fetch(`${t.url}/v1/styles/st-run/image`, { headers: { authorization: `Bearer ${token}` } });
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(JPEG);
  });

  it('refuses what is not a PNG/JPEG/WebP picture of a known style, with the key', async () => {
    expect((await put('st-run', PNG, 'image/png', null)).status).toBe(401);
    expect((await put('st-run', PNG, 'image/png', 'wrong')).status).toBe(401);
    const unknown = await put('st-nope', PNG, 'image/png');
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, 'style_not_found']);
    const svg = await put('st-run', SVG, 'image/svg+xml');
    expect([svg.status, await errorCode(svg)]).toEqual([415, 'unsupported_type']);
    const svgClaimingPng = await put('st-run', SVG, 'image/png');
    expect([svgClaimingPng.status, await errorCode(svgClaimingPng)]).toEqual([415, 'unsupported_type']);
    const mismatch = await put('st-run', PNG, 'image/jpeg');
    expect([mismatch.status, await errorCode(mismatch)]).toEqual([415, 'unsupported_type']);
    const empty = await put('st-run', new Uint8Array(0), 'image/png');
    expect([empty.status, await errorCode(empty)]).toEqual([400, 'empty']);
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    expect((await put('st-run', big, 'image/png')).status).toBe(413);
    // Nothing of that was stored.
    const { token } = await t.enroll(STORE_A);
    expect((await fetch(`${t.url}/v1/styles/st-run/image`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});

describe('a picture per colourway', () => {
  it('PUT ?color= sets a colour’s picture; GET ?color= answers it, else the default; an unknown colour is refused', async () => {
    // st-run comes in black (the seed) and red.
    await t.ingest('catalog', [{ id: 'st-run', name: 'Cloud Runner', category: 'running', price: 89900, colors: [{ code: 'BLK', name: 'Black' }, { code: 'RED', name: 'Red' }], sizes: [40, 41, 42, 43], releasedAt: Date.now() - 1000 }]);
    const red = await put('st-run', RED_PNG, 'image/png', t.hq.integrationKey, 'RED');
    expect(red.status).toBe(200);
    expect(await red.json()).toEqual({ styleId: 'st-run', color: 'RED', image: pictureRef(RED_PNG) });
    const unknown = await put('st-run', RED_PNG, 'image/png', t.hq.integrationKey, 'ZZZ');
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, 'color_not_found']);
    const noStyle = await put('st-nope', RED_PNG, 'image/png', t.hq.integrationKey, 'RED');
    expect([noStyle.status, await errorCode(noStyle)]).toEqual([404, 'style_not_found']);

    const { token } = await t.enroll(STORE_A);
    const get = async (q: string) => {
      const res = await fetch(`${t.url}/v1/styles/st-run/image${q}`, { headers: { authorization: `Bearer ${token}` } });
      return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : res.status;
    };
    expect(await get('?color=RED')).toEqual(RED_PNG);
    expect(await get('?color=BLK')).toBe(404); // no default yet, and black has none of its own
    expect(await get('')).toBe(404);
    expect((await put('st-run', PNG, 'image/png')).status).toBe(200); // the default
    expect(await get('?color=RED')).toEqual(RED_PNG);
    expect(await get('?color=BLK')).toEqual(PNG);
    expect(await get('?color=ZZZ')).toEqual(PNG);
    expect(await get('')).toEqual(PNG);
  });

  it('imageUrls on a catalog item: each colour’s picture fetched and reported, a colour the style lacks refused', async () => {
    const item = {
      id: 'u-multi',
      name: 'Style u-multi',
      category: 'running',
      price: 59900,
      colors: [{ code: 'RED', name: 'Red' }, { code: 'BLK', name: 'Black' }, { code: 'NVY', name: 'Navy' }],
      sizes: [40, 41],
      releasedAt: Date.now() - 1000,
      imageUrl: `${hostUrl}/shoe.png`,
      imageUrls: { RED: `${hostUrl}/red.png`, NVY: `${hostUrl}/missing.png`, ZZZ: `${hostUrl}/red.png` },
    };
    const report = (await t.ingest('catalog', [item])) as {
      imported: number;
      images: { stored: Array<{ index: number; styleId: string; color?: string; image: { id: string } }>; failed: Array<{ index: number; color?: string; code: string }> };
    };
    expect(report.imported).toBe(1);
    expect(report.images.stored).toEqual([
      { index: 0, styleId: 'u-multi', image: pictureRef(PNG) },
      { index: 0, styleId: 'u-multi', color: 'RED', image: pictureRef(RED_PNG) },
    ]);
    expect(report.images.failed.map((f) => [f.color, f.code])).toEqual([
      ['NVY', 'fetch_failed'],
      ['ZZZ', 'color_not_found'],
    ]);
    const { token } = await t.enroll(STORE_A);
    const get = async (color: string) => Buffer.from(await (await fetch(`${t.url}/v1/styles/u-multi/image?color=${color}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect(await get('RED')).toEqual(RED_PNG);
    expect(await get('NVY')).toEqual(PNG); // its fetch failed: the default shows
  });
});

describe('GET a picture', () => {
  it('serves any store’s device and a member, with an ETag that answers 304; nobody without a token', async () => {
    const ref = ((await (await put('st-run', PNG, 'image/png')).json()) as { image: { id: string } }).image;
    const a = await t.enroll(STORE_A);
    const b = await t.enroll(STORE_B); // another store: the catalog is the chain's
    for (const token of [a.token, b.token]) {
      const res = await fetch(`${t.url}/v1/style-images/${ref.id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(`"${ref.id}"`);
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    }
    const revalidated = await fetch(`${t.url}/v1/style-images/${ref.id}`, { headers: { authorization: `Bearer ${b.token}`, 'if-none-match': `"${ref.id}"` } });
    expect(revalidated.status).toBe(304);
    expect((await revalidated.arrayBuffer()).byteLength).toBe(0);
    const byStyle = await fetch(`${t.url}/v1/styles/st-run/image`, { headers: { authorization: `Bearer ${a.token}`, 'if-none-match': `"${ref.id}"` } });
    expect(byStyle.status).toBe(304);
    const stale = await fetch(`${t.url}/v1/styles/st-run/image`, { headers: { authorization: `Bearer ${a.token}`, 'if-none-match': '"0000"' } });
    expect([stale.status, stale.headers.get('cache-control')]).toEqual([200, 'private, no-cache']);

    const member = await MemberClient.login(t.url, STORE_A, 'M0000001', '1001');
    expect((await member.http(`/v1/style-images/${ref.id}`)).status).toBe(200);

    expect((await fetch(`${t.url}/v1/style-images/${ref.id}`)).status).toBe(401);
    expect((await fetch(`${t.url}/v1/style-images/${ref.id}`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${t.url}/v1/style-images/${'0'.repeat(64)}`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(404);
  });
});

describe('imageUrl in POST /v1/ingest/catalog', () => {
  const style = (id: string, imageUrl: string) => ({
    id,
    name: `Style ${id}`,
    category: 'running',
    price: 59900,
    colors: [{ code: 'RED', name: 'Red' }],
    sizes: [40, 41],
    releasedAt: Date.now() - 1000,
    imageUrl,
  });

  it('fetches each picture, and reports every failure by item without failing the import', async () => {
    const items = [
      style('u-ok', `${hostUrl}/shoe.png`),
      style('u-404', `${hostUrl}/missing.png`),
      style('u-html', `${hostUrl}/page.png`),
      style('u-svg', `${hostUrl}/logo.svg`),
      style('u-huge', `${hostUrl}/huge.png`),
      style('u-slow', `${hostUrl}/slow.png`),
      style('u-moved', `${hostUrl}/moved.png`),
      style('u-away', `${hostUrl}/elsewhere.png`),
      style('u-ftp', 'ftp://example.com/x.png'),
      style('u-jpg', `${hostUrl}/shoe.jpg`),
      style('u-badloc', `${hostUrl}/broken-redirect.png`),
      style('u-nourl', 'http://'),
    ];
    const report = (await t.ingest('catalog', items)) as {
      imported: number;
      rejected: number;
      images: { stored: Array<{ index: number; styleId: string; image: { id: string } }>; failed: Array<{ index: number; code: string }> };
    };
    expect(report.imported).toBe(items.length);
    expect(report.rejected).toBe(0);
    expect(report.images.stored.map((s) => s.styleId)).toEqual(['u-ok', 'u-moved', 'u-jpg']);
    expect(report.images.stored[0]!.image.id).toBe(pictureRef(PNG).id);
    expect(Object.fromEntries(report.images.failed.map((f) => [items[f.index]!.id, f.code]))).toEqual({
      'u-404': 'fetch_failed',
      'u-html': 'unsupported_type',
      'u-svg': 'unsupported_type',
      'u-huge': 'too_large',
      'u-slow': 'timeout',
      'u-away': 'redirect_refused',
      'u-ftp': 'bad_url',
      'u-badloc': 'fetch_failed',
      'u-nourl': 'bad_url',
    });
    // The styles whose picture failed are in the catalog all the same; HQ is still up.
    const { token } = await t.enroll(STORE_A);
    expect((await fetch(`${t.url}/v1/styles/u-ok/image`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${t.url}/v1/styles/u-404/image`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('refuses loopback and private addresses unless the chain allowed them', async () => {
    await t.restart({ pictureFetch: { timeoutMs: 800 } }); // allowPrivate off: the default
    const report = (await t.ingest('catalog', [style('p-1', `${hostUrl}/shoe.png`), style('p-2', `http://localhost:${new URL(hostUrl).port}/shoe.png`)])) as {
      images: { failed: Array<{ code: string }> };
    };
    expect(report.images.failed.map((f) => f.code)).toEqual(['refused_address', 'refused_address']);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0'])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '114.114.114.114', '2001:4860:4860::8888']) expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('the picture travels where the style does', () => {
  it('in suggestions (profiles, arrivals, snapshot) and in chat product cards', async () => {
    const ref = ((await (await put('st-run', PNG, 'image/png')).json()) as { image: { id: string; mime: string; bytes: number } }).image;
    const { token } = await t.enroll(STORE_A);
    const res = await fetch(`${t.url}/v1/desk/members/m1`, { headers: { authorization: `Bearer ${token}` } });
    const { profile } = MemberProfileResponse.parse(await res.json());
    const recs = Object.fromEntries(profile.recommendations.map((r) => [r.styleId, r.image]));
    expect(recs).toEqual({ 'st-run': ref, 'st-retro': null });

    await t.arrival(STORE_A, 'm1'); // the snapshot carries the profiles of members who came in
    const snap = await t.snapshot(token);
    const inSnap = snap.profiles.find((p) => p.member.id === 'm1')!.recommendations.find((r) => r.styleId === 'st-run');
    expect(inSnap?.image).toEqual(ref);

    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'desk online');
    await desk.sendMessage('m1', { kind: 'product', styleId: 'st-run' });
    await waitFor(async () => (await desk.getConversation('m1')).messages.some((m) => m.product && !m.pending), 5000, 'card sent');
    const card = (await desk.getConversation('m1')).messages.find((m) => m.product)!.product!;
    expect(card.image).toEqual(ref);
  });

  it('a suggestion and a product card show their first listed colour’s picture', async () => {
    // st-run in green (listed first, none in stock), red and black; in size 42 at store A: red and black.
    await t.ingest('catalog', [
      { id: 'st-run', name: 'Cloud Runner', category: 'running', price: 89900, colors: [{ code: 'GRN', name: 'Green' }, { code: 'RED', name: 'Red' }, { code: 'BLK', name: 'Black' }], sizes: [40, 41, 42, 43], releasedAt: Date.now() - 1000 },
    ]);
    await t.ingest('stock', [{ storeId: STORE_A, styleId: 'st-run', color: 'RED', size: 42, qty: 1 }]);
    for (const [color, png] of [[undefined, PNG], ['GRN', GRN_PNG], ['RED', RED_PNG]] as const) expect((await put('st-run', png, 'image/png', t.hq.integrationKey, color)).status).toBe(200);
    const { token } = await t.enroll(STORE_A);
    const res = await fetch(`${t.url}/v1/desk/members/m1`, { headers: { authorization: `Bearer ${token}` } });
    const { profile } = MemberProfileResponse.parse(await res.json());
    const rec = profile.recommendations.find((r) => r.styleId === 'st-run')!;
    expect(rec.colors.map((c) => c.code)).toEqual(['RED', 'BLK']);
    expect(rec.image).toEqual(pictureRef(RED_PNG)); // not the default (black), not green (not in stock)

    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(async () => (await desk.getConnection()).status === 'online', 5000, 'desk online');
    await desk.sendMessage('m1', { kind: 'product', styleId: 'st-run' });
    await waitFor(async () => (await desk.getConversation('m1')).messages.some((m) => m.product && !m.pending), 5000, 'card sent');
    const card = (await desk.getConversation('m1')).messages.find((m) => m.product)!.product!;
    expect(card.colors.map((c) => c.code)).toEqual(['RED', 'BLK']);
    expect(card.image).toEqual(pictureRef(RED_PNG));
  });
});
