// `npm run build`: the app bundles (CommonJS, with ES module Ink views) in dist/app, their launcher
// dist/app/main.cjs (run by plain node, the dev entry) and the single executable dist/kubectl-dask
// for this machine. The dev entry is not named kubectl-*: kubectl would list it as a second plugin
// when dist/ is on PATH.
//
// The executable is built with Node's own SEA tooling (--experimental-sea-config + postject), the
// same two steps @yao-pkg/pkg's SEA mode runs, without pkg: see scripts/package.ts and the README
// (Packaging) for what pkg 6.23 cannot do here. `npm run package` makes the other platforms.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const app = join(dist, 'app');
const seaDir = join(dist, 'sea');
const require = createRequire(import.meta.url);
// postject ships no types; this is the one function used.
type Inject = (file: string, name: string, data: Buffer, options: { sentinelFuse: string; machoSegmentName?: string }) => Promise<void>;
// The stock Node 24 binary the `node` devDependency installs; it becomes the executable.
const nodeBinary = join(root, 'node_modules', 'node', 'bin', 'node');
const version: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

// string-width (yargs' and Ink's) builds an Intl.Segmenter and Unicode-set regexps when it is
// imported: about 20 ms of every start. This puts each copy behind a module that answers printable
// ASCII (width = length, most of what we print) itself and evaluates the real one on first other
// use; esbuild evaluates a bundled ESM module that is require()d only when that require runs.
const lazyStringWidth: esbuild.Plugin = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      resolveDir: root,
      contents: `let real;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;
  real ??= require(${JSON.stringify(args.path)}).default;
  return real(text, options);
}`,
    }));
  },
};

// Node builds the ESM facade of a builtin by reading every export, and node:http's exports include
// getters (WebSocket, MessageEvent, ...) that load Node's own copy of undici: about 10 ms of every
// `status`, for client-node's imports of node:http's STATUS_CODES and Agent. Imported as CommonJS,
// a builtin is a plain object, and here one whose exports load the builtin on first use, so that
// builtins imported for paths a command does not take (readline for `down`'s prompt, net for
// port-forward, child_process for exec credentials) are not loaded: about 1.5 ms of every command.
const builtinsThroughRequire: esbuild.Plugin = {
  name: 'builtins-through-require',
  setup(build) {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    build.onResolve({ filter: /^[a-z0-9_:/]+$/ }, (args) =>
      args.kind === 'import-statement' && builtins.has(args.path) ? { path: args.path, namespace: 'builtin-through-require' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-through-require' }, (args) => ({
      contents: lazyExports(args.path, Object.keys(require(args.path))),
    }));
  },
};

// client-node imports Agent, ProxyAgent and fetch from undici; scripts/undici-for-client-node.cjs
// says why it stands in for undici's index.js.
const clientNodeDir = join(root, 'node_modules', '@kubernetes', 'client-node', 'dist');
const undiciForClientNode: esbuild.Plugin = {
  name: 'undici-for-client-node',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => (args.importer.startsWith(clientNodeDir) ? { path: join(root, 'scripts', 'undici-for-client-node.cjs') } : undefined));
  },
};

// client-node's modules only declare things, apart from polyfill.js, but its package.json does not
// say so, and esbuild must then keep every module index.js re-exports and evaluate them with the
// client: cp (tar-fs), exec, attach, metrics, ws, ... Declared free of side effects, the modules
// nothing imports are dropped (about 125 kB less to evaluate for `status`).
const clientNodePure: esbuild.Plugin = {
  name: 'client-node-pure',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'real' || !(args.path.startsWith('@kubernetes/client-node') || args.importer.startsWith(clientNodeDir))) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      // Other packages' imports are left to the other plugins and esbuild.
      if (real.errors.length > 0 || !real.path.startsWith(clientNodeDir) || real.path.endsWith('polyfill.js')) return undefined;
      return { ...real, sideEffects: false };
    });
  },
};

// config.js takes createConfiguration and ServerConfiguration (for makeApiClient) from gen/index.js,
// which re-exports every generated API and model; esbuild puts a module in the chunk of every entry
// whose imports reach it, so KubeConfig alone brought 1.1 MB of them into `status`. Pointed at
// the two files that define them, the generated APIs stay in the chunk of the commands that write.
const clientNodeConfigImports: esbuild.Plugin = {
  name: 'client-node-config-imports',
  setup(build) {
    build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      args.importer === join(clientNodeDir, 'config.js') ? { path: 'config-gen-imports', namespace: 'client-node-config-imports' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'client-node-config-imports' }, () => ({
      resolveDir: clientNodeDir,
      contents: `export { createConfiguration } from './gen/configuration.js';\nexport { ServerConfiguration } from './gen/servers.js';\n`,
    }));
  },
};

/**
 * A plugin that replaces one piece of text in a dependency's file as esbuild loads it, and fails
 * the build when the text is no longer there (after an upgrade), instead of silently doing nothing.
 */
function patchDependency(name: string, file: RegExp, text: string, replacement: string): esbuild.Plugin {
  return {
    name,
    setup(build) {
      build.onLoad({ filter: file }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(text)) return { errors: [{ text: `${args.path} no longer holds "${text}"; update or drop the ${name} plugin` }] };
        return { contents: source.replace(text, replacement), loader: 'js' };
      });
    },
  };
}

// Every KubeConfig builds an ExecAuth, whose constructor reads child_process.spawn, which loads
// node:child_process (about 1.2 ms of every command) for kubeconfigs that mostly run no plugin.
// Read when it is called instead, it loads with the first exec credential.
const execAuthSpawnOnUse = patchDependency(
  'exec-auth-spawn-on-use',
  /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]exec_auth\.js$/,
  'this.execFn = child_process.spawn;',
  'this.execFn = (...args) => child_process.spawn(...args);',
);

// yargs' Node shim imports node:assert for its own invariants, and node:assert sets up
// process.stderr as it loads (about 1.5 ms of every command, which mostly never writes to stderr);
// and each run yargs looks for a package.json from the working directory up, to guess a version
// for --version, which the CLI turns off: a readdir per level, and a failed assertion whose message
// takes a diff to build. Its assert becomes two comparisons and its findUp finds nothing.
const yargsShim: esbuild.Plugin = {
  name: 'yargs-shim',
  setup(build) {
    const shim = /[\\/]node_modules[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;
    build.onResolve({ filter: /^(assert|escalade\/sync)$/ }, (args) => (shim.test(args.importer) ? { path: args.path, namespace: 'yargs-shim' } : undefined));
    build.onLoad({ filter: /^assert$/, namespace: 'yargs-shim' }, () => ({
      contents: `const fail = (message) => { throw Object.assign(new Error(message ?? 'yargs: assertion failed'), { code: 'ERR_ASSERTION' }); };
export const notStrictEqual = (actual, expected, message) => { if (Object.is(actual, expected)) fail(message); };
export const strictEqual = (actual, expected, message) => { if (!Object.is(actual, expected)) fail(message); };`,
    }));
    build.onLoad({ filter: /^escalade\/sync$/, namespace: 'yargs-shim' }, () => ({ contents: 'export default () => undefined;' }));
  },
};

// yargs checks the types of the arguments of each of its API calls (63 places) against a signature
// string it parses on every call, and only warns on stderr about a mismatch: a check of our own
// code, which the unit tests run against yargs as published. Out of the bundle (status 54.4 ->
// 53.0 ms interleaved).
const yargsWithoutArgsert: esbuild.Plugin = {
  name: 'yargs-without-argsert',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]lib[\\/]argsert\.js$/ }, (args) => {
      if (!readFileSync(args.path, 'utf8').includes('export function argsert(')) return { errors: [{ text: `${args.path} no longer exports argsert(); update or drop the yargs-without-argsert plugin` }] };
      return { contents: 'export function argsert() {}', loader: 'js' };
    });
  },
};

// After it calls a command's handler, yargs lays out that command's whole help text and keeps it,
// in case the handler calls showHelp() later (about 1 ms of every command, wrapping included).
// No handler here does; a failure goes to the CLI's own fail(), which prints no help.
const yargsWithoutHelpCache = patchDependency(
  'yargs-without-help-cache',
  /[\\/]node_modules[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/,
  'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();',
  '',
);

// client-node's config.js and auth modules import these at their top level, for kubeconfigs with
// a proxy-url or an oidc/azure/gcp auth-provider; every `status` evaluated them (about 5 ms). And
// js-yaml, which a kubeconfig parsed in an earlier run does not need (src/kube/kubeconfig-text.ts).
// Each becomes a module with the same export names whose values load the real package on first
// access: esbuild reads a CommonJS module's exports where they are used, and evaluates a
// require()d module when the require() runs.
const lazyPackages: esbuild.Plugin = {
  name: 'lazy-packages',
  setup(build) {
    build.onResolve({ filter: /^(openid-client|socks|socks-proxy-agent|hpagent|jsonpath-plus|js-yaml)$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      // .cjs whatever the package's own file is: these exports are CommonJS, an .mjs path would make them ESM.
      return { path: `${real.path}.cjs`, namespace: 'lazy-package' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => {
      const path = args.path.slice(0, -'.cjs'.length);
      const names = Object.keys(require(path));
      return { resolveDir: root, contents: lazyExports(path, names) };
    });
  },
};

/**
 * A CommonJS module whose exports are those names of the module `id`, each loading it on first
 * access: esbuild reads a CommonJS module's exports where they are used, so the module loads when
 * the code that needs it first runs. Without __esModule and default, which esbuild's interop reads
 * when the module is imported. The getters sit on the exports' prototype: each ES module importing
 * a CommonJS one gets its own copy of the module's own properties (esbuild's __toESM), which for
 * node:fs's 104 names, imported by eight modules, and the rest came to about 1 ms of every `status`;
 * the copy keeps the prototype, so the names still resolve.
 */
function lazyExports(id: string, names: string[]): string {
  const lazy = names.filter((name) => name !== 'default' && name !== '__esModule');
  return `let real;
const load = () => (real ??= require(${JSON.stringify(id)}));
const lazy = {};
for (const name of ${JSON.stringify(lazy)}) {
  Object.defineProperty(lazy, name, { enumerable: true, get: () => load()[name] });
}
module.exports = Object.create(lazy);`;
}

const started = performance.now();
rmSync(app, { recursive: true, force: true });

// 1. The app. Everything but the Ink views is one CommonJS bundle, cli.cjs (with a smaller build
// of it, reads.cjs, for the commands that only read; see below), which the launcher compiles with
// a V8 code cache taken after a run (see src/launcher.cjs): Node keeps no code of the functions an
// ES module ran, and those are most of what a command compiles.
// esbuild evaluates a module reached only through import() when that import() runs, so client-node,
// the YAML library and the writes still load only in the commands that reach them. The Ink views
// are ES modules apart (Ink's layout engine awaits at its top level, which CommonJS cannot), with
// chunks shared between them, imported through the launcher (src/ui/ink-views.ts says how).
const common = {
  absWorkingDir: root,
  outdir: app,
  bundle: true,
  platform: 'node',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // Ink imports the React devtools bridge only when DEV is set; the package is not installed.
  alias: { 'react-devtools-core': join(root, 'scripts', 'empty.mjs') },
} satisfies esbuild.BuildOptions;
const views = { progress: join(root, 'src', 'ui', 'ink', 'progress.tsx'), 'forward-panel': join(root, 'src', 'ui', 'forward-panel-live.tsx') };
const viewFile = (name: keyof typeof views) => `views/${name}.mjs`;
const viewBundle = await esbuild.build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(views).map(([name, source]) => [`views/${name}`, source])),
  splitting: true,
  format: 'esm',
  // `.mjs` makes Node load them as ES modules wherever they are written, without a package.json.
  outExtension: { '.js': '.mjs' },
  chunkNames: 'views/chunks/[name]-[hash]',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [lazyStringWidth, builtinsThroughRequire],
  // CommonJS dependencies bundled into ESM call require() for Node builtins.
  banner: { js: 'import{createRequire as __kdRequire}from"node:module";const require=__kdRequire(import.meta.url);' },
});

// src/ui/ink-views.ts in the app bundle: each view is imported by the launcher, which hands the
// bundle an import function (a script compiled by node:vm has no import() without an experimental flag).
const inkViewsThroughLauncher: esbuild.Plugin = {
  name: 'ink-views-through-launcher',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]ui[\\/]ink-views\.ts$/ }, () => ({
      loader: 'js',
      contents: `export const loadProgressView = () => __kdImport(${JSON.stringify(viewFile('progress'))});
export const loadForwardPanelView = () => __kdImport(${JSON.stringify(viewFile('forward-panel'))});`,
    }));
  },
};
// src/app-dir.ts in the app bundle: the dir the launcher runs it from.
const appDirOfLauncher: esbuild.Plugin = {
  name: 'app-dir-of-launcher',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]app-dir\.ts$/ }, () => ({ loader: 'js', contents: 'export const appDir = __dirname;' }));
  },
};
const appBuild = {
  ...common,
  entryPoints: { cli: join(root, 'src', 'cli.ts') },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // yargs finds its own file through import.meta.url.
  define: { 'process.env.NODE_ENV': '"production"', 'import.meta.url': '__kdUrl' },
  // The file is the function the launcher calls (src/launcher.cjs, loadApp), wrapper included:
  // wrapped at run time, the source was a second string V8 copied whole before compiling it
  // (2.3 MiB more heap for cli.cjs, all the run long).
  banner: { js: `(function (exports, require, module, __filename, __dirname, __kdImport) {\nconst __kdUrl=require("node:url").pathToFileURL(__filename).href;` },
  footer: { js: '})' },
  plugins: [inkViewsThroughLauncher, appDirOfLauncher, lazyStringWidth, yargsShim, yargsWithoutArgsert, yargsWithoutHelpCache, builtinsThroughRequire, undiciForClientNode, clientNodeConfigImports, clientNodePure, execAuthSpawnOnUse, lazyPackages],
} satisfies esbuild.BuildOptions;
const appBundle = await esbuild.build(appBuild);

// The commands that only read run a second build of the same app, reads.cjs, without what only
// the other commands load: writes (client-node's generated API, undici), watches, port-forward,
// logs and the progress UI. Every run reads and compiles its whole bundle, even the modules it
// never evaluates (2.4 MB for cli.cjs), and reads.cjs is a fifth of that. The launcher runs it
// when the first word past the global flags is one of these commands, which yargs then always
// runs; a module left out is a module that throws when imported, so a read command that came to
// need one fails loudly.
const readCommands = ['status', 'list', 'completion'];
const onlyOtherCommands = /[\\/]src[\\/](operations[\\/](up|scale|down|logs|port-forward)|ui[\\/](reporter|summary|log-lines|forward-panel)|kube[\\/](writes|watch|portforward))\.ts$/;
const withoutOtherCommands: esbuild.Plugin = {
  name: 'without-other-commands',
  setup(build) {
    const leftOut = (path: string) => `${relative(root, path)} is not in reads.cjs, which runs only ${readCommands.join(', ')}`;
    build.onResolve({ filter: /\.ts$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      return args.kind === 'dynamic-import' && onlyOtherCommands.test(path) ? { path, namespace: 'left-out-module' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'left-out-module' }, (args) => ({ contents: `throw new Error(${JSON.stringify(leftOut(args.path))});` }));
    // client-node's config.js imports undici at its top level, for the generated API and watches only.
    build.onResolve({ filter: /^undici$/ }, (args) => (args.importer.startsWith(clientNodeDir) ? { path: 'undici', namespace: 'left-out-undici' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'left-out-undici' }, () => {
      const names = Object.keys(require(join(root, 'scripts', 'undici-for-client-node.cjs')));
      return {
        contents: `const fail = () => { throw new Error(${JSON.stringify(leftOut('node_modules/undici'))}); };
for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: fail });`,
      };
    });
  },
};
const readsBundle = await esbuild.build({
  ...appBuild,
  entryPoints: { reads: join(root, 'src', 'cli.ts') },
  plugins: [withoutOtherCommands, ...appBuild.plugins],
});
const readsInputs = Object.keys(readsBundle.metafile.inputs);
const heavyInReads = readsInputs.find((input) => /node_modules\/(undici\/|@kubernetes\/client-node\/dist\/gen\/apis\/(?!exception\.js))/.test(input));
if (heavyInReads) {
  console.error(`build: reads.cjs holds ${heavyInReads}; leave what reaches it out of it in the without-other-commands plugin`);
  process.exit(1);
}

// Start-up stays small only while the heavy packages are reached through import(); a static
// import anywhere on the entry's path would load them for every command, so fail loudly instead.
const inputs = appBundle.metafile.inputs;
/** The inputs evaluated when source is: its own static imports and theirs. */
function staticInputs(source: string): string[] {
  const seen = new Set<string>();
  const visit = (input: string) => {
    if (seen.has(input)) return;
    seen.add(input);
    for (const dep of inputs[input]?.imports ?? []) if ((dep.kind === 'import-statement' || dep.kind === 'require-call') && !dep.external) visit(dep.path);
  };
  visit(source);
  return [...seen];
}
const inApp = Object.keys(inputs).filter((input) => /node_modules\/(ink|react|yoga-layout)\//.test(input));
if (inApp.length > 0) {
  console.error(`build: the app bundle holds ${inApp[0]}; reach Ink and React through src/ui/ink-views.ts`);
  process.exit(1);
}
const lazyOnly: { source: string; input: RegExp; fix: string }[] = [
  { source: 'src/cli.ts', input: /node_modules\/@kubernetes\/client-node\//, fix: 'reach it through import() in a command handler' },
  // Reads must not bring client-node's generated APIs, and text output not the YAML library.
  { source: 'src/kube/client.ts', input: /client-node\/dist\/gen\/apis\/(?!exception\.js)/, fix: "import client-node's generated APIs in src/kube/writes.ts only" },
  { source: 'src/ui/status-view.ts', input: /node_modules\/yaml\//, fix: 'import the YAML library in src/ui/yaml.ts only' },
  // Watches (port-forward, logs, up's wait) must not bring the package index and its 760 models.
  { source: 'src/kube/watch.ts', input: /client-node\/dist\/(index\.js|gen\/models\/)/, fix: "import client-node's classes from src/kube/client-node.ts" },
];
for (const { source, input, fix } of lazyOnly) {
  const loaded = staticInputs(source).find((i) => input.test(i));
  if (loaded) {
    console.error(`build: ${source} loads ${loaded} when it loads; ${fix}`);
    process.exit(1);
  }
}
// The launcher reads the bundle as Latin-1, which is faster than UTF-8 and the same for ASCII:
// esbuild writes non-ASCII characters as escapes (its default charset), and this keeps it so.
for (const bundle of ['cli.cjs', 'reads.cjs']) {
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(join(app, bundle), 'latin1'));
  if (nonAscii) {
    console.error(`build: dist/app/${bundle} holds a non-ASCII character at ${nonAscii.index}; keep esbuild's charset ascii`);
    process.exit(1);
  }
}
// Paths relative to dist/app, as the launcher and the SEA asset keys use them.
const files = [appBundle, readsBundle, viewBundle]
  .flatMap((bundle) => Object.keys(bundle.metafile.outputs))
  .map((out) => out.slice('dist/app/'.length))
  .sort();
const hash = createHash('sha256');
for (const file of files) hash.update(file).update('\0').update(readFileSync(join(app, file)));
const contentHash = hash.digest('hex').slice(0, 16);

// The top-level --help, printed by the bundle just built, for the launcher to answer without
// loading yargs and every command module (about 50 ms). stdout is a pipe here, so yargs wraps at 100.
const help = execFileSync(
  process.execPath,
  [join(root, 'scripts', 'load-bundle.cjs'), join(app, 'cli.cjs'), '--help'],
  { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
);
// The launcher keeps a code cache per command, named by these words, and looks past the global
// flags for the command word.
const { commandWords, globalFlags } = require(join(root, 'scripts', 'load-bundle.cjs')).loadBundle(join(app, 'cli.cjs')) as { commandWords: string[]; globalFlags: { withValue: string[]; withoutValue: string[] } };

// 2. The CommonJS launcher, with the version, the help and the bundle's file list filled in.
await esbuild.build({
  entryPoints: [join(root, 'src', 'launcher.cjs')],
  outfile: join(app, 'main.cjs'),
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  minify: true,
  logLevel: 'warning',
  define: {
    KD_VERSION: JSON.stringify(version),
    KD_HASH: JSON.stringify(contentHash),
    KD_ENTRY: '"cli.cjs"',
    KD_READS_ENTRY: '"reads.cjs"',
    KD_READ_COMMANDS: JSON.stringify(readCommands),
    KD_FILES: JSON.stringify(files),
    KD_HELP: JSON.stringify(help),
    KD_COMMANDS: JSON.stringify(commandWords),
    KD_GLOBAL_FLAGS: JSON.stringify(globalFlags),
  },
});

// 3. The single executable: the launcher as main, the bundle's files as assets. Making the blob
// and injecting it (LIEF rewrites a 120 MB binary: seconds) are skipped when the launcher, the
// bundle and the Node binary are those of the last build, which keeps warm rebuilds fast; the
// stamp hashes these inputs, so a changed Node binary or bundle always rebuilds.
mkdirSync(seaDir, { recursive: true });
const blob = join(seaDir, 'sea-prep.blob');
const seaConfig = {
  main: join(app, 'main.cjs'),
  output: blob,
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  // Off: it measured no faster (the launcher is 2 kB; the bundle gets Node's compile cache) and
  // would make the blob, so the executable, differ on every build.
  useCodeCache: false,
  // V8 lets the young generation grow to 64 MiB, and forwarded bytes and log lines are short-lived
  // buffers that stay in memory until a scavenge frees them: port-forward peaked at 192 MiB moving
  // 256 MiB, 128 MiB with a 1 MiB semi-space, at the same throughput; status took as long either
  // way. The flag only takes effect at start, hence here. Node before 24.6 ignores the field.
  execArgv: ['--max-semi-space-size=1'],
  assets: Object.fromEntries(files.map((file) => [file, join(app, file)])),
};
const exe = join(dist, 'kubectl-dask');
const stampFile = join(seaDir, 'stamp');
const node = statSync(nodeBinary);
const stamp = createHash('sha256')
  .update(JSON.stringify(seaConfig))
  .update(readFileSync(seaConfig.main))
  .update(`${contentHash}:${node.size}:${node.mtimeMs}`)
  .digest('hex');
// Written on every build: scripts/package.ts makes each platform's blob from it.
writeFileSync(join(seaDir, 'sea-config.json'), JSON.stringify(seaConfig, null, 2));
// An executable that lost its x bit (a copy, a checkout) is no plugin to kubectl: rebuild it too.
const usable = existsSync(exe) && (statSync(exe).mode & 0o111) !== 0;
if (!usable || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  execFileSync(nodeBinary, ['--experimental-sea-config', join(seaDir, 'sea-config.json')], { stdio: 'pipe' });
  const { inject } = require('postject') as { inject: Inject };
  // Assembled in dist/sea: a half-made kubectl-* file in dist/ would show up as a kubectl plugin.
  const partial = join(seaDir, 'kubectl-dask.partial');
  // LIEF, inside postject, warns about Node's unnamed ELF note sections on every run; harmless.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes("Can't find string offset for section name")) warn(...args);
  };
  try {
    copyFileSync(nodeBinary, partial);
    await inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), {
      sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
      machoSegmentName: 'NODE_SEA',
    });
    renameSync(partial, exe);
  } finally {
    console.warn = warn;
    rmSync(partial, { force: true });
  }
  writeFileSync(stampFile, stamp);
}

const took = Math.round(performance.now() - started);
console.log(`built ${relative(root, exe)} ${version} (${files.length} bundle files, ${contentHash}) in ${took} ms`);
