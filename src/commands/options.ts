// Flags shared by every command, named and behaving as in kubectl.
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.ts';

export const globalOptions = {
  kubeconfig: { type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)', global: true },
  context: { type: 'string', describe: 'The kubeconfig context to use', global: true },
  namespace: { alias: 'n', type: 'string', describe: "Namespace (default: the context's namespace, else default)", global: true },
  interactive: {
    type: 'boolean',
    default: true,
    describe: 'Live UI in a terminal; --no-interactive prints plain lines (automatic without a TTY or in CI)',
    global: true,
  },
} as const satisfies Record<string, Options>;

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
