// What a run keeps of a parsed kubeconfig: enough to rebuild js-yaml's document from the same
// text, and no string of it; a changed text is parsed again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentFromShape, parseKubeconfigText, shapeWithoutStrings } from '../../../src/kube/kubeconfig-text.ts';

const KEY = 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUNvZGVyCg==';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl';
const kubeconfig = (namespace: string) => `apiVersion: v1
kind: Config
clusters:
  - name: prod
    cluster:
      server: https://203.0.113.7:6443
      certificate-authority-data: ${KEY}
      insecure-skip-tls-verify: false
contexts:
  - name: prod
    context: {cluster: prod, user: admin, namespace: ${namespace}}
  - name: "quoted \\"name\\""
    context: {cluster: prod, user: bot}
current-context: prod
users:
  - name: admin
    user:
      client-key-data: ${KEY}
      token: '${TOKEN}'
  - name: bot
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: get-token
        args: [--cluster, prod]
        env: null
        interactiveMode: Never
        provideClusterInfo: true
preferences: {}
timeout: 30
`;

describe('shapeWithoutStrings and documentFromShape', () => {
  it("rebuild js-yaml's document from the text, and the shape holds none of its strings", () => {
    const text = kubeconfig('analytics').replace('"quoted \\"name\\""', 'plain-name');
    const document = load(text);
    const shape = shapeWithoutStrings(document, text);
    expect(shape).toBeDefined();
    expect(documentFromShape(JSON.parse(JSON.stringify(shape)), text)).toEqual(document);
    const kept = JSON.stringify(shape);
    for (const secret of [KEY, TOKEN, 'https://203.0.113.7:6443', 'analytics', 'admin', 'client-key-data', 'get-token']) expect(kept).not.toContain(secret);
    // Numbers, booleans and nulls are kept as they are.
    expect(kept).toContain('true');
    expect(kept).toContain('30');
  });

  it('keep nothing of a document whose strings are not in the text as they are', () => {
    // An escaped quote: the string has a " where the text has \".
    const escaped = kubeconfig('analytics');
    expect(shapeWithoutStrings(load(escaped), escaped)).toBeUndefined();
    // A block scalar loses its indentation.
    const block = 'clusters:\n  - name: a\n    cluster:\n      certificate-authority: |\n        line one\n        line two\n';
    expect(shapeWithoutStrings(load(block), block)).toBeUndefined();
  });

  it('keep nothing of a document with values JSON cannot carry, or a __proto__ key', () => {
    const endless = 'preferences: {}\ntimeout: .inf\n';
    expect(load(endless)).toEqual({ preferences: {}, timeout: Infinity });
    expect(shapeWithoutStrings(load(endless), endless)).toBeUndefined();
    expect(shapeWithoutStrings({ expiry: new Date(0) }, 'expiry')).toBeUndefined();
    const proto = 'preferences:\n  __proto__: {polluted: yes}\n';
    expect(shapeWithoutStrings(load(proto), proto)).toBeUndefined();
  });
});

describe('parseKubeconfigText', () => {
  let dir: string;
  let parses: number;
  const parse = (text: string) => {
    parses += 1;
    return load(text);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-kubeconfig-text-'));
    parses = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('parses a text once per cache dir, and again once it changes', () => {
    const cacheDir = path.join(dir, 'cache');
    const first = kubeconfig('team-aaaa').replace('"quoted \\"name\\""', 'plain-name');
    expect(parseKubeconfigText(first, cacheDir, parse)).toEqual(load(first));
    expect(parseKubeconfigText(first, cacheDir, parse)).toEqual(load(first));
    expect(parses).toBe(1);
    // Same length, other namespace.
    const second = first.replace('team-aaaa', 'team-bbbb');
    expect(parseKubeconfigText(second, cacheDir, parse)).toMatchObject({ contexts: [{ context: { namespace: 'team-bbbb' } }, {}] });
    expect(parses).toBe(2);
    const files = fs.readdirSync(cacheDir);
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(fs.statSync(path.join(cacheDir, file)).mode & 0o077).toBe(0);
      expect(fs.readFileSync(path.join(cacheDir, file), 'utf8')).not.toContain(KEY);
    }
  });

  it('parses every time without a dir, or for a document it cannot keep', () => {
    const text = kubeconfig('analytics');
    parseKubeconfigText(text, undefined, parse);
    parseKubeconfigText(text, undefined, parse);
    parseKubeconfigText(text, path.join(dir, 'cache'), parse);
    parseKubeconfigText(text, path.join(dir, 'cache'), parse);
    expect(parses).toBe(4);
    expect(fs.existsSync(path.join(dir, 'cache'))).toBe(false);
  });

  it('parses again when the kept file is damaged, and keeps the 16 newest', () => {
    const cacheDir = path.join(dir, 'cache');
    const texts = Array.from({ length: 18 }, (_, i) => `current-context: ctx-${i}\n`);
    texts.forEach((text, i) => {
      parseKubeconfigText(text, cacheDir, parse);
      // A second apart, as runs are, which the file times tell apart whatever their resolution.
      const written = new Date(Date.now() - (texts.length - i) * 1000);
      fs.utimesSync(path.join(cacheDir, createHash('sha256').update(text).digest('hex')), written, written);
    });
    expect(fs.readdirSync(cacheDir)).toHaveLength(16);
    const [damaged] = fs.readdirSync(cacheDir);
    fs.writeFileSync(path.join(cacheDir, damaged!), '{"0:15":');
    parses = 0;
    for (const text of texts.slice(2)) expect(parseKubeconfigText(text, cacheDir, parse)).toEqual(load(text));
    expect(parses).toBe(1);
  });
});
