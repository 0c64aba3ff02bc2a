import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logOutput } from '../../../src/ui/log-lines.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A stdout that takes one write and then holds back until released, like a full pipe. */
function slowStdout() {
  const written: string[] = [];
  let release: (() => void) | undefined;
  const stdout = new Writable({
    highWaterMark: 1,
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      release = done;
    },
  });
  return { stdout, written, release: () => release?.() };
}

const text = { output: 'text', color: false, timestamps: false } as const;

describe('log output', () => {
  it('writes what the streams hand over in one turn of the event loop in one write, in order', async () => {
    const { stdout, written } = slowStdout();
    const output = logOutput(text, new AbortController().signal, stdout, stdout);
    const waits = Array.from({ length: 50 }, (_, i) => output.write(`line ${i}\n`));
    expect(waits.every((w) => w === undefined)).toBe(true);
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual([Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('')]);
  });

  it('hands what it holds to stdout at once when the streams have ended', () => {
    const { stdout, written } = slowStdout();
    const output = logOutput(text, new AbortController().signal, stdout, stdout);
    output.write('last\n');
    output.end();
    expect(written).toEqual(['last\n']);
  });

  it('makes every stream that meets a full stdout wait for one shared drain', async () => {
    const { stdout, written, release } = slowStdout();
    const output = logOutput(text, new AbortController().signal, stdout, stdout);
    output.write('first\n');
    await nextTurn();
    const waits = Array.from({ length: 50 }, (_, i) => output.write(`line ${i}\n`));
    expect(waits.every((w) => w instanceof Promise)).toBe(true);
    expect(new Set(waits).size).toBe(1);
    expect(stdout.listenerCount('drain')).toBe(1);
    release();
    await waits[0];
    await nextTurn();
    expect(written.join('')).toBe(['first\n', ...Array.from({ length: 50 }, (_, i) => `line ${i}\n`)].join(''));
    // The next full stdout waits for the next drain, not the one already past.
    expect(output.write('after\n')).not.toBe(waits[0]);
  });

  it('lets the streams go on when the command is interrupted while stdout is full', async () => {
    const { stdout } = slowStdout();
    const stop = new AbortController();
    const output = logOutput(text, stop.signal, stdout, stdout);
    output.write('first\n');
    await nextTurn();
    const wait = output.write('second\n');
    stop.abort();
    await expect(wait).resolves.toBeUndefined();
  });
});
