// The collector port-forward feeds with the bytes it moves: a young collection per `every` bytes.
import { describe, expect, it } from 'vitest';
import { YoungBufferCollector } from '../../../src/kube/young-buffers.ts';

describe('YoungBufferCollector', () => {
  it('asks for a young collection each time `every` more bytes have moved, counting across chunks', () => {
    const calls: unknown[] = [];
    let lookups = 0;
    const collector = new YoungBufferCollector(() => {
      lookups += 1;
      return (options) => calls.push(options);
    }, 100);
    collector.moved(60);
    expect(calls).toEqual([]);
    expect(lookups).toBe(0);
    collector.moved(40);
    expect(calls).toEqual([{ type: 'minor' }]);
    for (let i = 0; i < 5; i++) collector.moved(50);
    expect(calls).toHaveLength(3);
    collector.moved(1000);
    expect(calls).toHaveLength(4);
    expect(lookups).toBe(1);
  });

  it('moves on without collecting when V8 offers no gc (no --expose-gc), and looks only once', () => {
    let lookups = 0;
    const collector = new YoungBufferCollector(() => {
      lookups += 1;
      return undefined;
    }, 10);
    for (let i = 0; i < 5; i++) collector.moved(10);
    expect(lookups).toBe(1);
  });
});
