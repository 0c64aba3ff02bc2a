import { describe, expect, it } from 'vitest';
import { addressesOf, chooseWorkersToRemove } from '../../../src/core/retire.ts';
import { containerCreatingPod, pod, terminatingPod } from './fixtures.ts';

function createdAt(name: string, iso: string) {
  const p = pod(name);
  p.metadata!.creationTimestamp = new Date(iso);
  return p;
}

describe('chooseWorkersToRemove', () => {
  const old = createdAt('dask-worker-abc-old', '2026-09-01T10:00:00Z');
  const mid = createdAt('dask-worker-abc-mid', '2026-09-01T10:05:00Z');
  const fresh = createdAt('dask-worker-abc-new', '2026-09-01T10:10:00Z');

  it('removes the newest Ready workers first: the ones that had least time to gather results', () => {
    expect(chooseWorkersToRemove([old, fresh, mid], 2)).toEqual(['dask-worker-abc-new', 'dask-worker-abc-mid']);
  });

  it('removes workers that are not Ready before any Ready one', () => {
    const starting = containerCreatingPod('dask-worker-abc-starting');
    expect(chooseWorkersToRemove([fresh, starting, old], 1)).toEqual(['dask-worker-abc-starting']);
  });

  it('does not count pods that are already terminating', () => {
    const leaving = terminatingPod('dask-worker-abc-leaving');
    expect(chooseWorkersToRemove([leaving, old, fresh], 1)).toEqual(['dask-worker-abc-new']);
  });

  it('chooses nothing for a count of 0 and at most every pod for a larger count', () => {
    expect(chooseWorkersToRemove([old, fresh], 0)).toEqual([]);
    expect(chooseWorkersToRemove([old, fresh], 5)).toHaveLength(2);
  });
});

describe('addressesOf', () => {
  it("maps pod names to the scheduler's worker addresses and skips workers it does not know", () => {
    const known = {
      workers: [
        { name: 'dask-worker-abc-old', address: 'tcp://10.244.0.5:40001' },
        { name: 'dask-worker-abc-new', address: 'tcp://10.244.0.7:40001' },
      ],
    };
    expect(addressesOf(known, ['dask-worker-abc-new', 'dask-worker-abc-gone'])).toEqual(['tcp://10.244.0.7:40001']);
  });
});
