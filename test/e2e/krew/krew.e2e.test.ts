// The release as a user gets it: the real krew (sigs.k8s.io/krew from the Go module proxy) installs
// the plugin from the linux-amd64 archive and the manifest `npm run package` writes, into a
// temporary KREW_ROOT, and kubectl finds and runs it as `kubectl dask` with no Node on PATH.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextName, freshNamespace, kubeconfigPath, kubectlPath, testbedEnv, waitFor, type Namespace } from '../testbed/helpers.ts';

const KREW_VERSION = 'v0.4.3';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const cacheRoot = process.env.KUBECTL_DASK_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'kubectl-dask');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let tmp: string;
let env: NodeJS.ProcessEnv;
let ns: Namespace;

/** kubectl with only the krew bin dir, krew and kubectl on PATH: no node, no npm. */
function kubectl(args: string[], timeout = 60_000): Result {
  const result = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: result.status, stdout: result.stdout ?? '', stderr: (result.stderr ?? '') + (result.error ? String(result.error) : '') };
}

/** krew, built once per version into the cache (about a minute cold, on 2 cores). */
function krewBinary(): string {
  const bin = path.join(cacheRoot, `krew-${KREW_VERSION}`, 'bin');
  const krew = path.join(bin, 'krew');
  if (fs.existsSync(krew)) return krew;
  fs.mkdirSync(bin, { recursive: true });
  const built = spawnSync('go', ['install', '-trimpath', '-ldflags=-s -w', `sigs.k8s.io/krew/cmd/krew@${KREW_VERSION}`], {
    env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (built.status !== 0 || !fs.existsSync(krew)) throw new Error(`go install sigs.k8s.io/krew/cmd/krew@${KREW_VERSION} failed: ${built.stderr}`);
  return krew;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-krew-'));
  const release = path.join(tmp, 'release');
  // The same script as `npm run package`, for the one platform that runs here.
  const packaged = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.ts'), '--targets', 'linux-amd64', '--out', release], {
    cwd: root,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (packaged.status !== 0) throw new Error(`npm run package failed:\n${packaged.stdout}${packaged.stderr}`);

  // PATH: krew's bin dir (the plugin), kubectl-krew, and the testbed's kubectl. Nothing else.
  const tools = path.join(tmp, 'tools');
  fs.mkdirSync(tools);
  fs.symlinkSync(krewBinary(), path.join(tools, 'kubectl-krew'));
  fs.symlinkSync(kubectlPath, path.join(tools, 'kubectl'));
  const krewRoot = path.join(tmp, 'krew');
  const PATH = [path.join(krewRoot, 'bin'), tools].join(path.delimiter);
  const base = testbedEnv();
  env = {
    PATH,
    HOME: tmp,
    KREW_ROOT: krewRoot,
    KUBECONFIG: kubeconfigPath,
    NO_PROXY: base.NO_PROXY,
    no_proxy: base.no_proxy,
    KUBECACHEDIR: path.join(tmp, 'kube-cache'),
    // Where the plugin unpacks its bundle on first run.
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
  };
  for (const dir of PATH.split(path.delimiter)) {
    expect(fs.existsSync(path.join(dir, 'node')), `node in ${dir}`).toBe(false);
  }

  const installed = kubectl(['krew', 'install', `--manifest=${path.join(release, 'dask.yaml')}`, `--archive=${path.join(release, 'kubectl-dask_linux_amd64.tar.gz')}`]);
  expect(installed.code, installed.stderr).toBe(0);
  ns = await freshNamespace('krew');
}, 20 * 60_000);

afterAll(async () => {
  await ns?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('kubectl dask installed by krew', () => {
  it('has a krew receipt and is listed by kubectl plugin list', () => {
    // (`krew list` needs krew's plugin index, a git clone this machine cannot make.)
    const receipt = fs.readFileSync(path.join(env.KREW_ROOT!, 'receipts', 'dask.yaml'), 'utf8');
    expect(receipt).toContain(`version: v${version}`);
    const plugins = kubectl(['plugin', 'list', '--name-only']);
    expect(plugins.stdout.split('\n')).toContain('kubectl-dask');
  });

  it('answers kubectl dask version and --help without Node', () => {
    expect(kubectl(['dask', 'version'])).toEqual({ code: 0, stdout: `kubectl-dask ${version}\n`, stderr: '' });
    const help = kubectl(['dask', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('kubectl dask status');
  });

  it('says a missing cluster is not found, with exit code 3', () => {
    const status = kubectl(['dask', 'status', '-n', ns.name, '--context', contextName]);
    expect(status.code).toBe(3);
    expect(status.stderr).toContain(`Dask cluster "dask" not found in namespace "${ns.name}"`);
  });

  it('creates a cluster and shows its status', async () => {
    const up = kubectl(['dask', 'up', '-n', ns.name, '--context', contextName, '--workers', '1', '--no-wait']);
    expect(up.code, up.stderr).toBe(0);
    const status = await waitFor(
      () => {
        const result = kubectl(['dask', 'status', '-n', ns.name, '--context', contextName, '-o', 'json']);
        if (result.code !== 0) return undefined;
        const parsed = JSON.parse(result.stdout) as { name: string; namespace: string; ready: boolean };
        return parsed.ready ? parsed : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'kubectl dask status -o json to say ready' },
    );
    expect(status).toMatchObject({ name: 'dask', namespace: ns.name, ready: true });
    const text = kubectl(['dask', 'status', '-n', ns.name, '--context', contextName]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('tcp://dask-scheduler');
  });

  it('completes kubectl dask <TAB> through kubectl_complete-dask, cluster names included', () => {
    // What the manifest's caveats tell users to do: put kubectl_complete-dask on PATH.
    const krewBin = path.join(env.KREW_ROOT!, 'bin');
    const store = path.dirname(fs.realpathSync(path.join(krewBin, 'kubectl-dask')));
    fs.symlinkSync(path.join(store, 'kubectl_complete-dask'), path.join(krewBin, 'kubectl_complete-dask'));
    const commands = kubectl(['__complete', 'dask', 'st']);
    expect(commands.stdout.split('\n')).toContain("status\tShow a cluster's readiness, pods, addresses and connection snippets");
    const flags = kubectl(['__complete', 'dask', 'status', '--out']);
    expect(flags.stdout).toMatch(/^--output\t/m);
    const names = kubectl(['__complete', 'dask', 'status', '-n', ns.name, '--context', contextName, '']);
    expect(names.stdout.split('\n')).toContain('dask\tDask cluster');
    expect(names.stdout).toMatch(/^:4$/m);
    // Flag values the cluster and the kubeconfig know, as kubectl's own completion offers them.
    const namespaces = kubectl(['__complete', 'dask', 'status', '--context', contextName, '-n', '']);
    expect(namespaces.stdout.split('\n')).toEqual(expect.arrayContaining([`${ns.name}\tnamespace`, 'default\tnamespace']));
    const contexts = kubectl(['__complete', 'dask', 'status', '--context=']);
    expect(contexts.stdout.split('\n')).toContain(`${contextName}\tkubeconfig context`);
  });
});
