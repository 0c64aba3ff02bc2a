import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Progress } from '../../../src/ui/ink/progress.tsx';
import { NOW, minutesAgo, operation, pod } from './fixtures.ts';

afterEach(cleanup);

const steps = operation([
  { id: 'apply', label: 'Applied service/dask-scheduler', status: 'done' },
  { id: 'scheduler', label: 'Scheduler ready', status: 'failed', detail: '0/1' },
  { id: 'workers', label: 'Workers ready', status: 'running', detail: '1/2' },
  { id: 'dashboard', label: 'Dashboard', status: 'pending' },
]);

const frameOf = (lastFrame: () => string | undefined) =>
  stripVTControlCharacters(lastFrame() ?? '')
    .split('\n')
    .map((line) => line.trimEnd());

describe('Ink progress view', () => {
  it('draws the checklist with a spinner for running steps', () => {
    const { lastFrame } = render(<Progress state={steps} frame={1} color={true} now={NOW} />);
    expect(frameOf(lastFrame)).toEqual([
      'Creating Dask cluster "dask" in namespace default',
      '✓ Applied service/dask-scheduler',
      '✗ Scheduler ready 0/1',
      '⠙ Workers ready 1/2',
      '· Dashboard',
    ]);
  });

  it('shows the pod table with reasons and ages', () => {
    const pods = [
      pod('dask-scheduler-5d8f7-abcde'),
      pod('dask-worker-7c9b4-fghij', { ready: false, phase: 'Pending', reason: 'ImagePullBackOff', restarts: 2, createdAt: minutesAgo(0.5) }),
      pod('dask-worker-7c9b4-klmno', { ready: false, terminating: true }),
    ];
    const { lastFrame } = render(<Progress state={{ ...steps, steps: [], pods }} frame={0} color={false} now={NOW} />);
    expect(frameOf(lastFrame)).toEqual([
      'Creating Dask cluster "dask" in namespace default',
      '',
      'NAME                         COMPONENT   READY   STATUS             RESTARTS   AGE',
      'dask-scheduler-5d8f7-abcde   scheduler   yes     Running            0          5m',
      'dask-worker-7c9b4-fghij      worker      no      ImagePullBackOff   2          30s',
      'dask-worker-7c9b4-klmno      worker      no      Terminating        0          5m',
    ]);
  });

  it('keeps the live frame short for big clusters, stuck pods first', () => {
    const pods = Array.from({ length: 12 }, (_, i) => pod(`dask-worker-${String(i).padStart(2, '0')}`, { ready: i !== 11 }));
    const { lastFrame } = render(<Progress state={{ ...steps, steps: [], pods }} frame={0} color={false} now={NOW} />);
    const frame = frameOf(lastFrame);
    expect(frame[3]).toMatch(/^dask-worker-11 +worker +no /);
    expect(frame.filter((line) => line.startsWith('dask-worker-'))).toHaveLength(10);
    expect(frame.at(-1)).toBe('… 2 more pods');
  });

  it('stays shorter than the terminal: fewer pod rows on a short one, a count alone on a tiny one', () => {
    const pods = Array.from({ length: 30 }, (_, i) => pod(`dask-worker-${String(i).padStart(2, '0')}`, { ready: i > 1 }));
    const state = { ...steps, pods };
    for (const rows of [24, 20, 14, 9]) {
      const { lastFrame } = render(<Progress state={state} frame={0} color={false} now={NOW} rows={rows} />);
      expect(frameOf(lastFrame).length, `${rows} rows`).toBeLessThan(rows);
    }
    const short = frameOf(render(<Progress state={state} frame={0} color={false} now={NOW} rows={14} />).lastFrame);
    expect(short.filter((line) => line.startsWith('dask-worker-'))).toHaveLength(14 - steps.steps.length - 5);
    expect(short.at(-1)).toMatch(/^… \d+ more pods$/);
    const tiny = frameOf(render(<Progress state={state} frame={0} color={false} now={NOW} rows={9} />).lastFrame);
    expect(tiny.at(-1)).toBe('… 30 pods');
  });

  it('leaves out the pod columns a narrow terminal can spare, keeping name, readiness and status whole', () => {
    const pods = [pod('dask-worker-7c9b4d5f6b-snbr8', { ready: false, phase: 'Pending', reason: 'Unschedulable' })];
    const wide = frameOf(render(<Progress state={{ ...steps, steps: [], pods }} frame={0} color={false} now={NOW} rows={24} columns={100} />).lastFrame);
    expect(wide[2]).toBe(`NAME${' '.repeat(27)}COMPONENT   READY   STATUS          RESTARTS   AGE`);
    const narrow = frameOf(render(<Progress state={{ ...steps, steps: [], pods }} frame={0} color={false} now={NOW} rows={24} columns={64} />).lastFrame);
    expect(narrow.slice(2)).toEqual([`NAME${' '.repeat(27)}READY   STATUS          RESTARTS`, 'dask-worker-7c9b4d5f6b-snbr8   no      Unschedulable   0']);
    const narrower = frameOf(render(<Progress state={{ ...steps, steps: [], pods }} frame={0} color={false} now={NOW} rows={24} columns={60} />).lastFrame);
    expect(narrower.slice(2)).toEqual([`NAME${' '.repeat(27)}READY   STATUS`, 'dask-worker-7c9b4d5f6b-snbr8   no      Unschedulable']);
  });

  it('cuts long lines at the terminal width rather than wrapping them onto more rows', () => {
    const long = { ...steps, title: `Creating Dask cluster "${'x'.repeat(100)}" in namespace default` };
    const { lastFrame } = render(<Progress state={long} frame={0} color={false} now={NOW} rows={24} />);
    expect(frameOf(lastFrame)).toHaveLength(1 + steps.steps.length);
  });

  it('prints each warning event once, above the live frame', () => {
    const first = 'Pod dask-worker-x: FailedScheduling: 0/1 nodes are available';
    const { lastFrame, rerender } = render(<Progress state={{ ...steps, steps: [], events: [first] }} frame={0} color={false} now={NOW} />);
    rerender(<Progress state={{ ...steps, steps: [], events: [first, 'Pod dask-worker-y: BackOff: restarting'] }} frame={1} color={false} now={NOW} />);
    expect(frameOf(lastFrame)).toEqual([
      `! Warning ${first}`,
      '! Warning Pod dask-worker-y: BackOff: restarting',
      'Creating Dask cluster "dask" in namespace default',
    ]);
  });
});
