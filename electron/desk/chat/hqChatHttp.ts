// The desk's chat calls to HQ over HTTP: image upload, image download, older history.
import { z } from 'zod';
import { ImageRef, Message, Receipts } from '../../../shared/domain.ts';
import { type HqHttp } from '../hqAddresses.ts';
import { HttpStatusError } from '../hqHttp.ts';

const TIMEOUT_MS = 15_000;

async function call(hq: HqHttp, path: string, init: RequestInit): Promise<Response> {
  const res = await hq.fetch(path, init, TIMEOUT_MS);
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      /* not JSON */
    }
    throw new HttpStatusError(res.status, message);
  }
  return res;
}

export async function uploadImage(hq: HqHttp, token: string, bytes: Buffer, mime: string): Promise<ImageRef> {
  const res = await call(hq, '/v1/desk/images', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': mime },
    body: new Uint8Array(bytes),
  });
  return z.object({ image: ImageRef }).parse(await res.json()).image;
}

export async function downloadImage(hq: HqHttp, token: string, id: string): Promise<{ mime: string; bytes: Buffer }> {
  const res = await call(hq, `/v1/chat/images/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  return { mime: res.headers.get('content-type') ?? 'application/octet-stream', bytes: Buffer.from(await res.arrayBuffer()) };
}

const History = z.object({ messages: z.array(Message), receipts: Receipts, hasMore: z.boolean() });

export async function fetchHistory(hq: HqHttp, token: string, memberId: string, before: number | undefined, limit: number): Promise<z.infer<typeof History>> {
  const qs = new URLSearchParams({ memberId });
  if (before) qs.set('before', String(before));
  qs.set('limit', String(limit));
  const res = await call(hq, `/v1/desk/messages?${qs}`, { headers: { authorization: `Bearer ${token}` } });
  return History.parse(await res.json());
}
