// The dir the app runs from, which the launcher unpacked it to and keeps its caches in:
// scripts/build.ts replaces this module in the bundles with the bundle's own dir (the __dirname
// the launcher runs it with). Run from the sources (tests) there is none, and nothing is kept.
export const appDir: string | undefined = undefined;
