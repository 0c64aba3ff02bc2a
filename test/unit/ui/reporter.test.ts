import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withStep } from '../../../src/core/progress.ts';
import { createReporter } from '../../../src/ui/reporter.ts';
import { FakeTerminal, operation, pod } from './fixtures.ts';

const start = operation([{ id: 'workers', label: 'Workers ready', status: 'running', detail: '0/1' }], [pod('dask-worker-a', { ready: false })]);

describe('createReporter', () => {
  it('writes plain lines when the terminal is not interactive', async () => {
    const out = new FakeTerminal();
    const reporter = await createReporter({ interactive: false, color: false, stderrColor: false }, out.asStream());
    reporter.update(start);
    await reporter.close();
    expect(out.text).toBe(`${start.title}\n… Workers ready 0/1\n`);
  });

  it("colours plain lines as stderr allows, whatever stdout's colour", async () => {
    const lines = async (color: boolean, stderrColor: boolean) => {
      const out = new FakeTerminal();
      const reporter = await createReporter({ interactive: false, color, stderrColor }, out.asStream());
      reporter.update(start);
      await reporter.close();
      return out.text;
    };
    expect(await lines(true, false)).toBe(`${start.title}\n… Workers ready 0/1\n`);
    const colored = await lines(false, true);
    expect(colored).not.toBe(stripVTControlCharacters(colored));
  });

  it('draws with Ink in a terminal and leaves the final frame on close', async () => {
    const out = new FakeTerminal();
    const reporter = await createReporter({ interactive: true, color: false, stderrColor: false }, out.asStream());
    reporter.update(start);
    reporter.update(withStep({ ...start, pods: [pod('dask-worker-a')], events: ['Pod dask-worker-a: BackOff: slow'] }, 'workers', { status: 'done', detail: '1/1' }));
    await reporter.close();
    const text = stripVTControlCharacters(out.text);
    expect(text).toContain('! Warning Pod dask-worker-a: BackOff: slow');
    const final = text.slice(text.lastIndexOf(start.title));
    expect(final).toContain('✓ Workers ready 1/1');
    expect(final).toMatch(/dask-worker-a +worker +yes +Running/);
  });

  it('writes nothing when closed before any state arrives', async () => {
    const out = new FakeTerminal();
    await (await createReporter({ interactive: true, color: false, stderrColor: false }, out.asStream())).close();
    expect(out.text).toBe('');
  });
});
