import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.ts';
import { asList, connectionTarget, parseOutput } from '../../../src/commands/options.ts';

describe('parseOutput', () => {
  it.each([
    [undefined, 'text'],
    ['', 'text'],
    ['text', 'text'],
    ['wide', 'text'],
    ['json', 'json'],
    ['yaml', 'yaml'],
  ])('-o %j gives %s', (value, format) => {
    expect(parseOutput(value)).toBe(format);
  });

  it.each(['xml', 'table', 'JSON', 'jsonpath={.address}'])('rejects -o %j as a usage error naming the supported formats', (value) => {
    const run = () => parseOutput(value);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/^unsupported --output .*-o json or -o yaml/);
  });
});

describe('asList', () => {
  it('treats a flag given once, many times or never the same way', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList('A=1')).toEqual(['A=1']);
    expect(asList(['A=1', 'B=2'])).toEqual(['A=1', 'B=2']);
  });
});

describe('connectionTarget', () => {
  it('passes on only the kubectl connection flags that were given', () => {
    expect(connectionTarget({ interactive: true })).toEqual({});
    expect(connectionTarget({ interactive: false, context: 'prod', namespace: 'data', kubeconfig: '/tmp/kc' })).toEqual({
      context: 'prod',
      namespace: 'data',
      kubeconfig: '/tmp/kc',
    });
  });
});
