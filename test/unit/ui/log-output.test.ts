import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logOutput } from '../../../src/ui/log-lines.ts';

describe('log output', () => {
  it('makes every stream that meets a full stdout wait for one shared drain', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const stdout = new Writable({
      highWaterMark: 1,
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        release = done;
      },
    });
    const output = logOutput({ output: 'text', color: false, timestamps: false }, new AbortController().signal, stdout, stdout);
    const waits = Array.from({ length: 50 }, (_, i) => output.write(`line ${i}\n`));
    expect(waits.every((w) => w instanceof Promise)).toBe(true);
    expect(new Set(waits).size).toBe(1);
    expect(stdout.listenerCount('drain')).toBe(1);
    while (written.length < 50) {
      release?.();
      await new Promise((r) => setImmediate(r));
    }
    release?.();
    await waits[0];
    // The next full stdout waits for the next drain, not the one already past.
    expect(output.write('after\n')).not.toBe(waits[0]);
  });
});
