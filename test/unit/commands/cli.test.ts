// The CLI as a user runs it, without a cluster: every test points KUBECONFIG and HOME at places
// with no kubeconfig, so anything that tried to connect would fail with a kubeconfig error.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli.ts';
import { VERSION } from '../../../src/version.ts';

interface Run {
  code: number;
  stdout: string;
  stderrLines: string[];
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  // yargs prints help with console.log, commands write results to process.stdout.
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout += `${args.join(' ')}\n`;
  });
  // Errors go to main's stderr, notes to process.stderr.
  const note = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const fakeStderr = {
    write: (chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    },
  } as NodeJS.WritableStream;
  try {
    const code = await main(argv, fakeStderr);
    return { code, stdout, stderrLines: stderr.split('\n').filter((line) => line.length > 0) };
  } finally {
    write.mockRestore();
    note.mockRestore();
    log.mockRestore();
  }
}

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kubectl-dask-home-'));
  vi.stubEnv('HOME', home);
  vi.stubEnv('KUBECONFIG', join(home, 'no-such-kubeconfig'));
  vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

describe('usage errors are reported before any connection', () => {
  it.each([
    [['up', '--wrokers', '2'], 'wrokers'],
    [['frobnicate'], 'frobnicate'],
    [['upp'], 'unknown command "upp": did you mean up?'],
    [['scale'], '--workers'],
    [['scale', 'etl', '--workers', '-1'], '--workers'],
    [['up', '--workers', 'abc'], '--workers'],
    [['up', '--memory', '4GB'], '--memory'],
    [['up', '--image', 'Dask/Dask'], '--image'],
    [['up', '--timeout', 'soon'], '--timeout'],
    [['up', '--env', 'POD_NAME=x'], '--env'],
    [['up', '-o', 'xml'], '--output'],
    [['status', '-o', 'table'], '--output'],
    [['list', '-o', 'bad'], '--output'],
    [['down', 'Bad_Name'], '--name'],
    [['up', 'etl'], '--name etl'],
    [['list', '-n'], 'flag -n needs a value'],
    [['completion'], 'missing argument: kubectl dask completion <shell>'],
    [['up', '--name', '--dry-run'], 'flag --name needs a value'],
    [['logs', '--tail'], 'flag --tail needs a value'],
    [['status', '-n', ''], 'the namespace is empty'],
    [['down', '--yes', '--namespace='], 'the namespace is empty'],
    [['status', '--kubeconfig='], 'the kubeconfig path is empty'],
    [['down', '--yes', '--context='], 'the context is empty'],
    [['up', '--no-name', '--dry-run'], 'unknown flag --no-name: --name takes a value'],
    [['up', '--dry-run', '--no-namespace'], 'unknown flag --no-namespace'],
    [['status', '--no-kubeconfig'], 'unknown flag --no-kubeconfig'],
    [['up', '--dry-run', '--no-env'], 'unknown flag --no-env'],
    [['up', '--dry-run', '--no-dry-run'], 'unknown flag --no-dry-run'],
    [['-n', 'data', 'stauts'], 'unknown command "stauts": did you mean status?'],
    // kubectl logs habits get what stands for them.
    [['logs', '--prefix'], 'unknown flag --prefix for kubectl dask logs: lines always carry their pod'],
    [['logs', '-f', '--max-log-requests', '20'], 'unknown flag --max-log-requests for kubectl dask logs: there is no cap, every pod is followed'],
    [['logs', 'etl', '-c', 'worker'], 'unknown flag -c for kubectl dask logs: pick the containers with --scheduler or --all'],
  ])('%j exits 2 with one error line naming %s, then a pointer to --help', async (argv, fix) => {
    const { code, stdout, stderrLines } = await run(...argv);
    expect(code).toBe(2);
    expect(stderrLines[0]!.toLowerCase()).toContain(fix.toLowerCase());
    expect(stderrLines[0]).toMatch(/^error: /);
    expect(stderrLines.slice(1)).toEqual([`See 'kubectl dask --help' or 'kubectl dask <command> --help'.`]);
    expect(stdout).toBe('');
  });

  it('asks for a command when none is given', async () => {
    const { code, stderrLines } = await run();
    expect(code).toBe(2);
    expect(stderrLines[0]).toContain('kubectl dask up');
  });
});

describe('help and version', () => {
  it('--help exits 0 and lists every command', async () => {
    const { code, stdout, stderrLines } = await run('--help');
    expect(code).toBe(0);
    for (const command of ['up', 'scale', 'status', 'list', 'down', 'version']) expect(stdout).toMatch(new RegExp(`kubectl dask ${command}\\b`));
    expect(stderrLines).toEqual([]);
  });

  it.each(['up', 'scale', 'status', 'list', 'down', 'port-forward', 'dashboard', 'logs', 'version', 'completion'])('%s --help teaches with examples', async (command) => {
    const { code, stdout } = await run(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`Examples:\\n {2}.*kubectl dask ${command}\\b`));
  });

  it('help COMMAND is COMMAND --help, as in kubectl', async () => {
    const [viaHelp, viaFlag] = [await run('help', 'status'), await run('status', '--help')];
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^kubectl dask status/);
  });

  it('version prints the version of this build', async () => {
    const { code, stdout } = await run('version');
    expect(code).toBe(0);
    expect(stdout).toBe(`kubectl-dask ${VERSION}\n`);
  });

  it('the built-in version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('up --dry-run=client', () => {
  it('prints the Service and both Deployments as YAML documents without a kubeconfig', async () => {
    const { code, stdout, stderrLines } = await run('up', '--dry-run=client', '-o', 'yaml', '-n', 'test');
    // Applied, the default count would scale an existing cluster down: the note says so.
    expect(stderrLines).toEqual([
      "note: dask-worker has 2 replicas, a new cluster's count; up keeps an existing cluster's (--dry-run=server shows it): pass --workers N to choose",
    ]);
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as { kind: string; metadata: { name: string; namespace: string } };
    });
    expect(docs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/dask-scheduler', 'Deployment/dask-scheduler', 'Deployment/dask-worker']);
    expect(docs.map((o) => o.metadata.namespace)).toEqual(['test', 'test', 'test']);
  });

  it('takes the last of a repeated flag, as kubectl does, and every value of a repeatable one', async () => {
    const { code, stdout, stderrLines } = await run('up', '--dry-run', '-o', 'yaml', '-o', 'json', '-n', 'a', '-n', 'b', '--name', 'x', '--name', 'etl', '--env', 'A=1', '--env', 'B=2', '--workers', '3');
    expect(stderrLines).toEqual([]);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { items: { metadata: { name: string; namespace: string }; spec?: { template?: { spec: { containers: { env?: { name: string }[] }[] } } } }[] };
    expect(list.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['b/etl-scheduler', 'b/etl-scheduler', 'b/etl-worker']);
    const env = list.items[2]!.spec!.template!.spec.containers[0]!.env!.map((e) => e.name);
    expect(env).toEqual(expect.arrayContaining(['A', 'B']));
  });

  it('reads -ojson and -nNAME as kubectl does, and prints JSON as a List kubectl apply takes', async () => {
    const { code, stdout } = await run('up', '--dry-run', '-ojson', '-ntest');
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { kind: string; items: { kind: string; metadata: { namespace: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((o) => `${o.kind} ${o.metadata.namespace}`)).toEqual(['Service test', 'Deployment test', 'Deployment test']);
  });

  it('prints exactly what the flags ask for', async () => {
    const { code, stdout } = await run('up', '--dry-run', '-n', 'test', '--name', 'etl', '--workers', '5', '--memory', '8Gi', '--pip', 'prefect-dask');
    expect(code).toBe(0);
    const worker = parseAllDocuments(stdout)[2]!.toJS() as {
      spec: { replicas: number; template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[]; resources: unknown }[] } } };
    };
    const [container] = worker.spec.template.spec.containers;
    expect(worker.spec.replicas).toBe(5);
    expect(container!.args).toContain('tcp://etl-scheduler:8786');
    expect(container!.resources).toEqual({ requests: { memory: '8Gi' }, limits: { memory: '8Gi' } });
    expect(container!.env).toContainEqual({ name: 'EXTRA_PIP_PACKAGES', value: 'prefect-dask' });
  });
});
