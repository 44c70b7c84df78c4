// Rate limits count clients, not the load balancer in front of the HQ nodes.
import { type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../hq/edge/http/rateLimit.ts';

const req = (peer: string, xff?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(req('203.0.113.7', '198.51.100.1'), [])).toBe('203.0.113.7');
  });
  it('is the peer when the peer is not a trusted proxy (a client cannot pick its own address)', () => {
    expect(clientAddress(req('203.0.113.7', '198.51.100.1'), ['10.0.0.2'])).toBe('203.0.113.7');
  });
  it('behind a trusted proxy, is the right-most address the proxies did not add', () => {
    expect(clientAddress(req('::ffff:10.0.0.2', '198.51.100.1, 203.0.113.9'), ['10.0.0.2'])).toBe('203.0.113.9');
    // A client-sent X-Forwarded-For is kept to the left; only what the trusted hops appended counts.
    expect(clientAddress(req('10.0.0.2', ['1.2.3.4, 203.0.113.9', '10.0.0.3']), ['10.0.0.2', '10.0.0.3'])).toBe('203.0.113.9');
  });
  it('falls back to the peer when the header names only trusted hops or is missing', () => {
    expect(clientAddress(req('10.0.0.2', '10.0.0.3'), ['10.0.0.2', '10.0.0.3'])).toBe('10.0.0.2');
    expect(clientAddress(req('10.0.0.2'), ['10.0.0.2'])).toBe('10.0.0.2');
  });
});
