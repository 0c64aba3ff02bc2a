// client-node reads a kubeconfig with js-yaml, about 5 ms of every command for this testbed's 6 kB
// file and as much for a 66 kB one: the bundle's code cache holds js-yaml's bytecode, but a run
// executes it cold, in V8's interpreter. A run keeps what js-yaml made of a file for the runs after
// it, keyed by the text's SHA-256, and without its text: every key and string value is kept as
// where it lies in the text ("start:end"), so the cache holds the document's shape, numbers and
// booleans, never a credential. Any occurrence of a string serves, as the key proves the text is
// the same. A document with a string the text does not hold as it is (an escape, a folded or
// indented block) or a value JSON cannot carry (.inf, .nan) is parsed on every run, as before.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How many parsed kubeconfigs a cache dir keeps: the newest written. */
const KEPT = 16;

/**
 * The document with every string (keys too) replaced by "start:end" in text; undefined when a
 * string is not in text as it is, or a value is not a string, finite number, boolean, null, array
 * or plain object.
 */
export function shapeWithoutStrings(value: unknown, text: string): unknown {
  const at = (s: string) => {
    const start = text.indexOf(s);
    if (start < 0) throw new NotKeepable();
    return `${start}:${start + s.length}`;
  };
  const shape = (v: unknown): unknown => {
    if (typeof v === 'string') return at(v);
    if (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
    if (Array.isArray(v)) return v.map(shape);
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const entries = Object.entries(v as Record<string, unknown>);
      // Restored by assignment, this key would set the prototype instead.
      if (entries.some(([key]) => key === '__proto__')) throw new NotKeepable();
      return Object.fromEntries(entries.map(([key, item]) => [at(key), shape(item)]));
    }
    throw new NotKeepable();
  };
  try {
    return shape(value);
  } catch (error) {
    if (error instanceof NotKeepable) return undefined;
    throw error;
  }
}

/** The document shapeWithoutStrings() took apart, its strings sliced from the same text. */
export function documentFromShape(shape: unknown, text: string): unknown {
  if (typeof shape === 'string') {
    const [start, end] = shape.split(':').map(Number);
    return text.slice(start, end);
  }
  if (Array.isArray(shape)) return shape.map((item) => documentFromShape(item, text));
  if (shape !== null && typeof shape === 'object') {
    const document: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(shape)) document[documentFromShape(key, text) as string] = documentFromShape(item, text);
    return document;
  }
  return shape;
}

class NotKeepable extends Error {}

/**
 * parse(text), or what it returned for the same text in an earlier run whose cache dir this is.
 * Without a dir, or when the dir cannot be read or written, it parses each time.
 */
export function parseKubeconfigText(text: string, cacheDir: string | undefined, parse: (text: string) => unknown): unknown {
  if (cacheDir === undefined) return parse(text);
  const file = join(cacheDir, createHash('sha256').update(text).digest('hex'));
  try {
    return documentFromShape(JSON.parse(readFileSync(file, 'utf8')), text);
  } catch {
    // not parsed before (or a cache file cut short): parse it below
  }
  const document = parse(text);
  const shape = shapeWithoutStrings(document, text);
  if (shape !== undefined) keep(cacheDir, file, JSON.stringify(shape));
  return document;
}

function keep(cacheDir: string, file: string, shape: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    // Written aside, then renamed: a concurrent run reads a whole file or none.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, shape, { mode: 0o600 });
    renameSync(partial, file);
    const kept = readdirSync(cacheDir)
      .map((name) => ({ path: join(cacheDir, name), written: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.written - a.written);
    for (const old of kept.slice(KEPT)) rmSync(old.path, { force: true });
  } catch {
    // a read-only cache dir, or a file another run removed meanwhile: the next run parses again
  }
}
