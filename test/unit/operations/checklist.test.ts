import { describe, expect, it } from 'vitest';
import { clusterReadiness } from '../../../src/core/readiness.ts';
import type { OperationState } from '../../../src/core/progress.ts';
import { Checklist } from '../../../src/operations/checklist.ts';
import { deployment } from '../core/fixtures.ts';

const names = { scheduler: 'dask-scheduler', worker: 'dask-worker' };

function checklist(): { list: Checklist; steps: () => OperationState['steps'] } {
  let last: OperationState | undefined;
  const list = new Checklist(
    'Dask cluster',
    [
      { id: 'scheduler', label: 'Scheduler ready' },
      { id: 'workers', label: 'Workers ready' },
    ],
    { update: (state) => (last = state), close: async () => {} },
  );
  return { list, steps: () => last!.steps };
}

describe('Checklist.showReadiness', () => {
  it('gives each rollout step its ready count, without repeating the label\'s "ready"', () => {
    const { list, steps } = checklist();
    list.showReadiness(clusterReadiness(names, deployment('scheduler'), deployment('worker', { replicas: 3, ready: 1 }), []), []);
    expect(steps().map((s) => [s.id, s.status, s.detail])).toEqual([
      ['scheduler', 'done', '1/1'],
      ['workers', 'running', '1/3'],
    ]);
  });

  it('counts old pods apart during a rollout, so the count never exceeds the desired', () => {
    const { list, steps } = checklist();
    list.showReadiness(clusterReadiness(names, deployment('scheduler'), deployment('worker', { replicas: 2, total: 3, updated: 2, ready: 3 }), []), []);
    expect(steps()[1]!.detail).toBe('2/2, 1 old pod(s) still running');
  });

  it('shows no count for a Deployment not seen yet, rather than 0/0', () => {
    const { list, steps } = checklist();
    list.showReadiness(clusterReadiness(names, undefined, undefined, []), []);
    expect(steps().map((s) => [s.status, s.detail])).toEqual([
      ['running', undefined],
      ['running', undefined],
    ]);
  });
});
