// Flags shared by every command, named and behaving as in kubectl.
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { parseNamespace } from '../core/validate.ts';

/**
 * An empty value would pass for none: a namespace makes API paths that name none (every
 * namespace's objects), a context or kubeconfig falls back to the current one, so a script's unset
 * variable would act on another cluster than meant.
 */
function nonEmpty(flag: string, instead: string): (value: string) => string {
  return (value) => {
    if (value === '') throw new UsageError(`the ${flag} is empty: pass ${instead}`);
    return value;
  };
}

export const globalOptions = {
  kubeconfig: {
    type: 'string',
    describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
    global: true,
    coerce: nonEmpty('kubeconfig path', '--kubeconfig FILE, or leave it out for $KUBECONFIG or ~/.kube/config'),
  },
  context: { type: 'string', describe: 'The kubeconfig context to use', global: true, coerce: nonEmpty('context', '--context NAME, or leave it out for the current context') },
  namespace: {
    alias: 'n',
    type: 'string',
    describe: "Namespace (default: the context's namespace, else default)",
    global: true,
    coerce: (value: string) => parseNamespace(nonEmpty('namespace', "-n NAME, or leave -n out for the context's namespace")(value)),
  },
  interactive: {
    type: 'boolean',
    default: true,
    describe: 'Live UI in a terminal; --no-interactive prints plain lines (automatic without a TTY or in CI)',
    global: true,
  },
} as const satisfies Record<string, Options>;

/**
 * A command's flags as yargs takes them, every string flag requiring its value as kubectl's do:
 * yargs gives a string flag typed without one its default (`--name` is then "dask") or an empty
 * string. A flag whose value may be left out says requiresArg: false. As in kubectl, the last of
 * a repeated flag counts (yargs would join them: `-n a -n b` read "a,b"), unless it is a list,
 * which takes one value each time it is given (yargs would take every word that follows:
 * `--pip prefect etl` installed "etl"), and `--no-` negates only a switch (yargs would read
 * `--no-name` as the name "false").
 */
export function withValues<T extends Record<string, Options>>(options: T): T {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => {
      if (option.type !== 'string') return [name, option];
      const own = option.coerce as ((value: unknown) => unknown) | undefined;
      const coerce = (value: unknown) => {
        if ([value].flat().some((v) => typeof v === 'boolean')) throw new UsageError(`unknown flag --no-${name}: --${name} takes a value, it is not a switch`);
        const last = Array.isArray(value) && !option.array ? value.at(-1) : value;
        return own ? own(last) : last;
      };
      return [name, { ...option, requiresArg: option.requiresArg ?? true, ...(option.array ? { nargs: 1 } : {}), coerce }];
    }),
  ) as T;
}

export interface GlobalArgs {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  interactive: boolean;
}

export type OutputFormat = 'text' | 'json' | 'yaml';

export const outputOption = {
  output: { alias: 'o', type: 'string', describe: 'Output format: json or yaml (default: human-readable text)' },
} as const satisfies Record<string, Options>;

export function parseOutput(value: unknown): OutputFormat {
  if (value === undefined || value === '' || value === 'text' || value === 'wide') return 'text';
  if (value === 'json' || value === 'yaml') return value;
  throw new UsageError(`unsupported --output "${String(value)}": use -o json or -o yaml`);
}

export function connectionTarget(args: GlobalArgs): { kubeconfig?: string; context?: string; namespace?: string } {
  const target: { kubeconfig?: string; context?: string; namespace?: string } = {};
  if (args.kubeconfig !== undefined) target.kubeconfig = args.kubeconfig;
  if (args.context !== undefined) target.context = args.context;
  if (args.namespace !== undefined) target.namespace = args.namespace;
  return target;
}

/** yargs turns a repeated flag into an array and a single one into a scalar. */
export function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
