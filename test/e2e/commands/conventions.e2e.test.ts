// kubectl's conventions, as a user with several kubeconfig files meets them: $KUBECONFIG merged,
// the context's namespace as the default, --context and --kubeconfig; and help and version
// through kubectl's plugin lookup.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { contextName, kubeconfigPath, kubectlPath, testbedEnv } from '../../cluster/testbed.ts';
import { freshNamespace, type Namespace, startConnectProxy } from '../testbed/helpers.ts';
import { dask, daskOk, getJson, tempDir } from './helpers.ts';

let ns: Namespace;
let tmp: ReturnType<typeof tempDir>;
let teamConfig: string;
beforeAll(async () => {
  ns = await freshNamespace('cmd-conv');
  tmp = tempDir('conventions');
  // A second file with only a context: its cluster and user come from the testbed's file.
  teamConfig = path.join(tmp.dir, 'team.yaml');
  fs.writeFileSync(
    teamConfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      contexts: [{ name: 'team', context: { cluster: contextName, user: contextName, namespace: ns.name } }],
      'current-context': 'team',
    }),
  );
});
afterAll(async () => {
  await ns?.cleanup();
  tmp?.cleanup();
});

describe('kubeconfig conventions', () => {
  it("merges the files of $KUBECONFIG and uses the current context's namespace without -n", async () => {
    const env = { KUBECONFIG: [teamConfig, kubeconfigPath].join(path.delimiter) };
    const r = await dask(['up', '--workers', '1'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Dask cluster "dask" in namespace "${ns.name}" (context team)`);
    // The namespace is the context's, so the next steps need no -n.
    expect(r.stdout).toContain('kubectl dask scale --workers N ');
    expect(r.stdout).not.toContain(' -n ');
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(1);

    const status = JSON.parse((await daskOk(['status', '-o', 'json'], { env })).stdout);
    expect(status.namespace).toBe(ns.name);

    // --context picks the testbed's own context, whose namespace is "default".
    const other = await dask(['status', '--context', contextName, '-o', 'json'], { env });
    expect(other.code, other.stderr).toBe(3);
    expect(other.stderr).toContain('not found in namespace "default"');

    // --kubeconfig wins over $KUBECONFIG.
    const flag = await dask(['status', '--kubeconfig', teamConfig], { env: { KUBECONFIG: '/nonexistent' } });
    // team.yaml alone has a context without its cluster.
    expect(flag.code, flag.stderr).toBe(2);
    expect(flag.stderr.split('\n')[0]).toMatch(/^error: current context "team" is incomplete in kubeconfig: pick one with --context$/);
  });

  it('errors suggest commands with the --kubeconfig and --context given, -n left to kubectl dask list -A and kubectl create namespace', async () => {
    const given = ['--kubeconfig', kubeconfigPath, '--context', contextName];
    const missing = await dask(['status', 'nope', '-n', ns.name, ...given]);
    expect(missing.code, missing.stderr).toBe(3);
    expect(missing.stderr.split('\n')[0]).toBe(
      `error: Dask cluster "nope" not found in namespace "${ns.name}": create it with kubectl dask up --name nope ${given.join(' ')} -n ${ns.name}, or list clusters with kubectl dask list -A ${given.join(' ')}`,
    );
    const noNamespace = await dask(['status', '-n', `${ns.name}-gone`, ...given]);
    expect(noNamespace.code, noNamespace.stderr).toBe(3);
    expect(noNamespace.stderr.split('\n')[0]).toBe(`error: namespace "${ns.name}-gone" not found: create it with kubectl create namespace ${ns.name}-gone ${given.join(' ')}, or pick another with -n`);
  });

  it('takes a file without a document (empty, or only comments) as an empty kubeconfig, as kubectl does', async () => {
    const empty = path.join(tmp.dir, 'empty.yaml');
    const comments = path.join(tmp.dir, 'comments.yaml');
    fs.writeFileSync(empty, '');
    fs.writeFileSync(comments, '# kept for later\n');
    const env = { KUBECONFIG: [empty, comments, teamConfig, kubeconfigPath].join(path.delimiter) };
    const listed = await dask(['list', '-o', 'json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveProperty('items');
    const alone = await dask(['list', '--kubeconfig', comments]);
    expect(alone.code).toBe(2);
    expect(alone.stderr.split('\n')[0]).toMatch(/^error: kubeconfig has no current context: pass --context NAME/);
  });

  it('-n wins over the context namespace, and the next steps then carry -n', async () => {
    await using other = await freshNamespace('cmd-conv-other');
    const env = { KUBECONFIG: [teamConfig, kubeconfigPath].join(path.delimiter) };
    const r = await dask(['up', '-n', other.name, '--name', 'etl', '--workers', '1'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kubectl dask down etl -n ${other.name}`);
    expect(await getJson(other.name, 'deployment/etl-worker')).toBeDefined();
    expect(await getJson(ns.name, 'deployment/etl-worker')).toBeUndefined();
  });

  it('reads the kubeconfig again once it changes, and keeps no string of it between runs', async () => {
    const cache = fs.mkdtempSync(path.join(tmp.dir, 'cache-'));
    const config = YAML.parse(fs.readFileSync(kubeconfigPath, 'utf8'));
    const file = path.join(tmp.dir, 'edited.yaml');
    // The same length each time: a change of content alone.
    for (const namespace of ['conv-edit-aaaa', 'conv-edit-bbbb', 'conv-edit-bbbb', 'conv-edit-aaaa']) {
      config.contexts.find((c: { name: string }) => c.name === contextName).context.namespace = namespace;
      fs.writeFileSync(file, YAML.stringify(config, { lineWidth: 0 }), { mode: 0o600 });
      const r = await dask(['status', '--kubeconfig', file, '-o', 'json'], { env: { XDG_CACHE_HOME: cache } });
      expect(r.code, r.stderr).toBe(3);
      // The namespace of the text just written, which does not exist.
      expect(r.stderr).toContain(`namespace "${namespace}" not found`);
    }
    const kept = fs.globSync(path.join(cache, 'kubectl-dask', 'app', '*', '.kubeconfig-cache', '*'));
    // One for each of the two texts.
    expect(kept).toHaveLength(2);
    const user = config.users.find((u: { name: string }) => u.name === contextName).user;
    const cluster = config.clusters.find((c: { name: string }) => c.name === contextName).cluster;
    for (const keptFile of kept) {
      const text = fs.readFileSync(keptFile, 'utf8');
      for (const value of [user['client-key-data'], user['client-certificate-data'], cluster['certificate-authority-data'], cluster.server, 'conv-edit']) {
        expect(text).not.toContain(value);
      }
    }
  });

  it("trusts the system's roots for a cluster whose kubeconfig names no CA, as kubectl does", async () => {
    await using other = await freshNamespace('cmd-conv-roots');
    const config = YAML.parse(fs.readFileSync(kubeconfigPath, 'utf8'));
    const entry = config.clusters.find((c: { name: string }) => c.name === contextName);
    const { 'certificate-authority-data': caData, ...withoutCa } = entry.cluster;
    const noCa = path.join(tmp.dir, 'no-ca.yaml');
    fs.writeFileSync(noCa, JSON.stringify({ ...config, clusters: [{ name: entry.name, cluster: withoutCa }] }), { mode: 0o600 });
    // The machine's trust store as OpenSSL, Node and Go read it on Linux: here only the testbed's CA.
    const rootsFile = path.join(tmp.dir, 'system-roots.pem');
    fs.writeFileSync(rootsFile, Buffer.from(caData, 'base64'));
    const rootsDir = fs.mkdtempSync(path.join(tmp.dir, 'certs-'));
    const trusted = { SSL_CERT_FILE: rootsFile, SSL_CERT_DIR: rootsDir };
    expect(execFileSync(kubectlPath, ['get', 'namespace', other.name, '-o', 'name', '--kubeconfig', noCa], { env: testbedEnv(trusted), encoding: 'utf8' })).toBe(`namespace/${other.name}\n`);
    // Writes (client-node's generated API) and reads (our own requests) alike.
    const up = await dask(['up', '-n', other.name, '--workers', '0', '--no-wait', '--kubeconfig', noCa], { env: trusted });
    expect(up.code, up.stderr).toBe(0);
    const args = ['list', '-n', other.name, '--kubeconfig', noCa];
    const r = await dask(args, { env: trusted });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dask\s/m);
    // Not in the system's roots: refused, as kubectl refuses it.
    const untrusted = await dask(args, { env: { SSL_CERT_FILE: path.join(rootsDir, 'none.pem'), SSL_CERT_DIR: rootsDir } });
    expect(untrusted.code).toBe(6);
    expect(untrusted.stderr.split('\n')[0]).toMatch(/^error: TLS failure talking to the API server/);
  });
});

describe('proxy-url', () => {
  it("sends reads, writes and watches through the proxy the kubeconfig's cluster names", async () => {
    const proxy = await startConnectProxy();
    try {
      const config = YAML.parse(fs.readFileSync(kubeconfigPath, 'utf8'));
      config.clusters[0].cluster['proxy-url'] = proxy.url;
      const proxied = path.join(tmp.dir, 'proxied.yaml');
      fs.writeFileSync(proxied, YAML.stringify(config));
      const server = new URL(config.clusters[0].cluster.server as string).host;
      // up reads (namespace, existing objects), applies, then watches until ready; status reads.
      const up = await dask(['up', '--kubeconfig', proxied, '-n', ns.name, '--name', 'proxied', '--workers', '1']);
      expect(up.code, up.stderr).toBe(0);
      const afterUp = proxy.targets.length;
      expect(afterUp).toBeGreaterThan(0);
      // status only reads, over our own requests rather than client-node's generated client.
      const status = JSON.parse((await daskOk(['status', 'proxied', '--kubeconfig', proxied, '-n', ns.name, '-o', 'json'])).stdout);
      expect(status).toMatchObject({ name: 'proxied', ready: true });
      expect(proxy.targets.length).toBeGreaterThan(afterUp);
      expect(new Set(proxy.targets)).toEqual(new Set([server]));
    } finally {
      proxy.close();
    }
  });
});

describe('help and version through kubectl', () => {
  it('kubectl dask version prints the version', async () => {
    const r = await dask(['version']);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`kubectl-dask ${pkg.version}\n`);
  });

  it.each(['up', 'scale', 'status', 'list', 'down'])('kubectl dask %s --help shows usage with examples and exits 0', async (command) => {
    const r = await dask([command, '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^kubectl dask ${command}`, 'm'));
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--namespace');
    expect(r.stderr).toBe('');
  });
});
