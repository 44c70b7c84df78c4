import { describe, expect, it } from 'vitest';
import { atOf, digitsAt, isArrival, seqOf } from '../../bench/lib/frameScan.ts';
import { evFrameParts } from '../../hq/app/eventLog.ts';

describe('bench frame scan', () => {
  it("reads the envelope's seq and at off an event frame as HQ writes it, not the data's", () => {
    const data = JSON.stringify({ visit: { at: 5, seq: 9 }, note: '鞋 "at":1' });
    const frame = Buffer.from(evFrameParts({ storeId: 's1', epoch: 'e1', seq: 4711, id: 'ev-1', type: 'arrival', at: 1733000000123, data }).join(''));
    expect(JSON.parse(frame.toString('utf8'))).toMatchObject({ seq: 4711, at: 1733000000123 });
    expect(seqOf(frame)).toBe(4711);
    expect(atOf(frame, 8)).toBe(1733000000123);
    expect(isArrival(frame)).toBe(true);
    const other = Buffer.from(evFrameParts({ storeId: 's1', epoch: 'e1', seq: 5, id: 'ev-2', type: 'visit.claimed', at: 1, data: '{"type":"arrival"}' }).join(''));
    expect(isArrival(other)).toBe(false);
    // A Socket.IO event around the same bytes: the keys are found past its prefix.
    const sio = Buffer.concat([Buffer.from('42["ev",'), frame, Buffer.from(']')]);
    expect(atOf(sio, 8)).toBe(1733000000123);
  });

  it('answers NaN where there are no digits or no key near the start', () => {
    expect(digitsAt(Buffer.from('"seq":x'), 6)).toBeNaN();
    expect(digitsAt(Buffer.from('"seq":0,'), 6)).toBe(0);
    expect(seqOf(Buffer.from('{"t":"head"}'))).toBeNaN();
    expect(atOf(Buffer.from(`{"t":"ev","pad":"${'x'.repeat(300)}","at":12}`))).toBeNaN();
  });
});
