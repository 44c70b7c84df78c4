import { describe, expect, it } from 'vitest';
import { atSlot, busyShare, medians, parseProcStat, stealShare, peersFromEnv, peersTable, ratios, type RoundFigures, sioClientFromEnv, stampAt, verdict } from '../../bench/lib/peers.ts';

const figures = (over: Partial<RoundFigures> = {}): RoundFigures => ({
  eventsPerSec: 20_000,
  cpuUsPerEvent: 30,
  p50At250: 1,
  p99At250: 20,
  p50At500: 1.2,
  p99At500: 30,
  idleCores: 0.02,
  stallMs: 5,
  ownStallMs: 4,
  ...over,
});

describe('peers bench helpers', () => {
  it('re-stamps the `at` of a serialised frame in place, same length, still valid JSON', () => {
    const frame = '{"t":"ev","epoch":"e1","seq":7,"type":"arrival","at":1733000000000,"data":{"x":"鞋"}}';
    const slot = atSlot(frame);
    const out = stampAt(Buffer.from(frame), slot, 1799999999999.7);
    expect(out.length).toBe(Buffer.byteLength(frame));
    expect(JSON.parse(out.toString('utf8'))).toEqual({ ...JSON.parse(frame), at: 1799999999999 });
    expect(() => atSlot('{"t":"ev","at":12}')).toThrow(/13-digit/);
  });

  it('reads the box busy share from two /proc/stat readings (idle and iowait are not busy)', () => {
    const a = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n');
    const b = parseProcStat('cpu  250 0 100 900 50 0 0 0 0 0\n');
    expect(a).toEqual({ busy: 150, steal: 0, total: 1000 });
    expect(busyShare(a, b)).toBeCloseTo(200 / 300);
    expect(busyShare(a, a)).toBe(0);
  });

  it('reads what the hypervisor stole, as a share of one core', () => {
    // Two cores, 300 jiffies between the readings (150 a core), 60 of them stolen: 40 % of a core.
    const a = parseProcStat('cpu  100 0 50 800 50 0 0 10 0 0\n');
    const b = parseProcStat('cpu  250 0 100 840 50 0 0 70 0 0\n');
    expect(a).toEqual({ busy: 160, steal: 10, total: 1010 });
    expect(stealShare(a, b, 2)).toBeCloseTo(0.4);
    expect(stealShare(a, a, 2)).toBe(0);
  });

  it('compares per round and takes the median of the ratios', () => {
    const sio = [figures({ eventsPerSec: 20_000 }), figures({ eventsPerSec: 10_000 }), figures({ eventsPerSec: 30_000 })];
    const ff = [figures({ eventsPerSec: 18_000 }), figures({ eventsPerSec: 9_000 }), figures({ eventsPerSec: 9_000 })];
    // Per round 0.9, 0.9, 0.3 → 0.9: a round where the box slowed both servers stays a fair
    // comparison; the ratio of the medians apart (9,000 / 20,000 = 0.45) would mix rounds.
    expect(ratios(ff, sio).eventsPerSec).toBe(0.9);
    expect(medians(ff).eventsPerSec).toBe(9_000);
  });

  it('passes only when every target holds, and one long stall in any round is a miss', () => {
    const sio = [figures(), figures()];
    expect(verdict([figures(), figures()], sio).pass).toBe(true);
    const slow = verdict([figures({ eventsPerSec: 8_000, cpuUsPerEvent: 70, p99At500: 735, idleCores: 0.07 }), figures()], sio);
    expect(slow).toMatchObject({ throughput: false, cpuPerEvent: false, p99At500: false, idle: false, p99At250: true, stall: true, pass: false });
    expect(verdict([figures({ stallMs: 190, ownStallMs: 190 }), figures()], sio)).toMatchObject({ stall: false, pass: false });
    // A stall the server did not run through (the box woke it late) is not its periodic work.
    expect(verdict([figures({ stallMs: 33, ownStallMs: 0.4 }), figures()], sio)).toMatchObject({ stall: true, pass: true });
    expect(verdict([figures({ stallMs: 33, ownStallMs: 21 }), figures()], sio)).toMatchObject({ stall: false, pass: false });
    // Socket.IO idle at zero CPU: no ratio, so no pass on idle.
    expect(verdict([figures(), figures()], [figures({ idleCores: 0 }), figures({ idleCores: 0 })]).idle).toBe(false);
  });

  it('lays out the table with a row per measure and a column per server', () => {
    const table = peersTable(
      [
        { label: 'Footfall', figures: figures({ eventsPerSec: 9851, cpuUsPerEvent: 70.84, idleCores: 0.064 }) },
        { label: 'Socket.IO', figures: figures({ eventsPerSec: NaN }) },
      ],
      10_000,
    );
    const lines = table.split('\n');
    expect(lines[0]).toBe('| | Footfall | Socket.IO |');
    expect(lines).toHaveLength(2 + 7);
    expect(table).toContain('| idle: longest stall of its own running ms | 4.0 | 4.0 |');
    expect(table).toContain('| max sustained delivered events/s (batches of 50) | 9,851 | – |');
    expect(table).toContain('| CPU µs per delivered event (batches of 50) | 70.8 | 30.0 |');
    expect(table).toContain('| idle, 10,000 sockets: server CPU | 6.4% | 2.0% |');
  });

  it('picks peers from the environment and refuses unknown ones', () => {
    expect(peersFromEnv(undefined)).toEqual(['sio', 'sioRecovery', 'floor', 'floorSqlite']);
    expect(peersFromEnv('floor, sio')).toEqual(['sio', 'floor']);
    expect(() => peersFromEnv('sio,uws')).toThrow(/unknown peer/);
  });

  it('takes the light Socket.IO client unless the full one is asked for', () => {
    expect(sioClientFromEnv(undefined)).toBe('light');
    expect(sioClientFromEnv(' full ')).toBe('full');
    expect(sioClientFromEnv('light')).toBe('light');
    expect(() => sioClientFromEnv('socket.io-client')).toThrow(/PEERS_SIO_CLIENT/);
  });
});
