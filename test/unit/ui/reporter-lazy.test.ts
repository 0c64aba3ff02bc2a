// Scripted runs must not pay for loading React and Ink: only the interactive branch may import them.
import { describe, expect, it, vi } from 'vitest';
import { createReporter } from '../../../src/ui/reporter.ts';
import { FakeTerminal } from './fixtures.ts';

const loaded = vi.hoisted(() => ({ ink: false }));
vi.mock('ink', async (importOriginal) => {
  loaded.ink = true;
  return importOriginal();
});

describe('createReporter loading', () => {
  it('imports Ink only for an interactive terminal', async () => {
    for (const interactive of [false, true]) {
      const reporter = await createReporter({ interactive, color: false, stderrColor: false }, new FakeTerminal().asStream());
      await reporter.close();
      expect(loaded.ink).toBe(interactive);
    }
  });
});
