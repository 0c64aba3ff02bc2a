// ApiRequests against a local https server that speaks only HTTP/1.1, as some proxies in front
// of API servers do: it falls back from HTTP/2, sends client-node's credentials, parses JSON, and
// turns a refusal into the API server's own message. (HTTP/2 against the real API server is in
// the e2e tests.)
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStatusCode, toUserError } from '../../../src/kube/errors.ts';
import { listPath, objectPath, podLogPath } from '../../../src/kube/paths.ts';
import { ApiRequests } from '../../../src/kube/requests.ts';

let dir: string;
let server: https.Server;
let kc: KubeConfig;
const seen: { url: string; authorization?: string }[] = [];
const LOG = '2026-11-26T08:00:00.000000000Z started\n2026-11-26T08:00:01.000000000Z ready\n';
const DEPLOYMENTS = { kind: 'DeploymentList', metadata: { resourceVersion: '42' }, items: [{ metadata: { name: 'dask-scheduler', creationTimestamp: '2026-11-26T08:00:00Z' } }] };
const NOT_FOUND = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'deployments.apps "missing" not found' };
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
    if (req.url?.startsWith('/apis/apps/v1/namespaces/ns/deployments/missing')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(NOT_FOUND));
      return;
    }
    if (req.url?.startsWith('/apis/apps/v1/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(DEPLOYMENTS));
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

describe('ApiRequests', () => {
  it('falls back to HTTP/1.1 when the server does not offer HTTP/2, with client-node credentials', async () => {
    const request = { namespace: 'ns', pod: 'dask-worker-1', container: 'worker', follow: false, tailLines: 0 };
    const requests = new ApiRequests(kc);
    expect(await text(await requests.stream(podLogPath(request), new AbortController().signal))).toBe(LOG);
    // The next request goes straight to HTTP/1.1.
    expect(await text(await requests.stream(podLogPath(request), new AbortController().signal))).toBe(LOG);
    expect(seen.at(-1)).toEqual({ url: podLogPath(request), authorization: 'Bearer secret-token' });
  });

  it('reads JSON as the server sent it, asking with the label selector', async () => {
    const path = listPath('/apis/apps/v1', 'deployments', 'ns', 'app.kubernetes.io/instance=dask');
    expect(await new ApiRequests(kc).json(path)).toEqual(DEPLOYMENTS);
    expect(seen.at(-1)?.url).toBe('/apis/apps/v1/namespaces/ns/deployments?labelSelector=app.kubernetes.io%2Finstance%3Ddask');
  });

  it('rejects a missing object with its status code, which reads turn into "not there"', async () => {
    const error = await new ApiRequests(kc).json(objectPath('/apis/apps/v1', 'deployments', 'ns', 'missing')).catch((e: unknown) => e);
    expect(apiStatusCode(error)).toBe(404);
  });

  it("turns a refusal into the API server's message, naming what was refused", async () => {
    const request = { namespace: 'ns', pod: 'p', container: 'c', follow: true };
    const error = await new ApiRequests(kc).stream(podLogPath(request), new AbortController().signal).catch((e: unknown) => e);
    const user = toUserError(error, { verb: 'get', resource: 'pods/log', namespace: 'ns', name: 'p' });
    expect(user.message).toBe('forbidden: you may not get pods/log in namespace "ns"; ask an admin for a Role that allows it (see README, "RBAC")');
    expect((user as { details?: string[] }).details).toEqual([FORBIDDEN.message]);
  });
});
