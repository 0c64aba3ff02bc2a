// What every command handler needs at run time, loaded lazily so that parsing and --help never
// pay for the Kubernetes client or Ink.
import { ExitCode } from '../core/errors.ts';
import type { Reporter } from '../core/progress.ts';
import type { KubeClient } from '../kube/client.ts';
import { detectTerminal, type TerminalMode } from '../ui/terminal.ts';
import { connectionTarget, type GlobalArgs } from './options.ts';

export function terminalMode(args: GlobalArgs): TerminalMode {
  return detectTerminal({ noInteractive: !args.interactive });
}

export async function connect(args: GlobalArgs): Promise<KubeClient> {
  const { KubeClient } = await import('../kube/client.ts');
  return KubeClient.connect(connectionTarget(args));
}

/**
 * A watch event can still reach an operation after it settled; once closed, the reporter draws
 * nothing more, so no progress line ever follows the command's error or result.
 */
export async function progressReporter(mode: TerminalMode): Promise<Reporter> {
  const { createReporter } = await import('../ui/reporter.ts');
  const reporter = await createReporter(mode);
  let closed = false;
  return {
    update: (state) => {
      if (!closed) reporter.update(state);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await reporter.close();
    },
  };
}

/**
 * An AbortSignal that fires on the first Ctrl-C (or SIGTERM), so operations stop their watches
 * and exit promptly; a second Ctrl-C exits at once.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

export function writeResult(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Runs an operation that starts its reporter itself, after a question a live UI would hide, and
 * closes it whatever happens.
 */
export async function withLaterReporter<T>(mode: TerminalMode, run: (startReporter: () => Promise<Reporter>) => Promise<T>): Promise<T> {
  let reporter: Reporter | undefined;
  try {
    return await run(async () => (reporter = await progressReporter(mode)));
  } finally {
    await reporter?.close();
  }
}

/** Runs an operation with a reporter, closing it (and leaving its last frame) whatever happens. */
export async function withReporter<T>(mode: TerminalMode, run: (reporter: Reporter) => Promise<T>): Promise<T> {
  const reporter = await progressReporter(mode);
  try {
    return await run(reporter);
  } finally {
    await reporter.close();
  }
}
