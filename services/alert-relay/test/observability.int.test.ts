import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerRunbookRoute } from '../src/adapters/runbooks.js';
import { WATCHDOG_ALERT_NAMES } from '../src/domain/watchdog.js';
import { WORKSPACE } from './support/processes.js';

const run = promisify(execFile);
const OBS = join(WORKSPACE, 'observability');
const RUNBOOKS = join(WORKSPACE, 'runbooks');
const RULES = join(OBS, 'prometheus', 'rules', 'ferry-alerts.yml');

async function tool(command: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(command, args, { cwd: WORKSPACE, timeout: 60_000 });
  return `${stdout}${stderr}`;
}

const prometheusAlertNames = () => [...readFileSync(RULES, 'utf8').matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');

describe('Prometheus and Alertmanager configuration', () => {
  it('passes promtool check config (with its rule files)', async () => {
    expect(await tool('promtool', ['check', 'config', join(OBS, 'prometheus', 'prometheus.yml')])).toContain('SUCCESS');
  });

  it('passes promtool check rules', async () => {
    expect(await tool('promtool', ['check', 'rules', RULES])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes the alert rules unit tests (promtool test rules)', async () => {
    expect(await tool('promtool', ['test', 'rules', join(OBS, 'prometheus', 'tests', 'ferry-alerts.test.yml')])).toContain('SUCCESS');
  });

  it('passes amtool check-config', async () => {
    expect(await tool('amtool', ['check-config', join(OBS, 'alertmanager', 'alertmanager.yml')])).toContain('SUCCESS');
  });

  it('gives every alert rule a summary, a severity and a runbook_url naming the alert', () => {
    const text = readFileSync(RULES, 'utf8');
    const blocks = text.split(/^\s*- alert:/m).slice(1);
    expect(blocks.length).toBe(prometheusAlertNames().length);
    for (const block of blocks) {
      const name = block.trim().split(/\s/)[0]!;
      expect(block, name).toMatch(/severity: (critical|warning|info)/);
      expect(block, name).toMatch(/summary: /);
      expect(block, name).toContain(`runbook_url: 'http://127.0.0.1:9205/runbooks/${name}.md'`);
    }
  });

  it('ships a Grafana dashboard that parses and queries gateways, logins, transfers, bytes, errors and lag', () => {
    const dashboard = JSON.parse(readFileSync(join(OBS, 'grafana', 'dashboards', 'ferry-overview.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const metric of ['ferry_gateway_sessions', 'ferry_gateway_logins_total', 'ferry_gateway_transfers_total', 'ferry_gateway_transfer_bytes_total', 'ferry_gateway_events_refused_total', 'ferry_indexer_lag_seconds']) {
      expect(exprs).toContain(metric);
    }
  });
});

describe('runbooks', () => {
  it('has a page for every Prometheus alert rule and every watchdog rule', () => {
    const names = [...prometheusAlertNames(), ...WATCHDOG_ALERT_NAMES];
    expect(names.length).toBeGreaterThan(15);
    const missing = names.filter((name) => !existsSync(join(RUNBOOKS, `${name}.md`)));
    expect(missing).toEqual([]);
  });

  it('has ESCALATION, FAILOVER and RECOVERY, and every page has the standard sections', () => {
    for (const page of ['ESCALATION.md', 'FAILOVER.md', 'RECOVERY.md', 'README.md']) expect(existsSync(join(RUNBOOKS, page)), page).toBe(true);
    for (const name of [...prometheusAlertNames(), ...WATCHDOG_ALERT_NAMES]) {
      const text = readFileSync(join(RUNBOOKS, `${name}.md`), 'utf8');
      for (const section of ['## What it means', '## Likely causes', '## Confirm', '## Fix', '## Verify', '## Escalate']) expect(text, `${name}: ${section}`).toContain(section);
    }
  });

  it('resolves every link between runbooks to a file and, with an anchor, to a heading', () => {
    const broken: string[] = [];
    for (const page of readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(RUNBOOKS, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#');
        const path = join(RUNBOOKS, file!);
        if (!existsSync(path)) {
          broken.push(`${page} → ${target}`);
          continue;
        }
        if (anchor !== undefined) {
          const headings = [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
          if (!headings.includes(anchor)) broken.push(`${page} → ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('runbooks served by the relay', () => {
  it('serves a runbook page and nothing outside the folder', async () => {
    const app = Fastify();
    registerRunbookRoute(app, RUNBOOKS);
    try {
      const page = await app.inject({ method: 'GET', url: '/runbooks/ServiceDown.md' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/markdown');
      expect(page.body).toContain('# ServiceDown');
      expect((await app.inject({ method: 'GET', url: '/runbooks/..%2Fpackage.json' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/runbooks/Nope.md' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
