// Turns client-node and network failures into one-line errors that name the fix. Messages never
// include request headers or bodies beyond the API server's own message, so no token or
// certificate can leak.
import { ApiException } from './client-node.ts';
import { ExitCode, KubectlDaskError, interrupted } from '../core/errors.ts';
import { type CommandTarget, connectionFlags } from '../core/spec.ts';

export interface Attempt {
  /** e.g. "create", "patch", "list" */
  verb: string;
  /** e.g. "deployments", "pods/portforward" */
  resource: string;
  namespace?: string;
  name?: string;
  server?: string;
  /** Where the command connected, for the commands an error suggests. */
  target?: CommandTarget;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  // A SOCKS proxy's client passes on the socket's error by its message alone ("connect ECONNREFUSED ...").
  const named = error instanceof Error ? /^(?:connect|getaddrinfo|read) ([A-Z_]+)\b/.exec(error.message)?.[1] : undefined;
  return named !== undefined && NETWORK_CODES.has(named) ? named : undefined;
}

export function apiStatusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function serverMessage(error: ApiException<unknown>): string {
  const body = error.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : `HTTP ${error.code}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** How the authorizer words a refusal: ... is forbidden: User "alice" cannot get resource "pods" ... */
const RBAC_DENIAL = /is forbidden: User ".*" cannot /;

export function toUserError(error: unknown, attempt: Attempt): Error {
  if (error instanceof KubectlDaskError) return error;
  const where = attempt.namespace ? ` in namespace "${attempt.namespace}"` : '';
  if (error instanceof ApiException) {
    const msg = serverMessage(error);
    switch (error.code) {
      case 401:
        return new KubectlDaskError(`the API server rejected your credentials (401 Unauthorized): log in again or check the user of your kubeconfig context`, ExitCode.forbidden);
      case 403:
        // Quotas and admission (webhooks, LimitRanges) refuse with 403 too, and say so: no Role helps there.
        if (!RBAC_DENIAL.test(msg) && msg !== `HTTP ${error.code}`) {
          return new KubectlDaskError(`the API server refused to ${attempt.verb} ${attempt.resource}${where}: ${msg}`, ExitCode.failure);
        }
        return new KubectlDaskError(
          `forbidden: you may not ${attempt.verb} ${attempt.resource}${where}; ask an admin for a Role that allows it (see README, "RBAC")`,
          ExitCode.forbidden,
          [msg],
        );
      case 404:
        return new KubectlDaskError(`${attempt.resource}${attempt.name ? ` "${attempt.name}"` : ''} not found${where}`, ExitCode.notFound, [msg]);
      case 409:
        return new KubectlDaskError(`conflict while trying to ${attempt.verb} ${attempt.resource}${where}: ${msg}`, ExitCode.conflict);
      case 422:
        // An object of that name exists with a field no update may change (a Deployment's
        // selector): no flag takes it over, only deleting it does.
        if (attempt.name && msg.includes('field is immutable')) {
          const flags = attempt.target ? connectionFlags(attempt.namespace, attempt.target) : attempt.namespace ? ` -n ${attempt.namespace}` : '';
          return new KubectlDaskError(
            `${attempt.resource} "${attempt.name}"${where} exists with a field that cannot be changed: delete it with kubectl delete ${attempt.resource} ${attempt.name}${flags}, then run the command again`,
            ExitCode.conflict,
            [msg],
          );
        }
        return new KubectlDaskError(`the API server refused to ${attempt.verb} ${attempt.resource}${where}: ${msg}`, ExitCode.failure);
      case 400:
        return new KubectlDaskError(`the API server refused to ${attempt.verb} ${attempt.resource}${where}: ${msg}`, ExitCode.failure);
      default:
        return new KubectlDaskError(`failed to ${attempt.verb} ${attempt.resource}${where}: ${msg}`, ExitCode.failure);
    }
  }
  const code = errorCode(error);
  const server = attempt.server ? ` at ${attempt.server}` : '';
  if (code && NETWORK_CODES.has(code)) {
    return new KubectlDaskError(`cannot reach the Kubernetes API server${server} (${code}): check that the cluster is running and that your kubeconfig context points at it`, ExitCode.unreachable);
  }
  if (code === 'EPROTO') {
    return new KubectlDaskError(`no TLS handshake with the API server${server} (${code}): check the server address and port of your kubeconfig context; it does not answer HTTPS there`, ExitCode.unreachable);
  }
  if (code?.startsWith('ERR_HTTP2_')) {
    return new KubectlDaskError(`the connection to the Kubernetes API server${server} failed (${code}): check that the cluster is running, then run the command again`, ExitCode.unreachable);
  }
  // OpenSSL's own errors come from reading the TLS material, before any connection.
  if (code?.startsWith('ERR_OSSL_')) {
    return new KubectlDaskError(`the TLS material of your kubeconfig context cannot be used (${code}): check its certificate-authority, client-certificate and client-key`, ExitCode.usage);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new KubectlDaskError(`the API server's certificate${server} is not for that host name (${code}): check the server address, or tls-server-name, of your kubeconfig context`, ExitCode.unreachable);
  }
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new KubectlDaskError(`TLS failure talking to the API server${server} (${code}): check the cluster's certificate-authority data in your kubeconfig`, ExitCode.unreachable);
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error.cause as Error | undefined)?.message ?? 'network error';
    return new KubectlDaskError(`cannot reach the Kubernetes API server${server} (${cause}): check the server address of your kubeconfig context`, ExitCode.unreachable);
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return interrupted();
  }
  return error instanceof Error ? error : new Error(String(error));
}
