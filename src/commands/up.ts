import type { Argv, CommandModule } from 'yargs';
import { buildClusterObjects } from '../core/manifests.ts';
import { DEFAULT_IMAGE, DEFAULT_NAME, DEFAULT_THREADS, DEFAULT_WORKERS, type Resources } from '../core/spec.ts';
import { ExitCode, KubectlDaskError, UsageError } from '../core/errors.ts';
import { parseClusterName, parseCount, parseEnv, parseImage, parsePip, parseQuantity, parseTimeout } from '../core/validate.ts';
import { asList, type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { askToConfirm, canAsk, refuseUnasked } from './confirm.ts';
import { connect, interruptSignal, terminalMode, withLaterReporter, writeResult } from './runtime.ts';

interface UpArgs extends GlobalArgs {
  name: string;
  workers?: string;
  threads: string;
  image: string;
  cpu?: string;
  memory?: string;
  'scheduler-cpu'?: string;
  'scheduler-memory'?: string;
  env?: unknown;
  pip?: unknown;
  wait: boolean;
  timeout: string;
  'dry-run'?: string;
  'force-conflicts': boolean;
  yes: boolean;
  output?: string;
}

const clusterNameOption = {
  name: { type: 'string', default: DEFAULT_NAME, describe: 'Cluster name: objects are NAME-scheduler (Deployment, Service) and NAME-worker' },
} as const;

export const waitOptions = {
  wait: { type: 'boolean', default: true, describe: 'Wait until the scheduler and all workers are Ready (--no-wait returns at once)' },
  timeout: { type: 'string', default: '5m', describe: 'How long to wait, e.g. 90s, 5m' },
} as const;

/** Requests and limits from --cpu/--memory, or with prefix "scheduler-", its own flags. */
function resources(cpu: string | undefined, memory: string | undefined, prefix = ''): Resources {
  const r: Resources = {};
  if (cpu !== undefined) r.cpu = parseQuantity('cpu', cpu, `${prefix}cpu`);
  if (memory !== undefined) r.memory = parseQuantity('memory', memory, `${prefix}memory`);
  return r;
}

function parseDryRun(value: string | undefined): 'client' | 'server' | undefined {
  if (value === undefined) return undefined;
  if (value === '' || value === 'client' || value === 'true') return 'client';
  if (value === 'server') return 'server';
  if (value === 'none' || value === 'false') return undefined;
  throw new UsageError(`invalid --dry-run "${value}": use --dry-run, --dry-run=client or --dry-run=server`);
}

export const upCommand: CommandModule<GlobalArgs, UpArgs> = {
  command: 'up',
  describe: 'Create or update a Dask cluster and wait until it is ready',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .options(withValues({
        ...clusterNameOption,
        workers: { type: 'string', describe: `Number of workers (default ${DEFAULT_WORKERS} for a new cluster; an existing cluster keeps its count)` },
        threads: { type: 'string', default: String(DEFAULT_THREADS), describe: 'Threads per worker' },
        image: { type: 'string', default: DEFAULT_IMAGE, describe: 'Container image with Dask (and whatever your tasks import)' },
        cpu: { type: 'string', describe: 'CPU request and limit of each worker, e.g. 2 or 500m' },
        memory: { type: 'string', describe: 'Memory request and limit of each worker, e.g. 4Gi' },
        'scheduler-cpu': { type: 'string', describe: 'CPU request and limit of the scheduler' },
        'scheduler-memory': { type: 'string', describe: 'Memory request and limit of the scheduler' },
        env: { type: 'string', array: true, describe: 'Environment variable NAME=VALUE for scheduler and workers (repeatable)' },
        pip: { type: 'string', array: true, describe: 'Extra pip packages installed at start (EXTRA_PIP_PACKAGES of the official image; repeatable)' },
        ...waitOptions,
        'dry-run': { type: 'string', requiresArg: false, describe: 'Print the objects instead of applying them: client (no API calls) or server (validated by the API server)' },
        'force-conflicts': { type: 'boolean', default: false, describe: 'Take over objects with the same names that kubectl-dask did not create (their pods restart without asking)' },
        yes: { alias: 'y', type: 'boolean', default: false, describe: "Restart a running scheduler without asking when its pod changes (required when there is no terminal to ask in)" },
        ...outputOption,
      }))
      .example('$0 up', 'Cluster "dask": tcp://dask-scheduler:8786 with 2 workers of 4 threads')
      .example('$0 up --name etl --workers 8 --cpu 2 --memory 8Gi', 'A second, larger cluster in the same namespace')
      .example('$0 up --pip prefect --pip prefect-dask', 'Workers that can run Prefect 3 tasks')
      .example('$0 up --image ghcr.io/dask/dask:2026.9.0 --yes', 'Change the image of a running cluster: its scheduler restarts, losing running work')
      .example('$0 up --dry-run -o yaml | kubectl apply -f -', 'Print the manifests instead of applying them'),
  handler: async (args) => {
    const dryRun = parseDryRun(args['dry-run']);
    const output = parseOutput(args.output ?? (dryRun ? 'yaml' : undefined));
    const base = {
      name: parseClusterName(args.name),
      image: parseImage(args.image),
      threads: parseCount('threads', args.threads, { min: 1, max: 1024 }),
      workerResources: resources(args.cpu, args.memory),
      schedulerResources: resources(args['scheduler-cpu'], args['scheduler-memory'], 'scheduler-'),
      env: parseEnv(asList(args.env)),
      pip: parsePip(asList(args.pip)),
    };
    const workers = args.workers === undefined ? undefined : parseCount('workers', args.workers);
    const timeoutMs = parseTimeout(args.timeout);
    const { formatObjects, formatStatus } = await import('../ui/status-view.ts');
    const mode = terminalMode(args);

    if (dryRun === 'client') {
      // No API call: the namespace comes from the flag or the kubeconfig alone, and a --context or
      // --kubeconfig given must exist even beside -n, as for kubectl create --dry-run=client.
      const namespace = (await import('../kube/connect.ts')).namespaceFromKubeconfig(args);
      const objects = buildClusterObjects({ ...base, namespace, workers: workers ?? DEFAULT_WORKERS });
      // Applied as printed, the default would scale an existing cluster to it, without retiring workers.
      if (workers === undefined) {
        process.stderr.write(`note: ${base.name}-worker has ${DEFAULT_WORKERS} replicas, a new cluster's count; up keeps an existing cluster's (--dry-run=server shows it): pass --workers N to choose\n`);
      }
      writeResult(await formatObjects(objects, output === 'json' ? 'json' : 'yaml', { documents: true }));
      return;
    }
    const client = await connect(args);
    const signal = interruptSignal();
    const confirmRestart = async (changes: string[]) => {
      if (args.yes) return true;
      const restart = `restart the scheduler of Dask cluster "${base.name}", whose pod changes (${changes.join(', ')})`;
      if (!canAsk()) throw refuseUnasked(restart);
      return askToConfirm(`Dask cluster "${base.name}": its scheduler's pod changes (${changes.join(', ')}), so the scheduler restarts and the work running on the cluster is lost. Continue?`, 'nothing was changed', signal);
    };
    const request = {
      spec: { ...base, namespace: client.namespace, ...(workers === undefined ? {} : { workers }) },
      wait: args.wait,
      timeoutMs,
      forceConflicts: args['force-conflicts'],
      signal,
      confirmRestart,
    };
    const operations = await import('../operations/up.ts');
    if (dryRun === 'server') {
      const objects = await operations.dryRunOnServer(client, request);
      writeResult(await formatObjects(objects, output === 'json' ? 'json' : 'yaml', { documents: true }));
      return;
    }
    const { status } = await withLaterReporter(mode, (startReporter) => operations.upCluster(client, request, startReporter));
    if (!status) throw new KubectlDaskError('cancelled: nothing was changed', ExitCode.failure);
    if (output === 'text') writeResult(args.wait ? (await import('../ui/summary.ts')).formatUpSummary(status, { ...mode, target: client.target }) : formatStatus(status, mode));
    else writeResult(await formatObjects(status, output));
  },
};
