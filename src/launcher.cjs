'use strict';
// Main script of the single executable and, run by plain node, the dev entry dist/app/main.cjs.
// It answers `version` and the top-level help itself and otherwise runs the app bundle (CommonJS,
// with a code cache; reads.cjs for the commands that only read, cli.cjs for the others; the Ink
// views are ES modules it imports): from the SEA assets, written once to a cache dir keyed by their
// content hash, or from its own dir.
// scripts/build.ts replaces these identifiers at build time:
/* global KD_VERSION, KD_HASH, KD_ENTRY, KD_READS_ENTRY, KD_READ_COMMANDS, KD_FILES, KD_HELP, KD_COMMANDS, KD_GLOBAL_FLAGS */

let argv = process.argv.slice(2);
// kubectl's completion runs `kubectl_complete-dask WORDS...`, which runs `kubectl-dask __complete
// WORDS...`; the completion command takes the words after `--`, where yargs leaves them unparsed.
if (argv[0] === '__complete') argv = ['completion', '__complete', '--', ...argv.slice(1)];

if (argv.length === 1 && (argv[0] === 'version' || argv[0] === '--version')) {
  // Same line as the `version` command prints, without loading anything.
  process.stdout.write(`kubectl-dask ${KD_VERSION}\n`);
} else if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h') && KD_HELP && (!process.stdout.isTTY || process.stdout.columns >= 100)) {
  // The top-level help as the bundle printed it at build time, wrapped at 100 columns as it is
  // for a pipe or a terminal at least that wide (narrower terminals get it from the bundle).
  process.stdout.write(KD_HELP);
} else {
  start();
}

function start() {
  const path = require('node:path');
  let app;
  try {
    const dir = require('node:sea').isSea() ? extract() : __dirname;
    // For the Ink views, ES modules: runs after the first skip most of their parsing.
    require('node:module').enableCompileCache?.(path.join(dir, '.compile-cache'));
    // A guess, which names the code cache and picks V8 flags: a wrong one costs only speed. The
    // choice of bundle below must be certain, hence commandWord().
    const command = argv.find((arg) => KD_COMMANDS.includes(arg)) ?? 'other';
    if (command === 'port-forward' || command === 'dashboard') {
      withoutOptimizingCompilers();
      // For the young collections forwarding asks for as bytes move (src/kube/young-buffers.ts).
      exposeGc();
    }
    if (command === 'logs') {
      withoutTurbofanAndGcThreads();
      collectGarbageAsItGrows();
    }
    // The commands that only read have a smaller build of the app (scripts/build.ts says why).
    app = loadApp(dir, KD_READ_COMMANDS.includes(commandWord(argv)) ? KD_READS_ENTRY : KD_ENTRY, command);
  } catch (error) {
    process.stderr.write(`error: cannot load kubectl-dask: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  // A command whose work left nothing to wait for without settling would otherwise end with exit 0.
  let settled = false;
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write('error: unexpected failure, please report it: the command stopped before it finished\n');
    process.exitCode = 1;
  });
  app.main(argv).then(
    (code) => {
      settled = true;
      process.exitCode = code;
      // A run that only printed help compiled none of the command's work, and the cache it wrote
      // would stand for every later run (status with it: 68.7 ms against 64.4).
      if (!argv.some((arg) => arg === '--help' || arg === '-h')) app.saveCodeCache();
      exitOnceWritten(code);
    },
    (error) => {
      settled = true;
      process.stderr.write(`error: unexpected failure, please report it: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Ends the process once stdout and stderr hold nothing unwritten (a pipe on macOS is written
 * asynchronously). Left to end by itself, Node first tears down its environment and frees its
 * heap: 2 to 3 ms of a `status`. Commands return only when their work is done (logs hands its
 * last lines to stdout first).
 */
function exitOnceWritten(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * The command yargs will run: the first word that is not a global flag (-n NAME, --context=NAME,
 * --no-interactive, ...) or a global flag's value. Undefined when any other flag comes first:
 * whether it takes the next word as its value, only yargs knows.
 */
function commandWord(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-')) return arg;
    const flag = arg.split('=')[0];
    if (KD_GLOBAL_FLAGS.withValue.includes(flag)) {
      if (flag === arg) i += 1;
    } else if (!KD_GLOBAL_FLAGS.withoutValue.includes(flag)) {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Runs the app bundle, a CommonJS script, compiled with the V8 code cache of an earlier run of the
 * same command. A cache taken after a run holds every function that ran; Node's compile cache holds
 * only what compiling a file compiles, its top level, and compiling the rest took about 10 ms of a
 * `status`. The first run of each command (or one in another Node, whose cache V8 rejects) writes it.
 */
function loadApp(dir, entry, command) {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const { pathToFileURL } = require('node:url');
  const file = path.join(dir, entry);
  // Per bundle too: `status` runs reads.cjs, and cli.cjs when a command flag comes before it.
  const cacheFile = path.join(dir, '.code-cache', `${command}-${path.basename(entry, '.cjs')}`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // this command's first run
  }
  // The bundle is a function expression, the wrapper written into it by the build: wrapped here,
  // V8 copied the joined source whole (2.3 MiB of heap for cli.cjs). It is ASCII (the build checks
  // it), and Latin-1 reads it in a third of UTF-8's time.
  const script = new vm.Script(fs.readFileSync(file, 'latin1'), { filename: file, cachedData });
  const module = { exports: {} };
  // A script compiled by vm has no import() of its own; the Ink views are imported from here.
  const importView = (name) => import(pathToFileURL(path.join(dir, name)).href);
  script.runInThisContext()(module.exports, require('node:module').createRequire(file), module, file, dir, importView);
  const stale = cachedData === undefined || script.cachedDataRejected;
  return {
    main: module.exports.main,
    saveCodeCache() {
      if (!stale) return;
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
        // Written aside, then renamed, as extract() does: a concurrent run reads a whole cache or none.
        const partial = `${cacheFile}.${process.pid}.partial`;
        fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(partial, cacheFile);
      } catch {
        // a read-only cache dir: every run compiles what it runs
      }
    },
  };
}

/**
 * For the commands that move bytes for hours (port-forward, dashboard): V8's optimizing compilers
 * (Maglev, TurboFan) page in 15-20 MiB of their own machine code once they run, and forwarding
 * gains nothing from them, since the bytes move in native code: bench:forward measured peak RSS
 * 124-133 -> 106-111 MiB at the same throughput. Set before the bundle is compiled, since V8
 * rejects a code cache made under other flags (compiling the bundle anew holds ~13 MiB more).
 * logs keeps Maglev: without either, its per-line work took up to twice the CPU.
 */
function withoutOptimizingCompilers() {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--no-maglev');
  v8.setFlagsFromString('--no-opt');
}

/**
 * For logs -f, two V8 settings. Garbage is collected on the main thread only: with the 1 MiB
 * young generation a busy follower scavenges dozens of times a second, and each hand-over to
 * helper threads competes for the cores the API server wants too (bench:forward at 20 pods, the
 * first two interleaved pairs: 106-124k -> 139-143k lines/s, 0.90-1.08 -> 0.76-0.77 CPU seconds;
 * later runs of it spread over 97-138k, and 2 and 200 pods showed no difference either way). And
 * no TurboFan: Maglev alone compiles the per-line work about as well (at 20 pods, four interleaved
 * pairs: the same lines/s, 0.84-0.99 against 0.86-1.16 CPU seconds), and TurboFan's own code
 * paged in 5.5 MiB more. Set before the bundle is compiled, as V8 rejects a code cache made under
 * other flags.
 */
function withoutTurbofanAndGcThreads() {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--single-threaded-gc');
  v8.setFlagsFromString('--no-turbofan');
}

/**
 * For logs -f, which passes lines on for hours: with the 1 MiB young generation (execArgv) many
 * lines are promoted before they die, and V8 lets the old generation fill with them before it
 * collects it: 20 busy pods peaked at a 50 MiB heap for 13 MiB alive, 200 at 87-93 MiB (RSS
 * 176-182). A full collection each time the heap and its buffers grew by GROWTH since the last
 * keeps the peak near what is alive (200 pods: heap 44-46, RSS 133-135 MiB, same lines/s).
 * (port-forward's garbage is young buffers, which it collects by the bytes it moves.)
 */
function collectGarbageAsItGrows() {
  const GROWTH = 8 << 20;
  const v8 = require('node:v8');
  exposeGc();
  const gc = require('node:vm').runInNewContext('gc');
  const size = () => {
    const heap = v8.getHeapStatistics();
    return heap.used_heap_size + heap.external_memory;
  };
  let after = size();
  setInterval(() => {
    if (size() - after < GROWTH) return;
    gc();
    after = size();
  }, 250).unref();
}

/**
 * Lets scripts ask V8 for a collection: the global gc() of contexts made after this. Set before the
 * bundle is compiled, as V8 rejects a code cache made under other flags.
 */
function exposeGc() {
  require('node:v8').setFlagsFromString('--expose-gc');
}

/** Writes the bundle's files that are missing from the cache dir and returns that dir. */
function extract() {
  const fs = require('node:fs');
  const path = require('node:path');
  // Its own subdir: other tools of the project keep things in the same cache root.
  const dir = path.join(cacheRoot(), 'app', KD_HASH);
  // The warm path is one stat per file: a file can be missing after a first run that was killed
  // or a tmp cleaner that deleted rarely used chunks, and is then written again.
  const missing = KD_FILES.filter((file) => !fs.existsSync(path.join(dir, file)));
  if (missing.length === 0) {
    markUsed(dir);
    return dir;
  }
  const sea = require('node:sea');
  for (const file of missing) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    // Written aside, then renamed: concurrent first runs each rename a complete, identical file,
    // and no run ever imports a half-written one.
    const partial = `${target}.${process.pid}.partial`;
    fs.writeFileSync(partial, new Uint8Array(sea.getRawAsset(file)), { mode: 0o600 });
    fs.renameSync(partial, target);
  }
  markUsed(dir);
  prune(path.dirname(dir));
  return dir;
}

/** The dir's mtime is its last run, which prune() goes by. */
function markUsed(dir) {
  try {
    const now = new Date();
    require('node:fs').utimesSync(dir, now, now);
  } catch {
    // read-only cache: pruning then only sees the time of extraction
  }
}

/** The per-user cache dir; a private dir under the temp dir when that cannot be created. */
function cacheRoot() {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const env = process.env;
  let base;
  if (env.XDG_CACHE_HOME) base = env.XDG_CACHE_HOME;
  else if (process.platform === 'win32') base = env.LOCALAPPDATA;
  else if (process.platform === 'darwin') base = path.join(os.homedir(), 'Library', 'Caches');
  else base = path.join(os.homedir(), '.cache');
  if (base && path.isAbsolute(base)) {
    const root = path.join(base, 'kubectl-dask');
    try {
      fs.mkdirSync(root, { recursive: true, mode: 0o700 });
      fs.accessSync(root, fs.constants.W_OK);
      return root;
    } catch {
      // read-only or missing home: fall back to the temp dir
    }
  }
  const uid = process.getuid?.() ?? 'user';
  const root = path.join(os.tmpdir(), `kubectl-dask-${uid}`);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  // A shared temp dir lets anyone create this path first; never run code from a dir another user controls.
  const stat = fs.lstatSync(root);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid()) || (process.platform !== 'win32' && stat.mode & 0o022)) {
    throw new Error(`${root} is not a private directory of yours; set XDG_CACHE_HOME to a directory you own`);
  }
  return root;
}

/** Removes bundles of other builds unused for a week: each is a few MB, and upgrades would
 * otherwise pile them up. Another installed copy, or a run of the previous version still going
 * after an upgrade, imports its lazy chunks (client-node, Ink) only when it needs them, so
 * deleting a recently used dir would fail that import. */
function prune(root) {
  const fs = require('node:fs');
  const path = require('node:path');
  const cutoff = Date.now() - 7 * 24 * 3600 * 1000;
  for (const name of fs.readdirSync(root)) {
    if (name === KD_HASH || !/^[0-9a-f]{16}$/.test(name)) continue;
    const dir = path.join(root, name);
    try {
      if (fs.statSync(dir).mtimeMs < cutoff) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // removed by a concurrent prune
    }
  }
}
