import { EventEmitter } from 'node:events';
import type { OperationState, Step } from '../../../src/core/progress.ts';
import type { PodView } from '../../../src/core/readiness.ts';
import { type ClusterStatus, connectionSnippets } from '../../../src/core/status.ts';

export const NOW = new Date('2026-09-01T12:00:00Z');

export function minutesAgo(n: number): string {
  return new Date(NOW.getTime() - n * 60_000).toISOString();
}

export function pod(name: string, change: Partial<PodView> = {}): PodView {
  return {
    name,
    component: name.includes('scheduler') ? 'scheduler' : 'worker',
    phase: 'Running',
    ready: true,
    restarts: 0,
    createdAt: minutesAgo(5),
    terminating: false,
    ...change,
  };
}

export function operation(steps: Step[], pods: PodView[] = [], events: string[] = []): OperationState {
  return { title: 'Creating Dask cluster "dask" in namespace default', steps, pods, events };
}

export function cluster(change: Partial<ClusterStatus> = {}): ClusterStatus {
  const name = change.name ?? 'dask';
  const namespace = change.namespace ?? 'default';
  const address = `tcp://${name}-scheduler:8786`;
  return {
    name,
    namespace,
    ready: true,
    scheduler: { ready: 1, desired: 1, updated: 1, old: 0 },
    workers: { ready: 2, desired: 2, updated: 2, old: 0 },
    image: 'ghcr.io/dask/dask:2026.8.0',
    createdAt: minutesAgo(90),
    address,
    fqdnAddress: `tcp://${name}-scheduler.${namespace}.svc:8786`,
    dashboard: `http://${name}-scheduler.${namespace}.svc:8787`,
    snippets: connectionSnippets(address),
    pods: [pod(`${name}-scheduler-5d8f7-abcde`), pod(`${name}-worker-7c9b4-fghij`), pod(`${name}-worker-7c9b4-klmno`)],
    waitingFor: [],
    ...change,
  };
}

/** Just enough of a terminal for Ink: a width, a height and a write() that records. */
export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 100;
  readonly rows = 40;
  text = '';
  write(chunk: string, done?: () => void) {
    this.text += chunk;
    done?.();
    return true;
  }
  asStream() {
    return this as unknown as NodeJS.WriteStream;
  }
}
