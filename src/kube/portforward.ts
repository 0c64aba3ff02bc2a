// One local TCP connection forwarded to a pod port over client-node's PortForward (one
// WebSocket per connection, v4.channel.k8s.io). client-node only copies bytes: it does not end
// the local socket when the WebSocket closes, ignores the error channel unless given a stream,
// and has no backpressure. This wraps it so that each side's end, error and pressure reach the
// other side.
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { ApiException, type KubeConfig, PortForward } from '@kubernetes/client-node';
import { toUserError } from './errors.ts';

export interface ForwardTarget {
  namespace: string;
  pod: string;
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
  /** Closes both sides: a close frame to the API server and a FIN to the local client. */
  close(): void;
  /** Drops both sides at once, for shutdown. */
  destroy(): void;
}

type WebSocket = Exclude<Awaited<ReturnType<PortForward['portForward']>>, (...args: never[]) => unknown>;

// Bytes queued in the WebSocket before the local socket stops being read, and how often the
// queue is checked while it is: ws has no 'drain' event.
const HIGH_WATER = 1 << 20;
const DRAIN_POLL_MS = 10;
// How long a local client may keep its half of a closed connection open.
const LINGER_MS = 5_000;
// How long a close frame to the API server may go unanswered.
const CLOSE_GRACE_MS = 2_000;

/**
 * Opens the WebSocket for socket, which must be paused (net.Server pauseOnConnect) so no byte
 * is read before there is somewhere to send it. Rejects with a user-facing error when the API
 * server refuses or cannot be reached; the socket is then left as it was, so the caller may try
 * another pod.
 */
export async function forwardConnection(kc: KubeConfig, target: ForwardTarget, socket: Socket, counters: ByteCounters): Promise<Forwarding> {
  let ws: WebSocket | undefined;
  let reason: string | undefined;
  const toLocal = new Writable({
    write(chunk: Buffer, _encoding, done) {
      counters.received(chunk.length);
      if (!socket.write(chunk) && ws && !ws.isPaused) {
        ws.pause();
        socket.once('drain', () => ws?.resume());
      }
      done();
    },
  });
  // Stream 1 of the port: the kubelet's reason when it cannot reach the port inside the pod.
  const errors = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (chunk.length > 0) {
        reason = chunk.toString('utf8').trim();
        socket.destroy();
      }
      done();
    },
  });
  let opened: Awaited<ReturnType<PortForward['portForward']>>;
  try {
    opened = await new PortForward(kc).portForward(target.namespace, target.pod, [target.port], toLocal, errors, socket);
  } catch (error) {
    throw handshakeError(error, target);
  }
  if (typeof opened === 'function') throw new Error('PortForward returned a retrying handle; none was asked for');
  const socketWs = opened;
  ws = socketWs;

  let drainTimer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk: Buffer) => {
    counters.sent(chunk.length);
    if (socketWs.bufferedAmount <= HIGH_WATER || drainTimer) return;
    socket.pause();
    drainTimer = setInterval(() => {
      if (socketWs.bufferedAmount > HIGH_WATER / 2 && socketWs.readyState === socketWs.OPEN) return;
      clearInterval(drainTimer);
      drainTimer = undefined;
      socket.resume();
    }, DRAIN_POLL_MS);
  });
  socketWs.on('error', () => socket.destroy());
  socket.on('error', () => socketWs.terminate());

  const closed = new Promise<string | undefined>((resolve) => {
    let open = 2;
    const done = () => {
      open -= 1;
      if (open === 0) resolve(reason);
    };
    socketWs.once('close', () => {
      clearInterval(drainTimer);
      // end() lets queued bytes reach the client first; a client that never closes its half
      // is dropped after a while.
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      done();
    });
    const onSocketClosed = () => {
      if (socketWs.readyState === socketWs.CONNECTING || socketWs.readyState === socketWs.OPEN) {
        // close() still flushes what the client sent last; the API server may never answer the
        // close frame, and ws would otherwise wait 30 s for it.
        socketWs.close();
        setTimeout(() => socketWs.terminate(), CLOSE_GRACE_MS).unref();
      }
      done();
    };
    // The client may have gone while the WebSocket was opening.
    if (socket.closed) onSocketClosed();
    else socket.once('close', onSocketClosed);
  });
  socket.resume();
  return {
    closed,
    close: () => socketWs.close(),
    destroy: () => {
      socketWs.terminate();
      socket.destroy();
    },
  };
}

/** ws reports a refused upgrade only as text: "Unexpected server response: 403". */
function handshakeError(error: unknown, target: ForwardTarget): Error {
  const event = error as { message?: unknown; error?: unknown };
  const message = typeof event.message === 'string' ? event.message : String(error);
  const status = /Unexpected server response: (\d+)/.exec(message);
  const cause = status ? new ApiException(Number(status[1]), message, undefined, {}) : (event.error ?? error);
  return toUserError(cause, { verb: 'create', resource: 'pods/portforward', namespace: target.namespace, name: target.pod });
}
