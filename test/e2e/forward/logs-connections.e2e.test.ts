// How `kubectl dask logs` reaches the API server: the logs of many pods share one HTTP/2
// connection, as kubectl's do, instead of one connection per pod; a plain-http server (kubectl
// proxy, which speaks no h2c) still serves them over HTTP/1.1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeconfigPath } from '../../cluster/testbed.ts';
import { dask as daskWith, writeKubeconfig } from '../commands/helpers.ts';
import { type Namespace, appendLogLine, freshNamespace, serveNamespaceLogsFromFile, spawnKubectl } from '../testbed/helpers.ts';
import { dask, startDask, waitForLines, waitForReadyPods } from './helpers.ts';

const WORKERS = 24;

/** Bytes received on each established TCP connection of process pid to port, from `ss -ti`. */
function bytesReceivedPerConnection(pid: number, port: number): number[] {
  const lines = execFileSync('ss', ['-tinpH', 'state', 'established', `dport = :${port}`], { encoding: 'utf8' }).split('\n');
  const received: number[] = [];
  // Each connection is a line with its process, then a line with its counters.
  lines.forEach((line, i) => {
    if (!line.includes(`pid=${pid},`)) return;
    received.push(Number(/bytes_received:(\d+)/.exec(lines[i + 1] ?? '')?.[1] ?? 0));
  });
  return received;
}

describe('logs connections', () => {
  let ns: Namespace;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-logs-conn-'));
    file = path.join(dir, 'pods.log');
    ns = await freshNamespace('logs-conn');
    await serveNamespaceLogsFromFile(ns.name, file);
    const up = await dask(['up', '-n', ns.name, '--workers', String(WORKERS), '--no-wait']);
    expect(up.code, up.stderr).toBe(0);
    await waitForReadyPods(ns.name, 'app.kubernetes.io/instance=dask', WORKERS + 1, 120_000);
  });

  afterAll(async () => {
    await ns?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`follows ${WORKERS} pods over one HTTP/2 connection, not one connection per pod`, async () => {
    const server = new URL(parse(fs.readFileSync(kubeconfigPath, 'utf8')).clusters[0].cluster.server);
    appendLogLine(file, 'first');
    const follow = startDask(['logs', '-n', ns.name, '-f']);
    try {
      await waitForLines(follow, 'first', WORKERS);
      // Every log stream is open: a burst of 1 MiB per pod now crosses the connections.
      const burst = (i: number) => `${'x'.repeat(80)} burst ${i}`;
      appendLogLine(file, Array.from({ length: 10_000 }, (_, i) => burst(i)).join('\n'));
      await waitForLines(follow, burst(9_999), WORKERS, 60_000);
      // Nothing on stderr: no retries, and no warning from Node about piled-up listeners.
      expect(follow.stderr.filter((l) => l !== '')).toEqual([]);
      const received = bytesReceivedPerConnection(follow.child.pid!, Number(server.port)).sort((a, b) => b - a);
      const total = received.reduce((a, b) => a + b, 0);
      expect(total, `bytes received per connection: ${received.join(", ")}`).toBeGreaterThan(WORKERS * (1 << 20));
      // All of it on one connection. The others (client-node's pod watch and keep-alive
      // connections of its list calls) carried kilobytes; a connection per log would have
      // split the burst 24 ways.
      expect(received[0]! / total, `bytes received per connection: ${received.join(', ')}`).toBeGreaterThan(0.95);
      expect(received.length).toBeLessThan(WORKERS / 4);
    } finally {
      expect((await follow.interrupt()).code).toBe(130);
    }
  });

  it('reads the logs through a plain-http API endpoint (kubectl proxy, its address alone in the kubeconfig, as kubectl takes it) over HTTP/1.1', async () => {
    const proxy = spawnKubectl(['proxy', '--address', '127.0.0.1', '--port', '0']);
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let output = '';
        proxy.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const m = /Starting to serve on (\S+)/.exec(output);
          if (m) resolve(m[1]!);
        });
        proxy.once('exit', () => reject(new Error(`kubectl proxy exited: ${output}`)));
      });
      appendLogLine(file, 'via kubectl proxy');
      const kubeconfig = writeKubeconfig(path.join(dir, 'proxy.yaml'), { server: `http://${address}` }, {}, ns.name);
      const logs = await daskWith(['logs', '--tail', '1', '--kubeconfig', kubeconfig]);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout.trim().split('\n').filter((l) => l.endsWith('] via kubectl proxy'))).toHaveLength(WORKERS);
    } finally {
      proxy.kill();
    }
  });
});
