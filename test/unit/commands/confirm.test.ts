import { afterEach, describe, expect, it, vi } from 'vitest';
import { askToConfirm } from '../../../src/commands/confirm.ts';

afterEach(() => vi.restoreAllMocks());

describe('askToConfirm', () => {
  it('asks nothing after a Ctrl-C that came before the question: interrupted, with what was kept', async () => {
    const written = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const interrupt = new AbortController();
    interrupt.abort();
    await expect(askToConfirm('Restart?', 'nothing was changed', interrupt.signal)).rejects.toMatchObject({ exitCode: 130, message: 'interrupted: nothing was changed' });
    expect(written).not.toHaveBeenCalled();
  });

  it('ends the question at a SIGTERM (the command aborts its interrupt signal), as at a Ctrl-C', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const interrupt = new AbortController();
    const answer = askToConfirm('Restart?', 'nothing was changed', interrupt.signal);
    setTimeout(() => interrupt.abort(), 20);
    await expect(answer).rejects.toMatchObject({ exitCode: 130, message: 'interrupted: nothing was changed' });
    expect(written.join('')).toContain('Restart? [y/N] ');
  });
});
