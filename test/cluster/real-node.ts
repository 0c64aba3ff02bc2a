// The testbed's real node: `npm run cluster:up:real` starts the usual control plane (testbed.ts)
// plus, on this machine, a node named "localhost" that really runs containers:
//   containerd + runc (Debian) with a CNI bridge (kdask0, 10.244.0.0/24, local to this machine),
//   kubelet and kube-proxy (iptables mode) built from k8s.io/kubernetes like the control plane,
//   and CoreDNS on the bridge address, so `<service>.<ns>.svc` resolves inside pods.
// Images come from no registry: the pause image and the Dask image (test/cluster/image) are
// built locally and imported into containerd. `.cluster/dask-image` names the Dask image and
// `.cluster/venv` is a client virtualenv with the very same Python packages.
//
// The node is tainted kubectl-dask.test/real-node=true:NoSchedule, so pods of the kwok-based
// tests never land on it; a namespace opts in with realNodeNamespaceAnnotations (the API server
// runs PodNodeSelector and PodTolerationRestriction), which also keeps its pods off kwok nodes.
//
// `npm run cluster:down` (and down() here) drains and stops all of it, then removes what it
// created: mounts, network namespaces, the bridge, iptables chains, cgroups, sysctl changes and
// directories outside the repo. containerd's image store stays in .cluster/real/containerd/root
// so the next start does not import again.
//
// Runs directly on Node 24 (type stripping): erasable TypeScript only, imports with .ts.

import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import {
  clusterDir,
  contextName,
  down as controlPlaneDown,
  kubeconfigPath,
  kubectlPath,
  rel,
  runCli,
  say,
  testbedEnv,
  TestbedError,
  registerUser,
  terminate,
  up as controlPlaneUp,
  withClusterLock,
} from './testbed.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export const realDir = path.join(clusterDir, 'real');
export const realLogsDir = path.join(realDir, 'logs');
/** Holds the Dask image's local name once the real node is up. */
export const daskImageFile = path.join(clusterDir, 'dask-image');
/** Client virtualenv (symlink into the cache) with the image's exact Python packages. */
export const venvPath = path.join(clusterDir, 'venv');
export const nodeName = 'localhost';
export const realNodeLabel = 'kubectl-dask.test/real-node';
export const realNodeTaint = { key: realNodeLabel, value: 'true', effect: 'NoSchedule' } as const;

/** Namespace annotations that put a namespace's pods on the real node (and only there). */
export const realNodeNamespaceAnnotations: Record<string, string> = {
  'scheduler.alpha.kubernetes.io/node-selector': `${realNodeLabel}=true`,
  'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([
    { key: realNodeTaint.key, operator: 'Equal', value: realNodeTaint.value, effect: realNodeTaint.effect },
  ]),
};

// Network: everything stays on this machine. The bridge's gateway address is the node IP, the
// cluster DNS address and the only host address pods talk to; pods cannot reach outside
// addresses (no masquerade, and a FORWARD rule rejects anything leaving the pod subnet).
const bridge = 'kdask0';
const podSubnet = '10.244.0.0/24';
const gateway = '10.244.0.1';
/** This machine's address as pods see it (the pod bridge's gateway): for servers pods must reach. */
export const hostAddressForPods = gateway;
const isolationChain = 'KUBECTL-DASK-ISOLATE';
const kubeletPort = 10250;
const kubeletHealthzPort = 10248;
const kubeProxyHealthzPort = 10256;
const kubeProxyMetricsPort = 10249;
const corednsHealthPort = 19180;
const corednsReadyPort = 19181;

const dirs = {
  pids: path.join(realDir, 'pids'),
  containerd: path.join(realDir, 'containerd'),
  containerdRoot: path.join(realDir, 'containerd', 'root'),
  containerdState: path.join(realDir, 'containerd', 'state'),
  cni: path.join(realDir, 'cni'),
  kubelet: path.join(realDir, 'kubelet'),
  kubeletRoot: path.join(realDir, 'kubelet', 'root'),
  podLogs: path.join(realDir, 'kubelet', 'pod-logs'),
  kubeProxy: path.join(realDir, 'kube-proxy'),
  coredns: path.join(realDir, 'coredns'),
};
const containerdSock = path.join(dirs.containerd, 'containerd.sock');
const statePath = path.join(realDir, 'state.json');

const daemons = ['containerd', 'kubelet', 'kube-proxy', 'coredns'] as const;
type Daemon = (typeof daemons)[number];

/** Debian packages the node needs, by the file that shows each is installed. */
const packages: Record<string, string> = {
  containerd: '/usr/bin/containerd',
  runc: '/usr/sbin/runc',
  'containernetworking-plugins': '/usr/lib/cni/bridge',
  iptables: '/usr/sbin/iptables',
  // nft removes the empty tables iptables-nft leaves behind (down), so the machine is as before.
  nftables: '/usr/sbin/nft',
  debootstrap: '/usr/sbin/debootstrap',
  'python3-venv': '/usr/share/doc/python3-venv',
};

/**
 * Paths outside the repo that the node's programs create when missing (hard-coded in kubelet,
 * containerd's shims and CNI). up records which did not exist; down removes exactly those.
 */
const foreignPaths = [
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd',
  '/var/run/netns',
  '/var/lib/cni',
  '/var/lib/kubelet',
  '/etc/cni',
  '/opt/cni',
  '/opt/containerd',
  '/var/lib/containerd',
  '/etc/kubernetes',
];

/**
 * Sysctls set for the node and restored by down. kubelet insists on some of them; kernel.panic
 * and kernel.panic_on_oops it would set to 10/1 (an oops would then reboot the machine), so
 * kubelet runs in its own mount namespace where those two files read as what it wants.
 */
const sysctls: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'vm.overcommit_memory': '1',
  'vm.panic_on_oom': '0',
  'kernel.keys.root_maxkeys': '1000000',
  'kernel.keys.root_maxbytes': '25000000',
};
const kubeletFakeSysctls: Record<string, string> = { 'kernel.panic': '10', 'kernel.panic_on_oops': '1' };

interface State {
  /** Sysctl values before up changed them. */
  sysctls: Record<string, string>;
  /** foreignPaths that did not exist before up. */
  createdPaths: string[];
  /** Top-level cgroups per hierarchy before up; down removes new ones it finds empty-able. */
  cgroupsBefore: Record<string, string[]>;
  bridgeCreated: boolean;
  /** nftables tables before up ("ip filter", ...): iptables-nft creates the ones it touches. */
  nftTablesBefore?: string[];
  nodeBin?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    env: opts.env ?? testbedEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
}

function runOk(cmd: string, args: string[], what: string, opts: Parameters<typeof run>[2] = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-2).join(' ');
    throw new TestbedError(`${what} failed: ${why}`);
  }
  return r.stdout;
}

function readState(): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function writeState(state: State): void {
  fs.mkdirSync(realDir, { recursive: true });
  fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
}

// ---- processes ------------------------------------------------------------------------

function cmdline(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const st = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (st === 'Z' || st === 'X') return undefined;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

const alive = (pid: number) => cmdline(pid) !== undefined;

/** Processes whose command line mentions this checkout's .cluster/real (daemons and shims). */
function ourProcesses(): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = cmdline(Number(entry));
    if (argv?.some((a) => a.includes(realDir + path.sep))) found.set(Number(entry), path.basename(argv[0] ?? '?'));
  }
  return found;
}

function pidOf(name: Daemon): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dirs.pids, `${name}.pid`), 'utf8').trim());
    return Number.isInteger(pid) && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a daemon detached from this process, output to .cluster/real/logs/<name>.log. */
function startDaemon(name: Daemon, cmd: string, args: string[]): number {
  fs.mkdirSync(realLogsDir, { recursive: true });
  fs.mkdirSync(dirs.pids, { recursive: true });
  const log = fs.openSync(path.join(realLogsDir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], env: testbedEnv(), cwd: realDir });
  fs.closeSync(log);
  if (child.pid === undefined) throw new TestbedError(`cannot start ${name} (${cmd})`);
  child.unref();
  fs.writeFileSync(path.join(dirs.pids, `${name}.pid`), String(child.pid));
  return child.pid;
}

function lastLogLines(name: string, n = 2): string {
  try {
    const lines = fs.readFileSync(path.join(realLogsDir, `${name}.log`), 'utf8').trim().split('\n');
    const errors = lines.filter((l) => /error|fatal|failed|panic/i.test(l));
    return (errors.length ? errors : lines).slice(-n).join(' | ').slice(0, 600);
  } catch {
    return '(no log)';
  }
}

/** Polls until ok() is true; fails with the daemon's last log lines if it died or time ran out. */
async function waitUntil(name: Daemon, pid: number, what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(pid)) throw new TestbedError(`${name} exited while starting: ${lastLogLines(name)} (log: ${rel(realLogsDir)}/${name}.log)`);
    try {
      if (await ok()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      throw new TestbedError(`${what} within ${timeoutMs / 1000} s: ${lastLogLines(name)} (log: ${rel(realLogsDir)}/${name}.log)`);
    }
    await sleep(250);
  }
}

function httpOk(port: number, pathName: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('error', () => resolve(false));
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve(/^HTTP\/1\.[01] 200/.test(data)));
    socket.on('connect', () => socket.write(`GET ${pathName} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`));
  });
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

// ---- machine preparation --------------------------------------------------------------------

function ensurePackages(): void {
  const missing = Object.entries(packages)
    .filter(([, file]) => !fs.existsSync(file))
    .map(([pkg]) => pkg);
  if (!missing.length) return;
  if (!fs.existsSync('/usr/bin/apt-get')) {
    throw new TestbedError(`missing ${missing.join(', ')} and no apt-get to install them: install them and retry`);
  }
  say(`installing ${missing.join(', ')} (apt-get)`);
  const env = { ...testbedEnv(), DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 });
  let r = install();
  if (r.status !== 0) {
    runOk('apt-get', ['update', '-qq'], 'apt-get update', { env, timeoutMs: 600_000 });
    r = install();
  }
  if (r.status !== 0) throw new TestbedError(`apt-get install ${missing.join(' ')} failed: ${r.stderr.trim().split('\n').pop()}`);
}

function preflight(): void {
  if (process.getuid?.() !== 0) {
    throw new TestbedError('the real node needs root (containerd, kubelet, iptables, mounts): run it as root, e.g. sudo npm run cluster:up:real');
  }
  if (!fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') && !fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    throw new TestbedError('no cgroup memory controller at /sys/fs/cgroup: the real node needs cgroups (v1 or v2)');
  }
  if (!fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay')) run('modprobe', ['overlay']);
  if (!fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) run('modprobe', ['br_netfilter']);
  if (!fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    throw new TestbedError('br_netfilter is not available (modprobe br_netfilter failed): Services need it on the pod bridge');
  }
  if (containerdSock.length > 100) {
    throw new TestbedError(`the containerd socket path ${containerdSock} is too long for a unix socket: use a shorter checkout path`);
  }
}

function sysctlPath(name: string): string {
  return path.join('/proc/sys', ...name.split('.'));
}

function readSysctl(name: string): string | undefined {
  try {
    return fs.readFileSync(sysctlPath(name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function writeSysctl(name: string, value: string): void {
  try {
    fs.writeFileSync(sysctlPath(name), value);
  } catch (err) {
    throw new TestbedError(`cannot set ${name}=${value}: ${(err as Error).message}`);
  }
}

function cgroupHierarchies(): string[] {
  try {
    return fs
      .readdirSync('/sys/fs/cgroup', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join('/sys/fs/cgroup', d.name));
  } catch {
    return [];
  }
}

function topCgroups(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const h of cgroupHierarchies()) {
    out[h] = fs
      .readdirSync(h, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  }
  return out;
}

/** Records what up will change, once (a second up keeps the first record). */
function recordState(): State {
  const existing = readState();
  if (existing) return existing;
  const state: State = {
    sysctls: {},
    createdPaths: foreignPaths.filter((p) => !fs.existsSync(p)),
    cgroupsBefore: topCgroups(),
    bridgeCreated: false,
    nftTablesBefore: nftTables(),
  };
  for (const name of [...Object.keys(sysctls), 'net.ipv4.conf.all.route_localnet']) {
    const v = readSysctl(name);
    if (v !== undefined) state.sysctls[name] = v;
  }
  writeState(state);
  return state;
}

function nftTables(): string[] | undefined {
  const r = run('nft', ['list', 'tables']);
  if (r.status !== 0) return undefined;
  return r.stdout
    .split('\n')
    .map((l) => l.replace(/^table\s+/, '').trim())
    .filter(Boolean);
}

/** Deletes nftables tables that up's iptables calls created and that no rule uses any more. */
function removeNewEmptyNftTables(before: string[] | undefined): void {
  const now = nftTables();
  if (!before || !now) return;
  for (const table of now.filter((t) => !before.includes(t))) {
    const r = run('nft', ['-j', 'list', 'table', ...table.split(/\s+/)]);
    if (r.status !== 0) continue;
    try {
      const items: object[] = JSON.parse(r.stdout).nftables ?? [];
      if (!items.some((i) => 'rule' in i || 'set' in i || 'map' in i)) run('nft', ['delete', 'table', ...table.split(/\s+/)]);
    } catch {
      // not JSON: leave it
    }
  }
}

function ipt(args: string[]): SpawnSyncReturns<string> {
  return run('iptables', ['-w', '5', ...args]);
}

function setupNetwork(state: State): void {
  for (const [name, value] of Object.entries(sysctls)) if (readSysctl(name) !== value) writeSysctl(name, value);

  const routes = runOk('ip', ['-4', 'route', 'show'], 'listing routes');
  if (!run('ip', ['link', 'show', bridge]).stdout.includes(bridge)) {
    const clash = routes.split('\n').find((l) => l.startsWith(podSubnet) || l.startsWith('10.244.'));
    if (clash) throw new TestbedError(`the pod subnet ${podSubnet} is already routed on this machine (${clash.trim()}): free it and retry`);
    runOk('ip', ['link', 'add', bridge, 'type', 'bridge'], `creating bridge ${bridge}`);
    state.bridgeCreated = true;
    writeState(state);
  }
  if (!run('ip', ['-4', 'addr', 'show', 'dev', bridge]).stdout.includes(`${gateway}/`)) {
    runOk('ip', ['addr', 'add', `${gateway}/24`, 'dev', bridge], `adding ${gateway} to ${bridge}`);
  }
  runOk('ip', ['link', 'set', bridge, 'up'], `bringing ${bridge} up`);

  // Pods may talk to each other and to this machine, never to outside addresses.
  if (ipt(['-n', '-L', isolationChain]).status !== 0) runOk('iptables', ['-w', '5', '-N', isolationChain], 'creating the isolation chain');
  runOk('iptables', ['-w', '5', '-F', isolationChain], 'flushing the isolation chain');
  runOk(
    'iptables',
    ['-w', '5', '-A', isolationChain, '-s', podSubnet, '!', '-d', podSubnet, '-j', 'REJECT', '-m', 'comment', '--comment', 'kubectl-dask real node: pods stay on this machine'],
    'adding the isolation rule',
  );
  if (ipt(['-C', 'FORWARD', '-j', isolationChain]).status !== 0) runOk('iptables', ['-w', '5', '-I', 'FORWARD', '1', '-j', isolationChain], 'hooking the isolation chain');
}

// ---- builds -------------------------------------------------------------------------------

/** Runs a build script in the background; resolves to the last line of its stdout. */
function background(script: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], env: testbedEnv() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (err) => reject(new TestbedError(`cannot run ${rel(script)}: ${err.message}`)));
    // 'close', not 'exit': only then has all of stdout been read.
    child.once('close', (code) => {
      if (code === 0) resolve(out.trim().split('\n').pop() ?? '');
      // The script printed its own one-line reason.
      else reject(new TestbedError(`${what} failed`, true));
    });
  });
}

// ---- containerd ---------------------------------------------------------------------------

function containerdConfig(pauseImage: string): string {
  const runc = fs.existsSync('/usr/sbin/runc') ? '/usr/sbin/runc' : 'runc';
  const q = JSON.stringify;
  return `# Generated by test/cluster/real-node.ts
version = 2
root = ${q(dirs.containerdRoot)}
state = ${q(dirs.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(containerdSock)}

[ttrpc]
  address = ${q(containerdSock + '.ttrpc')}

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(path.join(dirs.containerd, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(pauseImage)}
  # Without it every sandbox fails ("can't get final child's PID from pipe"): this machine
  # cannot lower oom_score_adj (no CAP_SYS_RESOURCE).
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = ${q(runc)}
        Root = ${q(path.join(dirs.containerdState, 'runc'))}
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(path.join(dirs.cni, 'net.d'))}
    max_conf_num = 1
`;
}

function cniConfig(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'kubectl-dask',
      plugins: [
        {
          type: 'bridge',
          bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: podSubnet, gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: path.join(dirs.cni, 'ipam'),
          },
        },
      ],
    },
    null,
    2,
  );
}

function ctr(args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return run('ctr', ['--address', containerdSock, '--namespace', 'k8s.io', ...args], { timeoutMs });
}

async function startContainerd(pauseImage: string): Promise<void> {
  if (pidOf('containerd')) return;
  for (const d of [dirs.containerdRoot, dirs.containerdState, path.join(dirs.cni, 'net.d')]) fs.mkdirSync(d, { recursive: true });
  const config = path.join(dirs.containerd, 'config.toml');
  fs.writeFileSync(config, containerdConfig(pauseImage));
  fs.writeFileSync(path.join(dirs.cni, 'net.d', '10-kubectl-dask.conflist'), cniConfig());
  fs.rmSync(containerdSock, { force: true });
  const pid = startDaemon('containerd', '/usr/bin/containerd', ['--config', config]);
  await waitUntil('containerd', pid, 'containerd did not answer', () => run('ctr', ['--address', containerdSock, 'version'], { timeoutMs: 5_000 }).status === 0, 30_000);
}

/** Imports an OCI archive unless containerd already has that name at the same manifest digest. */
function importImage(archive: string): string {
  const index = JSON.parse(runOk('tar', ['-xOf', archive, 'index.json'], `reading ${archive}`));
  const manifest = index.manifests?.[0];
  const name: string = manifest?.annotations?.['io.containerd.image.name'];
  if (!name) throw new TestbedError(`${archive} names no image (io.containerd.image.name)`);
  const listed = ctr(['images', 'ls', `name==${name}`]).stdout;
  if (listed.includes(manifest.digest)) return name;
  say(`importing ${name} into containerd`);
  const r = ctr(['images', 'import', '--no-unpack=false', archive], 600_000);
  if (r.status !== 0) throw new TestbedError(`importing ${name} failed: ${r.stderr.trim().split('\n').pop()}`);
  return name;
}

// ---- kubelet, kube-proxy, CoreDNS ---------------------------------------------------------------

function kubeletConfig(): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Only local processes reach the kubelet (the API server dials the node's Hostname
    // address, "localhost"); anonymous requests are therefore fine here.
    address: '127.0.0.1',
    port: kubeletPort,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: kubeletHealthzPort,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    containerRuntimeEndpoint: `unix://${containerdSock}`,
    clusterDNS: [gateway],
    clusterDomain: 'cluster.local',
    // No host resolver settings in pods: names resolve through cluster DNS only.
    resolvConf: '',
    podLogsDir: dirs.podLogs,
    failSwapOn: false,
    // This machine cannot lower oom_score_adj; don't try.
    oomScoreAdj: 0,
    registerWithTaints: [realNodeTaint],
    // A test machine's disk may be fuller than a server's: evict late, never collect our images.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    protectKernelDefaults: false,
    localStorageCapacityIsolation: true,
    nodeStatusReportFrequency: '10s',
    shutdownGracePeriod: '0s',
  });
}

async function startKubelet(bin: string): Promise<void> {
  if (pidOf('kubelet')) return;
  fs.mkdirSync(dirs.kubeletRoot, { recursive: true });
  fs.mkdirSync(dirs.podLogs, { recursive: true });
  const config = path.join(dirs.kubelet, 'config.yaml');
  fs.writeFileSync(config, kubeletConfig());
  const fakes: string[] = [];
  for (const [name, value] of Object.entries(kubeletFakeSysctls)) {
    const f = path.join(dirs.kubelet, `sysctl-${name}`);
    fs.writeFileSync(f, `${value}\n`);
    fakes.push(f, sysctlPath(name));
  }
  // kubelet makes its root dir an rshared mount; doing it here, in this mount namespace, lets
  // the volumes it mounts from its own namespace propagate to containerd.
  const mounted = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dirs.kubeletRoot);
  if (!mounted) runOk('mount', ['--bind', dirs.kubeletRoot, dirs.kubeletRoot], 'bind-mounting the kubelet root');
  runOk('mount', ['--make-rshared', dirs.kubeletRoot], 'sharing the kubelet root mount');

  const kubeletArgs = [
    path.join(bin, 'kubelet'),
    `--config=${config}`,
    `--kubeconfig=${kubeconfigPath}`,
    `--root-dir=${dirs.kubeletRoot}`,
    `--hostname-override=${nodeName}`,
    `--node-ip=${gateway}`,
    `--node-labels=${realNodeLabel}=true`,
  ];
  // A private mount namespace: /proc made private there, then the fake sysctl files bound over
  // the real ones; everything else (notably the shared kubelet root) stays as on the host.
  const script = 'mount --make-rprivate /proc && while [ "$1" != -- ]; do mount --bind "$1" "$2" && shift 2; done && shift && exec "$@"';
  const pid = startDaemon('kubelet', 'unshare', ['--mount', '--propagation', 'unchanged', '--', '/bin/sh', '-c', script, 'sh', ...fakes, '--', ...kubeletArgs]);
  await waitUntil('kubelet', pid, `node ${nodeName} did not become Ready`, () => nodeReady(), 120_000);
}

function kubectl(args: string[], timeoutMs = 30_000): SpawnSyncReturns<string> {
  return run(kubectlPath, ['--kubeconfig', kubeconfigPath, '--context', contextName, ...args], { timeoutMs });
}

function nodeReady(): boolean {
  const r = kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], 5_000);
  return r.status === 0 && r.stdout.trim() === 'True';
}

async function startKubeProxy(bin: string): Promise<void> {
  if (pidOf('kube-proxy')) return;
  fs.mkdirSync(dirs.kubeProxy, { recursive: true });
  const config = path.join(dirs.kubeProxy, 'config.yaml');
  fs.writeFileSync(
    config,
    stringify({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig: kubeconfigPath },
      hostnameOverride: nodeName,
      mode: 'iptables',
      clusterCIDR: podSubnet,
      healthzBindAddress: `127.0.0.1:${kubeProxyHealthzPort}`,
      metricsBindAddress: `127.0.0.1:${kubeProxyMetricsPort}`,
      // NodePorts only on the bridge address, and no route_localnet sysctl for localhost ones.
      nodePortAddresses: [`${gateway}/32`],
      iptables: { localhostNodePorts: false, syncPeriod: '30s', minSyncPeriod: '0s' },
      // Leave the machine's conntrack settings alone.
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      oomScoreAdj: 0,
    }),
  );
  const pid = startDaemon('kube-proxy', path.join(bin, 'kube-proxy'), [`--config=${config}`]);
  await waitUntil('kube-proxy', pid, 'kube-proxy did not report healthy', () => httpOk(kubeProxyHealthzPort, '/healthz'), 60_000);
}

async function startCoreDNS(bin: string): Promise<void> {
  if (pidOf('coredns')) return;
  fs.mkdirSync(dirs.coredns, { recursive: true });
  const corefile = path.join(dirs.coredns, 'Corefile');
  // Only cluster names: no forward plugin, so other names get REFUSED instead of leaving the machine.
  fs.writeFileSync(
    corefile,
    `cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    bind ${gateway}
    errors
    health 127.0.0.1:${corednsHealthPort}
    ready 127.0.0.1:${corednsReadyPort}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfigPath} ${contextName}
        pods insecure
        ttl 5
    }
    cache 5
}
`,
  );
  const pid = startDaemon('coredns', path.join(bin, 'coredns'), ['-conf', corefile]);
  await waitUntil('coredns', pid, 'CoreDNS did not become ready', () => httpOk(corednsReadyPort, '/ready'), 60_000);
}

// ---- client venv --------------------------------------------------------------------------

function pythonFor(version: string): string {
  for (const candidate of [`/usr/bin/python${version}`, '/usr/bin/python3', `python${version}`, 'python3']) {
    const r = run(candidate, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], { timeoutMs: 10_000 });
    if (r.status === 0 && r.stdout.trim() === version) return candidate;
  }
  throw new TestbedError(`no Python ${version} with venv on this machine (the image runs ${version}, and cloudpickle needs the client to match): apt-get install python3-venv`);
}

/** The client virtualenv, cached next to the image it matches; .cluster/venv links to it. */
function ensureVenv(imageDir: string): string {
  const venv = path.join(path.dirname(imageDir), `client-venv-${path.basename(imageDir).replace(/^dask-image-/, '')}`);
  if (!fs.existsSync(path.join(venv, '.complete'))) {
    say('creating the client virtualenv (same packages as the image)');
    const version = fs.readFileSync(path.join(imageDir, 'python-version'), 'utf8').trim();
    fs.rmSync(venv, { recursive: true, force: true });
    runOk(pythonFor(version), ['-m', 'venv', venv], 'creating the client virtualenv');
    runOk(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', path.join(imageDir, 'lock.txt')], 'pip install in the client virtualenv', {
      timeoutMs: 900_000,
    });
    fs.writeFileSync(path.join(venv, '.complete'), '');
  }
  fs.rmSync(venvPath, { force: true, recursive: false });
  fs.symlinkSync(venv, venvPath);
  return venv;
}

// ---- status, up, down -----------------------------------------------------------------------

export interface RealStatus {
  healthy: boolean;
  running: Daemon[];
}

export function realStatus(): RealStatus {
  const running = daemons.filter((d) => pidOf(d) !== undefined);
  const healthy = running.length === daemons.length && fs.existsSync(daskImageFile) && fs.existsSync(venvPath) && nodeReady();
  return { healthy, running };
}

/** The API server and kwok-controller flags the real node relies on (see testbed.ts). */
function controlPlaneReady(): string | undefined {
  const r = kubectl(['get', '--raw', '/readyz'], 5_000);
  if (r.status !== 0) return 'the API server is not ready';
  const byName = new Map<string, string[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = cmdline(Number(entry));
    if (argv?.[0]?.startsWith(clusterDir + path.sep)) byName.set(path.basename(argv[0]), argv);
  }
  const kwok = byName.get('kwok-controller') ?? byName.get('kwok');
  if (!kwok?.includes('--manage-all-nodes=false')) return 'kwok-controller manages all nodes (it would take over the real node)';
  const apiserver = byName.get('kube-apiserver');
  const plugins = apiserver?.find((a) => a.startsWith('--enable-admission-plugins='));
  if (!plugins?.includes('PodNodeSelector') || !plugins.includes('PodTolerationRestriction')) {
    return 'kube-apiserver lacks the PodNodeSelector/PodTolerationRestriction admission plugins';
  }
  return undefined;
}

export interface RealUpResult {
  started: boolean;
  seconds: number;
  image: string;
}

const realUsersDir = path.join(realDir, 'users');
/** Present while the real node was started by a test run: the last test run using it stops it. */
export const realStartedByTestsMarker = path.join(realDir, 'started-by-tests');

/** Registers this process as a user of the real node; see registerUser in testbed.ts. */
export function addRealUser(): () => number {
  return registerUser(realUsersDir);
}

/** Starts the control plane and the real node, or reuses healthy running ones. */
export async function upReal(): Promise<RealUpResult> {
  return withClusterLock('real', 'another start or stop of the real node', () => upRealLocked());
}

async function upRealLocked(): Promise<RealUpResult> {
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
  preflight();
  ensurePackages();
  fs.mkdirSync(realDir, { recursive: true });

  // Builds run in the background while the control plane starts (its own build is synchronous).
  const nodeBuild = background(path.join(here, 'real-node', 'build.sh'), 'building the node binaries');
  const imageBuild = background(path.join(here, 'image', 'build.sh'), 'building the Dask image');
  nodeBuild.catch(() => undefined);
  imageBuild.catch(() => undefined);

  let cp = await controlPlaneUp();
  let why = controlPlaneReady();
  if (why && !cp.started) {
    say(`restarting the control plane: ${why}`);
    await downRealLocked({ quiet: true });
    await controlPlaneDown({ quiet: true });
    cp = await controlPlaneUp();
    why = controlPlaneReady();
  }
  if (why) throw new TestbedError(`the control plane cannot host the real node: ${why} (see componentsPatches in test/cluster/testbed.ts)`);

  const [bin, imageDir] = await Promise.all([nodeBuild, imageBuild]);
  const image = fs.readFileSync(path.join(imageDir, 'name'), 'utf8').trim();
  const st = realStatus();
  if (st.healthy) {
    // Same names, maybe new contents (the image's inputs changed): re-import if so.
    importImage(path.join(bin, 'pause.oci.tar'));
    importImage(path.join(imageDir, 'image.oci.tar'));
    fs.writeFileSync(daskImageFile, `${image}\n`);
    ensureVenv(imageDir);
    say(`real node already up (${st.running.join(', ')}); image ${image}`);
    return { started: false, seconds: seconds(), image };
  }

  const state = recordState();
  state.nodeBin = bin;
  writeState(state);
  setupNetwork(state);
  const pauseImage = fs.readFileSync(path.join(here, 'real-node', 'versions.env'), 'utf8').match(/^PAUSE_IMAGE=(\S+)/m)?.[1];
  if (!pauseImage) throw new TestbedError('PAUSE_IMAGE missing in test/cluster/real-node/versions.env');
  for (const [port, host, who] of [
    [kubeletPort, '127.0.0.1', 'kubelet'],
    [kubeletHealthzPort, '127.0.0.1', 'kubelet healthz'],
    [kubeProxyHealthzPort, '127.0.0.1', 'kube-proxy healthz'],
    [kubeProxyMetricsPort, '127.0.0.1', 'kube-proxy metrics'],
    [corednsHealthPort, '127.0.0.1', 'CoreDNS health'],
    [corednsReadyPort, '127.0.0.1', 'CoreDNS ready'],
  ] as const) {
    const daemon = who.split(' ')[0]!.toLowerCase() as Daemon;
    if (!pidOf(daemon) && !(await portFree(port, host))) {
      throw new TestbedError(`port ${host}:${port} (${who}) is in use: stop what listens there (ss -ltnp 'sport = :${port}') and retry`);
    }
  }

  if (!daemons.some(pidOf) && fs.existsSync(realLogsDir)) {
    // A fresh start: keep the previous run's logs for a post-mortem.
    const previous = path.join(realDir, 'logs.previous');
    fs.rmSync(previous, { recursive: true, force: true });
    fs.renameSync(realLogsDir, previous);
  }
  say('starting containerd');
  await startContainerd(pauseImage);
  importImage(path.join(bin, 'pause.oci.tar'));
  importImage(path.join(imageDir, 'image.oci.tar'));
  say(`starting kubelet (node ${nodeName}), kube-proxy and CoreDNS (${gateway}:53)`);
  await startKubelet(bin);
  await Promise.all([startKubeProxy(bin), startCoreDNS(bin)]);
  fs.writeFileSync(daskImageFile, `${image}\n`);
  ensureVenv(imageDir);
  say(
    `real node up in ${seconds()} s: node ${nodeName}, image ${image} (${rel(daskImageFile)}), client ${rel(venvPath)}; ` +
      `logs: ${rel(realLogsDir)}/; pods land on it in namespaces annotated with realNodeNamespaceAnnotations`,
  );
  return { started: true, seconds: seconds(), image };
}

function mountsUnder(prefixes: string[]): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4]?.replace(/\\040/g, ' ');
    if (mp && prefixes.some((p) => mp === p || mp.startsWith(p + '/'))) out.push(mp);
  }
  // Deepest first.
  return [...new Set(out)].sort((a, b) => b.split('/').length - a.split('/').length);
}

function unmountAll(prefixes: string[]): string[] {
  const failed: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (const mp of mountsUnder(prefixes)) {
      if (run('umount', [mp]).status !== 0) run('umount', ['-l', mp]);
    }
  }
  failed.push(...mountsUnder(prefixes));
  return failed;
}

/** Network namespaces of CRI sandboxes, found before the containers go. */
function sandboxNetns(): string[] {
  const r = ctr(['containers', 'ls', '-q'], 15_000);
  if (r.status !== 0) return [];
  const found: string[] = [];
  for (const id of r.stdout.split('\n').filter(Boolean)) {
    const info = ctr(['containers', 'info', id], 15_000);
    if (info.status !== 0) continue;
    try {
      const spec = JSON.parse(info.stdout)?.Spec;
      for (const ns of spec?.linux?.namespaces ?? []) if (ns.type === 'network' && ns.path) found.push(ns.path);
    } catch {
      // not JSON
    }
  }
  return found;
}

function removeContainers(): void {
  const ids = ctr(['containers', 'ls', '-q'], 15_000).stdout.split('\n').filter(Boolean);
  for (const id of ids) {
    ctr(['tasks', 'kill', '-s', 'SIGKILL', id], 15_000);
  }
  for (const id of ids) {
    ctr(['tasks', 'delete', '-f', id], 15_000);
    ctr(['containers', 'delete', id], 15_000);
  }
}

function cgroupProcs(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string) => {
    try {
      for (const line of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.push(Number(line));
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    } catch {
      // gone
    }
  };
  walk(dir);
  return pids;
}

function rmdirTree(dir: string): boolean {
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(path.join(dir, e.name));
    fs.rmdirSync(dir);
    return true;
  } catch {
    return !fs.existsSync(dir);
  }
}

/** Cgroups the node created: kubepods (kubelet) and any other new top-level ones up recorded. */
async function removeCgroups(state: State | undefined): Promise<string[]> {
  const targets: string[] = [];
  for (const h of cgroupHierarchies()) {
    const before = new Set(state?.cgroupsBefore?.[h] ?? []);
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(h, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const e of entries) if (e.startsWith('kubepods') || (state && !before.has(e) && e !== 'kubepods')) targets.push(path.join(h, e));
  }
  // Processes still in them are pod processes whose shims are gone: end them first.
  const pids = [...new Set(targets.flatMap(cgroupProcs))];
  if (pids.length) await terminate(pids, 2_000);
  return targets.filter((t) => !rmdirTree(t));
}

function cleanupIptables(bin: string | undefined): void {
  if (bin && fs.existsSync(path.join(bin, 'kube-proxy'))) run(path.join(bin, 'kube-proxy'), ['--cleanup'], { timeoutMs: 60_000 });
  for (const cmd of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      const save = run(`${cmd}-save`, ['-t', table]);
      if (save.status !== 0) continue;
      const chains = [...save.stdout.matchAll(/^:(\S+)/gm)]
        .map((m) => m[1]!)
        .filter((c) => c.startsWith('KUBE-') || c.startsWith('CNI-') || c === isolationChain);
      if (!chains.length) continue;
      // Remove every rule jumping to them, then the chains.
      for (const line of save.stdout.split('\n')) {
        const m = /^-A (\S+) (.*)$/.exec(line);
        if (!m || chains.includes(m[1]!)) continue;
        if (chains.some((c) => m[2]!.includes(`-j ${c}`) || m[2]!.includes(`-g ${c}`))) {
          run(cmd, ['-w', '5', '-t', table, '-D', m[1]!, ...splitRule(m[2]!)]);
        }
      }
      for (const c of chains) run(cmd, ['-w', '5', '-t', table, '-F', c]);
      for (const c of chains) run(cmd, ['-w', '5', '-t', table, '-X', c]);
    }
  }
}

/** Splits an iptables-save rule into arguments (quotes around comments). */
function splitRule(rule: string): string[] {
  const out: string[] = [];
  for (const m of rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/**
 * Stops the real node and undoes what up did to the machine. Safe to run when nothing is up,
 * after a crash, and before or after the control plane is gone.
 */
export async function downReal(opts: { quiet?: boolean } = {}): Promise<void> {
  // Nothing of the real node here (cluster:down runs this for kwok-only setups too): no lock.
  if (readState() === undefined && !ourProcesses().size && !fs.existsSync(daskImageFile)) return;
  await withClusterLock('real', 'another start or stop of the real node', () => downRealLocked(opts));
}

async function downRealLocked(opts: { quiet?: boolean }): Promise<void> {
  fs.rmSync(realStartedByTestsMarker, { force: true });
  const state = readState();
  const anything = state !== undefined || ourProcesses().size > 0 || fs.existsSync(daskImageFile);
  // Nothing of the real node here: stay silent (cluster:down runs this for kwok-only setups too).
  if (!anything) return;
  const problems: string[] = [];

  // 1. Let kubelet tear the pods down properly (CNI DEL, volumes), if the API still answers.
  if (pidOf('kubelet') && kubectl(['get', 'node', nodeName], 5_000).status === 0) {
    kubectl(['cordon', nodeName], 10_000);
    kubectl(['delete', 'pods', '--all-namespaces', '--field-selector', `spec.nodeName=${nodeName}`, '--grace-period=2', '--wait=false'], 30_000);
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const r = kubectl(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${nodeName}`, '-o', 'name'], 5_000);
      if (r.status !== 0 || !r.stdout.trim()) break;
      await sleep(500);
    }
  }
  if (kubectl(['get', 'node', nodeName], 5_000).status === 0) kubectl(['delete', 'node', nodeName, '--wait=false'], 10_000);

  // 2. Node daemons, then whatever containers remain (their network namespaces go too).
  const node = (['coredns', 'kube-proxy', 'kubelet'] as const).map(pidOf).filter((p): p is number => p !== undefined);
  await terminate(node);
  let netns: string[] = [];
  if (pidOf('containerd')) {
    netns = sandboxNetns();
    removeContainers();
  }
  const containerd = pidOf('containerd');
  if (containerd) await terminate([containerd]);
  // Shims (their command line names our socket) and anything else of ours still running.
  const leftovers = [...ourProcesses().keys()];
  if (leftovers.length) await terminate(leftovers, 5_000);

  // 3. Mounts: sandboxes' netns files, overlay rootfs, shm, kubelet volumes and its root bind.
  for (const ns of netns) {
    if (run('umount', [ns]).status !== 0) run('umount', ['-l', ns]);
    fs.rmSync(ns, { force: true });
  }
  const stuck = unmountAll([realDir]);
  if (stuck.length) problems.push(`still mounted: ${stuck.join(', ')}`);

  // 4. Cgroups, network, iptables, sysctls.
  const cg = await removeCgroups(state);
  if (cg.length) problems.push(`cgroups not removed: ${cg.join(', ')}`);
  for (const line of run('ip', ['-o', 'link', 'show', 'master', bridge]).stdout.split('\n')) {
    const dev = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (dev) run('ip', ['link', 'del', dev]);
  }
  if (run('ip', ['link', 'show', bridge]).status === 0) run('ip', ['link', 'del', bridge]);
  cleanupIptables(state?.nodeBin);
  removeNewEmptyNftTables(state?.nftTablesBefore);
  for (const [name, value] of Object.entries(state?.sysctls ?? {})) {
    if (readSysctl(name) !== value) {
      try {
        writeSysctl(name, value);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  }

  // 5. Files: what the node created outside the repo, and its runtime state inside it.
  for (const p of state?.createdPaths ?? []) {
    if (mountsUnder([p]).length) {
      problems.push(`${p} has mounts; left in place`);
      continue;
    }
    fs.rmSync(p, { recursive: true, force: true });
  }
  for (const p of [dirs.containerdState, dirs.kubeletRoot, dirs.cni, dirs.pids, containerdSock, daskImageFile, venvPath, statePath]) {
    if (!mountsUnder([p]).length) fs.rmSync(p, { recursive: true, force: true });
  }
  if (problems.length) throw new TestbedError(`real node stopped, but: ${problems.join('; ')}`);
  if (!opts.quiet) say(`real node down (logs kept in ${rel(realLogsDir)}/, images in ${rel(dirs.containerdRoot)})`);
}

/** `node test/cluster/real-node.ts up|down|status` (npm run cluster:up:real uses `up`). */
async function main(argv: string[]): Promise<void> {
  const cmd = argv[0] ?? 'up';
  if (cmd === 'up') await upReal();
  else if (cmd === 'down') {
    await downReal();
    await controlPlaneDown();
  } else if (cmd === 'status') {
    const st = realStatus();
    process.stdout.write(`${st.healthy ? 'healthy' : 'not healthy'}: ${st.running.join(', ') || 'nothing running'}\n`);
    if (!st.healthy) process.exitCode = 1;
  } else throw new TestbedError(`unknown command ${cmd}: use up, down or status`);
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runCli(() => main(process.argv.slice(2)));
}
