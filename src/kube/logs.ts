// One container's log as a Node stream, over client-node's Log. Log resolves when the response
// headers arrive and then pipes the body into our stream, but it never reports a body that
// fails later (a dropped connection, its own abort): the error is raised on a source stream we
// are not given, with no listener, which would crash the process. We catch it where the source
// announces itself ('pipe') and turn it into an error of the stream we return.
import { PassThrough, type Readable } from 'node:stream';
import { type KubeConfig, Log } from '@kubernetes/client-node';
import type { StreamWindow } from '../core/logs.ts';

export interface PodLogRequest extends StreamWindow {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
}

/**
 * Opens the log with timestamps on every line (so a dropped stream can resume). The returned
 * stream ends when the server ends the log, errors when the connection fails, and is destroyed
 * (with the log request aborted) when signal aborts.
 */
export async function openPodLog(kc: KubeConfig, request: PodLogRequest, signal: AbortSignal): Promise<Readable> {
  const out = new PassThrough();
  out.on('pipe', (source: Readable) => source.on('error', (error) => out.destroy(error)));
  const controller = await new Log(kc).log(request.namespace, request.pod, request.container, out, {
    follow: request.follow,
    timestamps: true,
    ...(request.sinceTime !== undefined ? { sinceTime: request.sinceTime } : {}),
    ...(request.sinceSeconds !== undefined ? { sinceSeconds: request.sinceSeconds } : {}),
    // client-node skips a falsy tailLines, which would turn --tail 0 into "everything".
    ...(request.tailLines !== undefined ? { tailLines: String(request.tailLines) as unknown as number } : {}),
  });
  // Log cannot be cancelled before the headers arrive; stop right after, then.
  const stop = () => {
    controller.abort();
    out.destroy();
  };
  if (signal.aborted) stop();
  else {
    signal.addEventListener('abort', stop, { once: true });
    out.once('close', () => signal.removeEventListener('abort', stop));
  }
  out.setEncoding('utf8');
  return out;
}
