// A Deployment replaces all its pods when its pod template changes. For the scheduler that loses
// every computation on the cluster, so `up` says what would change before it does.
import { isDeepStrictEqual } from 'node:util';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';

/**
 * What differs between the stored pod template and the one an apply would store, in words
 * ("image A -> B", "env", "resources"); empty when they are the same. Values other than images
 * are not shown: env values can be secrets.
 */
export function podTemplateChanges(stored: V1PodTemplateSpec | undefined, applied: V1PodTemplateSpec | undefined): string[] {
  if (!stored || !applied) return [];
  // Both as JSON would send them: no undefined fields, times as text.
  const before = asJson(stored);
  const after = asJson(applied);
  if (isDeepStrictEqual(before, after)) return [];
  const changes = new Set<string>();
  const { containers: storedContainers = [], ...storedPod } = before.spec ?? { containers: [] };
  const { containers: appliedContainers = [], ...appliedPod } = after.spec ?? { containers: [] };
  for (const container of appliedContainers) {
    const old = storedContainers.find((c) => c.name === container.name);
    if (!old) changes.add(`container ${container.name}`);
    else for (const key of differingKeys(old, container)) changes.add(key === 'image' ? `image ${old.image} -> ${container.image}` : key);
  }
  for (const container of storedContainers) if (!appliedContainers.some((c) => c.name === container.name)) changes.add(`container ${container.name}`);
  for (const key of differingKeys(storedPod, appliedPod)) changes.add(key);
  for (const key of differingKeys(before.metadata ?? {}, after.metadata ?? {})) changes.add(`pod ${key}`);
  // The image first: the change a user is most likely to have made, or undone, by accident.
  return [...changes].sort((a, b) => Number(b.startsWith('image ')) - Number(a.startsWith('image ')));
}

function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function differingKeys(a: object, b: object): string[] {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  return [...new Set([...Object.keys(left), ...Object.keys(right)])].filter((key) => !isDeepStrictEqual(left[key], right[key]));
}
