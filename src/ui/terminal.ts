// Whether to draw live (Ink) or write plain lines, and whether to colour, is decided here and
// nowhere else, so every command behaves the same in a terminal, a pipe and CI.

export interface TerminalMode {
  interactive: boolean;
  /** For what goes to stdout (results). */
  color: boolean;
  /** For what goes to stderr (progress, notices): `up 2>up.log` in a terminal keeps its log plain. */
  stderrColor: boolean;
}

interface Streams {
  stdout: { isTTY?: boolean };
  stderr: { isTTY?: boolean };
}

/** Environment flags count as set unless empty, "0" or "false" (CI=false is a common opt-out). */
function flag(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function detectTerminal(
  { noInteractive }: { noInteractive?: boolean },
  env: NodeJS.ProcessEnv = process.env,
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): TerminalMode {
  // A dumb terminal cannot move the cursor or show colours, whatever isTTY says.
  const dumb = env.TERM === 'dumb';
  const interactive =
    !noInteractive && !!streams.stdout.isTTY && !!streams.stderr.isTTY && !flag(env.CI) && !dumb;
  // FORCE_COLOR wins over everything, as in Node itself: FORCE_COLOR=0 turns colour off.
  const colorFor = (stream: { isTTY?: boolean }) =>
    env.FORCE_COLOR !== undefined ? env.FORCE_COLOR === '' || flag(env.FORCE_COLOR) : !!stream.isTTY && !env.NO_COLOR && !dumb;
  return { interactive, color: colorFor(streams.stdout), stderrColor: colorFor(streams.stderr) };
}

export type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';
export type Paint = Record<Tone, (text: string) => string>;

const SGR: Record<Tone, [open: number, close: number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Colour functions that are the identity when color is false, so callers never branch on it. */
export function paint(color: boolean): Paint {
  const entries = Object.entries(SGR).map(([tone, [open, close]]) => [
    tone,
    color ? (text: string) => `\x1b[${open}m${text}\x1b[${close}m` : (text: string) => text,
  ]);
  return Object.fromEntries(entries) as Paint;
}
