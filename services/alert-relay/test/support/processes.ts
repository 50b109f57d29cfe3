import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getFreePort, waitForHttp } from '@ferry/testing';

export const WORKSPACE = resolve(import.meta.dirname, '../../../..');
export const RELAY_MAIN = 'services/alert-relay/src/main.ts';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';
export const ACTION_SECRET = 'action-secret-for-tests-0123456789abcdef';

/** A service started from source as a real process, stopped by PID. */
export class ServiceProcess {
  output = '';
  exitCode: number | null | undefined;
  private exited: Promise<void>;
  private constructor(
    readonly child: ChildProcess,
    readonly opsPort: number,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((done) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        done();
      }),
    );
  }

  /** `script`: a path relative to the workspace (a service's src/main.ts, or a test helper). */
  static async start(script: string, env: Record<string, string>, opts: { waitReady?: boolean } = {}): Promise<ServiceProcess> {
    const opsPort = await getFreePort();
    const child = spawn(process.execPath, ['--conditions=@ferry/source', '--import', 'tsx', join(WORKSPACE, script)], {
      cwd: WORKSPACE,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', FERRY_OPS_PORT: String(opsPort), LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new ServiceProcess(child, opsPort);
    if (opts.waitReady !== false) {
      await Promise.race([
        waitForHttp(`http://127.0.0.1:${opsPort}/readyz`, 30_000, (status) => status === 200),
        started.exited.then(() => {
          throw new Error(`${script} exited with ${String(started.exitCode)} during start:\n${started.output}`);
        }),
      ]);
    }
    return started;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the exit code. */
  async waitExit(): Promise<number | null | undefined> {
    await this.exited;
    return this.exitCode;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.exitCode === undefined) process.kill(this.pid, signal);
    await this.exited;
  }
}

/** A temp folder for configs; removed by cleanup(). */
export function tempDir(): { path: string; write(name: string, content: unknown): string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'ferry-alert-relay-test-'));
  return {
    path,
    write: (name, content) => {
      const file = join(path, name);
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}

export interface RelayHandle {
  readonly process: ServiceProcess;
  readonly apiUrl: string;
  admin(path: string, init?: RequestInit): Promise<Response>;
}

/** The relay as a real process against a real NATS, with its API on a free port. */
export async function startRelay(natsUrl: string, configPath: string, extraEnv: Record<string, string> = {}): Promise<RelayHandle> {
  const apiPort = await getFreePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const proc = await ServiceProcess.start(RELAY_MAIN, {
    NATS_URL: natsUrl,
    ALERT_RELAY_CONFIG: configPath,
    FERRY_API_PORT: String(apiPort),
    FERRY_ADMIN_TOKEN: ADMIN_TOKEN,
    ALERT_RELAY_ACTION_SECRET: ACTION_SECRET,
    ALERT_RELAY_RUNBOOK_BASE_URL: 'https://runbooks.example.test/ferry',
    FERRY_HEARTBEAT_INTERVAL: '500ms',
    ...extraEnv,
  });
  return {
    process: proc,
    apiUrl,
    admin: (path, init = {}) =>
      fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string> | undefined) } }),
  };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** An Alertmanager v4 webhook payload, as Alertmanager would post it. */
export function amPayload(groupKey: string, alerts: { labels: Record<string, string>; status?: 'firing' | 'resolved'; fingerprint: string }[]) {
  const status = alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status,
    receiver: 'ferry-relay',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.test',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: { summary: `${a.labels.alertname ?? ''} test alert` },
      startsAt: '2026-11-22T10:00:00Z',
      endsAt: a.status === 'resolved' ? '2026-11-22T10:05:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.test/graph',
      fingerprint: a.fingerprint,
    })),
  };
}
