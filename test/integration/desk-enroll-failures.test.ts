// Enrolling against something that is not a Footfall HQ, or against nothing at all, tells the
// person what happened in one sentence of their language: real servers on loopback (a web server
// answering 500, a page, another API's 404), a closed port, an unknown host name, a server that
// never answers, and a real HQ refusing the code.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../electron/desk/hqHttp.ts';
import { translator } from '../../renderer/src/i18n/index.ts';
import { enrollErrorText } from '../../renderer/src/setup/enrollErrorText.ts';
import { type EnrollFailure, parseEnrollFailure } from '../../shared/enrollFailure.ts';
import { TestHq } from '../support/hq.ts';

const CODE = 'ABCD-1234';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

/** Enrolls and returns what failed: the error's code, the parsed reason, and the two sentences shown. */
async function failure(urls: string | string[], timeoutMs?: number): Promise<{ code: string; reason: EnrollFailure | null; en: string; zh: string }> {
  const err = (await enroll(urls, CODE, 'Counter 1', timeoutMs).then(
    () => {
      throw new Error('enrolled');
    },
    (e: unknown) => e,
  )) as { code: string; message: string };
  // The message as Electron's preload hands it over: "<code>: <message>".
  const raw = `${err.code}: ${err.message}`;
  return { code: err.code, reason: parseEnrollFailure(raw), en: enrollErrorText(translator('en'), raw), zh: enrollErrorText(translator('zh-CN'), raw) };
}

const oneSentence = (text: string) => expect(text.match(/[.。](\s|$)/g) ?? [], text).toHaveLength(1);

describe('a server that is not a Footfall HQ', () => {
  it.each([
    ['a web server failing with 500', 500, (res: import('node:http').ServerResponse) => res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error')],
    ['a web page', 200, (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome to nginx!</title>')],
    ['another API’s JSON 404', 404, (res: import('node:http').ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}')],
    ['a proxy’s 502 page', 502, (res: import('node:http').ServerResponse) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>')],
  ])('%s is "not a Footfall HQ", never "HQ refused the code"', async (_what, status, answer) => {
    const url = await serve((_req, res) => answer(res));
    const f = await failure(url);
    expect(f.reason).toEqual({ kind: 'not_hq', address: url, status });
    expect(f.en).toBe(`The server at ${url} is not a Footfall HQ (it answered HTTP ${status}); check the address and port.`);
    expect(f.zh).toBe(`${url} 上的服务器不是 Footfall 总部（它返回了 HTTP ${status}），请检查地址和端口。`);
    expect(f.en).not.toContain('refused the code');
    oneSentence(f.en);
    oneSentence(f.zh);
  });
});

describe('an HQ that cannot be reached', () => {
  it('a closed port: nothing answers there', async () => {
    const url = await closedPort();
    const f = await failure(url);
    expect(f.reason).toMatchObject({ kind: 'unreachable', address: url, cause: 'connection_refused' });
    expect(f.en).toBe(`Cannot reach HQ at ${url}: nothing answers at that address and port (connection refused).`);
    expect(f.zh).toBe(`无法连接总部 ${url}：该地址和端口上没有服务应答（连接被拒绝）。`);
    oneSentence(f.en);
    oneSentence(f.zh);
  });

  it('an unknown host name: not found', async () => {
    const f = await failure('http://footfall-hq.invalid:8080');
    expect(f.reason).toMatchObject({ kind: 'unreachable', cause: 'host_not_found' });
    expect(f.en).toBe('Cannot reach HQ at http://footfall-hq.invalid:8080: that host name was not found; check the spelling and the network.');
    expect(f.zh).toBe('无法连接总部 http://footfall-hq.invalid:8080：找不到该主机名，请检查拼写和网络。');
  });

  it('a server that never answers: no answer in time', async () => {
    const url = await serve(() => undefined); // takes the request, answers nothing
    const f = await failure(url, 300);
    expect(f.reason).toMatchObject({ kind: 'unreachable', address: url, cause: 'timeout' });
    expect(f.en).toBe(`Cannot reach HQ at ${url}: no answer within 15 seconds.`);
    oneSentence(f.en);
  });

  it('several addresses, none answering: all of them are named', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const f = await failure([a, b]);
    expect(f.reason).toMatchObject({ kind: 'unreachable', address: `${a}, ${b}` });
    expect(f.en).toContain(`Cannot reach HQ at ${a}, ${b}:`);
  });
});

describe('a real HQ', () => {
  let t: TestHq;
  beforeAll(async () => {
    t = await TestHq.start({ seed: 'storesAB' });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('refusing the code is told in HQ’s own words; an HQ-shaped 503 is "try again"', async () => {
    const f = await failure(t.url);
    expect(f.code).toBe('not_allowed');
    expect(f.reason).toEqual({ kind: 'refused', detail: 'unknown enrollment code' });
    expect(f.en).toBe('HQ refused the code: unknown enrollment code');
    expect(f.zh).toBe('总部拒绝了该登记码：unknown enrollment code');
    // HQ's own error shape with a 5xx (its database away): HQ, but not now.
    const busy = await serve((_req, res) =>
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' }).end('{"error":{"code":"unavailable","message":"database unreachable"}}'),
    );
    const b = await failure(busy);
    expect(b.reason).toEqual({ kind: 'hq_error', detail: 'database unreachable' });
    expect(b.en).toBe('HQ could not enroll this counter just now (database unreachable); try again in a minute.');
    // And a good code enrolls.
    const code = await t.hq.createEnrollmentCode('store-a');
    expect(await enroll(t.url, code, 'Counter 1')).toMatchObject({ storeId: 'store-a', storeName: 'Store A' });
  });
});
