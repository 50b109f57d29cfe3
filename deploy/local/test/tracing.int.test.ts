import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@ferry/testing';
import { startStack, type RunningStack } from './run-stack.js';

const run = promisify(execFile);

interface ReceivedSpan {
  readonly service: string;
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
}

/** OTLP/JSON ids are hex; some encoders send base64: normalise to hex. */
const hex = (id: string | undefined) => (id === undefined || id === '' ? '' : /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex'));

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string }> }>;
  }>;
}

/** A stand-in OpenTelemetry collector (OTLP/HTTP, JSON) that every service of the stack exports to. */
async function startCollector(): Promise<{ server: Server; port: number; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const resource of body.resourceSpans ?? []) {
        const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) spans.push({ service, name: span.name, traceId: hex(span.traceId), spanId: hex(span.spanId), parentSpanId: hex(span.parentSpanId) });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, spans };
}

/** Whether `span` descends from `ancestor` through parent links. */
function descends(spans: readonly ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let current: ReceivedSpan | undefined = span; current; current = byId.get(current.parentSpanId)) {
    if (current.spanId === ancestor.spanId) return true;
  }
  return false;
}

let collector: Awaited<ReturnType<typeof startCollector>>;
let running: RunningStack;

beforeAll(async () => {
  collector = await startCollector();
  running = await startStack(['--gateways', '1'], { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`, OTEL_BSP_SCHEDULE_DELAY: '200' });
  const file = join(running.dataDir, 'traced.txt');
  await writeFile(file, 'one trace from the FTP command to the projection\n');
  await run('curl', ['-sS', '--fail', '-T', file, `ftp://demo:${encodeURIComponent(running.stack.demoUser.password)}@127.0.0.1:${running.stack.ftp.port}/traced.txt`]);
});

afterAll(async () => {
  await running?.stop();
  await new Promise((resolve) => collector?.server.close(resolve));
});

describe('traces across every service (OTLP/HTTP to a collector)', () => {
  it('a login is one trace: the gateway PASS, then session.admit, auth.login and session.open in their services', async () => {
    const expected = [
      ['session', 'serve session.admit'],
      ['auth', 'serve auth.login'],
      ['session', 'serve session.open'],
    ] as const;
    await pollUntil('the login trace', 30_000, () => {
      const logins = collector.spans.filter((s) => s.service === 'ftp-gateway' && s.name === 'ftp login');
      return Promise.resolve(logins.some((login) => expected.every(([service, name]) => collector.spans.some((s) => s.service === service && s.name === name && s.traceId === login.traceId && descends(collector.spans, s, login)))));
    });
  });

  it('a transfer is one trace: the gateway STOR, the event it publishes, and the indexer applying it', async () => {
    await pollUntil('the transfer trace', 30_000, () => {
      const uploads = collector.spans.filter((s) => s.service === 'ftp-gateway' && s.name === 'ftp upload');
      return Promise.resolve(
        uploads.some((upload) => {
          const published = collector.spans.find((s) => s.name === 'publish ferry.transfer.completed.v1' && s.traceId === upload.traceId && descends(collector.spans, s, upload));
          const projected = collector.spans.find((s) => s.service === 'storage-indexer' && s.name === 'project ferry.transfer.completed.v1' && s.traceId === upload.traceId);
          return published !== undefined && projected !== undefined && descends(collector.spans, projected, upload);
        }),
      );
    });
    expect(new Set(collector.spans.map((s) => s.service))).toEqual(new Set(['ftp-gateway', 'auth', 'session', 'storage-indexer', 'alert-relay']));
  });
});
