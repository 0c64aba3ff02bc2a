// The live panel of port-forward in a terminal: notices scroll above it, the panel redraws in
// place with the target pod, open connections, traffic and reconnects.
import { Box, Static, Text, render } from 'ink';
import type { ForwardState } from '../operations/port-forward.ts';
import { type ForwardPresenter, panelLines } from './forward-panel.ts';
import { toneProps } from './ink/table.tsx';

// Byte counters move with every packet; redraw them at a readable pace instead.
const REFRESH_MS = 250;

/** noticeBatch: a new value for each new set of notices, which Static then prints whole. */
export function ForwardPanel({ state, notices, noticeBatch = 0, color }: { state: Readonly<ForwardState>; notices: string[]; noticeBatch?: number; color: boolean }) {
  const lines = panelLines(state);
  const width = Math.max(...lines.map(([key]) => key.length)) + 2;
  return (
    <Box flexDirection="column">
      <Static key={noticeBatch} items={notices}>
        {(notice, i) => <Text key={i}>• {notice}</Text>}
      </Static>
      {lines.map(([key, value]) => (
        <Text key={key}>
          <Text {...toneProps('dim', color)}>{`${key}:`.padEnd(width)}</Text>
          {value}
        </Text>
      ))}
      <Text {...toneProps('dim', color)}>Ctrl-C to stop</Text>
    </Box>
  );
}

export function createLivePanel(stream: NodeJS.WriteStream, color: boolean): Omit<ForwardPresenter, 'listening'> {
  let state: Readonly<ForwardState> | undefined;
  // Only the notices not printed yet: a forward that runs for days may see thousands (a client
  // retrying against a closed port), and Static would keep and compare them all. Each batch of
  // new notices goes to a Static of its own, mounted with them: one that was first drawn empty
  // printed nothing of what it was given later.
  let notices: string[] = [];
  let batch = 0;
  let ink: ReturnType<typeof render> | undefined;
  const draw = () => {
    if (!state) return;
    if (notices.length > 0) batch += 1;
    // A copy: Ink compares props, and the operation updates its state object in place.
    const view = <ForwardPanel state={{ ...state }} notices={notices} noticeBatch={batch} color={color} />;
    // Synchronous (Ink's legacy root): the notices are printed once this returns.
    if (!ink) ink = render(view, { stdout: stream, interactive: true, exitOnCtrlC: false, patchConsole: false });
    else ink.rerender(view);
    notices = [];
  };
  const timer = setInterval(draw, REFRESH_MS);
  timer.unref();
  return {
    update(next) {
      state = next;
      draw();
    },
    notice(text) {
      notices.push(text);
      draw();
    },
    async close() {
      clearInterval(timer);
      ink?.unmount();
      await ink?.waitUntilExit();
    },
  };
}
