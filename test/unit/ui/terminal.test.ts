import { describe, expect, it } from 'vitest';
import { detectTerminal, paint } from '../../../src/ui/terminal.ts';

const tty = { stdout: { isTTY: true }, stderr: { isTTY: true } };

describe('detectTerminal', () => {
  it.each([
    ['a terminal', {}, {}, tty, true],
    ['--no-interactive', { noInteractive: true }, {}, tty, false],
    ['CI=true', {}, { CI: 'true' }, tty, false],
    ['CI=1', {}, { CI: '1' }, tty, false],
    ['CI=false', {}, { CI: 'false' }, tty, true],
    ['CI empty', {}, { CI: '' }, tty, true],
    ['TERM=dumb', {}, { TERM: 'dumb' }, tty, false],
    ['stdout piped', {}, {}, { ...tty, stdout: {} }, false],
    ['stderr redirected', {}, {}, { ...tty, stderr: { isTTY: false } }, false],
  ])('interactive for %s', (_, flags, env, streams, interactive) => {
    expect(detectTerminal(flags, env, streams).interactive).toBe(interactive);
  });

  it.each([
    ['a terminal', {}, tty, true],
    ['NO_COLOR=1', { NO_COLOR: '1' }, tty, false],
    ['NO_COLOR empty', { NO_COLOR: '' }, tty, true],
    ['stdout piped', {}, { ...tty, stdout: {} }, false],
    ['only stderr piped', {}, { ...tty, stderr: {} }, true],
    ['CI on a terminal', { CI: 'true' }, tty, true],
    ['FORCE_COLOR=1 into a pipe', { FORCE_COLOR: '1' }, { ...tty, stdout: {} }, true],
    ['FORCE_COLOR empty', { FORCE_COLOR: '' }, { ...tty, stdout: {} }, true],
    ['FORCE_COLOR over NO_COLOR', { FORCE_COLOR: '1', NO_COLOR: '1' }, tty, true],
    ['FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0' }, tty, false],
    ['TERM=dumb', { TERM: 'dumb' }, tty, false],
  ])('color for %s', (_, env, streams, color) => {
    expect(detectTerminal({}, env, streams).color).toBe(color);
  });

  it('keeps colour decisions independent of --no-interactive', () => {
    expect(detectTerminal({ noInteractive: true }, {}, tty)).toEqual({ interactive: false, color: true, stderrColor: true });
  });

  it.each([
    ['a terminal', {}, tty, true],
    ['stderr redirected to a file', {}, { ...tty, stderr: {} }, false],
    ['only stdout piped', {}, { ...tty, stdout: {} }, true],
    ['NO_COLOR=1', { NO_COLOR: '1' }, tty, false],
    ['FORCE_COLOR=1 into a file', { FORCE_COLOR: '1' }, { ...tty, stderr: {} }, true],
    ['TERM=dumb', { TERM: 'dumb' }, tty, false],
  ])('colour of stderr for %s', (_, env, streams, color) => {
    expect(detectTerminal({}, env, streams).stderrColor).toBe(color);
  });
});

describe('paint', () => {
  it('wraps text in SGR codes only when colour is on', () => {
    expect(paint(true).green('ok')).toBe('\x1b[32mok\x1b[39m');
    expect(paint(true).bold('x')).toBe('\x1b[1mx\x1b[22m');
    expect(paint(false).red('fail')).toBe('fail');
  });
});
