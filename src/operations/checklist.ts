// Holds the state of one operation and hands every change to the reporter.
import { type OperationState, type Reporter, type StepStatus, withStep } from '../core/progress.ts';
import type { ClusterReadiness, RolloutView } from '../core/readiness.ts';

export class Checklist {
  private state: OperationState;
  private readonly reporter: Reporter;
  /** Warnings that came before the events, shown first: the API server's to the writes. */
  private readonly warnings: string[];

  constructor(title: string, steps: { id: string; label: string }[], reporter: Reporter, warnings: string[] = []) {
    this.reporter = reporter;
    this.warnings = warnings;
    this.state = { title, steps: steps.map((s) => ({ ...s, status: 'pending' })), pods: [], events: warnings };
    reporter.update(this.state);
  }

  set(id: string, status: StepStatus, detail?: string): void {
    this.state = withStep(this.state, id, { status, detail });
    this.reporter.update(this.state);
  }

  /** Marks the running step failed, so the UI shows where an operation stopped. */
  failRunning(): void {
    for (const s of this.state.steps) if (s.status === 'running') this.set(s.id, 'failed', s.detail);
  }

  /** Reflects cluster readiness in the "scheduler" and "workers" steps, pods and events. */
  showReadiness(r: ClusterReadiness, events: string[]): void {
    this.state = { ...this.state, pods: r.pods, events: [...this.warnings, ...events] };
    this.set('scheduler', r.scheduler.rolledOut ? 'done' : 'running', rolloutDetail(r.scheduler));
    this.set('workers', r.workers.rolledOut ? 'done' : 'running', rolloutDetail(r.workers));
  }
}

// The step's label already says "ready": the detail is the count. Ready counts include pods of
// the old revision during a rollout; show those apart, so the count never reads like 4/3. A
// Deployment not seen yet has no count (not "0/0").
function rolloutDetail(r: RolloutView): string | undefined {
  if (!r.exists) return undefined;
  const ready = `${Math.min(r.ready, r.desired)}/${r.desired}`;
  return r.old > 0 ? `${ready}, ${r.old} old pod(s) still running` : ready;
}
