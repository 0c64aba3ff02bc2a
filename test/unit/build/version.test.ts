import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { VERSION } from '../../../src/version.ts';

// The executable's launcher answers `version` with package.json's version, baked in at build time;
// the `version` command prints src/version.ts. They must be the same string.
it('src/version.ts matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});
