// Which roots a process trusts by default once it has picked its cluster: the cluster's CA when
// the API server is the only TLS server it talks to, the usual roots otherwise. (A cluster
// without a CA, which adds the system's roots, is in the e2e tests: it reads the machine's store.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection, setDefaultRootsForCluster } from '../../../src/kube/connect.ts';

// Two real certificates, as a CA bundle of a kubeconfig may hold.
const [first, second] = getCACertificates('bundled');
const bundle = `${first}\n${second}\n`;
const usual = getCACertificates('default');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-roots-'));
});
afterEach(() => setDefaultCACertificates(usual));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function connectionTo(cluster: Record<string, unknown>, user: Record<string, unknown> = { token: 'secret' }) {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://203.0.113.7:6443', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return resolveConnection({ kubeconfig: file }, {});
}

// Node hands them back re-encoded and in its own order: compare what they encode.
const bodies = (pems: string[]) => pems.map((pem) => pem.replace(/-----[A-Z ]+-----|\s/g, '')).sort();

describe('setDefaultRootsForCluster', () => {
  it("makes every certificate of the cluster's CA, and only those, the default roots", () => {
    setDefaultRootsForCluster(connectionTo({ 'certificate-authority-data': Buffer.from(bundle).toString('base64') }));
    expect(bodies(getCACertificates('default'))).toEqual(bodies([first!, second!]));
  });

  it('reads a certificate-authority file', () => {
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, second!);
    setDefaultRootsForCluster(connectionTo({ 'certificate-authority': caFile }));
    expect(bodies(getCACertificates('default'))).toEqual(bodies([second!]));
  });

  it('keeps the usual roots when the process may talk to another server, or the CA cannot be read', () => {
    const before = bodies(getCACertificates('default'));
    const ca = { 'certificate-authority-data': Buffer.from(bundle).toString('base64') };
    setDefaultRootsForCluster(connectionTo({ ...ca, 'proxy-url': 'https://proxy.example:3128' }));
    setDefaultRootsForCluster(connectionTo(ca, { 'auth-provider': { name: 'oidc', config: { 'idp-issuer-url': 'https://issuer.example' } } }));
    setDefaultRootsForCluster(connectionTo({ 'insecure-skip-tls-verify': true }));
    setDefaultRootsForCluster(connectionTo({ 'certificate-authority-data': Buffer.from('not a certificate').toString('base64') }));
    setDefaultRootsForCluster(connectionTo({ 'certificate-authority': path.join(dir, 'missing.pem') }));
    expect(bodies(getCACertificates('default'))).toEqual(before);
  });

  it('is never reached for a cluster kubectl refuses: a CA beside insecure-skip-tls-verify, or both forms of CA', () => {
    const ca = { 'certificate-authority-data': Buffer.from(bundle).toString('base64') };
    expect(() => connectionTo({ ...ca, 'insecure-skip-tls-verify': true })).toThrow(/^the cluster of context "x" has a certificate authority and insecure-skip-tls-verify; keep one/);
    expect(() => connectionTo({ ...ca, 'certificate-authority': path.join(dir, 'ca.pem') })).toThrow(/^the cluster of context "x" has both certificate-authority and certificate-authority-data; keep one/);
  });
});
