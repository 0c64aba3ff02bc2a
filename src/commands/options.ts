// Flags shared by every command, named and behaving as in kubectl.
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.ts';

/** An empty namespace makes API paths that name none: every namespace's objects. */
function nonEmptyNamespace(value: string): string {
  if (value === '') throw new UsageError('the namespace is empty: pass -n NAME, or leave -n out for the context\'s namespace');
  return value;
}

export const globalOptions = {
  kubeconfig: { type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)', global: true },
  context: { type: 'string', describe: 'The kubeconfig context to use', global: true },
  namespace: { alias: 'n', type: 'string', describe: "Namespace (default: the context's namespace, else default)", global: true, coerce: nonEmptyNamespace },
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
 * string. A flag whose value may be left out says requiresArg: false.
 */
export function withValues<T extends Record<string, Options>>(options: T): T {
  return Object.fromEntries(Object.entries(options).map(([name, option]) => [name, option.type === 'string' && option.requiresArg === undefined ? { ...option, requiresArg: true } : option])) as T;
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
