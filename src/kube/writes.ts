// Writes through client-node's generated API clients. Loading them (and undici, which they send
// with) costs about 35 ms, so KubeClient imports this module on its first write only; reads go
// through kube/requests.ts.
import {
  AppsV1Api,
  type Configuration,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  Observable,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../core/spec.ts';
import { parseWarningHeader } from './warnings.ts';

/**
 * client-node's object API that hands each Warning header of its responses to onWarning: the API
 * server's warnings (PodSecurity's warn mode, deprecations), which kubectl prints.
 */
function objectApiWithWarnings(kc: KubeConfig, onWarning: (warning: string) => void): KubernetesObjectApi {
  class WithWarnings extends KubernetesObjectApi {
    static forKubeConfig(): WithWarnings {
      const api = kc.makeApiClient(WithWarnings);
      api.setDefaultNamespace(kc);
      return api;
    }

    constructor(configuration: Configuration) {
      super(configuration);
      configuration.middleware.push({
        pre: (request) => new Observable(Promise.resolve(request)),
        post: (response) => {
          for (const warning of parseWarningHeader(response.headers.warning)) onWarning(warning);
          return new Observable(Promise.resolve(response));
        },
      });
    }
  }
  return WithWarnings.forKubeConfig();
}

// client-node sends JSON patches unless told otherwise; a merge patch sets one field.
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class ApiWrites {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly objects: KubernetesObjectApi;
  /** The API server's warnings to applies so far, each once. */
  readonly warnings = new Set<string>();

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.objects = objectApiWithWarnings(kc, (warning) => this.warnings.add(warning));
  }

  /** Server-side apply with our field manager; dryRun asks the server to validate only. */
  apply<T extends KubernetesObject>(obj: T, dryRun: boolean, force: boolean): Promise<T> {
    return this.objects.patch(obj, undefined, dryRun ? 'All' : undefined, FIELD_MANAGER, force, PatchStrategy.ServerSideApply);
  }

  /** The stored object in the typed form apply returns. */
  read<T extends KubernetesObject>(obj: T): Promise<T> {
    return this.objects.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: obj.metadata?.namespace } }) as Promise<T>;
  }

  /** Sets replicas through the scale subresource, as `kubectl scale` does. */
  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    await this.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER }, mergePatch);
  }

  async annotatePod(namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
    await this.core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER }, mergePatch);
  }

  async deleteDeployment(namespace: string, name: string): Promise<void> {
    await this.apps.deleteNamespacedDeployment({ namespace, name, propagationPolicy: 'Background' });
  }

  async deleteService(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedService({ namespace, name });
  }
}
