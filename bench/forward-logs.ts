// `node bench/forward-logs.ts`: kubectl dask port-forward and logs -f against kubectl
// port-forward and kubectl logs -f -l --prefix --max-log-requests, in the same run on the local
// testbed (npm run cluster:up; dist/kubectl-dask from npm run build). Prints numbers only: timings
// on a shared machine are too noisy to gate on.
//
// Forward: a loopback server behind the scheduler pod's ports (kwok PortForward) sends 256 MiB,
// or one byte per connection for the set-up latency. Logs: every worker's log is one shared file
// (kwok ClusterLogs); the bench appends lines and times until each tool printed them for every
// pod. Peak memory is the follower's VmHWM, with the page cache emptied first when run as root.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { componentDir, contextName, kubeconfigPath, kubectlPath, repoRoot } from '../test/cluster/testbed.ts';
import { freePort, startDask, waitForReadyPods } from '../test/e2e/forward/helpers.ts';
import { type Namespace, appendLogLine, forwardNamespacePort, freshNamespace, kubectlPortForward, serveNamespaceLogsFromFile, testbedEnv } from '../test/e2e/testbed/helpers.ts';
import { testbedTlsArgs } from './testbed-tls.ts';

const MiB = 1 << 20;
const TRANSFER = 256 * MiB;
const CONNECTIONS = 50;
const RUNS = 3;
// `node bench/forward-logs.ts [forward|logs] [PODS...]` runs one half, or the logs rows named.
const [part, ...podArgs] = process.argv.slice(2);
const POD_COUNTS = podArgs.length > 0 ? podArgs.map(Number) : [2, 20, 200];
// Lines appended per measurement, spread over the pods: each pod prints every line.
const LINES_TOTAL = 200_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const peakRssMiB = (pid: number | undefined) => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
/** User plus system CPU seconds the process has used (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s). */
const cpuSeconds = (pid: number | undefined) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
/**
 * CPU seconds the API server and kwok have used: for the same lines it depends on the follower
 * (see the logs table's note).
 */
const serverCpuSeconds = () =>
  ['kube-apiserver', 'kwok-controller'].reduce((sum, name) => sum + cpuSeconds(Number(fs.readFileSync(path.join(componentDir, 'pids', `${name}.pid`), 'utf8'))), 0);

/**
 * A loopback server behind the scheduler pod: sends `bytes` to each connection. close() also
 * drops the connections kwok keeps open to it (kwok closes its side only when the target does),
 * which would otherwise keep the bench from exiting.
 */
async function source(bytes: number): Promise<{ port: number; close(): void }> {
  const chunk = Buffer.alloc(MiB, 97);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(MiB, bytes - sent));
        sent += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Milliseconds until `bytes` arrived through the local port (kwok never ends the stream). */
function receive(port: number, bytes: number): Promise<{ firstByteMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let received = 0;
    let firstByteMs = 0;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      if (received === 0) firstByteMs = performance.now() - t0;
      received += d.length;
      if (received < bytes) return;
      socket.destroy();
      resolve({ firstByteMs, totalMs: performance.now() - t0 });
    });
    // A forward that ends the connection early would otherwise leave the bench waiting forever
    // (seen once, which side did it unknown); settled promises ignore the later reject.
    socket.on('close', () => reject(new Error(`the connection to local port ${port} closed after ${received} of ${bytes} bytes`)));
  });
}

interface ForwardResult {
  mibPerS: number;
  setupMs: number;
  peakMiB: number;
}

async function measureForward(bulkPort: number, pingPort: number, pid: number | undefined): Promise<ForwardResult> {
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) rates.push(TRANSFER / MiB / ((await receive(bulkPort, TRANSFER)).totalMs / 1000));
  const setups: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) setups.push((await receive(pingPort, 1)).firstByteMs);
  return { mibPerS: median(rates), setupMs: median(setups), peakMiB: peakRssMiB(pid) };
}

async function benchForward(ns: Namespace): Promise<void> {
  const bulk = await source(TRANSFER);
  const ping = await source(1);
  try {
    await forwardNamespacePort(ns.name, 8786, bulk.port);
    await forwardNamespacePort(ns.name, 8787, ping.port);
    const [pod] = await waitForReadyPods(ns.name, 'app.kubernetes.io/component=scheduler', 1);

    const args = ['port-forward', '-n', ns.name, '--port', '0', '--dashboard-port', '0'];
    // The first run after a build or an install compiles the bundle and writes its code cache,
    // 10-15 MiB more at its peak; every later run reads the cache, and that is the one measured.
    const first = startDask(args);
    await first.waitForLine('stderr', /forwarding to scheduler pod/);
    await first.interrupt();
    const ours = startDask(args);
    const [, schedulerPort] = await ours.waitForLine('stdout', /^Dask address:\s+tcp:\/\/127\.0\.0\.1:(\d+)$/);
    const [, dashboardPort] = await ours.waitForLine('stdout', /^Dashboard:\s+http:\/\/127\.0\.0\.1:(\d+)$/);
    await ours.waitForLine('stderr', /forwarding to scheduler pod/);
    const theirsBulk = await kubectlPortForward(ns.name, `pod/${pod}`, 8786);
    const theirsPing = await kubectlPortForward(ns.name, `pod/${pod}`, 8787);
    try {
      // Warm both paths once, then measure in turn.
      await receive(Number(schedulerPort), MiB);
      await receive(theirsBulk.localPort, MiB);
      const dask = await measureForward(Number(schedulerPort), Number(dashboardPort), ours.child.pid);
      const kubectl = await measureForward(theirsBulk.localPort, theirsPing.localPort, theirsBulk.process.pid);
      // kubectl needs a process per port; its peak is the larger of the two.
      kubectl.peakMiB = Math.max(kubectl.peakMiB, peakRssMiB(theirsPing.process.pid));
      console.log(`\nport-forward: ${TRANSFER / MiB} MiB download (median of ${RUNS}), set-up = connect to first byte (median of ${CONNECTIONS})`);
      row(['', 'kubectl dask', 'kubectl', 'dask/kubectl']);
      row(['throughput MiB/s', dask.mibPerS.toFixed(0), kubectl.mibPerS.toFixed(0), ratio(dask.mibPerS, kubectl.mibPerS)]);
      row(['set-up ms', dask.setupMs.toFixed(1), kubectl.setupMs.toFixed(1), ratio(dask.setupMs, kubectl.setupMs)]);
      row(['peak RSS MiB', dask.peakMiB.toFixed(0), kubectl.peakMiB.toFixed(0), ratio(dask.peakMiB, kubectl.peakMiB)]);
    } finally {
      ours.kill();
      theirsBulk.stop();
      theirsPing.stop();
    }
  } finally {
    bulk.close();
    ping.close();
  }
}

/**
 * A follower whose stdout is only counted: lines with the bench tag, and per warm-up round the
 * lines of that round (all pods printed it once every stream is open).
 */
function follower(command: string[], tag: string, expected: number): { child: ChildProcess; bench: () => number; doneAt: () => number | undefined; warm: Map<number, number> } {
  const [file, ...args] = command;
  const env = testbedEnv({ NO_COLOR: '1', PATH: `${path.join(repoRoot, 'dist')}${path.delimiter}${process.env.PATH ?? ''}` });
  const child = spawn(file!, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const warm = new Map<number, number>();
  const needle = `bench-${tag} `;
  let bench = 0;
  let doneAt: number | undefined;
  let rest = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes(needle)) {
        bench += 1;
        // Timed here, not when the poll below notices: a 250 ms tick was a tenth of a run.
        if (bench === expected) doneAt = performance.now();
      } else {
        const round = /warm-(\d+)$/.exec(line);
        if (round) warm.set(Number(round[1]), (warm.get(Number(round[1])) ?? 0) + 1);
      }
    }
  });
  return { child, bench: () => bench, doneAt: () => doneAt, warm };
}

async function until(check: () => boolean, timeoutMs: number, what: string, tick?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    tick?.();
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface LogsRun {
  perS: number;
  peakMiB: number;
  cpuS: number;
  serverCpuS: number;
}

/** Lines per second until every pod printed `lines` new lines, the follower's peak memory, and the CPU it and the servers used for them. */
async function measureLogs(command: string[], file: string, pods: number, lines: number, tag: string): Promise<LogsRun> {
  const run = follower(command, tag, pods * lines);
  try {
    let round = 0;
    await until(
      () => [...run.warm.values()].some((n) => n === pods),
      120_000,
      `${tag}: all ${pods} streams`,
      () => appendLogLine(file, `warm-${(round += 1)}`),
    );
    const text = Array.from({ length: lines }, (_, i) => `${new Date().toISOString()} stdout F bench-${tag} ${i} ${'x'.repeat(60)}\n`).join('');
    const cpu0 = cpuSeconds(run.child.pid);
    const serverCpu0 = serverCpuSeconds();
    const t0 = performance.now();
    fs.appendFileSync(file, text);
    await until(() => run.bench() >= pods * lines, 300_000, `${tag}: ${pods * lines} lines`);
    const ms = run.doneAt()! - t0;
    return { perS: (pods * lines) / (ms / 1000), peakMiB: peakRssMiB(run.child.pid), cpuS: cpuSeconds(run.child.pid) - cpu0, serverCpuS: serverCpuSeconds() - serverCpu0 };
  } finally {
    run.child.kill('SIGKILL');
  }
}

const INOTIFY_LIMIT = '/proc/sys/fs/inotify/max_user_instances';

/**
 * kwok follows each pod log with an inotify instance, and Debian allows 128 per user: raise the
 * limit for this run when we may (root), and put the old value back afterwards.
 */
function raiseInotifyLimit(needed: number): () => void {
  const before = Number(fs.readFileSync(INOTIFY_LIMIT, 'utf8'));
  if (before >= needed || process.getuid?.() !== 0) return () => {};
  fs.writeFileSync(INOTIFY_LIMIT, String(needed));
  return () => fs.writeFileSync(INOTIFY_LIMIT, String(before));
}

/** The CPUs a process may run on, as taskset prints them (`0-1`). */
const affinity = (pid: number) => execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }).trim().split(': ').pop()!;
const setAffinity = (pid: number, cpus: string) => execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });

/**
 * Puts the testbed's processes on the first CPU and this one, with the followers it starts and
 * the counting of their lines, on the others, as a laptop following a remote API server runs on
 * cores of its own; returns what puts the old CPUs back. On shared cores the rate measured how much
 * CPU the follower left the API server and kwok, not how fast it was: a busy loop started beside
 * the bare Node follower raised its 2-pod rate from 78k to 96k lines/s (README).
 */
function pinTestbedToFirstCpu(): { restore: () => void; note: string } {
  const cpus = os.availableParallelism();
  const notPinned = (why: string) => ({ restore: () => {}, note: `not pinned (${why}): the followers share CPUs with the API server and kwok` });
  if (cpus < 2) return notPinned('one CPU');
  const testbed = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'].map((name) => Number(fs.readFileSync(path.join(componentDir, 'pids', `${name}.pid`), 'utf8')));
  let before: (readonly [number, string])[];
  try {
    before = [process.pid, ...testbed].map((pid) => [pid, affinity(pid)] as const);
  } catch (error) {
    return notPinned(`taskset: ${(error as Error).message.split('\n')[0]}`);
  }
  for (const pid of testbed) setAffinity(pid, '0');
  const followerCpus = cpus === 2 ? '1' : `1-${cpus - 1}`;
  setAffinity(process.pid, followerCpus);
  return {
    restore: () => before.forEach(([pid, cpus]) => setAffinity(pid, cpus)),
    note: `API server, kwok, etcd and controllers on CPU 0; the followers and this bench on CPU ${followerCpus}`,
  };
}

async function benchLogs(): Promise<void> {
  const restoreInotify = raiseInotifyLimit(Math.max(...POD_COUNTS) + 16);
  const pinned = pinTestbedToFirstCpu();
  try {
    console.log(`\nlogs -f: ${pinned.note}`);
    await benchLogRows();
  } finally {
    pinned.restore();
    restoreInotify();
  }
}

async function benchLogRows(): Promise<void> {
  const inotify = Number(fs.readFileSync(INOTIFY_LIMIT, 'utf8'));
  console.log(`logs -f: lines per second until every pod printed ${LINES_TOTAL} lines in all (median of ${RUNS} interleaved rounds);`);
  console.log('highest peak RSS of the follower (kubectl dask, kubectl, bare Node); CPU seconds it used for the lines (medians), and the API server and kwok');
  console.log('together for the same lines (srv, with kubectl dask, kubectl and bare Node following: it is not the same)');
  console.log('(kubectl -t: kubectl logs with --timestamps, the lines kubectl dask always asks the server for, to resume exactly;');
  console.log(' node: bench/logs-floor.cjs, a bare Node HTTP/2 client copying the same streams to stdout, the floor for a Node plugin)');
  row(['pods', 'dask lines/s', 'kubectl lines/s', 'dask/kubectl', 'kubectl -t l/s', 'dask/kubectl -t', 'node l/s', 'MiB d/k/n', 'dask CPU s', 'kubectl CPU s', 'srv CPU s d/k/n']);
  for (const pods of POD_COUNTS) {
    // kwok follows each log with an inotify instance; the tools are measured one after the other.
    if (pods + 16 > inotify) {
      row([String(pods), `skipped: kwok needs fs.inotify.max_user_instances >= ${pods + 16} (now ${inotify})`]);
      continue;
    }
    const ns = await freshNamespace(`bench-logs-${pods}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-bench-'));
    try {
      const file = path.join(dir, 'pods.log');
      await serveNamespaceLogsFromFile(ns.name, file);
      const up = startDask(['up', '-n', ns.name, '--workers', String(pods), '--no-wait']);
      if ((await up.exited) !== 0) throw new Error(`kubectl dask up failed:\n${up.output()}`);
      await waitForReadyPods(ns.name, 'app.kubernetes.io/instance=dask', pods + 1, 300_000);
      const lines = Math.ceil(LINES_TOTAL / pods);
      const selector = 'app.kubernetes.io/component=worker';
      // Flags after the plugin name: kubectl only finds plugins named first.
      const k = (...args: string[]) => [kubectlPath, ...args, '--kubeconfig', kubeconfigPath, '--context', contextName];
      const kubectlArgs = ['logs', '-n', ns.name, '-f', '-l', selector, '--prefix', '--max-log-requests', String(pods), '--tail', '0'];
      const workers = await waitForReadyPods(ns.name, selector, pods, 300_000);
      const followers = {
        dask: k('dask', 'logs', '-n', ns.name, '-f', '--tail', '0'),
        kubectl: k(...kubectlArgs),
        'kubectl-t': k(...kubectlArgs, '--timestamps'),
        node: [process.execPath, path.join(repoRoot, 'bench', 'logs-floor.cjs'), ...testbedTlsArgs(dir), ns.name, ...workers],
      };
      // Interleaved rounds, medians: the API server and kwok share the two cores with the
      // follower, and one round of a tool varies by a third between runs.
      const results = new Map<string, LogsRun[]>();
      for (let i = 0; i < RUNS; i++) {
        for (const [tag, command] of Object.entries(followers)) {
          results.set(tag, [...(results.get(tag) ?? []), await measureLogs(command, file, pods, lines, `${tag}-${i}`)]);
        }
      }
      const pick = (tag: string) => {
        const all = results.get(tag)!;
        return {
          perS: median(all.map((r) => r.perS)),
          peakMiB: Math.max(...all.map((r) => r.peakMiB)),
          cpuS: median(all.map((r) => r.cpuS)),
          serverCpuS: median(all.map((r) => r.serverCpuS)),
        };
      };
      const [dask, kubectl, kubectlTimestamps, node] = [pick('dask'), pick('kubectl'), pick('kubectl-t'), pick('node')];
      row([
        String(pods),
        dask.perS.toFixed(0),
        kubectl.perS.toFixed(0),
        ratio(dask.perS, kubectl.perS),
        kubectlTimestamps.perS.toFixed(0),
        ratio(dask.perS, kubectlTimestamps.perS),
        node.perS.toFixed(0),
        [dask, kubectl, node].map((r) => r.peakMiB.toFixed(0)).join('/'),
        dask.cpuS.toFixed(2),
        kubectl.cpuS.toFixed(2),
        [dask, kubectl, node].map((r) => r.serverCpuS.toFixed(2)).join('/'),
      ]);
    } finally {
      await ns.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function row(cells: string[]): void {
  console.log(cells.map((c, i) => (i === 0 ? c.padEnd(18) : c.padStart(16))).join(''));
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

/**
 * Empties the page cache first when we may (root). Right after a build or an install the whole
 * executable is in it, and the kernel then maps 16 cached pages around each one a process
 * touches: every follower's peak RSS came out 15 MiB higher (logs 90-91 against 74-78 MiB).
 */
function dropPageCache(): string {
  if (process.getuid?.() !== 0) return 'page cache not dropped (not root): peak RSS right after a build reads about 15 MiB high';
  execFileSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
  return 'page cache dropped first';
}

console.log(dropPageCache());
if (part !== 'logs') {
  const ns = await freshNamespace('bench-forward');
  try {
    const up = startDask(['up', '-n', ns.name, '--workers', '0', '--no-wait']);
    if ((await up.exited) !== 0) throw new Error(`kubectl dask up failed:\n${up.output()}`);
    await benchForward(ns);
  } finally {
    await ns.cleanup();
  }
}
if (part !== 'forward') await benchLogs();
