// Local TCP connections forwarded to pod ports the way kubectl does it: one SPDY/3.1 session per
// pod (an HTTP/1.1 upgrade of POST .../pods/NAME/portforward), and per connection a pair of
// streams on it, error then data. A connection then costs two frames instead of a TLS handshake
// and a WebSocket upgrade. Each side's end, error and pressure reach the other side.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { MAX_ERROR_BODY, readText } from './body.ts';
import { ApiException, type KubeConfig } from './client-node.ts';
import { toUserError } from './errors.ts';
import { SpdySession } from './spdy-session.ts';

/** A pod whose ports are forwarded: one session each. */
export interface ForwardPod {
  namespace: string;
  pod: string;
}

export interface ForwardTarget extends ForwardPod {
  port: number;
}

export interface ByteCounters {
  /** Bytes from the pod to the local client. */
  received(bytes: number): void;
  /** Bytes from the local client to the pod. */
  sent(bytes: number): void;
}

export interface Forwarding {
  /** Resolves once both sides are closed, with the error the pod side reported, if any. */
  closed: Promise<string | undefined>;
  /** Closes both sides: a FIN to the pod and to the local client, dropped if they linger. */
  close(): void;
  /** Drops both sides at once, for shutdown. */
  destroy(): void;
}

const PROTOCOL = 'portforward.k8s.io';
// Bytes queued for a local client beyond which the pod's session stops being read.
const LOCAL_HIGH_WATER = 1 << 20;
// How long one side may keep its half of a connection open after the other side ended.
const LINGER_MS = 5_000;
const UPGRADE_TIMEOUT_MS = 30_000;

// The kubelet pairs a connection's two streams by this header; unique within a session is enough.
let nextRequestId = 0;

/** The port-forward sessions of one kubeconfig context, one per pod, opened on first use. */
export class PortForwarder {
  private readonly kc: KubeConfig;
  private readonly sessions = new Map<string, { opening: Promise<SpdySession>; session?: SpdySession }>();

  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  /**
   * Forwards socket, which must be paused (net.Server pauseOnConnect) so no byte is read before
   * there is somewhere to send it. Rejects with a user-facing error when the API server refuses
   * or cannot be reached; the socket is then left as it was, so the caller may try another pod.
   */
  async forwardConnection(target: ForwardTarget, socket: Socket, counters: ByteCounters): Promise<Forwarding> {
    const session = await this.session(target);
    return connect(session, target.port, socket, counters);
  }

  /** Opens pod's session ahead of its first connection; rejects as forwardConnection does. */
  async prepare(pod: ForwardPod): Promise<void> {
    await this.session(pod);
  }

  /** New connections to pod no longer use its session, which closes once its connections end. */
  release(namespace: string, pod: string): void {
    const key = sessionKey(namespace, pod);
    const entry = this.sessions.get(key);
    if (entry === undefined) return;
    this.sessions.delete(key);
    entry.opening.then((session) => session.retire(), () => undefined);
  }

  /** Ends every session, for shutdown; connections still open on them are dropped. */
  close(): void {
    for (const entry of this.sessions.values()) entry.opening.then((session) => session.close(), () => undefined);
    this.sessions.clear();
  }

  private session(target: ForwardPod): Promise<SpdySession> {
    const key = sessionKey(target.namespace, target.pod);
    const entry = this.sessions.get(key);
    if (entry !== undefined && (entry.session === undefined || entry.session.accepting)) return entry.opening;
    // A session that dropped or was told to go away is replaced; it closes once its streams end.
    const fresh: { opening: Promise<SpdySession>; session?: SpdySession } = { opening: openSession(this.kc, target) };
    this.sessions.set(key, fresh);
    fresh.opening.then(
      (session) => void (fresh.session = session),
      () => this.sessions.get(key) === fresh && this.sessions.delete(key),
    );
    return fresh.opening;
  }
}

function sessionKey(namespace: string, pod: string): string {
  return `${namespace}/${pod}`;
}

/** Opens the error and data streams for socket on session and couples them to it. */
function connect(session: SpdySession, port: number, socket: Socket, counters: ByteCounters): Forwarding {
  // The client may have gone while the session was opening: nothing to forward.
  if (socket.closed) return { closed: Promise.resolve(undefined), close() {}, destroy() {} };
  const requestId = String(nextRequestId++);
  const headers = (streamType: 'error' | 'data') =>
    [
      ['streamtype', streamType],
      ['port', String(port)],
      ['requestid', requestId],
    ] as const;
  let reason = '';
  let lingering: NodeJS.Timeout | undefined;
  const linger = () => {
    lingering ??= setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  // Set while the local client has more queued than it should: the pod's session is not read.
  let readHold: object | undefined;

  // The pod side is done once both its streams are: kwok ends the data stream before the
  // kubelet writes the error, so the local client is ended only after the error stream, as
  // kubectl waits for it too.
  let podDataEnded = false;
  let errorStreamEnded = false;
  const podSideEnded = () => {
    if (podDataEnded && errorStreamEnded) socket.end();
  };

  // The error stream first, as kubectl opens them: the kubelet writes why it could not reach the
  // port there. This side never writes to it, so its SYN_STREAM already carries FIN.
  const errorStreamDone = () => {
    errorStreamEnded = true;
    podSideEnded();
  };
  const errorStream = session.openStream(
    headers('error'),
    {
      data: (chunk) => {
        reason += chunk.toString('utf8');
        socket.destroy();
      },
      end: errorStreamDone,
      reset: errorStreamDone,
    },
    { fin: true },
  );
  // Data frames may follow the SYN_STREAM at once: spdystream handles a stream's frames in
  // order, so its SYN_REPLY comes before they are read, and waiting for it would cost a round trip.
  const dataStream = session.openStream(headers('data'), {
    data: (chunk) => {
      if (socket.destroyed) return;
      counters.received(chunk.length);
      socket.write(chunk);
      if (socket.writableLength <= LOCAL_HIGH_WATER || readHold) return;
      const hold = (readHold = {});
      session.holdReading(hold);
      socket.once('drain', () => {
        readHold = undefined;
        session.releaseReading(hold);
      });
    },
    end: () => {
      podDataEnded = true;
      // From here the client has LINGER_MS, also if the error stream never ends.
      linger();
      podSideEnded();
    },
    reset: () => socket.destroy(),
  });

  socket.on('data', (chunk: Buffer) => {
    counters.sent(chunk.length);
    if (session.write(dataStream, chunk)) return;
    socket.pause();
    session.onDrain(() => socket.resume());
  });
  // A local FIN half-closes the data stream; the pod side may still answer, for a while.
  socket.on('end', () => {
    session.end(dataStream);
    linger();
  });
  socket.on('error', () => socket.destroy());
  const dropStreams = () => {
    session.reset(dataStream);
    session.reset(errorStream);
  };
  const closed = new Promise<string | undefined>((resolve) => {
    socket.once('close', () => {
      clearTimeout(lingering);
      dropStreams();
      if (readHold) session.releaseReading(readHold);
      resolve(reason.trim() || undefined);
    });
  });
  socket.resume();
  return {
    closed,
    close: () => {
      session.end(dataStream);
      socket.end();
      linger();
    },
    destroy: () => {
      dropStreams();
      socket.destroy();
    },
  };
}

/** The HTTP/1.1 upgrade to SPDY/3.1, with client-node's TLS, credentials and proxy agent. */
async function openSession(kc: KubeConfig, target: ForwardPod): Promise<SpdySession> {
  const attempt = { verb: 'create', resource: 'pods/portforward', namespace: target.namespace, name: target.pod };
  try {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context names no cluster');
    const url = new URL(cluster.server);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward`;
    const options: https.RequestOptions = {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PROTOCOL },
    };
    await kc.applyToHTTPSOptions(options);
    return await upgrade(url, options);
  } catch (error) {
    throw toUserError(error, attempt);
  }
}

function upgrade(url: URL, options: https.RequestOptions): Promise<SpdySession> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'http:' ? http.request : https.request)(url, options);
    request.on('upgrade', (response, socket, head) => {
      const protocol = response.headers['x-stream-protocol-version'];
      // Older API servers upgrade without naming the protocol; kubectl accepts that too.
      if (protocol !== undefined && protocol !== PROTOCOL) {
        socket.destroy();
        reject(new Error(`the API server offered port-forward protocol ${String(protocol)}, not ${PROTOCOL}`));
        return;
      }
      // The request's time limit was for the upgrade; a session may be idle for long.
      socket.setTimeout(0);
      socket.setNoDelay(true);
      resolve(new SpdySession(socket, head));
    });
    request.on('response', (response) => {
      response.setEncoding('utf8');
      readText(response, MAX_ERROR_BODY).then((body) => reject(new ApiException(response.statusCode ?? 0, `HTTP ${response.statusCode}`, body, {})), reject);
    });
    request.on('error', reject);
    request.setTimeout(UPGRADE_TIMEOUT_MS, () => request.destroy(Object.assign(new Error('port-forward upgrade timed out'), { code: 'ETIMEDOUT' })));
    request.end();
  });
}
