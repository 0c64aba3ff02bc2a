// The client session against a scripted server on loopback: what it sends for streams, ends and
// resets, and what it does with the server's frames. The real server (spdystream behind the
// API server) is in test/e2e/forward/forward-connection.e2e.test.ts.
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SpdySession, type StreamHandler } from '../../../src/kube/spdy-session.ts';
import { ControlType, FLAG_FIN, type Frame, FrameReader, controlFrame, dataFrame, goAwayFrame, pingFrame, rstStreamFrame } from '../../../src/kube/spdy.ts';

interface Peer {
  session: SpdySession;
  server: net.Socket;
  client: net.Socket;
  frames: Frame[];
  /** Resolves once the server has received n frames in all. */
  received(n: number): Promise<Frame[]>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function peer(options: { pingPeriodMs?: number } = {}): Promise<Peer> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((listener.address() as AddressInfo).port, '127.0.0.1');
  const [server] = await accepted;
  listener.close();
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  const reader = new FrameReader();
  server.on('data', (chunk: Buffer) => {
    frames.push(...reader.push(chunk));
    for (const wake of waiters) wake();
  });
  server.on('error', () => undefined);
  cleanups.push(() => {
    client.destroy();
    server.destroy();
  });
  const received = (n: number) =>
    new Promise<Frame[]>((resolve) => {
      const check = () => {
        if (frames.length < n) return;
        waiters.delete(check);
        resolve(frames);
      };
      waiters.add(check);
      check();
    });
  return { session: new SpdySession(client, Buffer.alloc(0), options), server, client, frames, received };
}

function recorder(): StreamHandler & { events: string[] } {
  const events: string[] = [];
  return { events, data: (chunk) => events.push(`data ${chunk}`), end: () => events.push('end'), reset: () => events.push('reset') };
}

function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (condition() ? resolve() : setTimeout(poll, 2));
    poll();
  });
}

describe('SpdySession', () => {
  it('opens streams with rising odd ids, FIN on SYN_STREAM when asked, and half-closes with an empty FIN data frame', async () => {
    const { session, received } = await peer();
    const first = session.openStream([['streamtype', 'error']], recorder(), { fin: true });
    const second = session.openStream([['streamtype', 'data']], recorder());
    expect([first, second]).toEqual([1, 3]);
    expect(session.write(second, Buffer.from('hi'))).toBe(true);
    session.end(second);
    const frames = await received(4);
    expect(frames.map((f) => (f.kind === 'data' ? `data ${f.streamId} ${f.flags} ${f.data}` : `control ${f.type} ${f.flags}`))).toEqual([
      `control ${ControlType.synStream} ${FLAG_FIN}`,
      `control ${ControlType.synStream} 0`,
      'data 3 0 hi',
      `data 3 ${FLAG_FIN} `,
    ]);
  });

  it("hands the server's data, FIN and RST_STREAM to the stream's handler", async () => {
    const { session, server } = await peer();
    const ended = recorder();
    const reset = recorder();
    const a = session.openStream([['streamtype', 'data']], ended);
    const b = session.openStream([['streamtype', 'data']], reset);
    server.write(Buffer.concat([dataFrame(a, Buffer.from('x')), dataFrame(a, Buffer.from('y'), FLAG_FIN), rstStreamFrame(b, 5)]));
    await until(() => ended.events.length === 3 && reset.events.length === 1);
    expect(ended.events).toEqual(['data x', 'data y', 'end']);
    expect(reset.events).toEqual(['reset']);
  });

  it("answers the server's PING with the same frame and ignores SETTINGS and WINDOW_UPDATE", async () => {
    const { server, received } = await peer();
    server.write(controlFrame(ControlType.settings, 0, Buffer.from('00000000', 'hex')));
    server.write(controlFrame(ControlType.windowUpdate, 0, Buffer.from('0000000100001000', 'hex')));
    server.write(pingFrame(2));
    const [pong] = await received(1);
    expect(pong).toEqual({ kind: 'control', type: ControlType.ping, flags: 0, payload: Buffer.from('00000002', 'hex') });
  });

  it('pings with odd ids every period; an idle session that leaves a ping unanswered is dropped', async () => {
    const answering = await peer({ pingPeriodMs: 20 });
    answering.server.on('data', () => {
      for (const frame of answering.frames.splice(0)) if (frame.kind === 'control' && frame.type === ControlType.ping) answering.server.write(controlFrame(ControlType.ping, 0, frame.payload));
    });
    const silent = await peer({ pingPeriodMs: 20 });
    const [ping] = await silent.received(1);
    expect(ping).toEqual({ kind: 'control', type: ControlType.ping, flags: 0, payload: Buffer.from('00000001', 'hex') });
    await until(() => !silent.session.accepting);
    await new Promise((r) => setTimeout(r, 100));
    expect(answering.session.accepting).toBe(true);
  });

  it('keeps the open streams of a session whose pings go unanswered, but opens no new ones on it', async () => {
    const { session, server } = await peer({ pingPeriodMs: 20 });
    const handler = recorder();
    const id = session.openStream([['streamtype', 'data']], handler);
    await until(() => !session.accepting);
    await new Promise((r) => setTimeout(r, 100));
    // Still connected, and the stream still gets its data.
    server.write(dataFrame(id, Buffer.from('late')));
    await until(() => handler.events.some((e) => e.includes('late')));
    expect(handler.events).not.toContain('reset');
  });

  it('resets only streams that have not ended both ways', async () => {
    const { session, server, received } = await peer();
    const doneHandler = recorder();
    const done = session.openStream([['streamtype', 'data']], doneHandler);
    const open = session.openStream([['streamtype', 'data']], recorder());
    session.end(done);
    server.write(dataFrame(done, Buffer.alloc(0), FLAG_FIN));
    await until(() => doneHandler.events.includes('end'));
    session.reset(done);
    session.reset(open);
    const frames = await received(4);
    expect(frames.slice(3)).toEqual([{ kind: 'control', type: ControlType.rstStream, flags: 0, payload: Buffer.from('0000000300000005', 'hex') }]);
  });

  it('after GOAWAY takes no new streams and ends the connection once its last stream has ended', async () => {
    const { session, server, received } = await peer();
    const stream = session.openStream([['streamtype', 'data']], recorder());
    server.write(goAwayFrame(0));
    await until(() => !session.accepting);
    const serverEnded = once(server, 'end');
    session.end(stream);
    server.write(dataFrame(stream, Buffer.alloc(0), FLAG_FIN));
    await serverEnded;
    const frames = await received(3);
    expect(frames[2]).toEqual({ kind: 'control', type: ControlType.goAway, flags: 0, payload: Buffer.alloc(8) });
  });

  it('resets every open stream when the connection drops', async () => {
    const { session, server } = await peer();
    const handler = recorder();
    session.openStream([['streamtype', 'data']], handler);
    server.destroy();
    await until(() => handler.events.length > 0);
    expect(handler.events).toEqual(['reset']);
    expect(session.accepting).toBe(false);
    // A stream opened on the dead session is reset too, instead of waiting forever.
    const late = recorder();
    session.openStream([['streamtype', 'data']], late);
    await until(() => late.events.length > 0);
    expect(late.events).toEqual(['reset']);
  });

  it('stops reading while any holder holds, and asks writers to wait when the socket is full', async () => {
    const { session, server, client } = await peer();
    const handler = recorder();
    const stream = session.openStream([['streamtype', 'data']], handler);
    const a = {};
    const b = {};
    session.holdReading(a);
    session.holdReading(b);
    server.write(dataFrame(stream, Buffer.from('late')));
    await new Promise((r) => setTimeout(r, 30));
    expect(handler.events).toEqual([]);
    session.releaseReading(a);
    await new Promise((r) => setTimeout(r, 30));
    expect(handler.events).toEqual([]);
    session.releaseReading(b);
    await until(() => handler.events.length > 0);
    expect(handler.events).toEqual(['data late']);

    server.pause();
    const chunk = Buffer.alloc(256 * 1024);
    let full = false;
    for (let i = 0; i < 64 && !full; i++) full = !session.write(stream, chunk);
    expect(full).toBe(true);
    const drained = new Promise<void>((resolve) => session.onDrain(resolve));
    server.resume();
    await drained;
    expect(client.writableLength).toBe(0);
  });
});
