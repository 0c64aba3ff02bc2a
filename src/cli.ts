// Entry point: yargs setup and the one place errors become messages and exit codes.
// Only yargs and small modules are imported statically; each command imports the Kubernetes
// client and Ink when it runs, so `--help` and `version` start fast.
import yargs from 'yargs';
import { ExitCode, KubectlDaskError, UsageError } from './core/errors.ts';
import { dashboardCommand } from './commands/dashboard.ts';
import { downCommand } from './commands/down.ts';
import { listCommand } from './commands/list.ts';
import { logsCommand } from './commands/logs.ts';
import { portForwardCommand } from './commands/port-forward.ts';
import { scaleCommand } from './commands/scale.ts';
import { statusCommand } from './commands/status.ts';
import { upCommand } from './commands/up.ts';
import { versionCommand } from './commands/version.ts';
import { completionCommand } from './commands/completion.ts';
import { globalOptions } from './commands/options.ts';

export async function main(argv: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const parser = yargs(argv)
    .scriptName('kubectl dask')
    .usage('$0 <command> [options]\n\nRun a static Dask cluster (scheduler, its Service and workers) in a Kubernetes namespace.')
    .options(globalOptions)
    .command(upCommand)
    .command(scaleCommand)
    .command(statusCommand)
    .command(listCommand)
    .command(downCommand)
    .command(portForwardCommand)
    .command(dashboardCommand)
    .command(logsCommand)
    .command(versionCommand)
    .command(completionCommand)
    .demandCommand(1, 'Name a command, for example: kubectl dask up')
    .recommendCommands()
    .strict()
    .version(false)
    .help('help')
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .epilogue('Flags --kubeconfig, --context and -n/--namespace work as in kubectl. Docs: kubectl dask <command> --help')
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports a mistyped command only as its suggestion; say what was wrong first.
      const text = message?.startsWith('Did you mean') ? `unknown command "${argv[0]}": ${message.replace('Did you mean', 'did you mean')}` : message;
      throw error ?? new UsageError(text);
    });
  try {
    await parser.parseAsync();
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, stderr);
  }
}

function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof KubectlDaskError) {
    stderr.write(`error: ${error.message}\n`);
    for (const line of error.details) stderr.write(`  ${line}\n`);
    if (error instanceof UsageError) stderr.write(`See 'kubectl dask --help' or 'kubectl dask <command> --help'.\n`);
    return error.exitCode;
  }
  // Not a user mistake: show the stack so the report is useful.
  stderr.write(`error: unexpected failure, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.failure;
}
