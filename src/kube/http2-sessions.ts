// HTTP/2 sessions to one API server, shared by many long-lived streams (log follows), as
// kubectl shares one connection: a TCP+TLS connection per stream costs about 0.8 MiB each and
// a handshake per reconnect. A session is opened when a stream needs one, closed when its last
// stream closes, and forgotten when it drops, so the next stream opens a fresh one. The server
// caps concurrent streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS, 100 for
// kube-apiserver); a stream beyond the cap would wait inside nghttp2 until another one ends,
// which for a follow is never, so a full session makes the next stream open another session.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import type { SecureClientSessionOptions } from 'node:http2';
import { Readable } from 'node:stream';

/** The server (or a proxy in front of it) does not offer HTTP/2 in its TLS handshake (ALPN). */
export class Http2UnsupportedError extends Error {
  readonly code = 'ERR_HTTP2_UNSUPPORTED';

  constructor(origin: string) {
    super(`${origin} does not offer HTTP/2 in its TLS handshake`);
  }
}

/** What identifies the client on a connection; a session is shared only by equal ones. */
export type SessionTls = Pick<SecureClientSessionOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'servername' | 'rejectUnauthorized'>;

interface Session {
  h2: ClientHttp2Session;
  tls: SessionTls;
  /** Open streams plus requests waiting for the session's settings. */
  streams: number;
  /** Resolves once the server's SETTINGS arrived, so its stream cap is known. */
  ready: Promise<void>;
}

/** undici's default and kubectl's TLS handshake timeout; Node's own requests have none, and an
 * unanswered SYN or a server that accepts and never answers would hang for minutes. */
export const CONNECT_TIMEOUT_MS = 10_000;

export function connectTimedOut(): Error {
  return Object.assign(new Error(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' });
}
// Data the server may send that we have not read yet (HTTP/2 flow control): what a session can
// hold in memory while stdout is slow. The connection window is that bound for all its streams
// together; the stream window lets a few busy logs use it (64 KiB, the protocol's default,
// measured slower at 2 pods on the testbed) without one slow reader holding more.
const CONNECTION_WINDOW = 4 << 20;
const STREAM_WINDOW = 256 << 10;

/** How often an open session asks the server for a sign of life, and how long it waits (client-go's 30 s and 15 s). */
export interface Liveness {
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export class Http2Sessions {
  private readonly origin: string;
  private readonly liveness: Liveness;
  private readonly sessions = new Set<Session>();

  /** origin: e.g. https://10.0.0.1:6443 (http:// speaks h2c, for tests). */
  constructor(origin: string, liveness: Liveness = { pingIntervalMs: 30_000, pingTimeoutMs: 15_000 }) {
    this.origin = origin;
    this.liveness = liveness;
  }

  /**
   * Sends a request (headers with :path; GET unless :method says otherwise) on a session with
   * room for it, opening one if none has. The returned stream is closed (RST_STREAM CANCEL)
   * when signal aborts. Rejects with the connection's error when the server cannot be reached.
   */
  async request(headers: OutgoingHttpHeaders, tls: SessionTls, signal: AbortSignal): Promise<ClientHttp2Stream> {
    for (;;) {
      signal.throwIfAborted();
      const session = this.withRoom(tls) ?? this.open(tls);
      session.streams += 1;
      try {
        await abortable(session.ready, signal);
      } catch (error) {
        this.release(session);
        throw error;
      }
      // Requests that reserved a place before the cap was known: the ones beyond it try again.
      if (session.streams > capacity(session) || session.h2.closed || session.h2.destroyed) {
        this.release(session);
        continue;
      }
      let stream: ClientHttp2Stream;
      try {
        stream = session.h2.request(headers, { endStream: true });
      } catch (error) {
        this.release(session);
        throw error;
      }
      // Not request()'s signal option: that destroys the stream with an error, which crashes
      // the process if it comes before the caller has started reading.
      const cancel = () => stream.close(http2.constants.NGHTTP2_CANCEL);
      signal.addEventListener('abort', cancel, { once: true });
      stream.once('close', () => {
        signal.removeEventListener('abort', cancel);
        this.release(session);
      });
      return stream;
    }
  }

  private withRoom(tls: SessionTls): Session | undefined {
    for (const session of this.sessions) {
      if (!session.h2.closed && !session.h2.destroyed && session.streams < capacity(session) && sameTls(session.tls, tls)) return session;
    }
    return undefined;
  }

  private open(tls: SessionTls): Session {
    const h2 = http2.connect(this.origin, { ...tls, settings: { initialWindowSize: STREAM_WINDOW, enablePush: false } });
    const timer = setTimeout(() => h2.destroy(connectTimedOut()), CONNECT_TIMEOUT_MS);
    const ready = new Promise<void>((resolve, reject) => {
      h2.once('remoteSettings', () => resolve());
      h2.once('error', (error: Error & { code?: string }) => reject(error.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' ? new Http2UnsupportedError(this.origin) : error));
      h2.once('close', () => reject(Object.assign(new Error('connection to the API server closed'), { code: 'ECONNRESET' })));
    });
    // Streams report the session's failure themselves; this only keeps it from being unhandled.
    ready.catch(() => undefined);
    h2.on('error', () => undefined);
    h2.once('connect', () => {
      clearTimeout(timer);
      // A server that ignores ALPN completes the handshake and then answers the HTTP/2
      // preface with HTTP/1.1, which Node reports only as "Protocol error".
      if (h2.encrypted && h2.alpnProtocol !== 'h2') return void h2.destroy(new Http2UnsupportedError(this.origin));
      h2.setLocalWindowSize(CONNECTION_WINDOW);
      keepAlive(h2, this.liveness);
    });
    const session: Session = { h2, tls, streams: 0, ready };
    h2.once('close', () => {
      clearTimeout(timer);
      this.sessions.delete(session);
    });
    this.sessions.add(session);
    return session;
  }

  private release(session: Session): void {
    session.streams -= 1;
    if (session.streams > 0) return;
    this.sessions.delete(session);
    session.h2.close();
  }
}

/**
 * Pings the server while the session is open. A connection that died without a word (a laptop
 * that slept, a NAT that forgot it) sends nothing, and a quiet log follow on it would wait for
 * ever: one that misses a ping's answer is destroyed, so its streams fail and resume on a new one.
 */
function keepAlive(h2: ClientHttp2Session, { pingIntervalMs, pingTimeoutMs }: Liveness): void {
  const pinger = setInterval(() => {
    // Between destroy() and its 'close' event, ping() would throw.
    if (h2.destroyed || h2.closed) return;
    const deadline = setTimeout(() => h2.destroy(Object.assign(new Error(`the API server did not answer a ping within ${pingTimeoutMs} ms`), { code: 'ETIMEDOUT' })), pingTimeoutMs);
    deadline.unref();
    // The callback also runs, with an error, when the session closes first.
    if (!h2.ping(() => clearTimeout(deadline))) clearTimeout(deadline);
  }, pingIntervalMs);
  pinger.unref();
  h2.once('close', () => clearInterval(pinger));
}

/**
 * A response body that fails, instead of ending, when its stream is cut off: Node ends the
 * readable side of a stream whose session dropped (and of one reset with CANCEL) as if the
 * server had finished it, which for a log would mean "the container stopped". Only the stream's
 * close code tells the two apart, so the body ends only once the stream closed cleanly. Chunks are
 * handed on from the stream's events (an async iterator in between cost a promise and several
 * ticks per chunk: a tenth of a busy follower's time).
 */
export function responseBody(stream: ClientHttp2Stream): Readable {
  const body = new Readable({
    read: () => void stream.resume(),
    destroy: (error, callback) => {
      stream.destroy();
      callback(error);
    },
  });
  stream.on('data', (chunk: Buffer) => {
    if (!body.push(chunk)) stream.pause();
  });
  stream.once('error', (error) => body.destroy(error));
  stream.once('close', () => {
    if (body.destroyed) return;
    if (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR && stream.readableEnded) return void body.push(null);
    body.destroy(Object.assign(new Error(`the connection to the API server was cut (HTTP/2 stream closed with code ${stream.rstCode})`), { code: 'ECONNRESET' }));
  });
  return body;
}

function capacity(session: Session): number {
  return session.h2.remoteSettings.maxConcurrentStreams ?? Number.POSITIVE_INFINITY;
}

function sameTls(a: SessionTls, b: SessionTls): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof SessionTls)[]);
  return [...keys].every((key) => sameValue(a[key], b[key]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
