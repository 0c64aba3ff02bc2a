// PodLogClient against a local https server that speaks only HTTP/1.1, as some proxies in front
// of API servers do: it falls back from HTTP/2, sends client-node's credentials, and turns a
// refusal into the API server's own message.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toUserError } from '../../../src/kube/errors.ts';
import { PodLogClient, podLogPath } from '../../../src/kube/logs.ts';

let dir: string;
let server: https.Server;
let kc: KubeConfig;
const seen: { url: string; authorization?: string }[] = [];
const LOG = '2026-11-26T08:00:00.000000000Z started\n2026-11-26T08:00:01.000000000Z ready\n';
const FORBIDDEN = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods "p" is forbidden: User "u" cannot get resource "pods/log"' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-podlog-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=api', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (req.url?.includes('/pods/p/')) {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify(FORBIDDEN));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(LOG);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caData: fs.readFileSync(cert).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
});

afterAll(() => {
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let all = '';
  for await (const chunk of stream) all += String(chunk);
  return all;
}

describe('PodLogClient', () => {
  it('falls back to HTTP/1.1 when the server does not offer HTTP/2, with client-node credentials', async () => {
    const request = { namespace: 'ns', pod: 'dask-worker-1', container: 'worker', follow: false, tailLines: 0 };
    const client = new PodLogClient(kc);
    expect(await text(await client.open(request, new AbortController().signal))).toBe(LOG);
    // The next log goes straight to HTTP/1.1.
    expect(await text(await client.open(request, new AbortController().signal))).toBe(LOG);
    expect(seen.at(-1)).toEqual({ url: podLogPath(request), authorization: 'Bearer secret-token' });
  });

  it("turns a refusal into the API server's message, naming what was refused", async () => {
    const error = await new PodLogClient(kc).open({ namespace: 'ns', pod: 'p', container: 'c', follow: true }, new AbortController().signal).catch((e: unknown) => e);
    const user = toUserError(error, { verb: 'get', resource: 'pods/log', namespace: 'ns', name: 'p' });
    expect(user.message).toBe('forbidden: you may not get pods/log in namespace "ns"; ask an admin for a Role that allows it (see README, "RBAC")');
    expect((user as { details?: string[] }).details).toEqual([FORBIDDEN.message]);
  });
});
