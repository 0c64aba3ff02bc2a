import { describe, expect, it } from 'vitest';
import { podLogPath } from '../../../src/kube/paths.ts';

const base = { namespace: 'team-a', pod: 'dask-worker-5b6c7d-x2x', container: 'worker', follow: true };

function query(path: string): Record<string, string> {
  return Object.fromEntries(new URL(path, 'https://api.invalid').searchParams);
}

describe('the log request', () => {
  it('names the pod and container, follows, and always asks for timestamps (resume needs them)', () => {
    const path = podLogPath(base);
    expect(path.split('?')[0]).toBe('/api/v1/namespaces/team-a/pods/dask-worker-5b6c7d-x2x/log');
    expect(query(path)).toEqual({ container: 'worker', follow: 'true', timestamps: 'true' });
    expect(query(podLogPath({ ...base, follow: false })).follow).toBe('false');
  });

  it('asks for the previous instance only with --previous', () => {
    expect(query(podLogPath({ ...base, follow: false, previous: true })).previous).toBe('true');
    expect(query(podLogPath({ ...base, previous: false }))).not.toHaveProperty('previous');
  });

  it('keeps --tail 0 (no history at all) instead of dropping it as "unset"', () => {
    expect(query(podLogPath({ ...base, tailLines: 0 })).tailLines).toBe('0');
    expect(query(podLogPath({ ...base, tailLines: 100 })).tailLines).toBe('100');
  });

  it('sends --since as sinceSeconds and a resume point as sinceTime, with its + and : intact', () => {
    expect(query(podLogPath({ ...base, sinceSeconds: 600 }))).toMatchObject({ sinceSeconds: '600' });
    const sinceTime = '2026-11-26T08:00:00.123456789+01:00';
    const path = podLogPath({ ...base, sinceTime });
    expect(query(path).sinceTime).toBe(sinceTime);
    expect(path).not.toContain('+01');
  });
});
