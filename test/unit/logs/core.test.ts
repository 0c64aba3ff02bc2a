import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  LineSplitter,
  LogCursor,
  colorSlot,
  jsonLine,
  logSelector,
  parseComponents,
  parseSince,
  parseTail,
  parseTimestampedLine,
  podLogs,
  shortPodName,
  timestampKey,
} from '../../../src/core/logs.ts';
import { UsageError } from '../../../src/core/errors.ts';

describe('flags', () => {
  it('picks workers by default, the scheduler or both', () => {
    expect(parseComponents({})).toEqual(['worker']);
    expect(parseComponents({ scheduler: true })).toEqual(['scheduler']);
    expect(parseComponents({ all: true })).toEqual(['scheduler', 'worker']);
    expect(() => parseComponents({ all: true, scheduler: true })).toThrow(UsageError);
  });

  it('selects the pods of one cluster by component', () => {
    expect(logSelector('etl', ['worker'])).toBe('app.kubernetes.io/name=dask,app.kubernetes.io/instance=etl,app.kubernetes.io/component=worker');
    expect(logSelector('etl', ['worker', 'scheduler'])).toBe('app.kubernetes.io/name=dask,app.kubernetes.io/instance=etl,app.kubernetes.io/component in (scheduler,worker)');
  });

  it.each([
    ['5m', 300],
    ['90s', 90],
    ['1h30m', 5400],
    ['1500ms', 2],
    ['45s', 45],
  ])('--since %s is %i s', (value, seconds) => {
    expect(parseSince(value)).toBe(seconds);
  });

  it.each(['', 'soon', '-5m', '0', '45', '5d'])('refuses --since %j with an example', (value) => {
    expect(() => parseSince(value)).toThrow(/--since .*5m/);
  });

  it('takes --since 0s, the example a bare 0 is given, as no limit, as kubectl does', () => {
    expect(() => parseSince('0')).toThrow(/e\.g\. 0s/);
    expect(parseSince('0s')).toBeUndefined();
  });

  it('reads --tail like kubectl: -1 is all', () => {
    expect(parseTail(undefined)).toBeUndefined();
    expect(parseTail('-1')).toBeUndefined();
    expect(parseTail('0')).toBe(0);
    expect(parseTail('100')).toBe(100);
    for (const bad of ['-2', 'ten', '1.5']) expect(() => parseTail(bad)).toThrow(/--tail 100/);
  });
});

describe('pod names and colours', () => {
  it('drops the ReplicaSet hash of Deployment pods', () => {
    expect(shortPodName('dask-worker-7d9f8c6b5-abc12', '7d9f8c6b5')).toBe('dask-worker-abc12');
    // The hash may also occur in the cluster name; only the last one is the ReplicaSet's.
    expect(shortPodName('abc-worker-abc-x1y2z', 'abc')).toBe('abc-worker-x1y2z');
    expect(shortPodName('standalone', undefined)).toBe('standalone');
    expect(shortPodName('other-pod', 'ffff')).toBe('other-pod');
  });

  it('gives a pod the same colour every time and spreads pods over the palette', () => {
    const names = Array.from({ length: 200 }, (_, i) => `dask-worker-7d9f8c6b5-${i.toString(36).padStart(5, 'q')}`);
    expect(names.map((n) => colorSlot(n, 10))).toEqual(names.map((n) => colorSlot(n, 10)));
    expect(new Set(names.map((n) => colorSlot(n, 10))).size).toBe(10);
  });
});

describe('timestamped lines', () => {
  it('splits the timestamp the API server adds from the message', () => {
    expect(parseTimestampedLine('2026-01-02T03:04:05.123456789Z distributed.worker - INFO - Start worker')).toEqual({
      timestamp: '2026-01-02T03:04:05.123456789Z',
      key: timestampKey('2026-01-02T03:04:05.123456789Z'),
      message: 'distributed.worker - INFO - Start worker',
    });
    expect(parseTimestampedLine('2026-01-02T03:04:05Z ').message).toBe('');
    expect(parseTimestampedLine('no timestamp here')).toEqual({ message: 'no timestamp here' });
  });

  it('orders timestamps by instant, though RFC3339Nano drops trailing zeros', () => {
    const a = timestampKey('2026-01-02T03:04:05.5Z')!;
    const b = timestampKey('2026-01-02T03:04:05.55Z')!;
    const c = timestampKey('2026-01-02T03:04:06Z')!;
    expect('2026-01-02T03:04:05.5Z' > '2026-01-02T03:04:05.55Z').toBe(true);
    expect([c, b, a].sort()).toEqual([a, b, c]);
    expect(timestampKey('2026-01-02T04:04:05.5+01:00')).toBe(a);
    expect(timestampKey('yesterday')).toBeUndefined();
  });
});

describe('LogCursor', () => {
  const line = (ts: string, message = ts) => parseTimestampedLine(`${ts} ${message}`);

  it('starts with the window of the flags, then resumes from the last line printed', () => {
    const cursor = new LogCursor({ tailLines: 10 });
    expect(cursor.window()).toEqual({ tailLines: 10 });
    cursor.accept(line('2026-01-02T03:04:05.1Z'));
    expect(cursor.window()).toEqual({ sinceTime: '2026-01-02T03:04:05.1Z' });
  });

  it('skips what a resumed stream sends again, including lines that share a timestamp', () => {
    const cursor = new LogCursor({});
    const first = ['2026-01-02T03:04:04.9Z a', '2026-01-02T03:04:05.1Z b', '2026-01-02T03:04:05.1Z c'];
    expect(first.map((l) => cursor.accept(parseTimestampedLine(l)))).toEqual([true, true, true]);
    // The API rounds sinceTime down to the second, so the replay starts before the cursor.
    cursor.reconnected();
    const replay = ['2026-01-02T03:04:04.9Z a', '2026-01-02T03:04:05.1Z b', '2026-01-02T03:04:05.1Z c', '2026-01-02T03:04:05.1Z d', '2026-01-02T03:04:05.2Z e'];
    expect(replay.map((l) => cursor.accept(parseTimestampedLine(l)))).toEqual([false, false, false, true, true]);
    // A second drop right after d and e: d must not come back, e neither.
    cursor.reconnected();
    expect(['2026-01-02T03:04:05.1Z d', '2026-01-02T03:04:05.2Z e', '2026-01-02T03:04:05.2Z f'].map((l) => cursor.accept(parseTimestampedLine(l)))).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('prints every line of a live stream, also one stamped earlier than the line before it', () => {
    // The container runtime stamps stdout and stderr lines as it reads each pipe, so a print and
    // the log record after it can reach the file in the other order.
    const cursor = new LogCursor({});
    const live = ['2026-01-02T03:04:05.300Z Task run finished', '2026-01-02T03:04:05.299Z second task got 42', '2026-01-02T03:04:05.300Z next'];
    expect(live.map((l) => cursor.accept(parseTimestampedLine(l)))).toEqual([true, true, true]);
    // Resuming goes by the latest timestamp printed, and skips the two lines printed with it.
    expect(cursor.window()).toEqual({ sinceTime: '2026-01-02T03:04:05.300Z' });
    cursor.reconnected();
    const replay = ['2026-01-02T03:04:05.300Z Task run finished', '2026-01-02T03:04:05.299Z second task got 42', '2026-01-02T03:04:05.300Z next', '2026-01-02T03:04:05.300Z new'];
    expect(replay.map((l) => cursor.accept(parseTimestampedLine(l)))).toEqual([false, false, false, true]);
    // Once past the resume point the stream is live again: an out-of-order line is printed.
    expect(cursor.accept(line('2026-01-02T03:04:05.298Z', 'late stderr line'))).toBe(true);
  });

  it('prints lines without a timestamp, as it cannot tell', () => {
    const cursor = new LogCursor({});
    expect(cursor.accept({ message: 'x' })).toBe(true);
    expect(cursor.window()).toEqual({});
  });
});

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps the unterminated rest for the end', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\r\nd')).toEqual(['bc']);
    expect(s.flush()).toEqual(['d']);
    expect(s.flush()).toEqual([]);
  });

  it('cuts a line that never ends, so memory stays bounded', () => {
    const s = new LineSplitter(4);
    expect(s.push('0123456789')).toEqual(['0123', '4567']);
    expect(s.push('\n')).toEqual(['89']);
  });

  it('forgets a partial line after a drop: the server sends it again', () => {
    const s = new LineSplitter();
    s.push('half a li');
    s.reset();
    expect(s.push('whole line\n')).toEqual(['whole line']);
  });
});

describe('podLogs', () => {
  const pod = (statuses: object[], containers = ['worker']): V1Pod =>
    ({
      metadata: { name: 'dask-worker-5b6c7d-xk2p9', uid: 'u1', labels: { 'pod-template-hash': '5b6c7d' } },
      spec: { containers: containers.map((name) => ({ name })) },
      status: { containerStatuses: statuses },
    }) as V1Pod;

  it('streams running and finished containers, not those that never started', () => {
    expect(podLogs(pod([{ name: 'worker', state: { running: {} } }])).containers).toEqual([{ name: 'worker', hasLogs: true, running: true, prefix: '[dask-worker-xk2p9]' }]);
    expect(podLogs(pod([{ name: 'worker', state: { terminated: { exitCode: 1 } } }])).containers[0]).toMatchObject({ hasLogs: true, running: false });
    expect(podLogs(pod([{ name: 'worker', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: {} } }])).containers[0]).toMatchObject({
      hasLogs: true,
      running: false,
    });
    expect(podLogs(pod([{ name: 'worker', state: { waiting: { reason: 'ImagePullBackOff' } } }])).containers[0]).toMatchObject({ hasLogs: false, waiting: 'ImagePullBackOff' });
    expect(podLogs(pod([])).containers[0]).toMatchObject({ hasLogs: false, waiting: 'ContainerCreating' });
  });

  it('names the container in the prefix only when the pod has several', () => {
    const p = podLogs(pod([], ['worker', 'sidecar']));
    expect(p.containers.map((c) => c.prefix)).toEqual(['[dask-worker-xk2p9/worker]', '[dask-worker-xk2p9/sidecar]']);
  });
});

it('writes one JSON object per line with a stable shape', () => {
  expect(jsonLine({ pod: 'p', container: 'c', timestamp: 't', message: 'm "q"' })).toBe('{"pod":"p","container":"c","timestamp":"t","message":"m \\"q\\""}');
  expect(JSON.parse(jsonLine({ pod: 'p', container: 'c', message: 'm' }))).toEqual({ pod: 'p', container: 'c', timestamp: null, message: 'm' });
});
