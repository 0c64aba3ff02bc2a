// What a person at a terminal gets: the live UI in a pseudo-terminal, the confirmation of
// `down`, Ctrl-C during `up` (exit 130, and a later `up` converges), and plain lines when asked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshNamespace, type Namespace } from '../testbed/helpers.ts';
import { dask, daskInPty, daskOk, getJson, objectNames, Plugin, stripAnsi, unschedulableCpu, workerCounts } from './helpers.ts';

let ns: Namespace;
beforeEach(async () => {
  ns = await freshNamespace('cmd-tty');
});
afterEach(async () => {
  await ns?.cleanup();
});

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
// Ink redraws its frame in place: erase line, cursor up.
const REDRAW = /\x1b\[2K\x1b\[1A/;
const COLOR = /\x1b\[3\dm/;

describe('in a terminal', () => {
  it('up shows the live checklist, the pods and the summary, and exits 0', async () => {
    const r = await daskInPty(['up', '-n', ns.name]);
    const screen = stripAnsi(r.output);
    expect(r.code, screen).toBe(0);

    expect(r.output).toMatch(REDRAW);
    expect(r.output).toMatch(COLOR);
    expect(screen).toContain(`Dask cluster "dask" in namespace "${ns.name}" (context kubectl-dask-test)`);
    // Pending steps, a spinner on the running one, then checkmarks.
    expect(screen).toMatch(/· Workers ready/);
    // (Validation is over before the checklist shows: it may end in a question.)
    expect(screen).toMatch(new RegExp(`${SPINNER.source} Scheduler ready`));
    expect(screen).toMatch(/✓ Validate manifests with the API server/);
    expect(screen).toMatch(/✓ Scheduler ready 1\/1\s*$/m);
    expect(screen).toMatch(/✓ Workers ready 2\/2\s*$/m);
    // The live pod table.
    expect(screen).toMatch(/NAME\s+COMPONENT\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(screen).toMatch(/dask-worker-\S+\s+worker\s+yes\s+Running/);
    // And the closing summary after the last frame.
    const summary = screen.lastIndexOf(`Dask cluster "dask" is ready in namespace ${ns.name} (scheduler 1/1, workers 2/2).`);
    expect(summary).toBeGreaterThan(screen.lastIndexOf('✓ Workers ready'));
    expect(screen.slice(summary)).toContain('tcp://dask-scheduler:8786');
    expect(await workerCounts(ns.name)).toEqual({ total: 2, ready: 2, terminating: 0 });
  });

  it('scale shows the live checklist too', async () => {
    await daskOk(['up', '-n', ns.name]);
    const r = await daskInPty(['scale', '-n', ns.name, '--workers', '3']);
    const screen = stripAnsi(r.output);
    expect(r.code, screen).toBe(0);
    expect(r.output).toMatch(REDRAW);
    expect(screen).toContain(`Scale Dask cluster "dask" in namespace "${ns.name}" from 2 to 3 worker(s)`);
    expect(screen).toMatch(/✓ Workers ready 3\/3\s*$/m);
  });

  it('--no-interactive prints plain progress lines even in a terminal', async () => {
    const r = await daskInPty(['up', '-n', ns.name, '--no-interactive']);
    expect(r.code, stripAnsi(r.output)).toBe(0);
    expect(r.output).not.toMatch(REDRAW);
    expect(r.output).not.toMatch(SPINNER);
    expect(stripAnsi(r.output)).toMatch(/^✓ Workers ready 2\/2\r?$/m);
  });

  it('CI=1 and NO_COLOR=1: plain lines without colour', async () => {
    const r = await daskInPty(['up', '-n', ns.name], { env: { CI: '1', NO_COLOR: '1' } });
    expect(r.code, stripAnsi(r.output)).toBe(0);
    expect(r.output).not.toMatch(REDRAW);
    expect(r.output).not.toMatch(COLOR);
    expect(r.output).toMatch(/^✓ Workers ready 2\/2\r?$/m);
  });

  it('down asks first: "n" keeps the cluster (exit 1), "y" deletes it (exit 0)', async () => {
    await daskOk(['up', '-n', ns.name]);
    const before = await objectNames(ns.name);
    const prompt = /Delete .*deployment\/dask-worker.* in namespace ".*"\? .*\[y\/N\]/;

    const no = await daskInPty(['down', '-n', ns.name], { answer: { prompt, text: 'n\r' } });
    expect(no.code, stripAnsi(no.output)).toBe(1);
    expect(stripAnsi(no.output)).toContain('error: cancelled: nothing was deleted');
    expect(await objectNames(ns.name)).toEqual(before);

    const yes = await daskInPty(['down', '-n', ns.name], { answer: { prompt, text: 'y\r' } });
    expect(yes.code, stripAnsi(yes.output)).toBe(0);
    expect(stripAnsi(yes.output)).toContain(`Deleted Dask cluster "dask" in namespace "${ns.name}"`);
    expect(await objectNames(ns.name)).toEqual([]);
  });

  it('up that would restart the scheduler asks first: "n" changes nothing (exit 1), "y" rolls it over (exit 0)', async () => {
    await daskOk(['up', '-n', ns.name]);
    const before = await getJson(ns.name, 'deployment/dask-scheduler');
    const prompt = /its scheduler's pod changes \(image \S+ -> registry\.example\.com\/team\/dask:2\), so the scheduler restarts .*Continue\? \[y\/N\]/s;
    const args = ['up', '-n', ns.name, '--image', 'registry.example.com/team/dask:2'];

    const no = await daskInPty(args, { answer: { prompt, text: 'n\r' } });
    expect(no.code, stripAnsi(no.output)).toBe(1);
    expect(stripAnsi(no.output)).toMatch(/^error: cancelled: nothing was changed/m);
    // The question came before any progress.
    expect(stripAnsi(no.output)).not.toContain('Apply scheduler Service');
    expect((await getJson(ns.name, 'deployment/dask-scheduler')).metadata.generation).toBe(before.metadata.generation);

    const yes = await daskInPty(args, { answer: { prompt, text: 'y\r' } });
    expect(yes.code, stripAnsi(yes.output)).toBe(0);
    expect(stripAnsi(yes.output)).toMatch(/✓ Scheduler ready 1\/1/);
    expect((await getJson(ns.name, 'deployment/dask-scheduler')).spec.template.spec.containers[0].image).toBe('registry.example.com/team/dask:2');
  });

  it('down at its prompt: Ctrl-D is a no (exit 1), Ctrl-C interrupts (exit 130); neither deletes', async () => {
    await daskOk(['up', '-n', ns.name]);
    const before = await objectNames(ns.name);
    const prompt = /Delete .* in namespace ".*"\? .*\[y\/N\]/;

    const eof = await daskInPty(['down', '-n', ns.name], { answer: { prompt, text: '\x04' } });
    expect(eof.code, stripAnsi(eof.output)).toBe(1);
    expect(stripAnsi(eof.output)).toMatch(/^error: cancelled: nothing was deleted/m);

    const ctrlC = await daskInPty(['down', '-n', ns.name], { answer: { prompt, text: '\x03' } });
    expect(ctrlC.code, stripAnsi(ctrlC.output)).toBe(130);
    expect(stripAnsi(ctrlC.output)).toMatch(/^error: interrupted: nothing was deleted/m);
    expect(stripAnsi(ctrlC.output)).not.toContain('unexpected failure');
    expect(await objectNames(ns.name)).toEqual(before);
  });

  it('port-forward shows the live panel until Ctrl-C, which ends it with exit 0', async () => {
    await daskOk(['up', '-n', ns.name]);
    const r = await daskInPty(['port-forward', '-n', ns.name, '--port', '0', '--dashboard-port', '0'], {
      answer: { prompt: /Ctrl-C to stop/, text: '\x03' },
      timeoutMs: 60_000,
    });
    const screen = stripAnsi(r.output);
    expect(r.code, screen).toBe(0);
    // The panel's labels are dim, which the plain lines without a terminal are not.
    expect(r.output).toMatch(/\x1b\[2mScheduler pod:/);
    expect(screen).toMatch(/^Dask address:\s+tcp:\/\/127\.0\.0\.1:\d+/m);
    expect(screen).toMatch(/Scheduler pod:\s+dask-scheduler-\S+/);
    expect(screen).toMatch(/Connections:\s+0 open/);
  });

  it('Ctrl-C while up waits exits 130, and a later up converges', async () => {
    const cpu = await unschedulableCpu();
    const r = await daskInPty(['up', '-n', ns.name, '--cpu', cpu], {
      // Typed like a user: the terminal turns it into SIGINT for the plugin.
      answer: { prompt: /Unschedulable|FailedScheduling/, text: '\x03' },
      timeoutMs: 60_000,
    });
    expect(r.code, stripAnsi(r.output)).toBe(130);
    expect(stripAnsi(r.output)).toContain('error: interrupted: stopped before finishing; run the same command again');

    const fixed = await dask(['up', '-n', ns.name]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await workerCounts(ns.name)).toEqual({ total: 2, ready: 2, terminating: 0 });
  });
});

describe('Ctrl-C without a terminal', () => {
  it('SIGINT while up waits for unschedulable workers exits 130 promptly; up without the bad flag then converges', async () => {
    const cpu = await unschedulableCpu();
    const running = new Plugin(['up', '-n', ns.name, '--cpu', cpu], { timeoutMs: 60_000 });
    // Waiting, and saying why.
    await running.waitForStderr(/Unschedulable|FailedScheduling/);
    running.child.kill('SIGINT');
    // "Promptly": well before the 5m default timeout; a safety net kills it otherwise and the
    // exit code check fails.
    const watchdog = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
    const r = await running.result;
    clearTimeout(watchdog);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('error: interrupted: stopped before finishing; run the same command again to continue');
    expect(r.stderr).toMatch(/✗ Workers ready/);
    expect(r.stdout).toBe('');

    // Everything it applied is there; fixing the flag and running up again converges.
    expect(await objectNames(ns.name)).toEqual(expect.arrayContaining(['deployment.apps/dask-worker', 'service/dask-scheduler']));
    const fixed = await dask(['up', '-n', ns.name]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('workers 2/2');
    expect(await workerCounts(ns.name)).toEqual({ total: 2, ready: 2, terminating: 0 });
  });
});
