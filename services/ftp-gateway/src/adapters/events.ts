import type { EventDefinition, FerryEvent } from '@ferry/contracts';
import { BufferedPublisher, publishEvent, type Bus } from '@ferry/bus';
import type { ServiceRuntime } from '@ferry/service';
import { context, type Context } from '@ferry/telemetry';
import type { z } from 'zod';
import type { GatewayMetrics } from './metrics.js';

/** Everything the gateway publishes goes through here: built, validated, and offered to the buffer (never awaited). */
export interface EventSink {
  emit<D extends EventDefinition>(definition: D, data: z.input<D['data']>): boolean;
  /** True when the buffer refuses new events: new logins are then refused. */
  isFull(): boolean;
  readonly publisher: BufferedPublisher;
}

/**
 * A BufferedPublisher whose events are published in the trace context they were
 * emitted in (the login's or the transfer's span), although the buffer's loop
 * runs outside it: the event's traceparent links it to the FTP command.
 */
export function bufferedSink(runtime: Pick<ServiceRuntime, 'newEvent' | 'logger'>, bus: Bus, capacity: number, metrics: GatewayMetrics): EventSink {
  const contexts = new WeakMap<FerryEvent, Context>();
  const publisher = new BufferedPublisher(bus, {
    capacity,
    logger: runtime.logger,
    publish: (event) => context.with(contexts.get(event) ?? context.active(), () => publishEvent(bus, event)),
  });
  return {
    publisher,
    emit: (definition, data) => {
      let event: FerryEvent;
      try {
        event = runtime.newEvent(definition, data) as FerryEvent;
      } catch (error) {
        runtime.logger.error({ err: error, type: definition.type, data }, 'event not built: it breaks its contract');
        return false;
      }
      contexts.set(event, context.active());
      const offered = publisher.offer(event);
      if (!offered) {
        metrics.eventsRefused.inc();
        runtime.logger.error({ type: definition.type, id: event.id }, 'event refused: buffer full');
      }
      metrics.eventBufferDepth.set(publisher.depth);
      return offered;
    },
    isFull: () => publisher.isFull,
  };
}
