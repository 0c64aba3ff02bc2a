// Reading response bodies by their events: backpressure, stopping early, and a body that closes
// before its end (an abort, or a dropped connection) rejects instead of hanging.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { eachChunk, readText } from '../../../src/kube/body.ts';

function utf8Body(): PassThrough {
  const body = new PassThrough();
  body.setEncoding('utf8');
  return body;
}

describe('eachChunk', () => {
  it('pauses the body while the promise onChunk returned is pending', async () => {
    const body = utf8Body();
    let release!: () => void;
    const seen: string[] = [];
    const done = eachChunk<string>(body, (chunk) => {
      seen.push(chunk);
      if (seen.length === 1) return new Promise<void>((resolve) => (release = resolve));
    });
    body.write('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.isPaused()).toBe(true);
    body.write('b');
    body.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a']);
    release();
    await done;
    expect(seen).toEqual(['a', 'b']);
  });

  it('stops reading and destroys the body when onChunk returns false', async () => {
    const body = utf8Body();
    const done = eachChunk<string>(body, () => false);
    body.write('x');
    await done;
    expect(body.destroyed).toBe(true);
  });

  it('rejects when the body is destroyed before its end', async () => {
    const body = utf8Body();
    const done = eachChunk<string>(body, () => undefined);
    body.write('partial');
    setImmediate(() => body.destroy());
    await expect(done).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it("rejects with the body's error and with onChunk's", async () => {
    const failing = utf8Body();
    const done = eachChunk<string>(failing, () => undefined);
    failing.destroy(new Error('socket hang up'));
    await expect(done).rejects.toThrow('socket hang up');
    const body = Readable.from(['a']);
    await expect(
      eachChunk<string>(body, () => {
        throw new Error('bad chunk');
      }),
    ).rejects.toThrow('bad chunk');
    expect(body.destroyed).toBe(true);
  });
});

describe('readText', () => {
  it('reads a whole body, and cuts a long one at the limit', async () => {
    expect(await readText(Readable.from(['{"items":', '[]}']))).toBe('{"items":[]}');
    const long = Readable.from(['0123456789', '0123456789', '0123456789']);
    expect(await readText(long, 15)).toBe('012345678901234');
    expect(long.destroyed).toBe(true);
  });
});
