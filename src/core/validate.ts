// Flag validation: pure and synchronous, so every bad value is refused before any API call.
import { UsageError } from './errors.ts';
import type { EnvVar } from './spec.ts';

// Service names are DNS-1035 labels of at most 63 characters; the longest name we derive is
// "<name>-scheduler", which leaves 53 for the cluster name.
const MAX_NAME = 63 - '-scheduler'.length;

export function parseClusterName(value: unknown): string {
  const name = String(value);
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > MAX_NAME) {
    throw new UsageError(
      `invalid cluster name "${name}": use lowercase letters, digits and '-', starting with a letter, at most ${MAX_NAME} characters (e.g. --name dask)`,
    );
  }
  return name;
}

/**
 * A namespace is a DNS label: any other value can name none, and one such as ".." would even be
 * read out of the API path (/namespaces/../deployments lists every namespace's).
 */
export function parseNamespace(value: string, where = '-n'): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > 63) {
    throw new UsageError(`invalid namespace "${value}" (${where}): a namespace is lowercase letters, digits and '-', at most 63 characters, e.g. -n data`);
  }
  return value;
}

export function parseCount(flag: string, value: unknown, { min = 0, max = 10_000, example = '4' } = {}): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`invalid --${flag} "${String(value)}": expected a whole number from ${min} to ${max}, e.g. --${flag} ${example}`);
  }
  const n = Number(text);
  if (n < min || n > max) {
    throw new UsageError(`invalid --${flag} ${n}: expected a whole number from ${min} to ${max}`);
  }
  return n;
}

const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE]\d+)?$/;

/** A CPU or memory quantity of the flag named (--cpu, --scheduler-memory, ...). */
export function parseQuantity(resource: 'cpu' | 'memory', value: unknown, flag: string = resource): string {
  const text = String(value).trim();
  const example = resource === 'cpu' ? `--${flag} 2 or --${flag} 500m` : `--${flag} 4Gi or --${flag} 512Mi`;
  const match = QUANTITY.exec(text);
  if (!match || Number(match[1]) === 0) {
    throw new UsageError(`invalid --${flag} "${String(value)}": expected a positive Kubernetes quantity, e.g. ${example}`);
  }
  if (resource === 'memory' && match[3] === 'm') {
    throw new UsageError(`invalid --${flag} "${text}": "m" means milli-bytes; use Mi for mebibytes, e.g. --${flag} 512Mi`);
  }
  return text;
}

// The reference grammar of the distribution project, simplified to what a pull accepts.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
// A host without a dot is a registry only with a port (registry:5000/x), as in the reference grammar.
const DOMAIN = '(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?=:\\d)|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+|\\[[0-9a-fA-F:]+\\])(?::\\d+)?';
const IMAGE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function parseImage(value: unknown): string {
  const text = String(value).trim();
  if (text.length > 255 || !IMAGE.test(text)) {
    throw new UsageError(
      `invalid --image "${String(value)}": expected an image reference like ghcr.io/dask/dask:2026.8.0 (lowercase repository, optional :tag or @sha256:digest)`,
    );
  }
  return text;
}

// Variables the manifests set themselves; a user value would silently break the containers.
const RESERVED_ENV = new Set(['POD_NAME', 'DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES', 'EXTRA_PIP_PACKAGES']);

export function parseEnv(values: readonly unknown[]): EnvVar[] {
  const byName = new Map<string, string>();
  for (const raw of values) {
    const text = String(raw);
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    // Only the name is shown back: the value may be a secret.
    if (eq < 0) throw new UsageError(`invalid --env: expected NAME=VALUE, got no "=", e.g. --env DASK_LOGGING__DISTRIBUTED=debug`);
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      throw new UsageError(`invalid --env name "${name}": expected NAME=VALUE with a name of letters, digits, '_', '-' or '.', not starting with a digit, e.g. --env DASK_LOGGING__DISTRIBUTED=debug`);
    }
    if (RESERVED_ENV.has(name)) {
      const hint = name === 'EXTRA_PIP_PACKAGES' ? 'use --pip instead' : 'kubectl-dask sets it itself';
      throw new UsageError(`--env ${name} is reserved: ${hint}`);
    }
    byName.set(name, text.slice(eq + 1));
  }
  return [...byName].map(([name, value]) => ({ name, value }));
}

export function parsePip(values: readonly unknown[]): string[] {
  const packages = values.flatMap((v) => String(v).split(/\s+/)).filter((p) => p.length > 0);
  for (const p of packages) {
    // A requirement specifier, not a shell fragment: the image's entrypoint passes it to pip.
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-\[\],<>=!~*;:/@+]*$/.test(p)) {
      throw new UsageError(`invalid --pip "${p}": expected a pip requirement such as prefect-dask or "pandas>=2"`);
    }
  }
  return packages;
}

/** The longest timer Node keeps (2^31 - 1 ms, about 596 h); a longer one fires at once. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** Parses a duration like 90s, 5m or 1h30m into milliseconds; as in kubectl, a number needs its unit. */
export function parseDuration(flag: string, value: unknown): number {
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`invalid --${flag} "${text}": a duration needs its unit, e.g. ${text}s, 5m or 1h`);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new UsageError(`invalid --${flag} "${text}": expected a duration such as 90s, 5m or 1h`);
  }
  if (total > MAX_DURATION_MS) throw new UsageError(`invalid --${flag} "${text}": at most 596h`);
  return total;
}

/** --timeout of a wait: 0 would give up at once; not waiting at all is --no-wait. */
export function parseTimeout(value: unknown): number {
  const ms = parseDuration('timeout', value);
  if (ms <= 0) throw new UsageError(`invalid --timeout "${String(value)}": expected more than 0, e.g. 5m (or --no-wait not to wait)`);
  return ms;
}
