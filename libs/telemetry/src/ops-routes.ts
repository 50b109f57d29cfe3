import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  readonly ok: boolean;
  readonly detail?: string;
  readonly [key: string]: unknown;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

export type ReadinessProbe = () => ReadinessReport | Promise<ReadinessReport>;

export interface OpsRoutesOptions {
  readonly metrics: { readonly registry: Registry };
  readonly readiness: ReadinessProbe;
  readonly logger: Logger;
  /** A readiness probe slower than this answers 503; default 5000 ms. */
  readonly readinessTimeoutMs?: number;
}

const DEFAULT_READINESS_TIMEOUT_MS = 5_000;

class ReadinessTimeout extends Error {
  readonly code = 'READINESS_TIMEOUT';

  constructor(timeoutMs: number) {
    super(`readiness check did not answer within ${timeoutMs} ms`);
    this.name = 'ReadinessTimeout';
  }
}

/** Runs the probe, turning a throw, a rejection or a hang into a not-ready report. */
async function probeReadiness(readiness: ReadinessProbe, timeoutMs: number): Promise<ReadinessReport & { error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ReadinessTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(readiness), timeout]);
  } catch (error) {
    return { ready: false, checks: {}, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function sendMetrics(registry: Registry, reply: FastifyReply, logger: Logger): Promise<FastifyReply> {
  try {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  } catch (error) {
    logger.error({ err: error }, 'collecting metrics failed');
    return reply.code(500).type('text/plain; charset=utf-8').send('collecting metrics failed\n');
  }
}

/**
 * GET /healthz, /readyz and /metrics as a fastify plugin, for a service that
 * already runs its own fastify API. Register it at the root, without a prefix
 * (`app.register(opsRoutes, options)`): probes and Prometheus expect these
 * exact paths. It is a plain async plugin (fastify-plugin is not a
 * dependency), which is fine because it only adds routes.
 */
export function opsRoutes(app: FastifyInstance, options: OpsRoutesOptions): Promise<void> {
  const { metrics, readiness, logger } = options;
  const timeoutMs = options.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  // Probes poll every few seconds: log when readiness changes, not on every poll.
  let wasReady: boolean | undefined;

  // Answers as long as the event loop does: liveness, not dependencies.
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await probeReadiness(readiness, timeoutMs);
    if (report.ready !== wasReady) {
      if (report.ready) logger.info('ready');
      else logger.warn({ readiness: report }, 'not ready');
      wasReady = report.ready;
    }
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', (_request, reply) => sendMetrics(metrics.registry, reply, logger));
  return Promise.resolve();
}
