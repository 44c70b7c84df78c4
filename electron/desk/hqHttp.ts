// The desk's two HTTP calls to HQ: enrollment (once per device) and the snapshot after a reset.
// Both go through HqAddresses: the address of the last good link first, the others when it does
// not answer.
import { DeskError } from '../../shared/deskApi.ts';
import { describeIssues, EnrollRequest, EnrollResponse, Snapshot } from '../../shared/protocol.ts';
import { HqUrls } from '../../shared/settings.ts';
import { HqAddresses, type HqHttp } from './hqAddresses.ts';

const TIMEOUT_MS = 15_000;

async function readError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return body.error?.message ?? body.error?.code ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/**
 * Exchange a one-time enrollment code for a device token, at HQ's addresses (a list, or one
 * comma-separated string) in the order given: the next one only when one does not answer.
 */
export async function enroll(hqUrls: string | readonly string[], code: string, deviceName: string): Promise<EnrollResponse> {
  const urls = HqUrls.safeParse(hqUrls);
  if (!urls.success) throw new DeskError('invalid_argument', describeIssues(urls.error));
  const req = EnrollRequest.safeParse({ code, deviceName });
  if (!req.success) throw new DeskError('invalid_argument', describeIssues(req.error));
  let res: Response;
  try {
    res = await new HqAddresses(urls.data, 0).fetch(
      '/v1/enroll',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.data) },
      TIMEOUT_MS,
    );
  } catch (err) {
    throw new DeskError('internal', `cannot reach HQ at ${urls.data.join(', ')}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new DeskError(res.status >= 400 && res.status < 500 ? 'not_allowed' : 'internal', `enrollment refused: ${await readError(res)}`);
  const parsed = EnrollResponse.safeParse(await res.json());
  if (!parsed.success) throw new DeskError('internal', `HQ sent a malformed enrollment answer: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export class HttpStatusError extends Error {
  constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET /v1/snapshot with the device token, schema-checked. */
export async function fetchSnapshot(hq: HqHttp, token: string): Promise<Snapshot> {
  const res = await hq.fetch('/v1/snapshot', { headers: { authorization: `Bearer ${token}` } }, TIMEOUT_MS);
  if (!res.ok) throw new HttpStatusError(res.status, `snapshot refused: ${await readError(res)}`);
  const parsed = Snapshot.safeParse(await res.json());
  if (!parsed.success) throw new Error(`HQ sent a malformed snapshot: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
