import { createInterface } from 'node:readline/promises';
import { UsageError, interrupted } from '../core/errors.ts';

/** Whether a question can be asked: a person at a terminal, on both ends. */
export function canAsk(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/**
 * Asks a yes/no question on the terminal, no by default. Ctrl-D is a no; Ctrl-C, which readline
 * reads from the terminal instead of the process, interrupts with unchanged said, as do a Ctrl-C
 * before the question and a SIGTERM (interrupt, the command's interruptSignal()).
 */
export async function askToConfirm(question: string, unchanged: string, interrupt: AbortSignal): Promise<boolean> {
  if (interrupt.aborted) throw interrupted(unchanged);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Closing the prompt would leave its question unanswered for ever; aborting it rejects it.
  const asking = new AbortController();
  let interruptedByUser = false;
  const stop = () => {
    interruptedByUser = true;
    asking.abort();
  };
  rl.once('SIGINT', stop);
  interrupt.addEventListener('abort', stop, { once: true });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: asking.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    // Ctrl-D and Ctrl-C leave the cursor after the question.
    if (interruptedByUser || (error as Error).name === 'AbortError') process.stderr.write('\n');
    if (interruptedByUser) throw interrupted(unchanged);
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  } finally {
    interrupt.removeEventListener('abort', stop);
    rl.close();
  }
}

/** Without a terminal nobody can answer: refuse rather than hang or act unasked. */
export function refuseUnasked(what: string): UsageError {
  return new UsageError(`refusing to ${what} without confirmation: no terminal to ask in; pass --yes`);
}
