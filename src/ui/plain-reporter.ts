// Progress for pipes, CI and --no-interactive: one line per change worth reading, never a
// redraw, so logs stay short and identical between runs of the same operation.
import type { Reporter } from '../core/progress.ts';
import { STEP_STYLE, WARNING_STYLE, eventText, podReasonText, unseen } from './progress-text.ts';
import { type Tone, paint } from './terminal.ts';

export function createPlainReporter(color: boolean, out: Pick<NodeJS.WritableStream, 'write'>): Reporter {
  const p = paint(color);
  const write = ({ mark, tone }: { mark: string; tone: Tone }, text: string) => out.write(`${p[tone](mark)} ${text}\n`);
  let title: string | undefined;
  const shownSteps = new Map<string, string>();
  const shownReasons = new Set<string>();
  const shownEvents = new Set<string>();
  return {
    update(state) {
      if (state.title !== title) {
        title = state.title;
        out.write(`${p.bold(title)}\n`);
      }
      for (const step of state.steps) {
        const shown = `${step.status} ${step.detail ?? ''}`;
        if (step.status === 'pending' || shownSteps.get(step.id) === shown) continue;
        shownSteps.set(step.id, shown);
        write(STEP_STYLE[step.status], step.detail ? `${step.label} ${p.dim(step.detail)}` : step.label);
      }
      for (const pod of state.pods) {
        const text = podReasonText(pod);
        // Keyed by reason, not message: a pod flapping between ErrImagePull and ImagePullBackOff
        // says each once, not on every back-off.
        const key = `${pod.name}\0${pod.reason}`;
        if (!text || shownReasons.has(key)) continue;
        shownReasons.add(key);
        write(WARNING_STYLE, text);
      }
      for (const event of unseen(state.events, shownEvents)) write(WARNING_STYLE, eventText(event));
    },
    async close() {},
  };
}
