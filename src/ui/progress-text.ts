// The words and marks of progress output, shared by the plain line reporter and the Ink view so
// a log from CI reads like what a terminal showed.
import type { StepStatus } from '../core/progress.ts';
import type { PodView } from '../core/readiness.ts';
import type { Tone } from './terminal.ts';

export const STEP_STYLE: Record<StepStatus, { mark: string; tone: Tone }> = {
  pending: { mark: '·', tone: 'dim' },
  running: { mark: '…', tone: 'cyan' },
  done: { mark: '✓', tone: 'green' },
  failed: { mark: '✗', tone: 'red' },
};

export const WARNING_STYLE: { mark: string; tone: Tone } = { mark: '!', tone: 'yellow' };

export function eventText(event: string): string {
  return `Warning ${event}`;
}

/** Why a pod is stuck, e.g. "Pod dask-worker-x: ImagePullBackOff: Back-off pulling image ..."; undefined when Kubernetes gives no reason. */
export function podReasonText(pod: PodView): string | undefined {
  if (!pod.reason) return undefined;
  return `Pod ${pod.name}: ${pod.reason}${pod.message ? `: ${pod.message}` : ''}`;
}

/** The items not yet in seen, which it then records: states repeat their whole history of
 * events, and each must be shown once. */
export function unseen(items: string[], seen: Set<string>): string[] {
  const fresh = items.filter((item) => !seen.has(item));
  for (const item of fresh) seen.add(item);
  return fresh;
}
