import { createInterface } from 'node:readline/promises';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, KubectlDaskError, UsageError, interrupted } from '../core/errors.ts';
import type { Reporter } from '../core/progress.ts';
import { parseClusterName, parseTimeout } from '../core/validate.ts';
import { type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { connect, interruptSignal, progressReporter, terminalMode, writeResult } from './runtime.ts';
import { waitOptions } from './up.ts';

interface DownArgs extends GlobalArgs {
  name?: string;
  yes: boolean;
  wait: boolean;
  timeout: string;
  output?: string;
}

/** Ctrl-D is a no; Ctrl-C, which readline reads from the terminal instead of the process, interrupts. */
async function askToConfirm(objects: string[], namespace: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Closing the prompt would leave its question unanswered for ever; aborting it rejects it.
  const question = new AbortController();
  let interruptedByUser = false;
  rl.once('SIGINT', () => {
    interruptedByUser = true;
    question.abort();
  });
  try {
    const answer = await rl.question(`Delete ${objects.join(', ')} in namespace "${namespace}"? Running work on this cluster is lost. [y/N] `, { signal: question.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    // Ctrl-D and Ctrl-C leave the cursor after the question.
    if (interruptedByUser || (error as Error).name === 'AbortError') process.stderr.write('\n');
    if (interruptedByUser) throw interrupted('nothing was deleted');
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  } finally {
    rl.close();
  }
}

export const downCommand: CommandModule<GlobalArgs, DownArgs> = {
  command: 'down [name]',
  describe: 'Delete a Dask cluster and wait until its pods are gone',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues({
        yes: { alias: 'y', type: 'boolean', default: false, describe: 'Delete without asking (required when there is no terminal to ask in)' },
        wait: { ...waitOptions.wait, describe: "Wait until the cluster's pods are gone (--no-wait returns at once)" },
        timeout: { ...waitOptions.timeout, default: '2m' },
        ...outputOption,
      }))
      .example('$0 down', 'Asks, then deletes the cluster "dask"')
      .example('$0 down etl --yes', 'Deletes "etl" without asking, as scripts and CI must'),
  handler: async (args) => {
    const name = parseClusterName(args.name ?? 'dask');
    const timeoutMs = parseTimeout(args.timeout);
    const output = parseOutput(args.output);
    const mode = terminalMode(args);
    // Without a terminal nobody can answer, so refuse rather than hang or delete unasked.
    if (!args.yes && !(process.stdin.isTTY && process.stderr.isTTY)) {
      throw new UsageError(`refusing to delete Dask cluster "${name}" without confirmation: no terminal to ask in; pass --yes`);
    }
    const client = await connect(args);
    const { downCluster } = await import('../operations/down.ts');
    // The reporter starts only after the question is answered: a live UI would hide the prompt.
    let reporter: Reporter | undefined;
    let result: Awaited<ReturnType<typeof downCluster>>;
    try {
      result = await downCluster(
        client,
        {
          name,
          namespace: client.namespace,
          wait: args.wait,
          timeoutMs,
          signal: interruptSignal(),
          confirm: (objects) => (args.yes ? Promise.resolve(true) : askToConfirm(objects, client.namespace)),
        },
        async () => (reporter = await progressReporter(mode)),
      );
    } finally {
      await reporter?.close();
    }
    if (result.cancelled) throw new KubectlDaskError('cancelled: nothing was deleted', ExitCode.failure);
    if (output === 'text') return writeResult(`Deleted Dask cluster "${name}" in namespace "${client.namespace}" (${result.deleted.join(', ')}).`);
    const { formatObjects } = await import('../ui/status-view.ts');
    writeResult(await formatObjects({ name, namespace: client.namespace, deleted: result.deleted }, output));
  },
};
