// The desk's two HTTP calls to HQ: enrollment (once per device) and the snapshot after a reset.
// Both go through HqAddresses: the address of the last good link first, the others when it does
// not answer.
import { z } from 'zod';
import { DeskError } from '../../shared/deskApi.ts';
import { ENROLL_TIMEOUT_MS, enrollFailureMessage, unreachableCause } from '../../shared/enrollFailure.ts';
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
 *
 * A failure is told by what the person can do about it (shared/enrollFailure.ts): nothing answered
 * (and why), something answered that is not a Footfall HQ, HQ refused the code, or HQ cannot
 * enroll just now. "Is it HQ" is judged by the answer itself: HQ answers every error as
 * `{error: {code, message}}` JSON and a success as an EnrollResponse; a web server, another API or
 * a proxy's error page answers otherwise.
 */
export async function enroll(hqUrls: string | readonly string[], code: string, deviceName: string, timeoutMs = ENROLL_TIMEOUT_MS): Promise<EnrollResponse> {
  const urls = HqUrls.safeParse(hqUrls);
  if (!urls.success) throw new DeskError('invalid_argument', describeIssues(urls.error));
  const req = EnrollRequest.safeParse({ code, deviceName });
  if (!req.success) throw new DeskError('invalid_argument', describeIssues(req.error));
  const addresses = new HqAddresses(urls.data, 0);
  let res: Response;
  try {
    res = await addresses.fetch('/v1/enroll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.data) }, timeoutMs);
  } catch (err) {
    const { cause, detail } = unreachableCause(err);
    throw new DeskError('internal', enrollFailureMessage({ kind: 'unreachable', address: urls.data.join(', '), cause, detail }));
  }
  const notHq = () => new DeskError('internal', enrollFailureMessage({ kind: 'not_hq', address: addresses.current, status: res.status }));
  const body = await readJsonBody(res);
  if (!res.ok) {
    const error = HqError.safeParse(body);
    if (!error.success) throw notHq();
    const detail = error.data.error.message || error.data.error.code;
    if (res.status >= 500) throw new DeskError('internal', enrollFailureMessage({ kind: 'hq_error', detail }));
    throw new DeskError('not_allowed', enrollFailureMessage({ kind: 'refused', detail }));
  }
  const parsed = EnrollResponse.safeParse(body);
  if (!parsed.success) throw notHq();
  return parsed.data;
}

/** HQ's error answer (hq/edge/http/respond.ts): what tells HQ from any other server. */
const HqError = z.object({ error: z.object({ code: z.string().min(1), message: z.string() }) });

/** The body as JSON, or undefined when it is not JSON (a web page, plain text, nothing). */
async function readJsonBody(res: Response): Promise<unknown> {
  try {
    return JSON.parse(await res.text()) as unknown;
  } catch {
    return undefined;
  }
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
