// Container logs as Node streams. Against an https API server every log is an HTTP/2 stream on
// sessions shared by all of them (kube/http2-sessions.ts), as kubectl does. Three cases stay on
// HTTP/1.1, one connection per log, through the agent client-node builds for the cluster:
// a proxy-url (client-node's HTTP and SOCKS proxy agents only carry HTTP/1.1 requests; HTTP/2
// through them would mean writing our own CONNECT and SOCKS tunnels), a plain http:// server,
// which in practice is `kubectl proxy` and speaks no h2c, and a server whose TLS handshake does
// not offer h2 (kubectl's Go client falls back the same way). TLS material and credentials
// (tokens, exec and OIDC plugins, impersonation) always come from client-node.
import http, { type IncomingMessage } from 'node:http';
import type { ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import type { StreamWindow } from '../core/logs.ts';
import { Http2Sessions, Http2UnsupportedError, type SessionTls, responseBody } from './http2-sessions.ts';

export interface PodLogRequest extends StreamWindow {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
}

/** Path and query of the log API; timestamps on every line, so a dropped stream can resume. */
export function podLogPath(request: PodLogRequest): string {
  const query = new URLSearchParams({ container: request.container, follow: String(request.follow), timestamps: 'true' });
  if (request.sinceTime !== undefined) query.set('sinceTime', request.sinceTime);
  if (request.sinceSeconds !== undefined) query.set('sinceSeconds', String(request.sinceSeconds));
  if (request.tailLines !== undefined) query.set('tailLines', String(request.tailLines));
  return `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log?${query}`;
}

/** client-node's view of a request: TLS options, auth headers and, for HTTP/1.1, its agent. */
type ClientOptions = Omit<https.RequestOptions, 'headers'> & { headers?: Record<string, string> };

// A Status body is a few hundred bytes; a misbehaving proxy's error page is cut here.
const MAX_ERROR_BODY = 64 << 10;

export class PodLogClient {
  private readonly kc: KubeConfig;
  private readonly server: URL;
  /** Undefined when logs go over HTTP/1.1 (see the top of this file). */
  private sessions: Http2Sessions | undefined;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context has no cluster');
    this.kc = kc;
    this.server = new URL(cluster.server);
    this.sessions = this.server.protocol === 'https:' && !cluster.proxyUrl ? new Http2Sessions(this.server.origin) : undefined;
  }

  /**
   * The log as utf8 text. The stream ends when the server ends the log, errors when the
   * connection fails, and is destroyed when signal aborts. A refused request rejects with the
   * API server's ApiException (its Status body included), an unreachable server with the
   * network error.
   */
  async open(request: PodLogRequest, signal: AbortSignal): Promise<Readable> {
    const options: ClientOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    const path = this.server.pathname.replace(/\/$/, '') + podLogPath(request);
    const { status, body } = await this.get(path, options, signal);
    if (status !== 200) throw new ApiException(status, `log request failed with HTTP ${status}`, await readLimited(body), {});
    body.setEncoding('utf8');
    return body;
  }

  private async get(path: string, options: ClientOptions, signal: AbortSignal): Promise<{ status: number; body: Readable }> {
    if (this.sessions) {
      try {
        return await this.http2Get(this.sessions, path, options, signal);
      } catch (error) {
        if (!(error instanceof Http2UnsupportedError)) throw error;
        this.sessions = undefined;
      }
    }
    return this.http1Get(path, options, signal);
  }

  private async http2Get(sessions: Http2Sessions, path: string, options: ClientOptions, signal: AbortSignal): Promise<{ status: number; body: Readable }> {
    const headers: OutgoingHttpHeaders = { ':path': path, ...options.headers };
    if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    const stream = await sessions.request(headers, sessionTls(options), signal);
    const response = await responseHeaders(stream);
    return { status: Number(response[':status']), body: responseBody(stream) };
  }

  private async http1Get(path: string, options: ClientOptions, signal: AbortSignal): Promise<{ status: number; body: Readable }> {
    const url = new URL(path, this.server.origin);
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(url, { agent: options.agent, headers: options.headers, signal, ...(options.auth ? { auth: options.auth } : {}) });
    request.end();
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    return { status: response.statusCode ?? 0, body: response };
  }
}

function sessionTls(options: ClientOptions): SessionTls {
  const { ca, cert, key, pfx, passphrase, servername, rejectUnauthorized } = options;
  return { ca, cert, key, pfx, passphrase, servername, rejectUnauthorized };
}

/** The response's headers, or the stream's error (or a reset) if it fails first. */
function responseHeaders(stream: ClientHttp2Stream): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const settle = (done: () => void) => {
      stream.off('response', onResponse).off('error', onError).off('close', onClose);
      done();
    };
    const onResponse = (headers: IncomingHttpHeaders) => settle(() => resolve(headers));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(Object.assign(new Error('the API server closed the log stream before answering'), { code: 'ECONNRESET' })));
    stream.on('response', onResponse).on('error', onError).on('close', onClose);
  });
}

async function readLimited(body: Readable): Promise<string> {
  let text = '';
  body.setEncoding('utf8');
  for await (const chunk of body as AsyncIterable<string>) {
    text += chunk;
    if (text.length >= MAX_ERROR_BODY) break;
  }
  body.destroy();
  return text.slice(0, MAX_ERROR_BODY);
}
