// Pure logic of port-forward, without any server: which scheduler pod new connections go to,
// and how a bind address is printed. What talks to the API server is in
// test/e2e/forward/run-port-forward.e2e.test.ts and forward-connection.e2e.test.ts.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { displayHost, pickTarget } from '../../../src/operations/port-forward.ts';

function schedulerPod(name: string, opts: { ready?: boolean; terminating?: boolean; created?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      creationTimestamp: new Date(opts.created ?? '2026-01-01T00:00:00Z'),
      labels: { 'app.kubernetes.io/component': 'scheduler' },
      ...(opts.terminating ? { deletionTimestamp: new Date('2026-01-01T01:00:00Z') } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

describe('pickTarget', () => {
  const a = schedulerPod('a', { created: '2026-01-01T00:00:00Z' });
  const b = schedulerPod('b', { created: '2026-01-01T00:05:00Z' });

  it('takes the newest Ready pod, and stays on the current one while it is Ready', () => {
    expect(pickTarget([a, b], undefined)).toBe('b');
    expect(pickTarget([a, b], 'a')).toBe('a');
  });

  it('leaves pods that are terminating or not Ready', () => {
    expect(pickTarget([schedulerPod('a', { terminating: true }), b], 'a')).toBe('b');
    expect(pickTarget([schedulerPod('a', { ready: false })], 'a')).toBeUndefined();
    expect(pickTarget([], undefined)).toBeUndefined();
  });
});

it('prints loopback for any-address binds and brackets IPv6', () => {
  expect(displayHost('127.0.0.1')).toBe('127.0.0.1');
  expect(displayHost('0.0.0.0')).toBe('127.0.0.1');
  expect(displayHost('::')).toBe('[::1]');
  expect(displayHost('::1')).toBe('[::1]');
  expect(displayHost('localhost')).toBe('localhost');
});
