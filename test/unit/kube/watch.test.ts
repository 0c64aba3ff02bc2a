import { describe, expect, it } from 'vitest';
import { KubeConfig } from '../../../src/kube/client-node.ts';
import { type CollectionSource, observeCollection } from '../../../src/kube/watch.ts';

describe('observeCollection', () => {
  it('stops a list still waiting for the API server when its signal aborts, and reports nothing after', async () => {
    let listAborted = false;
    const source: CollectionSource<{ metadata: { name: string } }> = {
      path: '/api/v1/namespaces/ns/pods',
      // An API server that never answers.
      list: (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            listAborted = true;
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          });
        }),
    };
    const stop = new AbortController();
    const changes: unknown[] = [];
    const observing = observeCollection(new KubeConfig(), source, stop.signal, (items) => changes.push(items));
    setTimeout(() => stop.abort(), 20);
    await expect(observing).resolves.toBeUndefined();
    expect(listAborted).toBe(true);
    expect(changes).toEqual([]);
  });
});
