// GET requests to the API server without client-node's generated client: the reads of `status`
// and `list` (whose start-up would otherwise load undici and the generated API, about 35 ms of
// every run) and log streams. Log streams are HTTP/2 streams on sessions shared by all of them
// (kube/http2-sessions.ts), as kubectl shares one connection. A one-shot read goes over HTTP/1.1
// through the agent client-node builds for the cluster, which loads node:https anyway: node:http2
// on top of it costs about 3.5 ms of a `status`, more than a second TLS handshake for its second
// list. Streams stay on HTTP/1.1 too, one connection each, in three cases: a proxy-url
// (client-node's HTTP and SOCKS proxy agents only carry HTTP/1.1; HTTP/2 through them would mean
// writing our own CONNECT and SOCKS tunnels), a plain http:// server, which in practice is
// `kubectl proxy` and speaks no h2c, and a server whose TLS handshake does not offer h2 (kubectl's
// Go client falls back the same way). TLS material and credentials (tokens, exec and OIDC plugins,
// impersonation) always come from client-node.
import http, { type IncomingMessage } from 'node:http';
import type { ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { MAX_ERROR_BODY, readText } from './body.ts';
import { ApiException, type KubeConfig } from './client-node.ts';
import { CONNECT_TIMEOUT_MS, Http2Sessions, Http2UnsupportedError, type SessionTls, connectTimedOut, responseBody } from './http2-sessions.ts';

/** client-node's view of a request: TLS options, auth headers and, for HTTP/1.1, its agent. */
type ClientOptions = Omit<https.RequestOptions, 'headers'> & { headers?: Record<string, string> };

export class ApiRequests {
  private readonly kc: KubeConfig;
  private readonly server: URL;
  /** Undefined when requests go over HTTP/1.1 (see the top of this file). */
  private sessions: Http2Sessions | undefined;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context has no cluster');
    this.kc = kc;
    this.server = new URL(cluster.server);
    this.sessions = this.server.protocol === 'https:' && !cluster.proxyUrl ? new Http2Sessions(this.server.origin) : undefined;
  }

  /**
   * The response body of path (an API path with its query) as latin1 text, one character a byte,
   * over HTTP/2 where the server offers it: for streams that stay open, such as log follows. A log
   * holds whatever bytes a container wrote: decoded as UTF-8, bytes that are not would become
   * U+FFFD, where kubectl logs passes them on (see logOutput). The stream ends when the
   * server ends the response, errors when the connection fails, and is destroyed when signal
   * aborts. A refused request rejects with the API server's ApiException (its Status body
   * included), an unreachable server with the network error.
   */
  stream(path: string, signal: AbortSignal): Promise<Readable> {
    return this.response(path, (target, options) => this.get(target, options, signal), 'latin1');
  }

  /** The JSON object at path, e.g. a list, read over HTTP/1.1; rejects as stream() does. */
  async json<T>(path: string, signal: AbortSignal = new AbortController().signal): Promise<T> {
    const body = await this.response(path, (target, options) => this.http1Get(target, options, signal));
    return JSON.parse(await readText(body)) as T;
  }

  private async response(
    path: string,
    send: (target: string, options: ClientOptions) => Promise<{ status: number; body: Readable }>,
    encoding: 'utf8' | 'latin1' = 'utf8',
  ): Promise<Readable> {
    const options: ClientOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    const { status, body } = await send(this.server.pathname.replace(/\/$/, '') + path, options);
    body.setEncoding(status === 200 ? encoding : 'utf8');
    if (status !== 200) throw new ApiException(status, `GET ${path.split('?')[0]} failed with HTTP ${status}`, await readText(body, MAX_ERROR_BODY), {});
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
    // Only until the connection is up, as the sessions of HTTP/2: a log stream may then wait for hours.
    request.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => request.destroy(connectTimedOut()), CONNECT_TIMEOUT_MS);
      const connected = () => clearTimeout(timer);
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected).once('close', connected);
    });
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
    const onClose = () => settle(() => reject(Object.assign(new Error('the API server closed the stream before answering'), { code: 'ECONNRESET' })));
    stream.on('response', onResponse).on('error', onError).on('close', onClose);
  });
}
