// Every failure a user can cause or meet: one `error:` line that says what happened and what to
// do, the exit code the README documents, no stack trace, no secret, and nothing half-applied.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apply, freshNamespace, kubectl, kubectlJson, type Namespace, waitFor } from '../testbed/helpers.ts';
import {
  dask,
  daskOk,
  freePort,
  getJson,
  objectNames,
  Plugin,
  pods,
  type Result,
  tempDir,
  testbedCluster,
  unschedulableCpu,
  writeKubeconfig,
} from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('errors');
});
afterAll(() => tmp?.cleanup());

let ns: Namespace;
/** A namespace of its own for every test of the calling describe block. */
function namespacePerTest(): void {
  beforeEach(async () => {
    ns = await freshNamespace('cmd-err');
    return () => ns.cleanup();
  });
}

/** The first `error:` line (commands with progress print their title before it). */
function errorLine(r: Result): string {
  return r.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';
}

/** What every error must look like, whatever its cause. */
function expectCleanError(r: Result, code: number, first: RegExp): void {
  expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(code);
  expect(errorLine(r)).toMatch(first);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
  // No stack trace for anything a user caused or can fix.
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('unexpected failure');
  expect(r.stdout).toBe('');
}

describe('kubeconfig and connection errors', () => {
  namespacePerTest();

  it('no kubeconfig at all: exit 2, says how to pass one', async () => {
    const home = path.join(tmp.dir, 'empty-home');
    fs.mkdirSync(home, { recursive: true });
    const r = await dask(['status'], { env: { KUBECONFIG: undefined, HOME: home } });
    expectCleanError(r, 2, /^error: no kubeconfig found: no ~\/\.kube\/config; pass --kubeconfig FILE or set KUBECONFIG$/);

    const missing = path.join(tmp.dir, 'missing.yaml');
    const fromEnv = await dask(['up'], { env: { KUBECONFIG: missing, HOME: home } });
    expectCleanError(fromEnv, 2, /^error: no kubeconfig found: none of the files in \$KUBECONFIG exist .*pass --kubeconfig FILE or set KUBECONFIG$/);

    const flag = await dask(['list', '--kubeconfig', missing]);
    expectCleanError(flag, 2, new RegExp(`^error: kubeconfig ${missing} does not exist: check the --kubeconfig path$`));
  });

  it('an unknown --context: exit 2, lists the contexts there are', async () => {
    const r = await dask(['up', '-n', ns.name, '--context', 'no-such-context']);
    expectCleanError(r, 2, /^error: context "no-such-context" not found in kubeconfig; available: kubectl-dask-test$/);
    expect(await objectNames(ns.name)).toEqual([]);
  });

  it('an API server that cannot be reached: exit 6, names the server and what to check', async () => {
    const port = await freePort();
    const kc = writeKubeconfig(path.join(tmp.dir, 'unreachable.yaml'), { server: `https://127.0.0.1:${port}` }, { token: 'not-a-real-token' });
    for (const args of [['up'], ['status'], ['list', '-A'], ['scale', '--workers', '3'], ['down', '--yes']]) {
      const r = await dask([...args, '--kubeconfig', kc]);
      expectCleanError(r, 6, new RegExp(`^error: cannot reach the Kubernetes API server at https://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check that the cluster is running`));
      expect(r.stderr).not.toContain('not-a-real-token');
    }
  });

  it('a server certificate that does not verify: exit 6, points at the CA data', async () => {
    const { server } = await testbedCluster();
    const kc = writeKubeconfig(path.join(tmp.dir, 'no-ca.yaml'), { server }, { token: 'not-a-real-token' });
    const r = await dask(['status', '--kubeconfig', kc]);
    expectCleanError(r, 6, /^error: TLS failure talking to the API server at .*: check the cluster's certificate-authority data in your kubeconfig$/);
  });

  it('a server address that does not answer HTTPS: exit 6, says to check the address and port', async () => {
    const plain = http.createServer((_request, response) => response.end('not TLS'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = plain.address() as AddressInfo;
      const kc = writeKubeconfig(path.join(tmp.dir, 'plain-port.yaml'), { server: `https://127.0.0.1:${port}`, caData: (await testbedCluster()).caData }, { token: 'not-a-real-token' });
      const r = await dask(['status', '--kubeconfig', kc]);
      expectCleanError(r, 6, new RegExp(`^error: no TLS handshake with the API server at https://127\\.0\\.0\\.1:${port} \\(EPROTO\\): check the server address and port`));
    } finally {
      plain.close();
    }
  });

  it('a server that accepts and never answers: exit 6 after the 10 s handshake timeout, as kubectl', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const kc = writeKubeconfig(path.join(tmp.dir, 'silent.yaml'), { server: `https://127.0.0.1:${port}` }, { token: 'not-a-real-token' });
      const begun = Date.now();
      const r = await dask(['status', '--kubeconfig', kc]);
      expectCleanError(r, 6, /^error: cannot reach the Kubernetes API server at .* \(ETIMEDOUT\)/);
      expect(Date.now() - begun).toBeLessThan(20_000);
    } finally {
      silent.close();
    }
  }, 30_000);

  it('a server address that is not a URL: exit 2, says where to fix it', async () => {
    const kc = writeKubeconfig(path.join(tmp.dir, 'not-a-url.yaml'), { server: 'not a url' }, { token: 'not-a-real-token' });
    expectCleanError(await dask(['list', '--kubeconfig', kc]), 2, /^error: the server of context "ctx" is not a URL: "not a url"; fix it in your kubeconfig/);
  });

  it('a SOCKS proxy that is down: exit 6, as an HTTP one, not an unexpected failure', async () => {
    const kc = writeKubeconfig(path.join(tmp.dir, 'socks-down.yaml'), await testbedCluster(), { token: 'not-a-real-token' });
    const config = JSON.parse(fs.readFileSync(kc, 'utf8'));
    config.clusters[0].cluster['proxy-url'] = `socks5://127.0.0.1:${await freePort()}`;
    fs.writeFileSync(kc, JSON.stringify(config));
    expectCleanError(await dask(['list', '--kubeconfig', kc]), 6, /^error: cannot reach the Kubernetes API server at https:\/\/\S+ \(ECONNREFUSED\)/);
  });

  it('TLS material that cannot be used: exit 2 naming the kubeconfig material; a server name the certificate lacks: exit 6 naming tls-server-name', async () => {
    const cluster = await testbedCluster();
    const admin = (await kubectlJson<any>(['config', 'view', '--raw', '--minify'])).users[0].user;
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const mismatched = writeKubeconfig(path.join(tmp.dir, 'mismatched-key.yaml'), cluster, { 'client-certificate-data': admin['client-certificate-data'], 'client-key-data': Buffer.from(otherKey).toString('base64') });
    const r = await dask(['list', '--kubeconfig', mismatched]);
    expectCleanError(r, 2, /^error: the TLS material of your kubeconfig context cannot be used \(ERR_OSSL_[A-Z0-9_]+\): check its certificate-authority, client-certificate and client-key$/);
    expect(r.stderr).not.toContain(otherKey.split('\n')[1]!);

    const renamed = writeKubeconfig(path.join(tmp.dir, 'server-name.yaml'), cluster, { token: 'not-a-real-token' });
    const config = JSON.parse(fs.readFileSync(renamed, 'utf8'));
    config.clusters[0].cluster['tls-server-name'] = 'not-in-cert.example';
    fs.writeFileSync(renamed, JSON.stringify(config));
    expectCleanError(await dask(['list', '--kubeconfig', renamed]), 6, /^error: the API server's certificate at https:\/\/\S+ is not for that host name \(ERR_TLS_CERT_ALTNAME_INVALID\): check the server address, or tls-server-name, of your kubeconfig context$/);
  });

  it('credentials that cannot be got: exit 2 for a file or plugin the kubeconfig names wrongly, exit 7 for a plugin that fails, before any change', async () => {
    const cluster = await testbedCluster();
    const missingCert = path.join(tmp.dir, 'no-such-cert.pem');
    const certs = writeKubeconfig(path.join(tmp.dir, 'missing-cert.yaml'), cluster, { 'client-certificate': missingCert, 'client-key': missingCert }, ns.name);
    expectCleanError(await dask(['up', '--kubeconfig', certs]), 2, new RegExp(`^error: cannot read ${missingCert}, named by context "ctx" in your kubeconfig \\(ENOENT\\): fix the path in the kubeconfig$`));

    const exec = (command: string, args: string[]) => ({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command, args, interactiveMode: 'Never' } });
    const noPlugin = writeKubeconfig(path.join(tmp.dir, 'no-plugin.yaml'), cluster, exec('kubectl-dask-no-such-plugin', []), ns.name);
    expectCleanError(await dask(['status', '--kubeconfig', noPlugin]), 2, /^error: the credential plugin "kubectl-dask-no-such-plugin" of context "ctx" cannot be run \(ENOENT\): install it/);

    const expired = writeKubeconfig(path.join(tmp.dir, 'failing-plugin.yaml'), cluster, exec('sh', ['-c', 'echo "error: the SSO session has expired" >&2; exit 1']), ns.name);
    const r = await dask(['up', '--kubeconfig', expired]);
    expectCleanError(r, 7, /^error: cannot get credentials for context "ctx": error: the SSO session has expired; log in again/);
    expect(await objectNames(ns.name)).toEqual([]);

    // A plugin that prints a bare token, not an ExecCredential: not a character of it is shown.
    const bare = writeKubeconfig(path.join(tmp.dir, 'bare-token-plugin.yaml'), cluster, exec('sh', ['-c', 'echo sk-SECRET-0123456789']), ns.name);
    const printed = await dask(['status', '--kubeconfig', bare]);
    expectCleanError(printed, 7, /^error: the credential plugin "sh" of context "ctx" printed something that is not an ExecCredential \(JSON\): check the plugin/);
    expect(printed.stderr).not.toMatch(/sk-SEC/);
    const noStatus = writeKubeconfig(path.join(tmp.dir, 'no-status-plugin.yaml'), cluster, exec('sh', ['-c', 'echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}\'']), ns.name);
    expectCleanError(await dask(['status', '--kubeconfig', noStatus]), 7, /^error: the credential plugin "sh" of context "ctx" printed an ExecCredential without a status: check the plugin/);
  });

  it('credentials the API server rejects: exit 7, says to log in again, never prints the token', async () => {
    const kc = writeKubeconfig(path.join(tmp.dir, 'bad-token.yaml'), await testbedCluster(), { token: 'bogus-token-0123456789' });
    const r = await dask(['up', '-n', ns.name, '--kubeconfig', kc]);
    expectCleanError(r, 7, /^error: the API server rejected your credentials \(401 Unauthorized\): log in again/);
    expect(r.stderr).not.toContain('bogus-token-0123456789');
  });
});

describe('RBAC', () => {
  namespacePerTest();

  /** A kubeconfig for a new ServiceAccount of ns that may do only what rules allow. */
  async function limitedUser(name: string, rules: object[]): Promise<{ kubeconfig: string; token: string }> {
    await apply(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns.name } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns.name }, rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: ns.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns.name }],
      },
    );
    const token = (await kubectl(['create', 'token', name, '-n', ns.name, '--duration', '10m'])).trim();
    const kubeconfig = writeKubeconfig(path.join(tmp.dir, `${ns.name}-${name}.yaml`), await testbedCluster(), { token }, ns.name);
    return { kubeconfig, token };
  }

  it("reads a token from the file kubectl's tokenFile names, relative to the kubeconfig", async () => {
    const { kubeconfig, token } = await limitedUser('lister', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] }, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    const config = JSON.parse(fs.readFileSync(kubeconfig, 'utf8'));
    fs.writeFileSync(path.join(tmp.dir, `${ns.name}-token`), `${token}\n`, { mode: 0o600 });
    config.users[0].user = { tokenFile: `${ns.name}-token` };
    fs.writeFileSync(kubeconfig, JSON.stringify(config));
    const r = await dask(['list', '--kubeconfig', kubeconfig]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('No Dask clusters found in namespace "' + ns.name + '".\n');
  });

  it('a user who may only get/list pods: exit 7, the message names the verb and resource, nothing is created', async () => {
    const { kubeconfig, token } = await limitedUser('pods-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);

    const up = await dask(['up', '--kubeconfig', kubeconfig]);
    // up reads its three objects at once: whichever refusal comes back first is reported.
    expectCleanError(up, 7, new RegExp(`^error: forbidden: you may not get (deployments|services) in namespace "${ns.name}"; ask an admin for a Role that allows it \\(see README, "RBAC"\\)$`));
    // The API server's own message follows, indented.
    expect(up.stderr).toMatch(/^ {2}(deployments\.apps|services) "dask-(scheduler|worker)" is forbidden: User "system:serviceaccount:.*:pods-reader" cannot get resource "(deployments|services)"/m);
    expect(up.stderr + up.stdout).not.toContain(token);

    const status = await dask(['status', '--kubeconfig', kubeconfig]);
    expectCleanError(status, 7, /^error: forbidden: you may not list deployments in namespace/);
    const scale = await dask(['scale', '--workers', '2', '--kubeconfig', kubeconfig]);
    expectCleanError(scale, 7, /^error: forbidden: you may not get deployments in namespace/);

    expect(await objectNames(ns.name)).toEqual([]);
  });

  it('a user who may scale but not forward to the scheduler: a scale-down exits 7 naming create pods/portforward, changing nothing', async () => {
    await daskOk(['up', '-n', ns.name]);
    const { kubeconfig } = await limitedUser('scaler', [
      { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'list', 'patch', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch'] },
    ]);
    const r = await dask(['scale', '--workers', '1', '--kubeconfig', kubeconfig]);
    expectCleanError(r, 7, new RegExp(`^error: forbidden: you may not create pods/portforward in namespace "${ns.name}"; ask an admin`));
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(2);
  });

  it('a user who may see the cluster but not scale it: exit 7 naming the verb the API server refused, patch', async () => {
    await daskOk(['up', '-n', ns.name, '--workers', '1']);
    const { kubeconfig } = await limitedUser('no-scale', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const r = await dask(['scale', '--workers', '2', '--kubeconfig', kubeconfig]);
    expectCleanError(r, 7, new RegExp(`^error: forbidden: you may not patch deployments/scale in namespace "${ns.name}"; ask an admin`));
    expect(r.stderr).toMatch(/cannot patch resource "deployments\/scale"/);
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(1);
  });

  it('a user who may see the cluster but not forward to it: port-forward exits 7 at once, before printing an address', async () => {
    await daskOk(['up', '-n', ns.name, '--workers', '1']);
    const { kubeconfig } = await limitedUser('no-forward', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    for (const command of [['port-forward', '--port', '0', '--dashboard-port', '0'], ['dashboard', '--port', '0', '--no-open']]) {
      const r = await dask([...command, '--kubeconfig', kubeconfig], { timeoutMs: 30_000 });
      expectCleanError(r, 7, new RegExp(`^error: forbidden: you may not create pods/portforward in namespace "${ns.name}"; ask an admin`));
    }
  });

  it('a user who may list but not watch Deployments still follows the logs, until Ctrl-C', async () => {
    await daskOk(['up', '-n', ns.name, '--workers', '1']);
    const { kubeconfig } = await limitedUser('no-deployment-watch', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    const follow = new Plugin(['logs', '-f', '--kubeconfig', kubeconfig], { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(follow.child.exitCode, follow.stderr).toBeNull();
    follow.child.kill('SIGINT');
    const r = await follow.result;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).not.toMatch(/^error:/m);
  });

  it('a user who may see the cluster but not read its logs: logs and logs -f exit 7 naming get pods/log, with the API server reason', async () => {
    await daskOk(['up', '-n', ns.name, '--workers', '1']);
    const { kubeconfig, token } = await limitedUser('no-logs', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    for (const args of [['logs'], ['logs', '-f']]) {
      const r = await dask([...args, '--kubeconfig', kubeconfig], { timeoutMs: 30_000 });
      expectCleanError(r, 7, new RegExp(`^error: forbidden: you may not get pods/log in namespace "${ns.name}"; ask an admin for a Role that allows it \\(see README, "RBAC"\\)$`));
      // The API server's Status message, read from the log request's response body.
      expect(r.stderr).toMatch(/^ {2}pods "dask-(worker|scheduler)-[^"]+" is forbidden: User "system:serviceaccount:.*:no-logs" cannot get resource "pods\/log"/m);
      expect(r.stderr).not.toContain(token);
    }
  });

  it('a read-only user: up is refused at validation (patch), before anything is applied', async () => {
    const { kubeconfig } = await limitedUser('read-only', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['services', 'pods', 'events'], verbs: ['get', 'list', 'watch'] },
    ]);
    const r = await dask(['up', '--kubeconfig', kubeconfig]);
    expectCleanError(r, 7, /^error: forbidden: you may not patch (services|deployments) in namespace/);
    expect(await objectNames(ns.name)).toEqual([]);
  });

  it('the Role documented in the README is enough for up, scale, status and down', async () => {
    const readme = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const role = /```yaml\n(apiVersion: rbac[\s\S]*?)```/.exec(readme)?.[1];
    expect(role, 'the README has a Role YAML').toBeTruthy();
    const { parse } = await import('yaml');
    const { kubeconfig } = await limitedUser('readme-role', parse(role!).rules);
    await daskOk(['up', '--kubeconfig', kubeconfig]);
    await daskOk(['scale', '--workers', '3', '--kubeconfig', kubeconfig]);
    await daskOk(['status', '-o', 'json', '--kubeconfig', kubeconfig]);
    await daskOk(['down', '--yes', '--kubeconfig', kubeconfig]);
    expect(await objectNames(ns.name)).toEqual([]);
  });

  it('an exec credential plugin in the kubeconfig (as cloud CLIs use) authenticates, and its token is never printed', async () => {
    const readme = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const { parse } = await import('yaml');
    const { token } = await limitedUser('exec-user', parse(/```yaml\n(apiVersion: rbac[\s\S]*?)```/.exec(readme)![1]!).rules);
    const plugin = path.join(tmp.dir, `${ns.name}-credential-plugin.sh`);
    const calls = path.join(tmp.dir, `${ns.name}-credential-plugin.calls`);
    fs.writeFileSync(
      plugin,
      `#!/bin/sh\necho called >> '${calls}'\necho '${JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } })}'\n`,
      { mode: 0o700 },
    );
    const kubeconfig = writeKubeconfig(
      path.join(tmp.dir, `${ns.name}-exec.yaml`),
      await testbedCluster(),
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
      ns.name,
    );
    const up = await daskOk(['up', '--kubeconfig', kubeconfig]);
    const status = await daskOk(['status', '-o', 'json', '--kubeconfig', kubeconfig]);
    expect(JSON.parse(status.stdout).ready).toBe(true);
    expect(fs.readFileSync(calls, 'utf8')).toContain('called');
    expect(up.stdout + up.stderr + status.stdout + status.stderr).not.toContain(token);

    // A relative command with a slash is found from the kubeconfig's dir, as kubectl finds it, not
    // from the working dir (the repository's, here).
    const config = JSON.parse(fs.readFileSync(kubeconfig, 'utf8'));
    config.users[0].user.exec.command = `./${path.basename(plugin)}`;
    fs.writeFileSync(kubeconfig, JSON.stringify(config));
    expect(JSON.parse((await daskOk(['status', '-o', 'json', '--kubeconfig', kubeconfig])).stdout).ready).toBe(true);
    await daskOk(['down', '--yes', '--kubeconfig', kubeconfig]);
  });
});

describe('what is not there', () => {
  namespacePerTest();

  it('a namespace that does not exist: every command exits 3 and says how to create it', async () => {
    const missing = `${ns.name}-missing`;
    for (const args of [['up'], ['status'], ['scale', '--workers', '3'], ['down', '--yes'], ['logs'], ['port-forward']]) {
      const r = await dask([...args, '-n', missing]);
      expectCleanError(r, 3, new RegExp(`^error: namespace "${missing}" not found: create it with kubectl create namespace ${missing}, or pick another with -n$`));
    }
    expect((await kubectl(['get', 'namespace', missing, '--ignore-not-found'])).trim()).toBe('');
  });

  it.each([
    ['scale', ['scale', '--workers', '3']],
    ['down', ['down', '--yes']],
    ['status', ['status']],
  ])('%s of a cluster that does not exist exits 3 and says how to create or find one', async (_, args) => {
    const r = await dask([...args, '-n', ns.name]);
    expectCleanError(r, 3, new RegExp(`^error: Dask cluster "dask" not found in namespace "${ns.name}": create it with kubectl dask up -n ${ns.name}, or list clusters with kubectl dask list -A$`));
    const named = await dask([args[0]!, 'etl', ...args.slice(1), '-n', ns.name]);
    expectCleanError(named, 3, new RegExp(`^error: Dask cluster "etl" not found in namespace .*kubectl dask up --name etl -n ${ns.name},`));
    expect(await objectNames(ns.name)).toEqual([]);
  });
});

describe('conflicts and rejected applies', () => {
  namespacePerTest();

  it('refuses (exit 4) to take over a same-named Service that kubectl-dask did not create, and applies nothing', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'dask-scheduler', namespace: ns.name, labels: { app: 'someone-else' } },
      spec: { selector: { app: 'someone-else' }, ports: [{ name: 'http', port: 80 }] },
    });
    const r = await dask(['up', '-n', ns.name]);
    expectCleanError(r, 4, new RegExp(`^error: service/dask-scheduler already exists in namespace "${ns.name}" but is not managed by kubectl-dask: choose another --name, or pass --force-conflicts to take it over$`));
    expect(await objectNames(ns.name)).toEqual(['service/dask-scheduler']);
    const untouched = await getJson(ns.name, 'service/dask-scheduler');
    expect(untouched.metadata.labels).toEqual({ app: 'someone-else' });

    // Another name sidesteps it; --force-conflicts takes it over.
    await daskOk(['up', '-n', ns.name, '--name', 'other']);
    const forced = await dask(['up', '-n', ns.name, '--force-conflicts']);
    expect(forced.code, forced.stderr).toBe(0);
    const taken = await getJson(ns.name, 'service/dask-scheduler');
    expect(taken.metadata.labels['app.kubernetes.io/managed-by']).toBe('kubectl-dask');
    expect(taken.spec.selector).toEqual({ 'app.kubernetes.io/name': 'dask', 'app.kubernetes.io/instance': 'dask', 'app.kubernetes.io/component': 'scheduler' });
    expect(taken.spec.ports.map((p: { port: number }) => p.port)).toEqual(expect.arrayContaining([8786, 8787]));
  });

  it('a quota that refuses the second Deployment: exit 1 naming the quota, not RBAC, and what this run created is deleted again', async () => {
    await kubectl(['create', 'quota', 'one-deployment', '--hard=count/deployments.apps=1', '-n', ns.name]);
    const r = await dask(['up', '-n', ns.name]);
    expectCleanError(r, 1, new RegExp(`^error: the API server refused to patch deployments in namespace "${ns.name}": deployments\\.apps "dask-worker" is forbidden: exceeded quota: one-deployment`));
    expect(r.stderr).toMatch(/^ {2}nothing of this run is left: deleted deployment\/dask-scheduler, service\/dask-scheduler again$/m);
    expect((await objectNames(ns.name)).filter((o) => !o.startsWith('pod/'))).toEqual([]);
    // A scheduler pod the Deployment made meanwhile goes with it.
    await waitFor(async () => (await objectNames(ns.name)).length === 0, { what: 'the scheduler pod to be deleted' });
  });

  it('names every foreign object in the conflict', async () => {
    await kubectl(['create', 'deployment', 'dask-worker', '--image', 'registry.example.com/app:1', '-n', ns.name]);
    await kubectl(['create', 'deployment', 'dask-scheduler', '--image', 'registry.example.com/app:1', '-n', ns.name]);
    const r = await dask(['up', '-n', ns.name]);
    expectCleanError(r, 4, /^error: deployment\/dask-scheduler, deployment\/dask-worker already exist in namespace/);
    expect(await getJson(ns.name, 'service/dask-scheduler')).toBeUndefined();
  });

  it('with --force-conflicts, an object the API server cannot take (immutable selector) fails validation and nothing is half-applied', async () => {
    await kubectl(['create', 'deployment', 'dask-worker', '--image', 'registry.example.com/app:1', '-n', ns.name]);
    const before = await getJson(ns.name, 'deployment/dask-worker');
    const r = await dask(['up', '-n', ns.name, '--force-conflicts']);
    // No flag takes it over: the message says to delete it, and the server's reason follows.
    expectCleanError(
      r,
      4,
      new RegExp(`^error: deployments "dask-worker" in namespace "${ns.name}" exists with a field that cannot be changed: delete it with kubectl delete deployments dask-worker -n ${ns.name}, then run the command again$`),
    );
    expect(r.stderr).toMatch(/^ {2}.*spec\.selector: Invalid value: .*field is immutable/m);
    // Validation comes before any progress: nothing reads as applied.
    expect(r.stderr).not.toMatch(/Apply scheduler Service/);
    // The scheduler's Service and Deployment, which alone would have been accepted, were not applied.
    expect(await objectNames(ns.name)).toEqual(expect.not.arrayContaining(['service/dask-scheduler', 'deployment.apps/dask-scheduler']));
    const after = await getJson(ns.name, 'deployment/dask-worker');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.template.spec.containers[0].image).toBe('registry.example.com/app:1');
  });
});

describe('usage errors: exit 2 before anything is sent', () => {
  // These create nothing, so they share one namespace, checked after each.
  beforeAll(async () => {
    ns = await freshNamespace('cmd-err-usage');
    return () => ns.cleanup();
  });

  it.each([
    [['up', '--workers', '-1'], /^error: invalid --workers "-1": expected a whole number from 0 to \d+/],
    [['up', '--workers', 'abc'], /^error: invalid --workers "abc": expected a whole number/],
    [['up', '--workers', '1.5'], /^error: invalid --workers "1\.5": expected a whole number/],
    [['scale', '--workers', '-1'], /^error: invalid --workers "-1"/],
    [['up', '--memory', '4GB'], /^error: invalid --memory "4GB": expected a positive Kubernetes quantity, e\.g\. --memory 4Gi/],
    [['up', '--memory', '512m'], /^error: invalid --memory "512m": "m" means milli-bytes; use Mi/],
    [['up', '--cpu', 'lots'], /^error: invalid --cpu "lots": expected a positive Kubernetes quantity, e\.g\. --cpu 2/],
    [['up', '--scheduler-memory', 'lots'], /^error: invalid --scheduler-memory "lots": expected a positive Kubernetes quantity, e\.g\. --scheduler-memory 4Gi/],
    [['up', '--image', 'Dask/Dask:latest'], /^error: invalid --image "Dask\/Dask:latest": expected an image reference like ghcr\.io\/dask\/dask:/],
    [['up', '--image', 'ghcr.io/dask/dask:bad tag'], /^error: invalid --image "ghcr\.io\/dask\/dask:bad tag"/],
    [['up', '--name', 'My_Cluster'], /^error: invalid cluster name "My_Cluster": use lowercase letters/],
    [['up', '--env', 'NOEQUALS'], /^error: invalid --env: expected NAME=VALUE, got no "="/],
    // The value may be a secret: only the name is shown back.
    [['up', '--env', '1BAD=s3cr3t'], /^error: invalid --env name "1BAD": expected NAME=VALUE(?!.*s3cr3t)/],
    [['up', '--timeout', 'soon'], /^error: invalid --timeout "soon": expected a duration such as 90s/],
    [['up', '--dry-run=maybe'], /^error: invalid --dry-run "maybe": use --dry-run, --dry-run=client or --dry-run=server/],
    [['status', '-o', 'xml'], /^error: unsupported --output "xml": use -o json or -o yaml/],
    [['up', '--wrokers', '3'], /^error: unknown flag --wrokers for kubectl dask up: see the flags with kubectl dask up --help$/],
    [['scale', '--workers', '2', '--replicas', '2'], /^error: unknown flag --replicas for kubectl dask scale: see the flags with kubectl dask scale --help$/],
    [['up', '--no-wiat'], /^error: unknown flag --no-wiat for kubectl dask up/],
    [['status', 'a', 'b'], /^error: unexpected argument "b" for kubectl dask status: see kubectl dask status --help$/],
    [['up', 'etl'], /^error: unexpected argument "etl" for kubectl dask up: name the cluster with --name etl$/],
    // A list flag takes one value each time, as kubectl's: the next word is no package.
    [['up', '--dry-run', '--pip', 'prefect', 'etl'], /^error: unexpected argument "etl" for kubectl dask up: name the cluster with --name etl$/],
    [['up', '--dry-run', '--env', 'A=1', 'B=2'], /^error: unexpected argument "B=2" for kubectl dask up/],
    [['upp'], /^error: unknown command "upp": did you mean up\?/],
    [['frobnicate'], /^error: unknown command "frobnicate": see the commands with kubectl dask --help$/],
  ])('%j', async (args, first) => {
    const r = await dask([...args, '-n', ns.name]);
    expectCleanError(r, 2, first);
    // Usage errors end with where to read more.
    expect(r.stderr).toContain(`See 'kubectl dask --help' or 'kubectl dask <command> --help'.`);
    expect(await objectNames(ns.name)).toEqual([]);
  });

  // /namespaces/../deployments is /deployments: every namespace's, as list and status showed them.
  it.each([['list'], ['status'], ['down', '--yes'], ['logs']])('%j -n .. is refused, never read as every namespace', async (...args) => {
    expectCleanError(await dask([...args, '-n', '..']), 2, /^error: invalid namespace "\.\." \(-n\): a namespace is lowercase letters, digits and '-'/);
  });
});

describe('timeout', () => {
  namespacePerTest();

  it('exits 5 and lists the pods that are not Ready and why (FailedScheduling)', async () => {
    const cpu = await unschedulableCpu();
    const r = await dask(['up', '-n', ns.name, '--cpu', cpu, '--timeout', '3s']);
    // The suggested command names the namespace, which is not the context's.
    expectCleanError(r, 5, new RegExp(`^error: timed out after 3s waiting for Dask cluster "dask" to be ready; raise --timeout, or inspect it with kubectl dask status -n ${ns.name}$`));

    const details = r.stderr.slice(r.stderr.indexOf('error: ')).split('\n').slice(1);
    expect(details).toContain('  deployment dask-worker: 0/2 ready, 2 updated');
    const workers = await pods(ns.name, 'dask', 'worker');
    expect(workers).toHaveLength(2);
    for (const pod of workers) {
      expect(details.some((l) => l.startsWith(`  pod ${pod.metadata.name} not Ready (Unschedulable: `) && l.includes('Insufficient cpu'))).toBe(true);
    }
    // The Ready scheduler is not listed as a problem.
    expect(details.join('\n')).not.toMatch(/dask-scheduler-\S+ not Ready/);
    // Progress showed it as it happened, too.
    expect(r.stderr).toMatch(/^! Pod dask-worker-\S+: Unschedulable: .*Insufficient cpu/m);

    // What timed out stays for the user to inspect (and status agrees).
    const status = JSON.parse((await daskOk(['status', '-n', ns.name, '-o', 'json'])).stdout);
    expect(status.ready).toBe(false);
    expect(status.waitingFor.join('\n')).toContain('Insufficient cpu');
  });
});
