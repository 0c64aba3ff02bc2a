import type { Reporter } from '../core/progress.ts';
import { loadProgressView } from './ink-views.ts';
import { createPlainReporter } from './plain-reporter.ts';
import type { TerminalMode } from './terminal.ts';

/** The reporter for a terminal mode from detectTerminal. Ink and React are imported only for an
 * interactive terminal, which keeps them off the start-up path of scripted runs. */
export async function createReporter(mode: TerminalMode, stderr: NodeJS.WriteStream = process.stderr): Promise<Reporter> {
  if (!mode.interactive) return createPlainReporter(mode.stderrColor, stderr);
  const { createInkReporter } = await loadProgressView();
  return createInkReporter(stderr, mode.stderrColor);
}
