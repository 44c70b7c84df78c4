// An event's frame made once as wire bytes (hq/edge/ws/wireFrame.ts): what a desk receives is the
// text ws would have sent, at every payload-length encoding, and a socket whose sender must frame
// for itself (compression negotiated) is refused so the payload goes through ws.
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { sendSharedFrame, textWireFrame, whenDrained, writeWireFrame } from '../../hq/edge/ws/wireFrame.ts';
import { evFrameParts } from '../../hq/app/eventLog.ts';
import { type StoredEvent } from '../../hq/ports/store.ts';

type ReceiverCtor = new (opts: { isServer: boolean; maxPayload?: number }) => NodeJS.WritableStream & { on(ev: 'message', f: (data: Buffer, isBinary: boolean) => void): void };
type SenderStatic = { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
const { Receiver, Sender } = ws as unknown as { Receiver: ReceiverCtor; Sender: SenderStatic };

/** The reference: a text frame of `payload` as ws's own sender frames it on a server socket. */
const wireFrame = (payload: Buffer): Buffer => Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A server and one client connected to it: the server's socket and what the client receives. */
async function pair(perMessageDeflate: boolean): Promise<{ server: WebSocket; client: WebSocket; received: { text: string; isBinary: boolean }[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  servers.push(wss);
  await once(wss, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate });
  const [[server]] = await Promise.all([once(wss, 'connection') as Promise<[WebSocket]>, once(client, 'open')]);
  const received: { text: string; isBinary: boolean }[] = [];
  client.on('message', (data: Buffer, isBinary: boolean) => received.push({ text: data.toString('utf8'), isBinary }));
  return { server, client, received };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('wire frames', () => {
  /** A JSON payload of exactly `n` bytes (two-byte characters, names in Chinese, from 40 up). */
  const sized = (n: number): Buffer => {
    if (n < 40) return Buffer.from(`{"n":${'1'.repeat(n - 6)}}`);
    const head = '{"t":"ev","name":"李娜","pad":"';
    return Buffer.from(`${head}${'x'.repeat(n - Buffer.byteLength(head) - 2)}"}`);
  };
  // The 7-bit, 16-bit and 64-bit payload lengths, and their edges.
  const sizes = [7, 125, 126, 4_000, 65_535, 65_536, 100_000];

  it('are text frames a client reads back as the payload, at every length encoding', async () => {
    const payloads = sizes.map(sized);
    expect(payloads.map((p) => p.length)).toEqual(sizes);
    const messages: { data: Buffer; isBinary: boolean }[] = [];
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data, isBinary) => messages.push({ data: Buffer.from(data), isBinary }));
    for (const p of payloads) receiver.write(wireFrame(p));
    expect(messages).toHaveLength(payloads.length);
    messages.forEach((m, i) => {
      expect(m.isBinary).toBe(false);
      expect(m.data.equals(payloads[i]!)).toBe(true);
    });
    // Header bytes: FIN + text, then the length as RFC 6455 encodes it.
    expect([...wireFrame(payloads[1]!).subarray(0, 2)]).toEqual([0x81, 125]);
    expect([...wireFrame(payloads[2]!).subarray(0, 4)]).toEqual([0x81, 126, 0, 126]);
    expect([...wireFrame(payloads[5]!).subarray(0, 10)]).toEqual([0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('made from text parts are the bytes wireFrame makes of the parts joined, at every length encoding', () => {
    // Parts with two-byte and four-byte characters; the largest (100,000 bytes) outgrows the
    // encoder's first scratch buffer, and a small frame after it is cut to its own size again.
    for (const n of [...sizes, 10]) {
      const text = sized(n).toString('utf8');
      const cut = Math.floor(text.length / 3);
      const parts = [text.slice(0, cut), '', text.slice(cut), ''];
      const made = textWireFrame(parts);
      const expected = wireFrame(Buffer.from(parts.join('')));
      expect(made.wire.equals(expected)).toBe(true);
      expect(made.payload.toString('utf8')).toBe(text);
      expect(made.wire.length - made.payload.length).toBe(n < 126 ? 2 : n < 65_536 ? 4 : 10);
    }
    const emoji = textWireFrame(['{"by":"👟', '鞋"}']);
    expect(emoji.wire.equals(wireFrame(Buffer.from('{"by":"👟鞋"}')))).toBe(true);
    // An event's frame from its parts is its frame text.
    const evFrameText = (e: StoredEvent) => evFrameParts(e).join('');
    const ev: StoredEvent = { storeId: 's1', epoch: 'e1', seq: 7, id: 'ev-7', type: 'visit.updated', at: 1_700_000_000_000, data: '{"visit":{"memberName":"王芳"}}' };
    expect(textWireFrame(evFrameParts(ev)).payload.toString('utf8')).toBe(evFrameText(ev));
    expect(JSON.parse(evFrameText(ev))).toEqual({ t: 'ev', epoch: 'e1', seq: 7, id: 'ev-7', type: 'visit.updated', at: 1_700_000_000_000, data: { visit: { memberName: '王芳' } } });
  });

  it('written to an open socket, arrive in order, interleaved with what ws sends itself', async () => {
    const { server, received } = await pair(false);
    expect(writeWireFrame(server, wireFrame(Buffer.from('{"n":1}')))).toBe(true);
    server.send('{"n":2}');
    expect(writeWireFrame(server, wireFrame(Buffer.from('{"n":3,"名":"王芳"}')))).toBe(true);
    await until(() => received.length === 3);
    expect(received).toEqual([
      { text: '{"n":1}', isBinary: false },
      { text: '{"n":2}', isBinary: false },
      { text: '{"n":3,"名":"王芳"}', isBinary: false },
    ]);
  });

  it('shared by many sockets reach each as the same text: written as they are, or through ws where compression was negotiated', async () => {
    const plain = await pair(false);
    const deflating = await pair(true);
    const shared = textWireFrame([JSON.stringify({ t: 'group.message', groupId: 'g1', text: '新款到店 👟' })]);
    const wrote: boolean[] = [];
    for (const p of [plain, deflating]) {
      // What went out as the frame's own bytes: the raw socket's write is called with them.
      const raw = (p.server as unknown as { _socket: { write: (b: unknown) => boolean } })._socket;
      const write = raw.write.bind(raw);
      let asIs = false;
      raw.write = (b: unknown) => {
        if (b === shared.wire) asIs = true;
        return write(b);
      };
      sendSharedFrame(p.server, shared);
      p.server.send('{"n":2}');
      wrote.push(asIs);
    }
    await until(() => plain.received.length === 2 && deflating.received.length === 2);
    for (const p of [plain, deflating]) {
      expect(p.received).toEqual([
        { text: shared.payload.toString('utf8'), isBinary: false },
        { text: '{"n":2}', isBinary: false },
      ]);
    }
    expect(wrote).toEqual([true, false]);
    // A closed socket is passed over, without an error.
    plain.server.terminate();
    await until(() => plain.server.readyState === plain.server.CLOSED);
    expect(() => sendSharedFrame(plain.server, shared)).not.toThrow();
  });

  it('are refused on a socket that negotiated compression (ws must frame those itself)', async () => {
    const { server, received } = await pair(true);
    expect(writeWireFrame(server, wireFrame(Buffer.from('{"n":1}')))).toBe(false);
    server.send('{"n":1}');
    await until(() => received.length === 1);
    expect(received).toEqual([{ text: '{"n":1}', isBinary: false }]);
  });
});

/** whenDrained on `server` with `atMostMs`: how often it called back, and how long after this call it first did. */
function watchDrain(server: WebSocket, atMostMs: number): { calls: number; at: number } {
  const t0 = performance.now();
  const seen = { calls: 0, at: 0 };
  whenDrained(server, atMostMs, () => {
    if (seen.calls++ === 0) seen.at = performance.now() - t0;
  });
  return seen;
}

describe('whenDrained', () => {
  it('calls back once, as soon as the socket has written out what it held, well before its bound', async () => {
    const { server, received } = await pair(false);
    // 8 MB, more than the kernel takes at once: the socket holds the rest until the client reads it.
    const wire = wireFrame(Buffer.from('x'.repeat(8 * 1024 * 1024)));
    expect(writeWireFrame(server, wire)).toBe(true);
    expect(server.bufferedAmount).toBeGreaterThan(0);
    const drained = watchDrain(server, 20_000);
    await until(() => drained.calls > 0);
    expect(drained.calls).toBe(1);
    expect(drained.at).toBeLessThan(10_000); // the drain, not the 20 s bound
    expect(server.bufferedAmount).toBe(0);
    await until(() => received.length === 1);
    expect(received[0]!.text.length).toBe(8 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 50));
    expect(drained.calls).toBe(1);
  });

  it('calls back once at its bound when the peer does not read', async () => {
    const { server, client } = await pair(false);
    (client as unknown as { _socket: { pause(): void } })._socket.pause(); // the desk stops reading
    expect(writeWireFrame(server, wireFrame(Buffer.from('y'.repeat(8 * 1024 * 1024))))).toBe(true);
    const drained = watchDrain(server, 100);
    await until(() => drained.calls > 0);
    expect(drained.calls).toBe(1);
    expect(drained.at).toBeGreaterThanOrEqual(95);
    expect(server.bufferedAmount).toBeGreaterThan(0); // still held: the caller's stall check decides
    // The listener went with the call: a drain later does not call again.
    (client as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => server.bufferedAmount === 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(drained.calls).toBe(1);
  });
});
