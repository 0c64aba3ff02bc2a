// What port-forward and dashboard show: the local addresses on stdout (results a user copies),
// then progress on stderr, as plain lines or, in an interactive terminal, a live panel whose Ink
// code is imported only then.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { connectionSnippets } from '../core/status.ts';
import { type ForwardPort, type ForwardState, type ForwardView, displayHost } from '../operations/port-forward.ts';
import { loadForwardPanelView } from './ink-views.ts';
import { formatFields, indent } from './table.ts';
import { type TerminalMode, paint } from './terminal.ts';

export interface ForwardPresenter extends ForwardView {
  /** Stops live rendering; the last frame stays. */
  close(): Promise<void>;
}

export function schedulerUrl(address: string, port: number): string {
  return `tcp://${displayHost(address)}:${port}`;
}

export function dashboardUrl(address: string, port: number): string {
  return `http://${displayHost(address)}:${port}`;
}

/** The stdout block: addresses, and for the scheduler the snippets to connect with. */
export function formatForwardAddresses(ports: ForwardPort[], address: string, color: boolean): string {
  const p = paint(color);
  const scheduler = ports.find((port) => port.label === 'scheduler');
  const dashboard = ports.find((port) => port.label === 'dashboard');
  const fields: [string, string][] = [];
  if (scheduler) fields.push(['Dask address', schedulerUrl(address, scheduler.local)]);
  if (dashboard) fields.push(['Dashboard', dashboardUrl(address, dashboard.local)]);
  if (!scheduler) return formatFields(fields);
  const snippets = connectionSnippets(schedulerUrl(address, scheduler.local));
  return [formatFields(fields), p.bold('Dask client:'), indent(snippets.dask), p.bold('Prefect 3 task runner:'), indent(snippets.prefect), ''].join('\n');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** The lines of the live panel, shared with its tests. */
export function panelLines(state: Readonly<ForwardState>): [string, string][] {
  return [
    ['Scheduler pod', state.target ?? 'waiting for a Ready pod'],
    ['Connections', `${state.open} open`],
    ['Traffic', `${formatBytes(state.received)} in, ${formatBytes(state.sent)} out`],
    ['Reconnects', String(state.reconnects)],
  ];
}

/**
 * The command that opens a URL in the user's browser, if one plausibly exists: a desktop
 * session on Linux and the BSDs, always on macOS. Never on a headless server, where xdg-open
 * would start a text browser or fail in the user's face.
 */
export function browserCommand(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, onPath: (command: string) => boolean): string | undefined {
  if (platform === 'darwin') return onPath('open') ? 'open' : undefined;
  if (platform === 'win32') return undefined;
  return (env.DISPLAY || env.WAYLAND_DISPLAY) && onPath('xdg-open') ? 'xdg-open' : undefined;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function openBrowser(url: string, notice: (text: string) => void): void {
  const command = browserCommand(process.platform, process.env, onPath);
  if (!command) return;
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', (error) => notice(`could not open a browser (${error.message}); open ${url} yourself`));
  child.unref();
}

export async function createForwardPresenter(
  mode: TerminalMode,
  address: string,
  openDashboard: boolean,
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream } = { stdout: process.stdout, stderr: process.stderr },
): Promise<ForwardPresenter> {
  const p = paint(mode.stderrColor);
  const notice = (text: string) => void streams.stderr.write(`${p.dim('•')} ${text}\n`);
  const live = mode.interactive ? (await loadForwardPanelView()).createLivePanel(streams.stderr, mode.stderrColor) : undefined;
  // The addresses come first; what the forward reports before them waits, as the live panel would
  // draw above them and then erase them with its next frame.
  let waiting: (() => void)[] | undefined = [];
  const afterAddresses =
    <A extends unknown[]>(show: (...args: A) => void) =>
    (...args: A) =>
      waiting ? void waiting.push(() => show(...args)) : show(...args);
  return {
    listening(ports) {
      streams.stdout.write(`${formatForwardAddresses(ports, address, mode.color)}\n`);
      for (const show of waiting ?? []) show();
      waiting = undefined;
      const dashboard = ports.find((port) => port.label === 'dashboard');
      if (openDashboard && dashboard) openBrowser(dashboardUrl(address, dashboard.local), live?.notice ?? notice);
    },
    update: afterAddresses(live?.update ?? (() => undefined)),
    notice: afterAddresses(live?.notice ?? notice),
    close: live?.close ?? (async () => undefined),
  };
}
