// Proves the local testbed does what the other e2e tests rely on: a v1.34 API, Deployments
// that become ready on kwok nodes, pod logs streamed from a file, port-forward to a local server.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendLogLine,
  apply,
  forwardNamespacePort,
  forwardPodPort,
  freshNamespace,
  kubectl,
  kubectlJson,
  kubectlPortForward,
  serveNamespaceLogsFromFile,
  servePodLogsFromFile,
  spawnKubectl,
  waitFor,
  type Namespace,
} from './helpers.ts';

describe('local test cluster', () => {
  let ns: Namespace;
  let tmp: string;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-e2e-'));
    ns = await freshNamespace('testbed');
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'echo', namespace: ns.name },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'echo' } },
        template: {
          metadata: { labels: { app: 'echo' } },
          spec: { containers: [{ name: 'main', image: 'example.invalid/echo:1', ports: [{ containerPort: 8786 }] }] },
        },
      },
    });
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await ns?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function somePod(index = 0): Promise<string> {
    const pods = await kubectlJson<{ items: { metadata: { name: string } }[] }>(['get', 'pods', '-n', ns.name, '-l', 'app=echo']);
    const name = pods.items.map((p) => p.metadata.name).sort()[index];
    if (!name) throw new Error(`no echo pod #${index}`);
    return name;
  }

  function echoServer(): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  }

  /** Sends text through a local port and resolves with what comes back once it is all there. */
  function roundTrip(port: number, text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      // Resolve on the echo itself: a half-close does not travel back through port-forward.
      const socket = net.connect(port, '127.0.0.1');
      let got = '';
      socket.setTimeout(5_000, () => socket.destroy(new Error(`no echo within 5 s (got ${JSON.stringify(got)})`)));
      socket.on('error', reject);
      socket.on('close', () => resolve(got));
      socket.on('data', (d) => {
        got += d.toString();
        if (got.length >= text.length) socket.destroy();
      });
      socket.write(text);
    });
  }

  /** Retries until the echo comes back: kwok picks new forward objects up from a watch. */
  async function expectEcho(localPort: number): Promise<void> {
    const text = `ping ${Date.now()}\n`;
    const echoed = await waitFor(async () => (await roundTrip(localPort, text)) === text && text, {
      timeoutMs: 30_000,
      what: 'the echo through kubectl port-forward',
    });
    expect(echoed).toBe(text);
  }

  it('serves Kubernetes v1.34', async () => {
    const version = JSON.parse(await kubectl(['get', '--raw', '/version']));
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+$/);
  });

  it('brings a 3-replica Deployment to 3/3 ready', async () => {
    await kubectl(['rollout', 'status', 'deployment/echo', '-n', ns.name, '--timeout=60s'], { timeoutMs: 70_000 });
    const deploy = await kubectlJson(['get', 'deployment', 'echo', '-n', ns.name]);
    expect(deploy.status.readyReplicas).toBe(3);
    expect(deploy.status.replicas).toBe(3);
  });

  it('streams lines appended to a file through kubectl logs -f', async () => {
    const pod = await somePod();
    const file = path.join(tmp, 'echo.log');
    appendLogLine(file, 'first line');
    cleanups.push(await servePodLogsFromFile(ns.name, pod, file));

    let out = '';
    const follower = await waitFor(
      async () => {
        // kwok picks the Logs object up from a watch: retry until it serves this pod.
        const child = spawnKubectl(['logs', '-f', '-n', ns.name, pod]);
        out = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise((r) => child.once('exit', r));
        const ok = await Promise.race([
          waitFor(() => out.includes('first line'), { timeoutMs: 5_000 }).then(
            () => true,
            () => false,
          ),
          exited.then(() => false),
        ]);
        if (!ok) child.kill();
        return ok && child;
      },
      { timeoutMs: 30_000, what: 'kubectl logs -f to print the first line' },
    );
    cleanups.push(() => follower.kill());

    const marker = `appended ${Date.now()}`;
    appendLogLine(file, `${marker} a`);
    appendLogLine(file, `${marker} b`);
    await waitFor(() => out.includes(`${marker} b`), { timeoutMs: 15_000, what: 'the appended lines' });
    expect(out.split('\n').filter(Boolean)).toEqual(['first line', `${marker} a`, `${marker} b`]);
    expect(follower.exitCode).toBeNull();
  });

  it('port-forwards a pod port to a local TCP echo server', async () => {
    const echoPort = await echoServer();
    const pod = await somePod();
    cleanups.push(await forwardPodPort(ns.name, pod, 8786, echoPort));
    const pf = await kubectlPortForward(ns.name, `pod/${pod}`, 8786);
    cleanups.push(pf.stop);
    await expectEcho(pf.localPort);
  });

  it('serves logs and port-forwards for every pod of a namespace (Cluster* objects)', async () => {
    const pod = await somePod(1);
    const file = path.join(tmp, 'namespace.log');
    appendLogLine(file, 'from the namespace-wide file');
    cleanups.push(await serveNamespaceLogsFromFile(ns.name, file));
    const logs = await waitFor(
      async () => {
        const out = await kubectl(['logs', '-n', ns.name, pod]);
        return out.includes('from the namespace-wide file') && out;
      },
      { what: 'kubectl logs via ClusterLogs' },
    );
    expect(logs.trim()).toBe('from the namespace-wide file');

    const echoPort = await echoServer();
    cleanups.push(await forwardNamespacePort(ns.name, 8787, echoPort));
    const pf = await kubectlPortForward(ns.name, `pod/${pod}`, 8787);
    cleanups.push(pf.stop);
    await expectEcho(pf.localPort);
  });
});
