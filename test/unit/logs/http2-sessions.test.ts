// The session pool against a local h2c server that allows two streams per connection.
import http2, { type ServerHttp2Session } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eachChunk } from '../../../src/kube/body.ts';
import { Http2Sessions, responseBody } from '../../../src/kube/http2-sessions.ts';

let server: http2.Http2Server;
let sessions: ServerHttp2Session[];
let serverStreams: Map<string, http2.ServerHttp2Stream>;
let origin: string;

beforeEach(async () => {
  sessions = [];
  serverStreams = new Map();
  server = http2.createServer({ settings: { maxConcurrentStreams: 2 } });
  server.on('session', (session) => sessions.push(session));
  // A log that never ends: one line, then nothing until the client goes.
  server.on('stream', (stream, headers) => {
    serverStreams.set(String(headers[':path']), stream);
    stream.respond({ ':status': 200 });
    stream.write(`${headers[':path']}\n`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const session of sessions) session.destroy();
  server.close();
});

async function firstLine(stream: http2.ClientHttp2Stream): Promise<string> {
  stream.setEncoding('utf8');
  const [chunk] = (await once(stream, 'data')) as [string];
  return chunk.trim();
}

const open = (pool: Http2Sessions, path: string, signal = new AbortController().signal) => pool.request({ ':path': path }, {}, signal);
const closed = (session: ServerHttp2Session) => (session.closed || session.destroyed ? Promise.resolve() : once(session, 'close'));

/** A TCP relay to the server that can go silent both ways, as a path that died under a sleeping laptop. */
async function silentRelay(): Promise<{ origin: string; goSilent: () => void; close: () => void }> {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => silent || to.write(chunk));
      from.on('error', () => undefined);
      from.on('close', () => to.destroy());
    }
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  return {
    origin: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    goSilent: () => void (silent = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}

describe('HTTP/2 sessions', () => {
  it('destroys a connection that stops answering pings, so a quiet stream on it fails instead of waiting for ever', async () => {
    const relay = await silentRelay();
    try {
      const pool = new Http2Sessions(relay.origin, { pingIntervalMs: 100, pingTimeoutMs: 200 });
      const stream = await open(pool, '/quiet');
      expect(await firstLine(stream)).toBe('/quiet');
      // Alive: pings are answered and the stream stays open.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stream.closed).toBe(false);
      relay.goSilent();
      const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
      await new Promise((resolve) => stream.once('close', resolve));
      expect((await failed).message).toMatch(/did not answer a ping/);
      // The next request opens a new connection rather than joining the dead one.
      relay.close();
      await expect(open(pool, '/next')).rejects.toThrow();
    } finally {
      relay.close();
    }
  });

  it('puts streams on as few connections as the server allows, opening another when one is full', async () => {
    const pool = new Http2Sessions(origin);
    const paths = ['/a', '/b', '/c', '/d', '/e', '/f'];
    const streams = await Promise.all(paths.map((p) => open(pool, p)));
    expect(await Promise.all(streams.map(firstLine))).toEqual(paths);
    expect(sessions).toHaveLength(3);

    // A stream that ends frees its place for the next one instead of opening a connection.
    streams[0]!.destroy();
    // Node's server (unlike Go's) frees the place only once its side of the stream is gone.
    await once(serverStreams.get('/a')!, 'close');
    expect(await firstLine(await open(pool, '/g'))).toBe('/g');
    expect(sessions).toHaveLength(3);
  });

  it('closes a connection when its last stream closes, and opens a new one after a drop', async () => {
    const pool = new Http2Sessions(origin);
    const stop = new AbortController();
    const stream = await open(pool, '/a', stop.signal);
    await firstLine(stream);
    stop.abort();
    await closed(sessions[0]!);

    const next = await open(pool, '/b');
    await firstLine(next);
    expect(sessions).toHaveLength(2);
    next.on('error', () => undefined);
    sessions[1]!.destroy();
    await once(next, 'close');
    expect(await firstLine(await open(pool, '/c'))).toBe('/c');
    expect(sessions).toHaveLength(3);
  });

  it('a body cut off with its connection fails; one the server finishes ends', async () => {
    const pool = new Http2Sessions(origin);
    const read = async (body: NodeJS.ReadableStream) => {
      let text = '';
      for await (const chunk of body) text += String(chunk);
      return text;
    };
    const cut = read(responseBody(await open(pool, '/cut')));
    const finished = read(responseBody(await open(pool, '/finished')));
    await new Promise((r) => setTimeout(r, 50));
    serverStreams.get('/finished')!.end('done\n');
    expect(await finished).toBe('/finished\ndone\n');
    sessions[0]!.destroy();
    await expect(cut).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('a body read slower than it arrives holds its stream back and loses nothing', async () => {
    const pool = new Http2Sessions(origin);
    const stream = await open(pool, '/slow');
    await once(stream, 'response');
    const body = responseBody(stream);
    const sent = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(100)}\n`).join('');
    serverStreams.get('/slow')!.end(sent);
    body.setEncoding('utf8');
    let received = '';
    let heldBack = false;
    await eachChunk<string>(body, async (chunk) => {
      received += chunk;
      await new Promise((r) => setTimeout(r, 1));
      heldBack ||= stream.isPaused();
    });
    expect(heldBack).toBe(true);
    expect(received).toBe(`/slow\n${sent}`);
  });

  it('fails a request with the network error when nothing listens, and stops waiting when aborted', async () => {
    const port = (server.address() as AddressInfo).port;
    server.close();
    await expect(open(new Http2Sessions(`http://127.0.0.1:${port}`), '/a')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const stop = new AbortController();
    stop.abort();
    await expect(open(new Http2Sessions(origin), '/a', stop.signal)).rejects.toThrow();
  });
});
