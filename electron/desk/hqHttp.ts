// The desk's two HTTP calls to HQ: enrollment (once per device) and the snapshot after a reset.
import { DeskError } from '../../shared/deskApi.ts';
import { describeIssues, EnrollRequest, EnrollResponse, Snapshot } from '../../shared/protocol.ts';

const TIMEOUT_MS = 15_000;

async function readError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return body.error?.message ?? body.error?.code ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** Exchange a one-time enrollment code for a device token. */
export async function enroll(hqUrl: string, code: string, deviceName: string): Promise<EnrollResponse> {
  const req = EnrollRequest.safeParse({ code, deviceName });
  if (!req.success) throw new DeskError('invalid_argument', describeIssues(req.error));
  let res: Response;
  try {
    res = await fetch(new URL('/v1/enroll', hqUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req.data),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new DeskError('internal', `cannot reach HQ at ${hqUrl}: ${(err as Error).message}`);
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
export async function fetchSnapshot(hqUrl: string, token: string): Promise<Snapshot> {
  const res = await fetch(new URL('/v1/snapshot', hqUrl), {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new HttpStatusError(res.status, `snapshot refused: ${await readError(res)}`);
  const parsed = Snapshot.safeParse(await res.json());
  if (!parsed.success) throw new Error(`HQ sent a malformed snapshot: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
