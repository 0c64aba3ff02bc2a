// streamLogs against a fake client: which streams open, what they print, how they resume.
import { PassThrough } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ExitCode, KubectlDaskError } from '../../../src/core/errors.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import type { PodLogRequest } from '../../../src/kube/paths.ts';
import { type LogsRequest, streamLogs } from '../../../src/operations/logs.ts';
import { formatLogLine } from '../../../src/ui/log-lines.ts';

function workerPod(suffix: string, state: 'running' | 'waiting' | 'terminated' = 'running', uid = suffix): V1Pod {
  return {
    metadata: { name: `dask-worker-5b6c7d-${suffix}`, uid, labels: { 'pod-template-hash': '5b6c7d' } },
    spec: { containers: [{ name: 'worker', image: 'x' }] },
    status: { containerStatuses: [{ name: 'worker', image: 'x', imageID: '', ready: true, restartCount: 0, state: { [state]: {} } }] },
  };
}

interface Opened {
  request: PodLogRequest;
  stream: PassThrough;
  signal: AbortSignal;
}

class FakeClient {
  pods: V1Pod[] = [];
  opened: Opened[] = [];
  failNext: Error | undefined;
  private onPods: ((pods: V1Pod[]) => void) | undefined;

  async listDeployments() {
    return [{}];
  }
  async listPods() {
    return this.pods;
  }
  observePods(_ns: string, _selector: string, signal: AbortSignal, onChange: (pods: V1Pod[]) => void): Promise<void> {
    this.onPods = onChange;
    onChange(this.pods);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  setPods(pods: V1Pod[]) {
    this.pods = pods;
    this.onPods?.(pods);
  }
  private onDeployments: ((items: object[]) => void) | undefined;
  observeDeployments(_ns: string, _selector: string, signal: AbortSignal, onChange: (items: object[]) => void): Promise<void> {
    this.onDeployments = onChange;
    onChange([{}]);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  deleteDeployments() {
    this.onDeployments?.([]);
  }
  async openPodLog(request: PodLogRequest, signal: AbortSignal) {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
    this.opened.push({ request, stream, signal });
    return stream;
  }
}

function run(client: FakeClient, request: Partial<LogsRequest> = {}) {
  const lines: string[] = [];
  const notices: string[] = [];
  // How many lines had been written each time end() was called.
  const ends: number[] = [];
  const stop = new AbortController();
  const done = streamLogs(
    client as unknown as KubeClient,
    { namespace: 'ns', name: 'dask', components: ['worker'], follow: true, previous: false, window: {}, signal: stop.signal, ...request },
    {
      format: (entry, prefix) => formatLogLine(entry, prefix, { output: 'text', color: false, timestamps: false }),
      write: (text) => void lines.push(...text.trimEnd().split('\n')),
      notice: (text) => void notices.push(text),
      end: () => void ends.push(lines.length),
    },
  );
  return { lines, notices, ends, stop, done };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('streamLogs', () => {
  it('prints every pod once its logs end, prefixed, without --follow', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa'), workerPod('bbbbb'), workerPod('ccccc', 'waiting')];
    const { lines, notices, ends, done } = run(client, { follow: false, window: { tailLines: 5 } });
    await until(() => client.opened.length === 2, 'two streams');
    expect(client.opened.map((o) => o.request)).toEqual([
      { namespace: 'ns', pod: 'dask-worker-5b6c7d-aaaaa', container: 'worker', follow: false, previous: false, tailLines: 5 },
      { namespace: 'ns', pod: 'dask-worker-5b6c7d-bbbbb', container: 'worker', follow: false, previous: false, tailLines: 5 },
    ]);
    client.opened[0]!.stream.end('2026-01-01T00:00:01Z hello\n2026-01-01T00:00:02Z no newline at the end');
    client.opened[1]!.stream.end('2026-01-01T00:00:01Z world\n');
    await done;
    // Pods interleave; each pod's lines keep their order.
    expect([...lines].sort()).toEqual(['[dask-worker-aaaaa] hello', '[dask-worker-aaaaa] no newline at the end', '[dask-worker-bbbbb] world']);
    expect(notices).toEqual(['[dask-worker-ccccc] no log yet: container worker is ContainerCreating']);
    // The output's end comes once, after the last line: the launcher exits right after.
    expect(ends).toEqual([3]);
  });

  it('resumes a dropped stream from the last timestamp without printing a line twice', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa')];
    const { lines, notices, stop, done } = run(client, { window: { sinceSeconds: 300 } });
    await until(() => client.opened.length === 1, 'the stream');
    client.opened[0]!.stream.write('2026-01-01T00:00:01.5Z one\n2026-01-01T00:00:01.5Z two\n2026-01-01T00:00:02Z thr');
    await until(() => lines.length === 2, 'two lines');
    client.opened[0]!.stream.destroy(Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } }));
    await until(() => client.opened.length === 2, 'the reconnect');
    expect(client.opened[1]!.request).toMatchObject({ sinceTime: '2026-01-01T00:00:01.5Z' });
    expect(client.opened[1]!.request.sinceSeconds).toBeUndefined();
    client.opened[1]!.stream.write('2026-01-01T00:00:01.5Z one\n2026-01-01T00:00:01.5Z two\n2026-01-01T00:00:02Z three\n');
    await until(() => lines.length === 3, 'the third line');
    stop.abort();
    await done;
    expect(lines).toEqual(['[dask-worker-aaaaa] one', '[dask-worker-aaaaa] two', '[dask-worker-aaaaa] three']);
    expect(notices).toEqual(['[dask-worker-aaaaa] log stream interrupted (terminated: UND_ERR_SOCKET); resuming with backoff']);
  });

  it('follows pods that start later and stops the streams of deleted pods', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa'), workerPod('bbbbb', 'waiting')];
    const { lines, notices, stop, done } = run(client, { window: { tailLines: 1 } });
    await until(() => client.opened.length === 1, 'the first stream');
    client.setPods([workerPod('aaaaa'), workerPod('bbbbb')]);
    await until(() => client.opened.length === 2, 'the stream of the pod that started');
    // --tail applies to the history at start; a container that starts later is read whole.
    expect(client.opened[0]!.request.tailLines).toBe(1);
    expect(client.opened[1]!.request.tailLines).toBeUndefined();
    client.opened[1]!.stream.write('2026-01-01T00:00:01Z started\n');
    await until(() => lines.length === 1, 'its line');
    client.setPods([workerPod('bbbbb')]);
    expect(client.opened[0]!.signal.aborted).toBe(true);
    expect(client.opened[1]!.signal.aborted).toBe(false);
    stop.abort();
    await done;
    expect(lines).toEqual(['[dask-worker-bbbbb] started']);
    expect(notices).toEqual(['[dask-worker-bbbbb] new pod: following its log']);
    expect(client.opened[1]!.signal.aborted).toBe(true);
  });

  it('reopens the log of a restarted container from where it stopped', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa')];
    const { lines, stop, done } = run(client);
    await until(() => client.opened.length === 1, 'the stream');
    client.setPods([workerPod('aaaaa', 'terminated')]);
    client.opened[0]!.stream.end('2026-01-01T00:00:01Z before the crash\n');
    await until(() => lines.length === 1, 'the line');
    await new Promise((r) => setTimeout(r, 50));
    expect(client.opened.length).toBe(1);
    client.setPods([workerPod('aaaaa', 'running')]);
    await until(() => client.opened.length === 2, 'the reopened stream');
    expect(client.opened[1]!.request.sinceTime).toBe('2026-01-01T00:00:01Z');
    stop.abort();
    await done;
  });

  it('ends a follow once the Deployments and then the last pod are gone, and not before', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa')];
    const { notices, done } = run(client);
    let ended = false;
    void done.then(() => (ended = true));
    await until(() => client.opened.length === 1, 'the stream');
    client.setPods([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(ended, 'scaled to 0: still following').toBe(false);
    client.setPods([workerPod('bbbbb')]);
    client.deleteDeployments();
    await new Promise((r) => setTimeout(r, 50));
    expect(ended, 'a pod is still terminating').toBe(false);
    client.setPods([]);
    await done;
    expect(notices).toContain('Dask cluster "dask" was deleted: nothing left to follow');
  });

  it('stops everything and fails when the API server forbids reading logs', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa')];
    client.failNext = new KubectlDaskError('forbidden: you may not get pods/log', ExitCode.forbidden);
    const { done } = run(client);
    await expect(done).rejects.toThrow('forbidden');
  });

  it('with --previous, says that a container that never restarted has no previous instance, and is no failure', async () => {
    const client = new FakeClient();
    client.pods = [workerPod('aaaaa')];
    // What a kubelet answers (HTTP 400) for a container without a previous instance.
    client.failNext = new KubectlDaskError(
      'the API server refused to get pods/log in namespace "ns": previous terminated container "worker" in pod "dask-worker-5b6c7d-aaaaa" not found',
      ExitCode.failure,
    );
    const { notices, done } = run(client, { follow: false, previous: true });
    await done;
    expect(notices).toEqual(['[dask-worker-aaaaa] has no previous instance']);
    expect(client.opened).toEqual([]);
  });
});
