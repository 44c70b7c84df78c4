// The HTTP side of the desk protocol: enrollment with a one-time code, and the snapshot a desk
// loads after `reset` (scoped strictly to the store its token names).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { EnrollRequest } from '../../../shared/protocol.ts';
import { bearerToken, deviceForToken, enrollDevice } from '../../app/devices.ts';
import { takeSnapshot } from '../../app/snapshot.ts';
import { type HqStore } from '../../ports/store.ts';
import { HttpError, readJson, sendJson } from './respond.ts';

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
  const device = await deviceForToken(store, bearerToken(req.headers.authorization));
  if (!device) throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked device token');
  sendJson(res, 200, await takeSnapshot(store, device.storeId));
}
