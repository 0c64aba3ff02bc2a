// Shell completion as kubectl drives it: `kubectl_complete-dask WORDS...` runs `kubectl-dask
// __complete WORDS...`, which the launcher turns into `completion __complete -- WORDS...`.
// Every test points KUBECONFIG at a missing file, so cluster names come back empty, never an error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli.ts';
import { completionScript } from '../../../src/commands/completion.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, callback?: () => void) => {
    stdout += String(chunk);
    if (typeof callback === 'function') callback();
    return true;
  }) as typeof process.stdout.write);
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout += `${args.join(' ')}\n`;
  });
  // A list call that times out makes the completion exit once its answer is written.
  const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
  const fakeStderr = { write: (chunk: string | Uint8Array) => ((stderr += String(chunk)), true) } as NodeJS.WritableStream;
  try {
    return { code: await main(argv, fakeStderr), stdout, stderr };
  } finally {
    write.mockRestore();
    log.mockRestore();
    exit.mockRestore();
  }
}

/** What kubectl would show for `kubectl dask WORDS<TAB>`: the values and the directive. */
async function complete(...words: string[]): Promise<{ values: string[]; descriptions: string[]; directive: string }> {
  const { code, stdout } = await run('completion', '__complete', '--', ...words);
  expect(code).toBe(0);
  const lines = stdout.split('\n').filter(Boolean);
  const directive = lines.pop() ?? '';
  return { values: lines.map((l) => l.split('\t')[0]!), descriptions: lines.map((l) => l.split('\t')[1] ?? ''), directive };
}

let dir: string;
const savedEnv = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kd-complete-'));
  process.env.KUBECONFIG = join(dir, 'missing-kubeconfig');
  process.env.HOME = dir;
});
afterEach(() => {
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl dask __complete', () => {
  it('offers every command that --help lists, with its description, and no files', async () => {
    const help = (await run('--help')).stdout;
    const listed = [...help.matchAll(/^ {2}kubectl dask ([a-z][\w-]*)/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(5);
    const { values, descriptions, directive } = await complete('');
    expect(values.sort()).toEqual([...listed].sort());
    expect(descriptions.every((d) => d.length > 0)).toBe(true);
    expect(directive).toBe(':4');
  });

  it('narrows commands to the typed prefix and knows aliases', async () => {
    expect((await complete('st')).values).toEqual(['status']);
    expect((await complete('ls', '--a')).values).toEqual(['--all-namespaces']);
  });

  it("offers a command's own flags and the global ones", async () => {
    const { values } = await complete('status', '-');
    expect(values).toEqual(expect.arrayContaining(['--output', '-o', '--context', '--namespace', '-n', '--kubeconfig', '--help']));
    expect(values).not.toContain('--all-namespaces');
    expect((await complete('scale', '--wor')).values).toEqual(['--workers']);
  });

  it('offers flag values it knows and files for --kubeconfig', async () => {
    expect((await complete('status', '-o', '')).values).toEqual(['json', 'yaml']);
    expect((await complete('list', '--output', 'y')).values).toEqual(['yaml']);
    expect((await complete('completion', '')).values).toEqual(['bash', 'zsh', 'fish']);
    const kubeconfig = await complete('up', '--kubeconfig', '');
    expect(kubeconfig).toEqual({ values: [], descriptions: [], directive: ':0' });
  });

  it('offers the value of --flag=value bare, as cobra does (the shells complete what follows the "=")', async () => {
    expect((await complete('logs', '--output=j')).values).toEqual(['json']);
    expect((await complete('status', '-o=')).values).toEqual(['json', 'yaml']);
    expect((await complete('up', '--kubeconfig=')).directive).toBe(':0');
    expect((await complete('up', '--unknown=x')).values).toEqual([]);
  });

  it("offers the kubeconfig's contexts for --context, without asking the cluster", async () => {
    const kubeconfig = join(dir, 'two-contexts.yaml');
    const cluster = { name: 'c', cluster: { server: 'https://127.0.0.1:1' } };
    writeFileSync(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [cluster], users: [{ name: 'u', user: {} }], contexts: ['prod', 'dev'].map((name) => ({ name, context: { cluster: 'c', user: 'u' } })), 'current-context': 'dev' }));
    process.env.KUBECONFIG = kubeconfig;
    expect(await complete('status', '--context', '')).toEqual({ values: ['dev', 'prod'], descriptions: ['kubeconfig context', 'kubeconfig context'], directive: ':4' });
    expect((await complete('status', '--context=p')).values).toEqual(['prod']);
  });

  it('does not take a flag value for the command name', async () => {
    expect((await complete('-n', 'data', 'sta')).values).toEqual(['status']);
    expect((await complete('--context=prod', 'do')).values).toEqual(['down']);
  });

  it('offers no cluster names, and no error, when the cluster cannot be reached', async () => {
    // Loaded beforehand, so the time below is the completion's, not the test's module loading.
    await import('../../../src/kube/client.ts');
    // A kubeconfig whose server refuses connections: the list call fails at once.
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:9" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    );
    const started = Date.now();
    const { code, stdout, stderr } = await run('completion', '__complete', '--', 'status', '--kubeconfig', kubeconfig, '');
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: ':4\n', stderr: '' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await run('completion', '__complete', '--', 'down', '')).stdout).toBe(':4\n');
  });
});

describe('kubectl dask completion SHELL', () => {
  it('prints a script for bash, zsh and fish that completes kubectl-dask through __complete', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const { code, stdout } = await run('completion', shell);
      expect(code).toBe(0);
      expect(stdout).toBe(completionScript(shell));
      expect(stdout).toContain('kubectl-dask __complete');
    }
  });

  it('rejects another shell as a usage error', async () => {
    const { code, stderr } = await run('completion', 'tcsh');
    expect(code).toBe(2);
    expect(stderr).toContain('unsupported shell "tcsh": use bash, zsh or fish');
  });

  // Each shell parses its script when it is installed here; bash always is.
  for (const [shell, args] of [
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['--no-execute']],
  ] as const) {
    const present = spawnSync(shell, ['-c', 'true']).status === 0;
    it.skipIf(!present)(`${shell} parses its script`, () => {
      const file = join(dir, `script.${shell}`);
      writeFileSync(file, completionScript(shell)!);
      const result = spawnSync(shell, [...args, file], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  }

  /** Installs a stand-in kubectl-dask on PATH that records its words and answers __complete with answer. */
  function standIn(answer: string): { env: NodeJS.ProcessEnv; words: () => string[] } {
    const log = join(dir, 'words');
    writeFileSync(join(dir, 'kubectl-dask'), `#!/bin/sh\nshift; for w in "$@"; do printf '%s\\n' "[$w]"; done > ${log}\nprintf '${answer}'\n`, { mode: 0o755 });
    return { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, words: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  }

  /** What bash's function puts in COMPREPLY for the line typed so far. */
  function bashCompletes(line: string, env: NodeJS.ProcessEnv): string {
    const script = `${completionScript('bash')}
COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}; _kubectl_dask; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return spawnSync('bash', ['-c', script], { encoding: 'utf8', env }).stdout;
  }

  it('bash completes `kubectl-dask st<TAB>` with the function it defines', () => {
    const { env, words } = standIn('status\\tShow a cluster\\n:4\\n');
    expect(bashCompletes('kubectl-dask st', env)).toBe('status\n');
    expect(words()).toEqual(['[st]']);
  });

  it('bash passes --flag=value as one word, and a new word after a space', () => {
    const { env, words } = standIn('json\\n:4\\n');
    // bash itself completes what follows the "=", so the bare value is what it needs.
    expect(bashCompletes('kubectl-dask logs --output=j', env)).toBe('json\n');
    expect(words()).toEqual(['[logs]', '[--output=j]']);
    bashCompletes('kubectl-dask status --namespace=data ', env);
    expect(words()).toEqual(['[status]', '[--namespace=data]', '[]']);
  });

  it.skipIf(spawnSync('fish', ['-c', 'true']).status !== 0)('fish puts the flag back before a --flag=value value, and passes a new word', () => {
    const { env, words } = standIn('json\\n:4\\n');
    const file = join(dir, 'script.fish');
    writeFileSync(file, completionScript('fish')!);
    const fish = (line: string) => spawnSync('fish', ['-c', `source ${file}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8', env }).stdout;
    expect(fish('kubectl-dask logs --output=j')).toBe('--output=json\n');
    expect(words()).toEqual(['[logs]', '[--output=j]']);
    fish('kubectl-dask status ');
    expect(words()).toEqual(['[status]', '[]']);
  });
});
