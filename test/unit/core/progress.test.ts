import { describe, expect, it } from 'vitest';
import { type OperationState, withStep } from '../../../src/core/progress.ts';

function state(): OperationState {
  return {
    title: 'Creating Dask cluster "dask" in namespace default',
    steps: [
      { id: 'apply', label: 'Apply objects', status: 'done' },
      { id: 'scheduler', label: 'Scheduler ready', status: 'running', detail: '0/1 ready' },
      { id: 'workers', label: 'Workers ready', status: 'pending' },
    ],
    pods: [],
    events: ['Pod dask-worker-1: BackOff: Back-off pulling image'],
  };
}

describe('withStep', () => {
  it('changes only the named step, keeping its other fields', () => {
    const next = withStep(state(), 'scheduler', { status: 'done', detail: '1/1 ready' });
    expect(next.steps.map((s) => [s.id, s.status, s.detail])).toEqual([
      ['apply', 'done', undefined],
      ['scheduler', 'done', '1/1 ready'],
      ['workers', 'pending', undefined],
    ]);
    expect(next.steps[1]!.label).toBe('Scheduler ready');
    expect(next.title).toBe(state().title);
    expect(next.events).toEqual(state().events);
  });

  it('leaves the previous state untouched, so a renderer holding it never sees a change', () => {
    const before = state();
    const next = withStep(before, 'workers', { status: 'running' });
    expect(before).toEqual(state());
    expect(next).not.toBe(before);
    expect(next.steps).not.toBe(before.steps);
    expect(next.steps[2]).not.toBe(before.steps[2]);
  });

  it('returns an equal state for an unknown step id', () => {
    expect(withStep(state(), 'no-such-step', { status: 'failed' })).toEqual(state());
  });
});
