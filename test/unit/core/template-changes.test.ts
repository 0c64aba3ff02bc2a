import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podTemplateChanges } from '../../../src/core/template-changes.ts';

function template(change: { image?: string; env?: { name: string; value: string }[]; annotations?: Record<string, string>; nodeSelector?: Record<string, string> } = {}): V1PodTemplateSpec {
  return {
    metadata: { labels: { app: 'dask' }, ...(change.annotations ? { annotations: change.annotations } : {}) },
    spec: {
      ...(change.nodeSelector ? { nodeSelector: change.nodeSelector } : {}),
      containers: [{ name: 'scheduler', image: change.image ?? 'ghcr.io/dask/dask:2026.8.0', args: ['dask', 'scheduler'], ...(change.env ? { env: change.env } : {}) }],
    },
  };
}

describe('podTemplateChanges', () => {
  it('is empty for the same template, whatever the order of its fields or undefined ones', () => {
    const reordered: V1PodTemplateSpec = { spec: { containers: [{ args: ['dask', 'scheduler'], image: 'ghcr.io/dask/dask:2026.8.0', name: 'scheduler', env: undefined }] }, metadata: { labels: { app: 'dask' } } };
    expect(podTemplateChanges(template(), reordered)).toEqual([]);
  });

  it('names the images of an image change', () => {
    expect(podTemplateChanges(template(), template({ image: 'ghcr.io/dask/dask:2026.9.0' }))).toEqual(['image ghcr.io/dask/dask:2026.8.0 -> ghcr.io/dask/dask:2026.9.0']);
  });

  it('names a changed, added or removed field without its values, which can be secrets', () => {
    const secret = [{ name: 'TOKEN', value: 's3cret' }];
    expect(podTemplateChanges(template(), template({ env: secret }))).toEqual(['env']);
    expect(podTemplateChanges(template({ env: secret }), template())).toEqual(['env']);
    expect(podTemplateChanges(template({ env: secret }), template({ env: [{ name: 'TOKEN', value: 'other' }] })).join()).not.toContain('s3cret');
  });

  it('names the image first', () => {
    const changes = podTemplateChanges(template({ env: [{ name: 'A', value: '1' }] }), template({ image: 'x:2' }));
    expect(changes).toEqual(['image ghcr.io/dask/dask:2026.8.0 -> x:2', 'env']);
  });

  it('names pod-level fields and the pod metadata too', () => {
    expect(podTemplateChanges(template(), template({ nodeSelector: { pool: 'dask' }, annotations: { team: 'a' } }))).toEqual(['nodeSelector', 'pod annotations']);
  });

  it('is empty when there is nothing stored to change', () => {
    expect(podTemplateChanges(undefined, template())).toEqual([]);
  });
});
