import { z } from 'zod';
import { Identifier, IsoTime, NonNegativeInt } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { defineEvent, type EventOf } from './define.js';

export const ServiceName = z.enum(['ftp-gateway', 'auth', 'session', 'storage-indexer', 'alert-relay']);
export type ServiceName = z.infer<typeof ServiceName>;

export const InstanceStatus = z.enum(['starting', 'ready', 'degraded', 'draining']);
export type InstanceStatus = z.infer<typeof InstanceStatus>;

/** What a gateway reports about its load; HAProxy weights and alerts derive from it. */
export const GatewayLoad = z.object({
  sessions: NonNegativeInt,
  capacity: NonNegativeInt,
  activeTransfers: NonNegativeInt,
  eventBufferDepth: NonNegativeInt,
  eventBufferCapacity: NonNegativeInt,
  passivePortsInUse: NonNegativeInt.optional(),
});
export type GatewayLoad = z.infer<typeof GatewayLoad>;

const InstanceRef = z.object({
  service: ServiceName,
  instance: Identifier,
});

export const Heartbeat = defineEvent(
  'ferry.health.heartbeat.v1',
  InstanceRef.extend({
    status: InstanceStatus,
    startedAt: IsoTime,
    /** The sender promises its next heartbeat within this interval; watchdogs derive silence from it. */
    intervalMs: z.number().int().positive(),
    version: z.string().max(64),
    /** Failing readiness checks, by name, when status is degraded. */
    failingChecks: z.array(z.string().max(64)).max(32).optional(),
    load: GatewayLoad.optional(),
    /** Service-specific gauges (indexer lag, buffer depth...). */
    gauges: z.record(z.string().max(64), z.number()).optional(),
  }),
  () => eventSubjects.health('heartbeat'),
);

/** A clean stop: watchdogs deregister the instance instead of paging about it. */
export const InstanceStopped = defineEvent(
  'ferry.health.stopped.v1',
  InstanceRef.extend({ reason: z.string().max(256), stoppedAt: IsoTime }),
  () => eventSubjects.health('stopped'),
);

export const healthEvents = [Heartbeat, InstanceStopped] as const;
export type Heartbeat = EventOf<typeof Heartbeat>;
export type InstanceStopped = EventOf<typeof InstanceStopped>;
export type HealthEvent = Heartbeat | InstanceStopped;
