// The HTTP side of the desk protocol: enrollment with a one-time code, the snapshot a desk
// loads after `reset` (scoped strictly to the store its token names), and a member looked up by a
// clerk — a profile for the token's store, a search over the chain (hq/app/memberLookup.ts).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { EnrollRequest } from '../../../shared/protocol.ts';
import { bearerToken, deviceForToken, enrollDevice } from '../../app/devices.ts';
import { DEFAULT_HITS, MAX_HITS, MAX_QUERY_CHARS, memberProfileFor, MIN_QUERY_CHARS, searchMembersFor } from '../../app/memberLookup.ts';
import { takeSnapshot } from '../../app/snapshot.ts';
import { type DeviceRecord, type HqStore } from '../../ports/store.ts';
import { HttpError, pathId, readJson, sendJson } from './respond.ts';

export async function handleEnroll(store: HqStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { value } = await readJson(req, EnrollRequest);
  const result = await enrollDevice(store, value.code, value.deviceName);
  if (!result.ok) {
    // Say why, without telling a guesser anything about other codes.
    const message = { unknown: 'unknown enrollment code', used: 'this enrollment code was already used', expired: 'this enrollment code has expired' }[
      result.reason
    ];
    throw new HttpError(result.reason === 'unknown' ? 401 : 410, `code_${result.reason}`, message);
  }
  sendJson(res, 200, result.response);
}

export async function handleSnapshot(store: HqStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const device = await requireDevice(store, req);
  sendJson(res, 200, await takeSnapshot(store, device.storeId));
}

/** The device the request's bearer token names, or 401: every desk route of any store starts here. */
export async function requireDevice(store: HqStore, req: IncomingMessage): Promise<DeviceRecord> {
  const device = await deviceForToken(store, bearerToken(req.headers.authorization));
  if (!device) throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked device token');
  return device;
}

/** GET /v1/desk/members/{id}: the member's profile with the token's store's suggestions. */
export async function handleMemberProfile(store: HqStore, req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
  const device = await requireDevice(store, req);
  const memberId = pathId(rawId, 'member');
  const now = Date.now();
  const profile = await memberProfileFor(store, device.storeId, memberId, now);
  if (!profile) throw new HttpError(404, 'member_not_found', `no member ${memberId}`);
  sendJson(res, 200, { profile, at: now });
}

const SearchParams = z.object({
  q: z.string().max(MAX_QUERY_CHARS),
  limit: z.coerce.number().int().min(1).max(MAX_HITS).default(DEFAULT_HITS),
});

/** GET /v1/desk/members?q=&limit=: members of the chain for a clerk's pick list. */
export async function handleMemberSearch(store: HqStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const device = await requireDevice(store, req);
  const url = new URL(req.url ?? '/', 'http://hq');
  const params = SearchParams.safeParse({ q: url.searchParams.get('q') ?? '', limit: url.searchParams.get('limit') ?? undefined });
  if (!params.success) throw new HttpError(400, 'bad_query', `q is up to ${MAX_QUERY_CHARS} characters; limit is 1 to ${MAX_HITS}`);
  const answer = await searchMembersFor(store, device.storeId, params.data.q, params.data.limit);
  if (!answer.ok) throw new HttpError(400, 'query_too_short', `a search needs at least ${MIN_QUERY_CHARS} letters, digits or characters`);
  sendJson(res, 200, { members: answer.members });
}
