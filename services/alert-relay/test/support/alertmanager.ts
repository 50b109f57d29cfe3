import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, waitForHttp } from '@ferry/testing';

/** A real prometheus-alertmanager (Debian) on a free loopback port; stop() kills it by PID. */
export interface AlertmanagerHandle {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager(configYaml: string): Promise<AlertmanagerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await getFreePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus-alertmanager',
    [`--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/-/ready`, 20_000, (status) => status === 200);
  } catch (error) {
    await stop();
    throw new Error(`alertmanager did not become ready: ${String(error)}\n${output}`);
  }
  return { url, output: () => output, stop };
}

/**
 * A real prometheus evaluating `rules` every second and sending alerts to `alertmanagerUrl`.
 * The resend delay is 1s: the first send can happen before the Alertmanager target is
 * discovered (Prometheus then drops it and waits the resend delay, 1m by default).
 */
export async function startPrometheus(options: { alertmanagerUrl: string; rules: string }): Promise<AlertmanagerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-prometheus-'));
  writeFileSync(join(dir, 'rules.yml'), options.rules);
  const target = new URL(options.alertmanagerUrl).host;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['${target}']\n`,
  );
  const port = await getFreePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/-/ready`, 30_000, (status) => status === 200);
  } catch (error) {
    await stop();
    throw new Error(`prometheus did not become ready: ${String(error)}\n${output}`);
  }
  return { url, output: () => output, stop };
}
