// A stand-in for the API server's pods/portforward endpoint speaking v4.channel.k8s.io: each
// stream's first frame carries the port, stream 0 is data, stream 1 the error channel. What a
// connection does is decided by the pod name in the request path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { KubeConfig } from '@kubernetes/client-node';

// ws ships no types and client-node wraps it; this is the little the fake needs.
export interface ServerSocket {
  send(data: Buffer, cb?: (error?: Error) => void): void;
  close(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: () => void): void;
  bufferedAmount: number;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (options: { noServer: true; handleProtocols: (p: Set<string>) => string }) => {
    handleUpgrade(req: http.IncomingMessage, socket: unknown, head: Buffer, cb: (ws: ServerSocket) => void): void;
    close(): void;
  };
};

export type Behaviour = (ws: ServerSocket, port: number) => void;

export interface FakeApiServer {
  kc: KubeConfig;
  /** Every WebSocket the fake accepted, by pod. */
  accepted: { pod: string; ws: ServerSocket }[];
  close(): Promise<void>;
}

export function frame(stream: number, data: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from([stream]), Buffer.from(data)]);
}

/** Behaviours by pod name; pods named "forbidden" get a 403 on the upgrade. */
export async function startFakeApiServer(behaviours: Record<string, Behaviour>): Promise<FakeApiServer> {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'v4.channel.k8s.io' });
  const accepted: FakeApiServer['accepted'] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    const m = /\/namespaces\/[^/]+\/pods\/([^/]+)\/portforward\?ports=(\d+)/.exec(req.url ?? '');
    const behaviour = m ? behaviours[m[1]!] : undefined;
    if (!m || !behaviour) {
      socket.end(`HTTP/1.1 ${m?.[1] === 'forbidden' ? '403 Forbidden' : '404 Not Found'}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted.push({ pod: m[1]!, ws });
      const port = Number(m[2]);
      const prefix = Buffer.from([port & 0xff, port >> 8]);
      ws.send(frame(0, prefix));
      ws.send(frame(1, prefix));
      behaviour(ws, port);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return {
    kc,
    accepted,
    close: async () => {
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Echoes stream-0 data back. */
export const echo: Behaviour = (ws) => ws.on('message', (data) => data[0] === 0 && ws.send(data));
