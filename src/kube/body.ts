// Reading response bodies through their events. An async iterator over a stream costs promises
// and ticks per chunk, and its set-up about as long as a list's whole body took to arrive; for
// `logs -f`, with thousands of chunks a second, events gave about 3% more lines/s.
import type { Readable } from 'node:stream';

// A Status body is a few hundred bytes; a misbehaving proxy's error page is cut here.
export const MAX_ERROR_BODY = 64 << 10;

/**
 * Hands each chunk of body to onChunk, and pauses body while a promise onChunk returned is
 * pending. Returning false stops reading: body is destroyed and this resolves. Resolves when body
 * ends; rejects with body's error, onChunk's, or when body closes before its end (destroyed by
 * an abort, or a connection that dropped without an error).
 */
export function eachChunk<T extends string | Buffer>(body: Readable, onChunk: (chunk: T) => Promise<void> | boolean | void): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      reject(error);
      body.destroy();
    };
    body.on('data', (chunk: T) => {
      let next: Promise<void> | boolean | void;
      try {
        next = onChunk(chunk);
      } catch (error) {
        fail(error);
        return;
      }
      if (next === false) {
        resolve();
        body.destroy();
      } else if (next instanceof Promise) {
        body.pause();
        next.then(() => body.resume(), fail);
      }
    });
    body.once('end', resolve);
    body.once('error', reject);
    // Settles nothing after 'end' or an error.
    body.once('close', () => reject(Object.assign(new Error('the API server closed the response before its end'), { code: 'ECONNRESET' })));
  });
}

/** body (utf8, see setEncoding) as text, up to limit characters; a body cut there is destroyed. */
export async function readText(body: Readable, limit = Infinity): Promise<string> {
  let text = '';
  await eachChunk<string>(body, (chunk) => {
    text += chunk;
    return text.length < limit;
  });
  return text.slice(0, limit);
}
