// The testbed context's API server and TLS material as PEM files, for the benches' bare-Node
// floors (status-floor.cjs, logs-floor.cjs), which read files rather than parse a kubeconfig.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { contextName, kubeconfigPath } from '../test/cluster/testbed.ts';

/** server, CA, client certificate and key files (written to dir, mode 0600), in that order. */
export function testbedTlsArgs(dir: string): string[] {
  const config = YAML.parse(readFileSync(kubeconfigPath, 'utf8'));
  const named = (list: { name: string }[], name: string) => list.find((item) => item.name === name) as any;
  const context = named(config.contexts, contextName).context;
  const cluster = named(config.clusters, context.cluster).cluster;
  const user = named(config.users, context.user).user;
  const pem = (name: string, base64: string) => {
    const file = join(dir, `${name}.pem`);
    writeFileSync(file, Buffer.from(base64, 'base64'), { mode: 0o600 });
    return file;
  };
  return [cluster.server, pem('ca', cluster['certificate-authority-data']), pem('cert', user['client-certificate-data']), pem('key', user['client-key-data'])];
}
