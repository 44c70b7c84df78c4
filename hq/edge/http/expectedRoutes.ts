// HTTP side of expected visits and member-made holds (5/8), for the signed-in member (the member
// session token, checked by chatRoutes.ts before it hands the route here):
//   POST   /v1/member/holds          MemberHoldBody   → { hold, expected? }  "hold a pair for me"
//   POST   /v1/member/expected       MemberExpectBody → { expected }         "I'll come and try it"
//   GET    /v1/member/expected                        → { expected: [...] }  my open ones
//   DELETE /v1/member/expected/{id}                   → { expected }         I won't come
// A member reaches only their own expectations; a resend under the same clientId answers the
// first result with 200 instead of 201.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { MemberExpectBody, MemberHoldBody } from '../../../shared/expected.ts';
import { cancelExpectation, createExpectation, ExpectError, type MemberCaller, memberExpectations, placeMemberHold } from '../../app/expected/expectations.ts';
import { type EventLog } from '../../app/eventLog.ts';
import { HttpError, pathId, readJson, sendJson } from './respond.ts';

const ONE = /^\/v1\/member\/expected\/([^/]{1,200})$/;
const STATUS: Record<ExpectError['code'], number> = { not_found: 404, invalid: 422, out_of_stock: 409, rate_limited: 429, conflict: 409 };
const noStore = { 'cache-control': 'no-store' };

export const isMemberExpectedRoute = (path: string, method: string): boolean =>
  (path === '/v1/member/holds' && method === 'POST') || path === '/v1/member/expected' || ONE.test(path);

export async function handleMemberExpectedRoute(log: EventLog, caller: MemberCaller, req: IncomingMessage, res: ServerResponse, path: string, method: string, now: number): Promise<void> {
  const expect = (...methods: string[]) => {
    if (!methods.includes(method)) throw new HttpError(405, 'method_not_allowed', `${path} accepts ${methods.join(', ')}`);
  };
  try {
    if (path === '/v1/member/holds') {
      const { value } = await readJson(req, MemberHoldBody);
      const r = await placeMemberHold(log, caller, value, now);
      return sendJson(res, r.duplicate ? 200 : 201, { hold: r.hold, ...(r.expected ? { expected: r.expected } : {}) }, noStore);
    }
    if (path === '/v1/member/expected') {
      expect('GET', 'POST');
      if (method === 'GET') return sendJson(res, 200, { expected: await memberExpectations(log, caller.memberId, now) }, noStore);
      const { value } = await readJson(req, MemberExpectBody);
      const r = await createExpectation(log, caller, value, now);
      return sendJson(res, r.duplicate ? 200 : 201, { expected: r.expected }, noStore);
    }
    expect('DELETE');
    const id = pathId(ONE.exec(path)![1]!, 'expected');
    return sendJson(res, 200, { expected: await cancelExpectation(log, caller, id, now) }, noStore);
  } catch (err) {
    if (err instanceof ExpectError) throw new HttpError(STATUS[err.code], err.code, err.message);
    throw err;
  }
}
