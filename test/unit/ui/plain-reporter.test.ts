import { describe, expect, it } from 'vitest';
import { withStep } from '../../../src/core/progress.ts';
import { createPlainReporter } from '../../../src/ui/plain-reporter.ts';
import { operation, pod } from './fixtures.ts';

function capture(color = false) {
  let text = '';
  const reporter = createPlainReporter(color, { write: (chunk: string | Uint8Array) => ((text += String(chunk)), true) });
  return { reporter, lines: () => text.split('\n').slice(0, -1) };
}

const start = operation([
  { id: 'apply', label: 'Applied service/dask-scheduler', status: 'pending' },
  { id: 'workers', label: 'Workers ready', status: 'pending' },
]);

describe('plain reporter', () => {
  it('writes one line per step change and nothing for repeats or pending steps', async () => {
    const { reporter, lines } = capture();
    const applied = withStep(start, 'apply', { status: 'done' });
    const waiting = withStep(applied, 'workers', { status: 'running', detail: '0/2' });
    const half = withStep(waiting, 'workers', { detail: '1/2' });
    const done = withStep(half, 'workers', { status: 'done', detail: '2/2' });
    for (const state of [start, start, applied, applied, waiting, half, half, done]) reporter.update(state);
    await reporter.close();
    expect(lines()).toEqual([
      'Creating Dask cluster "dask" in namespace default',
      '✓ Applied service/dask-scheduler',
      '… Workers ready 0/2',
      '… Workers ready 1/2',
      '✓ Workers ready 2/2',
    ]);
  });

  it('reports a failed step', () => {
    const { reporter, lines } = capture();
    reporter.update(withStep(start, 'apply', { status: 'failed', detail: 'forbidden' }));
    expect(lines().at(-1)).toBe('✗ Applied service/dask-scheduler forbidden');
  });

  it('says each new warning event and pod reason once', () => {
    const { reporter, lines } = capture();
    const event = 'Pod dask-worker-x: FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.';
    const pulling = pod('dask-worker-x', { ready: false, phase: 'Pending', reason: 'ErrImagePull', message: 'not found' });
    const backoff = { ...pulling, reason: 'ImagePullBackOff', message: 'Back-off pulling image "dask:nope"' };
    reporter.update(operation([], [pod('dask-scheduler-a'), pulling], [event]));
    reporter.update(operation([], [pod('dask-scheduler-a'), backoff], [event]));
    reporter.update(operation([], [pod('dask-scheduler-a'), { ...pulling, message: 'changed' }], [event, 'Pod dask-worker-x: Failed: boom']));
    reporter.update(operation([], [pod('dask-scheduler-a'), backoff], [event, 'Pod dask-worker-x: Failed: boom']));
    expect(lines()).toEqual([
      'Creating Dask cluster "dask" in namespace default',
      '! Pod dask-worker-x: ErrImagePull: not found',
      `! Warning ${event}`,
      '! Pod dask-worker-x: ImagePullBackOff: Back-off pulling image "dask:nope"',
      '! Warning Pod dask-worker-x: Failed: boom',
    ]);
  });

  it('writes a new title when the operation changes', () => {
    const { reporter, lines } = capture();
    reporter.update(start);
    reporter.update({ ...start, title: 'Scaling Dask cluster "dask"' });
    expect(lines()).toEqual([start.title, 'Scaling Dask cluster "dask"']);
  });

  it('colours marks only when asked', () => {
    const { reporter, lines } = capture(true);
    reporter.update(withStep(start, 'apply', { status: 'done' }));
    expect(lines()).toEqual([`\x1b[1m${start.title}\x1b[22m`, '\x1b[32m✓\x1b[39m Applied service/dask-scheduler']);
  });
});
