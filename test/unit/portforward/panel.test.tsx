import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { browserCommand, createForwardPresenter, formatBytes, formatForwardAddresses } from '../../../src/ui/forward-panel.ts';
import { ForwardPanel, createLivePanel } from '../../../src/ui/forward-panel-live.tsx';

afterEach(cleanup);

describe('what port-forward prints on stdout', () => {
  it('gives the Dask address, the dashboard URL and the snippets for the local ports', () => {
    const text = formatForwardAddresses(
      [
        { label: 'scheduler', flag: '--port', local: 18786, remote: 8786 },
        { label: 'dashboard', flag: '--dashboard-port', local: 18787, remote: 8787 },
      ],
      '127.0.0.1',
      false,
    );
    expect(text.split('\n')).toEqual([
      'Dask address: tcp://127.0.0.1:18786',
      'Dashboard:    http://127.0.0.1:18787',
      '',
      'Dask client:',
      '  from dask.distributed import Client; client = Client("tcp://127.0.0.1:18786")',
      'Prefect 3 task runner:',
      '  from prefect_dask import DaskTaskRunner; task_runner = DaskTaskRunner(address="tcp://127.0.0.1:18786")',
      '',
    ]);
  });

  it('gives only the URL for the dashboard command', () => {
    expect(formatForwardAddresses([{ label: 'dashboard', flag: '--port', local: 8787, remote: 8787 }], '0.0.0.0', false)).toBe('Dashboard: http://127.0.0.1:8787\n');
  });
});

describe('browserCommand', () => {
  const all = () => true;
  it('opens a browser only in a desktop session that has an opener', () => {
    expect(browserCommand('linux', { DISPLAY: ':0' }, all)).toBe('xdg-open');
    expect(browserCommand('linux', { WAYLAND_DISPLAY: 'wayland-0' }, all)).toBe('xdg-open');
    expect(browserCommand('linux', {}, all)).toBeUndefined();
    expect(browserCommand('linux', { DISPLAY: ':0' }, () => false)).toBeUndefined();
    expect(browserCommand('darwin', {}, all)).toBe('open');
  });
});

it('formats byte counts', () => {
  expect([0, 1023, 1536, 5 * 1024 * 1024].map(formatBytes)).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 MiB']);
});

describe('live panel', () => {
  it('shows the target pod, connections, traffic and reconnects under the notices', () => {
    const state = { target: 'dask-scheduler-6f7d-x2', open: 2, received: 3 * 1024 * 1024, sent: 2048, reconnects: 1 };
    const { lastFrame } = render(<ForwardPanel state={state} notices={['forwarding to scheduler pod dask-scheduler-6f7d-x2']} color={false} />);
    expect(stripVTControlCharacters(lastFrame() ?? '').split('\n').map((l) => l.trimEnd())).toEqual([
      '• forwarding to scheduler pod dask-scheduler-6f7d-x2',
      'Scheduler pod: dask-scheduler-6f7d-x2',
      'Connections:   2 open',
      'Traffic:       3.0 MiB in, 2.0 KiB out',
      'Reconnects:    1',
      'Ctrl-C to stop',
    ]);
  });
});

describe('createLivePanel', () => {
  it('prints each notice once above the panel, keeping none it has printed', async () => {
    let written = '';
    const stream = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((written += String(chunk)), done()) }), { isTTY: true, columns: 100, rows: 40 });
    const panel = createLivePanel(stream as unknown as NodeJS.WriteStream, false);
    const state = { target: 'dask-scheduler-6f7d-x2', open: 0, received: 0, sent: 0, reconnects: 0 };
    panel.notice('first');
    panel.update(state);
    panel.notice('second');
    panel.notice('third');
    panel.update({ ...state, open: 1 });
    for (let i = 0; i < 50; i++) panel.notice(`retry ${i}`);
    await panel.close();
    const text = stripVTControlCharacters(written);
    for (const notice of ['first', 'second', 'third', 'retry 0', 'retry 49']) expect(text.split(`• ${notice}\n`)).toHaveLength(2);
    expect(text).toContain('Connections:   1 open');
  });
});

describe('createForwardPresenter', () => {
  it('prints the addresses before anything the forward reported while it started', async () => {
    const lines: string[] = [];
    const collect = (stream: string) => Object.assign(new Writable({ write: (chunk, _encoding, done) => (lines.push(`${stream}: ${String(chunk).split('\n')[0]}`), done()) }), { isTTY: false });
    const presenter = await createForwardPresenter({ interactive: false, color: false, stderrColor: false }, '127.0.0.1', false, {
      stdout: collect('stdout'),
      stderr: collect('stderr') as unknown as NodeJS.WriteStream,
    });
    presenter.notice('forwarding to scheduler pod dask-scheduler-1');
    presenter.update({ target: 'dask-scheduler-1', open: 0, received: 0, sent: 0, reconnects: 0 });
    expect(lines).toEqual([]);
    presenter.listening([{ label: 'scheduler', flag: '--port', remote: 8786, local: 40001 }]);
    presenter.notice('later');
    await presenter.close();
    expect(lines).toEqual(['stdout: Dask address: tcp://127.0.0.1:40001', 'stderr: • forwarding to scheduler pod dask-scheduler-1', 'stderr: • later']);
  });
});
