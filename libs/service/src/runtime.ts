import type { EventDefinition, EventOf, ServiceName } from '@ferry/contracts';
import type { Bus } from '@ferry/bus';
import type { Logger, Metrics, ReadinessCheck } from '@ferry/telemetry';
import type { z } from 'zod';
import type { HeartbeatSource } from './heartbeat.js';

/** What a running service gets from the kit: connected, instrumented, ready to use. */
export interface ServiceRuntime {
  readonly service: ServiceName;
  readonly instance: string;
  /** "<service>/<instance>": the source of every event this instance publishes. */
  readonly source: string;
  readonly version: string;
  readonly startedAt: Date;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bus: Bus;
  readonly clock: () => Date;
  newEvent<D extends EventDefinition>(definition: D, data: z.input<D['data']>): EventOf<D>;
}

/** What a service hands back once started. */
export interface StartedService {
  /** Service-specific readiness checks, merged with the kit's own (nats). */
  readonly readiness?: () => Promise<Record<string, ReadinessCheck>> | Record<string, ReadinessCheck>;
  readonly load?: HeartbeatSource['load'];
  readonly gauges?: HeartbeatSource['gauges'];
  /** True while the instance refuses new work on purpose (a gateway draining). */
  readonly draining?: () => boolean;
  /** Stops the service's own work; the kit then closes the bus and the ops server. */
  stop(reason: string): Promise<void>;
}

export interface ServiceDefinition<Schema extends z.ZodObject> {
  readonly name: ServiceName;
  readonly version: string;
  /** The whole environment contract of this service (spread commonServiceEnv into it). */
  readonly config: Schema;
  start(runtime: ServiceRuntime, config: z.output<Schema>): Promise<StartedService>;
}
