import { describe, expect, it } from 'vitest';
import { formatUpSummary } from '../../../src/ui/summary.ts';
import { cluster } from './fixtures.ts';

describe('formatUpSummary', () => {
  it('says how to connect and what to run next', () => {
    expect(formatUpSummary(cluster(), { color: false, target: { contextNamespace: 'default' } })).toBe(
      [
        '✓ Dask cluster "dask" is ready in namespace default (scheduler 1/1, workers 2/2).',
        '',
        'Address:      tcp://dask-scheduler:8786  (from namespace default)',
        'FQDN address: tcp://dask-scheduler.default.svc:8786  (from any namespace)',
        'Dashboard:    http://dask-scheduler.default.svc:8787',
        '',
        'Dask client:',
        '  from dask.distributed import Client; client = Client("tcp://dask-scheduler:8786")',
        'Prefect 3 task runner:',
        '  from prefect_dask import DaskTaskRunner; task_runner = DaskTaskRunner(address="tcp://dask-scheduler:8786")',
        '',
        'Next steps:',
        '  kubectl dask port-forward       # reach the dashboard and scheduler from this machine',
        '  kubectl dask logs -f            # follow the worker logs',
        '  kubectl dask scale --workers N  # change the number of workers',
        '  kubectl dask down               # delete the cluster',
        '',
      ].join('\n'),
    );
  });

  it('names a non-default cluster and its namespace in every command', () => {
    const text = formatUpSummary(cluster({ name: 'etl', namespace: 'team-a' }), { color: false, target: { contextNamespace: 'default' } });
    expect(text).toContain('  kubectl dask port-forward etl -n team-a       #');
    expect(text).toContain('  kubectl dask logs etl -f -n team-a            #');
    expect(text).toContain('  kubectl dask scale etl --workers N -n team-a  #');
    expect(text).toContain('  kubectl dask down etl -n team-a               #');
  });

  it('repeats the --kubeconfig and --context up was given, quoting what a shell would split', () => {
    const text = formatUpSummary(cluster({ namespace: 'team-a' }), { color: false, target: { kubeconfig: '/home/me/my configs/prod.yaml', context: 'prod', contextNamespace: 'team-a' } });
    expect(text).toMatch(/^ {2}kubectl dask down --kubeconfig '\/home\/me\/my configs\/prod\.yaml' --context prod +# delete the cluster$/m);
  });

  it('spells out the namespace when the current one is unknown', () => {
    expect(formatUpSummary(cluster(), { color: false })).toContain('  kubectl dask down -n default ');
  });

  it('says what a cluster that is not ready is waiting for and how to look closer', () => {
    const waitingFor = ['deployment dask-worker: 1/2 ready, 2 updated'];
    const text = formatUpSummary(cluster({ ready: false, workers: { ready: 1, desired: 2, updated: 2, old: 0 }, waitingFor }), { color: false, target: { contextNamespace: 'default' } });
    expect(text.startsWith('! Dask cluster "dask" in namespace default is not ready yet (scheduler 1/1, workers 1/2).\n  deployment dask-worker: 1/2 ready, 2 updated\n\n')).toBe(true);
    expect(text).toContain('  kubectl dask status             # see what it is still waiting for\n');
  });
});
