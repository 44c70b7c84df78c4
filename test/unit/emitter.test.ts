import { describe, expect, it } from 'vitest';
import { Emitter } from '../../shared/emitter.ts';

type Events = { a: number; b: { s: string } };

describe('Emitter', () => {
  it('delivers typed payloads to the listeners of an event only, until they are removed', () => {
    const e = new Emitter<Events>();
    const got: unknown[] = [];
    const off = e.on('a', (n) => got.push(n));
    e.on('b', (p) => got.push(p.s));
    e.emit('a', 1);
    e.emit('b', { s: 'x' });
    off();
    off();
    e.emit('a', 2);
    expect(got).toEqual([1, 'x']);
    expect(e.has('a')).toBe(false);
    expect(e.has('b')).toBe(true);
  });

  it('a throwing listener is reported and does not stop the others', () => {
    const errors: Array<[string, unknown]> = [];
    const e = new Emitter<Events>((event, err) => errors.push([String(event), err]));
    const got: number[] = [];
    e.on('a', () => {
      throw new Error('boom');
    });
    e.on('a', (n) => got.push(n));
    expect(() => e.emit('a', 7)).not.toThrow();
    expect(got).toEqual([7]);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('a');
  });

  it('a listener removed while an event is delivered does not break the delivery', () => {
    const e = new Emitter<Events>();
    const got: string[] = [];
    const offFirst = e.on('a', () => {
      got.push('first');
      offSecond();
    });
    const offSecond = e.on('a', () => got.push('second'));
    e.emit('a', 1);
    e.emit('a', 2);
    expect(got).toEqual(['first', 'second', 'first']);
    offFirst();
  });
});
