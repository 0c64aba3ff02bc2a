// `kubectl dask logs` against the testbed: kwok serves each pod's log from a CRI-format file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Namespace, appendLogLine, freshNamespace, kubectl, kubectlJson, serveNamespaceLogsFromFile, servePodLogsFromFile } from '../testbed/helpers.ts';
import { contextName, kubeconfigPath, repoRoot, testbedEnv } from '../../cluster/testbed.ts';
import { dask, startDask, waitForReadyPods } from './helpers.ts';

interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
}

const shortName = (pod: Pod) => pod.metadata.name.replace(`-${pod.metadata.labels['pod-template-hash']}-`, '-');

describe('logs', () => {
  let ns: Namespace;
  let dir: string;

  async function pods(component: string): Promise<Pod[]> {
    const list = await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', ns.name, '-l', `app.kubernetes.io/component=${component}`]);
    return list.items.filter((p) => !p.metadata.deletionTimestamp);
  }

  async function waitForWorkers(count: number): Promise<Pod[]> {
    await waitForReadyPods(ns.name, 'app.kubernetes.io/instance=dask', count + 1);
    return pods('worker');
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-logs-'));
    ns = await freshNamespace('logs');
    const up = await dask(['up', '-n', ns.name, '--workers', '2', '--no-wait']);
    expect(up.code, up.stderr).toBe(0);
    await waitForWorkers(2);
  });

  afterAll(async () => {
    await ns?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the lines of every worker, each prefixed with its short pod name, and the scheduler with --all', async () => {
    const all = [...(await pods('worker')), ...(await pods('scheduler'))];
    for (const pod of all) {
      const file = path.join(dir, `${pod.metadata.name}.log`);
      appendLogLine(file, `started ${pod.metadata.name}\nready ${pod.metadata.name}`);
      await servePodLogsFromFile(ns.name, pod.metadata.name, file);
    }
    const workers = await dask(['logs', '-n', ns.name]);
    expect(workers.code, workers.stderr).toBe(0);
    const expected = (await pods('worker')).flatMap((p) => [`[${shortName(p)}] started ${p.metadata.name}`, `[${shortName(p)}] ready ${p.metadata.name}`]);
    expect(workers.stdout.split('\n').sort()).toEqual(expected.sort());

    const json = await dask(['logs', '-n', ns.name, '--all', '--tail', '1', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const objects = json.stdout.split('\n').map((l) => JSON.parse(l));
    expect(objects.map((o) => `${o.container} ${o.message}`).sort()).toEqual(all.map((p) => `${p.metadata.labels['app.kubernetes.io/component']} ready ${p.metadata.name}`).sort());
    for (const o of objects) expect(Date.parse(o.timestamp)).toBeGreaterThan(0);

    const scheduler = await dask(['logs', '-n', ns.name, '--scheduler', '--timestamps', '--tail', '1']);
    const [schedulerPod] = await pods('scheduler');
    expect(scheduler.stdout).toMatch(new RegExp(`^\\[${shortName(schedulerPod!)}\\] \\d{4}-\\d\\d-\\d\\dT\\S+ ready ${schedulerPod!.metadata.name}$`));
  });

  it("passes a log's bytes on unchanged, as kubectl logs does, UTF-8 or not; -o json has them as Unicode", async () => {
    const [pod] = await pods('worker');
    const file = path.join(dir, `${pod!.metadata.name}-bytes.log`);
    const text = Buffer.from('caf\u00e9 \u2713 ', 'utf8');
    const notUtf8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28]);
    fs.writeFileSync(file, Buffer.concat([Buffer.from(`${new Date().toISOString()} stdout F `), text, notUtf8, Buffer.from(' end\n')]));
    await servePodLogsFromFile(ns.name, pod!.metadata.name, file);
    const run = (...args: string[]) =>
      execFileSync(path.join(repoRoot, 'dist', 'kubectl-dask'), ['logs', pod!.metadata.name.split('-worker-')[0]!, '--kubeconfig', kubeconfigPath, '--context', contextName, '-n', ns.name, ...args], {
        env: testbedEnv({ NO_COLOR: '1' }),
      });
    const line = run().toString('latin1').split('\n').find((l) => l.includes(' end'))!;
    expect(Buffer.from(line, 'latin1').subarray(-(text.length + notUtf8.length + 4))).toEqual(Buffer.concat([text, notUtf8, Buffer.from(' end')]));
    const object = run('-o', 'json').toString('utf8').split('\n').filter((l) => l.includes(' end')).map((l) => JSON.parse(l))[0];
    expect(object.message).toBe('caf\u00e9 \u2713 \ufffd\ufffd\ufffd( end');
  });

  it('-p prints what the previous instance of each container printed, as kubectl logs -p; not with -f', async () => {
    const workers = await pods('worker');
    for (const pod of workers) {
      const current = path.join(dir, `${pod.metadata.name}-current.log`);
      const previous = path.join(dir, `${pod.metadata.name}-previous.log`);
      appendLogLine(current, 'after the restart');
      appendLogLine(previous, `before the crash of ${pod.metadata.name}`);
      await servePodLogsFromFile(ns.name, pod.metadata.name, current, { previousFile: previous });
    }
    const r = await dask(['logs', '-n', ns.name, '-p']);
    expect(r.code, r.stderr).toBe(0);
    for (const pod of workers) expect(r.stdout).toContain(`[${shortName(pod)}] before the crash of ${pod.metadata.name}`);
    expect(r.stdout).not.toContain('after the restart');
    const both = await dask(['logs', '-n', ns.name, '-p', '-f']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: -p\/--previous shows logs of instances that ended: leave out -f/);
  });

  it('follows pods that start after it, and stops following deleted ones', async () => {
    // One file for every pod of the namespace: pods created by the scale-up are served too.
    const file = path.join(dir, 'shared.log');
    appendLogLine(file, 'before the scale-up');
    const cleanup = await serveNamespaceLogsFromFile(ns.name, file);
    // Pod-specific Logs objects of the previous test take precedence: remove them.
    await kubectl(['delete', 'logs.kwok.x-k8s.io', '--all', '-n', ns.name]);
    const follow = startDask(['logs', '-n', ns.name, '-f']);
    try {
      const before = await pods('worker');
      for (const p of before) await follow.waitForLine('stdout', new RegExp(`^\\[${shortName(p)}\\] before the scale-up$`));

      const scaled = await dask(['scale', '-n', ns.name, '--workers', '3', '--no-wait']);
      expect(scaled.code, scaled.stderr).toBe(0);
      const after = await waitForWorkers(3);
      const added = after.find((p) => !before.some((b) => b.metadata.name === p.metadata.name))!;
      const readyAt = Date.now();
      await follow.waitForLine('stdout', new RegExp(`^\\[${shortName(added)}\\] before the scale-up$`), 10_000);
      // The bound: within 2 s of the container starting (Ready here; kwok starts both at once).
      expect(Date.now() - readyAt).toBeLessThan(2_000);
      expect(follow.stderr).toContain(`[${shortName(added)}] new pod: following its log`);

      const gone = before[0]!;
      await kubectl(['delete', 'pod', '-n', ns.name, gone.metadata.name, '--wait=true'], { timeoutMs: 60_000 });
      const mark = follow.stdout.length;
      appendLogLine(file, 'after the deletion');
      for (const p of after.filter((p) => p.metadata.name !== gone.metadata.name)) await follow.waitForLine('stdout', new RegExp(`^\\[${shortName(p)}\\] after the deletion$`), 10_000, mark);
      expect(follow.stdout.slice(mark)).not.toContain(`[${shortName(gone)}] after the deletion`);
      // Each line once per pod: nothing is printed twice while following.
      expect(new Set(follow.stdout).size).toBe(follow.stdout.length);
    } finally {
      // Ctrl-C ends a follow as it ends kubectl logs -f: 130, and no error to report.
      const stopped = await follow.interrupt();
      expect(stopped.code).toBe(130);
      expect(follow.stderr.filter((line) => line.startsWith('error:'))).toEqual([]);
      await cleanup();
    }
  });
});

describe('logs -f of a cluster that is deleted', () => {
  it('ends with 0 once down has deleted it, saying so; a cluster scaled to 0 is still followed', async () => {
    await using ns = await freshNamespace('logs-deleted');
    const up = await dask(['up', '-n', ns.name, '--workers', '1', '--no-wait']);
    expect(up.code, up.stderr).toBe(0);
    await waitForReadyPods(ns.name, 'app.kubernetes.io/instance=dask', 2);
    const follow = startDask(['logs', '-n', ns.name, '-f']);
    try {
      const scaled = await dask(['scale', '-n', ns.name, '--workers', '0', '--force']);
      expect(scaled.code, scaled.stderr).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(follow.child.exitCode, follow.output()).toBeNull();
      const down = await dask(['down', '--yes', '-n', ns.name]);
      expect(down.code, down.stderr).toBe(0);
      // Scaled to 0 it went on (the cluster may get workers again); deleted, it ends.
      await follow.waitForLine('stderr', /^Dask cluster "dask" was deleted: nothing left to follow$/, 15_000);
      expect(await follow.exited).toBe(0);
    } finally {
      follow.kill();
    }
  });
});

describe('logs that cannot be read', () => {
  let ns: Namespace;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-logs-unread-'));
    ns = await freshNamespace('logs-unread');
    const up = await dask(['up', '-n', ns.name, '--workers', '2', '--no-wait']);
    expect(up.code, up.stderr).toBe(0);
    await waitForReadyPods(ns.name, 'app.kubernetes.io/instance=dask', 3);
  });

  afterAll(async () => {
    await ns?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are named after the logs that could be read are printed, and the command exits 1', async () => {
    const list = await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', ns.name, '-l', 'app.kubernetes.io/component=worker']);
    const [served, unserved] = list.items;
    // kwok serves no log for a pod it was not told about: the API server answers "no logs found".
    const file = path.join(dir, 'served.log');
    appendLogLine(file, 'a line that can be read');
    await servePodLogsFromFile(ns.name, served!.metadata.name, file);

    const r = await dask(['logs', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe(`[${shortName(served!)}] a line that can be read`);
    expect(r.stderr).toContain(`[${shortName(unserved!)}] giving up on this log:`);
    // The commands it suggests repeat the connection flags it was run with (dask() passes them).
    const where = `--kubeconfig ${kubeconfigPath} --context ${contextName} -n ${ns.name}`;
    expect(r.stderr.split('\n').at(-1)).toBe(
      `error: could not read the log of [${shortName(unserved!)}], see above; the other logs were printed. Check the pods with kubectl dask status ${where}, then run kubectl dask logs ${where} again`,
    );
  });
});
