// The only module that talks to the Kubernetes API. Everything else speaks the objects of
// src/core and these few verbs.
import {
  AppsV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../core/spec.ts';
import { type Connection, type KubeTarget, resolveConnection } from './connect.ts';
import { type Attempt, apiStatusCode, toUserError } from './errors.ts';
import { type CollectionSource, observeCollection } from './watch.ts';

export class KubeClient {
  readonly namespace: string;
  readonly contextNamespace: string;
  readonly context: string;
  readonly server: string;
  private readonly connection: Connection;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly objects: KubernetesObjectApi;
  private portForwarder: import('./portforward.ts').PortForwarder | undefined;
  private podLogs: Promise<import('./logs.ts').PodLogClient> | undefined;

  constructor(connection: Connection) {
    this.connection = connection;
    this.namespace = connection.namespace;
    this.contextNamespace = connection.contextNamespace;
    this.context = connection.context;
    this.server = connection.server;
    this.core = connection.kc.makeApiClient(CoreV1Api);
    this.apps = connection.kc.makeApiClient(AppsV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(connection.kc);
  }

  static connect(target: KubeTarget): KubeClient {
    return new KubeClient(resolveConnection(target));
  }

  private async call<T>(attempt: Attempt, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toUserError(error, { server: this.server, ...attempt });
    }
  }

  /** Undefined instead of an error when the object does not exist. */
  private async optional<T>(attempt: Attempt, request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (error) {
      if (apiStatusCode(error) === 404) return undefined;
      throw toUserError(error, { server: this.server, ...attempt });
    }
  }

  /** False when the namespace is missing; true when it exists or we may not read namespaces. */
  async namespaceExists(namespace: string): Promise<boolean> {
    try {
      await this.core.readNamespace({ name: namespace });
      return true;
    } catch (error) {
      const code = apiStatusCode(error);
      if (code === 404) return false;
      if (code === 403) return true;
      throw toUserError(error, { verb: 'get', resource: 'namespaces', name: namespace, server: this.server });
    }
  }

  /** Server-side apply with our field manager; dryRun asks the server to validate only. */
  async apply<T extends KubernetesObject>(obj: T, options: { dryRun?: boolean; force?: boolean } = {}): Promise<T> {
    const resource = `${obj.kind?.toLowerCase()}s`;
    return this.call({ verb: 'patch', resource, namespace: obj.metadata?.namespace, name: obj.metadata?.name }, () =>
      this.objects.patch(obj, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, options.force ?? false, PatchStrategy.ServerSideApply),
    );
  }

  getDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.optional({ verb: 'get', resource: 'deployments', namespace, name }, () => this.apps.readNamespacedDeployment({ namespace, name }));
  }

  getService(namespace: string, name: string): Promise<V1Service | undefined> {
    return this.optional({ verb: 'get', resource: 'services', namespace, name }, () => this.core.readNamespacedService({ namespace, name }));
  }

  /** namespace undefined lists across all namespaces. */
  async listDeployments(labelSelector: string, namespace: string | undefined): Promise<V1Deployment[]> {
    const list = await this.call({ verb: 'list', resource: 'deployments', namespace }, () =>
      namespace === undefined ? this.apps.listDeploymentForAllNamespaces({ labelSelector }) : this.apps.listNamespacedDeployment({ namespace, labelSelector }),
    );
    return list.items;
  }

  async listPods(labelSelector: string, namespace: string | undefined): Promise<V1Pod[]> {
    const list = await this.call({ verb: 'list', resource: 'pods', namespace }, () =>
      namespace === undefined ? this.core.listPodForAllNamespaces({ labelSelector }) : this.core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items;
  }

  async listServices(labelSelector: string, namespace: string): Promise<V1Service[]> {
    const list = await this.call({ verb: 'list', resource: 'services', namespace }, () => this.core.listNamespacedService({ namespace, labelSelector }));
    return list.items;
  }

  /** Sets replicas through the scale subresource, as `kubectl scale` does. */
  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    const attempt = { verb: 'update', resource: 'deployments/scale', namespace, name };
    await this.call(attempt, () =>
      this.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER }, mergePatch),
    );
  }

  async annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
    await this.call({ verb: 'patch', resource: 'pods', namespace, name }, () =>
      this.core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER }, mergePatch),
    );
  }

  async deleteDeployment(namespace: string, name: string): Promise<void> {
    await this.optional({ verb: 'delete', resource: 'deployments', namespace, name }, () =>
      this.apps.deleteNamespacedDeployment({ namespace, name, propagationPolicy: 'Background' }),
    );
  }

  async deleteService(namespace: string, name: string): Promise<void> {
    await this.optional({ verb: 'delete', resource: 'services', namespace, name }, () => this.core.deleteNamespacedService({ namespace, name }));
  }

  /** Keeps onChange fed with the namespace's pods matching labelSelector until signal aborts. */
  observePods(namespace: string, labelSelector: string, signal: AbortSignal, onChange: (pods: V1Pod[]) => void): Promise<void> {
    return this.observe<V1Pod>(
      { path: `/api/v1/namespaces/${namespace}/pods`, labelSelector, list: async () => listResult(await this.core.listNamespacedPod({ namespace, labelSelector })) },
      { verb: 'watch', resource: 'pods', namespace },
      signal,
      onChange,
    );
  }

  observeDeployments(namespace: string, labelSelector: string, signal: AbortSignal, onChange: (items: V1Deployment[]) => void): Promise<void> {
    return this.observe<V1Deployment>(
      {
        path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
        labelSelector,
        list: async () => listResult(await this.apps.listNamespacedDeployment({ namespace, labelSelector })),
      },
      { verb: 'watch', resource: 'deployments', namespace },
      signal,
      onChange,
    );
  }

  /** Events cannot be selected by the labels of the object they are about; callers filter. */
  observeEvents(namespace: string, signal: AbortSignal, onChange: (items: CoreV1Event[]) => void): Promise<void> {
    return this.observe<CoreV1Event>(
      { path: `/api/v1/namespaces/${namespace}/events`, list: async () => listResult(await this.core.listNamespacedEvent({ namespace })) },
      { verb: 'watch', resource: 'events', namespace },
      signal,
      onChange,
    );
  }

  private async observe<T extends KubernetesObject>(source: CollectionSource<T>, attempt: Attempt, signal: AbortSignal, onChange: (items: T[]) => void): Promise<void> {
    try {
      await observeCollection(this.connection.kc, source, signal, onChange);
    } catch (error) {
      throw toUserError(error, { server: this.server, ...attempt });
    }
  }

  /** A container's log as text, with timestamps; all logs share HTTP/2 connections, see kube/logs.ts. */
  async openPodLog(request: import('./logs.ts').PodLogRequest, signal: AbortSignal): Promise<import('node:stream').Readable> {
    return this.call({ verb: 'get', resource: 'pods/log', namespace: request.namespace, name: request.pod }, async () => {
      this.podLogs ??= import('./logs.ts').then(({ PodLogClient }) => new PodLogClient(this.connection.kc));
      return (await this.podLogs).open(request, signal);
    });
  }

  /** Forwards one local connection to a pod port; see kube/portforward.ts. */
  async forwardConnection(
    target: import('./portforward.ts').ForwardTarget,
    socket: import('node:net').Socket,
    counters: import('./portforward.ts').ByteCounters,
  ): Promise<import('./portforward.ts').Forwarding> {
    if (this.portForwarder === undefined) {
      const { PortForwarder } = await import('./portforward.ts');
      this.portForwarder ??= new PortForwarder(this.connection.kc);
    }
    return this.portForwarder.forwardConnection(target, socket, counters);
  }

  /** Connections forwarded from now on do not go to pod; its session ends with its last one. */
  releaseForwardedPod(namespace: string, pod: string): void {
    this.portForwarder?.release(namespace, pod);
  }

  /** Ends the port-forward sessions, for shutdown. */
  stopForwarding(): void {
    this.portForwarder?.close();
  }
}

// client-node sends JSON patches unless told otherwise; a merge patch sets one field.
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function listResult<T>(list: { items: T[]; metadata?: { resourceVersion?: string } }): { items: T[]; resourceVersion: string } {
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
}
