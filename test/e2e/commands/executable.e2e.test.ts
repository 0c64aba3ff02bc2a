// What the executable keeps in the user's cache dir: its bundle, unpacked on the first run, and a
// V8 code cache per command and bundle, written by the first run of that command (that does more
// than print help) and read by the later ones. The commands that only read run reads.cjs, a
// smaller build of the app, the others cli.cjs. Damaged or missing files there are written again
// instead of failing the command.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshNamespace, type Namespace } from '../testbed/helpers.ts';
import { dask, daskOk, tempDir } from './helpers.ts';

let ns: Namespace;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  ns = await freshNamespace('cmd-exe');
  tmp = tempDir('executable');
});
afterAll(async () => {
  await ns?.cleanup();
  tmp?.cleanup();
});

/** The one bundle dir under the cache root, where the executable unpacked itself. */
function bundleDir(cacheHome: string): string {
  const root = path.join(cacheHome, 'kubectl-dask', 'app');
  const dirs = fs.readdirSync(root);
  expect(dirs).toHaveLength(1);
  return path.join(root, dirs[0]!);
}

describe('the cache dir of the executable', () => {
  it('holds the unpacked bundle and a code cache per command, used by later runs', async () => {
    const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'first') };
    const list = ['list', '-n', ns.name];
    const first = await daskOk(list, { env });
    const dir = bundleDir(env.XDG_CACHE_HOME);
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(['cli.cjs', 'reads.cjs']));
    const codeCache = path.join(dir, '.code-cache', 'list-reads');
    const written = fs.statSync(codeCache);
    expect(written.size).toBeGreaterThan(10_000);
    expect(fs.readdirSync(path.join(dir, '.code-cache'))).toEqual(['list-reads']);

    // Read, not written again: a cache V8 rejected would be replaced (a new file by rename).
    const second = await daskOk(list, { env });
    expect(second.stdout).toBe(first.stdout);
    expect(fs.statSync(codeCache).ino).toBe(written.ino);

    // A failing command keeps its cache too; `version` is answered without loading the bundle.
    // Global flags before the command word still run reads.cjs; a command's own flag there, or a
    // command that writes, runs cli.cjs.
    const status = await dask(['status', '-n', ns.name], { env });
    expect(status.code, status.stderr).toBe(3);
    await daskOk(['version'], { env });
    await daskOk(['-n', ns.name, '--no-interactive', 'list'], { env });
    expect(fs.readdirSync(path.join(dir, '.code-cache')).sort()).toEqual(['list-reads', 'status-reads']);
    await daskOk(['-o', 'json', 'list', '-n', ns.name], { env });
    const down = await dask(['down', '-n', ns.name, '--yes'], { env });
    expect(down.code, down.stderr).toBe(3);
    expect(fs.readdirSync(path.join(dir, '.code-cache')).sort()).toEqual(['down-cli', 'list-cli', 'list-reads', 'status-reads']);
  });

  it('writes no code cache for a run that only printed help: the first run of the command itself does', async () => {
    const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'help') };
    await daskOk(['status', '--help'], { env });
    const codeCache = path.join(bundleDir(env.XDG_CACHE_HOME), '.code-cache', 'status-reads');
    expect(fs.existsSync(codeCache)).toBe(false);
    const status = await dask(['status', '-n', ns.name], { env });
    expect(status.code, status.stderr).toBe(3);
    expect(fs.statSync(codeCache).size).toBeGreaterThan(10_000);
  });

  it('writes a damaged code cache and a deleted bundle file again, and the command still works', async () => {
    const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'damaged') };
    const list = ['list', '-n', ns.name];
    const first = await daskOk(list, { env });
    const dir = bundleDir(env.XDG_CACHE_HOME);
    const codeCache = path.join(dir, '.code-cache', 'list-reads');
    fs.writeFileSync(codeCache, 'not a code cache');
    fs.rmSync(path.join(dir, 'reads.cjs'));

    const again = await daskOk(list, { env });
    expect(again.stdout).toBe(first.stdout);
    expect(fs.existsSync(path.join(dir, 'reads.cjs'))).toBe(true);
    expect(fs.statSync(codeCache).size).toBeGreaterThan(10_000);
  });
});

describe('the Node options of the executable', () => {
  // How users tell Node to trust their system's roots: Node refuses to start when these meet a CA
  // option of its own in the executable's execArgv (--use-openssl-ca, measured and withdrawn).
  it.each([{ NODE_USE_SYSTEM_CA: '1' }, { NODE_OPTIONS: '--use-system-ca' }, { NODE_OPTIONS: '--use-bundled-ca' }])('leave room for %o', async (env) => {
    await daskOk(['version'], { env });
    await daskOk(['list', '-n', ns.name], { env });
  });
});
