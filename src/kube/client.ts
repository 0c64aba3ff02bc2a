// The only module that talks to the Kubernetes API. Everything else speaks the objects of
// src/core and these few verbs. Reads go through kube/requests.ts, which loads neither undici nor
// client-node's generated API (status and list need nothing else); writes use the generated
// clients of kube/writes.ts, loaded on the first write. Read objects are the API server's JSON
// as it is: timestamps are strings, as in watch events, where client-node's types say Date.
import type { CoreV1Event, KubernetesObject, V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import type { CommandTarget } from '../core/spec.ts';
import { type Connection, type KubeTarget, checkCredentials, resolveConnection, setDefaultRootsForCluster } from './connect.ts';
import { type Attempt, apiStatusCode, toUserError } from './errors.ts';
import { type ApiRoot, collectionPath, listPath, objectPath, podLogPath } from './paths.ts';
import { ApiRequests } from './requests.ts';
import type { ApiWrites } from './writes.ts';
import type { CollectionSource, ListResult } from './watch.ts';

interface List<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export class KubeClient {
  readonly namespace: string;
  readonly contextNamespace: string;
  readonly context: string;
  readonly server: string;
  /** Where it connected, for the commands it suggests: see connectionFlags. */
  readonly target: CommandTarget;
  private readonly connection: Connection;
  private readonly requests: ApiRequests;
  private apiWrites: Promise<ApiWrites> | undefined;
  private portForwarder: import('./portforward.ts').PortForwarder | undefined;

  constructor(connection: Connection, chosen: KubeTarget = {}) {
    this.connection = connection;
    this.target = {
      ...(chosen.kubeconfig === undefined ? {} : { kubeconfig: chosen.kubeconfig }),
      ...(chosen.context === undefined ? {} : { context: chosen.context }),
      contextNamespace: connection.contextNamespace,
    };
    this.namespace = connection.namespace;
    this.contextNamespace = connection.contextNamespace;
    this.context = connection.context;
    this.server = connection.server;
    this.requests = new ApiRequests(connection.kc);
  }

  static async connect(target: KubeTarget): Promise<KubeClient> {
    const connection = resolveConnection(target);
    setDefaultRootsForCluster(connection);
    await checkCredentials(connection);
    return new KubeClient(connection, target);
  }

  private writes(): Promise<ApiWrites> {
    this.apiWrites ??= import('./writes.ts').then(({ ApiWrites }) => new ApiWrites(this.connection.kc));
    return this.apiWrites;
  }

  private async call<T>(attempt: Attempt, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toUserError(error, { server: this.server, target: this.target, ...attempt });
    }
  }

  /** Undefined instead of an error when the object does not exist. */
  private async optional<T>(attempt: Attempt, request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (error) {
      if (apiStatusCode(error) === 404) return undefined;
      throw toUserError(error, { server: this.server, target: this.target, ...attempt });
    }
  }

  private async list<T>(api: ApiRoot, resource: string, namespace: string | undefined, labelSelector?: string, signal?: AbortSignal): Promise<ListResult<T>> {
    const list = await this.requests.json<List<T>>(listPath(api, resource, namespace, labelSelector), signal);
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /** False when the namespace is missing; true when it exists or we may not read namespaces. */
  /** The names of the namespaces the user may list. */
  async listNamespaceNames(): Promise<string[]> {
    return this.call({ verb: 'list', resource: 'namespaces' }, async () =>
      (await this.list<{ metadata?: { name?: string } }>('/api/v1', 'namespaces', undefined)).items.flatMap((n) => n.metadata?.name ?? []),
    );
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    try {
      await this.requests.json(objectPath('/api/v1', 'namespaces', undefined, namespace));
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
    return this.call({ verb: 'patch', resource, namespace: obj.metadata?.namespace, name: obj.metadata?.name }, async () =>
      (await this.writes()).apply(obj, options.dryRun ?? false, options.force ?? false),
    );
  }

  /**
   * The stored version of obj, undefined when there is none, in the typed form of client-node's
   * writes, so it compares field by field with what a write returns: reads elsewhere are the
   * server's JSON, with fields the typed models leave out.
   */
  readAsWritten<T extends KubernetesObject>(obj: T): Promise<T | undefined> {
    const { kind, metadata } = obj;
    return this.optional({ verb: 'get', resource: `${kind?.toLowerCase()}s`, namespace: metadata?.namespace, name: metadata?.name }, async () => (await this.writes()).read(obj));
  }

  /** The API server's warnings to the writes so far (PodSecurity's warn mode, deprecations), each once. */
  async writeWarnings(): Promise<string[]> {
    return this.apiWrites ? [...(await this.apiWrites).warnings] : [];
  }

  getDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.optional({ verb: 'get', resource: 'deployments', namespace, name }, () => this.requests.json<V1Deployment>(objectPath('/apis/apps/v1', 'deployments', namespace, name)));
  }

  /** namespace undefined lists across all namespaces. */
  async listDeployments(labelSelector: string, namespace: string | undefined): Promise<V1Deployment[]> {
    return (await this.call({ verb: 'list', resource: 'deployments', namespace }, () => this.list<V1Deployment>('/apis/apps/v1', 'deployments', namespace, labelSelector))).items;
  }

  async listPods(labelSelector: string, namespace: string | undefined): Promise<V1Pod[]> {
    return (await this.call({ verb: 'list', resource: 'pods', namespace }, () => this.list<V1Pod>('/api/v1', 'pods', namespace, labelSelector))).items;
  }

  async listServices(labelSelector: string, namespace: string): Promise<V1Service[]> {
    return (await this.call({ verb: 'list', resource: 'services', namespace }, () => this.list<V1Service>('/api/v1', 'services', namespace, labelSelector))).items;
  }

  /** Sets replicas through the scale subresource, as `kubectl scale` does. */
  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    await this.call({ verb: 'patch', resource: 'deployments/scale', namespace, name }, async () => (await this.writes()).scaleDeployment(namespace, name, replicas));
  }

  /** A null value removes the annotation. */
  async annotatePod(namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
    await this.call({ verb: 'patch', resource: 'pods', namespace, name }, async () => (await this.writes()).annotatePod(namespace, name, annotations));
  }

  async deleteDeployment(namespace: string, name: string): Promise<void> {
    await this.optional({ verb: 'delete', resource: 'deployments', namespace, name }, async () => (await this.writes()).deleteDeployment(namespace, name));
  }

  async deleteService(namespace: string, name: string): Promise<void> {
    await this.optional({ verb: 'delete', resource: 'services', namespace, name }, async () => (await this.writes()).deleteService(namespace, name));
  }

  /** Keeps onChange fed with the namespace's pods matching labelSelector until signal aborts. */
  observePods(namespace: string, labelSelector: string, signal: AbortSignal, onChange: (pods: V1Pod[]) => void): Promise<void> {
    return this.observe<V1Pod>('/api/v1', 'pods', namespace, labelSelector, signal, onChange);
  }

  observeDeployments(namespace: string, labelSelector: string, signal: AbortSignal, onChange: (items: V1Deployment[]) => void): Promise<void> {
    return this.observe<V1Deployment>('/apis/apps/v1', 'deployments', namespace, labelSelector, signal, onChange);
  }

  /** Events cannot be selected by the labels of the object they are about; callers filter. */
  observeEvents(namespace: string, signal: AbortSignal, onChange: (items: CoreV1Event[]) => void): Promise<void> {
    return this.observe<CoreV1Event>('/api/v1', 'events', namespace, undefined, signal, onChange);
  }

  private async observe<T extends KubernetesObject>(
    api: ApiRoot,
    resource: string,
    namespace: string,
    labelSelector: string | undefined,
    signal: AbortSignal,
    onChange: (items: T[]) => void,
  ): Promise<void> {
    const source: CollectionSource<T> = { path: collectionPath(api, resource, namespace), labelSelector, list: (listing) => this.list<T>(api, resource, namespace, labelSelector, listing) };
    try {
      const { observeCollection } = await import('./watch.ts');
      await observeCollection(this.connection.kc, source, signal, onChange);
    } catch (error) {
      throw toUserError(error, { verb: 'watch', resource, namespace, server: this.server });
    }
  }

  /** A container's log as latin1 text, one character a byte, with timestamps; all logs share HTTP/2 connections, see kube/requests.ts. */
  openPodLog(request: import('./paths.ts').PodLogRequest, signal: AbortSignal): Promise<import('node:stream').Readable> {
    return this.call({ verb: 'get', resource: 'pods/log', namespace: request.namespace, name: request.pod }, () => this.requests.stream(podLogPath(request), signal));
  }

  /** Forwards one local connection to a pod port; see kube/portforward.ts. */
  async forwardConnection(
    target: import('./portforward.ts').ForwardTarget,
    socket: import('node:net').Socket,
    counters: import('./portforward.ts').ByteCounters,
  ): Promise<import('./portforward.ts').Forwarding> {
    return (await this.portForwarding()).forwardConnection(target, socket, counters);
  }

  private async portForwarding(): Promise<import('./portforward.ts').PortForwarder> {
    if (this.portForwarder === undefined) {
      const { PortForwarder } = await import('./portforward.ts');
      this.portForwarder ??= new PortForwarder(this.connection.kc);
    }
    return this.portForwarder;
  }

  /** Opens the port-forward session of a pod before its first connection, so a refusal shows at once. */
  async prepareForward(pod: import('./portforward.ts').ForwardPod): Promise<void> {
    await (await this.portForwarding()).prepare(pod);
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
