// Kept equal to package.json's version by a unit test; the launcher of the single binary gets
// the same value injected at build time.
export const VERSION = '0.1.0';
