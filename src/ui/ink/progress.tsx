// The live view of a long operation in a terminal. Loaded only when the terminal is
// interactive, so pipes and CI never pay for React and Ink.
import { Box, type Instance, Static, Text, render } from 'ink';
import type { OperationState, Reporter, Step } from '../../core/progress.ts';
import type { PodView } from '../../core/readiness.ts';
import { STEP_STYLE, WARNING_STYLE, eventText, unseen } from '../progress-text.ts';
import { fitTable, podTable } from '../table.ts';
import { Table, toneProps } from './table.tsx';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_MS = 80;
// A live frame as tall as the terminal cannot be redrawn in place (Ink then clears the screen for
// every frame, and each copy stays in the scrollback): a big cluster shows its stuck pods and a
// count of the rest, fewer on a short terminal, and every line is cut at the terminal's width.
const MAX_POD_ROWS = 10;

export interface ProgressProps {
  /** state.events must only grow: they are printed once, above the live frame, as they arrive. */
  state: OperationState;
  /** Spinner frame, advanced by the caller so the component stays a pure function of its props. */
  frame: number;
  color: boolean;
  now: Date;
  /** The terminal's height, which the frame must stay under. */
  rows?: number;
  /** The terminal's width: the pod table leaves out the columns it can spare to fit. */
  columns?: number;
}

// What a narrow terminal can do without, first to last: NAME, READY and STATUS stay.
const SPARE_POD_COLUMNS = ['COMPONENT', 'AGE', 'RESTARTS'];

function StepRow({ step, frame, color }: { step: Step; frame: number; color: boolean }) {
  const { mark, tone } = STEP_STYLE[step.status];
  return (
    <Text wrap="truncate-end">
      <Text {...toneProps(tone, color)}>{step.status === 'running' ? SPINNER[frame % SPINNER.length] : mark}</Text>{' '}
      {step.label}
      {step.detail && <Text {...toneProps('dim', color)}> {step.detail}</Text>}
    </Text>
  );
}

function visiblePods(pods: PodView[], limit: number): PodView[] {
  if (pods.length <= limit) return pods;
  return [...pods.filter((p) => !p.ready), ...pods.filter((p) => p.ready)].slice(0, limit);
}

/** Pod rows that fit: the terminal less the title, the steps, the table's margin and header, the
 * count of the rest and the line the cursor rests on. */
function podRowsThatFit(state: OperationState, rows: number | undefined): number {
  if (rows === undefined) return MAX_POD_ROWS;
  return Math.max(0, Math.min(MAX_POD_ROWS, rows - state.steps.length - 5));
}

export function Progress({ state, frame, color, now, rows, columns }: ProgressProps) {
  const pods = visiblePods(state.pods, podRowsThatFit(state, rows));
  const hidden = state.pods.length - pods.length;
  return (
    <Box flexDirection="column">
      <Static items={state.events}>
        {(event) => (
          <Text key={event}>
            <Text {...toneProps(WARNING_STYLE.tone, color)}>{WARNING_STYLE.mark}</Text> {eventText(event)}
          </Text>
        )}
      </Static>
      <Text {...toneProps('bold', color)} wrap="truncate-end">
        {state.title}
      </Text>
      {state.steps.map((step) => (
        <StepRow key={step.id} step={step} frame={frame} color={color} />
      ))}
      {state.pods.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          {pods.length > 0 && <Table table={columns === undefined ? podTable(pods, now) : fitTable(podTable(pods, now), columns, SPARE_POD_COLUMNS)} color={color} />}
          {hidden > 0 && <Text {...toneProps('dim', color)}>… {pods.length > 0 ? `${hidden} more pods` : `${hidden} pods`}</Text>}
        </Box>
      )}
    </Box>
  );
}

export function createInkReporter(stream: NodeJS.WriteStream, color: boolean): Reporter {
  const seen = new Set<string>();
  let events: string[] = [];
  let state: OperationState | undefined;
  let frame = 0;
  let ink: Instance | undefined;
  const draw = () => {
    if (!state) return;
    const view = <Progress state={{ ...state, events }} frame={frame} color={color} now={new Date()} rows={stream.rows} columns={stream.columns} />;
    // Mounted on the first state, so a command failing before it reports leaves no blank line.
    // interactive: true because detectTerminal already decided; Ctrl+C and console output stay
    // with the command, which owns cancellation and stdout.
    if (!ink) ink = render(view, { stdout: stream, interactive: true, exitOnCtrlC: false, patchConsole: false });
    else ink.rerender(view);
  };
  const timer = setInterval(() => {
    frame += 1;
    draw();
  }, SPINNER_MS);
  // A command that fails before close() must still be able to exit.
  timer.unref();
  return {
    update(next) {
      state = next;
      events = [...events, ...unseen(next.events, seen)];
      draw();
    },
    async close() {
      clearInterval(timer);
      ink?.unmount();
      await ink?.waitUntilExit();
    },
  };
}
