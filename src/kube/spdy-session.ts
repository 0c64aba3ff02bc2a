// A client's SPDY/3.1 session over an upgraded connection: many streams, one socket. It opens
// streams, carries their bytes and ends, pings and answers pings, and passes pressure on: a caller whose
// writes fill the socket waits for onDrain, and a caller that cannot take more bytes holds reading
// of the whole session (as Go's spdystream does on the other side: a stream nobody reads stalls
// the connection).
//
// No flow-control windows: github.com/moby/spdystream, which serves port-forward in the kubelet
// (and kwok) and which kubectl itself uses, neither sends WINDOW_UPDATE nor honours it, so
// pressure is TCP's, on the session's socket.
import type { Socket } from 'node:net';
import {
  ControlType,
  FLAG_FIN,
  type Frame,
  FrameReader,
  HeaderCompressor,
  RST_CANCEL,
  controlFrame,
  controlStreamId,
  dataFrame,
  dataFrameHead,
  goAwayFrame,
  pingFrame,
  rstStreamFrame,
  synStreamFrame,
} from './spdy.ts';
import { forwardedBuffers } from './young-buffers.ts';

export interface StreamHandler {
  /** Bytes the server sent on the stream. */
  data(chunk: Buffer): void;
  /** The server's FIN: it sends nothing more. */
  end(): void;
  /** The stream is gone without an end: the server reset it, or the session closed. */
  reset(): void;
}

interface OpenStream {
  handler: StreamHandler;
  sentFin: boolean;
  gotFin: boolean;
}

// Bytes queued in the session's socket beyond which writers are asked to wait for onDrain.
const WRITE_HIGH_WATER = 1 << 20;
const LAST_STREAM_ID = 0x7fffffff;
// kubectl's period: often enough that load balancers and the kubelet's idle timeout keep an
// idle session.
const PING_PERIOD_MS = 5_000;

export class SpdySession {
  private readonly socket: Socket;
  private readonly streams = new Map<number, OpenStream>();
  private readonly headers = new HeaderCompressor();
  private readonly reader = new FrameReader();
  private readonly readHolds = new Set<object>();
  private readonly drainWaiters = new Set<() => void>();
  private nextStreamId = 1;
  /** Set by the server's GOAWAY, by retire() and by running out of stream ids: no new streams. */
  private goingAway = false;
  // Client pings have odd ids; the server answers them with the same frame.
  private nextPingId = 1;
  private pingUnanswered = false;
  private readonly pinger: NodeJS.Timeout;

  constructor(socket: Socket, head: Buffer, options: { pingPeriodMs?: number } = {}) {
    this.socket = socket;
    this.pinger = setInterval(() => this.ping(), options.pingPeriodMs ?? PING_PERIOD_MS).unref();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      const waiters = [...this.drainWaiters];
      this.drainWaiters.clear();
      for (const wake of waiters) wake();
    });
    // 'close' follows and says what matters: every stream is gone.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(this.pinger);
      this.goingAway = true;
      const open = [...this.streams.values()];
      this.streams.clear();
      for (const stream of open) stream.handler.reset();
      for (const wake of this.drainWaiters) wake();
      this.drainWaiters.clear();
    });
    this.idleRef();
    if (head.length > 0) this.receive(head);
  }

  /** Whether new streams may be opened. */
  get accepting(): boolean {
    return !this.goingAway && !this.socket.destroyed;
  }

  /** Sends SYN_STREAM; fin for a stream this side never writes to. Returns the stream id. */
  openStream(headers: ReadonlyArray<readonly [string, string]>, handler: StreamHandler, options: { fin?: boolean } = {}): number {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    if (this.nextStreamId > LAST_STREAM_ID) this.goingAway = true;
    // A session that has already closed resets nobody later: say so now.
    if (this.socket.closed) {
      queueMicrotask(() => handler.reset());
      return id;
    }
    const fin = options.fin ?? false;
    this.streams.set(id, { handler, sentFin: fin, gotFin: false });
    this.socket.ref();
    this.send(synStreamFrame(id, this.headers.block(headers), fin ? FLAG_FIN : 0));
    return id;
  }

  /** Sends data on a stream; false when the socket's queue is full: wait for onDrain. */
  write(id: number, data: Buffer): boolean {
    const stream = this.streams.get(id);
    if (stream === undefined || stream.sentFin) return true;
    forwardedBuffers.moved(data.length);
    // Head and payload as they are, corked into one write: a frame of its own was a copy of every
    // byte sent.
    this.socket.cork();
    this.send(dataFrameHead(id, data.length));
    this.send(data);
    this.socket.uncork();
    return this.socket.writableLength < WRITE_HIGH_WATER;
  }

  /** Half-closes a stream: FIN, after the data already queued. */
  end(id: number): void {
    const stream = this.streams.get(id);
    if (stream === undefined || stream.sentFin) return;
    stream.sentFin = true;
    this.send(dataFrame(id, Buffer.alloc(0), FLAG_FIN));
    if (stream.gotFin) this.forget(id);
  }

  /** Drops a stream that has not ended both ways (RST_STREAM CANCEL); its handler is not called. */
  reset(id: number): void {
    if (!this.streams.has(id)) return;
    this.forget(id);
    this.send(rstStreamFrame(id, RST_CANCEL));
  }

  onDrain(wake: () => void): void {
    if (this.socket.destroyed) wake();
    else this.drainWaiters.add(wake);
  }

  /** Stops reading the session until every holder has released. */
  holdReading(holder: object): void {
    this.readHolds.add(holder);
    this.socket.pause();
  }

  releaseReading(holder: object): void {
    if (!this.readHolds.delete(holder) || this.readHolds.size > 0) return;
    this.socket.resume();
  }

  /** No new streams; the session closes once its open streams have ended. */
  retire(): void {
    this.goingAway = true;
    if (this.streams.size === 0) this.close();
  }

  /** GOAWAY and the end of the connection; open streams are reset when the socket closes. */
  close(): void {
    clearInterval(this.pinger);
    this.goingAway = true;
    if (!this.socket.writableEnded && !this.socket.destroyed) this.socket.end(goAwayFrame(0));
    // An API server that never answers the end must not keep the process alive.
    this.socket.unref();
  }

  private ping(): void {
    // A session that left a ping unanswered for a whole period may be gone (a laptop that
    // slept, a NAT that forgot it). An idle one is dropped now, so the next connection opens a
    // new session instead of waiting on it. One with streams may only be stalled (a stream
    // nobody reads stalls the server's reader, pongs included): its streams go on, but new
    // connections go to a new session.
    if (this.pingUnanswered) {
      if (this.streams.size === 0) {
        this.socket.destroy();
        return;
      }
      this.retire();
    }
    this.pingUnanswered = true;
    this.send(pingFrame(this.nextPingId));
    this.nextPingId = (this.nextPingId + 2) & 0x7fffffff;
  }

  private send(frame: Buffer): void {
    if (!this.socket.writableEnded && !this.socket.destroyed) this.socket.write(frame);
  }

  private forget(id: number): void {
    this.streams.delete(id);
    this.idleRef();
    if (this.goingAway && this.streams.size === 0) this.close();
  }

  /** An idle session must not keep the process alive; the streams of one in use do. */
  private idleRef(): void {
    if (this.streams.size === 0) this.socket.unref();
  }

  private receive(chunk: Buffer): void {
    forwardedBuffers.moved(chunk.length);
    for (const frame of this.reader.push(chunk)) this.onFrame(frame);
  }

  private onFrame(frame: Frame): void {
    if (frame.kind === 'data') {
      const stream = this.streams.get(frame.streamId);
      if (stream === undefined) return;
      if (frame.data.length > 0) stream.handler.data(frame.data);
      if (frame.flags & FLAG_FIN) this.remoteEnd(frame.streamId);
      return;
    }
    switch (frame.type) {
      // The header blocks of SYN_REPLY and HEADERS are not inflated: port-forward needs none of
      // their contents (refusals come as RST_STREAM, errors on the error stream), and each block
      // is delimited by its frame's length, so skipping it loses no sync with the frames after.
      case ControlType.synReply:
      case ControlType.headers:
        if (frame.flags & FLAG_FIN) this.remoteEnd(controlStreamId(frame.payload));
        return;
      case ControlType.rstStream: {
        const id = controlStreamId(frame.payload);
        const stream = this.streams.get(id);
        if (stream === undefined) return;
        this.forget(id);
        stream.handler.reset();
        return;
      }
      case ControlType.ping:
        // Odd: the answer to this side's ping. Even: the server's, to be echoed.
        if (frame.payload.length >= 4 && frame.payload.readUInt32BE(0) % 2 === 1) this.pingUnanswered = false;
        else this.send(controlFrame(ControlType.ping, 0, frame.payload));
        return;
      case ControlType.goAway:
        this.retire();
        return;
      // SETTINGS and WINDOW_UPDATE change nothing without flow control (see above), and the
      // server opens no streams of its own in port-forward.
      default:
        return;
    }
  }

  private remoteEnd(id: number): void {
    const stream = this.streams.get(id);
    if (stream === undefined || stream.gotFin) return;
    stream.gotFin = true;
    if (stream.sentFin) this.forget(id);
    stream.handler.end();
  }
}
