// List-then-watch of one collection, kept current until the signal aborts: re-watches from the
// last resourceVersion when a watch closes (client-node ends idle watches after 30 s), relists
// when the server answers 410 Gone, and backs off on errors.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type KubeConfig, Watch } from './client-node.ts';

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface CollectionSource<T extends KubernetesObject> {
  /** API path of the collection, e.g. /api/v1/namespaces/ns/pods */
  path: string;
  labelSelector?: string;
  /** Rejects when signal aborts. */
  list(signal: AbortSignal): Promise<ListResult<T>>;
}

const MAX_BACKOFF_MS = 5_000;

function objectKey(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

type WatchEnd = { kind: 'closed' } | { kind: 'gone' } | { kind: 'error'; error: unknown };

/**
 * Calls onChange with the full current list after the first list and after every change.
 * Resolves when signal aborts. A failing first list rejects, so callers see bad credentials or
 * an unreachable server at once; later failures are retried.
 */
export async function observeCollection<T extends KubernetesObject>(
  kc: KubeConfig,
  source: CollectionSource<T>,
  signal: AbortSignal,
  onChange: (items: T[]) => void,
): Promise<void> {
  const watcher = new Watch(kc);
  let firstList = true;
  let backoff = 250;
  while (!signal.aborted) {
    let listed: ListResult<T>;
    try {
      listed = await source.list(signal);
    } catch (error) {
      if (signal.aborted) return;
      if (firstList) throw error;
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      continue;
    }
    if (signal.aborted) return;
    firstList = false;
    const items = new Map(listed.items.map((o) => [objectKey(o), o]));
    onChange([...items.values()]);
    let resourceVersion = listed.resourceVersion;
    for (;;) {
      if (signal.aborted) return;
      const end = await watchOnce(watcher, source, resourceVersion, signal, (type, obj) => {
        const rv = obj.metadata?.resourceVersion;
        if (rv) resourceVersion = rv;
        if (type === 'BOOKMARK') return;
        if (type === 'DELETED') items.delete(objectKey(obj));
        else items.set(objectKey(obj), obj as T);
        backoff = 250;
        onChange([...items.values()]);
      });
      if (end.kind === 'closed') continue;
      if (end.kind === 'error' && (end.error as { statusCode?: number })?.statusCode !== 410) {
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      // gone, or an error whose cause we cannot trust: start over from a fresh list.
      break;
    }
  }
}

/** One watch request; resolves how it ended, and never leaves a listener on signal behind. */
function watchOnce(
  watcher: Watch,
  source: CollectionSource<KubernetesObject>,
  resourceVersion: string,
  signal: AbortSignal,
  onEvent: (type: string, obj: KubernetesObject) => void,
): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve) => {
    let controller: AbortController | undefined;
    let settled = false;
    const finish = (result: WatchEnd) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(result);
    };
    const onAbort = () => finish({ kind: 'closed' });
    signal.addEventListener('abort', onAbort, { once: true });
    const query = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 25, labelSelector: source.labelSelector };
    watcher
      .watch(
        source.path,
        query,
        (type: string, obj: KubernetesObject & { code?: number }) => {
          if (type === 'ERROR') finish(obj.code === 410 ? { kind: 'gone' } : { kind: 'error', error: obj });
          else if (!settled) onEvent(type, obj);
        },
        (err: unknown) => finish(err ? { kind: 'error', error: err } : { kind: 'closed' }),
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (error: unknown) => finish({ kind: 'error', error }),
      );
  });
}
