import { describe, expect, it } from 'vitest';
import { clusterReadiness, describeEvents, podsAgreeWithRollouts, summarizePod, summarizeRollout } from '../../../src/core/readiness.ts';
import {
  CREATED,
  containerCreatingPod,
  crashLoopPod,
  deployment,
  event,
  imagePullBackOffPod,
  pod,
  terminatingPod,
  unschedulablePod,
} from './fixtures.ts';

const NAMES = { scheduler: 'dask-scheduler', worker: 'dask-worker' };

describe('summarizePod', () => {
  it('a Ready pod has no reason, and carries its node, age and component', () => {
    expect(summarizePod(pod('dask-scheduler-5d8f7c9b4-abcde'))).toEqual({
      name: 'dask-scheduler-5d8f7c9b4-abcde',
      component: 'scheduler',
      phase: 'Running',
      ready: true,
      restarts: 0,
      node: 'kind-worker',
      createdAt: CREATED.toISOString(),
      terminating: false,
    });
  });

  it('reports ImagePullBackOff with the registry message', () => {
    expect(summarizePod(imagePullBackOffPod('dask-worker-7c9b4-fghij'))).toMatchObject({
      phase: 'Pending',
      ready: false,
      reason: 'ImagePullBackOff',
      message: expect.stringContaining('ghcr.io/dask/dask:no-such-tag'),
    });
  });

  it('reports CrashLoopBackOff and counts the restarts', () => {
    expect(summarizePod(crashLoopPod('dask-worker-7c9b4-fghij'))).toMatchObject({ ready: false, reason: 'CrashLoopBackOff', restarts: 5 });
  });

  it('reports an unschedulable pod with the scheduler\'s explanation and no node', () => {
    const view = summarizePod(unschedulablePod('dask-worker-7c9b4-fghij'));
    expect(view).toMatchObject({ phase: 'Pending', reason: 'Unschedulable', message: expect.stringContaining('Insufficient memory') });
    expect(view.node).toBeUndefined();
  });

  it('reports a container killed for memory before kubelet restarts it', () => {
    const oom = pod('dask-worker-7c9b4-fghij', {
      conditions: [],
      container: { restartCount: 1, state: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: CREATED, finishedAt: CREATED } } },
    });
    expect(summarizePod(oom)).toMatchObject({ ready: false, reason: 'OOMKilled', restarts: 1 });
  });

  it('gives no reason while the container is merely being created', () => {
    expect(summarizePod(containerCreatingPod('dask-worker-7c9b4-fghij')).reason).toBeUndefined();
  });

  it('marks a pod with a deletionTimestamp as terminating', () => {
    expect(summarizePod(terminatingPod('dask-worker-7c9b4-fghij')).terminating).toBe(true);
  });

  it('calls a pod without the component label unknown rather than guessing', () => {
    const p = pod('stray');
    delete p.metadata!.labels!['app.kubernetes.io/component'];
    expect(summarizePod(p).component).toBe('unknown');
  });
});

describe('summarizeRollout (kubectl rollout status rules)', () => {
  it('a Deployment that does not exist is not rolled out', () => {
    expect(summarizeRollout('dask-worker', undefined)).toMatchObject({ exists: false, rolledOut: false });
  });

  it('is rolled out when the newest generation is observed and every replica is updated and ready', () => {
    expect(summarizeRollout('dask-worker', deployment('worker', { replicas: 3 }))).toMatchObject({
      exists: true,
      desired: 3,
      ready: 3,
      updated: 3,
      old: 0,
      rolledOut: true,
    });
  });

  it('is not rolled out while the controller has not observed the latest spec, even if counts look done', () => {
    expect(summarizeRollout('dask-worker', deployment('worker', { generation: 2, observedGeneration: 1 })).rolledOut).toBe(false);
  });

  it('is not rolled out while pods of the old revision still run', () => {
    const view = summarizeRollout('dask-worker', deployment('worker', { replicas: 2, total: 3, updated: 2 }));
    expect(view).toMatchObject({ old: 1, rolledOut: false });
  });

  it('is not rolled out while an updated replica is not yet ready', () => {
    expect(summarizeRollout('dask-worker', deployment('worker', { replicas: 2, ready: 1, available: 1 })).rolledOut).toBe(false);
  });

  it('after scale to 0, is rolled out once the status shows no replicas', () => {
    const scaled = deployment('worker', { replicas: 0, generation: 3 });
    expect(scaled.status).not.toHaveProperty('replicas');
    expect(summarizeRollout('dask-worker', scaled)).toMatchObject({ desired: 0, rolledOut: true });
  });

  it('after scale to 0, is not rolled out before the controller has observed the new replica count', () => {
    const justScaled = deployment('worker', { replicas: 0, generation: 3, observedGeneration: 2, total: 2, updated: 2, ready: 2, available: 2 });
    expect(summarizeRollout('dask-worker', justScaled)).toMatchObject({ desired: 0, rolledOut: false });
  });

  it('after a scale-down, is not rolled out while the surplus pods are still counted', () => {
    const observedButNotGone = deployment('worker', { replicas: 2, generation: 3, total: 4, updated: 4, ready: 4, available: 4 });
    expect(summarizeRollout('dask-worker', observedButNotGone)).toMatchObject({ desired: 2, rolledOut: false });
  });
});

describe('clusterReadiness', () => {
  const readyPods = [pod('dask-scheduler-5d8f7-abcde'), pod('dask-worker-7c9b4-fghij'), pod('dask-worker-7c9b4-klmno')];

  it('is ready with nothing to wait for when both Deployments are rolled out', () => {
    const r = clusterReadiness(NAMES, deployment('scheduler'), deployment('worker'), readyPods);
    expect(r).toMatchObject({ ready: true, waitingFor: [] });
  });

  it("names why a Deployment cannot create its pods, from its ReplicaFailure condition, which outlives the events that said so", () => {
    const worker = deployment('worker', { replicas: 5, ready: 2, total: 2, updated: 2, available: 2 });
    const message = 'pods "dask-worker-7c9b4-xyz12" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3';
    worker.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message }];
    const r = clusterReadiness(NAMES, deployment('scheduler'), worker, readyPods);
    expect(r.waitingFor).toEqual(['deployment dask-worker: 2/5 ready, 2 updated', `deployment dask-worker: FailedCreate: ${message}`]);
    worker.status!.conditions = [{ type: 'ReplicaFailure', status: 'False', reason: 'FailedCreate', message }];
    expect(clusterReadiness(NAMES, deployment('scheduler'), worker, readyPods).waitingFor).toEqual(['deployment dask-worker: 2/5 ready, 2 updated']);
  });

  it('names a Deployment that does not exist', () => {
    const r = clusterReadiness(NAMES, deployment('scheduler'), undefined, readyPods.slice(0, 1));
    expect(r.ready).toBe(false);
    expect(r.waitingFor).toEqual(['deployment dask-worker does not exist']);
  });

  it('names the unfinished Deployment with its counts, then each pod that is not Ready and why', () => {
    const pods = [pod('dask-scheduler-5d8f7-abcde'), pod('dask-worker-7c9b4-fghij'), imagePullBackOffPod('dask-worker-7c9b4-klmno')];
    const r = clusterReadiness(NAMES, deployment('scheduler'), deployment('worker', { ready: 1, available: 1 }), pods);
    expect(r.waitingFor).toEqual([
      'deployment dask-worker: 1/2 ready, 2 updated',
      'pod dask-worker-7c9b4-klmno not Ready (ImagePullBackOff: Back-off pulling image "ghcr.io/dask/dask:no-such-tag": ErrImagePull: manifest unknown)',
    ]);
  });

  it('says how many old pods are still running during a rollout', () => {
    const r = clusterReadiness(NAMES, deployment('scheduler'), deployment('worker', { total: 3, updated: 2 }), readyPods);
    expect(r.waitingFor).toEqual(['deployment dask-worker: 2/2 ready, 2 updated, 1 old pod(s) still running']);
  });

  it('shows the phase of a pod that is not Ready without a reason, and skips terminating pods', () => {
    const pods = [containerCreatingPod('dask-worker-7c9b4-new01'), terminatingPod('dask-worker-7c9b4-old01')];
    const r = clusterReadiness(NAMES, deployment('scheduler'), deployment('worker', { replicas: 1, ready: 0, available: 0 }), pods);
    expect(r.waitingFor.filter((line) => line.startsWith('pod '))).toEqual(['pod dask-worker-7c9b4-new01 not Ready (Pending)']);
  });

  it('lists the scheduler pod before the workers, and workers by name', () => {
    const pods = [pod('dask-worker-b'), pod('dask-scheduler-x'), pod('dask-worker-a')];
    expect(clusterReadiness(NAMES, deployment('scheduler'), deployment('worker'), pods).pods.map((p) => p.name)).toEqual([
      'dask-scheduler-x',
      'dask-worker-a',
      'dask-worker-b',
    ]);
  });
});

describe('podsAgreeWithRollouts', () => {
  const readyPods = [pod('dask-scheduler-5d8f7-abcde'), pod('dask-worker-7c9b4-fghij'), pod('dask-worker-7c9b4-klmno')];

  it('holds when the Ready pods seen cover what each Deployment counts', () => {
    expect(podsAgreeWithRollouts(clusterReadiness(NAMES, deployment('scheduler'), deployment('worker'), readyPods))).toBe(true);
  });

  it('fails while the pod watch is behind the Deployments: missing, not yet Ready, or terminating pods', () => {
    const ready = (pods: Parameters<typeof clusterReadiness>[3]) => podsAgreeWithRollouts(clusterReadiness(NAMES, deployment('scheduler'), deployment('worker'), pods));
    expect(ready([])).toBe(false);
    expect(ready(readyPods.slice(0, 2))).toBe(false);
    expect(ready([...readyPods.slice(0, 2), containerCreatingPod('dask-worker-7c9b4-new01')])).toBe(false);
    expect(ready([...readyPods.slice(0, 2), terminatingPod('dask-worker-7c9b4-old01')])).toBe(false);
  });
});

describe('describeEvents', () => {
  it('keeps only Warning events, oldest first, one line each', () => {
    const at = (minute: number) => new Date(`2026-09-01T10:${String(minute).padStart(2, '0')}:00Z`);
    const lines = describeEvents([
      event('Warning', 'BackOff', 'Back-off restarting failed container worker\n', at(5)),
      event('Normal', 'Pulled', 'Successfully pulled image', at(1)),
      event('Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient memory.', at(2), 'dask-worker-7c9b4-klmno'),
    ]);
    expect(lines).toEqual([
      'Pod dask-worker-7c9b4-klmno: FailedScheduling: 0/3 nodes are available: 3 Insufficient memory.',
      'Pod dask-worker-7c9b4-fghij: BackOff: Back-off restarting failed container worker',
    ]);
  });

  it('shows the same warning of the same object once, as the scheduler records it twice', () => {
    const at = (minute: number) => new Date(`2026-09-01T10:${String(minute).padStart(2, '0')}:00Z`);
    const message = '0/1 nodes are available: 1 Insufficient cpu.';
    const lines = describeEvents([
      event('Warning', 'FailedScheduling', message, at(1), 'dask-worker-a'),
      event('Warning', 'FailedScheduling', message, at(2), 'dask-worker-a'),
      event('Warning', 'FailedScheduling', message, at(2), 'dask-worker-b'),
    ]);
    expect(lines).toEqual([`Pod dask-worker-a: FailedScheduling: ${message}`, `Pod dask-worker-b: FailedScheduling: ${message}`]);
  });

  it('shows a refused pod creation once, though the ReplicaSet records it for every name it tried and later combines them', () => {
    const at = (minute: number) => new Date(`2026-09-01T10:${String(minute).padStart(2, '0')}:00Z`);
    const refused = (pod: string) => `Error creating: pods "${pod}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3`;
    const fromReplicaSet = (e: ReturnType<typeof event>) => ({ ...e, involvedObject: { kind: 'ReplicaSet', name: 'c1-worker-9c847fb7f', namespace: 'default' } });
    const lines = describeEvents([
      fromReplicaSet(event('Warning', 'FailedCreate', refused('c1-worker-9c847fb7f-pc87g'), at(1))),
      fromReplicaSet(event('Warning', 'FailedCreate', refused('c1-worker-9c847fb7f-x5dgn'), at(2))),
      fromReplicaSet(event('Warning', 'FailedCreate', `(combined from similar events): ${refused('c1-worker-9c847fb7f-gcwxp')}`, at(3))),
      // Another count is another warning, and a name that was not generated from the ReplicaSet's is kept.
      fromReplicaSet(event('Warning', 'FailedCreate', refused('c1-worker-9c847fb7f-pc87g').replace('used: pods=3', 'used: pods=4'), at(4))),
      fromReplicaSet(event('Warning', 'FailedCreate', refused('c1-worker-other'), at(5))),
    ]);
    expect(lines).toEqual([
      `ReplicaSet c1-worker-9c847fb7f: FailedCreate: ${refused('c1-worker-9c847fb7f-pc87g')}`,
      `ReplicaSet c1-worker-9c847fb7f: FailedCreate: ${refused('c1-worker-9c847fb7f-pc87g').replace('used: pods=3', 'used: pods=4')}`,
      `ReplicaSet c1-worker-9c847fb7f: FailedCreate: ${refused('c1-worker-other')}`,
    ]);
  });

  it('orders events.k8s.io events, which have only eventTime, among the others', () => {
    const late = event('Warning', 'Late', 'b', new Date('2026-09-01T10:05:00Z'));
    const early = { ...event('Warning', 'Early', 'a', new Date(0)), lastTimestamp: undefined, firstTimestamp: undefined, eventTime: new Date('2026-09-01T10:01:00Z') };
    expect(describeEvents([late, early]).map((line) => line.split(': ')[1])).toEqual(['Early', 'Late']);
  });
});
