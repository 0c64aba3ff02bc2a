// TCP servers in the test process that kwok's PortForward objects put behind a pod port, so a
// test sees the pod end of a forwarded connection: what it read and what it managed to write.
import net, { type AddressInfo } from 'node:net';

export interface TargetConnection {
  socket: net.Socket;
  /** Bytes read from the forward. */
  read: number;
  /** Bytes the socket accepted for the forward (flood only). */
  written: number;
}

/**
 * echo: writes back what it reads. flood: writes floodBytes as fast as the forward takes them
 * (write until write() says stop, go on at 'drain'), reads nothing. sink: reads nothing until
 * the test resumes its socket, then counts. hello: writes "hello" and closes its side.
 */
export class TargetServer {
  readonly connections: TargetConnection[] = [];
  private readonly server: net.Server;
  private readonly all = new Set<net.Socket>();

  constructor(mode: 'echo' | 'flood' | 'sink' | 'hello', floodBytes = 0) {
    this.server = net.createServer((socket) => {
      this.all.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.all.delete(socket));
      const conn: TargetConnection = { socket, read: 0, written: 0 };
      this.connections.push(conn);
      socket.on('data', (d: Buffer) => {
        conn.read += d.length;
        if (mode === 'echo') socket.write(d);
      });
      if (mode === 'sink') socket.pause();
      if (mode === 'hello') socket.end('hello');
      if (mode === 'flood') {
        const chunk = Buffer.alloc(256 * 1024, 7);
        const pump = () => {
          while (conn.written < floodBytes && !socket.destroyed) {
            const n = Math.min(chunk.length, floodBytes - conn.written);
            conn.written += n;
            if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
          }
        };
        socket.on('drain', pump);
        pump();
      }
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)));
  }

  /** Drops every open connection and forgets them, between tests. */
  reset(): void {
    for (const s of this.all) s.destroy();
    this.connections.length = 0;
  }

  close(): Promise<void> {
    this.reset();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Resolves with value() once it has stopped changing: the same over 2 s of samples. For flows
 * that stall under backpressure; how long the stall takes to reach is not what a test checks.
 */
export async function settled(value: () => number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let stableSince = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = value();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 2_000) {
      return now;
    }
    if (Date.now() > deadline) throw new Error(`value still changing after ${timeoutMs} ms (now ${now})`);
  }
}
