// Which roots a process trusts by default once it has picked its cluster: the cluster's CA when
// the API server is the only TLS server it talks to, the usual roots otherwise. (A cluster
// without a CA, which adds the system's roots, is in the e2e tests: it reads the machine's store.)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
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
  return resolveConnection({ kubeconfig: writeKubeconfig(cluster, user) }, {});
}

function writeKubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown> = { token: 'secret' }): string {
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
  return file;
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
    setDefaultRootsForCluster(connectionTo({ ...ca, 'insecure-skip-tls-verify': true }));
    setDefaultRootsForCluster(connectionTo({ 'certificate-authority-data': Buffer.from('not a certificate').toString('base64') }));
    setDefaultRootsForCluster(connectionTo({ 'certificate-authority': path.join(dir, 'missing.pem') }));
    expect(bodies(getCACertificates('default'))).toEqual(before);
  });

  it('keeps them as Node has them in the executable too, which runs with --use-openssl-ca', () => {
    const probe = path.join(dir, 'probe.mjs');
    fs.writeFileSync(
      probe,
      `import { getCACertificates } from 'node:tls';
const { resolveConnection, setDefaultRootsForCluster } = await import(process.argv[2]);
setDefaultRootsForCluster(resolveConnection({ kubeconfig: process.argv[3] }, {}));
console.log(JSON.stringify(getCACertificates('default')));`,
    );
    const ca = { 'certificate-authority-data': Buffer.from(bundle).toString('base64') };
    const kubeconfig = writeKubeconfig({ ...ca, 'proxy-url': 'https://proxy.example:3128' });
    const connect = fileURLToPath(new URL('../../../src/kube/connect.ts', import.meta.url));
    // The flag alone would leave OpenSSL's store as the default, not Node's bundled roots and NODE_EXTRA_CA_CERTS.
    const run = (flags: string[]) => JSON.parse(execFileSync(process.execPath, [...flags, probe, connect, kubeconfig], { encoding: 'utf8' })) as string[];
    // (Set as defaults, roots both lists hold, as Node's bundled and the system's, are kept once.)
    const distinct = (pems: string[]) => [...new Set(bodies(pems))];
    expect(distinct(run(['--use-openssl-ca']))).toEqual(distinct(usual));
    expect(distinct(run([]))).toEqual(distinct(usual));
  });
});
