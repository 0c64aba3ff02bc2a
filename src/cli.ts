// Entry point: yargs setup and the one place errors become messages and exit codes.
// Only yargs and small modules are imported statically; each command imports the Kubernetes
// client and Ink when it runs, so `--help` and `version` start fast.
import yargs, { type CommandModule } from 'yargs';
import { ExitCode, KubectlDaskError, QuietExit, UsageError } from './core/errors.ts';
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
import { globalOptions, outputOption, withValues } from './commands/options.ts';

// In the order --help lists them.
const commands: CommandModule<any, any>[] = [
  upCommand,
  scaleCommand,
  statusCommand,
  listCommand,
  downCommand,
  portForwardCommand,
  dashboardCommand,
  logsCommand,
  versionCommand,
  completionCommand,
];

/** The words that name a command: each command's name and its aliases. */
export const commandWords: string[] = commands.flatMap((c) => [String(c.command ?? '').split(' ')[0]!, ...[c.aliases ?? []].flat()]);

/** The global flags as typed, with and without a value of their own: the launcher looks past them for the command word. */
export const globalFlags = {
  withValue: Object.entries(globalOptions).flatMap(([name, option]) => (option.type === 'boolean' ? [] : [`--${name}`, ...('alias' in option ? [`-${option.alias}`] : [])])),
  withoutValue: Object.entries(globalOptions).flatMap(([name, option]) => (option.type === 'boolean' ? [`--${name}`, `--no-${name}`] : [])),
};

/** kubectl logs flags a kubectl user will try on kubectl dask logs, and what stands for them. */
const KUBECTL_LOGS_FLAGS: Record<string, string> = {
  '--prefix': 'lines always carry their pod',
  '--max-log-requests': 'there is no cap, every pod is followed',
  '-c': 'pick the containers with --scheduler or --all',
  '--container': 'pick the containers with --scheduler or --all',
  '--all-containers': 'pick the containers with --scheduler or --all',
  '-l': 'the cluster name picks the pods',
  '--selector': 'the cluster name picks the pods',
};

/** yargs' strict mode says "Unknown argument(s): a, b" for a mistyped flag, an unknown command
 * and an extra argument alike; say which it is and where the right spelling is. */
function unknownArguments(message: string, argv: string[]): string | undefined {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (!m) return undefined;
  const command = argv.find((a) => commandWords.includes(a));
  const help = command ? `kubectl dask ${command} --help` : 'kubectl dask --help';
  const words = m[1]!.split(', ');
  // yargs adds the camelCase twin of a dashed flag (foo-bar, fooBar): keep the one typed.
  const typed = words.filter((w) => !words.some((o) => o !== w && o.includes('-') && o.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) === w));
  // As typed: yargs reports --no-wiat as "wiat".
  const flags = typed.flatMap((w) => argv.find((a) => [`--${w}`, `--no-${w}`, `-${w}`].includes(a.split('=')[0]!))?.split('=')[0] ?? []);
  const instead = command === 'logs' && flags.length === 1 ? KUBECTL_LOGS_FLAGS[flags[0]!] : undefined;
  if (instead) return `unknown flag ${flags[0]} for kubectl dask logs: ${instead}; see the flags with ${help}`;
  if (flags.length > 0) return `unknown flag${flags.length > 1 ? 's' : ''} ${flags.join(', ')}${command ? ` for kubectl dask ${command}` : ''}: see the flags with ${help}`;
  if (!command) return `unknown command "${typed[0]}": see the commands with kubectl dask --help`;
  // The other commands take the cluster's name as a word; up takes it as a flag.
  if (command === 'up' && typed.length === 1) return `unexpected argument "${typed[0]}" for kubectl dask up: name the cluster with --name ${typed[0]}`;
  return `unexpected argument${typed.length > 1 ? 's' : ''} ${typed.map((w) => `"${w}"`).join(', ')} for kubectl dask ${command}: see ${help}`;
}

/** The short flags that take a value: -n and -o. */
const shortFlagsWithValue = [globalOptions.namespace.alias, outputOption.output.alias].map((letter) => `-${letter}`);

/** kubectl reads -ojson and -nNAME as -o json and -n NAME; yargs would read a group of one-letter flags. */
function splitAttachedValues(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.flatMap((arg, i) => {
    const attached = (end === -1 || i < end) && arg.length > 2 && arg[2] !== '=' && shortFlagsWithValue.includes(arg.slice(0, 2));
    return attached ? [arg.slice(0, 2), arg.slice(2)] : [arg];
  });
}

/** The first word that is neither a flag nor a global flag's value: what yargs took for the command. */
function commandArgument(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return arg;
    if (globalFlags.withValue.includes(arg)) i += 1;
  }
  return undefined;
}

/** yargs says "Not enough arguments following: name" for a string flag typed without its value. */
function missingValue(message: string, argv: string[]): string | undefined {
  const m = /^Not enough arguments following: (.+)$/.exec(message);
  if (!m) return undefined;
  const command = argv.find((a) => commandWords.includes(a));
  const flag = m[1]!.length === 1 ? `-${m[1]}` : `--${m[1]}`;
  return `flag ${flag} needs a value: see ${command ? `kubectl dask ${command} --help` : 'kubectl dask --help'}`;
}

/** yargs says "Not enough non-option arguments" for a command's missing word (completion's shell). */
function missingArgument(message: string, argv: string[]): string | undefined {
  if (!message.startsWith('Not enough non-option arguments')) return undefined;
  const word = argv.find((a) => commandWords.includes(a));
  const usage = commands.find((c) => String(c.command ?? '').split(' ')[0] === word)?.command;
  return usage === undefined ? undefined : `missing argument: kubectl dask ${String(usage)}; see kubectl dask ${word} --help`;
}

export async function main(args: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  // As `kubectl help get` is `kubectl get --help`.
  const argv = splitAttachedValues(args[0] === 'help' && args.length > 1 ? [...args.slice(1), '--help'] : args);
  const parser = yargs(argv)
    .scriptName('kubectl dask')
    .usage('$0 <command> [options]\n\nRun a static Dask cluster (scheduler, its Service and workers) in a Kubernetes namespace.')
    .options(withValues(globalOptions))
    .command(commands)
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
      const text = message?.startsWith('Did you mean')
        ? `unknown command "${commandArgument(argv)}": ${message.replace('Did you mean', 'did you mean')}`
        : (message && (unknownArguments(message, argv) ?? missingValue(message, argv) ?? missingArgument(message, argv))) ?? message;
      // yargs' own checks (and a coerce that threw) come as a YError: a usage error, as the others.
      throw error && error.name !== 'YError' ? error : new UsageError(text);
    });
  try {
    await parser.parseAsync();
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, stderr);
  }
}

function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof QuietExit) return error.exitCode;
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
