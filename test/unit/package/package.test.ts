// The krew manifest template, the krew-release-bot template and the manifest `npm run package`
// writes from them: what krew validates on install and what reviewers of krew-index check.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { archiveName, archiveUri, exeName, releaseManifest, TARGETS, targetName } from '../../../scripts/package.ts';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; license: string };
const template = read('plugin.yaml');

interface Platform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  bin: string;
  files: { from: string; to: string }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; homepage: string; shortDescription: string; description: string; caveats: string; platforms: Platform[] };
}

describe('plugin.yaml', () => {
  const manifest = parse(template) as Manifest;

  it('is a krew Plugin named dask at the version of package.json', () => {
    expect(manifest.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(manifest.kind).toBe('Plugin');
    expect(manifest.metadata.name).toBe('dask');
    expect(manifest.spec.version).toBe(`v${pkg.version}`);
    expect(manifest.spec.homepage).toMatch(/^https:\/\//);
  });

  it('has a one-line shortDescription, a description and caveats that name the RBAC it needs', () => {
    expect(manifest.spec.shortDescription).not.toContain('\n');
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(60);
    expect(manifest.spec.description.length).toBeGreaterThan(50);
    expect(manifest.spec.caveats).toMatch(/Deployments/);
    expect(manifest.spec.caveats).toMatch(/RBAC/);
  });

  it('has one platform per packaged target, with the archive, executable and completion it ships', () => {
    expect(manifest.spec.platforms.map((p) => `${p.selector.matchLabels.os}-${p.selector.matchLabels.arch}`)).toEqual(TARGETS.map(targetName));
    for (const [i, platform] of manifest.spec.platforms.entries()) {
      const target = TARGETS[i]!;
      expect(platform.bin).toBe(exeName(target));
      expect(platform.uri.endsWith(`/v${pkg.version}/${archiveName(target)}`)).toBe(true);
      expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(platform.files.map((f) => f.from)).toEqual([exeName(target), target.os === 'windows' ? 'kubectl_complete-dask.cmd' : 'kubectl_complete-dask', 'LICENSE']);
    }
  });
});

describe('krew/.krew.yaml', () => {
  it('is plugin.yaml with the version and each uri and sha256 left to krew-release-bot', () => {
    const bot = read('krew/.krew.yaml');
    // What the bot renders for tag v<version>, with fixed checksums in place of the downloads.
    const rendered = bot
      .replace(/\{\{ ?\.TagName ?\}\}/g, `v${pkg.version}`)
      .replace(/\{\{addURIAndSha "([^"]+)" \.TagName \}\}/g, (_, uri: string) => `uri: ${uri.replace('{{ .TagName }}', `v${pkg.version}`)}\n      sha256: "${'0'.repeat(64)}"`);
    expect(parse(rendered)).toEqual(parse(template));
  });
});

describe('the release manifest', () => {
  it('fills in the version, each archive uri and sha256, and drops platforms not built', () => {
    const text = releaseManifest(template, '1.2.3', [
      { os: 'linux', arch: 'amd64', uri: 'https://example.com/a.tar.gz', sha256: 'a'.repeat(64) },
      { os: 'windows', arch: 'amd64', uri: 'https://example.com/w.zip', sha256: 'b'.repeat(64) },
    ]);
    const manifest = parse(text) as Manifest;
    expect(manifest.spec.version).toBe('v1.2.3');
    expect(manifest.spec.platforms.map((p) => [p.selector.matchLabels.os, p.uri, p.sha256, p.bin])).toEqual([
      ['linux', 'https://example.com/a.tar.gz', 'a'.repeat(64), 'kubectl-dask'],
      ['windows', 'https://example.com/w.zip', 'b'.repeat(64), 'kubectl-dask.exe'],
    ]);
    expect(text).not.toContain('placeholders');
  });

  it('points each uri at the release of this version, or at $KUBECTL_DASK_RELEASE_URL', () => {
    const uri = 'https://github.com/o/r/releases/download/v0.1.0/kubectl-dask_linux_amd64.tar.gz';
    expect(archiveUri(uri, '2.0.0', 'kubectl-dask_darwin_arm64.tar.gz')).toBe('https://github.com/o/r/releases/download/v2.0.0/kubectl-dask_darwin_arm64.tar.gz');
    process.env.KUBECTL_DASK_RELEASE_URL = 'https://mirror.example/kd/';
    try {
      expect(archiveUri(uri, '2.0.0', 'x.zip')).toBe('https://mirror.example/kd/x.zip');
    } finally {
      delete process.env.KUBECTL_DASK_RELEASE_URL;
    }
  });
});

describe('LICENSE', () => {
  it('is the Apache License 2.0 that package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = read('LICENSE');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });
});
