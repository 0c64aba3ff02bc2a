// The live panel of port-forward in a terminal: notices scroll above it, the panel redraws in
// place with the target pod, open connections, traffic and reconnects.
import { Box, Static, Text, render } from 'ink';
import type { ForwardState } from '../operations/port-forward.ts';
import { type ForwardPresenter, panelLines } from './forward-panel.ts';
import { toneProps } from './ink/table.tsx';

// Byte counters move with every packet; redraw them at a readable pace instead.
const REFRESH_MS = 250;

export function ForwardPanel({ state, notices, color }: { state: Readonly<ForwardState>; notices: string[]; color: boolean }) {
  const lines = panelLines(state);
  const width = Math.max(...lines.map(([key]) => key.length)) + 2;
  return (
    <Box flexDirection="column">
      <Static items={notices}>{(notice, i) => <Text key={i}>• {notice}</Text>}</Static>
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
  const notices: string[] = [];
  let ink: ReturnType<typeof render> | undefined;
  const draw = () => {
    if (!state) return;
    // A copy: Ink compares props, and the operation updates its state object in place.
    const view = <ForwardPanel state={{ ...state }} notices={[...notices]} color={color} />;
    if (!ink) ink = render(view, { stdout: stream, interactive: true, exitOnCtrlC: false, patchConsole: false });
    else ink.rerender(view);
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
