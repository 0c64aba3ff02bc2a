import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressReporter } from '../../../src/commands/runtime.ts';
import { withStep } from '../../../src/core/progress.ts';
import { operation } from '../ui/fixtures.ts';

afterEach(() => vi.restoreAllMocks());

describe('progressReporter', () => {
  it('draws nothing once closed: a late watch event cannot print after the error line', async () => {
    let text = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((text += String(chunk)), true));
    const start = operation([{ id: 'workers', label: 'Workers ready', status: 'running', detail: '0/2' }]);
    const reporter = await progressReporter({ interactive: false, color: false, stderrColor: false });
    const failed = withStep(start, 'workers', { status: 'failed' });
    reporter.update(failed);
    await reporter.close();
    const shown = text;
    reporter.update(withStep(failed, 'workers', { status: 'running', detail: '0/2 ready' }));
    await reporter.close();
    expect(shown).toContain('✗ Workers ready');
    expect(text).toBe(shown);
  });
});
