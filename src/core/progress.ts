// The state a long operation (up, scale, down) reports while it runs. The same state drives the
// Ink checklist in a terminal and the plain line reporter everywhere else.
import type { PodView } from './readiness.ts';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed';

export interface Step {
  id: string;
  label: string;
  status: StepStatus;
  /** Short live detail, e.g. "2/4 ready". */
  detail?: string;
}

export interface OperationState {
  title: string;
  steps: Step[];
  pods: PodView[];
  /** Warning events seen while waiting, one line each, oldest first. */
  events: string[];
}

export interface Reporter {
  /** Called with the whole new state on every change. */
  update(state: OperationState): void;
  /** Stops live rendering; the last state stays visible. */
  close(): Promise<void>;
}

/** Returns a copy of state with one step changed; the original is left untouched. */
export function withStep(state: OperationState, id: string, change: Partial<Omit<Step, 'id'>>): OperationState {
  return { ...state, steps: state.steps.map((s) => (s.id === id ? { ...s, ...change } : s)) };
}
