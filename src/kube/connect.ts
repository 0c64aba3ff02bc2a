// Kubeconfig and context resolution with kubectl's rules; loading and auth (exec, OIDC, tokens)
// are client-node's, this only picks the files, the context and the namespace, and keeps what
// js-yaml made of a file for later runs (kube/kubeconfig-text.ts).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { loadAll as parseYamlDocuments } from 'js-yaml';
import { appDir } from '../app-dir.ts';
import { KubeConfig, newClusters, newContexts, newUsers } from './client-node.ts';
import { parseKubeconfigText } from './kubeconfig-text.ts';
import { ExitCode, KubectlDaskError } from '../core/errors.ts';
import { parseNamespace } from '../core/validate.ts';

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface Connection {
  kc: KubeConfig;
  context: string;
  namespace: string;
  /** The context's own namespace, which commands need no -n for. */
  contextNamespace: string;
  server: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function configError(message: string): KubectlDaskError {
  return new KubectlDaskError(message, ExitCode.usage);
}

/** What the launcher's dir keeps of the kubeconfigs read (none when run from the sources). */
const parsedKubeconfigs = appDir === undefined ? undefined : join(appDir, '.kubeconfig-cache');

/**
 * Users as kubectl reads them where client-node does not: a token file under kubectl's key,
 * tokenFile (client-node knows only "token-file", so such a user sent no token), read and trimmed
 * as kubectl does; and a credential plugin named by a relative path with a slash, which kubectl
 * finds from the kubeconfig's dir, client-node from the working dir.
 */
function withKubectlUserPaths(users: unknown, dir: string): unknown {
  if (!Array.isArray(users)) return users;
  return users.map((entry: { user?: Record<string, unknown> & { exec?: { command?: unknown } } }) => {
    const user = entry?.user;
    if (!user) return entry;
    const fixed = { ...user };
    if (typeof user.tokenFile === 'string' && user.token === undefined && user['token-file'] === undefined) {
      fixed.token = readFileSync(resolve(dir, user.tokenFile), 'utf8').trim();
    }
    const command = user.exec?.command;
    if (typeof command === 'string' && command.includes('/') && !isAbsolute(command)) fixed.exec = { ...user.exec, command: resolve(dir, command) };
    return { ...entry, user: fixed };
  });
}

/** client-node's loadFromFile(), with the YAML parse kept between runs. */
function loadFile(kc: KubeConfig, file: string): void {
  try {
    // Wrapped: the bundle loads js-yaml when its export is first read, which a kept parse never
    // needs. As kubectl, a file without a document (empty, or only comments) is an empty kubeconfig.
    const document = parseKubeconfigText(readFileSync(file, 'utf8'), parsedKubeconfigs, (text) => parseYamlDocuments(text)[0] ?? {}) as Record<string, unknown>;
    kc.loadFromOptions({
      clusters: newClusters(document.clusters),
      contexts: newContexts(document.contexts),
      users: newUsers(withKubectlUserPaths(document.users, dirname(file))),
      currentContext: document['current-context'],
    });
    kc.makePathsAbsolute(dirname(file));
  } catch (error) {
    throw configError(`cannot read kubeconfig ${file}: ${(error as Error).message.split('\n')[0]}; fix the file or pass another with --kubeconfig`);
  }
}

function loadKubeConfig(explicit: string | undefined, env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw configError(`kubeconfig ${explicit} does not exist: check the --kubeconfig path`);
    loadFile(kc, explicit);
    return kc;
  }
  // Like kubectl, files named in $KUBECONFIG that do not exist are skipped, and the first file
  // to set a value wins when they are merged.
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  const files = fromEnv.length > 0 ? fromEnv.filter((f) => existsSync(f)) : [join(homedir(), '.kube', 'config')].filter((f) => existsSync(f));
  if (files.length === 0) {
    if (fromEnv.length === 0 && env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
      kc.loadFromCluster();
      return kc;
    }
    const where = fromEnv.length > 0 ? `none of the files in $KUBECONFIG exist (${fromEnv.join(delimiter)})` : 'no ~/.kube/config';
    throw configError(`no kubeconfig found: ${where}; pass --kubeconfig FILE or set KUBECONFIG`);
  }
  loadFile(kc, files[0]!);
  for (const file of files.slice(1)) {
    const other = new KubeConfig();
    loadFile(other, file);
    // client-node refuses duplicate names; kubectl keeps the first definition.
    other.clusters = other.clusters.filter((c) => !kc.getCluster(c.name));
    other.users = other.users.filter((u) => !kc.getUser(u.name));
    other.contexts = other.contexts.filter((c) => !kc.getContextObject(c.name));
    kc.mergeConfig(other, Boolean(kc.getCurrentContext()));
  }
  return kc;
}

/**
 * Sets the roots Node trusts by default to those the cluster's connections need, before the first
 * TLS connection. For a cluster whose kubeconfig names no CA, kubectl trusts the system's roots,
 * while Node trusts only its bundled ones (and NODE_EXTRA_CA_CERTS): a server signed by a CA
 * installed on the machine, a company's own, would be refused. Reading the system's roots takes
 * 20-40 ms, so only such a cluster pays for it. For a cluster with a CA, which its connections
 * trust instead of any default, Node still builds the whole default store (its bundled roots and
 * those of NODE_EXTRA_CA_CERTS) for the first of them: 1-3 ms of every command, waiting for a
 * thread that parses them. With the cluster's CA as the default there is nothing to build. Not
 * with a proxy-url or an auth-provider (OIDC refreshes its token from the issuer): the process
 * then talks to other servers, which need the usual roots.
 */
export function setDefaultRootsForCluster(connection: Connection): void {
  const cluster = connection.kc.getCurrentCluster();
  if (!cluster || cluster.skipTLSVerify || !cluster.server.startsWith('https:')) return;
  if (!cluster.caData && !cluster.caFile) {
    setDefaultCACertificates([...getCACertificates('default'), ...getCACertificates('system')]);
    return;
  }
  if (cluster.proxyUrl || connection.kc.getCurrentUser()?.authProvider) return;
  try {
    const pem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('latin1') : readFileSync(cluster.caFile!, 'latin1');
    // One certificate a string: of a bundle in one string Node reads the first.
    const certificates = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g);
    if (certificates) setDefaultCACertificates(certificates);
  } catch {
    // an unreadable or malformed CA, which the first request reports as the user knows it
  }
}

export function resolveConnection(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): Connection {
  const kc = loadKubeConfig(target.kubeconfig, env);
  allowPlainHttpServers(kc);
  if (target.context !== undefined) {
    if (!kc.getContextObject(target.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw configError(`context "${target.context}" not found in kubeconfig; available: ${known.join(', ') || 'none'}`);
    }
    kc.setCurrentContext(target.context);
  }
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw configError(
      contextName ? `current context "${contextName}" is incomplete in kubeconfig: pick one with --context` : 'kubeconfig has no current context: pass --context NAME or run kubectl config use-context NAME',
    );
  }
  if (!URL.canParse(cluster.server)) throw configError(`the server of context "${contextName}" is not a URL: "${cluster.server}"; fix it in your kubeconfig, e.g. https://host:6443`);
  // kubectl refuses both, rather than guess which was meant (client-node would use the file, kubectl's rule the data).
  if (cluster.caData && cluster.caFile) {
    throw configError(`the cluster of context "${contextName}" has both certificate-authority and certificate-authority-data; keep one in your kubeconfig`);
  }
  if (cluster.skipTLSVerify && (cluster.caData || cluster.caFile)) {
    throw configError(`the cluster of context "${contextName}" has a certificate authority and insecure-skip-tls-verify; keep one in your kubeconfig`);
  }
  const contextNamespace = context.namespace ?? 'default';
  if (target.namespace === undefined) parseNamespace(contextNamespace, `the namespace of context "${contextName}" in your kubeconfig`);
  return { kc, context: contextName, namespace: target.namespace ?? contextNamespace, contextNamespace, server: cluster.server };
}

/**
 * kubectl talks plain HTTP to an http:// server (`kubectl proxy`, which adds the credentials
 * itself); client-node refuses one unless its cluster skips TLS verification, which without TLS
 * changes nothing else.
 */
function allowPlainHttpServers(kc: KubeConfig): void {
  kc.clusters = kc.clusters.map((cluster) => (cluster.server.startsWith('http:') && !cluster.skipTLSVerify ? { ...cluster, skipTLSVerify: true } : cluster));
}

/**
 * Gets the context's credentials (reads its certificate files, runs its exec plugin, refreshes
 * its OIDC token) before the first request, so that a failure says what the user has to fix
 * instead of looking like a failed request. client-node keeps what a plugin or an issuer gave for
 * the requests that follow.
 */
export async function checkCredentials(connection: Connection): Promise<void> {
  try {
    await connection.kc.applyToHTTPSOptions({});
  } catch (error) {
    throw credentialError(error, connection.context, connection.kc.getCurrentUser()?.exec?.command);
  }
}

function credentialError(error: unknown, context: string, plugin: string | undefined): KubectlDaskError {
  const { code, path, syscall, message } = error as NodeJS.ErrnoException;
  if (syscall?.startsWith('spawn')) {
    return configError(`the credential plugin "${path}" of context "${context}" cannot be run (${code}): install it, or fix the user's exec command in your kubeconfig`);
  }
  // What a plugin printed instead of an ExecCredential may be the secret itself (JSON.parse quotes
  // its start), and one without a status leaves client-node reading a field of undefined.
  if (plugin !== undefined && (error instanceof SyntaxError || error instanceof TypeError)) {
    const what = error instanceof SyntaxError ? 'printed something that is not an ExecCredential (JSON)' : 'printed an ExecCredential without a status';
    return new KubectlDaskError(`the credential plugin "${plugin}" of context "${context}" ${what}: check the plugin, or the user's exec command in your kubeconfig`, ExitCode.forbidden);
  }
  if (path && code) return configError(`cannot read ${path}, named by context "${context}" in your kubeconfig (${code}): fix the path in the kubeconfig`);
  // An exec plugin's error is what it wrote on stderr (an expired login, most often).
  const reason = String(message ?? error).split('\n').find((line) => line.trim() !== '') ?? 'no reason given';
  return new KubectlDaskError(`cannot get credentials for context "${context}": ${reason.trim().slice(0, 300)}; log in again, or check the user of your kubeconfig context`, ExitCode.forbidden);
}

/** The names of the kubeconfig's contexts, for completion: no API call. */
export function contextNames(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): string[] {
  return loadKubeConfig(target.kubeconfig, env)
    .getContexts()
    .map((c) => c.name);
}

/** The namespace commands default to, for work that needs no API call; "default" without a kubeconfig. */
export function namespaceFromKubeconfig(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return resolveConnection(target, env).namespace;
  } catch (error) {
    if (target.kubeconfig === undefined && target.context === undefined) return target.namespace ?? 'default';
    throw error;
  }
}
