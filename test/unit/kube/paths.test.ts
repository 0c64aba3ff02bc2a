import { describe, expect, it } from 'vitest';
import { collectionPath, listPath, objectPath } from '../../../src/kube/paths.ts';

describe('API paths', () => {
  it('names a collection in a namespace, or across all namespaces without one', () => {
    expect(collectionPath('/apis/apps/v1', 'deployments', 'team-a')).toBe('/apis/apps/v1/namespaces/team-a/deployments');
    expect(collectionPath('/api/v1', 'pods', undefined)).toBe('/api/v1/pods');
  });

  it('sends the label selector encoded, and no query without one', () => {
    const selector = 'app.kubernetes.io/instance=dask,app.kubernetes.io/component in (worker)';
    const path = listPath('/api/v1', 'pods', undefined, selector);
    expect(path).toBe('/api/v1/pods?labelSelector=app.kubernetes.io%2Finstance%3Ddask%2Capp.kubernetes.io%2Fcomponent%20in%20(worker)');
    expect(new URL(path, 'https://api.invalid').searchParams.get('labelSelector')).toBe(selector);
    expect(listPath('/api/v1', 'events', 'ns')).toBe('/api/v1/namespaces/ns/events');
  });

  it('names one object, a cluster-scoped one without a namespace', () => {
    expect(objectPath('/api/v1', 'services', 'ns', 'dask-scheduler')).toBe('/api/v1/namespaces/ns/services/dask-scheduler');
    expect(objectPath('/api/v1', 'namespaces', undefined, 'team-a')).toBe('/api/v1/namespaces/team-a');
  });
});
