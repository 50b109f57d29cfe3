import { hostname } from 'node:os';
import { eventFactory, InstanceStopped, streamSpecs } from '@ferry/contracts';
import { connectBus, ensureStreams, publishEvent, type Bus } from '@ferry/bus';
import { type commonServiceEnv, defaultInstanceId, loadConfigOrExit, type Env } from '@ferry/config';
import { createLogger, createMetrics, initTracing, startOpsServer, type ReadinessCheck, type ReadinessReport } from '@ferry/telemetry';
import type { z } from 'zod';
import { startHeartbeats } from './heartbeat.js';
import type { ServiceDefinition, ServiceRuntime, StartedService } from './runtime.js';

type CommonConfig = z.output<z.ZodObject<typeof commonServiceEnv>>;

/** sysexits.h EX_UNAVAILABLE: a dependency (NATS) could not be reached at start. */
export const EX_UNAVAILABLE = 69;

export interface ProcessHooks {
  readonly env: Env;
  /** Where SIGTERM/SIGINT arrive (the process); tests pass an EventEmitter. */
  readonly signals: NodeJS.EventEmitter;
  readonly exit: (code: number) => void;
}

export interface RunningService {
  readonly runtime: ServiceRuntime;
  readonly opsUrl: string;
  /** Stops everything in order; resolves when done. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

/**
 * The lifecycle every Ferry service shares, so main.ts stays a few lines:
 * config (exit 78 naming the variable) → logger → tracing → NATS and streams →
 * /healthz /readyz /metrics → the service → heartbeats → SIGTERM: stop the
 * service, announce the clean stop, close NATS and the ops server, exit 0.
 */
export async function runService<Schema extends z.ZodObject>(definition: ServiceDefinition<Schema>, hooks: ProcessHooks): Promise<RunningService> {
  const config = loadConfigOrExit(definition.config, hooks.env, { exit: hooks.exit }) as z.output<Schema> & CommonConfig;
  const instance = config.FERRY_INSTANCE_ID ?? defaultInstanceId(`${definition.name}-${hostname()}`, process.pid);
  const logger = createLogger({ service: definition.name, instance, level: config.LOG_LEVEL });
  const tracing = initTracing({ service: definition.name, instance, env: hooks.env, logger });
  const metrics = createMetrics({ service: definition.name, instance });

  let bus: Bus;
  try {
    bus = await connectBus({ servers: config.NATS_URL, name: `${definition.name}/${instance}`, logger, connectTimeoutMs: config.FERRY_NATS_CONNECT_TIMEOUT });
    await ensureStreams(bus, streamSpecs({ replicas: config.FERRY_STREAM_REPLICAS, activityMaxAgeMs: config.FERRY_ACTIVITY_RETENTION }));
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start without NATS');
    await tracing.shutdown();
    hooks.exit(EX_UNAVAILABLE);
    throw error;
  }

  const source = `${definition.name}/${instance}`;
  const clock = () => new Date();
  const newEvent = eventFactory(source, clock);
  const runtime: ServiceRuntime = { service: definition.name, instance, source, version: definition.version, startedAt: clock(), logger, metrics, bus, clock, newEvent };

  let started: StartedService | undefined;
  const readiness = async (): Promise<ReadinessReport> => {
    const checks: Record<string, ReadinessCheck> = {
      nats: bus.isConnected() ? { ok: true } : { ok: false, detail: 'not connected to NATS' },
      started: started ? { ok: true } : { ok: false, detail: 'starting' },
      ...(started?.readiness ? await started.readiness() : {}),
    };
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  };
  const ops = await startOpsServer({ host: config.FERRY_OPS_HOST, port: config.FERRY_OPS_PORT, metrics, readiness, logger });

  try {
    started = await definition.start(runtime, config);
  } catch (error) {
    logger.fatal({ err: error }, 'service failed to start');
    await Promise.allSettled([ops.close(), bus.close(), tracing.shutdown()]);
    hooks.exit(1);
    throw error;
  }
  const service = started;
  const heartbeats = startHeartbeats(runtime, config.FERRY_HEARTBEAT_INTERVAL, {
    status: async () => {
      const report = await readiness();
      const failingChecks = Object.entries(report.checks).filter(([, check]) => !check.ok).map(([name]) => name);
      return { status: service.draining?.() ? 'draining' : report.ready ? 'ready' : 'degraded', failingChecks };
    },
    ...(service.load ? { load: service.load } : {}),
    ...(service.gauges ? { gauges: service.gauges } : {}),
  });
  logger.info({ ops: ops.url, nats: config.NATS_URL, version: definition.version }, `${definition.name} started`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, `${definition.name} stopping`);
      await heartbeats.stop();
      await service.stop(reason).catch((error: unknown) => logger.error({ err: error }, 'service did not stop cleanly'));
      const stopped = newEvent(InstanceStopped, { service: definition.name, instance, reason, stoppedAt: clock().toISOString() });
      await publishEvent(bus, stopped, { timeoutMs: 2_000 }).catch((error: unknown) => logger.warn({ err: error }, 'clean stop not announced'));
      await bus.close().catch((error: unknown) => logger.warn({ err: error }, 'NATS connection did not drain'));
      await ops.close();
      await tracing.shutdown();
      logger.info({ reason }, `${definition.name} stopped`);
    })();
    return stopping;
  };
  const onSignal = (signal: string) => {
    shutdown(signal).then(
      () => hooks.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        hooks.exit(1);
      },
    );
  };
  hooks.signals.once('SIGTERM', () => onSignal('SIGTERM'));
  hooks.signals.once('SIGINT', () => onSignal('SIGINT'));
  return { runtime, opsUrl: ops.url, shutdown };
}
