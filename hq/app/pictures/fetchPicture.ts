// Fetching a style picture from the URL a catalog feed names (POST /v1/ingest/catalog `imageUrl`).
//
// HQ fetching a URL a client names is a server-side request forgery risk. What this does about it:
//  - http: and https: only, no credentials in the URL;
//  - the address is checked when the socket connects (a `lookup` that refuses loopback, private,
//    link-local, CGNAT, multicast and unspecified addresses, IPv4 and IPv6), so a DNS name cannot
//    point HQ at its own network — unless the chain configured `allowPrivate` (a catalog server
//    inside its network, or tests);
//  - redirects are followed only on the same host (and scheme), at most 3; one to another host is
//    refused, so an open redirect elsewhere cannot walk HQ into another system;
//  - a short overall timeout (default 5 s) and the picture size cap (2 MiB, counted while reading:
//    a lying or missing Content-Length does not help), and the bytes must be PNG/JPEG/WebP;
//  - nothing of the answer but the picture bytes is kept or reported (errors say the status only).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { MAX_STYLE_IMAGE_BYTES } from '../../../shared/domain.ts';
import { PictureError } from './stylePictures.ts';

export interface PictureFetchOptions {
  /** Allow loopback and private addresses (default false). */
  allowPrivate?: boolean;
  /** Whole fetch, redirects included (default 5 s). */
  timeoutMs?: number;
}

export const PICTURE_FETCH_TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 3;

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** Whether an address is one HQ must not fetch from (unless allowed): its own or a private network. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped ? blocked.check(mapped[1]!, 'ipv4') : blocked.check(address, 'ipv6');
  }
  return true;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses private addresses: checked on the address the socket will really use. */
function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) return callback(Object.assign(new Error(`refused address for ${hostname}`), { code: 'EREFUSEDADDR' }), '');
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
}

/** The picture's bytes at `url` (not yet checked as a picture: pictureRef does that). */
export async function fetchPicture(url: string, opts: PictureFetchOptions = {}): Promise<Buffer> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new PictureError('bad_url', 'imageUrl is not a URL');
  }
  if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new PictureError('bad_url', 'imageUrl must be http: or https:');
  if (current.username || current.password) throw new PictureError('bad_url', 'imageUrl may not carry credentials');
  const deadline = Date.now() + (opts.timeoutMs ?? PICTURE_FETCH_TIMEOUT_MS);
  for (let hop = 0; ; hop++) {
    // Whatever the network or the other server does, the answer is a PictureError for this item.
    const answer = await getOnce(current, deadline, opts.allowPrivate === true).catch((err: unknown) => {
      throw err instanceof PictureError ? err : new PictureError('fetch_failed', `the picture could not be fetched (${(err as Error).message})`);
    });
    if ('location' in answer) {
      let next: URL;
      try {
        next = new URL(answer.location, current);
      } catch {
        throw new PictureError('fetch_failed', 'the picture server redirected to something that is not a URL');
      }
      if (hop >= MAX_REDIRECTS) throw new PictureError('redirect_refused', 'too many redirects');
      if (next.host !== current.host || next.protocol !== current.protocol) throw new PictureError('redirect_refused', 'a redirect to another host is not followed');
      current = next;
      continue;
    }
    return answer.bytes;
  }
}

function getOnce(url: URL, deadline: number, allowPrivate: boolean): Promise<{ bytes: Buffer } | { location: string }> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new PictureError('timeout', 'the picture did not arrive in time'));
  if (!allowPrivate && isIP(url.hostname.replace(/^\[|\]$/g, '')) && isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
    return Promise.reject(new PictureError('refused_address', 'imageUrl names a private or local address'));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: PictureError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: 'GET', headers: { accept: 'image/png, image/jpeg, image/webp', 'user-agent': 'Footfall-HQ picture fetch' }, ...(allowPrivate ? {} : { lookup: guardedLookup }) },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          settled = true;
          clearTimeout(timer);
          return resolve({ location: res.headers.location });
        }
        if (status !== 200) {
          res.resume();
          return fail(new PictureError('fetch_failed', `the picture's server answered HTTP ${status}`));
        }
        if (Number(res.headers['content-length'] ?? 0) > MAX_STYLE_IMAGE_BYTES) return fail(new PictureError('too_large', `pictures may be at most ${MAX_STYLE_IMAGE_BYTES} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_STYLE_IMAGE_BYTES) return fail(new PictureError('too_large', `pictures may be at most ${MAX_STYLE_IMAGE_BYTES} bytes`));
          chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ bytes: Buffer.concat(chunks) });
        });
        res.on('error', () => fail(new PictureError('fetch_failed', 'the picture download broke off')));
      },
    );
    const timer = setTimeout(() => fail(new PictureError('timeout', 'the picture did not arrive in time')), left);
    req.on('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'EREFUSEDADDR' ? new PictureError('refused_address', 'imageUrl resolves to a private or local address') : new PictureError('fetch_failed', `the picture could not be fetched (${err.code ?? 'error'})`));
    });
    req.end();
  });
}
