import { describe, expect, it } from 'vitest';
import { parseWarningHeader } from '../../../src/kube/warnings.ts';

describe('parseWarningHeader', () => {
  it('reads each warning of a header, unquoted, in order', () => {
    const header = '299 - "would violate PodSecurity \\"restricted:latest\\": runAsNonRoot != true", 299 - "spec.x: deprecated, a \\\\ b"';
    expect(parseWarningHeader(header)).toEqual(['would violate PodSecurity "restricted:latest": runAsNonRoot != true', 'spec.x: deprecated, a \\ b']);
  });

  it('has none without a header', () => {
    expect(parseWarningHeader(undefined)).toEqual([]);
    expect(parseWarningHeader('')).toEqual([]);
  });
});
